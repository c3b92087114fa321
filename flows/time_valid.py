"""A time of day written that no clock shows (13:99, 25点, 0:61, 上午15点, 9:99pm): found
before a time is read at the date and time questions, so that it is said not to be a time and
the question asked again, never read as the nearest period (``flows.booking_day``)."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from flows.date_text import cn_numerals_to_digits
from flows.dialogue import Answer, Ctx, Retry

# 13:99, 25：00, 9:99pm (a colon only: 6.20 is a date at the date question)
_CLOCK: Final = re.compile(r"(?<!\d)(\d{1,2})\s*[:：]\s*(\d{2})(?!\d)\s*(am|pm|a\.m\.|p\.m\.)?")
# 25点, 上午15点, 晚上25点, 10点75分, 二十五点 (read as digits first)
_HOUR: Final = re.compile(
    r"(上午|早上|早晨|朝早|凌晨|上昼|清早)?\s*(?<!\d)(\d{1,3})\s*[点时點時](?:\s*(\d{1,3})\s*分?)?"
)
# 13pm, 15 am
_AM_PM: Final = re.compile(r"(?<![\d:：])(\d{1,2})\s*(am|pm)\b")


def impossible_time(text: str) -> str | None:
    """The first time of day in ``text`` (Simplified) that is none, as written; None if every
    time written is one (24:00 is the day's end; a morning word before an hour after 12 is
    none: 上午15点; 下午13点 is 13:00)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    for found in _CLOCK.finditer(folded):
        hour, minute, half = int(found.group(1)), int(found.group(2)), found.group(3)
        if minute > 59 or hour > 24 or (hour == 24 and minute) or (half and not 0 < hour <= 12):
            return found.group().strip()
    digits = cn_numerals_to_digits(folded)
    for found in _HOUR.finditer(digits):
        morning, hour = found.group(1), int(found.group(2))
        minute = int(found.group(3)) if found.group(3) else 0
        if hour > 24 or minute > 59 or (morning and hour > 12):
            return found.group().strip()
    for found in _AM_PM.finditer(folded):
        if not 0 < int(found.group(1)) <= 12:
            return found.group().strip()
    return None


# The steps of a booking or a move at which a time of day may be said.
TIMED_STEPS: Final = frozenset({"where", "district", "site", "date", "period", "confirm"})


def no_time_heard(ctx: Ctx, answer: Answer) -> Retry | None:
    """At a booking's place, day, time or confirmation step: a time written that is none said
    so and the step asked again (nothing taken from the message), before anything reads it."""
    if answer.option is not None or ctx.step not in TIMED_STEPS:
        return None
    bad = impossible_time(answer.words)
    return None if bad is None else Retry(ctx.t("time.invalid", time=bad), sure=True)
