"""Reading a part of day (上午, afternoon, 今晚) and a clock hour (下午3点, 3pm, 15:00) from a
date text already normalised by ``flows.dates`` (one case, digits 0-9, Simplified).

Hours: am/pm and 上午/下午/晚上 decide. Without them 1-7 o'clock means pm (13-19), other hours
are taken as written (10点 -> 10, 15:00 -> 15). Minutes are dropped. 12 stays 12. Each finder
also gives the spans it read, so that the rest of the text can be read without them.
"""

import re
from typing import Final, Literal

from flows import lexicon

Part = Literal["morning", "afternoon", "evening"]


def _part_pattern(part: Part, clock: str) -> re.Pattern[str]:
    """The words for ``part`` in the lexicon (the one list of them), and its clock form."""
    words = sorted(lexicon.part_words()[part], key=len, reverse=True)
    forms = [rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in words]
    return re.compile("|".join([*forms, clock]))


# 早8点 and 晚7点: a part of day only next to a clock time.
_PARTS: Final[tuple[tuple[Part, re.Pattern[str]], ...]] = (
    ("morning", _part_pattern("morning", r"早(?=\s*[0-9])")),
    ("afternoon", _part_pattern("afternoon", r"(?!x)x")),
    ("evening", _part_pattern("evening", r"晚(?=\s*[0-9])|\bnights?\b")),
)
_AM_PM: Final = re.compile(r"\b([0-9]{1,2})(?:[:.]([0-9]{2}))?\s*([ap])\.?m\b\.?")
_CN_HOUR: Final = re.compile(r"(?<![0-9.])([0-9]{1,2})\s*(?:点|时)钟?半?")
_CLOCK: Final = re.compile(r"(?<![0-9:])([0-9]{1,2}):([0-9]{2})(?![0-9:])")
# 下午3.30: a dot time right after a part-of-day word (elsewhere 6.20 is a date).
_DOT_CLOCK: Final = re.compile(
    r"(?:(?<=[午上晚早])|(?<=[午上晚早] ))([0-9]{1,2})\.([0-9]{2})(?![0-9])"
)
_OCLOCK: Final = re.compile(r"\b([0-9]{1,2})\s*o['’]?\s?clock\b")
_NOON: Final = re.compile(r"\bnoon\b")
# before 9, after 2, by 10: a bare number after an English hour bound is an hour (not one
# followed by a unit or a date's ending: after 2 days, before the 9th, by 10/7)
_BARE_BOUND: Final = re.compile(
    r"\b(?:before|after|by|no later than|not later than|no earlier than|not earlier than)"
    r"\s+([0-9]{1,2})(?![0-9:./-]|\s*(?:st|nd|rd|th|days?|weeks?|months?|years?|mins?|"
    r"minutes?|hours?|hrs?|doses?|people|persons?|of)\b|\s*[号日月])"
)


def find_part(text: str) -> tuple[Part | None, list[tuple[int, int]]]:
    found: list[tuple[int, Part, tuple[int, int]]] = []
    for part, pattern in _PARTS:
        match = pattern.search(text)
        if match:
            found.append((match.start(), part, match.span()))
    if not found:
        return None, []
    found.sort()
    return found[0][1], [span for _, _, span in found]


# An hour as a bound (the lexicon's [hours]): before which the resident wants to be done
# (10点以前, before 10am) or at or after which to start (10点以后, after 2pm). A bound "by" is no
# wish for the period starting then, so no hour is taken for it; a bound "from" keeps its hour.
Bound = Literal["by", "from"]


def _bound_patterns(kind: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What follows the hour (以前; 前 not in 前后) and what comes before it (before, after)."""
    tails, leads = lexicon.load().hour_bounds.get(kind, ((), ()))
    tail = "|".join(re.escape(w) + ("(?!后)" if w == "前" else "") for w in _longest(tails))
    lead = "|".join(re.escape(w) for w in _longest(leads))
    return (
        re.compile(rf"\s*(?:{tail or '(?!x)x'})"),
        re.compile(rf"\b(?:{lead or '(?!x)x'})\s*$"),
    )


def _longest(words: tuple[str, ...]) -> list[str]:
    return sorted(words, key=len, reverse=True)


_BOUNDS: Final[tuple[tuple[Bound, tuple[re.Pattern[str], re.Pattern[str]]], ...]] = (
    ("by", _bound_patterns("by")),
    ("from", _bound_patterns("from")),
)


def find_hour(
    text: str, part: Part | None
) -> tuple[int | None, list[tuple[int, int]], tuple[Bound, int] | None]:
    """The hour wanted, the spans read, and the hour if it is said as a bound (10点以前: no
    hour wanted, by 10; after 2pm: 14, from 14)."""
    hour, spans = _find_hour(text, part)
    if hour is None or not spans:
        return hour, spans, None
    start, end = spans[0]
    for kind, (tail, lead) in _BOUNDS:
        if tail.match(text, end) or lead.search(text, 0, start):
            return (None if kind == "by" else hour), spans, (kind, hour)
    return hour, spans, None


def _find_hour(text: str, part: Part | None) -> tuple[int | None, list[tuple[int, int]]]:
    match = _AM_PM.search(text)
    if match:
        hour = int(match.group(1))
        if 1 <= hour <= 12:
            return hour % 12 + (12 if match.group(3) == "p" else 0), [match.span()]
        return (hour if hour <= 23 else None), [match.span()]
    for pattern in (_CN_HOUR, _CLOCK, _DOT_CLOCK, _OCLOCK):
        match = pattern.search(text)
        if match:
            return _hour_with_part(int(match.group(1)), part), [match.span()]
    match = _NOON.search(text)
    if match:
        return 12, [match.span()]
    match = _BARE_BOUND.search(text)
    if match:
        return _hour_with_part(int(match.group(1)), part), [match.span(1)]
    return None, []


def _hour_with_part(hour: int, part: Part | None) -> int | None:
    if hour > 23:
        return None
    if part == "morning":
        return hour
    if part in ("afternoon", "evening"):
        return hour + 12 if 1 <= hour <= 11 else hour
    return hour + 12 if 1 <= hour <= 7 else hour
