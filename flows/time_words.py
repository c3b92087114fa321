"""A time of day as residents say it at the time question, where the clock and part-of-day
words (``flows.day_times``: 8am, 下午3点, morning) do not read it: a range of hours (8-10,
10 to 12, 8点到10点, 两点至四点, 2-4pm, between 2 and 4), ``am`` / ``pm``, around noon (中午,
lunchtime), not too early (唔好太早, 晏啲, later) and the latest (越晏越好, as late as possible).
Words: the lexicon's ``[times]``.

Read only at the booking's date and time steps (``flows.booking_day``), on a message that names
no day: nothing here runs on other messages. At the time step the periods that match are
offered (one of them: its confirmation); at the date step a range, am/pm or not too early is
kept as hour bounds (``by_hour`` / ``from_hour``, ``flows.time_wanted``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache
from typing import Final

from flows import lexicon
from flows.date_text import cn_numerals_to_digits, normalise
from flows.entities import Entities
from store import Slot

# The hours the words stand for: am ends by noon, pm starts from it; noon is any period
# touching 11:00-14:00; not too early starts from 10:00 (after the first period of a morning),
# early is over by then.
NOON: Final = 12
AROUND_NOON: Final = (11, 14)
NOT_EARLY_FROM: Final = 10

_AMPM = r"(?:([ap])\.?\s?m\b\.?)?"
_HOUR = r"([0-9]{1,2})(?:[:.][0-9]{2})?\s*(?:点钟?|时)?\s*半?\s*"
_RANGE: Final = re.compile(
    rf"(?<![0-9:./-]){_HOUR}{_AMPM}\s*(?:-|–|—|~|～|到|至|\bto\b|\btill\b|\buntil\b|\band\b)\s*"
    rf"{_HOUR}{_AMPM}(?![0-9/])"
)
_LATER_PARTS: Final = re.compile(r"下午|晚上|傍晚|afternoon|evening|night")
_MORNING: Final = re.compile(r"上午|早上|早晨|清晨|morning")


@dataclass(frozen=True, slots=True)
class TimeWish:
    """What the words ask of a period: starting from ``start`` and over by ``end`` (hours;
    None: no bound), ``touching`` (any period overlapping start-end, for a range no period
    lies within, and around noon), or the ``latest`` period."""

    start: int | None = None
    end: int | None = None
    touching: bool = False
    latest: bool = False

    def pick(self, slots: list[Slot]) -> list[Slot]:
        """The periods that match, in order (a range: those within it, else those touching)."""
        if self.latest:
            return slots[-1:]
        start, end = f"{self.start or 0:02d}:00", f"{self.end or 24:02d}:00"
        within = [s for s in slots if s.start >= start and s.end <= end]
        if within and not self.touching:
            return within
        if self.start is None or self.end is None:
            return within
        return [s for s in slots if s.start < end and s.end > start]

    def bounds(self) -> tuple[int | None, int | None] | None:
        """The hour bounds (from, by) to keep before a day is chosen; None for noon and the
        latest, which are about the periods of a day."""
        if self.latest or self.touching:
            return None
        return self.start, self.end


def time_wish(words: str) -> TimeWish | None:
    """The time of day ``words`` ask for, if said in one of the ways above; else None."""
    text = _normalised(words)
    if (found := _range(text)) is not None:
        return found
    for kind in ("latest", "noon", "not_early", "early", "am", "pm"):
        if _pattern(kind).search(text):
            return _WISHES[kind]
    return None


def said_bounds(words: str, said: Entities, with_day: bool = False) -> Entities | None:
    """What ``said`` (the interpreter's reading) becomes with a range, am/pm or not too early
    said in ``words`` before a day is chosen: hour bounds instead of the first hour of a
    range (8点到10点 is 08:00 to 10:00, not "at 8"); None when the words say none of them, or
    a day, week or place (``with_day``: a day may be said, 明天8-10)."""
    if (said.day and not with_day) or said.week or said.site or said.district:
        return None
    wish = time_wish(words)
    bounds = wish.bounds() if wish is not None else None
    if wish is None or bounds is None:
        return None
    ranged = None not in bounds
    timed = said.part is not None or said.hour is not None or said.by_hour or said.from_hour
    if timed and not ranged:
        return None  # after 2pm, morning: read as the interpreter read them
    return replace(said, hour=None, from_hour=bounds[0], by_hour=bounds[1])


_WISHES: Final = {
    "latest": TimeWish(latest=True),
    "noon": TimeWish(*AROUND_NOON, touching=True),
    "not_early": TimeWish(start=NOT_EARLY_FROM),
    "early": TimeWish(end=NOT_EARLY_FROM),
    "am": TimeWish(end=NOON),
    "pm": TimeWish(start=NOON),
}


def _range(text: str) -> TimeWish | None:
    """8-10, 10 to 12, 8点到10点, 2-4pm, 下午两点到四点: from the first hour to the second."""
    match = _RANGE.search(cn_numerals_to_digits(text))
    if match is None:
        return None
    first, first_mark, second, second_mark = match.groups()
    start, end = int(first), int(second)
    if start > 23 or end > 24:
        return None
    later = _LATER_PARTS.search(text) is not None
    if _MORNING.search(text):  # 上午8点到10点, 朝早六点到七点
        first_mark, second_mark = first_mark or "a", second_mark or "a"
    first_mark = first_mark or second_mark  # 2-4pm, 6-7am: the mark said once is for both
    if end > 12 and not (later or first_mark):  # 10-14: a 24-hour clock, as written
        first_mark = "24"
    start = _afternoon(start, later or first_mark == "p", first_mark)
    end = _afternoon(end, later or second_mark == "p", second_mark)
    if end <= start:
        end += 12  # 11-1: 11:00 to 13:00
    if not 0 < end - start <= 12 or end > 24:
        return None
    return TimeWish(start, end)


def _afternoon(hour: int, pm: bool, mark: str | None) -> int:
    """The hour on a 24-hour clock: pm (or an afternoon word) adds 12 to 1-11; without a mark,
    1-7 are in the afternoon (nobody is vaccinated at 2 in the night)."""
    if mark == "a":
        return hour % 12
    if mark == "24":
        return hour
    if pm:
        return hour + 12 if 1 <= hour <= 11 else hour
    return hour + 12 if 1 <= hour <= 7 else hour


def _normalised(words: str) -> str:
    """The text as the lexicon's words are written: NFKC, lower case, Simplified day words,
    its Chinese replacements made (下昼 → 下午)."""
    text = normalise(unicodedata.normalize("NFKC", words))
    for word, instead in lexicon.chinese_replacements():
        if word in text:
            text = text.replace(word, instead)
    return text


@cache
def _pattern(kind: str) -> re.Pattern[str]:
    """The lexicon's ``[times] kind`` words: Chinese anywhere, Latin words whole."""
    words = sorted(lexicon.load().times.get(kind, ()), key=len, reverse=True)
    forms = [rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w.isascii() else re.escape(w) for w in words]
    if kind == "am":  # "i am free": no morning
        forms = [rf"(?<!i ){form}" if form.startswith("(?<![a-z])a") else form for form in forms]
    return re.compile("|".join(forms) or "(?!x)x")
