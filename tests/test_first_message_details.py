"""Details a resident puts in the very first message (我叫张三，住天河，想约明天上午打针; 帮我妈约，
她叫王秀英，住海珠; Hi, I'm Li Wei, I live in Baiyun): the registration takes them and does not
ask again, says them back, and still asks what was not said; an ID that is not valid is asked
again with the reason; two names are asked about, never chosen; nothing is booked before the
booking's confirmation."""

from __future__ import annotations

import pytest

from store import Resident, Store
from tests.conftest import Phone
from tests.free_text_support import REGISTER_SELF, ZHANG, texts

MOTHER = "440105195208084568"  # born 8 August 1952, a woman, Haizhu's area code


def people(store: Store, phone: Phone) -> list[Resident]:
    account = store.account_of(phone.channel, phone.address)
    return store.residents_of(account) if account is not None else []


def no_bookings(store: Store, phone: Phone) -> bool:
    return all(not store.bookings_of(p.id) for p in people(store, phone))


@pytest.mark.parametrize(
    ("first", "name", "district"),
    [
        ("我叫张三，住天河，想约明天上午打针", "张三", "tianhe"),
        ("我係陳大文，住喺白雲，想約聽日打第一針", "陳大文", "baiyun"),
        ("你好 我系黄伟明 住喺越秀 想约听日下昼", "黄伟明", "yuexiu"),
        ("嗯，我是李伟啊，家住番禺，帮我约下周六", "李伟", "panyu"),
        ("住海珠，想约周六，我叫欧阳娜娜", "欧阳娜娜", "haizhu"),
        ("Hi, I'm Li Wei, I live in Baiyun, I want a jab on Saturday", "Li Wei", "baiyun"),
        (
            "my name is Chen Ming, I live in Haizhu, book my first dose tomorrow",
            "Chen Ming",
            "haizhu",
        ),
    ],
)
def test_a_name_and_home_district_in_the_first_message_are_not_asked_again(
    phone: Phone, store: Store, first: str, name: str, district: str
) -> None:
    said = texts(phone.run(first, "1"))  # the consent
    assert name in said  # said back: 已按您所说记下：张三，天河区。
    assert "为谁登记" not in said and "Who is this" not in said
    assert "姓名" not in said and "name?" not in said.casefold()
    said = texts(phone.run("1", ZHANG, "1"))  # resident ID, the number, this phone
    assert "您住在" not in said and "请选择所在区" not in said and "district" not in said
    [person] = people(store, phone)
    assert (person.name, person.district_id, person.relation) == (name, district, "self")
    assert no_bookings(store, phone)  # the booking goes on to its confirmation


def test_everything_said_is_said_back_and_the_booking_is_still_confirmed(
    phone: Phone, store: Store
) -> None:
    said = texts(phone.run(f"我叫张三，身份证{ZHANG}，电话13912345678，住天河，想约明天上午", "1"))
    assert "已按您所说记下：张三，身份证4401**********1235，手机139****5678，天河区。" in said
    assert "预登记成功！张三的预登记码" in said and "张三有以下情况吗" in said
    said = texts(phone.run("没有", "1"))  # health; the site
    [person] = people(store, phone)
    assert (person.phone, person.district_id) == ("+8613912345678", "tianhe")
    assert no_bookings(store, phone)
    said = texts(phone.run("1"))  # the period
    assert "请确认：张三" in said
    assert no_bookings(store, phone)
    phone.send("1")
    assert not no_bookings(store, phone)


def test_a_relatives_name_district_and_a_phone_for_her_are_kept(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF)
    said = texts(phone.run("帮我妈约，她叫王秀英，佢冇手机，打我电话13712345678，住海珠", "1"))
    assert "为谁登记" not in said and "姓名" not in said
    assert "王秀英" in said and "137****5678" in said and "海珠区" in said
    said = texts(phone.run("1", MOTHER))
    assert "手机号" not in said and "您住在" not in said
    assert "预登记成功！王秀英的预登记码" in said
    mother = next(p for p in people(store, phone) if p.name == "王秀英")
    assert (mother.relation, mother.phone, mother.district_id) == (
        "mother",
        "+8613712345678",
        "haizhu",
    )


def test_the_senders_own_name_is_not_given_to_the_relative(phone: Phone) -> None:
    said = texts(phone.run("我叫张三，帮我妈约明天", "1"))
    assert said.endswith("请输入接种人姓名（与证件一致）：")
    assert "记下：张三" not in said


def test_an_id_with_a_bad_check_digit_is_asked_again_with_the_reason(
    phone: Phone, store: Store
) -> None:
    wrong = ZHANG[:-1] + "4"
    said = texts(phone.run(f"你好，我是李伟，身份证{wrong}，想预约", "1"))
    assert "校验位不符" in said and said.endswith("请输入18位居民身份证号码：")
    assert "请输入接种人姓名" not in said and "4401**********1234" not in said
    assert "手机号" in phone.say(ZHANG)
    assert people(store, phone) == []  # not registered before the end


def test_two_names_are_asked_about_not_guessed(phone: Phone, store: Store) -> None:
    said = phone.run("我叫张三，我叫李四，想预约", "1")
    assert "您写了两个名字（张三，李四），请问接种人是哪一位？" in texts(said)
    assert [o.label for o in said[-1].options] == ["张三", "李四"]
    assert "证件类型" in phone.say("2")
    phone.run("1", ZHANG, "1", "1")
    assert [p.name for p in people(store, phone)] == ["李四"]


def test_a_name_beside_the_id_and_another_introduced_are_asked_about(phone: Phone) -> None:
    said = texts(phone.run(f"我叫张三，想预约，李四 {ZHANG}", "1"))
    assert "两个名字（张三，李四）" in said


def test_two_phone_numbers_are_asked_about(phone: Phone, store: Store) -> None:
    said = texts(phone.run("我叫赵六，电话13800138001 或者 13900139000，想预约", "1", "1", ZHANG))
    assert "您写了两个号码（138****8001，139****9000）" in said
    phone.run("13900139000", "1")
    [person] = people(store, phone)
    assert person.phone == "+8613900139000"


def test_a_new_name_on_a_phone_with_someone_registered_registers_them(
    phone: Phone, store: Store
) -> None:
    phone.run(*REGISTER_SELF)  # 张三
    said = texts(phone.run("我叫李四，住越秀，想约明天", "1"))
    assert "已按您所说记下：李四，越秀区。" in said
    assert "张三有以下情况吗" not in said


def test_words_that_are_no_name_are_not_taken(phone: Phone) -> None:
    for first in ("我是外地人，想预约明天", "我是王先生，想约明天", "I'm 70, book me for tomorrow"):
        phone.send("退出")
        said = texts(phone.run(first, "1"))
        assert "记下" not in said and "Taken from" not in said, first


def test_at_who_it_is_for_a_name_with_a_district_keeps_the_district(
    phone: Phone, store: Store
) -> None:
    said = texts(phone.run("我想预约", "1", "我叫张三，住喺白雲"))
    assert said.endswith("是为您本人（张三）登记吗？")  # a name at 为谁登记: asked, as before
    said = texts(phone.run("是"))
    assert said.endswith("请选择证件类型：")
    phone.run("1", ZHANG, "1")
    [person] = people(store, phone)
    assert (person.name, person.relation, person.district_id) == ("张三", "self", "baiyun")


def test_a_name_answered_with_a_phone_and_district_keeps_them(phone: Phone, store: Store) -> None:
    said = texts(phone.run("我想预约", "1", "1", "张三，住天河，电话13912345678"))
    assert "已按您所说记下：张三，手机139****5678，天河区。" in said
    said = texts(phone.run("1", ZHANG))
    assert "手机号" not in said and "预登记成功！张三的预登记码" in said
    [person] = people(store, phone)
    assert (person.name, person.phone, person.district_id) == ("张三", "+8613912345678", "tianhe")
