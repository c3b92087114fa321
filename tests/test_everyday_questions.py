"""Questions residents ask every day that were read as something else (explore10 12): whether
a reminder comes (打针前一日会唔会有短信提醒: once a booking request for 1 July), and whether a
relative is booked (我爸的预约呢: once the booking screening for him)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.engine import Engine
from bot.nlu import Interpreter
from flows.dates import parse_when
from flows.policy import Policy, load_policy
from store import Store
from tests.conftest import Clock, Phone
from tests.free_text_support import MOTHER, REGISTER_SELF

BACKENDS = ("sqlite", "postgresql")
TODAY = date(2021, 6, 17)
READER = Interpreter(load_policy(), list, sites_ttl=3600)


@pytest.mark.parametrize(
    "text",
    [
        "会不会提醒我",
        "打针前一日会唔会有短信提醒",
        "到时有冇短信通知",
        "預約之後會唔會有短信提醒",
        "约好之后有没有短信通知我几点去",
        "will I get a reminder before my appointment",
        "do you send reminders?",
        "can you remind me the day before",
    ],
)
def test_a_question_about_reminders_is_read_as_one(text: str) -> None:
    reading = READER.read(text, TODAY)
    assert (reading.intent, reading.confident) == ("ask.reminder", True), reading.ranked[:3]


@pytest.mark.parametrize("text", ["remind me how to book", "提醒一下，我想约明天"])
def test_remind_in_a_booking_request_is_no_reminder_question(text: str) -> None:
    assert READER.read(text, TODAY).intent == "book"


def test_the_day_before_is_no_day_of_the_month() -> None:
    assert parse_when("打针前一日会唔会有短信提醒", TODAY) is None
    assert parse_when("隔一日再去得唔得", TODAY) is None
    assert parse_when("1号可以吗", TODAY) is not None  # the 1st still is


def test_the_reminder_answer_says_the_policy_hour(
    store: Store, policy: Policy, clock: Clock
) -> None:
    later = policy.model_copy(
        update={"jobs": policy.jobs.model_copy(update={"reminders_at": "19:30"})}
    )
    asked = (
        (policy, policy.jobs.reminders_at, "+8613900130001"),
        (later, "19:30", "+8613900130002"),
    )
    for rules, hour, sender in asked:
        phone = Phone(Engine(store, rules, clock), sender)
        said = phone.say("打针前一日会唔会有短信提醒")
        assert f"接种前一天{hour}左右会发短信提醒" in said, said
    english = Phone(Engine(store, later, clock), "+8613900139999").say("will I get a reminder?")
    assert "the day before, around 19:30" in english


@pytest.mark.parametrize(
    ("asked", "told"),
    [("我妈的预约呢", "李秀英"), ("我妈呢", "李秀英"), ("did my mom get booked?", "李秀英")],
)
def test_a_relatives_booking_asked_after_is_told_not_started(
    phone: Phone, asked: str, told: str
) -> None:
    phone.run(*REGISTER_SELF, "帮我妈妈预约明天下午打疫苗", "1", "李秀英", "1", MOTHER)
    phone.run("13900139000", "1", "退出")
    said = phone.say(asked)
    assert told in said and "有以下情况" not in said, said


@pytest.mark.parametrize(
    "text", ["得，要咗佢", "好，要咗", "这个我要了", "得，要啦", "ok I'll take it"]
)
def test_taking_an_offered_place_in_everyday_words_is_accepting(text: str) -> None:
    assert READER.read(text, TODAY).intent == "accept"


@pytest.mark.parametrize("text", ["我要了解一下", "我要了第一针", "要咗几时"])
def test_words_that_only_start_like_taking_it_are_not(text: str) -> None:
    assert READER.read(text, TODAY).intent != "accept"
