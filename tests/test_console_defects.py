"""The defects a new hotline operator hit (issue 15), each driven through the console with
Pilot at 80×24 and 120×40, and the key screens as SVG snapshots."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, RichLog
from textual.widgets._footer import FooterKey

from channels.console.app import ConsoleApp
from channels.console.caller import CallerScreen
from channels.console.places import Places
from flows.policy import Policy
from store import Store
from tests.conftest import Clock
from tests.test_console import (
    ADULT_ID,
    CALLER,
    ELDER_ID,
    booked,
    console,
    person,
    rows,
    synchronous,
    type_in,
)

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


def chat_text(app: ConsoleApp) -> str:
    log = app.screen.query_one("#chat-log", RichLog)
    return "\n".join(line.text for line in log.lines)


def chat_flat(app: ConsoleApp) -> str:
    """The chat as one string, lines joined without a break (wrapped words read whole)."""
    log = app.screen.query_one("#chat-log", RichLog)
    return "".join(line.text.rstrip() for line in log.lines)


async def book_tab(pilot: Pilot[None], phone: str = "13800138000") -> None:
    await type_in(pilot, phone)
    await pilot.press("ctrl+b")
    await pilot.pause()


@SIZES
@synchronous
async def test_a_registered_caller_is_booked_in_8_entries_with_nothing_cropped(
    store: Store, policy: Policy, clock: Clock, size: tuple[int, int]
) -> None:
    person(store, clock, "张三", ADULT_ID)
    app = console(store, policy, clock)
    entries = 0
    async with app.run_test(size=size) as pilot:
        await book_tab(pilot)  # the phone, then Ctrl+B: booking starts at once
        entries += 2
        for answer in ("没有", "1", "1", "2", "1", "1"):  # health, district, site, day, period, ok
            await type_in(pilot, answer)
            entries += 1
        assert "预约成功" in chat_text(app)
        flat = chat_flat(app)
        log = app.screen.query_one("#chat-log", RichLog)
        assert all(len(line.text.rstrip()) <= log.size.width for line in log.lines)
        assert "科兴新冠灭活疫苗" in flat  # the vaccine, whole, in the confirmation
        assert "请带预约所用证件，接种后留观30分钟。" in flat  # what to bring, whole
        await pilot.press("ctrl+f")
        await pilot.pause()
        (booking,) = rows(app, "bookings")
        assert booking[5] == "科兴新冠灭活疫苗"
    assert entries <= 8
    (row,) = store.booking_rows()
    assert row["actor"] == "operator:王芳"


@synchronous
async def test_a_new_caller_is_told_the_words_that_register(
    store: Store, policy: Policy, clock: Clock
) -> None:
    app = console(store, policy, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "13900139000")
        info = str(app.screen.query_one("#caller-info", Label).render())
        assert "登记" in info and "注册" not in info
        await pilot.press("ctrl+b")
        await pilot.pause()
        await type_in(pilot, "登记")
        assert "没看懂" not in chat_text(app)
        assert "预登记须知" in chat_text(app)  # the notice comes first


# The operator is offered the caller's number, not "this phone": checked on the way in
# tests/test_console.py::test_booking_on_behalf_runs_the_engine_as_the_operator (same entries).


@synchronous
async def test_the_companion_is_asked_as_soon_as_a_70_plus_caller_is_chosen(
    store: Store, policy: Policy, clock: Clock
) -> None:
    person(store, clock)  # 陈伯, born 1950
    app = console(store, policy, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await book_tab(pilot)
        await type_in(pilot, "没有")
        assert chat_text(app).rstrip().splitlines()[-1].startswith("陈伯")
        assert "陪同" in chat_text(app).split("> 没有")[1]
        for text in ("李四", "13900139000", "1", "1", "2", "1", "1"):
            await type_in(pilot, text)
        assert "预约成功" in chat_text(app)
        await pilot.press("ctrl+f")
        await pilot.pause()
        (booking,) = rows(app, "bookings")
        assert booking[6] == "李四 139****9000"  # the companion, on the booking


@SIZES
@synchronous
async def test_pickers_follow_the_chat_find_near_and_book(
    store: Store, policy: Policy, clock: Clock, size: tuple[int, int]
) -> None:
    person(store, clock, "张三", ADULT_ID)
    app = console(store, policy, clock)
    async with app.run_test(size=size) as pilot:
        await book_tab(pilot)
        await type_in(pilot, "没有")
        await type_in(pilot, "2")  # 白云区
        places = app.screen.query_one("#places", Places)
        assert places.district == "baiyun"
        # "near 天河路": the site on that street, in its district
        assert places.near("天河路")
        site = store.site(places.site_id or 0)
        assert site is not None and site.name_en == "Tianhe Sports Centre"
        assert places.near("海珠") and places.district == "haizhu"
        assert not places.near("火星")
        places.near("天河路")
        await pilot.pause()
        # Enter on a period books it through the chat
        slots = app.screen.query_one("#pick-slots")
        slots.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        picked = store.slot(places.slot_id or 0)
        assert "请确认" in chat_text(app).split("> 天河体育中心")[-1]
        app.screen.query_one("#chat-input").focus()
        await type_in(pilot, "1")
        assert "预约成功" in chat_text(app)
    (row,) = store.booking_rows()
    assert picked is not None and row["slot_id"] == picked.id


# Search by any part of a phone, an ID or a name: in
# tests/test_console.py::test_lookup_shows_the_callers_people_and_bookings (one console).


@SIZES
@synchronous
async def test_no_internal_codes_and_a_whole_footer(
    store: Store, policy: Policy, clock: Clock, size: tuple[int, int]
) -> None:
    elder = person(store, clock)
    booked(store, clock, elder)
    store.add_callback("sms", CALLER, elder.account_id, "agent", clock())
    app = console(store, policy, clock)
    async with app.run_test(size=size) as pilot:
        await book_tab(pilot)
        await type_in(pilot, "取消")
        await type_in(pilot, "2")  # kept
        await pilot.press("ctrl+f")
        await pilot.pause()
        caller = app.screen
        assert isinstance(caller, CallerScreen)
        shown = " ".join(
            [str(caller.query_one("#caller-info", Label).render()),
             str(caller.query_one("#person-detail", Label).render())]
            + [str(cell) for table in ("people", "bookings", "history")
               for row in rows(app, table) for cell in row]
        )  # fmt: skip
        for code in ("assess", "book booking", "agent", "people", "self:", "operator:"):
            assert code not in shown, code
        assert "1 人" in shown
        for key in caller.query(FooterKey):  # every key of the footer on screen, whole
            assert key.region.width > 0 and key.region.right <= size[0], key.description
        await pilot.press("f2")
        await pilot.pause()
        reasons = [row[2] for row in rows(app, "callbacks")]
        assert reasons == ["要求人工服务"]


@synchronous
async def test_the_operator_taking_a_call_back_sees_the_whole_number_audited(
    store: Store, policy: Policy, clock: Clock
) -> None:
    elder = person(store, clock)
    callback = store.add_callback("sms", CALLER, elder.account_id, "agent", clock())
    app = console(store, policy, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert rows(app, "callbacks")[0][1] == "138****8000"  # masked on the list
        app.screen.query_one("#callbacks").focus()
        await pilot.press("o")
        await pilot.pause()
        shown = " ".join(str(label.render()) for label in app.screen.query(Label))
        assert "请拨打 138 0013 8000" in shown
    (reveal,) = store.audit_rows(action="reveal")
    assert (reveal["actor"], reveal["entity"], reveal["entity_id"]) == (
        "operator:王芳", "callback", str(callback),
    )  # fmt: skip
    assert "call-back" in (reveal["after"] or "")


@synchronous
async def test_caller_id_opens_the_callers_record(
    store: Store, policy: Policy, clock: Clock
) -> None:
    elder = person(store, clock)
    plain = console(store, policy, clock)
    app = ConsoleApp(store, policy, clock, plain.ctx.session, "zh", caller="+86 138 0013 8000")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert [r[0] for r in rows(app, "people")] == [elder.name]


# -- snapshots (pytest-textual-snapshot; `pytest --snapshot-update` after a deliberate change) --

SnapCompare = Callable[..., bool]


@SIZES
def test_snapshot_booking_on_behalf(snap_compare: SnapCompare, store: Store, policy: Policy,
                                    clock: Clock, size: tuple[int, int]) -> None:  # fmt: skip
    person(store, clock)
    app = console(store, policy, clock)

    async def book(pilot: Pilot[None]) -> None:
        await book_tab(pilot)
        for text in ("没有", "李四", "13900139000", "1", "1", "2", "1"):
            await type_in(pilot, text)
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False  # a blinking cursor is not the same twice
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=book)


@SIZES
def test_snapshot_login(snap_compare: SnapCompare, store: Store, policy: Policy,
                        clock: Clock, size: tuple[int, int]) -> None:  # fmt: skip
    app = ConsoleApp(store, policy, clock, None, "zh")

    async def steady_cursor(pilot: Pilot[None]) -> None:
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False  # shown, as when stored: a blinking one differs under load
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=steady_cursor)


@pytest.mark.parametrize("role", ["supervisor", "operator"])
@synchronous
async def test_a_supervisor_sees_a_full_id_with_a_reason(
    store: Store, policy: Policy, clock: Clock, role: str
) -> None:
    elder = person(store, clock)
    app = console(store, policy, clock, role=role)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "13800138000")
        await pilot.press("v")
        await pilot.pause()
        if role == "supervisor":
            await type_in(pilot, "核对身份：来电者要求")
        detail = str(app.screen.query_one("#person-detail", Label).render())
    reveals = store.audit_rows(action="reveal")
    if role == "supervisor":
        assert ELDER_ID in detail and CALLER in detail
        (reveal,) = reveals
        assert (reveal["actor"], reveal["entity_id"]) == ("operator:王芳", str(elder.id))
        assert "核对身份" in (reveal["after"] or "")
    else:
        assert ELDER_ID not in detail and reveals == []
