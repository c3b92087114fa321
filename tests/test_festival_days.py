"""Days named by festivals and public holidays (explore9 13): 中秋节那天, 国庆后,
十一假期, 节后第一天, the day after Mid-Autumn, read wherever a day is read (the first
message, the date question, a change of booking, the day of dose 1); a site closed on
public holidays says so for the day asked, with the nearest open days; 十一 alone stays
"eleven"; and a day far beyond the days out offers the soonest ones.

Most tests run on Friday 17 September 2021, two days before the Mid-Autumn holiday (19-21
September; the festival is on the 21st) and two weeks before National Day (1-7 October).
石牌街社区卫生服务中心 closes on public holidays; 天河体育中心 does not."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.engine import Engine
from flows.dates import parse_when
from flows.policy import Policy
from store import Store
from tests.conftest import Clock, Phone, open_seeded
from tests.free_text_support import REGISTER_SELF, ZHANG, with_dose_1

MID_AUTUMN_EVE = "2021-09-17T09:00:00+08:00"
SHIPAI = "石牌街社区卫生服务中心"
CLOSED_NOTE = "中秋节放假（9月19日至9月21日），接种点不开，最近可约："


@pytest.fixture(scope="module")
def september_template(tmp_path_factory: pytest.TempPathFactory, policy: Policy) -> Path:
    path = tmp_path_factory.mktemp("september") / "demo.db"
    open_seeded(path, policy, MID_AUTUMN_EVE).close()
    return path


@pytest.fixture
def september(september_template: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "september.db"
    shutil.copyfile(september_template, path)
    store = Store.open(path)
    yield store
    store.close()


@pytest.fixture
def resident(september: Store, policy: Policy) -> Phone:
    """张三, registered, on 17 September."""
    phone = Phone(Engine(september, policy, Clock(policy, MID_AUTUMN_EVE)), "+8613966660001")
    phone.run(*REGISTER_SELF)
    return phone


def days_offered(phone: Phone, text: str) -> tuple[str, list[str]]:
    [reply] = phone.send(text)
    return reply.text, [option.label.split(" 剩")[0] for option in reply.options]


# -- reading ------------------------------------------------------------------------------------

TODAY = date(2021, 9, 17)
READ = [
    # Mandarin, Simplified
    ("中秋节那天", TODAY, date(2021, 9, 21)),
    ("八月十五", TODAY, date(2021, 9, 21)),
    ("中秋前一天", TODAY, date(2021, 9, 20)),
    ("中秋节后一天上午", TODAY, date(2021, 9, 22)),
    ("节后第一天", TODAY, date(2021, 9, 22)),
    ("国庆", TODAY, date(2021, 10, 1)),
    ("国庆节后", TODAY, date(2021, 10, 8)),  # after the whole holiday, not 2 October
    ("国庆前", TODAY, date(2021, 9, 30)),
    ("国庆假期", TODAY, date(2021, 10, 1)),
    ("十一那天", TODAY, date(2021, 10, 1)),
    ("十一黄金周", TODAY, date(2021, 10, 1)),
    ("十一以后", date(2021, 10, 5), date(2021, 10, 8)),
    ("重阳节", TODAY, date(2021, 10, 14)),
    ("元旦", TODAY, date(2022, 1, 1)),
    ("过年后", TODAY, date(2022, 2, 7)),  # Spring Festival holiday 2022: 31 Jan - 6 Feb
    ("大年初一", TODAY, date(2022, 2, 1)),
    ("除夕", TODAY, date(2022, 1, 31)),
    ("清明", date(2022, 3, 1), date(2022, 4, 5)),
    ("五一", date(2022, 3, 1), date(2022, 5, 1)),
    ("端午", date(2021, 6, 1), date(2021, 6, 14)),
    ("端午节前一天", date(2021, 6, 1), date(2021, 6, 13)),
    # Traditional and Cantonese
    ("中秋節嗰日", TODAY, date(2021, 9, 21)),
    ("過咗中秋", TODAY, date(2021, 9, 22)),
    ("國慶節之後", TODAY, date(2021, 10, 8)),
    ("國慶假期", TODAY, date(2021, 10, 1)),
    ("五月節", date(2021, 6, 1), date(2021, 6, 14)),
    ("年初一", TODAY, date(2022, 2, 1)),
    # English
    ("Mid-Autumn Festival", TODAY, date(2021, 9, 21)),
    ("the day after mid autumn", TODAY, date(2021, 9, 22)),
    ("after National Day", TODAY, date(2021, 10, 8)),
    ("during the national day holiday", TODAY, date(2021, 10, 1)),
    ("after the holidays", TODAY, date(2021, 9, 22)),
    ("Chinese New Year", TODAY, date(2022, 2, 1)),
    ("dragon boat festival", date(2021, 6, 1), date(2021, 6, 14)),
    ("十一前后", TODAY, date(2021, 10, 1)),
    # a year said before it
    ("明年春节", TODAY, date(2022, 2, 1)),
    ("2022年的中秋节", TODAY, date(2022, 9, 10)),
    ("去年國慶", TODAY, date(2020, 10, 1)),
    # a date written out beside the festival is the date
    ("9月21日中秋节", TODAY, date(2021, 9, 21)),
    # a festival a few days gone is kept (reported as past), a long-gone one is next year's
    ("中秋", date(2021, 9, 23), date(2021, 9, 21)),
    ("端午", TODAY, date(2022, 6, 3)),
]


@pytest.mark.parametrize(("text", "today", "day"), READ)
def test_festivals_and_the_days_around_them_are_days(text: str, today: date, day: date) -> None:
    when = parse_when(text, today)
    assert when is not None and when.day == day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("十一号", date(2021, 10, 11)),  # the 11th, not National Day
        ("八月十五日", date(2021, 8, 15)),  # 15 August as written
        ("十月十一", date(2021, 10, 11)),
    ],
)
def test_numbers_inside_festival_words_stay_days_of_the_month(text: str, day: date) -> None:
    when = parse_when(text, TODAY)
    assert when is not None and when.day == day


def test_eleven_alone_and_as_a_clock_time_is_no_festival() -> None:
    assert parse_when("十一", TODAY) is None
    assert parse_when("明年十一", TODAY) is None
    when = parse_when("十一点", TODAY)
    assert when is not None and when.day is None and when.hour == 11


def test_a_festival_in_a_year_no_calendar_covers_is_no_day() -> None:
    far = parse_when("2099年中秋", TODAY)
    assert far is not None and far.day is None and far.too_far == date(2099, 9, 29)
    assert parse_when("2100年端午", TODAY) is None  # lunardate ends with 2099
    assert parse_when("9999年清明", TODAY) is None


def test_a_festival_of_the_past_is_the_latest_one() -> None:
    when = parse_when("中秋", date(2022, 3, 1), past=True)
    assert when is not None and when.day == date(2021, 9, 21)


# -- in conversation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["9月21日", "中秋节那天", "八月十五", "中秋前一天", "9.19", "中秋節嗰日"]
)
def test_a_day_the_site_closes_for_a_holiday_is_said_to_be_closed(
    resident: Phone, text: str
) -> None:
    resident.say(f"我想在{SHIPAI}打第一针")
    resident.say("没有")
    note, days = days_offered(resident, text)
    closed = (
        CLOSED_NOTE
        if text.isascii() or "節" not in text
        else "中秋節放假（9月19日至9月21日），接種點不開"
    )
    assert closed in note and "无可约名额" not in note
    assert len(days) == 3 and any(day.startswith("9月22日") for day in days)  # nearest open
    assert not any(day.startswith(("9月19日", "9月20日", "9月21日")) for day in days)


def test_the_closed_holiday_in_english(resident: Phone) -> None:
    resident.run(f"I want my first dose at {SHIPAI}", "none")
    note, _ = days_offered(resident, "on the Mid-Autumn Festival")
    assert "the site is closed for the Mid-Autumn Festival (19 Sep to 21 Sep)" in note


def test_a_holiday_day_in_the_first_message(resident: Phone) -> None:
    resident.say(f"中秋节那天想在{SHIPAI}打第一针")
    note, days = days_offered(resident, "没有")
    assert CLOSED_NOTE in note and days[0] == "9月18日 周六"


def test_national_day_is_closed_before_its_places_are_out(resident: Phone) -> None:
    resident.run(f"我想在{SHIPAI}打第一针", "没有")
    note, _ = days_offered(resident, "十一假期")
    assert note.startswith("10月1日 周五国庆节放假（10月1日至10月7日），接种点不开")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("节后第一天", "9月22日 周三"),
        ("过咗中秋", "9月22日 周三"),
        ("中秋节当天下午", "9月21日 周二"),  # this site opens on holidays
    ],
)
def test_days_around_a_holiday_at_a_site_open_on_holidays(
    resident: Phone, text: str, day: str
) -> None:
    resident.run("我想在天河体育中心打第一针", "没有")
    assert f"{day} 请选择时段" in resident.say(text)


def test_the_day_after_mid_autumn_in_an_english_first_message(resident: Phone) -> None:
    resident.say("I'd like my first dose at Tianhe Sports Centre the day after Mid-Autumn")
    assert "Wed 22 Sep: choose a time" in resident.say("none")


def test_after_national_day_is_after_the_whole_holiday(resident: Phone) -> None:
    resident.run("我想在天河体育中心打第一针", "没有")
    assert resident.say("国庆后").startswith("10月8日 周五的名额10月1日 周五 08:00放出")


def test_eleven_alone_picks_the_eleventh_option_and_is_no_date(resident: Phone) -> None:
    resident.run("预约第一针", "没有")
    [sites] = resident.send("十一")  # the 11th district, 黄埔区, not National Day
    assert sites.options and all("黄埔" in o.label or "萝岗" in o.label for o in sites.options)
    resident.say("返回")
    resident.run("1", "1")  # 天河区, a site: the date question
    reply = resident.say("十一")
    assert "10月1日" not in reply and "国庆" not in reply


def test_moving_a_booking_to_a_holiday_says_the_site_is_closed(resident: Phone) -> None:
    booked = "\n".join(
        r.text for r in resident.run(f"我想明天在{SHIPAI}打第一针", "没有", "1", "1")
    )
    assert "预约成功" in booked and "9月18日 周六" in booked
    note, days = days_offered(resident, "改到中秋节")
    assert CLOSED_NOTE in note and "9月22日 周三" in days


def test_dose_1_given_on_a_festival(
    phone: Phone, store: Store, clock: Clock
) -> None:  # 17 June 2021: 端午 was Monday 14 June
    phone.run(*REGISTER_SELF, "预约第二针", "1")
    assert "哪种疫苗" in phone.say("端午节打的")
    phone.run("科兴", "天河体育中心")
    person = store.resident_by_document("resident_id", ZHANG)
    assert person is not None
    assert [d.day for d in store.doses_of(person.id)] == [date(2021, 6, 14)]


# -- a far day ----------------------------------------------------------------------------------


def test_a_far_day_offers_the_soonest_days(phone: Phone, store: Store, clock: Clock) -> None:
    with_dose_1(phone, store, clock, "2021-05-28")  # dose 2 from 18 June (explore9: 刘一)
    phone.run("预约第二针", "没有")
    phone.say("天河体育中心")
    note, days = days_offered(phone, "12月25日")
    assert note.startswith("12月25日 周六的名额12月18日 周六 08:00放出")
    assert days == ["6月18日 周五", "6月19日 周六", "6月20日 周日"]  # was 21-23 June
    note, days = days_offered(phone, "6月25日")  # a day just past the days out: its neighbours
    assert days == ["6月21日 周一", "6月22日 周二", "6月23日 周三"]


def test_next_week_says_which_of_its_days_a_holiday_closes(resident: Phone) -> None:
    resident.run(f"我想在{SHIPAI}打第一针", "没有")
    note, days = days_offered(resident, "下周")  # 20-26 September: 20 and 21 are Mid-Autumn
    assert note == "中秋节放假（9月19日至9月21日），接种点不开。下周可约日期："
    assert days == ["9月22日 周三", "9月23日 周四"]
