"""Fields checked for what they are (explore10 #6, #8, #11): a passport holder's nationality
is a real country or region (ISO 3166, in Chinese and English names and codes), stored as its
code, with a birth date typed one step early kept; "NULL", "none", "test" or "无" is no one's
name; asking for the hotline's number gets the number from the policy, not a call-back; and
a long message (greetings and thanks around it) keeps its day and part of day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.nlu.interpreter import Interpreter
from flows.countries import read_country
from flows.dates import parse_when
from flows.entities import Entities
from flows.names import Kind, read_name
from flows.policy import Policy, PolicyError, load_policy
from store import Resident, Store
from tests.conftest import Clock, Phone

BACKENDS = ("sqlite", "postgresql")
PHONE = "+8613800138000"
TO_NATIONALITY = ("登记", "1", "1", "李雷", "2", "E7654321")


def registered(store: Store) -> list[Resident]:
    account = store.account_of("sms", PHONE)
    return store.residents_of(account) if account is not None else []


# -- nationality -------------------------------------------------------------------------------


def test_free_text_is_not_a_nationality_and_an_early_birth_date_is_kept(
    phone: Phone, store: Store
) -> None:
    said = "\n".join(reply.text for reply in phone.run(*TO_NATIONALITY))
    assert "请输入国籍" in said, said
    for not_a_country in ("天河", "1", "NULL", "广州"):
        said = phone.say(not_a_country)
        assert "未能识别国籍" in said and "例如" in said, said
    said = phone.say("1985年3月4号")  # the birth date, one step early
    assert "已记下出生日期1985年3月4日" in said and "国籍" in said, said
    said = phone.say("英国")
    assert "国籍：英国" in said and "出生日期" not in said, said  # not asked again
    assert "手机" in said, said
    phone.run("1", "1")  # this phone's number, the first district
    (person,) = registered(store)
    assert person.nationality == "GBR"  # the ISO 3166 code, not what was typed
    assert person.birth_date == date(1985, 3, 4)


def test_traditional_names_are_read_and_said_back_in_traditional(
    phone: Phone, store: Store
) -> None:
    phone.run("登記", "1", "1", "陳大文", "2", "K99345678")
    refused = phone.say("天河")
    assert "未能識別國籍" in refused, refused
    reply = phone.say("英國籍")
    assert "國籍：英國" in reply and "出生日期" in reply, reply
    phone.run("1985-03-04", "1", "1")
    (person,) = registered(store)
    assert person.nationality == "GBR"


def test_english_names_codes_and_demonyms(phone: Phone, store: Store) -> None:
    phone.run("register", "1", "1", "John Smith", "2", "E7654321")
    refused = phone.say("Tianhe")
    assert "Not a country or region we know" in refused and "e.g." in refused, refused
    reply = phone.say("Britain")
    assert "Nationality: United Kingdom." in reply and "date of birth" in reply, reply
    phone.run("1960-02-29", "1", "1")
    (person,) = registered(store)
    assert person.nationality == "GBR"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("美国", "USA"), ("United States", "USA"), ("US", "USA"), ("USA", "USA"),
        ("Viet Nam", "VNM"), ("越南", "VNM"), ("GBR", "GBR"), ("I am British", "GBR"),
        ("老挝", "LAO"), ("中国香港", "HKG"), ("澳門", "MAC"), ("日本护照", "JPN"),
    ],
)  # fmt: skip
def test_names_codes_and_words_around_them(typed: str, code: str) -> None:
    found = read_country(typed)
    assert found is not None and found.code == code, typed


@pytest.mark.parametrize("typed", ["天河", "no", "me", "1", "", "中", "x" * 10_000, "💉"])
def test_what_names_no_country(typed: str) -> None:
    assert read_country(typed) is None


# -- names that are no name --------------------------------------------------------------------


def test_a_placeholder_is_refused_at_the_name_step(phone: Phone, store: Store) -> None:
    phone.run("登记", "1", "1")
    for typed in ("NULL", "null", "none", "N/A", "无", "test", "測試"):
        said = phone.say(typed)
        assert "请只回复姓名" in said or "請只回覆姓名" in said, (typed, said)
        assert "证件类型" not in said and "證件類型" not in said, said  # the name asked again
    phone.run("张三", "1", "440106199001011235", "1", "1")
    (person,) = registered(store)
    assert person.name == "张三"


def test_a_placeholder_typed_with_the_id_number_keeps_the_name(phone: Phone, store: Store) -> None:
    """李雷 4401… at the ID step takes the name typed again with it; NULL 4401… does not."""
    phone.run("登记", "1", "1", "张三", "1")
    assert "手机号" in phone.say("NULL 440106199001011235")
    phone.run("1", "1")
    (person,) = registered(store)
    assert person.name == "张三"


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("NULL", Kind.NOT_A_NAME),
        ("N/A", Kind.NOT_A_NAME),
        ("test", Kind.NOT_A_NAME),
        ("无", Kind.NOBODY),  # at the companion's step: no one comes
        ("none", Kind.NOBODY),
        ("李芳", Kind.NAME),
        ("Peter Wong", Kind.NAME),
    ],
)
def test_a_placeholder_is_no_companion_either(typed: str, kind: Kind) -> None:
    assert read_name(typed, typed, Entities(), companion=True).kind is kind


# -- the hotline ---------------------------------------------------------------------------


HOTLINE_ASKED = (
    ("热线电话几多号", ("12345", "回复 人工")),
    ("客服电话是多少", ("12345", "回复 人工")),
    ("熱線電話幾號", ("12345", "回覆 人工")),
    ("what's the hotline number?", ("12345", "Reply AGENT")),
)


def test_asking_for_the_hotline_gets_the_number_and_files_no_call_back(
    engine: Engine, store: Store
) -> None:
    for n, (message, expected) in enumerate(HOTLINE_ASKED):
        said = Phone(engine, f"+861390013900{n}").say(message)
        for part in expected:
            assert part in said, said
    assert store.callback_count() == 0
    said = Phone(engine, "+8613900139009").say("人工")  # asking for a person files one
    assert "回电" in said, said
    assert store.callback_count() == 1


def test_the_hotline_number_comes_from_the_policy(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[contact]\nhotline = "020-8888 1234"\n', "utf-8")
    other = Phone(Engine(store, load_policy(path), clock), "+8613900139000")
    said = other.say("热线几号")
    assert "020-8888 1234" in said and "12345" not in said, said


def test_a_hotline_that_is_no_number_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[contact]\nhotline = "call us"\n', "utf-8")
    with pytest.raises(PolicyError, match=r"contact\.hotline"):
        load_policy(path)


# -- long messages -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def interpreter(policy: Policy) -> Interpreter:
    return Interpreter(policy, lambda: [])


LONG_ZH = (
    "你好，我想帮我妈妈预约第一针，周六上午天河体育中心，她身体一直都好好，平时有散步，"
    "没有什么病，我是她女儿，我会陪她一起去，麻烦你们帮忙安排一下，谢谢你们的辛苦工作，"
    "真的非常感谢，祝你们工作顺利身体健康万事如意啊"
)
LONG_HANT = "您好，請問本人想預約第一劑新冠疫苗，時間最好係星期六上午，" + "唔該晒！多謝你哋！" * 12
LONG_EN = (
    "Hello, I'd like to book the first dose for my mother, she is 72, Saturday morning in "
    "Tianhe if possible"
)


@pytest.mark.parametrize(
    "message",
    [
        LONG_ZH,  # 105 characters
        LONG_HANT,
        LONG_EN,  # 103
        LONG_EN + ". Thank you so much for all your help, the whole family appreciates it!" * 5,
        LONG_ZH + "，" + "谢谢" * 150,  # up to the 500-character limit
    ],
)
def test_a_long_message_keeps_its_day_and_part_of_day(
    interpreter: Interpreter, message: str
) -> None:
    message = message[:500]
    assert len(message) > 100
    today = date(2021, 6, 17)
    when = parse_when(message, today)
    assert when is not None and when.day == date(2021, 6, 19) and when.part == "morning"
    reading = interpreter.read(message, today)
    assert reading.intent == "book"
    assert reading.entities.day == date(2021, 6, 19) and reading.entities.part == "morning"


def test_over_the_hard_limit_nothing_is_read() -> None:
    assert parse_when(LONG_ZH + "啊" * 500, date(2021, 6, 17)) is None
