"""Answers typed at each step of registration, screening and booking that are not the options
on screen (session 15, "steps"), and the language of the reply. The corpus
(tests/explore/step_answers.jsonl, every step from the consent to the confirmation) is the
kind; the tests below pin each fix: a hold in English at a Chinese name question answered in
English, an age after a name in English, a time of day that is no time (13:99, 25点, 上午15点)
said to be one, a district typed at the site question read as the district."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.nlu.normalise import simplified
from store import Store
from tests.conftest import Phone
from tests.step_answers_support import FLOOR, corpus, person_id, run, shown

ID = person_id(7)
REGISTER = ("登记", "1", "1", "张三", "1", ID, "1", "1")
AT_SITE = (*REGISTER, "1", "预约", "没有", "1")
AT_PERIOD = (*AT_SITE, "1", "1")


def seen(phone: Phone, text: str) -> str:
    """The replies to ``text`` with their options, as the resident sees them."""
    return shown(phone.send(text))


def test_the_corpus_of_answers_at_each_step(engine: Engine, store: Store) -> None:
    lines = corpus()
    assert len(lines) >= 200
    results = list(run(engine, store, lines))
    right = sum(why is None for _, _, why in results)
    critical = [(line, why, said) for line, said, why in results if why and line.critical]
    assert not critical, "\n\n".join(f"{line}\n{why}\n{said}" for line, why, said in critical)
    assert right / len(results) >= FLOOR, f"{right}/{len(results)}"


# -- the language of a hold at a name question ------------------------------------------------


@pytest.mark.parametrize("text", ["hold on a sec", "wait", "one moment", "hang on"])
def test_holding_on_in_english_at_a_chinese_name_question_is_answered_in_english(
    phone: Phone, store: Store, text: str
) -> None:
    phone.run("登记", "1", "1")
    reply = phone.say(text)
    assert "no hurry" in reply and "name" in reply
    assert "请" not in reply
    assert store.resident_by_document("resident_id", ID) is None


def test_holding_on_in_traditional_at_a_name_question_is_answered_in_traditional(
    phone: Phone,
) -> None:
    phone.run("登记", "1", "1")
    reply = phone.say("請稍等")
    assert "請輸入" in reply and "不急" in reply


def test_holding_on_in_chinese_in_an_english_conversation_is_answered_in_chinese(
    phone: Phone,
) -> None:
    phone.run("register", "1", "1")
    reply = phone.say("等一下")
    assert "不急" in reply and "请输入接种人姓名" in reply


def test_a_name_at_the_name_question_still_keeps_the_language(phone: Phone) -> None:
    phone.run("登记", "1", "1")
    assert "请选择证件类型" in phone.say("Zhang Wei")


# -- an age after a name ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Wang Xiuying, 78", "王秀英,78", "王秀英 七十八"])
def test_an_age_written_after_the_name_is_read(phone: Phone, text: str) -> None:
    phone.run("登记", "1", "2")
    reply = phone.say(text)
    assert "78岁" in reply and "须家属陪同" in reply
    assert "请选择证件类型" in reply  # the name taken without the age
    reply = phone.say("1")
    assert "王秀英" not in reply or "78" not in reply


def test_an_age_in_english_after_the_name_in_an_english_conversation(phone: Phone) -> None:
    phone.run("register", "1", "2")
    reply = phone.say("Wang Xiuying, 78")
    assert "aged 78" in reply and "Choose the identity document" in reply


def test_a_name_with_a_young_age_after_it_is_told_the_rule(phone: Phone) -> None:
    phone.run("登记", "1", "2")
    assert "未满18周岁" in phone.say("王小明, 16")


# -- a time of day that is none ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["13:99", "25点", "0:61", "上午15点", "二十五点", "明天25点"])
def test_a_time_that_is_none_is_said_to_be_none_and_asked_again(
    phone: Phone, store: Store, text: str
) -> None:
    phone.run(*AT_PERIOD)
    reply = phone.say(text)
    assert "不是有效的时间" in reply and "请选择时段" in reply
    assert "请确认" not in reply
    assert "请确认" in phone.say("1")  # the step goes on as before
    resident = store.resident_by_document("resident_id", ID)
    assert resident is not None and not store.active_bookings(resident.id)


def test_a_time_that_is_none_in_english_and_traditional(phone: Phone) -> None:
    phone.run(*AT_PERIOD)
    assert "不是有效的時間" in phone.say("二十五點")
    assert "9:99pm is not a valid time" in phone.say("at 9:99pm")


def test_a_time_that_is_none_at_the_date_question_takes_no_day(phone: Phone) -> None:
    phone.run(*AT_SITE, "1")
    reply = phone.say("明天25点")
    assert "25点不是有效的时间" in reply and "请选择日期" in reply


def test_a_time_that_is_one_is_still_read(phone: Phone) -> None:
    phone.run(*AT_PERIOD)
    assert "14:00-16:00" in phone.say("下午3点")


# -- a district typed at the site question ----------------------------------------------------


@pytest.mark.parametrize("text", ["天河", "天河区", "Tianhe", "天河區"])
def test_the_district_listed_typed_at_the_site_question_shows_its_sites_again(
    phone: Phone, text: str
) -> None:
    phone.run(*AT_SITE)
    reply = simplified(seen(phone, text))
    assert "天河区的接种点" in reply
    assert "石牌街社区卫生服务中心" in reply and "请选择日期" not in reply
    assert "请选择日期" in simplified(seen(phone, "2"))


@pytest.mark.parametrize("text", ["白云", "白云区", "baiyun", "白雲"])
def test_another_district_typed_at_the_site_question_offers_to_switch(
    phone: Phone, text: str
) -> None:
    phone.run(*AT_SITE)
    reply = seen(phone, text)
    assert "天河" in reply and ("白云" in reply or "白雲" in reply)
    assert "请选择日期" not in reply and "請選擇日期" not in reply
    assert "白云国际会议中心接种点" in seen(phone, "1")


def test_staying_in_the_district_listed_shows_its_sites(phone: Phone) -> None:
    phone.run(*AT_SITE, "海珠")
    reply = seen(phone, "2")
    assert "天河体育中心接种点" in reply and "石牌" in reply


def test_switching_in_english(phone: Phone) -> None:
    phone.run("register", "1", "1", "Zhang San", "1", ID, "1", "1", "1", "book", "none", "1")
    reply = seen(phone, "Baiyun")
    assert "Switch to Baiyun" in reply and "Tianhe" in reply
    assert "Baiyun Convention Centre" in seen(phone, "yes")


def test_a_site_typed_at_the_site_question_is_still_the_site(phone: Phone) -> None:
    phone.run(*AT_SITE)
    phone.run("石牌", "1")
    assert "石牌街社区卫生服务中心" in seen(phone, "1")


# -- an option by its place in the list, an emoji after it, agree -----------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [("最后一个", "6月23日"), ("倒数第二个", "6月22日"), ("上面第一个", "6月17日"),
     ("the last one", "6月23日"), ("最后那个吧", "6月23日")],
)  # fmt: skip
def test_a_day_by_its_place_in_the_list(phone: Phone, text: str, day: str) -> None:
    phone.run(*AT_SITE, "1")
    reply = seen(phone, text).replace("23 Jun", "6月23日")
    assert day in reply and ("请选择时段" in reply or "choose a time" in reply)


@pytest.mark.parametrize(("text", "site"), [("上面那个", "天河体育中心"), ("下面那个", "石牌")])
def test_the_top_or_bottom_of_two_sites(phone: Phone, text: str, site: str) -> None:
    phone.run(*AT_SITE, text, "1")
    assert site in seen(phone, "1")


def test_the_top_one_of_many_is_asked_again(phone: Phone) -> None:
    phone.run(*REGISTER, "1", "预约", "没有")
    assert "请选择接种点所在区" in seen(phone, "上面那个")


@pytest.mark.parametrize("text", ["确认👌", "确认 👍", "好的🙏"])
def test_an_emoji_after_the_confirmation_confirms(phone: Phone, store: Store, text: str) -> None:
    phone.run(*AT_PERIOD, "1")
    assert "预约成功" in seen(phone, text)


@pytest.mark.parametrize("text", ["agree", "I agree", "同意👍"])
def test_agreeing_in_words_at_the_consent(phone: Phone, text: str) -> None:
    phone.send("登记")
    reply = seen(phone, text)
    assert "为谁登记" in reply or "Who are you registering" in reply


def test_disagreeing_at_the_consent_still_declines(phone: Phone) -> None:
    phone.send("登记")
    assert "未同意" in seen(phone, "disagree")


# -- an answer, then a question, in one message -----------------------------------------------


def test_none_then_a_question_at_the_health_list_takes_both(phone: Phone) -> None:
    phone.run(*REGISTER, "1", "预约")
    reply = seen(phone, "没有。要带什么证件？")
    assert "身份证" in reply and "符合接种条件" in reply and "请选择接种点所在区" in reply


def test_none_beside_a_condition_and_a_question_takes_no_answer(phone: Phone) -> None:
    phone.run(*REGISTER, "1", "预约")
    reply = seen(phone, "没有，不过我怀孕了可以打吗")
    assert "符合接种条件" not in reply and "有以上情况吗" in reply


def test_agreeing_then_a_question_at_the_consent_takes_both(phone: Phone) -> None:
    phone.send("登记")
    reply = simplified(seen(phone, "同意。請問要錢嗎？"))
    assert "免费" in reply and "为谁登记" in reply


def test_confirming_then_a_question_books_and_answers(phone: Phone, store: Store) -> None:
    phone.run(*AT_PERIOD, "1")
    reply = seen(phone, "确认，要带什么证件")
    assert "预约成功" in reply and "身份证" in reply


@pytest.mark.parametrize("text", ["没有没有", "没有👍", "都冇啊冇啊"])
def test_none_said_twice_or_with_an_emoji_at_the_health_list(phone: Phone, text: str) -> None:
    phone.run(*REGISTER, "1", "预约")
    assert "符合接种条件" in seen(phone, text)


# -- a site by its address or what residents call it ------------------------------------------


@pytest.mark.parametrize(
    ("text", "site"),
    [("天河路", "天河体育中心接种点"), ("天河路299号", "天河体育中心接种点"),
     ("天体", "天河体育中心接种点"), ("石牌东路33号", "石牌街社区卫生服务中心")],
)  # fmt: skip
def test_a_site_by_its_address_or_nickname(phone: Phone, text: str, site: str) -> None:
    phone.run(*AT_SITE)
    assert "请选择日期" in seen(phone, text)
    phone.send("1")
    assert site in seen(phone, "1")


def test_a_question_in_english_at_the_consent_declines_nothing(phone: Phone) -> None:
    phone.send("登记")
    reply = seen(phone, "is it free?")
    assert "free" in reply and "Not agreed" not in reply
    assert "未同意" not in seen(phone, "is")
