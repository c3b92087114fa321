"""Reading a day and/or a part of day from free text in Chinese or English.

``parse_when`` is pure: the caller passes ``today`` and decides what a past day means.

Pipeline:

1. Reject early: empty text, more than ``MAX_CHARS`` characters, bare numbers (menu choices).
2. Normalise (``flows.date_text``): NFKC, lower case, the Traditional characters of day words
   to Simplified, decimal digits of any script to 0-9, collapsed whitespace.
2b. A festival or public holiday and the words around it (中秋节, 国庆后, 十一假期, 节后第一天,
   the day before Mid-Autumn) are read by ``flows.festivals`` and masked, before numerals
   turn 八月十五 into 8月15 and 十一 into 11. A date written out beside one wins (9月21日中秋节).
3. Chinese weekdays (周X/星期X/礼拜X) are read and masked *before* numeral conversion, so that
   下周二 does not become 下周2 and 星期一一点 does not become 星期11点.
4. Runs of Chinese numerals become digits with ``cn2an`` (imported lazily and only when the
   text has a date or clock marker next to them).
5. Fast paths compute every Chinese form and the common English ones directly.
6. Only English text the fast paths did not understand, and which names a month, goes to
   ``dateparser`` (imported lazily; about 1 ms a call). Counted
   offsets ("in two weeks", "3 days later", "a week from today", "in a fortnight", "10 days
   ago") are read directly: dateparser misses most of them, and "now" or "day" alone ("she is
   70 now", "any day") name no day.

Rules for ambiguous input:

- Month and day without a year: this year, unless that is more than ``YEAR_ROLL_DAYS`` days
  in the past, then next year. A day a few days past is kept (the caller reports it as past).
  At a question about the past (``past=True``: when was dose 1?) it is the most recent such
  day on or before today: 4月1日 on 17 June is 1 April this year, 12月1日 last December.
- Day of month alone (20日, 20号, "the 20th"): this month, unless that is more than
  ``BARE_DAY_GRACE_DAYS`` days in the past (or does not exist, 31号 in June), then the next
  month that has that day; with ``past=True``, the most recent month that has it.
- 去年/前年 6月20日: last year's / the year before's (an explicit year, never rolled).
- N天后/N日后/N日後/过N天/过N日 (两日后, 过两日, 3日後): N days from today; 过几日 ("in a few
  days") names no day. N周后/N个星期后/N个礼拜后: N weeks from today. N天前/N周前/两个礼拜前,
  "10 days ago", "3 weeks ago": as many days or weeks before today.
- 上个月/下个月/这个月 N号, 上上个月 N号, "last month on the 3rd", "the 20th of next month": day N
  of that month.
- 周五/星期五/Friday/"this Friday": the next such day on or after today.
  下周五/下星期五/下礼拜五, "next Friday" and "Friday next week": Friday of the next calendar
  week (weeks start on Monday), in English as in Chinese: on a Thursday, "next Saturday" is
  the Saturday of next week (9 days on), not the day after tomorrow ("Saturday", "this
  Saturday"). 这周五/本周五: Friday of this calendar week, even if already past.
  下下周五: Friday of the week after next.
- Numeric dates: ``a/b`` and ``a/b/yyyy`` are day first; ``a.b`` is month first (Chinese
  habit, 6.20); either is read the other way round only when the first reading is impossible.
- Hours: am/pm and 上午/下午/晚上 decide. Without them 1-7 o'clock means pm (13-19), other
  hours are taken as written (10点 -> 10, 15:00 -> 15). Minutes are dropped. 12 stays 12.
- ``part`` comes only from part-of-day words, never from the hour ("3pm" has no part).
  今晚/tonight and "this morning/afternoon/evening" also set the day to today.
- A date that matches a pattern but does not exist (2月30日, 2021-02-30) makes the whole
  result ``None``, even if a part of day was given too.
- A year before ``MIN_YEAR`` (0001-01-01) is no day anyone means: the result is ``None``.
- A day more than ``MAX_DAYS_AHEAD`` days after today (2099年1月1日, 9999-12-31) is nothing
  to book or to compute with: the result has no ``day``, no part or hour, and that day in
  ``too_far``, so that a caller can refuse it at once and none computes over the years to it.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from flows.date_text import MASK, SPACES, cn_numerals_to_digits, normalise
from flows.day_times import Part, find_hour, find_part
from flows.festivals import read_festival

MAX_CHARS: Final = 500  # the engine's hard limit: a long SMS (greetings, thanks) keeps its day
YEAR_ROLL_DAYS: Final = 60
BARE_DAY_GRACE_DAYS: Final = 3
MAX_DAYS_AHEAD: Final = 366
MIN_YEAR: Final = 1900


@dataclass(frozen=True, slots=True)
class When:
    day: date | None  # None if only a part of day / hour was given (e.g. "下午")
    part: Part | None = None  # 上午/早上/morning ; 下午/afternoon ; 晚上/夜场/evening/tonight
    hour: int | None = None  # 0-23 when a clock time was given ("下午3点" -> 15, "3pm" -> 15)
    explicit_year: bool = False
    too_far: date | None = None  # a day named more than MAX_DAYS_AHEAD days ahead (not in day)
    by_hour: int | None = None  # 10点以前, before 10am: the period ends by then
    from_hour: int | None = None  # 10点以后, after 2pm: the period starts then or later


class _InvalidDateError(ValueError):
    """A date pattern matched but names a day that does not exist."""


_BARE_NUMBER: Final = re.compile(r"[0-9 ]+")
_CN_WEEKDAY: Final = re.compile(
    r"(下下|下|这|本|(?<![早晚])上)?个?\s*(?:周|星期|礼拜)\s*([一二三四五六日天七]|[1-7](?![0-9]))"
)
_CN_WEEKDAY_INDEX: Final = {
    **dict(zip("一二三四五六", range(6), strict=True)),
    **dict.fromkeys("日天七", 6),
    **{str(n): n - 1 for n in range(1, 8)},
}
_CN_WEEK_OFFSET: Final = {"下下": 2, "下": 1, "这": 0, "本": 0, "上": -1}


# --- days ----------------------------------------------------------------------------------

_MONTHS: Final = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAME: Final = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORDINAL: Final = r"(?:st|nd|rd|th)?"

_YMD: Final = re.compile(
    r"(?<![0-9])([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})(?![0-9])"
)
# 21年6月20日: 2021; a year of one or three digits (1年1月1日) is kept as written, and refused.
_CN_SHORT_YEAR: Final = re.compile(
    r"(?<![0-9])([0-9]{1,3})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})(?![0-9])"
)
_DMY: Final = re.compile(r"(?<![0-9.])([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})(?![0-9])")
_EN_DAY_MONTH: Final = re.compile(
    rf"\b([0-9]{{1,2}}){_ORDINAL}\s*(?:of\s+)?({_MONTH_NAME})\b\.?(?:,?\s*([0-9]{{4}})(?![0-9]))?"
)
_EN_MONTH_DAY: Final = re.compile(
    rf"\b({_MONTH_NAME})\b\.?\s*(?:the\s+)?([0-9]{{1,2}}){_ORDINAL}\b(?:,?\s*([0-9]{{4}})(?![0-9]))?"
)
_CN_REL_MONTH_DAY: Final = re.compile(r"(上上|上|下|这|本)个?月\s*([0-9]{1,2})\s*[日号]")
_CN_MONTH_OFFSET: Final = {"上上": -2, "上": -1, "下": 1, "这": 0, "本": 0}
# "last month on the 3rd", "the 3rd of next month"
_EN_REL_MONTH_DAY: Final = re.compile(
    rf"\b(last|next|this)\s+month\s+(?:on\s+)?(?:the\s+)?([0-9]{{1,2}}){_ORDINAL}\b"
    rf"|\b(?:the\s+)?([0-9]{{1,2}}){_ORDINAL}\s+(?:of\s+)?(last|next|this)\s+month\b"
)
_EN_MONTH_OFFSET: Final = {"last": -1, "next": 1, "this": 0}
_CN_YEAR_MONTH_DAY: Final = re.compile(
    r"(今|明|后|去|前)年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})(?![0-9])"
)
_CN_YEAR_OFFSET: Final = {"今": 0, "明": 1, "后": 2, "去": -1, "前": -2}
_CN_MONTH_DAY: Final = re.compile(r"(?<![0-9])([0-9]{1,2})\s*月\s*([0-9]{1,2})(?![0-9])")
_SHORT_DATE: Final = re.compile(
    r"(?<![0-9./:午上晚早])(?<![午上晚早] )([0-9]{1,2})([./])([0-9]{1,2})(?![0-9./:])"
    r"(?!\s*(?:[ap]\.?m\b|%|元|块|岁|小时|个|次|公斤|万|米|分|点))"
)
# 3天后, 两日后 (2日后 once numerals are digits), 过两日, 过3天: N days from today; 两周后,
# 3个星期后: N weeks; 3天前, 两个礼拜前, "10 days ago", "3 weeks ago": as many before.
_CN_DAYS_LATER: Final = re.compile(
    r"(?<![0-9月])([0-9]{1,4})\s*[天日](?:以后|之后|后)|过\s*([0-9]{1,4})\s*[天日]"
)
_CN_COUNTED: Final = re.compile(
    r"(?<![0-9月])([0-9]{1,4})\s*(天|日|周|个?星期|个?礼拜)\s*(以后|之后|后|以前|之前|前)"
)
# "in 3 days", "after two weeks", "3 days later", "a week from today", "in a fortnight",
# "10 days ago": a counted offset. Without a side ("two doses 21 days apart") it names no day,
# nor does a vague count ("in a couple of days", like 过几日).
EN_COUNT: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_EN_COUNTED: Final = re.compile(
    r"\b(?:(in|after)\s+)?([0-9]{1,4}|" + "|".join(EN_COUNT) + r")\s+"
    r"(days?|weeks?|wks?|fortnights?)(?:'?s?\s+time)?"
    r"(?:\s+(later|from\s+(?:now|today)|hence|ago))?\b"
)
_CN_RELATIVE: Final = re.compile(
    r"大后天|后天|明天|明日|明儿|明早|明晚|今天|今日|今儿|今早|今晚|昨天|昨日|前天"
)
_CN_RELATIVE_OFFSET: Final = {
    "大后天": 3, "后天": 2, "明天": 1, "明日": 1, "明儿": 1, "明早": 1, "明晚": 1,
    "今天": 0, "今日": 0, "今儿": 0, "今早": 0, "今晚": 0, "昨天": -1, "昨日": -1, "前天": -2,
}  # fmt: skip
_EN_RELATIVE: Final = re.compile(
    r"\b(?:(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw?|2moro)|tomorrow|tmrw?|2moro|today|tonight"
    r"|yesterday)\b"
    r"|\bthis\s+(?:morning|afternoon|evening)\b"
)
_EN_WEEKDAY: Final = re.compile(
    r"\b(?:(next|this|coming|on)\s+)?"
    r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues?|weds?|thu(?:rs?)?|fri|sat|sun)\b"
)
_EN_NEXT_WEEK: Final = re.compile(r"\bnext\s+week\b")
_EN_WEEKDAY_INDEX: Final = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
# Abbreviations that are also ordinary words ("I sat", "the sun"): only with a prefix or alone.
_EN_AMBIGUOUS_ABBREVIATIONS: Final = frozenset({"wed", "sat", "sun"})
# Not a count of days beside an event: 前一日 (the day before), 后一日, 隔一日, 第一日.
_CN_BARE_DAY: Final = re.compile(r"(?<![0-9月前后後隔第])([0-9]{1,2})\s*[日号](?![0-9])")
_EN_BARE_DAY: Final = re.compile(  # not "the 2nd dose", "my 1st jab"
    r"\b([0-9]{1,2})(?:st|nd|rd|th)\b(?!\s*(?:dose|jab|shot|injection|vaccin|booster|time))"
)

# A month named in a way the fast paths did not read (not 2-4pm: hours, not a date):
# dateparser costs ~1 ms a call, so "now", "after" or "day" alone ("she is 70 now", "any
# day", "30 days since my 1st shot") never reach it, nor "may" the verb.
_EN_FALLBACK_HINT: Final = re.compile(
    r"\b(?:" + "|".join(m for m in _MONTHS if m != "may") + r")\b"
    r"|\bmay\s+[0-9]|[0-9]\s*(?:st|nd|rd|th)?\s+(?:of\s+)?may\b"
)
_FOUR_DIGIT_YEAR: Final = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")
_ASCII_LETTER: Final = re.compile(r"[a-z]")


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _InvalidDateError(f"{year}-{month}-{day}") from None


def _month_day(month: int, day: int, today: date, past: bool = False) -> date:
    """Month and day without a year: this year unless long past, then next year; for a
    question about the past, the most recent one."""
    try:
        this_year = date(today.year, month, day)
    except ValueError:
        pass  # 2月29日 outside a leap year, or 2月30日 / 13月1日 (then next year fails too)
    else:
        if this_year <= today if past else (today - this_year).days <= YEAR_ROLL_DAYS:
            return this_year
    return _make_date(today.year + (-1 if past else 1), month, day)


def _day_of_month(day: int, today: date, past: bool = False) -> date:
    """Day of month alone: this month unless more than a few days past, then the next month;
    for a question about the past, this month's if not ahead, else the latest month's before."""
    if not 1 <= day <= 31:
        raise _InvalidDateError(str(day))
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, day)
        except ValueError:
            pass
        else:
            if candidate <= today if past else (today - candidate).days <= BARE_DAY_GRACE_DAYS:
                return candidate
        step = -1 if past else 1
        year, month = divmod(year * 12 + month - 1 + step, 12)
        month += 1
    raise _InvalidDateError(str(day))  # not reached for 1-31: some month in three has the day


def _either_order(
    first: int, second: int, year: int | None, today: date, past: bool = False
) -> date:
    """(first, second) read as (day, month); as (month, day) only if that is impossible."""
    for day, month in ((first, second), (second, first)):
        if 1 <= month <= 12:
            try:
                if year is not None:
                    return date(year, month, day)
                return _month_day(month, day, today, past)
            except ValueError:
                continue
    raise _InvalidDateError(f"{first}/{second}")


def next_monday(today: date, weeks_ahead: int = 1) -> date:
    """The first day of next week (下周, "next week" on its own), or of a later one (下下周:
    ``weeks_ahead`` 2)."""
    return _week_monday(today, weeks_ahead)


def _week_monday(today: date, weeks_ahead: int) -> date:
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)


def _on_or_after(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _explicit_date(text: str, today: date, past: bool) -> tuple[date, bool] | None:
    """Forms that name a month (and maybe a year); raises for impossible dates."""
    if match := _YMD.search(text):
        year, month, day = (int(g) for g in match.groups())
        return _make_date(year, month, day), True
    if match := _CN_SHORT_YEAR.search(text):
        year, month, day = (int(g) for g in match.groups())
        return _make_date(year + 2000 if len(match.group(1)) == 2 else year, month, day), True
    if match := _DMY.search(text):
        first, second, year = (int(g) for g in match.groups())
        return _either_order(first, second, year, today), True
    if match := _EN_DAY_MONTH.search(text):
        return _named_month(int(match.group(1)), match.group(2), match.group(3), today, past)
    if match := _EN_MONTH_DAY.search(text):
        return _named_month(int(match.group(2)), match.group(1), match.group(3), today, past)
    if match := _CN_REL_MONTH_DAY.search(text):
        return _in_month(_CN_MONTH_OFFSET[match.group(1)], int(match.group(2)), today), False
    if match := _EN_REL_MONTH_DAY.search(text):
        which, number = match.group(1) or match.group(4), match.group(2) or match.group(3)
        return _in_month(_EN_MONTH_OFFSET[which], int(number), today), False
    if match := _CN_YEAR_MONTH_DAY.search(text):  # 明年3月1日
        year = today.year + _CN_YEAR_OFFSET[match.group(1)]
        return _make_date(year, int(match.group(2)), int(match.group(3))), True
    if match := _CN_MONTH_DAY.search(text):
        return _month_day(int(match.group(1)), int(match.group(2)), today, past), False
    if match := _SHORT_DATE.search(text):
        left, separator, right = match.groups()
        if separator == "/":  # 20/6: day first
            return _either_order(int(left), int(right), None, today, past), False
        if not _ASCII_LETTER.search(text):  # 6.20: month first; not in "3.5 hours"
            return _either_order(int(right), int(left), None, today, past), False
    return None


def _in_month(months_ahead: int, day: int, today: date) -> date:
    """Day ``day`` of the month ``months_ahead`` from today's (上个月3号: -1)."""
    year, month = divmod(today.year * 12 + today.month - 1 + months_ahead, 12)
    return _make_date(year, month + 1, day)


def _named_month(
    day: int, month_name: str, year: str | None, today: date, past: bool
) -> tuple[date, bool]:
    month = _MONTHS[month_name]
    if year:
        return _make_date(int(year), month, day), True
    return _month_day(month, day, today, past), False


def _en_weekday(text: str, today: date) -> date | None:
    for match in _EN_WEEKDAY.finditer(text):
        prefix, name = match.groups()
        if name in _EN_AMBIGUOUS_ABBREVIATIONS and prefix is None and text != name:
            continue
        weekday = _EN_WEEKDAY_INDEX[name[:3]]
        if prefix == "next" or _EN_NEXT_WEEK.search(text):  # as 下周X
            return _week_monday(today, 1) + timedelta(days=weekday)
        return _on_or_after(today, weekday)
    return None


def _relative_day(text: str, today: date) -> date | None:
    if match := _CN_RELATIVE.search(text):
        return today + timedelta(days=_CN_RELATIVE_OFFSET[match.group()])
    if match := _CN_COUNTED.search(text):
        count, unit, side = match.groups()
        days = int(count) * (1 if unit in "天日" else 7)
        return today + timedelta(days=-days if side.endswith("前") else days)
    if match := _CN_DAYS_LATER.search(text):
        return today + timedelta(days=int(match.group(1) or match.group(2)))
    for match in _EN_COUNTED.finditer(text):
        before, count, unit, after = match.groups()
        if before or after:
            days = EN_COUNT.get(count) or int(count)
            days *= 14 if unit.startswith("f") else 7 if unit.startswith("w") else 1
            return today + timedelta(days=-days if after == "ago" else days)
    if match := _EN_RELATIVE.search(text):
        word = match.group()
        if word.startswith(("day", "the")):  # the day after tomorrow
            return today + timedelta(days=2)
        if word.startswith(("tomorrow", "tmr", "2moro")):
            return today + timedelta(days=1)
        if word == "yesterday":
            return today - timedelta(days=1)
        return today
    return None


def _find_day(
    text: str, cn_weekday: tuple[str | None, str] | None, today: date, past: bool
) -> tuple[date | None, bool]:
    explicit = _explicit_date(text, today, past)
    if explicit is not None:
        return explicit
    # A day of the month beside a weekday names the day (thurs 24th, 周四24号).
    bare = _CN_BARE_DAY.search(text) or _EN_BARE_DAY.search(text)
    if cn_weekday is not None and bare is None:
        prefix, weekday_char = cn_weekday
        weekday = _CN_WEEKDAY_INDEX[weekday_char]
        if prefix is None:
            return _on_or_after(today, weekday), False
        return _week_monday(today, _CN_WEEK_OFFSET[prefix]) + timedelta(days=weekday), False
    day = (None if bare else _en_weekday(text, today)) or _relative_day(text, today)
    if day is not None:
        return day, False
    if bare is not None:
        return _day_of_month(int(bare.group(1)), today, past), False
    return None, False


@functools.lru_cache(maxsize=4)
def _english_parser(today: date) -> Any:
    from dateparser.date import DateDataParser  # lazy: slow to import, ~1 ms per call

    settings = {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day"],
    }
    return DateDataParser(languages=["en"], settings=settings)


def _dateparser_day(text: str, today: date) -> date | None:
    """English the fast paths missed ("in 3 days"); only results that name a single day."""
    data = _english_parser(today).get_date_data(text)
    if data.date_obj is None or data.period != "day":
        return None  # "next week" (period week), "June" (month), "3pm" (time) are not days
    day = data.date_obj.date()
    return day if isinstance(day, date) else None


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return SPACES.sub(" ", text).strip()


def parse_when(text: str, today: date, past: bool = False) -> When | None:
    """Read a date and/or part of day from free text in Chinese or English.

    None when nothing date-like is found, when the text names a day that does not exist, and
    for bare numbers (menu choices). A day too far ahead comes in ``too_far``, not ``day``.
    ``past``: the question is about a day gone by (a month and day without a year is the
    most recent one). Never raises.
    """
    if not text or len(text) > MAX_CHARS:
        return None
    normalised = normalise(text)
    if not normalised or _BARE_NUMBER.fullmatch(normalised):
        return None

    festival = read_festival(normalised, today, past)  # 中秋节, 国庆后, 十一假期: before numerals
    if festival is not None:
        start, end = festival.span
        normalised = normalised[:start] + MASK + normalised[end:]
    cn_weekday: tuple[str | None, str] | None = None
    if match := _CN_WEEKDAY.search(normalised):
        cn_weekday = (match.group(1), match.group(2))
        normalised = normalised[: match.start()] + MASK + normalised[match.end() :]
    normalised = cn_numerals_to_digits(normalised)

    part, part_spans = find_part(normalised)
    hour, hour_spans, bound = find_hour(normalised, part)
    by_hour = bound[1] if bound is not None and bound[0] == "by" else None
    from_hour = bound[1] if bound is not None and bound[0] == "from" else None
    try:
        day, explicit_year = _find_day(normalised, cn_weekday, today, past)
    except _InvalidDateError:
        return None
    if day is None and festival is not None:
        if festival.day is None:
            return None  # a festival in a year the calendars do not cover
        day = festival.day

    if day is None and _ASCII_LETTER.search(normalised) and _EN_FALLBACK_HINT.search(normalised):
        rest = _blank(normalised, part_spans + hour_spans)
        day = _dateparser_day(rest, today)
        explicit_year = day is not None and bool(_FOUR_DIGIT_YEAR.search(rest))

    if day is None and part is None and hour is None and bound is None:
        return None
    if day is not None and day.year < MIN_YEAR:
        return None
    if day is not None and (day - today).days > MAX_DAYS_AHEAD:
        return When(day=None, explicit_year=explicit_year, too_far=day)
    return When(
        day=day, part=part, hour=hour, explicit_year=explicit_year,
        by_hour=by_hour, from_hour=from_hour,
    )  # fmt: skip


_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR_FIRST = re.compile(
    r"(?:(?:i was |i'm |im )?born(?: in| on)?\s+)?((?:19|20)\d\d)\s*[,/-]?\s*"
    r"((?:the )?[a-z\d][a-z\d .]{2,20})"
)


def parse_birth_date(text: str, today: date) -> date | None:
    """A date of birth: a full date with its year (1990-01-31, 1990年1月31日, 31/01/1990,
    19900131). Anything without a year, or in the future, is None."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if match := _COMPACT_DATE.fullmatch(folded):
        try:
            born = date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    else:
        when = parse_when(folded, today)
        if when is None or when.day is None or not when.explicit_year:
            # the year said first, in words: "born in 1990, may 4", "1990 4th of may"
            year_first = _YEAR_FIRST.fullmatch(folded.casefold())
            if year_first is None:
                return None
            when = parse_when(f"{year_first.group(2)} {year_first.group(1)}", today)
            if when is None or when.day is None or not when.explicit_year:
                return None
        born = when.day
    return born if born <= today else None
