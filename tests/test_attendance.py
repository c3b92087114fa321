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
from store import Dose, Resident, Store
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
