"""Booking rules at their boundaries: intervals, windows, release, campaigns, holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from flows.holidays import holidays_between, is_public_holiday
from flows.policy import Policy
from flows.schedule import (
    Complete,
    NextDose,
    Timing,
    Window,
    admitted,
    campaign_now,
    last_released_day,
    next_dose,
    timing,
    window,
)
from store import Dose, SlotFilter, Store
from tests.conftest import Phone
from tests.fakes import tables

DOSE1 = date(2021, 5, 1)


def dose(n: int, day: date, product: str) -> Dose:
    return Dose(1, n, day, product, 1, "test")


def after(days: int) -> date:
    return DOSE1 + timedelta(days=days)


@pytest.mark.parametrize("product", ["coronavac", "bbibp"])
@pytest.mark.parametrize(
    ("days", "expected"),
    [(20, Timing.EARLY), (21, Timing.ON_TIME), (56, Timing.ON_TIME), (57, Timing.OVERDUE)],
)
def test_two_dose_products_day_21_to_56(
    policy: Policy, product: str, days: int, expected: Timing
) -> None:
    nxt = next_dose([dose(1, DOSE1, product)], policy)
    assert isinstance(nxt, NextDose) and nxt.number == 2
    assert timing(nxt, after(days)) is expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [(27, Timing.EARLY), (28, Timing.ON_TIME), (90, Timing.ON_TIME), (91, Timing.OVERDUE)],
)
def test_three_dose_product_second_dose(policy: Policy, days: int, expected: Timing) -> None:
    nxt = next_dose([dose(1, DOSE1, "zf2001")], policy)
    assert isinstance(nxt, NextDose)
    assert timing(nxt, after(days)) is expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [(27, Timing.EARLY), (28, Timing.ON_TIME), (150, Timing.ON_TIME), (151, Timing.OVERDUE)],
)
def test_three_dose_product_third_dose(policy: Policy, days: int, expected: Timing) -> None:
    second = after(30)
    nxt = next_dose([dose(1, DOSE1, "zf2001"), dose(2, second, "zf2001")], policy)
    assert isinstance(nxt, NextDose) and nxt.number == 3
    assert timing(nxt, second + timedelta(days=days)) is expected


def test_one_dose_product_is_complete_after_one(policy: Policy) -> None:
    assert next_dose([dose(1, DOSE1, "ad5")], policy) == Complete(1)


def test_two_dose_product_is_complete_after_two(policy: Policy) -> None:
    assert next_dose([dose(1, DOSE1, "bbibp"), dose(2, after(21), "bbibp")], policy) == Complete(2)


def test_first_dose_has_no_limits(policy: Policy) -> None:
    assert next_dose([], policy) == NextDose(1, None)


def test_later_doses_are_limited_to_the_first_doses_manufacturer(policy: Policy) -> None:
    nxt = next_dose([dose(1, DOSE1, "coronavac")], policy)
    assert isinstance(nxt, NextDose) and nxt.products == ("coronavac",)


def test_a_schedule_is_data_a_new_product_works_from_the_policy_alone(policy: Policy) -> None:
    four = policy.model_copy(
        update={
            "products": {
                **policy.products,
                "quad": policy.products["zf2001"].model_copy(
                    update={"doses": 4, "intervals": policy.products["zf2001"].intervals * 2}
                ),
            }
        }
    )
    history = [dose(1, DOSE1, "quad"), dose(2, after(30), "quad"), dose(3, after(60), "quad")]
    nxt = next_dose(history, four)
    assert isinstance(nxt, NextDose) and nxt.number == 4
    assert nxt.products == ("zf2001", "quad")  # same manufacturer


def at(clock: str) -> datetime:
    return datetime.fromisoformat(f"2021-06-17T{clock}:00+08:00")


@pytest.mark.parametrize(
    ("district", "clock", "expected"),
    [
        ("tianhe", "07:59", Window.MAINTENANCE),
        ("tianhe", "08:00", Window.OPEN),
        ("tianhe", "11:59", Window.OPEN),
        ("tianhe", "12:00", Window.CLOSED),
        ("haizhu", "11:59", Window.CLOSED),
        ("haizhu", "12:00", Window.OPEN),
        ("haizhu", "15:59", Window.OPEN),
        ("haizhu", "16:00", Window.CLOSED),
        ("yuexiu", "15:59", Window.CLOSED),
        ("yuexiu", "16:00", Window.OPEN),
        ("yuexiu", "19:59", Window.OPEN),
        ("yuexiu", "20:00", Window.MAINTENANCE),
        ("huangpu", "08:00", Window.OPEN),
        ("huangpu", "19:59", Window.OPEN),
        ("huangpu", "00:00", Window.MAINTENANCE),
    ],
)
def test_booking_windows_by_district(
    policy: Policy, district: str, clock: str, expected: Window
) -> None:
    assert window(policy, district, at(clock)) is expected


@pytest.mark.parametrize(
    ("clock", "last"),
    [("07:59", date(2021, 6, 23)), ("08:00", date(2021, 6, 24)), ("08:01", date(2021, 6, 24))],
)
def test_daily_release_at_the_release_time(policy: Policy, clock: str, last: date) -> None:
    assert last_released_day(policy, at(clock)) == last


@pytest.mark.parametrize(
    ("today", "previous", "running", "ok"),
    [
        (date(2021, 6, 18), date(2021, 5, 1), False, True),  # the day before: no campaign
        (date(2021, 6, 19), date(2021, 5, 14), True, True),  # first day, 36 days after
        (date(2021, 6, 19), date(2021, 5, 15), True, False),  # exactly 35 days: not more
        (date(2021, 6, 21), date(2021, 5, 16), True, True),  # last day, 36 days after
        (date(2021, 6, 21), date(2021, 5, 17), True, False),
        (date(2021, 6, 22), date(2021, 6, 1), False, True),  # the day after: open to all
    ],
)
def test_campaign_first_and_last_day(
    policy: Policy, today: date, previous: date, running: bool, ok: bool
) -> None:
    campaign = campaign_now(policy, today)
    assert (campaign is not None) == running
    nxt = next_dose([dose(1, previous, "coronavac")], policy)
    assert isinstance(nxt, NextDose)
    allowed = campaign is None or admitted(campaign, nxt, today)
    assert allowed == ok
    first = next_dose([], policy)
    assert isinstance(first, NextDose)
    assert (campaign is None or admitted(campaign, first, today)) == (not running)


def test_public_holidays_and_dates_beyond_the_calendar_data() -> None:
    assert is_public_holiday(date(2021, 10, 1))  # National Day
    assert is_public_holiday(date(2021, 6, 14))  # Dragon Boat Festival
    assert not is_public_holiday(date(2021, 6, 19))  # an ordinary Saturday
    assert not is_public_holiday(date(2021, 9, 18))  # a make-up working day
    assert holidays_between(date(2099, 10, 1), date(2099, 10, 3)) == ()  # no data: no crash


def test_a_site_closed_on_holidays_offers_no_places_that_day(store: Store) -> None:
    store.update_site(2, closed_on_holidays=True)
    now, first, last = at("09:00"), date(2021, 6, 17), date(2021, 6, 23)
    holiday = date(2021, 6, 20)  # pretend: the filter takes whatever days the calendar says
    closed = SlotFilter(None, (holiday,))
    days = [day for day, _ in store.open_days(2, first, last, now, closed)]
    assert holiday not in days and date(2021, 6, 21) in days
    open_site = [
        d for d, _ in store.open_days(1, date(2021, 6, 17), date(2021, 6, 23), now, closed)
    ]
    assert holiday in open_site  # a site that opens on holidays is unaffected
    assert store.open_slots(2, holiday, now, closed) == []


BACKENDS = ("sqlite", "postgresql")
REGISTER = ("登记", "1", "1", "张三", "1", "440106199001011235", "1", "1")
TO_DATES = ("预约", "没有", "1", "1")


def test_an_unreleased_slot_cannot_be_booked_even_by_naming_its_date(
    phone: Phone, store: Store
) -> None:
    tables.update(store, "slots", {"day": "2021-06-20"}, released_at=None)
    phone.run(*REGISTER, *TO_DATES)
    [reply] = phone.send("6月20日")
    assert "6月20日 周日无可约名额" in reply.text
    labels = [option.label for option in reply.options]
    assert labels and not any("6月20日" in label for label in labels)  # nor an alternative


def test_a_barred_person_is_sent_to_the_hotline(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER)
    tables.update(store, "residents", barred=1, noshows=3)
    assert "热线" in phone.say("预约")


def test_all_doses_done(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER)
    resident = store.residents_of(1)[0]
    store.add_dose(Dose(resident.id, 1, DOSE1, "ad5", 1, "test"), at("09:00"), "t", "t")
    assert "已完成全部接种" in phone.say("预约")
