"""The day and time a message wants, when it names more than one: after a change or a
correction (改到后天; 明天上午，不对，后天下午), not the one ruled out (明天不行，后天上午), of two
alternatives only what both say (明天或者后天), and the day wanted beside a past one (5月15号打的
第一针…帮我约20号). Used by the interpreter (``bot.nlu.interpreter``) for ``day`` and ``part``."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from functools import cache
from typing import TypeVar

from flows import lexicon
from flows.dates import When, parse_when
from flows.entities import Part

_T = TypeVar("_T")
# Where a sentence's clauses part: a day said in a later one may be the one wanted.
_CLAUSE = re.compile(r"[，,。.;；!！?？\s]+")

# What comes after one of these is what is wanted now: a change (改到后天, 改做礼拜日) or a
# correction of what was just said (明天上午，不对，后天下午; 不是明天，是后天;
# 唔系礼拜六，系礼拜日; 礼拜五…唔系，礼拜六; I mean Friday).
_CHANGE_TO = re.compile(
    r"改到|改成|改为|改去|改做|换到|换成|换做|调到|推到|改返|\bto\b|不对|算了|应该是|我是说|我的意思是"
    r"|(?:不是|唔系)[^，,。；;]{1,12}[，,]\s*(?:而)?(?:是|系)|\bi mean\b|\bactually\b|\bno wait\b"
    r"|(?:不是|唔系|哦不|唔对)\s*[，,!！]"  # 约礼拜五…唔系，礼拜六: a no, then what is wanted
)
# A day or time ruled out (明天不行，后天上午; 不要上午，下午吧; can't do friday, saturday?): the
# clause that says so (a word of the lexicon's [refusals]) names what is not wanted; the
# others, what is. Words holding one that rule nothing out (得唔得, 唔好意思) are masked first.


@cache
def _refusal_patterns() -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    refusals = lexicon.load().refusals
    return _alternatives(refusals.get("words", ())), (
        _alternatives(refusals["not"]) if refusals.get("not") else None
    )


def _alternatives(words: tuple[str, ...]) -> re.Pattern[str]:
    forms = [
        rf"(?<![a-z']){re.escape(w)}(?![a-z'])" if w.isascii() else re.escape(w)
        for w in sorted(words, key=len, reverse=True)
    ]
    return re.compile("|".join(forms) or "(?!x)x")


def _refuses(clause: str) -> bool:
    words, masked = _refusal_patterns()
    if masked is not None:
        clause = masked.sub(" ", clause)
    return words.search(clause) is not None


_SENTENCE_PARTS = re.compile(r"[，,。.;；!！?？]+")


@cache
def _either() -> re.Pattern[str]:
    """Two days or parts of day offered as alternatives (明天上午或者后天下午, 礼拜五定礼拜六): not
    to be guessed. The lexicon's ``[wishes] either`` words (定 is one only between two days)."""
    return _alternatives(lexicon.load().wishes.get("either", ()))


def wanted_when(text: str, today: date) -> When | None:
    """The day and time wanted: after a word of change or correction (改到后天; 不对，后天)
    if there is one, with what it leaves unsaid taken from before (明天上午，不对，后天:
    后天上午); of two alternatives (明天或者后天), only what both say, the rest to be asked."""
    whole = parse_when(text, today)
    if whole is None or whole.too_far is not None:
        return whole
    if whole.day is not None and whole.day < today:  # 5月15号打的第一针…帮我约20号
        clauses = _CLAUSE.split(text)
        for at in range(len(clauses) - 1, 0, -1):
            later = parse_when(clauses[at], today)
            if later is None or later.day is None or later.day < today:
                continue
            # an English word is a clause only if the words before it do not change it: "the
            # 3rd" in "last month on the 3rd" is that past day, not the 3rd to come
            if clauses[at].isascii():
                context = parse_when(" ".join(clauses[max(0, at - 5) : at + 1]), today)
                if context is None or context.day != later.day:
                    continue
            return later
    if changes := list(_CHANGE_TO.finditer(text)):
        cut = changes[-1]
        after = parse_when(text[cut.end() :], today)
        if after is not None and (after.day is not None or after.part is not None):
            before = parse_when(text[: cut.start()], today)
            return after if before is None else _after_change(before, after)
    if (wanted := not_ruled_out(text)) is not None:
        rest = parse_when(wanted, today)
        if rest is not None and (rest.day is not None or rest.part is not None):
            return rest  # 明天不行，后天上午: 后天上午 (明天去不了，帮我取消: 明天, as said)
    for either in _either().finditer(text):  # 预定明天: no day before its 定
        left = parse_when(text[: either.start()], today)
        right = parse_when(text[either.end() :], today)
        if left is not None and right is not None:
            return _both(left, right)
    return whole


@cache
def _will_do() -> re.Pattern[str]:
    """Any of them will do (都得, 都行, whichever): the lexicon's ``[wishes] earliest`` words."""
    return _alternatives(lexicon.load().wishes.get("earliest", ()))


def either_days(text: str, today: date) -> tuple[date, date] | None:
    """Two days to come either of which will do (听日或者后日都得, 礼拜六或者礼拜日都可以), earlier
    first: the days to offer; None when the message does not say so."""
    if _will_do().search(text) is None:
        return None
    for either in _either().finditer(text):
        left = parse_when(text[: either.start()], today)
        right = parse_when(text[either.end() :], today)
        if left is None or right is None or left.day is None or right.day is None:
            continue
        first, last = sorted((left.day, right.day))
        return (first, last) if first != last and first >= today else None
    return None


def not_ruled_out(text: str) -> str | None:
    """The clauses of ``text`` that rule nothing out, if one does (明天不行，后天上午: 后天上午);
    None when none does."""
    if not _refuses(text):
        return None
    clauses = [clause for clause in _SENTENCE_PARTS.split(text) if clause.strip()]
    wanted = [clause for clause in clauses if not _refuses(clause)]
    return " ".join(wanted) if len(wanted) < len(clauses) else None


def refused_words(text: str, words: list[str]) -> bool:
    """Whether one of ``words`` is in what a word of refusal rules out: right beside it, in
    its clause (周末唔得, not on weekends, 星期六同星期日都唔得)."""
    refusal, masked = _refusal_patterns()
    if masked is not None:
        text = masked.sub(lambda m: "\u3000" * len(m.group()), text)  # as wide as it was
    spans = []
    for clause in re.finditer(r"[^，,。.;；!！?？]+", text):
        for match in refusal.finditer(clause.group()):
            at = clause.start()
            left, right = _reach(clause.group(), match.start(), match.end())
            spans.append((at + left, at + right))
    return any(
        found.start() < right and found.end() > left
        for word in words
        for found in re.finditer(re.escape(word), text)
        for left, right in spans
    )


def ruled_out(text: str, today: date) -> When | None:
    """The day, part of day or hour ruled out (星期六不行; 除咗星期六，边日都得: Saturday; 唔要朝早:
    the morning): what the words right beside a word of refusal name, in a clause saying no,
    unless another clause wants it too; None when nothing is ruled out."""
    words, masked = _refusal_patterns()
    if masked is not None:
        text = masked.sub(lambda m: "\u3000" * len(m.group()), text)  # as wide as it was
    if not words.search(text):
        return None
    refused: list[str] = []
    for clause in _SENTENCE_PARTS.split(text):
        for match in words.finditer(clause):
            refused.append(_beside(clause, match.start(), match.end()))
    found = parse_when(" ".join(refused), today)
    if found is None:
        return None
    wanted = [not_ruled_out(text) or ""]
    if changes := list(_CHANGE_TO.finditer(text)):  # 换到晚上 白天要上班: the evening wanted
        wanted.append(text[changes[-1].end() :])
    for kept in (parse_when(said, today) for said in wanted if said.strip()):
        if kept is not None and (
            (found.day is not None and kept.day == found.day)
            or (found.part is not None and kept.part == found.part)
        ):
            return None  # 周五上午要上班，改成周五晚上: Friday is wanted after all
    return found


# How far beside a word of refusal what it refuses may be: a Chinese character counts as three
# Latin ones: five characters (星期六我去不了), or a few short words (I can't do saturday).
_REACH = 15


def _beside(clause: str, start: int, end: int) -> str:
    """The words just before and after ``clause[start:end]``, within ``_REACH``."""
    left, right = _reach(clause, start, end)
    return clause[left:right]


def _reach(clause: str, start: int, end: int) -> tuple[int, int]:
    """Where the words just before and after ``clause[start:end]`` begin and end."""
    left, budget = start, _REACH
    while left > 0 and budget > 0:
        left -= 1
        budget -= 3 if ord(clause[left]) > 0x2E80 else 1
    right, budget = end, _REACH
    while right < len(clause) and budget > 0:
        budget -= 3 if ord(clause[right]) > 0x2E80 else 1
        right += 1
    return left, right


def _after_change(before: When, after: When) -> When:
    """What a change names, and of what it does not name, what was said before it."""
    timed = after.part is not None or after.hour is not None
    return replace(
        after,
        day=after.day if after.day is not None else before.day,
        part=after.part if timed else before.part,
        hour=after.hour if timed else before.hour,
    )


def _both(left: When, right: When) -> When | None:
    """What two alternatives agree on (a field only one of them names counts for both)."""

    part: Part | None = _agreed(left.part, right.part)
    day, hour = _agreed(left.day, right.day), _agreed(left.hour, right.hour)
    if day is None and part is None and hour is None:
        return None
    return When(day=day, part=part, hour=hour, explicit_year=left.explicit_year)


def _agreed(a: _T | None, b: _T | None) -> _T | None:
    return b if a is None else a if b is None or a == b else None


# A word of the days Monday to Friday that names them as a range (星期一至五): no one day.
_RANGE = re.compile(r"至|到|\bto\b|-")


def week_part(
    text: str, found: dict[str, list[tuple[str, str | int]]], day: date | None, not_day: date | None
) -> tuple[bool, bool, date | None, date | None]:
    """The weekend wanted, and Monday to Friday wanted (平日, weekdays only), from the words of
    each ``found`` (``weekend``, ``weekdays``): said as such, or as the other ruled out (周末唔得,
    not on weekends; 平日唔得: the weekend); with the day wanted and the day ruled out, without
    a Saturday or Sunday (or the Monday of 星期一至五) when weekdays are wanted."""
    weekend = [str(word) for word, _ in found["weekend"]]
    weekdays = [str(word) for word, _ in found["weekdays"]]
    weekend_out = bool(weekend) and refused_words(text, weekend)
    weekdays_out = bool(weekdays) and refused_words(text, weekdays)
    wants_weekdays = (bool(weekdays) and not weekdays_out) or weekend_out
    wants_weekend = (bool(weekend) and not weekend_out) or weekdays_out
    if wants_weekdays and wants_weekend:  # 周末唔得，平日得 says both ways: weekdays
        wants_weekend = not (weekend_out or not weekdays_out)
        wants_weekdays = not wants_weekend
    if wants_weekdays:
        ranged = any(_RANGE.search(word) for word in weekdays)
        day = None if day is not None and (day.weekday() >= 5 or ranged) else day
        not_day = None if not_day is not None and not_day.weekday() >= 5 else not_day
    return wants_weekend, wants_weekdays, day, not_day
