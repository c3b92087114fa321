"""Days as residents say them, in a conversation (explore8 B3, B4, B12): N日后 and 过两日 are
days from today, a dose-1 day without a year is the most recent one, 去年 is last year, the
week after next is not next week, "next Saturday" is 下周六, and year 0001 is no date.

Today is Thursday 2021-06-17, 09:00 (Tianhe open); every resident registers first."""

from __future__ import annotations

from datetime import date

from store import Store
from tests.conftest import Phone

ZHANG = "440106199001011235"
REGISTER_SELF = ("登记", "1", "1", "张三", "1", ZHANG, "1", "1")
AT_THE_DATE_QUESTION = (*REGISTER_SELF, "我想在天河体育中心打第一针", "没有")


def test_two_days_on_in_the_first_sentence(phone: Phone) -> None:
    phone.run(*REGISTER_SELF, "我想两日后下午在天河体育中心打第一针")
    assert "6月19日 周六 请选择时段" in phone.say("没有")  # not 7月2日


def test_days_on_at_the_date_question_in_every_script(phone: Phone) -> None:
    phone.run(*AT_THE_DATE_QUESTION)
    assert "6月20日 週日 請選擇時段" in phone.say("3日後")  # was 7月3日
    phone.say("返回")
    assert "6月19日 周六 请选择时段" in phone.say("过两日")  # was 7月2日


def test_a_dose_1_day_without_a_year_is_the_latest_one(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF, "预约第二针", "1")
    assert "哪种疫苗" in phone.say("4月1日")  # was: 请回复第1针的日期（一年内）, forever
    phone.run("科兴", "天河体育中心")
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None
    assert [d.day for d in store.doses_of(resident.id)] == [date(2021, 4, 1)]


def test_last_year_is_past_at_the_booking_date_question(phone: Phone) -> None:
    phone.run(*AT_THE_DATE_QUESTION)
    assert "2020年6月20日 周六已过" in phone.say("去年6月20日")


def test_year_one_is_not_a_date(phone: Phone) -> None:
    phone.run(*AT_THE_DATE_QUESTION)
    for text in ("0001-01-01", "1年1月1日"):
        reply = phone.say(text)
        assert "没看懂这个日期" in reply and "1年" not in reply


def test_the_week_after_next_is_not_next_week(phone: Phone) -> None:
    phone.run(*AT_THE_DATE_QUESTION)
    reply = phone.say("改到下下周")
    assert reply.startswith("下下周的名额6月21日 周一 08:00起放出")  # for 6月28日起
    assert phone.say("下周").startswith("下周可约日期")


def test_next_saturday_is_the_same_day_in_english_and_chinese(phone: Phone) -> None:
    phone.run(*AT_THE_DATE_QUESTION)
    assert "6月26日 周六" in phone.say("下周六")
    assert "Sat 26 Jun" in phone.say("next saturday")  # not Sat 19 Jun, the day after tomorrow


def test_dose_1_last_month_or_weeks_ago(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF, "预约第二针", "1")
    assert "哪种疫苗" in phone.say("上个月十号")  # was: 请回复第1针的日期（一年内）
    phone.run("科兴", "天河体育中心")
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None
    assert [d.day for d in store.doses_of(resident.id)] == [date(2021, 5, 10)]


def test_not_saturday_but_sunday_at_the_confirmation(phone: Phone) -> None:
    phone.run(*AT_THE_DATE_QUESTION, "后天上午", "1")  # Saturday 19 June, 08:00-10:00
    reply = phone.say("唔係禮拜六，改做禮拜日下晝")
    assert "6月20日 週日" in reply and "6月19日" not in reply
