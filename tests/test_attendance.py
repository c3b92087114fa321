"""Spec for attendance, the end-of-day no-show job and the bar (bot/attendance.py, DESIGN.md §1
"Cancellation, no-shows").

``vaxbot attendance mark`` records the dose of each booking marked attended, so the person's next
booking is for the next dose; ``vaxbot noshow run`` marks the bookings nobody came to; the third
no-show (more than ``noshow_limit`` = 2) bars the person from self-service booking, which the
engine turns into the hotline message; ``vaxbot residents unbar`` lifts it. The CLI runs
in-process, its clock set with ``VAXBOT_NOW``; the engine's clock is the ``clock`` fixture; both are
moved together over several days. The ``store`` is the demo seeded for 2021-06-17..23.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.attendance import NOSHOW_ACTOR, operator_actor
from bot.cli import main
from bot.demo import seed_demo
from bot.engine import Engine
from flows.policy import Policy
from store import Dose, Resident, Screening, Store
from tests.attendance_support import (
    FAMILY_ID,
    ID_NUMBER,
    PHONE,
    TIANHE_SPORTS,
    Cli,
    audit_rows,
    book,
    booked_count,
    register,
    slot_id,
    status_of,
)
from tests.conftest import NOW, Clock, Phone
from tests.fakes import tables

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
def resident(store: Store, clock: Clock) -> Resident:
    """张三, registered by SMS from ``PHONE``."""
    return register(store, clock.now)


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(db_url, monkeypatch, capsys)


# -- attendance ---------------------------------------------------------------------------------


def test_attending_records_the_dose_and_the_next_booking_is_dose_2(
    store: Store, resident: Resident, clock: Clock, engine: Engine, policy: Policy, cli: Cli
) -> None:
    # screened here for dose 1 (every question answered "no"), as the booking flow records it
    answers = dict.fromkeys(("allergy", "illness"), False)
    store.add_screening(Screening(resident.id, NOW, "v1", 1, answers, "eligible", None))
    booking = book(store, resident, clock, "2021-06-17")  # today 10:00-12:00, booked at 09:00
    places = booked_count(store, booking.slot.id)

    status, out, err = cli("2021-06-17T10:30", "attendance", "mark", booking.code.lower(),
                           "--operator", "王护士")  # fmt: skip

    assert (status, err) == (0, "")
    assert out == [
        f"{booking.code}: attended — dose 1 recorded "
        "(coronavac, 2021-06-17 10:00-12:00 at 天河体育中心接种点)"
    ]
    assert store.doses_of(resident.id) == [
        Dose(resident.id, 1, date(2021, 6, 17), "coronavac", TIANHE_SPORTS, "booking")
    ]
    after = store.booking(booking.id)
    assert after is not None and after.status == "attended"
    assert booked_count(store, booking.slot.id) == places  # the place was used, not freed
    assert store.active_bookings(resident.id) == []

    # Three weeks later (coronavac: 21 days at least) the same phone books again: dose 2,
    # screened with the dose-2 questions only, at the site of dose 1.
    clock.set("2021-07-08T09:00")
    seed_demo(store, policy, date(2021, 7, 8), 7, clock.now)
    phone = Phone(engine, PHONE)
    asked = phone.say("预约")  # dose 1 asked about allergies too; dose 2 does not
    assert "发热" in asked and "风险" in asked and "过敏" not in asked
    where = phone.say("没有")
    assert "第2剂须用同一厂家疫苗" in where
    first_day = phone.send("1")[-1].options[0].label  # the site of dose 1
    assert first_day.startswith("7月8日")  # 21 days after dose 1
    phone.say("1")  # 7月8日
    assert "第2剂" in phone.say("1")  # the first period; the confirmation
    done = phone.say("1")
    assert "预约成功" in done and "第2剂" in done
    (dose2,) = store.active_bookings(resident.id)
    assert (dose2.dose, dose2.site.id, dose2.slot.product_id) == (2, TIANHE_SPORTS, "coronavac")
    assert dose2.slot.day == date(2021, 7, 8)


def test_cancelled_unknown_future_and_repeated_codes_are_refused(
    store: Store, resident: Resident, clock: Clock, cli: Cli
) -> None:
    other = register(store, clock.now, FAMILY_ID, "李芳", "+8613900139000")
    tomorrow = book(store, resident, clock, "2021-06-18")
    today = book(store, other, clock, "2021-06-17")
    cancelled = book(store, other, clock, "2021-06-17", dose=2)  # a second, cancelled one
    store.cancel(cancelled.id, now=clock.now, actor="self:sms", channel="sms")

    codes = [tomorrow.code, "B9999999", cancelled.code, today.code, today.code, "R0000001"]
    status, out, _ = cli("2021-06-17T11:00", "attendance", "mark", *codes, "--operator", "张护士")

    assert status == 1  # some were refused; the good one is marked all the same
    assert out == [
        f"{tomorrow.code}: not attended: the appointment is on 2021-06-18 10:00-12:00, "
        "after today (2021-06-17)",
        "B9999999: not found",
        f"{cancelled.code}: already cancelled",
        f"{today.code}: attended — dose 1 recorded "
        "(coronavac, 2021-06-17 10:00-12:00 at 天河体育中心接种点)",
        f"{today.code}: already attended",
        "R0000001: not found (a pre-registration code? give the booking code B…)",
    ]
    assert store.doses_of(resident.id) == []
    assert [d.dose for d in store.doses_of(other.id)] == [1]
    still = store.booking(tomorrow.id)
    assert still is not None and still.status == "active"

    # The next day it can be marked.
    status, out, _ = cli(
        "2021-06-18T08:05", "attendance", "mark", tomorrow.code, "--operator", "张护士"
    )
    assert status == 0 and out[0].startswith(f"{tomorrow.code}: attended — dose 1 recorded")


def test_attendance_entered_after_the_noshow_job_corrects_the_noshow(
    store: Store, resident: Resident, clock: Clock, cli: Cli
) -> None:
    bookings = [book(store, resident, clock, "2021-06-17")]
    tables.update(store, "residents", {"id": resident.id}, noshows=2)
    assert cli("2021-06-17T23:30", "noshow", "run")[0] == 0
    barred = store.resident(resident.id)
    assert barred is not None and barred.barred and barred.noshows == 3

    status, out, _ = cli(
        "2021-06-18T09:00", "attendance", "mark", bookings[0].code, "--operator", "张护士"
    )

    assert status == 0 and "attended" in out[0]
    assert [d.dose for d in store.doses_of(resident.id)] == [1]
    after = store.resident(resident.id)
    assert after is not None and after.noshows == 2 and not after.barred
    [row] = audit_rows(store, "attend", bookings[0].id)
    assert row["before"] == {"status": "noshow"}


def test_a_dose_already_on_record_is_not_recorded_twice(
    store: Store, resident: Resident, clock: Clock, cli: Cli
) -> None:
    booking = book(store, resident, clock, "2021-06-17")
    imported = Dose(resident.id, 1, date(2021, 6, 1), "coronavac", None, "import")
    store.add_dose(imported, clock.now, "import:doses.csv", "cli")

    status, out, _ = cli(
        "2021-06-17T11:00", "attendance", "mark", booking.code, "--operator", "张护士"
    )

    assert status == 1
    assert out == [
        f"{booking.code}: not attended: dose 1 is already on record for this person "
        "(imported?): cancel this booking instead"
    ]
    assert store.doses_of(resident.id) == [imported]
    after = store.booking(booking.id)
    assert after is not None and after.status == "active"  # rolled back whole
    assert audit_rows(store, "attend", booking.id) == []


def test_usage_errors_exit_2(store: Store, tmp_path: Path, cli: Cli) -> None:
    status, out, err = cli(NOW, "attendance", "mark", "B0000001", "--operator", "  ")
    assert (status, out) == (2, [])
    assert err == "vaxbot attendance mark: --operator: give the operator's name\n"
    assert cli(NOW, "attendance", "mark")[0] == 2  # no code
    assert cli(NOW, "residents", "unbar", ID_NUMBER)[0] == 2  # --operator is required
    for args in (["attendance", "mark", "B0000001", "--operator", "王"], ["noshow", "run"],
                 ["residents", "unbar", ID_NUMBER, "--operator", "王"]):  # fmt: skip
        missing = str(tmp_path / "missing.db")
        assert main([*args, "--db", missing]) == 2
        assert not Path(missing).exists()


def test_operator_names_in_the_audit() -> None:
    assert operator_actor(" 王  护士 ") == "operator:王 护士"
    assert operator_actor("cli") == "operator:cli"


# -- no-shows and the bar -------------------------------------------------------------------------


def test_the_third_no_show_over_several_days_bars_the_person_on_every_entry(
    store: Store, resident: Resident, clock: Clock, engine: Engine, cli: Cli
) -> None:
    phone = Phone(engine, PHONE)

    def missed(day: str) -> list[str]:
        """Booked that morning for 10:00-12:00, not attended; the job runs at 23:30."""
        clock.set(f"{day}T09:00")
        book(store, resident, clock, day)
        status, out, err = cli(f"{day}T23:30", "noshow", "run")
        assert (status, err) == (0, "")
        return out

    assert missed("2021-06-17") == [
        "marked 1 booking(s) as no-shows (appointments over by 2021-06-17 23:30)",
        "barred 0 person(s) from self-service booking (more than 2 no-shows)",
    ]
    again = cli("2021-06-17T23:45", "noshow", "run")[1]  # idempotent
    assert again[0].startswith("marked 0 booking(s)")
    now = store.resident(resident.id)
    assert now is not None and (now.noshows, now.barred) == (1, False)
    clock.set("2021-06-18T08:30")
    assert "热线" not in phone.say("预约")  # still books: screening starts

    assert missed("2021-06-18")[1].startswith("barred 0 person(s)")
    now = store.resident(resident.id)
    assert now is not None and (now.noshows, now.barred) == (2, False)
    assert cli("2021-06-20T23:30", "noshow", "run")[1][0].startswith("marked 0")  # a quiet day
    clock.set("2021-06-22T08:30")
    assert "热线" not in phone.say("预约")

    out = missed("2021-06-22")
    assert out == [
        "marked 1 booking(s) as no-shows (appointments over by 2021-06-22 23:30)",
        "barred 1 person(s) from self-service booking (more than 2 no-shows)",
        f"  {resident.prereg_code} phone 138****8000: 3 no-shows",
    ]
    now = store.resident(resident.id)
    assert now is not None and (now.noshows, now.barred) == (3, True)
    assert [b.status for b in store.bookings_of(resident.id)] == ["noshow"] * 3
    assert audit_rows(store, "bar", resident.id) == [
        {"actor": NOSHOW_ACTOR, "channel": "system", "entity": "resident",
         "before": {"barred": False, "noshows": 2}, "after": {"barred": True, "noshows": 3}},
    ]  # fmt: skip

    # Every way into booking on this account ends at the hotline.
    clock.set("2021-06-23T09:00")
    barred = "张三爽约已超过2次，不能自助预约。请致电热线或联系所在居委会。"
    # (the booking begun yesterday, left unfinished, has ended: said first)
    assert phone.say("预约") == "上次未完成的操作已超时结束。\n" + barred
    phone.say("菜单")
    assert phone.say("1") == barred  # the menu's "book"
    phone.say("English")
    assert "Please call the hotline" in phone.say("book")
    assert store.active_bookings(resident.id) == []


def test_the_bar_is_on_the_person_not_the_phone(
    store: Store, resident: Resident, clock: Clock, engine: Engine, cli: Cli
) -> None:
    mother = register(store, clock.now, FAMILY_ID, "李芳", relation="other")  # same phone
    bar(store, resident, clock, cli)
    clock.set("2021-06-23T09:00")
    phone = Phone(engine, PHONE)
    assert "为谁预约" in phone.say("预约")
    assert "热线" in phone.say("张三")
    assert "为谁预约" in phone.say("预约")
    screening = phone.say("李芳")  # her mother, on the same phone, is not barred
    assert "李芳" in screening and "热线" not in screening
    unbarred = store.resident(mother.id)
    assert unbarred is not None and (unbarred.noshows, unbarred.barred) == (0, False)


def test_another_channel_cannot_reach_the_barred_person(
    store: Store, resident: Resident, clock: Clock, engine: Engine, cli: Cli
) -> None:
    """Accounts are per (channel, address), joined by phone only for SMS: an operator console
    conversation at the same address is a new, empty account, and registering the barred person
    there again is refused (the ID is taken), so the bar cannot be dodged that way. Booking for an
    existing person from another channel is not possible yet (see the report on this module)."""
    bar(store, resident, clock, cli)
    console = Phone(engine, PHONE, channel="operator")
    console.say("预约")  # nobody on this account: pre-registration first
    console.run("1", "1", "张三", "1")
    assert "不能在此登记" in console.say(ID_NUMBER)  # (saying nothing of who holds it)
    operator_account = store.account_for("operator", PHONE, None, clock.now)
    assert operator_account != resident.account_id
    assert store.residents_of(operator_account) == []
    assert store.active_bookings(resident.id) == []


def test_the_no_show_job_leaves_attended_cancelled_and_unfinished_bookings(
    store: Store, resident: Resident, clock: Clock, cli: Cli
) -> None:
    clock.set("2021-06-17T07:30")  # before the first period
    people = [resident] + [
        register(store, clock.now, number, f"测试{n}", f"+86139001390{n:02d}")
        for n, number in enumerate(["440106198001010019", "440106198001020014",
                                    "44010619800103001X", "440106198001040015"])
    ]  # fmt: skip
    came = book(store, people[0], clock, "2021-06-17", "08:00")
    cancelled = book(store, people[1], clock, "2021-06-17", "10:00")
    evening = book(store, people[2], clock, "2021-06-17", "18:30")  # ends 20:30
    tomorrow = book(store, people[3], clock, "2021-06-18", "08:00")
    missed = book(store, people[4], clock, "2021-06-17", "10:00")
    assert cli("2021-06-17T10:00", "attendance", "mark", came.code, "--operator", "张护士")[0] == 0
    store.cancel(cancelled.id, now=clock.now, actor="self:sms", channel="sms")

    status, out, _ = cli("2021-06-17T20:00", "noshow", "run")  # the evening period still runs
    assert status == 0 and out[0].startswith("marked 1 booking(s)")
    statuses = [status_of(store, b) for b in (came, cancelled, evening, tomorrow, missed)]
    assert statuses == ["attended", "cancelled", "active", "active", "noshow"]
    assert cli("2021-06-17T20:30", "noshow", "run")[1][0].startswith("marked 1 booking(s)")
    assert status_of(store, evening) == "noshow"
    assert status_of(store, tomorrow) == "active"
    now = [store.resident(p.id) for p in people]
    assert [(p.noshows, p.barred) for p in now if p is not None] == [
        (0, False), (0, False), (1, False), (0, False), (1, False),
    ]  # fmt: skip


def test_the_limit_comes_from_the_policy(
    store: Store, resident: Resident, clock: Clock, cli: Cli, tmp_path: Path
) -> None:
    config = tmp_path / "strict.toml"
    config.write_text("[booking]\nnoshow_limit = 0\n", "utf-8")
    book(store, resident, clock, "2021-06-17")
    status, out, _ = cli("2021-06-17T23:30", "noshow", "run", "--config", str(config))
    assert status == 0
    assert out[1:] == [
        "barred 1 person(s) from self-service booking (more than 0 no-shows)",
        f"  {resident.prereg_code} phone 138****8000: 1 no-shows",
    ]


# -- unbarring ----------------------------------------------------------------------------------


def bar(store: Store, resident: Resident, clock: Clock, cli: Cli) -> None:
    """Three missed appointments on three days, as the job sees them."""
    for day in ("2021-06-17", "2021-06-18", "2021-06-22"):
        clock.set(f"{day}T09:00")
        book(store, resident, clock, day)
        assert cli(f"{day}T23:30", "noshow", "run")[0] == 0
    barred = store.resident(resident.id)
    assert barred is not None and barred.barred


def test_unbar_lifts_the_bar_and_booking_works_again(
    store: Store, resident: Resident, clock: Clock, engine: Engine, cli: Cli
) -> None:
    bar(store, resident, clock, cli)
    clock.set("2021-06-23T09:00")
    phone = Phone(engine, PHONE)
    assert "热线" in phone.say("预约")

    status, out, err = cli("2021-06-23T09:05", "residents", "unbar", "４４０１０６ 1990 0101 1235",
                           "--operator", "李主任")  # fmt: skip
    assert (status, err) == (0, "")
    assert out == [
        f"unbarred {resident.prereg_code} (4401**********1235, phone 138****8000): "
        "3 no-show(s) cleared; self-service booking is open again"
    ]
    now = store.resident(resident.id)
    assert now is not None and (now.noshows, now.barred) == (0, False)
    assert audit_rows(store, "unbar", resident.id) == [
        {
            "actor": "operator:李主任",
            "channel": "cli",
            "entity": "resident",
            "before": {"barred": True, "noshows": 3},
            "after": {"barred": False, "noshows": 0},
        }
    ]

    replies = [phone.say(text) for text in ("预约", "没有", "1", "1",
                                            "6月23日", "1", "1")]  # fmt: skip
    assert "热线" not in replies[0]
    assert "预约成功" in replies[-1]
    (booking,) = store.active_bookings(resident.id)
    assert booking.slot.day == date(2021, 6, 23)
    assert [(row["actor"], row["channel"]) for row in audit_rows(store, "book", booking.id)] == [
        ("self:sms", "sms")
    ]

    # Unbarring again: nothing to do.
    status, out, err = cli("2021-06-23T09:10", "residents", "unbar", resident.prereg_code,
                           "--operator", "李主任")  # fmt: skip
    assert (status, out) == (1, [])
    assert err == (
        f"vaxbot residents unbar: {resident.prereg_code} (4401**********1235, phone "
        "138****8000) is not barred (0 no-show(s)): nothing to do\n"
    )
    assert len(audit_rows(store, "unbar", resident.id)) == 1


def test_unbar_by_pre_registration_code_and_unknown_people(
    store: Store, resident: Resident, clock: Clock, cli: Cli
) -> None:
    bar(store, resident, clock, cli)
    status, out, _ = cli("2021-06-23T09:00", "residents", "unbar", resident.prereg_code.lower(),
                         "--operator", "王")  # fmt: skip
    assert status == 0 and out[0].startswith(f"unbarred {resident.prereg_code} ")
    now = store.resident(resident.id)
    assert now is not None and not now.barred

    for who, shown in (("R9999999", "R9999999"), ("440106198001010012", "4401**********0012")):
        status, out, err = cli("2021-06-23T09:00", "residents", "unbar", who, "--operator", "王")
        assert (status, out) == (1, [])
        assert err == (
            f"vaxbot residents unbar: no resident with ID number or pre-registration code {shown}\n"
        )


# -- the audit trail ------------------------------------------------------------------------------


def test_every_state_change_is_audited_with_actor_channel_before_and_after(
    store: Store, resident: Resident, clock: Clock, cli: Cli
) -> None:
    first = book(store, resident, clock, "2021-06-18")
    moved = store.reschedule(first.id, slot_id(store, "2021-06-17", "10:00"), now=clock.now,
                             actor="operator:李", channel="operator")  # fmt: skip
    assert cli("2021-06-17T11:00", "attendance", "mark", first.code, "--operator", "王")[0] == 0
    second = book(store, resident, clock, "2021-06-22", dose=2)
    store.cancel(second.id, now=clock.now, actor="self:sms", channel="sms")
    third = book(store, resident, clock, "2021-06-23", dose=2)
    assert cli("2021-06-23T23:30", "noshow", "run")[0] == 0

    assert audit_rows(store, "book", first.id) == [
        {"actor": "self:sms", "channel": "sms", "entity": "booking", "before": None,
         "after": {"resident_id": resident.id, "slot_id": first.slot.id, "dose": 1,
                   "status": "active"}},
    ]  # fmt: skip
    assert audit_rows(store, "reschedule", first.id) == [
        {"actor": "operator:李", "channel": "operator", "entity": "booking",
         "before": {"slot_id": first.slot.id}, "after": {"slot_id": moved.slot.id}},
    ]  # fmt: skip
    assert audit_rows(store, "attend", first.id) == [
        {"actor": "operator:王", "channel": "cli", "entity": "booking",
         "before": {"status": "active"}, "after": {"status": "attended"}},
    ]  # fmt: skip
    assert audit_rows(store, "dose", resident.id) == [
        {"actor": "operator:王", "channel": "cli", "entity": "resident", "before": None,
         "after": {"dose": 1, "day": "2021-06-17", "product_id": "coronavac",
                   "site_id": TIANHE_SPORTS, "source": "booking"}},
    ]  # fmt: skip
    assert audit_rows(store, "cancel", second.id) == [
        {"actor": "self:sms", "channel": "sms", "entity": "booking",
         "before": {"status": "active"}, "after": {"status": "cancelled"}},
    ]  # fmt: skip
    assert audit_rows(store, "noshow", third.id) == [
        {"actor": NOSHOW_ACTOR, "channel": "system", "entity": "booking",
         "before": {"status": "active"}, "after": {"status": "noshow"}},
    ]  # fmt: skip
    assert audit_rows(store, "noshow", second.id) == []  # cancelled: not a no-show
