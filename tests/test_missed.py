"""After a missed appointment (explore10 #13): on a later day the status says it passed without
a shot (not as a current booking), with the no-show count and how to book again, before the
end-of-day job has run and after it; "I missed my appointment, can I rebook?" gets that, not
the cancellation rule; the rule stays the answer for whoever missed nothing."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from flows.policy import Policy
from flows.rules import bar_rule
from store import Store
from tests.attendance_support import book, register, status_of
from tests.conftest import Clock, Phone

BACKENDS = ("sqlite", "postgresql")
PHONE = "+8613800138000"
DAY_AFTER = "2021-06-20T10:00:00+08:00"


@pytest.fixture
def missed(store: Store, clock: Clock) -> int:
    """张三 booked dose 1 on Sat 19 Jun at 10:00 and did not come; it is now the day after."""
    person = register(store, clock.now)
    booking = book(store, person, clock, "2021-06-19")
    clock.set(DAY_AFTER)
    return booking.id


def test_before_the_end_of_day_job_the_status_says_it_passed(
    phone: Phone, store: Store, missed: int
) -> None:
    said = phone.say("我的预约")
    assert "6月19日的预约已过（未接种）" in said, said
    assert "已计爽约1次" in said and "第3次起不能自助预约" in said, said
    assert "回复 预约" in said, said
    assert "10:00" not in said, said  # not shown as a current booking
    assert status_of(store, store.booking(missed) or pytest.fail()) == "noshow"
    said = phone.say("预约")  # booking again is not "already booked: change it?"
    assert "已有第1剂预约" not in said, said


def test_after_the_job_the_status_and_the_question_say_it_in_english(
    phone: Phone, store: Store, policy: Policy, clock: Clock, missed: int
) -> None:
    store.mark_noshows(clock.now, bar_rule(policy), "system:noshow")  # the end-of-day job
    said = phone.say("my booking")
    assert "The appointment on 19 Jun has passed" in said, said
    assert "No-shows: 1" in said and "Reply BOOK" in said, said
    said = phone.say("sorry i missed my appointment yesterday, can i rebook")
    assert "The appointment on 19 Jun has passed" in said and "Reply BOOK" in said, said
    assert "cancel at the latest" not in said, said  # not the rule


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("我琴日冇去打針，點算", "6月19日的預約已過（未接種）"),
        ("我昨天没去打针，怎么办", "6月19日的预约已过（未接种）"),
    ],
)
def test_cantonese_and_mandarin_say_they_missed_it(
    engine: Engine, missed: int, message: str, expected: str
) -> None:
    said = Phone(engine, PHONE).say(message)
    assert expected in said, said
    assert "取消" not in said, said


def test_someone_who_missed_nothing_gets_the_rule(phone: Phone, store: Store) -> None:
    said = phone.say("what if I miss my appointment?")
    assert "cancel at the latest" in said, said
    assert "has passed" not in said, said


def test_the_missed_appointment_that_bars_says_to_call_the_hotline(
    phone: Phone, store: Store, policy: Policy, clock: Clock
) -> None:
    person = register(store, clock.now)
    for day in ("2021-06-17", "2021-06-18"):  # two no-shows already: the limit
        book(store, person, clock, day)
        clock.set(f"{day}T23:30:00+08:00")
        store.mark_noshows(clock.now, bar_rule(policy), "system:noshow")
    book(store, person, clock, "2021-06-19")
    clock.set(DAY_AFTER)  # the third, not yet marked: marked now, and it bars
    said = phone.say("我的预约")
    assert "6月19日的预约已过（未接种）" in said, said
    assert "请致电热线12345" in said and "回复 预约" not in said, said
    barred = store.resident(person.id)
    assert barred is not None and barred.barred and barred.noshows == 3
