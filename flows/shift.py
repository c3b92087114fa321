"""A move by some days from the booked day: 推迟两天, 提前一日, 延后一个星期, push my dad's jab back
two days, bring it forward a day (a number of days or weeks after a ``[whose] later`` or
``earlier`` word); 提前 / 推迟 alone: any day before / after the booked one."""

from __future__ import annotations

import re
from functools import cache

from flows import lexicon
from flows.dates import EN_COUNT

# English count words are the date reader's (in two weeks, 3 days later).
_NUMBER = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, **EN_COUNT}
_AMOUNT = (
    r"(?:by\s+)?(?P<n>[一两二三四五六七1-7]|a|an|one|two|three|four|five|six|seven)\s*"
    r"(?:个)?\s*(?P<unit>天|日|星期|礼拜|周|days?\b|weeks?\b)"
)


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(
        rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w)
        for w in sorted(words, key=len, reverse=True)
    )
    return re.compile(rf"(?:{alternatives})(?!到)(?P<rest>.{{0,40}})")


def shift_said(text: str) -> int | str | None:
    """Days to move by (negative: earlier), ``"later"`` / ``"earlier"`` for a direction alone,
    or None, in the normalised ``text``."""
    lowered = text.casefold()
    words = lexicon.load().whose
    for sign, kind in ((1, "later"), (-1, "earlier")):
        pattern = _pattern(tuple(words.get(kind, ())))
        found = pattern.search(lowered) if pattern else None
        if found is None:
            continue
        amount = re.search(_AMOUNT, found.group("rest"))
        if amount is None:
            return kind if len(found.group(0)) - len(found.group("rest")) > 1 else None
        n = amount.group("n")
        days = int(n) if n.isdigit() else _NUMBER[n]
        weeks = amount.group("unit") in ("星期", "礼拜", "周") or "week" in amount.group("unit")
        return sign * days * (7 if weeks else 1)
    return None
