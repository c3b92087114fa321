"""Kinds of question the unseen questions corpus (tests/test_questions_unseen.py) found
answered wrong on main, each in phrasings of its own: epilepsy and nerve disease (the seed's
fifth contraindication, no answer before), a booking request with a question (想预约，要钱吗),
a request for someone a topic word names (帮家里老人约), the booking hours at a clock time,
no ID card, an age asked for a relative while registering (said twice before)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.nlu import Interpreter
from flows.policy import Policy, load_policy
from store import Store
from tests.conftest import Phone

BACKENDS = ("sqlite",)
TODAY = date(2021, 6, 17)
READER = Interpreter(load_policy(), list, sites_ttl=3600)
CONSENT = "预登记须知"


@pytest.mark.parametrize(
    "text",
    [
        "有癫痫能打疫苗吗",
        "我阿妈有羊角风，打唔打得",
        "有格林巴利綜合症病史可以接種嗎",
        "我爸有帕金森能接种吗",
    ],
)
def test_epilepsy_and_nerve_disease_get_the_contraindication(phone: Phone, text: str) -> None:
    said = phone.say(text)
    assert "癫痫" in said.replace("癲癇", "癫痫") and CONSENT not in said
    assert "格林巴利" in said or "格林巴利" in said.replace("綜", "综")


def test_epilepsy_in_english_is_answered_in_english(phone: Phone) -> None:
    said = phone.say("does having seizures mean i can't get the vaccine?")
    assert "epilepsy" in said and "Guillain-Barre" in said


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("我想预约，请问要钱吗", "免费"),
        ("我要预约第一针，要带什么", "身份证件"),
        ("帮老人家预约，佢要带啲咩", "身份证件"),
    ],
)
def test_a_booking_request_with_a_question_answers_it_and_books(
    phone: Phone, text: str, answer: str
) -> None:
    said = phone.say(text)
    assert answer in said and CONSENT in said


@pytest.mark.parametrize("text", ["我能帮家里老人约吗", "可以帮屋企老人家约吗"])
def test_a_person_named_with_a_topic_word_is_still_booked_for(phone: Phone, text: str) -> None:
    assert CONSENT in phone.say(text)


@pytest.mark.parametrize(
    "text", ["晚上九点还能约吗", "夜晚八点半仲约唔约得", "凌晨一点还可以预约吗"]
)
def test_a_clock_time_before_can_i_still_book_asks_the_hours(
    phone: Phone, policy: Policy, text: str
) -> None:
    said = phone.say(text)
    assert f"{policy.booking.maintenance}系统维护" in said and CONSENT not in said


@pytest.mark.parametrize(
    "text", ["没有身份证能打吗", "身份证过期了可以接种吗", "lost my id, can i still get the shot"]
)
def test_no_id_card_is_told_the_documents_accepted(phone: Phone, text: str) -> None:
    said = phone.say(text)
    assert "护照" in said or "Passport" in said


def test_an_age_asked_while_registering_is_answered_once(phone: Phone, store: Store) -> None:
    phone.send("我想预约打疫苗")
    said = phone.say("我阿爷80岁能打吗")
    assert said.count("80岁可以预约") == 1 and "绿色通道" in said
    assert "同意" in said  # the booking goes on


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("几点开始可以抢号", "ask.release"),
        ("有冇夜晚开嘅接种点", "ask.evening"),
        ("疫苗车喺边度", "ask.mobile"),
        ("白云国际会议中心接种点地址", "ask.site"),
        ("my shoulder has been aching since the shot", "ask.after"),
        ("when should he get his second dose", "ask.interval"),
        ("her second shot is 3 weeks overdue", "ask.interval"),
        ("约咗上个礼拜但系唔记得去", "ask.noshow"),
        ("喂紧母乳", "ask.pregnancy"),
        ("breast-feeding ok?", "ask.pregnancy"),
        ("来大姨妈能不能打", "ask.doctor"),
        ("前几日发咗烧，而家好返，打得未", "ask.chronic"),
    ],
)
def test_questions_phrased_otherwise_are_read_as_asked(text: str, intent: str) -> None:
    reading = READER.read(text, TODAY)
    assert (reading.intent, reading.confident) == (intent, True), reading.ranked[:3]
