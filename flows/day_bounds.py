"""A day as a bound (after wednesday, 周三之后, 过咗礼拜三, 星期五前, before the 20th, 周三起, from
monday, by friday): the days wanted are those after / from / before / up to that day. Read by
the interpreter (``Entities.from_day`` / ``by_day``, inclusive) instead of the day itself, and
kept by the booking, which lists only the days within (``flows.refusals.without_refused``).

What a resident means, and so what is read:

- after, 之后, 以后, 后, 过后, 过了 / 过咗 (周三之后, 周三以后, after wednesday):
  strictly after, from the next day, as 国庆后 (the day after the holiday) is read; in
  everyday Chinese 以后 names the time after that day, and the reply says the first day
  back (好的，只约6月24日 周四起的日期), so a resident who meant Wednesday too sees it at once;
- from, 起, 开始, 或以后, 及以后, 或之后, onwards, or later, not before: that day and after;
- before, 之前, 以前, 前 (星期五前, before friday): strictly before, up to the day before;
- by, until, till, 或之前, 及以前, 为止, 最迟, 最晚, no later than, or earlier: up to that day.

A count is no bound (3日后 is three days on, 过两日 in two days), nor a festival's own 前/后
(国庆后 is one day, ``flows.festivals``), nor an hour (after 2pm, 10点以前, 周一下午三点以后:
``[hours]``): the words beside the marker must name the same day with it as without it, and
no time of day.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final, Literal

from flows.dates import parse_when

Kind = Literal["after", "from", "before", "by"]

# Cheap first look: none of these, no bound (most messages with a day pay one scan).
HINTS: Final = ("后", "前", "起", "开始", "过", "最迟", "最晚", "为止", "止", "後", "從", "从")
_LATIN_HINTS: Final = re.compile(r"\b(?:after|before|by|from|until|till|onwards?|later|earlier)\b")

# Chinese markers after the day (周三之后), longest first; not 前后 (around), not 后天 / 前天.
_SUFFIX: Final[tuple[tuple[str, Kind], ...]] = (
    ("或以后", "from"), ("及以后", "from"), ("或之后", "from"), ("及之后", "from"),
    ("以后都", "after"), ("之后", "after"), ("以后", "after"), ("过后", "after"),
    ("往后", "after"), ("后面", "after"), ("后边", "after"), ("后", "after"),
    ("开始", "from"), ("起", "from"),
    ("或之前", "by"), ("及之前", "by"), ("或以前", "by"), ("及以前", "by"), ("为止", "by"),
    ("之前", "before"), ("以前", "before"), ("前", "before"),
    (" onwards", "from"), (" onward", "from"), (" or later", "from"), (" or after", "from"),
    (" and after", "from"), (" or earlier", "by"), (" or before", "by"),
)  # fmt: skip
# Markers before the day (过咗礼拜三, after wednesday), longest first.
_PREFIX: Final[tuple[tuple[str, Kind], ...]] = (
    ("过了", "after"), ("过咗", "after"), ("过完", "after"), ("最迟", "by"), ("最晚", "by"),
    ("不迟于", "by"), ("不晚于", "by"), ("不早于", "from"), ("从", "from"),
    ("no later than ", "by"), ("not later than ", "by"), ("no earlier than ", "from"),
    ("not earlier than ", "from"), ("not before ", "from"), ("later than ", "after"),
    ("earlier than ", "before"), ("after ", "after"), ("before ", "before"), ("by ", "by"),
    ("from ", "from"), ("until ", "by"), ("till ", "by"),
)  # fmt: skip
_CLAUSE: Final = re.compile(r"[，,。.;；!！?？]")
_SUFFIXES: Final = re.compile(
    "(?:" + "|".join(re.escape(word) for word, _ in _SUFFIX) + r")(?![天日后])"
)
_PREFIXES: Final = re.compile("|".join(rf"(?<![a-z]){re.escape(word)}" for word, _ in _PREFIX))
_KIND: Final = {**dict(_SUFFIX), **dict(_PREFIX)}


def may_bound(text: str) -> bool:
    """Whether ``text`` (normalised: Simplified, lower case) holds a word that may make a day a
    bound: a cheap look before any reading."""
    return any(hint in text for hint in HINTS) or _LATIN_HINTS.search(text) is not None


def day_bound(text: str, today: date) -> tuple[date | None, date | None] | None:
    """The first and last day wanted (inclusive; None: no bound that side) when ``text`` says a
    day as a bound; None when it does not."""
    if not may_bound(text):
        return None
    text = text.replace("前后", "  ")  # 周三前后: around Wednesday, no bound
    for match in _SUFFIXES.finditer(text):
        start, end = _clause_start(text, match.start()), _clause_end(text, match.end())
        found = _bound(text[start : match.start()], match.group(), today, suffix=True)
        found = found if _same(text[start:end], found, match.group(), today) else None
        if found is not None:
            return found
    for match in _PREFIXES.finditer(text):
        start, end = _clause_start(text, match.start()), _clause_end(text, match.end())
        found = _bound(text[match.end() : end], match.group(), today, suffix=False)
        found = found if _same(text[start:end], found, match.group(), today) else None
        if found is not None:
            return found
    return None


def _bound(
    side: str, marker: str, today: date, suffix: bool
) -> tuple[date | None, date | None] | None:
    """The bound ``marker`` makes of the day ``side`` names, if the marker is no part of
    another reading of it (3日后, 国庆后, the day after tomorrow)."""
    if not side.strip():
        return None
    alone = parse_when(side, today)
    if alone is None or alone.day is None or alone.hour is not None or alone.part is not None:
        return None  # 下周一下午三点以后: the hour is the bound, not the day
    together = parse_when(side + marker if suffix else marker + side, today)
    if together is not None and together.day not in (None, alone.day):
        return None  # 3日后: three days on; 国庆后: the day after the holiday
    day, kind = alone.day, _KIND[marker]
    if kind == "after":
        return day + timedelta(days=1), None
    if kind == "from":
        return day, None
    if kind == "before":
        return None, day - timedelta(days=1)
    return None, day


def _same(
    clause: str, found: tuple[date | None, date | None] | None, marker: str, today: date
) -> bool:
    """Whether the whole clause reads the same day as the bound's own (not "the day after
    tomorrow", where "after tomorrow" is part of a day's name)."""
    if found is None:
        return False
    whole = parse_when(clause, today)
    if whole is None or whole.day is None:
        return True
    kind = _KIND[marker]
    named = found[0] if kind in ("after", "from") else found[1]
    assert named is not None
    shift = {"after": 1, "from": 0, "before": -1, "by": 0}[kind]
    return whole.day == named - timedelta(days=shift)


def _clause_start(text: str, at: int) -> int:
    found = [m.end() for m in _CLAUSE.finditer(text, 0, at)]
    return max(found, default=0)


def _clause_end(text: str, at: int) -> int:
    found = _CLAUSE.search(text, at)
    return found.start() if found else len(text)
