"""Spec for flows.dates.parse_when and bot.nlu.wanted, continued: days counted from today, the
past asked about, English "next <weekday>", and the day wanted beside another day said (a past
dose, a day refused, an hour to be done by). tests/test_dates.py holds the rest.

Unless a test says otherwise, today is Thursday 2021-06-17.
"""

from datetime import date

import pytest

from bot.nlu.wanted import wanted_when
from flows.dates import When, parse_when
from tests.test_dates import THU, on

# --- N days from today, in every script (explore8 B3) ------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("两日后", on(6, 19)),
        ("2日后", on(6, 19)),
        ("3日後", on(6, 20)),
        ("兩日後", on(6, 19)),
        ("5日后", on(6, 22)),
        ("十日之后", on(6, 27)),
        ("过两日", on(6, 19)),
        ("過兩日", on(6, 19)),
        ("过3天", on(6, 20)),
        ("过两天再打", on(6, 19)),
        ("我想两日后下午打第二针", on(6, 19)),
    ],
)
def test_days_from_today_with_ri(text: str, day: date) -> None:
    when = parse_when(text, THU)
    assert when is not None and when.day == day


def test_days_from_today_keep_the_part_of_day() -> None:
    assert parse_when("2日后下午", THU) == When(on(6, 19), "afternoon")
    assert parse_when("两日后下午", THU) == When(on(6, 19), "afternoon")


@pytest.mark.parametrize("text", ["过几日", "過幾日", "几日后"])
def test_a_few_days_names_no_day(text: str) -> None:
    assert parse_when(text, THU) is None  # vague: not day 2 of next month, nor any day


def test_day_of_month_still_read_after_the_change() -> None:
    assert parse_when("20日", THU) == When(on(6, 20))
    assert parse_when("2日", THU) == When(on(7, 2))  # the day of the month, not 2 days on


# --- a question about the past: the most recent such day (explore8 B4) --------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("4月1日", on(4, 1)),  # 77 days back: this year's, not next April's
        ("3月1日", on(3, 1)),
        ("1月5日", on(1, 5)),
        ("12月1日", on(12, 1, 2020)),  # still ahead this year: last year's
        ("6月17日", on(6, 17)),  # today
        ("6月18日", on(6, 18, 2020)),
        ("April 1", on(4, 1)),
        ("1 Dec", on(12, 1, 2020)),
        ("5/4", on(4, 5)),  # day first
        ("4.1", on(4, 1)),  # month first
        ("20号", on(5, 20)),  # 20th: last month's (this month's is ahead)
        ("10号", on(6, 10)),
        ("31号", on(5, 31)),
        ("2021年4月1日", on(4, 1)),  # a year said is kept
        ("去年12月1日", on(12, 1, 2020)),
    ],
)
def test_past_question_reads_the_most_recent_day(text: str, day: date) -> None:
    when = parse_when(text, THU, past=True)
    assert when is not None and when.day == day


def test_past_is_only_for_the_past_question() -> None:
    assert parse_when("4月1日", THU) == When(on(4, 1, 2022))  # a booking: the next one
    assert parse_when("5月1号", THU, past=True) == When(on(5, 1))
    assert parse_when("前天", THU, past=True) == When(on(6, 15))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("去年6月20日", on(6, 20, 2020)),
        ("前年6月20日", on(6, 20, 2019)),
        ("去年6月20号", on(6, 20, 2020)),
    ],
)
def test_last_year_is_last_year(text: str, day: date) -> None:
    assert parse_when(text, THU) == When(day, explicit_year=True)


def test_year_before_1900_is_no_day() -> None:
    assert parse_when("0001-01-01", THU) is None
    assert parse_when("1899年12月31日", THU) is None
    assert parse_when("1年1月1日", THU) is None  # not 1 January next year, the year dropped
    assert parse_when("21年6月20日", THU) == When(on(6, 20), explicit_year=True)
    assert parse_when("1900年1月1日", THU) == When(date(1900, 1, 1), explicit_year=True)


# --- English "next <weekday>" is 下周X (explore8 B12) --------------------------------------


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("next saturday", "下周六"),
        ("next sat", "下礼拜六"),
        ("next Friday", "下星期五"),
        ("next sunday", "下周日"),
        ("next monday", "下周一"),
        ("next thursday", "下周四"),
    ],
)
def test_next_weekday_is_the_same_day_in_english_and_chinese(english: str, chinese: str) -> None:
    for today in (THU, date(2021, 6, 20), date(2021, 6, 21)):
        left, right = parse_when(english, today), parse_when(chinese, today)
        assert left is not None and right is not None and left.day == right.day, today
    assert parse_when("next saturday", THU) == When(on(6, 26))
    assert parse_when("saturday", THU) == When(on(6, 19))


@pytest.mark.parametrize(
    ("text", "past", "day"),
    [
        ("上个月3号", True, on(5, 3)),
        ("上个月十号打的第一针", True, on(5, 10)),
        ("上上个月20号", True, on(4, 20)),
        ("下个月5号", False, on(7, 5)),
        ("last month on the 3rd", True, on(5, 3)),
        ("the 3rd of last month", True, on(5, 3)),
        ("on the 20th of next month", False, on(7, 20)),
        ("三周前", True, on(5, 27)),
        ("两个星期前", True, on(6, 3)),
        ("3天前", True, on(6, 14)),
        ("10 days ago", True, on(6, 7)),
        ("3 weeks ago", True, on(5, 27)),
        ("a week ago", True, on(6, 10)),
        ("两周后", False, on(7, 1)),
        ("3个礼拜后", False, on(7, 8)),
    ],
)
def test_months_and_weeks_counted_from_today(text: str, past: bool, day: date) -> None:
    when = parse_when(text, THU, past=past)
    assert when is not None and when.day == day


def test_counted_weeks_stay_bounded() -> None:
    far = parse_when("9999周后", THU)
    assert far is not None and far.day is None and far.too_far == date(2213, 2, 4)
    assert parse_when("9999周前", THU, past=True) is None  # before 1900: no day anyone means
    assert parse_when("打针前3天", THU) is None  # three days before the shot: no day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("last month on the 3rd i got my first shot", on(5, 3)),  # not 3 July
        ("I got my first dose on May 15 book me for the 20th", on(6, 20)),
        ("5月15号打的第一针 帮我约20号", on(6, 20)),
    ],
)
def test_the_day_wanted_beside_a_past_one(text: str, day: date) -> None:
    """An English word is a clause of its own only if the words before it do not change it."""
    when = wanted_when(text, THU)
    assert when is not None and when.day == day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("唔系礼拜六，改做礼拜日下午", on(6, 20)),  # Cantonese: not Saturday, make it Sunday
        ("唔系礼拜六，系礼拜日", on(6, 20)),
        ("唔好礼拜六，礼拜日下午啦", on(6, 20)),
        ("唔好意思，礼拜六得唔得", on(6, 19)),  # 唔好意思 (sorry) rules nothing out
    ],
)
def test_a_day_refused_in_cantonese_is_not_the_day_wanted(text: str, day: date) -> None:
    when = wanted_when(text, THU)
    assert when is not None and when.day == day


@pytest.mark.parametrize(
    ("text", "hour"),
    [("10点以前", None), ("十点前", None), ("12点之前", None), ("before 10am", None),
     ("by 10am", None), ("10点前后", 10), ("明天10点", 10), ("下午4点后", 16)],
)  # fmt: skip
def test_an_hour_before_which_to_be_done_is_no_hour_wanted(text: str, hour: int | None) -> None:
    when = parse_when(text, THU)
    assert (when.hour if when else None) == hour
