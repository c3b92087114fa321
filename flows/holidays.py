"""Chinese public holidays (chinese-calendar), for sites that close on them."""

from __future__ import annotations

import bisect
import logging
from datetime import date
from functools import cache, lru_cache

import chinese_calendar

log = logging.getLogger("vaxbot.holidays")


@lru_cache(maxsize=4096)
def is_public_holiday(day: date) -> bool:
    """A statutory holiday (National Day, Spring Festival, ...), not an ordinary weekend.

    Years the library has no data for count as having no holidays (logged once a day).
    """
    try:
        holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        log.warning("no public-holiday data for %s; treating it as a working day", day)
        return False
    return bool(holiday and name is not None)


@cache
def _known() -> tuple[date, date, tuple[date, ...]]:
    """The first and last day the library has data for, and every holiday between, in order.

    A day is a public holiday exactly when it is in the library's holiday table (weekends are
    holidays too there, but with no name: see ``is_public_holiday``).
    """
    days = sorted(chinese_calendar.holidays)
    return date(days[0].year, 1, 1), date(days[-1].year, 12, 31), tuple(days)


@lru_cache(maxsize=1024)  # the same week is asked for on every booking turn
def holidays_between(first: date, last: date) -> tuple[date, ...]:
    """The public holidays from ``first`` to ``last`` (both included), in order.

    The work is in proportion to the holidays found, never to the length of the range: a range
    that reaches 9999 costs no more than one that ends with the library's data. Days outside
    the years the library knows count as having no holidays (logged once per range).
    """
    start, end, days = _known()
    if first < start or last > end:
        log.warning(
            "no public-holiday data before %s or after %s; those days of %s..%s count as "
            "working days",
            start,
            end,
            first,
            last,
        )
    return days[bisect.bisect_left(days, first) : bisect.bisect_right(days, last)]


def holiday_name(day: date) -> str | None:
    """The name of the public holiday ``day`` falls in (``mid_autumn_festival``,
    ``national_day``: chinese-calendar's ``Holiday`` names), or None."""
    name = chinese_calendar.holidays.get(day)
    if name is None:
        return None
    try:
        return str(chinese_calendar.Holiday(name).name)
    except ValueError:
        return None


@lru_cache(maxsize=256)
def holiday_span(day: date) -> tuple[date, date] | None:
    """The first and last day of the public holiday ``day`` falls in (中秋节 2021: 19-21
    September), or None if it falls in none."""
    name = chinese_calendar.holidays.get(day)
    if name is None:
        return None
    _, _, days = _known()
    at = bisect.bisect_left(days, day)
    first = last = at
    while first > 0 and _same(days[first - 1], days[first], name):
        first -= 1
    while last + 1 < len(days) and _same(days[last], days[last + 1], name):
        last += 1
    return days[first], days[last]


def _same(earlier: date, later: date, name: str) -> bool:
    return (later - earlier).days == 1 and chinese_calendar.holidays.get(earlier) == name == (
        chinese_calendar.holidays.get(later)
    )


def next_holiday(day: date) -> tuple[date, date] | None:
    """The public holiday going on on ``day``, else the next one to come (节后: after it)."""
    _, _, days = _known()
    at = bisect.bisect_left(days, day)
    return holiday_span(days[at]) if at < len(days) else None
