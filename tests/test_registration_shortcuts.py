"""What new users hit when registering (issue 13): an ID typed where a number was asked, a name
and an ID in one message, the district suggested by the ID, who it is for said beforehand, and
booking right after registering. Through the engine, as a resident texts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from bot.matching import Command, command_of
from channels.console.texts import UI
from flows import FLOWS
from flows.dialogue import Answer, Ctx, Next, yes_no
from flows.identity import check_character
from flows.policy import Policy, PolicyError, load_policy
from flows.texts import text
from store import Resident, Store
from tests.conftest import Phone
from tests.test_engine import ID_MALE_1990, conversation

ME = "+8613800138000"


def resident_id(first17: str) -> str:
    return first17 + check_character(first17)


ID_YUEXIU_OLD = resident_id("44010219550101123")  # 东山区 (440102), now Yuexiu: born 1955
ID_BEIJING = resident_id("11010119800101123")  # Dongcheng, Beijing
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ID_BAD_CHECKSUM = ID_MALE_1990[:-1] + ("4" if ID_MALE_1990[-1] != "4" else "5")


def people(store: Store, phone: Phone) -> list[Resident]:
    account = store.account_of(phone.channel, phone.address)
    return store.residents_of(account) if account is not None else []


def step(store: Store) -> str | None:
    state = conversation(store)
    return None if state is None else state["step"]


def registered(store: Store, phone: Phone) -> Resident:
    [person] = people(store, phone)
    return person


# -- an ID typed at the document question, or together with the name --------------------------


def test_an_id_typed_at_the_document_question_is_taken_as_a_resident_id(
    phone: Phone, store: Store
) -> None:
    phone.run("登记", "1", "1", "张三")
    assert "请选择证件类型" in phone.say("1x")  # not an ID, not a number: asked again
    assert step(store) == "document"

    assert phone.say(ID_MALE_1990).startswith("接种人手机号")
    phone.run("1", "1")
    person = registered(store, phone)
    assert (person.name, person.id_number, person.sex) == ("张三", ID_MALE_1990, "M")


def test_an_id_with_a_wrong_check_digit_at_the_document_question_is_validated_as_usual(
    phone: Phone, store: Store
) -> None:
    phone.run("登记", "1", "1", "张三")
    reply = phone.say(ID_BAD_CHECKSUM)
    assert "校验位不符" in reply and "请输入18位居民身份证号码" in reply
    assert step(store) == "id_number"
    assert phone.say(ID_MALE_1990).startswith("接种人手机号")


@pytest.mark.parametrize(
    ("message", "name"),
    [
        (f"张三 {ID_MALE_1990}", "张三"),
        (f"张三，身份证{ID_MALE_1990}", "张三"),
        (f"张三 身份证号码：{ID_MALE_1990}", "张三"),
        (f"{ID_MALE_1990} 张三", "张三"),
        ("张三　" + ID_MALE_1990.translate(FULL_WIDTH), "张三"),
        (f"Zhang San, ID {ID_MALE_1990}", "Zhang San"),
        (f"欧阳 娜娜 {ID_MALE_1990}", "欧阳 娜娜"),
    ],
)
def test_a_name_and_an_id_in_one_message_skip_the_document_questions(
    phone: Phone, store: Store, message: str, name: str
) -> None:
    phone.run("登记", "1", "1")
    phone.run(message)
    assert step(store) == "phone"  # asked in the message's language: English for "Zhang San"
    phone.run("1", "1")
    person = registered(store, phone)
    assert (person.name, person.id_type, person.id_number) == (name, "resident_id", ID_MALE_1990)


def test_a_name_with_an_id_that_is_not_valid_keeps_the_name_and_asks_for_the_id(
    phone: Phone, store: Store
) -> None:
    phone.run("登记", "1", "1")
    reply = phone.say(f"张三 {ID_BAD_CHECKSUM}")
    assert "校验位不符" in reply and "请输入18位居民身份证号码" in reply
    assert phone.say(ID_MALE_1990).startswith("接种人手机号")
    phone.run("1", "1")
    assert registered(store, phone).name == "张三"


def test_an_id_alone_at_the_name_question_is_no_name(phone: Phone, store: Store) -> None:
    """It is kept, and the name asked: then the ID questions are skipped."""
    phone.run("登记", "1", "1")
    assert "证件号码已记下。\n请输入接种人姓名" in phone.say(ID_MALE_1990)
    assert step(store) == "name" and people(store, phone) == []
    assert "手机号" in phone.say("张三")


def test_a_name_and_an_id_registered_elsewhere_is_refused_like_the_id_alone(
    phone: Phone, engine: Any, store: Store
) -> None:
    phone.run("登记", "1", "1", "张三", "1", ID_MALE_1990, "1", "1")
    other = Phone(engine, "+8613900139000")
    other.run("登记", "1", "2")
    reply = other.say(f"张三 {ID_MALE_1990}")
    assert "不能在此登记" in reply and "人工" in reply  # how to get help, and nothing more:
    assert "已登记" not in reply and "8000" not in reply  # not whether, nor whose phone
    assert people(store, other) == []


# -- the district, suggested by the ID ------------------------------------------------------------


def test_the_district_of_the_id_is_suggested_and_confirmed(phone: Phone, store: Store) -> None:
    phone.run("登记", "1", "1", f"张三 {ID_MALE_1990}")
    replies = phone.send("1")
    assert replies[-1].text == "您住在天河区吗？"
    assert [o.label for o in replies[-1].options] == ["是", "选择其他区"]
    assert "预登记成功" in phone.say("是")
    assert registered(store, phone).district_id == "tianhe"


def test_someone_living_elsewhere_picks_their_district(phone: Phone, store: Store) -> None:
    phone.run("登记", "1", "1", f"张三 {ID_MALE_1990}", "1")
    assert "请选择居住地所在区" in phone.say("2")
    assert "预登记成功" in phone.say("海珠")
    assert registered(store, phone).district_id == "haizhu"


def test_an_old_area_code_suggests_the_district_it_became(phone: Phone, store: Store) -> None:
    phone.run("登记", "1", "2", f"刘洋 {ID_YUEXIU_OLD}")
    assert phone.say("13900139000") == "刘洋住在越秀区吗？"
    phone.run("1")
    assert registered(store, phone).district_id == "yuexiu"


def test_the_suggestion_in_english(phone: Phone, store: Store) -> None:
    phone.run("register", "1", "1", f"Zhang San {ID_MALE_1990}")
    assert phone.send("1")[-1].text == "Do you live in Tianhe?"
    phone.run("2")
    phone.run("register", "1", "2", f"Liu Yang {ID_YUEXIU_OLD}")
    replies = phone.send("13900139000")
    assert replies[-1].text == "Does Liu Yang live in Yuexiu?"
    assert [o.label for o in replies[-1].options] == ["Yes", "Choose another district"]


@pytest.mark.parametrize("document", ["id-from-beijing", "passport"])
def test_without_a_guangzhou_id_the_district_list_comes_at_once(
    phone: Phone, store: Store, document: str
) -> None:
    if document == "passport":
        phone.run("登记", "1", "1", "John Smith", "2", "E12345678", "英国", "1980-01-01")
    else:
        phone.run("登记", "1", "1", f"张三 {ID_BEIJING}")
    assert "请选择居住地所在区" in phone.say("1")
    phone.run("2")
    assert registered(store, phone).district_id is not None


EXPECTED_AREAS = {
    "440102": "yuexiu", "440103": "liwan", "440104": "yuexiu", "440105": "haizhu",
    "440106": "tianhe", "440107": "liwan", "440111": "baiyun", "440112": "huangpu",
    "440113": "panyu", "440114": "huadu", "440115": "nansha", "440116": "huangpu",
    "440117": "conghua", "440118": "zengcheng", "440181": "panyu", "440182": "huadu",
    "440183": "zengcheng", "440184": "conghua",
}  # fmt: skip


@pytest.mark.parametrize(("code", "district"), EXPECTED_AREAS.items())
def test_each_guangzhou_area_code_names_its_district(
    policy: Policy, code: str, district: str
) -> None:
    assert policy.district_of_id(code + "199001011235") == district


@pytest.mark.parametrize("code", ["440101", "440100", "110101", "441900", ""])
def test_other_area_codes_name_no_district(policy: Policy, code: str) -> None:
    assert policy.district_of_id(code + "199001011235") is None


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ('[districts.tianhe]\narea_codes = ["44010"]\n', "districts.tianhe.area_codes"),
        ('[districts.tianhe]\narea_codes = ["4401O6"]\n', "6 digits"),
        ('[districts.haizhu]\narea_codes = ["440105", "440106"]\n', "440106 is in both"),
    ],
)
def test_area_codes_in_a_policy_file_are_checked(
    tmp_path: Any, override: str, problem: str
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(override, "utf-8")
    with pytest.raises(PolicyError, match=problem):
        load_policy(path)


# -- who it is for, said before registration began ---------------------------------------------


def _ctx(store: Store, policy: Policy, now: datetime, data: dict[str, Any]) -> Ctx:
    account = store.account_for("sms", ME, ME, now)
    return Ctx(store, policy, now, "zh", "sms", ME, lambda: account, "self:sms", data=data)


@pytest.mark.parametrize(
    ("said", "stored"),
    [("self", "self"), ("mother", "mother"), ("grandfather", "grandfather"), ("other", "other")],
)
def test_who_it_is_for_said_beforehand_is_not_asked_again(
    store: Store, policy: Policy, now: datetime, said: str, stored: str
) -> None:
    """The interpreter carries ``relation`` into the flow's data ("帮我妈妈登记"); it is kept as
    said, so that 帮我妈约 finds her later."""
    data: dict[str, Any] = {"relation": said}
    consent = FLOWS["register"].steps["consent"]
    agree = yes_no("同意", "不同意")[0]
    outcome = consent.answer(_ctx(store, policy, now, data), Answer("1", agree))
    assert outcome == Next("name")
    assert data["relation"] == stored


def test_without_it_the_question_is_asked(store: Store, policy: Policy, now: datetime) -> None:
    consent = FLOWS["register"].steps["consent"]
    agree = yes_no("同意", "不同意")[0]
    assert consent.answer(_ctx(store, policy, now, {}), Answer("1", agree)) == Next("who")


@pytest.mark.parametrize(
    ("message", "relation"),
    [
        ("帮我妈妈登记", "mother"),  # registration asked for in words
        ("帮我妈妈预约", "mother"),  # a booking for someone not yet registered: registration first
        ("我要给自己预约", "self"),
        ("I want to register my father", "father"),
    ],
)
def test_who_it_is_for_in_the_first_message_is_not_asked(
    phone: Phone, store: Store, message: str, relation: str
) -> None:
    phone.run(message)
    assert phone.say("1").endswith(("请输入接种人姓名（与证件一致）：", "as on the ID:"))
    phone.run(f"刘洋 {ID_YUEXIU_OLD}", "13900139000", "1")
    assert registered(store, phone).relation == relation


# -- booking right after registering ------------------------------------------------------------


def register_me_and_mother(phone: Phone) -> list[Any]:
    phone.run("登记", "1", "1", f"张三 {ID_MALE_1990}", "1", "1")
    phone.run("登记", "1", "2", f"刘洋 {ID_YUEXIU_OLD}", "13900139000")
    return phone.send("1")  # lives in Yuexiu: yes


def test_registering_ends_with_an_offer_to_book_for_the_person(phone: Phone) -> None:
    replies = register_me_and_mother(phone)
    assert "预登记成功" in replies[-1].text and "刘洋" in replies[-1].text
    assert [(o.key, o.label) for o in replies[-1].options] == [("1", "为刘洋预约接种")]


@pytest.mark.parametrize("answer", ["1", "预约", "book"])
def test_the_next_message_books_for_the_person_just_registered(
    phone: Phone, store: Store, answer: str
) -> None:
    """Two people on this phone, yet no "who is it for?": the one just registered."""
    register_me_and_mother(phone)
    reply = phone.say(answer)
    assert any(text(lang, "screen.all", name="刘洋") in reply for lang in ("zh", "en"))
    state = conversation(store)
    assert state is not None and state["flow"] == "book"
    assert state["data"]["resident_id"] == people(store, phone)[1].id


def test_booking_from_the_offer_first_says_the_district_is_closed_now(phone: Phone) -> None:
    """Like any booking: Haizhu takes bookings 12:00-16:00, and it is 09:00."""
    phone.run("登记", "1", "1", f"张三 {ID_MALE_1990}", "1", "2")
    replies = phone.send("海珠")
    assert [o.label for o in replies[-1].options] == ["为张三预约接种"]
    closed, screening = phone.say("1").split("\n")[:2]
    assert closed == "海珠区每天12:00-16:00开放预约，现在不能预约。今天12:00起可约。"
    assert screening == "张三有以下情况吗？"


def test_the_offer_holds_for_one_message_only(phone: Phone, store: Store) -> None:
    register_me_and_mother(phone)
    phone.run("帮助")
    assert "为谁预约" in phone.say("预约")  # both people: asked who


def test_on_the_way_to_a_booking_the_booking_goes_on_without_an_offer(phone: Phone) -> None:
    replies = phone.run("预约", "1", "1", f"张三 {ID_MALE_1990}", "1", "1")
    assert "预登记成功" in replies[0].text and not replies[0].options
    assert "过敏" in replies[-1].text


# -- the console's hint word ----------------------------------------------------------------------


def test_the_word_the_console_tells_operators_to_type_registers() -> None:
    zh, en = UI["lookup.new"]
    words = re.findall(r"“([^”]+)”", zh + en)
    typed = [word for word in words if word != "代为预约"]
    assert typed == ["登记", "register"]
    assert all(command_of(word) is Command.REGISTER for word in typed)


def test_typing_the_console_word_starts_registration(phone: Phone) -> None:
    assert phone.say("注册").startswith("预登记须知")


def test_a_name_at_the_who_question_asks_whose_it_is_and_keeps_it(
    phone: Phone, store: Store
) -> None:
    phone.run("登记", "1")
    assert phone.say("张伟").startswith("是为您本人（张伟）登记吗？")  # no "reply 1 or 2"
    assert phone.say("2").endswith("请选择证件类型：")  # someone else: the name is kept
    phone.run("1", ID_MALE_1990, "1", "1")
    [person] = people(store, phone)
    assert (person.name, person.relation) == ("张伟", "other")
