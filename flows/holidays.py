"""Chinese public holidays (chinese-calendar), for sites that close on them."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import lru_cache

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


@lru_cache(maxsize=1024)  # the same week is asked for on every booking turn
def holidays_between(first: date, last: date) -> tuple[date, ...]:
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return tuple(day for day in days if is_public_holiday(day))
