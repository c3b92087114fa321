"""A name and an ID number written in the request itself (我想预约，李四 4401…; 帮我妈约明天上午，
王芳 4401…): the registration takes them and does not ask again; an ID number of someone already
on this phone books for them; a number alone is taken once the name is asked."""

from __future__ import annotations

from store import Resident, Store
from tests.conftest import Phone
from tests.free_text_support import MOTHER, REGISTER_SELF, ZHANG, texts

BACKENDS = ("sqlite", "postgresql")


def people(store: Store, phone: Phone) -> list[Resident]:
    account = store.account_of(phone.channel, phone.address)
    return store.residents_of(account) if account is not None else []


def test_a_name_and_id_in_the_request_are_not_asked_again(phone: Phone, store: Store) -> None:
    said = texts(phone.run(f"我想预约打疫苗，张三 {ZHANG}", "1", "1"))
    assert "姓名" not in said and "证件类型" not in said and "身份证号码" not in said
    assert "手机号" in said
    said = texts(phone.run("1", "1"))  # the phone, the district
    assert "预登记成功！张三的预登记码" in said and "张三有以下情况吗" in said
    [me] = people(store, phone)
    assert (me.name, me.id_number, me.relation) == ("张三", ZHANG, "self")


def test_a_relative_written_with_her_id_is_registered_as_that_relative(
    phone: Phone, store: Store
) -> None:
    phone.run(*REGISTER_SELF)
    said = texts(phone.run(f"帮我妈约明天上午，王芳 {MOTHER}", "1"))
    assert "为谁登记" not in said and "姓名" not in said and "身份证号码" not in said
    assert "接种人本人手机号" in said
    assert "预登记成功！王芳的预登记码" in texts(phone.run("13900139000", "1"))
    mother = next(p for p in people(store, phone) if p.name == "王芳")
    assert (mother.id_number, mother.relation) == (MOTHER, "mother")


def test_the_id_of_someone_on_this_phone_books_for_them(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    phone.run("帮我妈妈登记", "1", f"李秀英 {MOTHER}", "13900139000", "1")
    said = texts(phone.send(f"帮{MOTHER}约明天上午"))
    assert "李秀英有以下情况吗" in said and "预登记须知" not in said and "为谁预约" not in said


def test_an_id_without_a_name_is_taken_after_the_name(phone: Phone, store: Store) -> None:
    said = texts(phone.run(f"我要预约，身份证{ZHANG}", "1", "1"))
    assert said.endswith("请输入接种人姓名（与证件一致）：")
    assert "手机号" in phone.say("张三")  # no document type, no ID number asked
    assert [p.id_number for p in people(store, phone)] == []  # not registered before the end


def test_an_id_that_is_not_valid_is_said_and_asked_again(phone: Phone) -> None:
    wrong = ZHANG[:-1] + ("4" if ZHANG[-1] != "4" else "5")
    said = texts(phone.run(f"预约，张三 {wrong}", "1", "1"))
    assert "校验位不符" in said and said.endswith("请输入18位居民身份证号码：")


def test_someone_too_young_is_told_as_soon_as_the_id_is_read(phone: Phone) -> None:
    boy = "440106200501015510"  # born 1 January 2005: 16
    said = texts(phone.run("登记", "1", "1", "陈仔", "1"))
    assert "未满" not in said
    told = phone.say(boy)
    assert told.startswith("陈仔未满18周岁，2023年1月1日")
    assert "手机号" in told  # the registration goes on
