"""One set of booking rules (``flows.rules``): SMS, the operator console and a roster give the
same answer to "may this person book now", case by case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from bot.roster import Outcome, book_row
from flows.identity import check_character
from flows.policy import Policy
from flows.rules import Bar, Mode, bars, may_book, misfit
from flows.schedule import NextDose
from store import Dose, Resident, Store
from tests.conftest import Clock, Phone
from tests.fakes import tables
from tests.test_console import console, rows, synchronous, type_in

PHONE = "+8613800138000"


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


ADULT = id_number("44010619800101123")
CHILD = id_number("44010620100101123")  # 11 in 2021


def register(store: Store, clock: Clock, id_no: str = ADULT, name: str = "张三") -> Resident:
    account = store.account_for("sms", PHONE, PHONE, clock())
    born = date(int(id_no[6:10]), int(id_no[10:12]), int(id_no[12:14]))
    return store.add_resident(
        account_id=account, name=name, id_type="resident_id", id_number=id_no, birth_date=born,
        sex="M", phone=PHONE, district_id="tianhe", now=clock(), actor="self:sms", channel="sms",
    )  # fmt: skip


def _barred(store: Store, clock: Clock, policy: Policy) -> Resident:
    person = register(store, clock)
    tables.update(store, "residents", {"id": person.id}, noshows=3, barred=1)
    return person


def _complete(store: Store, clock: Clock, policy: Policy) -> Resident:
    person = register(store, clock)
    for dose, day in ((1, date(2021, 4, 1)), (2, date(2021, 5, 1))):
        store.add_dose(Dose(person.id, dose, day, "bbibp", None, "import"), clock(), "t", "cli")
    return person


def _already(store: Store, clock: Clock, policy: Policy) -> Resident:
    person = register(store, clock)
    site = store.site_named("Tianhe Sports Centre")
    assert site is not None
    slot = store.open_slots(site.id, date(2021, 6, 18), clock())[0]
    store.book(resident_id=person.id, slot_id=slot.id, dose=1, now=clock(), channel="sms",
               actor="self:sms")  # fmt: skip
    return person


def _too_young(store: Store, clock: Clock, policy: Policy) -> Resident:
    return register(store, clock, CHILD, "小明")


def _campaign(store: Store, clock: Clock, policy: Policy) -> Resident:
    clock.set("2021-06-19T10:00:00+08:00")  # 19-21 June: dose 2 only
    return register(store, clock)


def _allowed(store: Store, clock: Clock, policy: Policy) -> Resident:
    return register(store, clock)


@dataclass(frozen=True)
class Case:
    bar: Bar | None
    setup: Callable[[Store, Clock, Policy], Resident]
    sms: str  # in the SMS reply to 预约
    console: str  # the status the console shows in the people table
    roster: tuple[Outcome, str]  # the roster row's outcome and a word of its reason


CASES = {
    "barred": Case(Bar.BARRED, _barred, "爽约已超过", "已限制（爽约3次）",
                   (Outcome.REJECTED, "barred")),
    "complete": Case(Bar.COMPLETE, _complete, "已完成全部接种", "已全部接种",
                     (Outcome.SKIPPED, "doses on record")),
    "already": Case(Bar.ALREADY, _already, "已有第1剂预约", "已约第1剂",
                    (Outcome.SKIPPED, "already booked")),
    "too_young": Case(Bar.TOO_YOUNG, _too_young, "未满18周岁", "未满18岁",
                      (Outcome.REJECTED, "under 18")),
    "campaign": Case(Bar.CAMPAIGN, _campaign, "仅限第2剂", "优先时段，暂不可约",
                     (Outcome.REJECTED, "priority campaign")),
    "allowed": Case(None, _allowed, "有以下情况吗", "可预约第1剂", (Outcome.BOOKED, "")),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
@synchronous
async def test_sms_console_and_roster_agree(
    name: str, store: Store, policy: Policy, clock: Clock, phone: Phone
) -> None:
    case = CASES[name]
    person = store.resident(case.setup(store, clock, policy).id)
    assert person is not None
    for mode in Mode:
        decision = may_book(policy, person, store.doses_of(person.id),
                            store.active_bookings(person.id), clock(), mode)  # fmt: skip
        assert decision.bar is case.bar, mode
    # the console (an operator looking the caller up)
    app = console(store, policy, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await type_in(pilot, PHONE)
        assert [r[4] for r in rows(app, "people")] == [case.console]
    # SMS (the resident themself)
    assert case.sms in phone.say("预约")
    # a roster naming the person
    values = {"name": person.name, "id_number": person.id_number, "phone": PHONE,
              "district": "tianhe"}  # fmt: skip
    result = book_row(store, policy, 2, values, clock(), "operator:王芳")
    assert result.outcome is case.roster[0]
    assert case.roster[1] in result.reason


def test_the_no_show_bar_is_the_third(policy: Policy) -> None:
    limit = policy.booking.noshow_limit
    assert limit == 2
    assert [bars(n, policy) for n in range(4)] == [False, False, False, True]


def test_maintenance_hours_bar_self_service_and_operators_but_not_rosters(
    store: Store, clock: Clock, policy: Policy
) -> None:
    person = register(store, clock)
    night = clock().replace(hour=21)
    found = {
        mode: may_book(policy, person, [], [], night, mode).bar for mode in Mode
    }  # fmt: skip
    assert found == {Mode.SELF: Bar.MAINTENANCE, Mode.OPERATOR: Bar.MAINTENANCE,
                     Mode.ROSTER: None}  # fmt: skip


def test_a_slot_must_fit_the_dose(store: Store, clock: Clock, policy: Policy) -> None:
    person = register(store, clock)
    dose = NextDose(2, ("bbibp",), earliest=date(2021, 6, 20))
    assert misfit(policy, person, dose, "coronavac", date(2021, 6, 21)) == "product"
    assert misfit(policy, person, dose, "bbibp", date(2021, 6, 19)) == "early"
    assert misfit(policy, person, dose, "bbibp", date(2021, 6, 20)) is None
    child = register(store, clock, CHILD, "小明")
    first = NextDose(1, None)
    assert misfit(policy, child, first, "bbibp", date(2021, 6, 20)) == "too_young"
    assert misfit(policy, child, first, "bbibp", date(2028, 1, 1) + timedelta(days=1)) is None
