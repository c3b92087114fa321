"""Spec for flows.dates.parse_when: dates and parts of day in Chinese and English free text.

Unless a test says otherwise, today is Thursday 2021-06-17.
"""

import random
import sys
from collections.abc import Iterator
from datetime import date

import pytest

from flows import dates
from flows.dates import When, parse_when

THU = date(2021, 6, 17)


def on(month: int, day: int, year: int = 2021) -> date:
    return date(year, month, day)


def _block(monkeypatch: pytest.MonkeyPatch, *modules: str) -> Iterator[None]:
    """Any import of the modules inside parse_when raises ImportError."""
    dates._english_parser.cache_clear()
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)
    yield
    dates._english_parser.cache_clear()


@pytest.fixture
def no_dateparser(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from _block(monkeypatch, "dateparser", "dateparser.date")


@pytest.fixture
def no_heavy_libraries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from _block(monkeypatch, "dateparser", "dateparser.date", "cn2an")


# --- Chinese -------------------------------------------------------------------------------

CHINESE_DAYS = [
    ("今天", on(6, 17)),
    ("今日", on(6, 17)),
    ("明天", on(6, 18)),
    ("明日", on(6, 18)),
    ("后天", on(6, 19)),
    ("大后天", on(6, 20)),
    ("昨天", on(6, 16)),
    ("3天后", on(6, 20)),
    # month and day
    ("6月20日", on(6, 20)),
    ("6月20号", on(6, 20)),
    ("6月20", on(6, 20)),
    ("六月二十日", on(6, 20)),
    ("六月二十号", on(6, 20)),
    ("十一月三十号", on(11, 30)),
    ("12月1日", on(12, 1)),
    ("6.20", on(6, 20)),
    ("6.7", on(6, 7)),  # dot: month first (slash is day first: 6/7 is 6 July)
    ("6.7号", on(6, 7)),
    ("下个月5号", on(7, 5)),
    ("这个月二十号", on(6, 20)),
    # next calendar week (weeks start on Monday)
    ("下周二", on(6, 22)),
    ("下星期二", on(6, 22)),
    ("下礼拜二", on(6, 22)),
    ("下个星期二", on(6, 22)),
    ("下周四", on(6, 24)),
    ("下周日", on(6, 27)),
    ("下下周一", on(6, 28)),
    # this calendar week, even if already past
    ("这周五", on(6, 18)),
    ("本周五", on(6, 18)),
    ("这周一", on(6, 14)),
    ("上周五", on(6, 11)),
    # bare weekday: next such day on or after today
    ("周五", on(6, 18)),
    ("星期五", on(6, 18)),
    ("礼拜五", on(6, 18)),
    ("周日", on(6, 20)),
    ("星期天", on(6, 20)),
    ("礼拜天", on(6, 20)),
    ("周四", on(6, 17)),
    ("周三", on(6, 23)),
    ("周1", on(6, 21)),
    ("星期一", on(6, 21)),
    # traditional characters
    ("6月20號", on(6, 20)),
    ("下週二", on(6, 22)),
    ("後天", on(6, 19)),
    # in a sentence
    ("我想约明天", on(6, 18)),
    ("帮我预约6月20日的疫苗", on(6, 20)),
]


@pytest.mark.parametrize(("text", "day"), CHINESE_DAYS)
def test_chinese_day(text: str, day: date) -> None:
    assert parse_when(text, THU) == When(day)


@pytest.mark.parametrize(("text", "day"), CHINESE_DAYS)
def test_chinese_days_need_no_dateparser(no_dateparser: None, text: str, day: date) -> None:
    assert parse_when(text, THU) == When(day)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2021年6月20日", on(6, 20)),
        ("二〇二一年六月二十日", on(6, 20)),
        ("二零二二年一月三日", on(1, 3, 2022)),
        ("2021-06-20", on(6, 20)),
        ("2021/6/20", on(6, 20)),
        ("2021.6.20", on(6, 20)),
        ("2020年6月20日", on(6, 20, 2020)),  # explicit years are never rolled
        ("２０２１－０６－２０", on(6, 20)),
        ("２０２１年６月２０日", on(6, 20)),
    ],
)
def test_explicit_year(text: str, day: date) -> None:
    assert parse_when(text, THU) == When(day, explicit_year=True)


@pytest.mark.parametrize("text", ["６月２０日", "６月２０号", "６.２０"])
def test_fullwidth_digits(text: str) -> None:
    assert parse_when(text, THU) == When(on(6, 20))


# --- day of month alone: this month, unless more than 3 days past, then the next month ------


@pytest.mark.parametrize(
    ("text", "today", "day"),
    [
        ("20日", THU, on(6, 20)),
        ("20号", THU, on(6, 20)),
        ("二十号", THU, on(6, 20)),
        ("17号", THU, on(6, 17)),
        ("14号", THU, on(6, 14)),  # 3 days past: kept, the caller reports it as past
        ("13号", THU, on(7, 13)),  # 4 days past: next month
        ("1号", THU, on(7, 1)),
        ("31号", THU, on(7, 31)),  # June has no 31st
        ("the 20th", THU, on(6, 20)),
        ("20th", THU, on(6, 20)),
        ("2号", date(2021, 12, 30), on(1, 2, 2022)),
        ("30号", date(2021, 2, 10), on(3, 30)),
        ("29号", date(2021, 1, 31), on(1, 29)),
    ],
)
def test_day_of_month_alone(text: str, today: date, day: date) -> None:
    assert parse_when(text, today) == When(day)


# --- year without a year: roll to next year only when more than 60 days past --------------


@pytest.mark.parametrize(
    ("text", "today", "day"),
    [
        ("6月20日", date(2026, 11, 20), date(2027, 6, 20)),
        ("June 20", date(2026, 11, 20), date(2027, 6, 20)),
        ("20/6", date(2026, 11, 20), date(2027, 6, 20)),
        ("6月20日", date(2021, 6, 22), on(6, 20)),  # 2 days past: kept, reported as past
        ("20 June", date(2021, 6, 22), on(6, 20)),
        ("4月18日", THU, on(4, 18)),  # exactly 60 days past: kept
        ("4月17日", THU, on(4, 17, 2022)),  # 61 days past: next year
        ("1月5日", date(2021, 12, 28), on(1, 5, 2022)),
        ("2月29日", date(2023, 6, 1), date(2024, 2, 29)),
    ],
)
def test_year_roll(text: str, today: date, day: date) -> None:
    assert parse_when(text, today) == When(day)


# --- other todays: month and year ends, weekday edges ---------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "day"),
    [
        ("明天", date(2021, 6, 30), on(7, 1)),
        ("大后天", date(2021, 12, 30), on(1, 2, 2022)),
        ("后天", date(2024, 2, 28), date(2024, 3, 1)),
        ("下周一", date(2021, 12, 30), on(1, 3, 2022)),
        ("下个月5号", date(2021, 12, 10), on(1, 5, 2022)),
        ("下周日", date(2021, 6, 20), on(6, 27)),  # today is Sunday: the Sunday after
        ("周日", date(2021, 6, 20), on(6, 20)),
        ("这周日", date(2021, 6, 20), on(6, 20)),
        ("下周一", date(2021, 6, 20), on(6, 21)),  # Sunday: next week starts tomorrow
        ("周四", THU, on(6, 17)),
        ("周四", date(2021, 6, 18), on(6, 24)),
        ("tomorrow", date(2021, 12, 31), on(1, 1, 2022)),
        ("Friday", date(2021, 6, 18), on(6, 18)),  # same rule as 周五, not dateparser's
        ("next Friday", date(2021, 6, 18), on(6, 25)),
        ("next Monday", date(2021, 6, 20), on(6, 21)),  # Sunday: as 下周一, tomorrow
    ],
)
def test_other_todays(text: str, today: date, day: date) -> None:
    assert parse_when(text, today) == When(day)


# --- parts of day and hours ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上午", When(None, "morning")),
        ("早上", When(None, "morning")),
        ("morning", When(None, "morning")),
        ("下午", When(None, "afternoon")),
        ("afternoon", When(None, "afternoon")),
        ("晚上", When(None, "evening")),
        ("夜场", When(None, "evening")),
        ("evening", When(None, "evening")),
        ("tonight", When(on(6, 17), "evening")),
        ("今晚", When(on(6, 17), "evening")),
        ("明晚", When(on(6, 18), "evening")),
        ("明早", When(on(6, 18), "morning")),
        ("this afternoon", When(on(6, 17), "afternoon")),
        # day + part: dateparser alone drops 下午 here
        ("明天下午", When(on(6, 18), "afternoon")),
        ("后天下午", When(on(6, 19), "afternoon")),
        ("后天晚上", When(on(6, 19), "evening")),
        ("周五上午", When(on(6, 18), "morning")),
        ("下周二下午", When(on(6, 22), "afternoon")),
        ("6月20日上午", When(on(6, 20), "morning")),
        ("tomorrow afternoon", When(on(6, 18), "afternoon")),
        ("Friday morning", When(on(6, 18), "morning")),
        ("next tuesday evening", When(on(6, 22), "evening")),
        # hours with a part
        ("下午3点", When(None, "afternoon", 15)),
        ("下午三点", When(None, "afternoon", 15)),
        ("下午三点半", When(None, "afternoon", 15)),
        ("下午3.30", When(None, "afternoon", 15)),
        ("明天下午3点", When(on(6, 18), "afternoon", 15)),
        ("明天下午三点", When(on(6, 18), "afternoon", 15)),
        ("周一上午十点", When(on(6, 21), "morning", 10)),
        ("上午10点", When(None, "morning", 10)),
        ("上午3点", When(None, "morning", 3)),
        ("晚上7点", When(None, "evening", 19)),
        ("晚8点", When(None, "evening", 20)),
        ("早9点", When(None, "morning", 9)),
        ("下午12点", When(None, "afternoon", 12)),
        ("下午15点", When(None, "afternoon", 15)),
        ("tomorrow 3pm", When(on(6, 18), None, 15)),
        # hours without a part: 1-7 mean pm, the rest as written
        ("3pm", When(None, None, 15)),
        ("3 p.m.", When(None, None, 15)),
        ("10am", When(None, None, 10)),
        ("12am", When(None, None, 0)),
        ("12pm", When(None, None, 12)),
        ("3:30pm", When(None, None, 15)),
        ("10点", When(None, None, 10)),
        ("十点", When(None, None, 10)),
        ("3点", When(None, None, 15)),
        ("3点半", When(None, None, 15)),
        ("三点二十", When(None, None, 15)),
        ("两点", When(None, None, 14)),
        ("7点", When(None, None, 19)),
        ("8点", When(None, None, 8)),
        ("12点", When(None, None, 12)),
        ("0点", When(None, None, 0)),
        ("15:30", When(None, None, 15)),
        ("9:00", When(None, None, 9)),
        ("3 o'clock", When(None, None, 15)),
        ("noon", When(None, None, 12)),
        ("星期一一点", When(on(6, 21), None, 13)),  # not 星期11点
    ],
)
def test_part_and_hour(text: str, expected: When) -> None:
    assert parse_when(text, THU) == expected


@pytest.mark.parametrize("text", ["25点", "24点", "99:00"])
def test_impossible_hour_alone_is_nothing(text: str) -> None:
    assert parse_when(text, THU) is None


def test_impossible_hour_is_dropped_but_day_kept() -> None:
    assert parse_when("明天25点", THU) == When(on(6, 18))


# --- English -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", When(on(6, 17))),
        ("Today", When(on(6, 17))),
        ("tomorrow", When(on(6, 18))),
        ("TOMORROW", When(on(6, 18))),
        ("tmr", When(on(6, 18))),
        ("day after tomorrow", When(on(6, 19))),
        ("the day after tomorrow", When(on(6, 19))),
        ("yesterday", When(on(6, 16))),
        ("next Tuesday", When(on(6, 22))),
        ("next Friday", When(on(6, 25))),  # Friday of next week, as 下周五 (not tomorrow)
        ("next Thursday", When(on(6, 24))),
        ("Friday next week", When(on(6, 25))),
        ("Friday", When(on(6, 18))),
        ("this Friday", When(on(6, 18))),
        ("Thursday", When(on(6, 17))),  # on or after today, like 周四
        ("Sunday", When(on(6, 20))),
        ("Mon", When(on(6, 21))),
        ("on sat", When(on(6, 19))),
        ("sat", When(on(6, 19))),
        ("20 June", When(on(6, 20))),
        ("20th of June", When(on(6, 20))),
        ("June 20", When(on(6, 20))),
        ("June 20th", When(on(6, 20))),
        ("Jun. 20", When(on(6, 20))),
        ("20 Jun 2021", When(on(6, 20), explicit_year=True)),
        ("June 20, 2021", When(on(6, 20), explicit_year=True)),
        ("2021-06-20", When(on(6, 20), explicit_year=True)),
        ("20/06/2021", When(on(6, 20), explicit_year=True)),  # day first
        ("03/07/2021", When(on(7, 3), explicit_year=True)),  # day first
        ("06/20/2021", When(on(6, 20), explicit_year=True)),  # only possible month first
        ("20/6", When(on(6, 20))),
        ("6/20", When(on(6, 20))),
        ("3/7", When(on(7, 3))),
        ("can I come tomorrow afternoon?", When(on(6, 18), "afternoon")),
        ("book me for friday please", When(on(6, 18))),
        # a counted offset, read without dateparser (which misses most of these)
        ("in 3 days", When(on(6, 20))),
        ("in 3 days at 3pm", When(on(6, 20), None, 15)),
        ("2 days later", When(on(6, 19))),
        ("three days later please", When(on(6, 20))),
        ("in two weeks", When(on(7, 1))),
        ("in 2 wks", When(on(7, 1))),
        ("a week from today", When(on(6, 24))),
        ("in a week's time", When(on(6, 24))),
        ("in a fortnight", When(on(7, 1))),
        ("after 2 days", When(on(6, 19))),
        # texting spellings
        ("day after tmrw", When(on(6, 19))),
        ("2moro afternoon", When(on(6, 18), "afternoon")),
        # a day of the month beats the weekday beside it; a dose's ordinal is no day
        ("thurs 24th", When(on(6, 24))),
        ("周四24号", When(on(6, 24))),
        ("the 2nd dose on the 24th", When(on(6, 24))),
        ("1st dose on friday", When(on(6, 18))),
    ],
)
def test_english(text: str, expected: When) -> None:
    assert parse_when(text, THU) == expected


# --- nothing date-like ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "hello",
        "😀",
        "预约",
        "asdf",
        "yes",
        "a",
        "1 a",
        "I sat down",
        "快一点",
        "早一点",
        "下周",
        "June",
        "next week",  # a week, not a day
        "she is 70 now",  # "now" alone is no day
        "now",
        "in a couple of days",  # vague, like 过几日
        "two doses 21 days apart",  # no side: an interval, not a day
        "2021年",
        "6月",
        "周",
        "星期八",
        "3.5 hours",
        "x" * 10_000,
        "明天" * 5_000,
    ],
)
def test_nothing_date_like(text: str) -> None:
    assert parse_when(text, THU) is None


@pytest.mark.parametrize(
    "text",
    [
        "2月30日",
        "二月三十日",
        "13月1日",
        "0月1日",
        "6月31日",
        "2021-02-30",
        "2021-13-01",
        "0000-01-01",
        "31/02/2021",
        "30 February",
        "0号",
        "32号",
        "2月29日",  # no February 29 in 2021 nor 2022
        "2月30日下午",  # an impossible day is not silently dropped
    ],
)
def test_impossible_dates(text: str) -> None:
    assert parse_when(text, THU) is None


@pytest.mark.parametrize("text", ["1", "2", "12", "2021", "0", " 3 ", "１２", "1 2"])
def test_bare_numbers_are_menu_choices(no_heavy_libraries: None, text: str) -> None:
    assert parse_when(text, THU) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明天", When(on(6, 18))),
        ("下周二下午3点", When(on(6, 22), "afternoon", 15)),
        ("hello", None),
    ],
)
def test_fast_paths_import_nothing(no_heavy_libraries: None, text: str, expected: When) -> None:
    assert parse_when(text, THU) == expected


def test_length_limit(no_heavy_libraries: None) -> None:
    assert parse_when("明天" + " " * 498, THU) == When(on(6, 18))  # exactly 500 characters
    assert parse_when("明天" + " " * 499, THU) is None
    assert parse_when("tomorrow " + "x" * 492, THU) is None


def test_never_raises() -> None:
    alphabet = "0123456789一二三十两月日号年周星期下这本上午晚点时半天后明今/.-: pamjunefritoday"
    rng = random.Random(20210617)
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        result = parse_when(text, THU)
        assert result is None or isinstance(result, When)
        if result is not None:
            assert result.day is not None or result.part is not None or result.hour is not None
            assert result.hour is None or 0 <= result.hour <= 23


def test_when_is_a_frozen_value() -> None:
    when = When(on(6, 20), "afternoon", 15)
    assert when == When(date(2021, 6, 20), part="afternoon", hour=15, explicit_year=False)
    assert hash(when) == hash(When(on(6, 20), "afternoon", 15))
    with pytest.raises(AttributeError):
        when.hour = 16  # type: ignore[misc]
