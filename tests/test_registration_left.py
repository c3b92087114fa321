"""Registering a person, and the rules told before any data is taken (session 14, regleft):

- an age or a year of birth said in the request (给我女儿预约，她16岁, 佢今年82, my dad is 65,
  1950年出世) or typed at a registration step is checked against the policy's ages at once:
  under the minimum the rule is told and nothing is asked (pre-registering anyway is offered);
  from 60 on what applies is said first; a grandchild is asked whether 18 yet; a pregnancy said
  in the request is told its rule first;
- two people in one message (帮我同我老公约, book for me and my wife, 李秀英阿姨同张三): one at
  a time, told so, the other offered when the first is done; never someone new registered for it;
- someone registered on this phone named again (帮我妈登记) is not registered twice;
- a typed field said to be wrong (名字打错了，应该是张珊) is changed;
- 回乡证 and 台胞证 are stored as their own document type, not as a passport.

The phrasings are varied on purpose (Mandarin, Cantonese, Traditional, English): the kind is what
must work; tests/explore/registration_left.jsonl has 139 more."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date

import pytest

from bot.engine import Engine
from bot.nlu.normalise import simplified
from store import Store
from tests.conftest import Phone
from tests.jobs_support import id_number

_SENDERS = itertools.count(1)
_SERIALS = itertools.count(20)
CONSENT = ("预登记须知", "Pre-registration:")


def phones(
    engine: Engine, first: tuple[str, ...] | Callable[[], tuple[str, ...]], texts: list[str]
) -> Iterator[tuple[str, str, Phone]]:
    """Each text sent by a phone of its own after ``first`` (or what it makes: ID numbers of
    each phone's own): the text, what it read (replies and options, in Simplified
    characters), the phone."""
    for text in texts:
        phone = Phone(engine, f"+86136000{next(_SENDERS):05d}")
        phone.run(*(first() if callable(first) else first))
        replies = phone.send(text)
        said = [r.text for r in replies] + [o.label for r in replies for o in r.options]
        yield text, simplified("\n".join(said)), phone


def _new_id(born: date = date(1990, 1, 1), female: bool = False) -> str:
    return id_number(born, next(_SERIALS) % 100, female)


def family() -> tuple[str, ...]:
    """A phone with the sender (张三) and their mother (李秀英) registered, and nothing open."""
    me, mum = _new_id(), _new_id(date(1952, 5, 5), female=True)
    return ("登记", "1", "1", "张三", "1", me, "1", "1", "帮我妈妈登记", "1", f"李秀英 {mum}",
            "13900139000", "1", "退出")  # fmt: skip


def _registered(store: Store, phone: Phone) -> list[str]:
    account = store.account_of(phone.channel, phone.address)
    return [] if account is None else [p.name for p in store.residents_of(account)]


# -- ages ----------------------------------------------------------------------------------


def test_an_age_under_the_minimum_in_the_request_is_told_before_any_data(
    engine: Engine, store: Store
) -> None:
    young = ["给我女儿预约，她16岁", "帮我个仔约，佢今年15", "我個仔15歲，可以幫佢約嗎",
             "book for my daughter, she is 16", "my granddaughter is 13, book her pls",
             "帮我孙女约，她2008年出生", "帮细路约，佢十二岁"]  # fmt: skip
    for text, said, phone in phones(engine, (), young):
        assert "未满18周岁" in said or "under 18" in said, text
        assert not any(word in said for word in CONSENT), text  # nothing asked
        assert said.count("未满18") + said.count("under 18") == 1, text  # told once
        assert "仍要先预登记" in said or "Pre-register anyway" in said, text
        assert _registered(store, phone) == [], text
    # pre-registering anyway, by choice: the notice, and the age not asked again
    for _, _, phone in phones(engine, (), ["给我女儿预约，她16岁"]):
        assert "预登记须知" in phone.say("1")


def test_an_age_typed_at_a_registration_step_is_told_at_once(engine: Engine) -> None:
    at = {("帮我女儿登记",): ["她16岁", "佢今年十五"],  # the notice
          ("帮我女儿登记", "1"): ["她才16岁", "佢2008年出世", "my daughter is only 16"],  # name
          ("登记", "1", "2", "王小红"): ["佢先15岁", "等等，她只有十六岁"]}  # fmt: skip
    for first, texts in at.items():
        for text, said, _ in phones(engine, first, texts):
            assert "未满18周岁" in said or "under 18" in said, (first, text)
            assert "请输入接种人姓名" not in said and "证件类型" not in said, (first, text)


def test_an_older_age_said_first_tells_what_applies_then_registers(engine: Engine) -> None:
    companion = ["我妈七十八了，想帮她约", "帮我阿爸约，佢今年82", "my dad is 85, book him",
                 "幫我阿嫲約，佢八十幾歲", "帮我阿妈登记，佢1950年出世"]  # fmt: skip
    for text, said, _ in phones(engine, (), companion):
        assert "须家属陪同" in said or "must come along" in said, text
        assert any(word in said for word in CONSENT), text  # and the registration goes on
    for text, said, _ in phones(engine, (), ["book for my dad, he is 65", "我阿妈今年63，帮佢约"]):
        assert "现场评估" in said or "assessment" in said, text
        assert "陪同" not in said and "must come along" not in said, text
    for text, said, _ in phones(engine, (), ["帮我老婆约，她35岁", "i'm 45, want to book"]):
        assert "可以预约" not in said and "can book" not in said, text
        assert any(word in said for word in CONSENT), text
    # typed at the name question: said, and the name asked again
    for text, said, _ in phones(engine, ("帮我妈登记", "1"), ["她78岁"]):
        assert "须家属陪同" in said and "请输入接种人姓名" in said, text


def test_a_grandchild_is_asked_whether_18_before_anything(engine: Engine, store: Store) -> None:
    asked = ["帮我孙仔约", "book for my grandson", "帮我孙女登记", "幫我孫仔約"]
    for text, said, _ in phones(engine, (), asked):
        assert "满18周岁了吗" in said or "18 or older?" in said, text
        assert not any(word in said for word in CONSENT), text
    for _, _, phone in phones(engine, ("帮我孙仔约",), ["2"]):
        assert _registered(store, phone) == []
    for _, said, _ in phones(engine, ("帮我孙仔约",), ["2"]):
        assert "未满18周岁" in said and "预登记须知" not in said
    for _, said, _ in phones(engine, ("帮我孙仔约",), ["佢十五岁"]):
        assert "未满18周岁" in said
    for _, said, phone in phones(engine, ("帮我孙女约",), ["1"]):
        assert "预登记须知" in said
        assert "请输入接种人姓名" in phone.say("1")  # her name next: who it is for was said


def test_a_pregnancy_said_in_the_request_is_told_before_the_notice(engine: Engine) -> None:
    said_so = [
        "帮我老婆约，佢有咗身孕",
        "我怀孕了，想预约打疫苗",
        "book for my wife, she is pregnant",
    ]
    for text, said, _ in phones(engine, (), said_so):
        assert "暂缓接种" in said or "waits" in said, text
        assert any(word in said for word in CONSENT), text  # told first; registering goes on


# -- two people at once --------------------------------------------------------------------


def test_two_people_in_a_request_are_booked_one_after_the_other(
    engine: Engine, store: Store
) -> None:
    two = ["帮我同我老公约", "book for me and my wife", "帮我爸妈登记", "我同我老婆想打疫苗",
           "幫我同我老公約", "register me and my mum", "me and my dad want to book"]  # fmt: skip
    for text, said, _ in phones(engine, (), two):
        assert "一次为一位" in said or "一次登记一位" in said or "at a time" in said, text
    for text, said, _ in phones(engine, (), ["帮我妈约，我是她儿子", "book for my mum"]):
        assert "一次" not in said and "at a time" not in said, text
    # the first (oneself) registered and booked; then the other offered, and registered as spouse
    for _, said, phone in phones(engine, (), ["帮我同我老公约"]):
        assert "先为您本人约，约好后再为您老公约" in said
        phone.run("1", "1", "张三", "1", _new_id(), "1", "1", "没有", "1", "1", "1", "1")
        replies = phone.send("1")  # confirmed
        assert "预约成功" in replies[-1].text
        assert [o.label for o in replies[-1].options] == ["接着为您老公预约"]
        assert "预登记须知" in phone.say("1")
        assert "请输入接种人姓名" in phone.say("1")  # her husband: who it is for is known
        assert _registered(store, phone) == ["张三"]


def test_two_people_named_at_who_is_it_for_are_asked_about(engine: Engine, store: Store) -> None:
    def at_person() -> tuple[str, ...]:
        return (*family(), "预约")

    for text, said, phone in phones(
        engine, at_person, ["李秀英阿姨同张三", "我同我妈", "张三和李秀英"]
    ):
        assert "一次为一位预约" in said and "为谁预约" in said, text
        assert "预登记须知" not in said, text  # never someone new
        assert sorted(_registered(store, phone)) == ["张三", "李秀英"], text
    # picking one books them; the other is offered once done
    for _, _, phone in phones(engine, at_person, ["李秀英阿姨同张三"]):
        assert "张三有以下情况吗" in phone.say("1")
        phone.run("没有", "1", "1", "1", "1")
        replies = phone.send("1")
        assert [o.label for o in replies[-1].options] == ["接着为李秀英预约"]
    # at the health list, the booking stays the chosen person's
    for text, said, _ in phones(engine, lambda: (*at_person(), "1"), ["李秀英阿姨同张三"]):
        assert "现在为张三预约" in said and "李秀英" in said, text


# -- someone on this phone already -----------------------------------------------------------


def test_someone_on_this_phone_named_again_is_not_registered_twice(
    engine: Engine, store: Store
) -> None:
    again = ["帮李秀英登记", "帮我妈登记", "我想登记，我叫张三", "register my mum",
             "给李秀英阿姨登记", "幫我阿媽登記"]  # fmt: skip
    for text, said, _ in phones(engine, family, again):
        assert "已在本机登记" in said or "on this phone already" in said, text
        assert "预登记须知" not in said and "Pre-registration:" not in said, text
        assert "登记另一位" in said or "Register someone else" in said, text
    for text, said, _ in phones(engine, family, ["我想登记，我叫李四", "帮我爸登记"]):
        assert "已在本机登记" not in said and "预登记须知" in said, text


# -- a typed field corrected -----------------------------------------------------------------


def test_a_typed_field_said_to_be_wrong_is_changed(engine: Engine, store: Store) -> None:
    at_phone = ("登记", "1", "1", "张三", "1")
    fixed = ["名字打错了，应该是张珊", "姓名写错了，是张珊", "改名，张珊", "名字打错咗，应该係张珊"]
    for text, said, _ in phones(engine, (*at_phone, _new_id()), fixed):
        assert "姓名已改为：张珊" in said and "手机号" in said, text
    for _, _, phone in phones(engine, (*at_phone, _new_id()), ["姓名寫錯咗，係張珊"]):
        phone.run("1", "1")
        assert _registered(store, phone) == ["張珊"]
    for text, said, phone in phones(engine, (*at_phone, _new_id()), ["改名字"]):
        assert "请输入正确的姓名" in said, text
        assert "姓名已改为：张珊" in simplified(phone.say("张珊"))
        phone.run("1", "1")
        assert _registered(store, phone) == ["张珊"]
    for text, said, _ in phones(engine, (*at_phone, _new_id()), ["身份证号打错了", "证件号码有误"]):
        assert "请重新填写" in said and "身份证号码" in said, text
    for text, said, _ in phones(engine, (*at_phone, _new_id(), "1"), ["电话打错了", "手机唔啱"]):
        assert "请重新填写" in said and "手机号" in said, text
    en = ("register", "1", "1", "John Smith", "2")
    for _, said, _ in phones(
        engine, (*en, "E98765432"), ["sorry my name is wrong, it's John Smyth"]
    ):
        assert "Name changed to John Smyth" in said


# -- Mainland Travel Permit ------------------------------------------------------------------


def test_a_mainland_travel_permit_is_its_own_document(engine: Engine, store: Store) -> None:
    at_doc = ("登记", "1", "1", "陈大文")
    for number, words, region in (("H12345678", "回乡证", "HKG"), ("12345678", "台胞证", "TWN"),
                                  ("M23456789", "home return permit", "MAC")):  # fmt: skip
        for _, said, phone in phones(engine, at_doc, [words]):
            assert "通行证号码" in said or "permit number" in said, words
            said = phone.say(number)
            assert "出生日期" in said or "date of birth" in said, words
            phone.run("1980-01-02", "1", "1")
            person = store.resident_by_document("permit", number)
            assert person is not None and person.nationality == region, words
            assert store.resident_by_document("passport", number) is None, words
    # a 回乡证 number that does not say the region: asked
    for _, _, phone in phones(engine, at_doc, ["回鄉證"]):
        assert "香港、澳門或台灣" in phone.say("0812345678")


def test_an_age_said_in_traditional_is_answered_in_traditional(phone: Phone) -> None:
    """The age is our words said back (72岁), converted like the rest: not 72岁可以預約."""
    reply = phone.say("我想幫我阿媽預約打第一針，佢七十二歲")
    assert "72歲可以預約" in reply and "須家屬陪同" in reply
    assert "岁" not in reply


@pytest.mark.parametrize("typed", ["王秀英，78岁", "王秀英 78岁", "王秀英，女，七十八岁"])
def test_an_age_typed_beside_the_name_is_told_and_the_name_taken(
    phone: Phone, store: Store, typed: str
) -> None:
    """王秀英，78岁 at the name question: the age's notices, and 王秀英 taken as the name (the
    name was refused and asked again)."""
    phone.run("帮我妈登记", "1")
    reply = phone.say(typed)
    assert "须家属陪同" in reply and "请选择证件类型" in reply
    phone.run("1", "440106194305051225", "1", "1")
    person = store.resident_by_document("resident_id", "440106194305051225")
    assert person is not None and person.name == "王秀英"
