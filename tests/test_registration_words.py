"""Registration fields and first contact in residents' own words (explore-en session 12 kinds 6
and 7, explore-zh session 12's honorific): a nationality in a sentence or a short name (UK, im
from germany), names with diacritics or a lead-in (Nguyễn Văn An, its Maria Garcia Lopez),
nonsense at the name question asked again with a reason, the document named in words (i have a
passport, pasport, 回乡证, residence permit), a passport number or a birth date inside a
sentence, a district spelled apart (Tian He), a person called by a nickname at 为谁预约
(李秀英阿姨, 阿三), and typos and pinyin at first contact (canncel, quxiao yuyue, mingtian).
The phrasings are varied on purpose: the kind is what must work."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from bot.engine import Engine
from bot.messages import Reply
from flows.identity import check_character
from store import Store
from tests.conftest import Phone

# A foreign resident registering with a passport: consent, myself, name, passport, its number,
# nationality, birth date, this phone, home district.
AT_NAME = ("hi can i register", "1", "1")
AT_DOC = (*AT_NAME, "John Smith")
AT_NUMBER = (*AT_DOC, "2")
AT_NATIONALITY = (*AT_NUMBER, "PASSPORT")
AT_BIRTH = (*AT_NATIONALITY, "USA")
AT_DISTRICT = (*AT_BIRTH, "1990-05-04", "1")
ZH_AT_NAME = ("登记", "1", "1")
ZH_AT_DOC = (*ZH_AT_NAME, "张三")
_SENDERS = itertools.count(1)  # each resident a phone and a passport of their own


def residents(engine: Engine, first: tuple[str, ...], texts: list[str]) -> Iterator[
    tuple[str, str, str, Phone]
]:  # fmt: skip
    """Each text sent by a resident of its own at the step ``first`` reaches: the text, what
    was said back (replies and options), the passport number, the phone."""
    for text in texts:
        n = next(_SENDERS)
        phone = Phone(engine, f"+86135000{n:05d}")
        passport = f"G{n:08d}"
        phone.run(*(passport if said == "PASSPORT" else said for said in first))
        yield text, said(phone.send(text)), passport, phone


def said(replies: list[Reply]) -> str:
    return "\n".join([r.text for r in replies] + [o.label for r in replies for o in r.options])


def resident_id(n: int, born: str = "19900101") -> str:
    first = f"440106{born}{n % 1000:03d}"
    return first + check_character(first)


# -- nationality -------------------------------------------------------------------------------


def test_a_nationality_in_a_sentence_or_a_short_name(engine: Engine, store: Store) -> None:
    said_as = {
        "UK": "United Kingdom", "U.K.": "United Kingdom", "I'm from the UK": "United Kingdom",
        "british citizen here": "United Kingdom", "im from germany": "Germany",
        "Deutschland": "Germany", "from the usa": "United States",
        "i come from italy": "Italy", "citizen of canada": "Canada",
        "im originally from the philippines": "Philippines", "im from HK": "Hong Kong",
        "south korean": "South Korea",
    }  # fmt: skip
    for text, reply, passport, phone in residents(engine, AT_NATIONALITY, list(said_as)):
        assert f"Nationality: {said_as[text]}" in reply, text
        phone.run("1990-05-04", "1", "1")
        person = store.resident_by_document("passport", passport)
        assert person is not None and person.nationality, text
    for text, reply, _, _ in residents(engine, AT_NATIONALITY, ["来自德国", "德国来的"]):
        assert "国籍：德国" in reply, text


def test_words_that_name_no_country_are_asked_again(engine: Engine) -> None:
    for text, reply, _, _ in residents(engine, AT_NATIONALITY, ["from guangzhou", "i am 30"]):
        assert "Not a country or region we know" in reply, text


# -- names -------------------------------------------------------------------------------------


def test_names_of_every_shape_are_taken(engine: Engine, store: Store) -> None:
    names = {
        "Nguyễn Văn An": "Nguyễn Văn An", "José Müller": "José Müller",
        "its Maria Garcia Lopez": "Maria Garcia Lopez", "im Maria Lopez": "Maria Lopez",
        "my name is Ana Silva": "Ana Silva", "He Guoqiang": "He Guoqiang", "Lin He": "Lin He",
        "An Na": "An Na", "Mary-Jane O'Brien": "Mary-Jane O'Brien", "Chng Wei": "Chng Wei",
        "欧阳娜娜": "欧阳娜娜", "阿依古丽·买买提": "阿依古丽·买买提", "李娜": "李娜",
        "我叫王小明": "王小明", "張嘉嘉": "張嘉嘉",
    }  # fmt: skip
    rest = ("2", "PASSPORT", "USA", "1990-05-04", "1", "1")
    for text, reply, passport, phone in residents(engine, AT_NAME, list(names)):
        assert "identity document" in reply or "证件类型" in reply or "證件類型" in reply, text
        phone.run(*(passport if s == "PASSPORT" else s for s in rest))
        person = store.resident_by_document("passport", passport)
        assert person is not None and person.name == names[text], text


def test_nonsense_at_the_name_question_is_asked_again_with_a_reason(engine: Engine) -> None:
    nonsense = ["asdfgh", "qwerty", "hjkl", "aaaa", "hahaha", "sdfsdf", "zxcvb", "jjjjj"]
    for text, reply, _, phone in residents(engine, AT_NAME, nonsense):
        assert "does not look like a name" in reply, text
        assert "identity document" not in reply, text
        assert "identity document" in said(phone.send("John Smith")), text  # then a name
    for text, reply, _, _ in residents(engine, ZH_AT_NAME, ["哈哈哈", "呵呵", "啊啊啊"]):
        assert "这不像姓名" in reply, text
    for text, reply, _, _ in residents(engine, ZH_AT_NAME, ["？？？", "123", "😀😀"]):
        assert "姓名请用文字填写" in reply, text


def test_not_knowing_what_to_write_is_told_plainly(engine: Engine) -> None:
    texts = ["我不知道要填什么", "唔知填咩", "填什么名字", "名字", "要寫甚麼？"]
    for text, reply, _, _ in residents(engine, ZH_AT_NAME, texts):
        assert "请填写要接种的人的姓名" in reply or "請填寫要接種的人的姓名" in reply, text
        assert "这个问题我不清楚" not in reply, text
    texts = ["what name?", "whose name?", "i dont know what to put", "dunno what to write"]
    for text, reply, _, _ in residents(engine, AT_NAME, texts):
        assert "Type the name of the person to be vaccinated" in reply, text


# -- the document ------------------------------------------------------------------------------


def test_a_document_named_in_words(engine: Engine) -> None:
    passport = ["i have a passport", "pasport", "2 passport", "passprt", "Passport.",
                "I'm a foreigner, passport", "我用护照"]  # fmt: skip
    for text, reply, _, _ in residents(engine, AT_DOC, passport):
        assert "passport number" in reply or "护照号码" in reply, text
    for text, reply, _, _ in residents(engine, AT_DOC, ["residence permit", "work visa"]):
        assert "Register with your passport" in reply and "passport number" in reply, text
    for text, reply, _, _ in residents(engine, ZH_AT_DOC, ["回乡证", "台胞证", "回鄉證"]):
        # the permit is a document of its own (tests/test_registration_left.py), not a passport
        assert "通行证号码" in reply.replace("通行證號碼", "通行证号码"), text
    for text, reply, _, _ in residents(engine, ZH_AT_DOC, ["港澳通行证"]):
        assert "请用居民身份证" in reply and "18位居民身份证号码" in reply, text
    for text, reply, _, _ in residents(engine, ZH_AT_DOC, ["驾驶证", "社保卡"]):
        assert "只能用居民身份证或护照登记" in reply and "请选择证件类型" in reply, text
    for text, reply, _, _ in residents(engine, AT_DOC, ["i dont have a chinese id"]):
        assert "Reply 2 to register with a passport" in reply, text


def test_a_passport_number_in_a_sentence(engine: Engine, store: Store) -> None:
    numbers = {"my passport no is 123456789": "123456789", "passport number E12345678":
               "E12345678", "护照号码是E7654321": "E7654321"}  # fmt: skip
    for text, reply, _, phone in residents(engine, AT_NUMBER, list(numbers)):
        assert "nationality" in reply.casefold() or "国籍" in reply, text
        phone.run("USA", "1990-05-04", "1", "1")
        assert store.resident_by_document("passport", numbers[text]) is not None, text
    for text, reply, _, _ in residents(engine, AT_NUMBER, ["E1 and E2", "E12345 and E67890"]):
        assert "5-20 letters or digits" in reply, text


def test_a_birth_date_with_the_year_first_in_words(engine: Engine, store: Store) -> None:
    texts = ["born in 1990, may 4", "1990 may 4", "1990, 4th of may", "born 1990 May 4th"]
    for text, reply, passport, phone in residents(engine, AT_BIRTH, texts):
        assert "mobile number" in reply, text
        phone.run("1", "1")
        person = store.resident_by_document("passport", passport)
        assert person is not None and person.birth_date.isoformat() == "1990-05-04", text
    for text, reply, _, _ in residents(engine, AT_BIRTH, ["born in 1990", "1990 may 40"]):
        assert "date of birth is not valid" in reply, text


def test_a_district_spelled_apart(engine: Engine, store: Store) -> None:
    spelled = {"Tian He": "tianhe", "tian he qu": "tianhe", "Hai Zhu District": "haizhu",
               "bai-yun": "baiyun", "天河區": "tianhe"}  # fmt: skip
    for text, reply, passport, _ in residents(engine, AT_DISTRICT, list(spelled)):
        assert "Pre-registered" in reply or "預登記成功" in reply, text
        person = store.resident_by_document("passport", passport)
        assert person is not None and person.district_id == spelled[text], text


# -- a person called by a nickname -------------------------------------------------------------


def _family(engine: Engine, *more: tuple[str, str]) -> Phone:
    """A phone with 张三 (self) and 李秀英 (mother, booked for tomorrow morning), and ``more``
    (name, ID) registered as others; at 为谁预约."""
    n = next(_SENDERS)
    phone = Phone(engine, f"+86136000{n:05d}")
    phone.run("登记", "1", "1", "张三", "1", resident_id(n), "1", "1")
    phone.run("帮我妈妈登记", "1", f"李秀英 {resident_id(n, '19520505')}", "13900139000", "1")
    phone.run("帮我妈约明天上午", "没有", "1", "1", "1", "1")
    for name, number in more:
        phone.run("登记", "1", "2", name, "1", number, "13900139001", "1")
    assert "为谁预约" in said(phone.run("谢谢", "预约"))
    return phone


def test_a_person_called_with_an_honorific_is_the_one_registered(
    engine: Engine, store: Store
) -> None:
    for text in ["李秀英阿姨", "秀英姐", "李阿姨", "帮李秀英阿姨约", "李秀英婆婆"]:
        phone = _family(engine)
        reply = said(phone.send(text))
        assert "李秀英已有第1剂预约" in reply, text  # her booking, not someone new
        account = store.account_of("sms", phone.address)
        assert account is not None and len(store.residents_of(account)) == 2, text
    for text in ["张先生", "阿三", "三仔"]:
        assert "张三有以下情况吗" in said(_family(engine).send(text)), text


def test_a_nickname_that_fits_several_is_asked_about(engine: Engine) -> None:
    phone = _family(engine, ("李梅", resident_id(900, "19600303")))
    reply = said(phone.send("李阿姨"))
    assert "李秀英、李梅都可能是" in reply and "为谁预约" in reply
    assert "同意" not in reply  # nobody new registered


def test_a_nickname_of_nobody_here_is_no_one_registered(engine: Engine) -> None:
    assert "预登记须知" in said(_family(engine).send("我老公阿强"))  # someone new: registered
    phone = _family(engine, ("孙丽", resident_id(901, "19700404")))
    assert "孙丽有以下情况吗" not in said(phone.send("孙女"))  # a granddaughter, not 孙丽


# -- first contact -----------------------------------------------------------------------------


def test_typos_and_pinyin_at_first_contact(engine: Engine) -> None:
    for n, text in enumerate(["quxiao yuyue", "canncel", "canncel my booking", "cancell"]):
        reply = Phone(engine, f"+861370001{n:04d}").say(text)
        assert "no active booking" in reply or "没有有效的预约" in reply, text
    booking = ["bookk", "wo xiang da zhen", "apointment", "bookinng for tomorow", "da yimiao"]
    for n, text in enumerate(booking):
        reply = Phone(engine, f"+861370002{n:04d}").say(text)
        assert "agrees to both" in reply or "同意两项" in reply, text  # registering first
    for n, text in enumerate(["i have cancer can i get the vaccine", "look", "does it hurt"]):
        reply = Phone(engine, f"+861370003{n:04d}").say(text)
        assert "no active booking" not in reply, text  # cancer is no cancel


def test_a_day_in_pinyin_at_the_date_question(engine: Engine) -> None:
    at_date = ("book", "1", "1", "John Smith", "2", "PASSPORT", "USA", "1990-05-04", "1", "1")
    for text, reply, _, _ in residents(engine, (*at_date, "none", "1", "2"), ["mingtian"]):
        assert "Fri 18 Jun: choose a time" in reply, text


# -- the one thing offered at the phone question, agreed to in words -------------------------


@pytest.mark.parametrize("said", ["好", "係", "ok", "就这个", "一样", "same"])
def test_agreeing_to_the_one_option_offered_picks_it(phone: Phone, said: str) -> None:
    """接种人手机号？回复1使用本机号码: 好/係/就这个 use this phone, as 1 does (好 and 係 were
    refused as an invalid number)."""
    body = "44010619520304001"
    phone.run("帮我阿爸登记", "1", "陳國強", "1", body + check_character(body))
    reply = phone.say(said)
    assert "住在天河" in reply or "live in Tianhe" in reply
