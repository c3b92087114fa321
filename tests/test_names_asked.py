"""Names (explore9 kinds 3, 10, 11): a name question never stores a day, a sentence or a
reference; a name given in an introduction is taken out of it; a 70+ person without a
companion is told the rule; a refused ID lets another be typed; a move keeps the booking's
companion; a booster asked for too early says the dose due. Through the engine, as residents
text, in Simplified, Traditional and English."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.engine import Engine
from store import Resident, Store
from tests.conftest import Clock, Phone
from tests.free_text_support import with_dose_1
from tests.jobs_support import OTHER, id_number, register
from tests.test_engine import conversation

BACKENDS = ("sqlite", "postgresql")


NEW = "+8613933330001"


def step(store: Store, address: str = "+8613800138000") -> str | None:
    state = conversation(store, address)
    return None if state is None else state["step"]


def data(store: Store, address: str = "+8613800138000") -> dict[str, Any]:
    state = conversation(store, address)
    assert state is not None
    return dict(state["data"])


def elder(store: Store, clock: Clock) -> Resident:
    return register(store, clock.now, "陈伯", date(1950, 3, 3), 41)  # 71


def at_companion(phone: Phone, store: Store, clock: Clock) -> Resident:
    """陈伯 (71) booking tomorrow morning: asked for the companion's name."""
    person = elder(store, clock)
    phone.run("我想明天上午在天河体育中心打疫苗", "没有")
    assert "请输入陪同家属姓名" in phone.say("1")
    return person


# -- the person's name at registration ---------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "asked"),
    [
        ("明天上午", "请只回复姓名，如 张三。"),
        ("大后天", "请只回复姓名，如 张三。"),
        ("聽日下晝", "請只回覆姓名，如 張三。"),
        ("tomorrow morning", "Please reply with the name only"),
        ("同上次一样", "请只回复姓名，如 张三。"),
    ],
)
def test_a_day_or_a_sentence_is_not_taken_as_a_name(
    phone: Phone, store: Store, said: str, asked: str
) -> None:
    phone.run("登记", "1", "2")
    assert asked in phone.say(said)
    assert step(store) == "name" and "name" not in data(store)
    # the next question, in English after an English message, in Traditional characters
    # after a Traditional one (a name sets no language, nor script)
    expected = "證件類型" if "回覆" in asked else "证件类型"
    if said.isascii():
        expected = "Choose the identity document"
    assert expected in phone.say("黄美玲")


@pytest.mark.parametrize(
    "said",
    [
        "身份证号是440106194904041248",
        "my ID is 440106194904041248",
        "我个身份证号码系440106194904041248",
    ],
)
def test_an_id_with_lead_in_words_at_the_name_step_keeps_the_id_and_asks_the_name(
    phone: Phone, store: Store, said: str
) -> None:
    """The words around an ID number are no name (explore10 5): "是", "my is" were stored."""
    phone.run("登记", "1", "1")
    asked = phone.say(said)
    assert step(store) == "name" and "name" not in data(store)
    assert "已记下" in asked or "noted" in asked
    after = phone.say("冯桂兰")
    assert "手机号" in after or "mobile number" in after  # the ID was kept: not asked again
    assert data(store)["name"] == "冯桂兰"


@pytest.mark.parametrize(
    ("said", "name"), [("係李明啊", "李明"), ("李明呀", "李明"), ("it's Li Ming", "Li Ming")]
)
def test_a_name_typed_with_a_particle_or_a_lead_in_is_the_name(
    phone: Phone, store: Store, said: str, name: str
) -> None:
    phone.run("登记", "1", "1")
    phone.say(said)
    assert data(store)["name"] == name


@pytest.mark.parametrize("name", ["尤想", "周五", "高明天"])  # a verb, a weekday, a day in it
def test_a_name_that_reads_like_a_sentence_or_a_day_is_taken_when_sent_again(
    phone: Phone, store: Store, name: str
) -> None:
    phone.run("登记", "1", "2")
    assert "请只回复姓名" in phone.say(name)
    assert "请选择证件类型" in phone.say(name)
    assert data(store)["name"] == name


# -- a refused ID: another may be typed --------------------------------------------------------


def test_an_id_registered_from_another_phone_lets_another_be_typed(
    engine: Engine, store: Store, clock: Clock
) -> None:
    taken = id_number(date(1990, 3, 7), 23)
    register(store, clock.now, "王五", date(1990, 3, 7), 23, phone=OTHER)
    phone = Phone(engine, NEW)
    phone.run("登记", "1", "2", "黄美玲", "1")
    refused = phone.say(taken)
    assert "该证件暂不能在此登记" in refused and "可输入其他证件号，或回复 人工" in refused
    assert "王五" not in refused and "139" not in refused  # nothing said of who holds it
    assert len(refused) <= 70  # one SMS, the ID question included
    assert step(store, NEW) == "id_number"
    own = id_number(date(1955, 7, 7), 24, female=True)
    assert "手机号" in phone.say(own)
    phone.run("1", "1")
    person = store.resident_by_document("resident_id", own)
    assert person is not None
    assert person.name == "黄美玲"


def test_a_refused_id_is_said_in_english_and_the_name_kept(
    engine: Engine, store: Store, clock: Clock
) -> None:
    register(store, clock.now, "王五", date(1990, 3, 7), 23, phone=OTHER)
    phone = Phone(engine, NEW)
    phone.run("EN", "register", "1", "2", "Mary Chan", "1")
    refused = phone.say(id_number(date(1990, 3, 7), 23))
    assert "Type another ID number, or reply AGENT." in refused
    assert step(store, NEW) == "id_number"
    assert data(store, NEW)["name"] == "Mary Chan"


# -- a companion's name ------------------------------------------------------------------------


def test_a_reference_or_no_companion_is_not_stored_and_an_introduction_gives_the_name(
    phone: Phone, store: Store, clock: Clock
) -> None:
    person = at_companion(phone, store, clock)
    assert "請只回覆姓名" in phone.say("同上次一樣")
    nobody = phone.say("我自己去，冇人陪")
    assert "70歲及以上須有家屬陪同接種" in nobody and "人工" in nobody
    assert "姓名請用文字填寫" not in nobody
    assert "70岁及以上须有家属陪同接种" in phone.say("我个仔要返工")
    assert step(store) == "companion_name"
    assert "手機號" in phone.say("我啊，我係佢個仔陳大文")
    phone.say("1")
    assert "陪同家屬：陳大文 138****8000。" in phone.say("1")
    [booking] = store.active_bookings(person.id)
    assert booking.companion_name == "陳大文"


def test_in_english_this_number_is_asked_again_and_me_his_son_peter_wong_is_peter_wong(
    phone: Phone, store: Store, clock: Clock
) -> None:
    person = elder(store, clock)
    phone.run("EN", "I want to book for tomorrow morning at Tianhe Sports Centre", "none")
    assert "must come with a family member" in phone.say("1")
    assert "Please reply with the name only" in phone.say("this number")
    assert "People aged 70+ must come with a family member" in phone.say("nobody can come")
    assert "mobile" in phone.say("me, his son, Peter Wong")
    phone.say("1")
    assert "Companion: Peter Wong, 138****8000." in phone.say("1")
    [booking] = store.active_bookings(person.id)
    assert booking.companion_name == "Peter Wong"


# -- a move keeps the companion ----------------------------------------------------------------


def booked_with_companion(phone: Phone, store: Store, clock: Clock) -> Resident:
    person = at_companion(phone, store, clock)
    phone.run("陈大文", "13800000003", "1")
    [booking] = store.active_bookings(person.id)
    assert booking.companion_name == "陈大文"
    return person


def test_a_move_keeps_the_companion_and_says_so(phone: Phone, store: Store, clock: Clock) -> None:
    person = booked_with_companion(phone, store, clock)
    phone.run("改期", "1", "1", "1")
    confirm = phone.say("1")  # a time: not asked for the companion again
    assert "请输入陪同家属姓名" not in confirm
    assert "陪同家属（同原预约）：陈大文 138****0003。" in confirm
    done = phone.say("1")
    assert "改期成功" in done or "预约码" in done
    [booking] = store.active_bookings(person.id)
    assert (booking.companion_name, booking.companion_phone) == ("陈大文", "+8613800000003")
    assert booking.slot.start == "10:00"


def test_a_moved_bookings_companion_can_be_changed_and_is_stored(
    phone: Phone, store: Store, clock: Clock
) -> None:
    person = booked_with_companion(phone, store, clock)
    phone.run("改期", "1", "1", "1")
    assert "3 更换陪同家属" in "\n".join(f"{o.key} {o.label}" for o in phone.send("1")[-1].options)
    assert "请输入陪同家属姓名" in phone.say("3")
    phone.say("陈小文")
    confirm = phone.say("13800000004")
    assert "陪同家属：陈小文 138****0004。" in confirm and "同原预约" not in confirm
    phone.say("1")
    [booking] = store.active_bookings(person.id)
    assert (booking.companion_name, booking.companion_phone) == ("陈小文", "+8613800000004")


# -- a booster asked for before the course is complete -----------------------------------------


@pytest.mark.parametrize(
    ("said", "told"),
    [
        ("我想打加强针", "按记录，张三本次应打第2针（还不是加强针）。"),
        ("我想打加強針", "按記錄，张三本次應打第2針（還不是加強針）。"),  # the name as stored
        ("I want a booster", "By the records, 张三 is due dose 2 (not a booster yet)."),
    ],
)
def test_a_booster_asked_with_one_dose_says_dose_2_is_due(
    phone: Phone, store: Store, clock: Clock, said: str, told: str
) -> None:
    with_dose_1(phone, store, clock)
    assert told in phone.say(said)
    assert data(store)["dose"] == 2
