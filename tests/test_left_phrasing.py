"""Phrasings earlier work noticed and left (session 13), on the seeded demo with the mother
booked for 6月18日 08:00-10:00: a relative's appointment asked with the time last
(我妈的针是明天几点), 佢/she right after a relative was named, 九点前 / before 9 (arriving by
then), one English word saying a time in a Chinese conversation, 地址在哪 inside a booking,
call me Ahmed at the name question, and moving a booking to the part of day it is in."""

from __future__ import annotations

import pytest

from store import Store
from tests.conftest import Phone
from tests.free_text_support import MOTHER_BOOKED

# -- a relative's appointment, the time asked last ------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "我妈的针是明天几点",
        "阿妈个针系几点",
        "阿媽個針係幾點",
        "我妈嘅针约咗听日几点？",
        "阿妈嗰针几时",
        "我妈的疫苗是哪天",
        "my mother's appointment is at what time?",
        "my mum's jab is when?",
        "My mom's booking, what time is it",
    ],
)
def test_a_relatives_appointment_asked_time_last_is_her_booking_told(
    phone: Phone, store: Store, said: str
) -> None:
    phone.run(*MOTHER_BOOKED)
    reply = phone.say(said)
    assert "李秀英" in reply and "08:00-10:00" in reply and "B0000001" in reply
    assert "张三" not in reply  # hers alone
    assert "已有" not in reply and "already has" not in reply  # no booking started
    people = store.residents_of(store.residents_of(1)[0].account_id)
    assert sum(len(store.active_bookings(p.id)) for p in people) == 1


# -- 佢, she: the relative the message before named ---------------------------------------


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("我妈明天几点打针", "佢几时打第二针"),
        ("阿妈个针系几点", "佢幾時打第二針"),
        ("我妈的针是明天几点", "她什么时候打第二针？"),
        ("what time is my mum's appointment", "when is her second dose?"),
    ],
)
def test_a_pronoun_after_a_relative_asks_about_her(phone: Phone, first: str, then: str) -> None:
    phone.run(*MOTHER_BOOKED, first)
    reply = phone.say(then)
    assert "李秀英" in reply and ("7月9日" in reply or "9 Jul" in reply)


@pytest.mark.parametrize("then", ["她几点要到", "佢几点到", "what time does she have to be there"])
def test_her_time_after_her_booking_is_hers_alone(phone: Phone, then: str) -> None:
    phone.run(*MOTHER_BOOKED, "我妈的针是明天几点")
    reply = phone.say(then)
    assert "李秀英" in reply and "08:00-10:00" in reply and "张三" not in reply


@pytest.mark.parametrize(
    "before",
    [
        (),  # nothing named: nobody is guessed
        ("我妈几点打针", "要带什么"),  # named two messages back: no longer "just"
        ("我几点打针",),  # oneself named
    ],
)
def test_a_pronoun_with_no_relative_just_named_guesses_nobody(
    phone: Phone, before: tuple[str, ...]
) -> None:
    phone.run(*MOTHER_BOOKED, *before)
    reply = phone.say("佢几时打第二针")
    assert "李秀英" not in reply and "21-56" in reply


# -- 九点前, before 9: arriving before 9 ----------------------------------------------------

AT_TIME = ("预约", "1", "没有", "1", "1", "3")  # the mother booked: 为谁预约 first; 6月19日
AT_DATE = AT_TIME[:-1]


@pytest.mark.parametrize(
    "said", ["九点前", "9点之前", "朝早九点前", "九點以前", "before 9", "before 9am"]
)
def test_before_an_hour_at_the_time_question_offers_the_period_starting_before_it(
    phone: Phone, said: str
) -> None:
    phone.run(*MOTHER_BOOKED, *AT_TIME)
    reply = phone.say(said)
    assert "08:00-10:00" in reply and ("确认" in reply or "確認" in reply or "confirm" in reply)


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("九点前", "09:00前开始"),
        ("十点以前得闲", "10:00前开始"),
        ("before 9 pls", "starting before 09:00"),
    ],
)
def test_before_an_hour_at_the_date_question_is_kept_as_the_time_one_arrives_by(
    phone: Phone, said: str, kept: str
) -> None:
    phone.run(*MOTHER_BOOKED, *AT_DATE)
    reply = phone.say(said)
    assert kept in reply and "没有" not in reply and "no periods" not in reply
    assert "08:00-10:00" in phone.say("1")  # the day's period before 9, as its confirmation


def test_an_english_count_after_before_is_no_hour(phone: Phone) -> None:
    phone.run(*MOTHER_BOOKED, *AT_DATE)
    assert "14:00" not in phone.say("after 2 days")  # no hour bound read in it


# -- a short English message in a Chinese conversation ------------------------------------


@pytest.mark.parametrize(
    ("steps", "said"),
    [
        (AT_TIME, "lunchtime"),
        (AT_TIME, "afternoon"),
        (AT_DATE, "sat 2-4pm"),
        (AT_DATE, "Saturday"),
    ],
)
def test_one_english_word_saying_a_day_or_time_is_answered_in_english(
    phone: Phone, steps: tuple[str, ...], said: str
) -> None:
    phone.run(*MOTHER_BOOKED, *steps)
    reply = phone.say(said)
    assert not any("\u4e00" <= c <= "\u9fff" for c in reply.replace("张三", "")), reply


@pytest.mark.parametrize("said", ["ok", "OK", "tmr"])  # tmr: a shorthand in Hong Kong texts too
def test_a_word_chinese_writers_use_too_keeps_the_conversation_chinese(
    phone: Phone, said: str
) -> None:
    phone.run(*MOTHER_BOOKED, *AT_TIME)
    assert "时段" in phone.say(said)


# -- call me Ahmed at the name question: a name, not a call-back ---------------------------


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("call me Ahmed", "Ahmed"),
        ("you can call me Ahmed Khan", "Ahmed Khan"),
        ("Call me Zhang Wei.", "Zhang Wei"),
    ],
)
def test_call_me_with_a_name_at_the_name_question_is_the_name(
    phone: Phone, store: Store, said: str, name: str
) -> None:
    phone.run("register", "1", "1")
    reply = phone.say(said)
    assert name in reply and "Call-back" not in reply and "回电" not in reply
    assert store.callback_count() == 0


@pytest.mark.parametrize("said", ["call me back", "call me later pls", "please call me"])
def test_call_me_back_at_the_name_question_still_asks_for_a_call(
    phone: Phone, store: Store, said: str
) -> None:
    phone.run("register", "1", "1")
    assert "Call-back" in phone.say(said)
    assert store.callback_count() == 1


# -- 地址在哪 at the site question: the listed sites' addresses ----------------------------

AT_SITE = AT_DATE[:-1]


@pytest.mark.parametrize(
    "said", ["地址在哪", "地址喺边度？", "在哪里", "地址在哪裡", "what's the address?"]
)
def test_where_at_the_site_question_gives_the_listed_sites_addresses(
    phone: Phone, said: str
) -> None:
    phone.run(*MOTHER_BOOKED, *AT_SITE)
    reply = phone.say(said)
    assert "天河路299号" in reply or "299 Tianhe" in reply
    assert "33号" in reply or "33號" in reply or "33 Shipai" in reply
    assert "说出接种点名称" not in reply and "Name the site" not in reply


def test_the_listed_addresses_are_shown_as_stored_to_a_traditional_writer(phone: Phone) -> None:
    """Every address as stored, as everywhere an address is shown (on the confirmation,
    near home): not one converted and the other not; the words around them in Traditional."""
    phone.run(*MOTHER_BOOKED, *AT_SITE)
    reply = phone.say("地址喺邊度？")
    assert "天河路299号" in reply and "石牌东路33号" in reply
    assert "請選擇接種點" in reply


def test_where_at_the_date_question_gives_the_chosen_sites_address(phone: Phone) -> None:
    phone.run(*MOTHER_BOOKED, *AT_DATE)
    reply = phone.say("地址在哪")
    assert "天河路299号" in reply and "石牌" not in reply and "请选择日期" in reply


# -- moving a booking: its own period is no new one ---------------------------------------


@pytest.mark.parametrize(
    "said", ["帮我妈改到上午", "我妈想改去朝早", "move my mum's booking to the morning"]
)
def test_moving_to_the_morning_does_not_offer_the_period_already_booked(
    phone: Phone, store: Store, said: str
) -> None:
    phone.run(*MOTHER_BOOKED)
    replies = phone.send(said)
    shown = "\n".join([r.text for r in replies] + [o.label for r in replies for o in r.options])
    assert shown.count("08:00-10:00") == 1  # the booking being moved, said once as such
    assert "10:00-12:00" in shown


def test_the_period_menu_of_a_move_leaves_the_booked_period_out(phone: Phone) -> None:
    phone.run(*MOTHER_BOOKED, "帮我妈改期", "1", "1")
    labels = [o.label for o in phone.send("2")[-1].options]  # 6月18日, the day she is booked
    assert labels and not any("08:00-10:00" in label for label in labels)


def test_another_persons_booking_still_offers_that_period(phone: Phone) -> None:
    phone.run(*MOTHER_BOOKED, "预约", "1", "没有", "1", "1")
    labels = [o.label for o in phone.send("2")[-1].options]
    assert any("08:00-10:00" in label for label in labels)
