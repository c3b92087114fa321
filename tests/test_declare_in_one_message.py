"""A dose 1 given elsewhere, declared in one message: every detail it states is taken, at
whichever declaration step it is said, and only what is missing is asked."""

from __future__ import annotations

from datetime import date

import pytest

from store import Store
from tests.conftest import Phone

BACKENDS = ("sqlite", "postgresql")
ZHANG = "440106199001011235"
REGISTER_SELF = ("登记", "1", "1", "张三", "1", ZHANG, "1", "1")
SENTENCE = "5月20号在白云国际会议中心打的国药"


def declared(store: Store) -> tuple[int, date, str, str | None, str]:
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None
    [dose] = store.doses_of(resident.id)
    site = store.site(dose.site_id) if dose.site_id is not None else None
    return dose.dose, dose.day, dose.product_id, site.name_zh if site else None, dose.source


def test_the_whole_declaration_at_the_yes_no_question(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF)
    assert "别处" in phone.say("预约第二针")
    assert "张三有以下情况吗" in phone.say(SENTENCE)  # a yes, and every detail: no more asked
    assert declared(store) == (
        1, date(2021, 5, 20), "bbibp", "白云国际会议中心接种点", "declared",
    )  # fmt: skip
    where = phone.say("没有")
    assert "请选择接种地点" in where  # the declared site is dose 1's, not the booking's choice
    phone.run("1", "1")  # the site of dose 1, its first day
    confirm = phone.say("1")
    assert "第1针为自报，请带接种凭证。" in confirm  # for the site to check


def test_the_whole_declaration_at_the_date_question(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF, "预约第二针")
    assert "哪天" in phone.say("1")
    assert "张三有以下情况吗" in phone.say(SENTENCE)
    assert declared(store)[1:4] == (date(2021, 5, 20), "bbibp", "白云国际会议中心接种点")


def test_only_what_is_missing_is_asked(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF, "预约第二针")
    assert "哪种疫苗" in phone.say("5月20号打的")  # a yes with its day: the maker next
    assert "哪个区" in phone.say("科兴")
    assert "张三有以下情况吗" in phone.say("天河体育中心")
    assert declared(store)[1:4] == (date(2021, 5, 20), "coronavac", "天河体育中心接种点")


def test_a_maker_and_site_at_the_maker_question(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF, "预约第二针", "1", "5月20日")
    assert "张三有以下情况吗" in phone.say("国药，在白云国际会议中心")
    assert declared(store)[2:4] == ("bbibp", "白云国际会议中心接种点")


def test_an_answer_saying_nothing_of_dose_1_is_asked_again(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF)
    phone.say("预约第二针")
    assert "请回复 1 到 2 之间的数字" in phone.say("谢谢")
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None and store.doses_of(resident.id) == []


def test_dose_1_said_in_the_booking_request_is_declared_not_wanted(
    phone: Phone, store: Store
) -> None:
    """explore9 5: 我第一针5月20日在白云打的国药，想约第二针 from a new resident: after the
    registration dose 1 is recorded from the request (not asked again), and 5月20日 is no day
    wanted for dose 2 ("5月20日 周四已过" was said at the date question)."""
    replies = phone.run(
        "我第一针5月20日在白云打的国药，想约第二针", "1", "1", "张三", "1", ZHANG, "1", "1"
    )
    said = "\n".join(reply.text for reply in replies)
    assert "已记录第1针（自报）：5月20日 周四，国药" in said and "张三有以下情况吗" in said
    assert declared(store) == (1, date(2021, 5, 20), "bbibp", None, "declared")
    phone.say("没有")
    assert "已过" not in phone.say("1")  # the first site offered: its days, none of them past


def test_a_request_saying_part_of_dose_1_asks_the_rest(phone: Phone) -> None:
    phone.run("I had my first shot on 20 May, Sinovac, want my second")
    said = "\n".join(r.text for r in phone.run("1", "1", "Zhang San", "1", ZHANG, "1", "1"))
    assert said.endswith("Which district or site was it? Reply DON'T KNOW if unsure.")


# -- the yes/no question answered in words ---------------------------------------------------

GIVEN = ["是", "係", "yes", "打过了", "在别处打的", "係啊，喺外地打咗", "第一针在医院打的",
         "I already had it in Beijing", "对"]  # fmt: skip
NOT_GIVEN = ["不是", "唔係", "冇", "没有", "no", "没打过", "冇打过", "还没打", "not yet",
             "唔係喺外地打嘅", "I haven't had it"]  # fmt: skip


@pytest.mark.parametrize("said", GIVEN)
def test_dose_1_told_as_given_in_words_goes_on_to_its_day(phone: Phone, said: str) -> None:
    """A yes/no question of fact: 是/係/打过了 say yes (they were asked for a number)."""
    phone.run(*REGISTER_SELF, "预约第二针")
    assert phone.say(said).endswith(("第1针是哪天打的？如 5月20日", "第1針是哪天打的？如 5月20日",
                                     "When was dose 1? e.g. 20 May"))  # fmt: skip


@pytest.mark.parametrize("said", NOT_GIVEN)
def test_dose_1_told_as_not_given_books_dose_1(phone: Phone, store: Store, said: str) -> None:
    phone.run(*REGISTER_SELF, "预约第二针")
    reply = phone.say(said)
    assert "有以下情况" in reply or "有以下情況" in reply or "any of these" in reply
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None and store.doses_of(resident.id) == []


def test_ok_is_no_answer_to_whether_dose_1_was_given(phone: Phone) -> None:
    phone.run(*REGISTER_SELF, "预约第二针")
    assert "请回复 1 到 2 之间的数字" in phone.say("好")
