"""The operator console (``channels.console``) driven through Textual's Pilot, with the
database checked afterwards; and SVG snapshots of its main screens."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, RichLog

from bot.engine import Engine
from bot.operators import login
from channels.console.app import ConsoleApp
from channels.console.caller import CallerScreen
from flows.identity import check_character
from flows.policy import Policy
from store import Booking, Resident, Store
from tests.conftest import Clock, Phone, operator_login
from tests.fakes import tables

OPERATOR = "王芳"
ACTOR = "operator:王芳"
CALLER = "+8613800138000"
ID_1950 = "440106195003031234"[:17]
ELDER_ID = ID_1950 + check_character(ID_1950)
ADULT_17 = "44010619800101123"
ADULT_ID = ADULT_17 + check_character(ADULT_17)


def person(store: Store, clock: Clock, name: str = "陈伯", id_number: str = ELDER_ID) -> Resident:
    account = store.account_for("sms", CALLER, CALLER, clock())
    return store.add_resident(
        account_id=account, name=name, id_type="resident_id", id_number=id_number,
        birth_date=date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        sex="M", phone=CALLER, district_id="tianhe", now=clock(), actor="self:sms",
        channel="sms",
    )  # fmt: skip


def booked(
    store: Store, clock: Clock, resident: Resident, day: date = date(2021, 6, 18)
) -> Booking:
    site = store.site_named("Tianhe Sports Centre")
    assert site is not None
    slot = store.open_slots(site.id, day, clock())[0]
    return store.book(resident_id=resident.id, slot_id=slot.id, dose=1, now=clock(),
                      channel="sms", actor="self:sms")  # fmt: skip


def synchronous(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test with ``asyncio.run`` (no pytest async plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def console(
    store: Store, policy: Policy, clock: Clock, lang: str = "zh", role: str = "operator"
) -> ConsoleApp:
    """The console, logged in as 王芳 (a real login against her stored account)."""
    password = operator_login(store, OPERATOR, role)
    session = login(store, OPERATOR, password, clock(), "console")
    return ConsoleApp(store, policy, clock, session, "en" if lang == "en" else "zh")


async def type_in(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` into the focused input and press Enter (set at once: typing key by key
    costs a screen update per character)."""
    focused = pilot.app.focused
    assert isinstance(focused, Input), focused
    focused.value = text
    await pilot.press("enter")
    await pilot.pause()


def caller_screen(app: ConsoleApp) -> CallerScreen:
    assert isinstance(app.screen, CallerScreen)
    return app.screen


def rows(app: ConsoleApp, table: str) -> list[list[Any]]:
    widget = app.screen.query_one(f"#{table}", DataTable)
    return [widget.get_row_at(i) for i in range(widget.row_count)]


@synchronous
async def test_lookup_shows_the_callers_people_and_bookings(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """By phone, ID, booking code, pre-registration code or name: each looked up in turn on one
    console (each lookup makes a new result, shown in full: the tables are filled again)."""
    elder = person(store, clock)
    booking = booked(store, clock, elder)
    queries = {
        "phone": "138 0013 8000", "id": ELDER_ID, "booking": booking.code.lower(),
        "prereg": elder.prereg_code, "name": "陈伯",
    }  # fmt: skip
    app = console(store, policy, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        for how, query in queries.items():
            before = caller_screen(app).found
            await type_in(pilot, query)
            found = caller_screen(app).found
            assert found is not None and found is not before, how
            assert found.phone == CALLER, how
            people = rows(app, "people")
            assert [r[0] for r in people] == ["陈伯"], how
            assert people[0][1] == "4401**********" + ELDER_ID[-4:], how  # the ID shown masked
            assert [r[0] for r in rows(app, "bookings")] == [booking.code], how
            assert f"预约 {booking.code}" in [r[1] for r in rows(app, "history")], how
            app.screen.query_one("#lookup", Input).focus()
            await pilot.pause()
        # any part of a phone, an ID or a name (issue 15); ID numbers are sealed (issue 16): a
        # whole one, or the birth date written in it
        for part in ("0013 8000", ELDER_ID[6:14], "伯", "8000"):
            before = caller_screen(app).found
            await type_in(pilot, part)
            assert caller_screen(app).found is not before, part
            assert [r[0] for r in rows(app, "people")] == [elder.name], part
            app.screen.query_one("#lookup", Input).focus()
            await pilot.pause()


@synchronous
async def test_an_unknown_query_says_so(store: Store, policy: Policy, clock: Clock) -> None:
    app = console(store, policy, clock, "en")
    async with app.run_test(size=(100, 30)) as pilot:
        await type_in(pilot, "B2222222")
        label = app.screen.query_one("#caller-info", Label)
        assert "Nothing found" in str(label.render())


@synchronous
@pytest.mark.backends("sqlite", "postgresql")
async def test_booking_on_behalf_runs_the_engine_as_the_operator(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    app = console(store, policy, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_in(pilot, "13800138000")
        await pilot.press("ctrl+b")
        for text in ("预约", "1", "1", "张三", "1", ADULT_ID):
            await type_in(pilot, text)
        log = app.screen.query_one("#chat-log", RichLog)
        # the phone asked for is the caller's number, not "this phone" (issue 15)
        said = "".join(line.text.rstrip() for line in log.lines)  # wrapped words read whole
        assert "来电号码" in said and "本机号码" not in said
        for text in ("1", "1", "没有", "1", "1", "1", "1", "1"):
            await type_in(pilot, text)
        assert any("预约成功" in str(line.text) for line in log.lines)
        # the booking shows on the caller's screen at once
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert [r[0] for r in rows(app, "people")] == ["张三"]
        assert len(rows(app, "bookings")) == 1
    (row,) = store.booking_rows()
    assert (row["actor"], row["channel"]) == (ACTOR, "operator")
    audit = [{k: r[k] for k in ("actor", "channel")} for r in store.audit_rows(action="book")]
    assert audit == [{"actor": ACTOR, "channel": "operator"}]
    # the same account as the caller's own SMS: texting from that phone sees the booking
    resident = store.resident(row["resident_id"])
    assert resident is not None
    assert store.account_for("sms", CALLER, CALLER, clock()) == resident.account_id
    assert row["code"] in Phone(engine, CALLER).say("查询")


@synchronous
async def test_cancel_from_the_actions_is_audited_with_the_operator(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """Declining the confirmation changes nothing; confirming cancels, audited as 王芳."""
    booking = booked(store, clock, person(store, clock))
    app = console(store, policy, clock, "en")
    async with app.run_test(size=(100, 30)) as pilot:
        await type_in(pilot, booking.code)
        app.screen.query_one("#bookings", DataTable).focus()
        await pilot.press("c", "n")
        await pilot.pause()
        declined = store.booking(booking.id)
        assert declined is not None and declined.status == "active"
        assert [r[7] for r in rows(app, "bookings")] == ["active"]
        assert store.audit_rows(action="cancel") == []
        app.screen.query_one("#bookings", DataTable).focus()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert [r[7] for r in rows(app, "bookings")] == ["cancelled"]
    after = store.booking(booking.id)
    assert after is not None and after.status == "cancelled"
    (audit,) = store.audit_rows(action="cancel")
    assert (audit["actor"], audit["channel"]) == (ACTOR, "operator")
    assert after.slot.booked == booking.slot.booked - 1


@synchronous
async def test_noshow_then_lift_the_bar(store: Store, policy: Policy, clock: Clock) -> None:
    elder = person(store, clock)
    booking = booked(store, clock, elder, date(2021, 6, 17))
    tables.update(store, "residents", {"id": elder.id}, noshows=policy.booking.noshow_limit)
    clock.set("2021-06-17T19:00:00+08:00")
    app = console(store, policy, clock, role="supervisor")
    async with app.run_test(size=(100, 30)) as pilot:
        await type_in(pilot, elder.prereg_code)
        app.screen.query_one("#bookings", DataTable).focus()
        await pilot.press("n", "y")
        await pilot.pause()
        barred = store.resident(elder.id)
        assert barred is not None and barred.barred
        await pilot.press("u", "y")
        await pilot.pause()
    after = store.booking(booking.id)
    assert after is not None and after.status == "noshow"
    lifted = store.resident(elder.id)
    assert lifted is not None and not lifted.barred and lifted.noshows == 0
    actions = store.audit_rows(actor=ACTOR)
    assert [a["action"] for a in actions] == ["login", "noshow", "bar", "unbar"]


@synchronous
async def test_roster_import_books_good_rows_and_reports_the_bad_one(
    tmp_path: Path, store: Store, policy: Policy, clock: Clock
) -> None:
    roster = tmp_path / "committee.csv"
    roster.write_text(
        "name,id_number,phone,district\n"
        f"陈伯,{ELDER_ID},13800138000,tianhe\n"
        "坏行,12345,13800138001,tianhe\n"
        f"张三,{ADULT_ID},13800138002,海珠区\n",
        encoding="utf-8",
    )
    app = console(store, policy, clock, "en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await type_in(pilot, str(roster))
        await app.workers.wait_for_complete()
        await pilot.pause()
        results = rows(app, "roster-results")
        assert [(r[0], r[1]) for r in results] == [
            ("2", "booked"),
            ("3", "rejected"),
            ("4", "booked"),
        ]
        assert "ID number" in results[1][7]
        status = app.screen.query_one("#roster-status", Label)
        assert "booked 2" in str(status.render())
        await pilot.press("f6")
        await pilot.pause()
    exported = (tmp_path / "committee-results.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(exported) == 4 and exported[2].startswith("3,rejected")
    bookings = [{k: b[k] for k in ("actor", "channel")} for b in store.booking_rows()]
    assert bookings == [{"actor": ACTOR, "channel": "roster"}] * 2


@synchronous
async def test_followup_outcomes_are_recorded(store: Store, policy: Policy, clock: Clock) -> None:
    elder = person(store, clock)
    callback = store.add_callback("sms", CALLER, elder.account_id, "agent", clock())
    store.add_followup(elder.id, 2, "red", clock())
    app = console(store, policy, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        app.screen.query_one("#callbacks", DataTable).focus()
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("1")  # resolved
        await pilot.pause()
        assert rows(app, "callbacks") == []
        app.screen.query_one("#cases", DataTable).focus()
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("4")  # no answer: stays on the list
        await pilot.pause()
        assert len(rows(app, "cases")) == 1
    cb = store.callback(callback)
    assert cb is not None and (cb["status"], cb["outcome"]) == ("closed", "resolved")
    (case,) = store.followups()
    assert (case["status"], case["outcome"], case["operator"]) == ("open", "no-answer", OPERATOR)
    actors = {r["actor"] for r in store.audit_rows() if r["action"] in ("callback", "followup")}
    assert actors == {ACTOR}


@synchronous
async def test_the_console_works_at_80_by_24_in_both_languages(
    store: Store, policy: Policy, clock: Clock
) -> None:
    booked(store, clock, person(store, clock))
    app = console(store, policy, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "13800138000")
        assert len(rows(app, "bookings")) == 1
        assert app.screen.query_one("#bookings", DataTable).region.height > 0
        await pilot.press("f9")
        await pilot.pause()
        assert app.lang == "en"
        assert rows(app, "bookings")[0][7] == "active"
        for key in ("f2", "f3", "f4", "f1"):
            await pilot.press(key)
            await pilot.pause()
        assert isinstance(app.screen, CallerScreen)
        assert app.screen.query_one("#lookup", Input).placeholder.startswith("phone")


# -- snapshots (pytest-textual-snapshot; `pytest --snapshot-update` after a deliberate change) --

SnapCompare = Callable[..., bool]


def _seeded_app(store: Store, policy: Policy, clock: Clock) -> ConsoleApp:
    elder = person(store, clock)
    booked(store, clock, elder)
    store.add_callback("sms", CALLER, elder.account_id, "agent", clock())
    store.add_followup(elder.id, 2, "yellow", clock())
    return console(store, policy, clock)


def test_snapshot_caller(snap_compare: SnapCompare, store: Store, policy: Policy,
                         clock: Clock) -> None:  # fmt: skip
    app = _seeded_app(store, policy, clock)

    async def look_up(pilot: Pilot[None]) -> None:
        await type_in(pilot, "13800138000")

    assert snap_compare(app, terminal_size=(100, 30), run_before=look_up)


def test_snapshot_caller_80x24_english(snap_compare: SnapCompare, store: Store, policy: Policy,
                                       clock: Clock) -> None:  # fmt: skip
    app = _seeded_app(store, policy, clock)

    async def look_up(pilot: Pilot[None]) -> None:
        await pilot.press("f9")
        await type_in(pilot, "13800138000")

    assert snap_compare(app, terminal_size=(80, 24), run_before=look_up)


@pytest.mark.parametrize("key", ["f2", "f4"], ids=["followups", "dashboard"])
def test_snapshot_screens(snap_compare: SnapCompare, store: Store, policy: Policy, clock: Clock,
                          key: str) -> None:  # fmt: skip
    app = _seeded_app(store, policy, clock)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press(key)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)
