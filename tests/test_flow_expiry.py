"""A booking, registration or change left unfinished ends after the policy's
``flow_expires_hours`` (12): the next message starts afresh, told so in the same SMS, and a bare
"1" days later never confirms what was on screen then (explore10 2: a father's half-finished
booking resumed three days later for a message about the mother)."""

from __future__ import annotations

from store import Store
from tests.conftest import Clock, Phone

ID = "440106199001011235"  # a man born 1990-01-01
REGISTER = ("1", "1", "王小明", "1", ID, "1", "1")  # consent, myself, …, home district


def bookings(store: Store) -> int:
    person = store.resident_by_document("resident_id", ID)
    return 0 if person is None else len(store.active_bookings(person.id))


def test_a_confirmation_left_overnight_is_not_confirmed_by_a_1_the_next_day(
    phone: Phone, store: Store, clock: Clock
) -> None:
    phone.run("预约", *REGISTER, "没有", "1", "1", "1")  # Tianhe, its first site, the first day
    assert "请确认" in phone.say("1")  # the first period: the confirmation is on screen
    clock.set("2021-06-18T09:00:00+08:00")  # 24 hours later
    said = phone.say("1")
    assert said.startswith("上次未完成的操作已超时结束。\n")
    assert "预约成功" not in said and bookings(store) == 0


def test_within_the_hours_the_booking_goes_on(phone: Phone, store: Store, clock: Clock) -> None:
    phone.run("预约", *REGISTER, "没有", "1", "1", "2", "1")  # … tomorrow, to the confirmation
    clock.set("2021-06-17T11:00:00+08:00")  # two hours later
    assert "预约成功" in phone.say("1") and bookings(store) == 1


def test_an_unfinished_registration_ends_and_the_next_request_starts_afresh(
    phone: Phone, store: Store, clock: Clock
) -> None:
    phone.run("预约", "1", "1", "王小明", "1")  # at the ID number
    clock.set("2021-06-20T09:00:00+08:00")  # three days later
    said = phone.say("帮我妈约明天上午")
    assert said.startswith("上次未完成的操作已超时结束。\n")
    assert "身份证" not in said.splitlines()[1]  # not the old ID question again
    assert store.resident_by_document("resident_id", ID) is None


def test_the_note_is_in_english_and_traditional_too(phone: Phone, clock: Clock) -> None:
    phone.run("book", "1", "1")
    clock.set("2021-06-18T09:00:00+08:00")
    assert phone.say("hello").startswith("What you left unfinished earlier has ended.\n")
    phone.run("我想預約", "1")
    clock.set("2021-06-19T09:00:00+08:00")
    assert phone.say("你好").startswith("上次未完成的操作已超時結束。\n")


def test_an_hour_said_as_a_bound_is_not_the_period_taken(phone: Phone, store: Store) -> None:
    """ "10点以前" is no wish for the 10:00 period (explore10 3: it went straight to the
    confirmation of 10:00-12:00): the period over by 10:00 is the one confirmed, and nothing
    is booked before the confirmation (tests/test_refusals.py has the other bounds)."""
    phone.run("预约", *REGISTER, "没有", "1", "1", "2")  # Tianhe, its first site, tomorrow
    said = phone.say("10点以前")
    assert "请确认" in said and "08:00-10:00" in said and "10:00-12:00" not in said
    assert bookings(store) == 0


def test_a_message_that_changes_nothing_stores_nothing_its_moment_included(
    phone: Phone, store: Store, clock: Clock
) -> None:
    phone.run("预约", *REGISTER, "没有", "1", "1", "2")  # at the period question
    before = (store.state_text("sms", phone.address), store.state_updated_at("sms", phone.address))
    clock.set("2021-06-17T11:00:00+08:00")
    assert phone.say("😀")  # answered, and the question asked again
    after = (store.state_text("sms", phone.address), store.state_updated_at("sms", phone.address))
    assert after == before
