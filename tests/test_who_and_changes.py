"""Who a booking is for, said in words, and a change of mind inside the booking: the person is
found by the relation they were registered as (never a woman for 我爸), the one whose dose is
due is taken for 打第二针, someone not registered yet can be chosen, and 算了，改成后天 changes the
booking in progress instead of moving a booking that does not exist."""

from __future__ import annotations

from datetime import datetime

import pytest

from flows.policy import Policy
from store import Store
from tests.conftest import Clock, Phone
from tests.doses_import_support import dose, run
from tests.free_text_support import MOTHER, REGISTER_SELF, ZHANG, texts, with_dose_1

BACKENDS = ("sqlite", "postgresql")
AUNT = "440106195506061221"  # a woman born 1955


def register_relative(phone: Phone, name: str, id_number: str) -> None:
    """A relative registered from the menu (家人或他人): no relation named."""
    phone.run("登记", "1", "2", f"{name} {id_number}", "13900139000", "1")


def test_a_father_is_never_guessed_to_be_a_woman_on_the_phone(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    register_relative(phone, "李秀英", MOTHER)
    said = texts(phone.send("帮我爸约明天上午"))
    assert "李秀英" not in said and "请确认" not in said
    assert "预登记须知" in said  # he is registered first


def test_a_relative_not_named_at_registration_is_asked_about_with_someone_new(
    phone: Phone, store: Store
) -> None:
    phone.run(*REGISTER_SELF)
    register_relative(phone, "李秀英", MOTHER)
    [asked] = phone.send("帮我妈约明天上午")
    assert asked.text.endswith("为谁预约？")
    assert [o.label for o in asked.options] == ["李秀英", "新的人"]
    assert "预登记须知" in phone.say("2")  # someone else: registered as the mother, then booked
    phone.run("1", f"王芳 {AUNT}", "13900139001", "1")
    people = {p.name: p.relation for p in store.residents_of(store.residents_of(1)[0].account_id)}
    assert people.get("王芳") == "mother"


def test_a_relative_registered_as_mother_is_booked_by_saying_so(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    phone.run("帮我妈妈登记", "1", f"李秀英 {MOTHER}", "13900139000", "1")
    said = texts(phone.send("帮我妈约明天上午"))
    assert "为谁预约" not in said and "李秀英有以下情况吗" in said


def test_dose_2_is_booked_for_the_one_whose_dose_2_is_due(
    phone: Phone, store: Store, clock: Clock
) -> None:
    with_dose_1(phone, store, clock)
    register_relative(phone, "李秀英", MOTHER)
    said = texts(phone.send("我想明天上午在天河体育中心打第二针"))
    assert "为谁预约" not in said and "张三有以下情况吗" in said


def test_a_change_of_mind_at_the_health_questions_changes_the_booking_in_progress(
    phone: Phone, store: Store, clock: Clock
) -> None:
    with_dose_1(phone, store, clock)
    phone.send("我想明天上午在天河体育中心打第二针")
    changed = phone.say("算了，改成后天")
    # the list already shown for 张三: asked again in one line (SMS)
    assert changed == "好的，改为：6月19日 周六。\n张三有以上情况吗？请回复 没有 或序号"
    times = phone.say("没有")
    assert "6月19日 周六 请选择时段" in times and "14:00" not in times  # still the morning
    assert "请确认：张三，第2剂，6月19日 周六 08:00-10:00" in phone.say("1")


def test_a_change_of_mind_while_registering_first_is_kept_for_the_booking(
    phone: Phone,
) -> None:
    phone.run("预约", "1", "1", "李雷")
    changed = phone.say("算了，改成后天")
    assert changed.startswith("好的，改为：6月19日 周六。") and changed.endswith("请选择证件类型：")
    assert "身份证号码" in phone.say("1")  # the registration goes on


def test_not_me_but_my_mother_at_the_name_question_says_who_not_a_name(
    phone: Phone, store: Store
) -> None:
    phone.run("预约", "1", "1")  # for myself…
    said = phone.say("不是我，是给我妈约")
    assert said == "好的，为家人登记。\n请输入接种人姓名（与证件一致）："
    phone.run(f"李秀英 {MOTHER}", "13900139000", "1")
    [person] = store.residents_of(store.residents_of(1)[0].account_id)
    assert (person.name, person.relation) == ("李秀英", "mother")


def test_the_name_typed_again_with_the_id_number_is_taken(phone: Phone, store: Store) -> None:
    phone.run("预约", "1", "1", "李雷", "1")
    assert phone.say(f"李 雷 {ZHANG}").startswith("接种人手机号")
    phone.run("1", "1")
    [person] = store.residents_of(store.residents_of(1)[0].account_id)
    assert person.name == "李 雷"


@pytest.mark.parametrize(
    ("sentence", "said", "not_said"),
    [
        # a correction: what comes after it, in the afternoon
        (
            "我想明天上午在天河体育中心打第二针，不对，后天下午",
            ["6月19日 周六"],
            ["6月18日", "08:00"],
        ),
        # alternatives: the day is asked
        ("明天上午或者后天下午在天河体育中心打第二针", ["请选择日期"], []),
        # a day beyond reach: said with the days
        ("我想9999年12月31日上午在天河体育中心打第二针", ["9999年12月31日", "请选择日期"], []),
    ],
)
def test_the_days_named_in_the_first_sentence_after_the_health_questions(
    phone: Phone, store: Store, clock: Clock, sentence: str, said: list[str], not_said: list[str]
) -> None:
    with_dose_1(phone, store, clock)
    phone.send(sentence)
    reply = phone.say("没有")
    assert all(part in reply for part in said) and not any(part in reply for part in not_said)


def test_a_person_named_in_the_request_is_booked_without_asking(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    register_relative(phone, "李秀英", MOTHER)
    said = texts(phone.send("帮李秀英约明天上午"))
    assert "为谁预约" not in said and "李秀英有以下情况吗" in said


def test_someone_else_on_the_phone_named_mid_flow_is_booked_instead(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    register_relative(phone, "李秀英", MOTHER)
    phone.send("我想明天上午在天河体育中心打疫苗")
    assert "张三有以下情况吗" in phone.say("1")  # 张三 chosen
    changed = phone.say("不是我，是给李秀英约")
    assert "李秀英有以下情况吗" in changed and "张三" not in changed
    times = phone.say("没有")
    assert "6月18日 周五 请选择时段" in times and "14:00" not in times  # the day and morning kept


def test_family_imported_on_one_phone_is_reached_by_relation(
    phone: Phone, store: Store, policy: Policy, now: datetime
) -> None:
    """Two people imported for the same number (vaxbot doses import): the first is the phone's
    owner, the next family; 帮我阿妈约 asks about the woman, and an ID typed for her books her."""
    him = dose(name="张三", id_number=ZHANG, phone="13800138000")
    her = dose(name="李秀英", id_number=MOTHER, phone="13800138000", date="2021-05-03")
    assert [r.status for r in run(store, policy, now, him, her)] == ["imported", "imported"]
    account = store.account_of("sms", "+8613800138000")
    assert account is not None
    relations = {p.name: p.relation for p in store.residents_of(account)}
    assert relations == {"张三": "self", "李秀英": "other"}
    [asked] = phone.send("帮我阿妈约听日上午打第二针")
    assert asked.text.endswith("为谁预约？")
    assert [o.label for o in asked.options] == ["李秀英", "新的人"]
    assert "李秀英有以下情况吗" in phone.say("1")


def test_an_id_already_on_this_phone_typed_while_registering_goes_on_to_book(
    phone: Phone,
) -> None:
    phone.run(*REGISTER_SELF)
    register_relative(phone, "李秀英", MOTHER)
    phone.run("帮我奶奶约明天上午", "2", "1")  # someone else (register first), consent
    said = phone.say(f"李秀英 {MOTHER}")  # she was on this phone after all
    assert "李秀英已在本号码登记" in said and "李秀英有以下情况吗" in said
