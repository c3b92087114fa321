"""What residents type inside a flow that answers nothing on screen (session 14, "mid-flow"):
giving up (我改主意了, 唔约啦), going back (返回上一步, go back), a correction of something typed
or chosen earlier (名字打错了, 身份证号输错了, 区选错了, 地点错了, 时间错了), holding on (等一下,
我问下我老公先), why a step asks (点解要身份证), confusion (什么意思, ？？？), and the words of an
answer (严重过敏 at the severe-reaction question, tmr at the date). The corpus
(tests/explore/mid_flow.jsonl, every step from the consent to a move's confirmation) is the
kind; the tests below pin each fix. A guess never books anything; nothing stored changes on a
question or a hold."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.nlu.normalise import simplified
from store import Store
from tests.conftest import Phone
from tests.mid_flow_support import BOOK_STEPS, ID, REG, corpus, run

REGISTERED = ("预约", "1", "1", "王小明", "1", ID, "1", "1")  # then the health questions
AT_CONFIRM = (*REGISTERED, *BOOK_STEPS["confirm"][2:])
AT_SITE = (*REGISTERED, *BOOK_STEPS["site"][2:])
AT_DATE = (*REGISTERED, *BOOK_STEPS["date"][2:])
MOTHER = "440106195205051222"


def said(phone: Phone, text: str) -> str:
    return simplified(phone.say(text))


def booked(store: Store) -> int:
    person = store.resident_by_document("resident_id", ID)
    return 0 if person is None else len(store.active_bookings(person.id))


def test_the_corpus_of_what_residents_type_mid_flow(engine: Engine, store: Store) -> None:
    lines = corpus()
    assert len(lines) >= 150
    kinds = {line.kind for line in lines}
    assert kinds >= {"give_up", "back", "wait", "ask", "fix", "confused", "words"}
    wrong = [(line, shown) for line, shown, why in run(engine, store, lines) if why]
    assert not wrong, "\n\n".join(f"{line}\n{shown}" for line, shown in wrong)


# -- giving up --------------------------------------------------------------------------------

GIVING_UP = ["我改主意了", "I changed my mind", "不约了", "唔约啦", "唔打喇", "算了，不约住"]


@pytest.mark.parametrize("text", GIVING_UP)
def test_changing_ones_mind_at_the_confirmation_stops_and_books_nothing(
    phone: Phone, store: Store, text: str
) -> None:
    phone.run(*AT_CONFIRM)
    reply = said(phone, text)
    assert "已停止" in reply or "stopped" in reply, reply
    assert "请回复 1 到" not in reply and "没有有效预约" not in reply
    phone.send("1")  # whatever 1 means now, it confirms nothing
    assert booked(store) == 0


@pytest.mark.parametrize("text", ["算了，不登记了", "我改主意了", "唔登记喇"])
def test_giving_up_a_registration_registers_nobody(phone: Phone, store: Store, text: str) -> None:
    phone.run(*REG, ID)  # at the phone number
    reply = said(phone, text)
    assert "已停止" in reply, reply
    assert store.resident_by_document("resident_id", ID) is None


def test_a_move_given_up_at_its_confirmation_keeps_the_booking(phone: Phone, store: Store) -> None:
    phone.run(*AT_CONFIRM, "1")
    person = store.resident_by_document("resident_id", ID)
    assert person is not None
    before = [b.slot.id for b in store.active_bookings(person.id)]
    phone.run("改期", "1", "1", "3", "1")  # Saturday 08:00-10:00 to confirm
    reply = said(phone, "我改主意了")
    assert "原预约不变" in reply, reply
    assert [b.slot.id for b in store.active_bookings(person.id)] == before


# -- holding on -------------------------------------------------------------------------------


def test_holding_on_at_the_name_question_is_no_name(phone: Phone, store: Store) -> None:
    phone.run(*REG[:3])  # the name question
    reply = said(phone, "等一下")
    assert "想好了再回复" in reply and "姓名" in reply and "证件类型" not in reply, reply
    assert "证件类型" in said(phone, "王小明")  # the name is taken when it comes


@pytest.mark.parametrize(
    ("steps", "text"),
    [
        (REGISTERED, "等一下，我问下我老婆"),  # the health questions
        ((*REGISTERED, "没有"), "等等，我问下屋企人"),  # the district
        (AT_DATE, "我问下我老公先"),
        (AT_SITE, "hang on"),
        ((*REG, ID), "等我问下我老公"),  # the phone number
    ],
)
def test_holding_on_at_any_step_takes_nothing_and_registers_nobody(
    phone: Phone, store: Store, steps: tuple[str, ...], text: str
) -> None:
    phone.run(*steps)
    people = len(store.residents_of(phone.engine.store.account_of("sms", phone.address) or 0))
    reply = said(phone, text)
    assert "想好了再回复" in reply or "when you are ready" in reply, reply
    assert "须知" not in reply and "请回复 1 到" not in reply  # no registration of a relative
    account = phone.engine.store.account_of("sms", phone.address) or 0
    assert len(store.residents_of(account)) == people
    assert booked(store) == 0


# -- going back -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["返回上一步", "返去上一步", "go back", "回上一步啦"])
def test_going_back_in_words_is_the_step_before(phone: Phone, text: str) -> None:
    phone.run(*REG[:3])  # the name question, after 为谁登记
    reply = said(phone, text)
    assert "为谁登记" in reply or "Who are you registering" in reply, reply


# -- corrections ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["名字打错了", "個名打錯咗", "my name is spelt wrong"])
def test_a_name_said_to_be_wrong_is_asked_again_and_the_new_one_kept(
    phone: Phone, store: Store, text: str
) -> None:
    phone.run("预约", "1", "1", "王小名", "1", ID)  # at the phone number, the name mistyped
    reply = said(phone, text)
    assert "姓名" in reply or "right name" in reply, reply
    assert "王小明" in said(phone, "王小明")  # taken, said back; the phone question again
    phone.run("1", "1")
    person = store.resident_by_document("resident_id", ID)
    assert person is not None and person.name == "王小明"


def test_an_id_number_said_to_be_wrong_is_asked_again(phone: Phone, store: Store) -> None:
    phone.run(*REG, MOTHER)  # the wrong person's number typed (a woman's)
    reply = said(phone, "身份证号输错了")
    assert "身份证号" in reply and "手机号" not in reply, reply
    phone.run(ID, "1", "1")
    assert store.resident_by_document("resident_id", ID) is not None
    assert store.resident_by_document("resident_id", MOTHER) is None


@pytest.mark.parametrize(
    ("steps", "text", "asked"),
    [
        (AT_SITE, "区选错了", "所在区"),
        (AT_SITE, "换个区", "所在区"),
        (AT_SITE, "唔要天河，换个区", "所在区"),
        (AT_SITE, "天河太远了，换个区", "所在区"),
        (AT_DATE, "地点错了", "请选择接种点"),
        (AT_CONFIRM, "地方拣错咗", "请选择接种点"),
        (AT_CONFIRM, "日期错了", "请选择日期"),
        (AT_CONFIRM, "时间错了", "请选择时段"),
        (AT_CONFIRM, "换个时间", "请选择时段"),
        (AT_CONFIRM, "change the time", "choose a time"),
    ],
)
def test_a_choice_said_to_be_wrong_goes_back_to_it(
    phone: Phone, store: Store, steps: tuple[str, ...], text: str, asked: str
) -> None:
    phone.run(*steps)
    reply = said(phone, text)
    assert asked in reply, reply
    assert "请回复 1 到" not in reply and "没看懂" not in reply and "no active booking" not in reply
    assert booked(store) == 0


def test_a_time_said_to_be_wrong_offers_every_period_of_that_day(phone: Phone) -> None:
    phone.run(*AT_CONFIRM)
    labels = [o.label[:5] for r in phone.send("时间错了") for o in r.options]
    assert labels == ["08:00", "10:00", "14:00", "16:00", "18:30"]


def test_a_registered_detail_said_to_be_wrong_in_a_booking_goes_to_staff(
    phone: Phone, store: Store
) -> None:
    phone.run(*AT_CONFIRM)
    reply = said(phone, "名字打错了")
    assert "人工" in reply and "请确认" in reply, reply
    person = store.resident_by_document("resident_id", ID)
    assert person is not None and person.name == "王小明" and booked(store) == 0


# -- why a step asks, confusion ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "text", "why"),
    [
        (REG, "点解要身份证", "核对"),
        (REG, "why do you need my ID", "verify"),
        (REG[:4], "为什么要证件", "核对"),
        ((*REG, ID), "点解要手机号", "短信"),
        ((*REG, ID), "why do you need my number", "SMS"),
    ],
)
def test_why_a_step_asks_is_answered_and_the_step_asked_again(
    phone: Phone, store: Store, steps: tuple[str, ...], text: str, why: str
) -> None:
    phone.run(*steps)
    reply = said(phone, text)
    assert why in reply and "70岁" not in reply and "70+" not in reply, reply  # not what to bring
    assert store.resident_by_document("resident_id", ID) is None


@pytest.mark.parametrize(
    ("steps", "text"),
    [(AT_CONFIRM, "什么意思"), (AT_SITE, "？？？"), (REG[:2], "乜嘢意思"), (REG, "看不懂"),
     (AT_SITE, "然后呢"), (AT_SITE, "下一步点做"), (AT_CONFIRM, "接下来呢")],
)  # fmt: skip
def test_confusion_says_how_to_answer_the_step(
    phone: Phone, store: Store, steps: tuple[str, ...], text: str
) -> None:
    phone.run(*steps)
    reply = said(phone, text)
    assert "人工" in reply and "请回复 1 到" not in reply and "不清楚" not in reply, reply
    assert booked(store) == 0


@pytest.mark.parametrize("text", ["what do i do now", "然后呢", "跟住点", "what should i do next"])
def test_what_now_is_told_to_answer_the_question_on_screen(
    phone: Phone, store: Store, text: str
) -> None:
    """what do i do now at the site question was answered with what to bring to the site."""
    phone.run(*AT_SITE)
    reply = said(phone, text)
    assert "请直接回答下面的问题" in reply or "Just answer the question below" in reply, reply
    assert "Bring the ID" not in reply and "请携带" not in reply
    assert booked(store) == 0


def test_a_question_ending_in_what_now_words_is_still_answered(phone: Phone) -> None:
    """错过咗预约点算 (点算: what to do) asks about a missed appointment, not what to do now."""
    phone.run(*AT_SITE)
    assert "爽约" in said(phone, "错过咗预约点算")


# -- answers in words -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["严重过敏", "有过严重过敏反应", "有严重过敏"])
def test_severe_reaction_words_at_its_own_question_answer_it(phone: Phone, text: str) -> None:
    phone.run(*REGISTERED, "逐条", "2")  # no allergy; then the severe-reaction question
    reply = said(phone, text)
    assert "任何成分过敏" not in reply, reply  # not sent back to the allergy question
    assert "不能接种" in reply, reply


@pytest.mark.parametrize("text", ["where are they", "where are these", "地址喺边"])
def test_where_are_they_at_the_site_question_gives_the_listed_sites(
    phone: Phone, text: str
) -> None:
    phone.run(*AT_SITE)
    reply = said(phone, text)
    assert "天河路299号" in reply or "299 Tianhe" in reply, reply
    assert "Mobile" not in reply and "流动" not in reply


@pytest.mark.parametrize("text", ["tmr", "tmrw", "TMR"])
def test_a_shorthand_day_keeps_a_chinese_conversation_chinese(phone: Phone, text: str) -> None:
    phone.run(*AT_DATE)
    reply = phone.say(text)
    assert "请选择时段" in reply, reply
    assert "请确认" in phone.say("1")  # and it stays Chinese after


def test_agreeing_in_a_sentence_at_the_consent(phone: Phone) -> None:
    phone.send("预约")
    assert "为谁登记" in said(phone, "好的我同意")


@pytest.mark.parametrize("text", ["都系唔好取消住", "不要取消", "别取消了", "唔使取消啦"])
def test_do_not_cancel_in_words_at_the_cancellation_keeps_the_booking(
    phone: Phone, store: Store, text: str
) -> None:
    phone.run(*AT_CONFIRM, "1", "取消")  # booked, then 确认取消？
    reply = said(phone, text)
    assert "原预约不变" in reply and "已取消" not in reply, reply
    assert booked(store) == 1
