"""Days named by a festival or a public holiday: 中秋节, 国庆后, 端午前一天, 十一假期, 节后第一天,
the day after Mid-Autumn, after Chinese New Year.

``read_festival`` is pure and reads text already made regular (``flows.date_text.normalise``).
The words are the lexicon's (``[festivals]`` in ``flows/lexicon.toml``); the days come from the
calendars: a lunar festival's from ``lunardate`` (中秋 is the 15th of the 8th lunar month), 清明
from chinese-calendar's solar terms, and the public holiday around a festival (国庆后 is the
day after the National Day holiday, not 2 October) from chinese-calendar, as ``flows.holidays``
reads it for the sites that close on holidays. Nothing is fetched at run time.

What the words around a festival make of its day (``around`` in the lexicon):

- ``on`` (中秋节那天, on National Day) and no word at all: the festival's own day;
- ``eve`` / ``morrow`` (中秋前一天, the day after Mid-Autumn): the day before / after it;
- ``before`` / ``after`` (国庆前, 国庆后, 过完年, after the holiday): the last day before its
  public holiday / the first day after it (the day before / after the festival if it has none);
- ``during`` (国庆假期, 十一黄金周, the Mid-Autumn holiday): the first day of its holiday.

A year said before it (明年春节, 2022年中秋, 去年国庆) is that year's. A festival without a year
is the next one to come, or one a few days past (``GRACE_DAYS``: the
caller reports it as past); with ``past`` (when was dose 1?) the latest on or before today.
Words that are also numbers (十一 "eleven", 五一, 八月十五) count only when no numeral or date
mark touches them (十一号, 八月十五日 are days of the month), and ``ambiguous`` ones (十一) only
with a word around them that says a day is meant (十一那天, 十一后, 过完十一).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import ahocorasick

from flows import lexicon
from flows.date_text import normalise
from flows.holidays import holiday_name, holiday_span, next_holiday

GRACE_DAYS: Final = 3
_YEAR_BEFORE: Final = re.compile(r"(?:(?<![0-9])([0-9]{4})|([今明后去前]))\s*年\s*(?:的\s*)?$")
_YEAR_OFFSET: Final = {"今": 0, "明": 1, "后": 2, "去": -1, "前": -2}
_NUMERAL: Final = "零〇一二三四五六七八九十百两廿0-9"


@dataclass(frozen=True, slots=True)
class FestivalDay:
    day: date | None  # None: the calendars do not cover that year
    span: tuple[int, int]  # where the words are in the text read


@dataclass(frozen=True, slots=True)
class _Reader:
    mark: ahocorasick.Automaton  # every festival or holiday word: one pass over most text
    names: re.Pattern[str]
    word_of: dict[str, lexicon.Festival]
    after: re.Pattern[str]  # the relation word right after a festival (国庆后)
    before: re.Pattern[str]  # ... right before it (after National Day, 过完中秋)
    relation_of: dict[str, str]
    generic: re.Pattern[str]  # 节后第一天, after the holiday: no festival named
    generic_of: dict[str, str]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@functools.cache
def _reader() -> _Reader:
    lex = lexicon.load()
    word_of = {normalise(w): f for f in lex.festivals for w in f.words + f.ambiguous}
    around = {normalise(w): rel for rel, (after, _) in lex.around.items() for w in after}
    ahead = {normalise(w): rel for rel, (_, before) in lex.around.items() for w in before}
    generic = {normalise(w): rel for rel, words in lex.holiday_words.items() for w in words}
    mark = ahocorasick.Automaton()
    for word in [*word_of, *generic]:
        mark.add_word(word, word)
    if len(mark):
        mark.make_automaton()
    names = _alternation(list(word_of))
    edge = r"(?<![a-z])" if names else ""
    return _Reader(
        mark=mark,
        names=re.compile(rf"{edge}(?:{names or '(?!)'})(?![a-z])"),
        word_of=word_of,
        after=re.compile(rf"\s*(?:节|的|嘅)?\s*({_alternation(list(around)) or '(?!)'})"),
        before=re.compile(rf"(?<![a-z])({_alternation(list(ahead)) or '(?!)'})\s*(?:the\s+)?$"),
        relation_of={**around, **{f"<{w}": rel for w, rel in ahead.items()}},
        generic=re.compile(rf"(?<![a-z])(?:{_alternation(list(generic)) or '(?!)'})(?![a-z])"),
        generic_of=generic,
    )


def may_name_festival(text: str) -> bool:
    """Whether ``text`` (made regular) has a festival or holiday word: the one search made
    before anything else is tried (an Aho-Corasick automaton: about 1 µs, whatever the
    number of words)."""
    mark = _reader().mark
    return mark.kind == ahocorasick.AHOCORASICK and next(mark.iter(text), None) is not None


def read_festival(text: str, today: date, past: bool = False) -> FestivalDay | None:
    """The day a festival or holiday named in ``text`` stands for, and where its words are;
    None when none is named."""
    if not may_name_festival(text):
        return None
    reader = _reader()
    for match in reader.names.finditer(text):
        word = match.group()
        festival = reader.word_of[word]
        start, end = match.span()
        numeric = word[0] in _NUMERAL or word[-1] in _NUMERAL
        if numeric and (
            re.match(rf"[{_NUMERAL}日号点时月个岁]", text[end : end + 1])
            or re.match(rf"[{_NUMERAL}月]", text[start - 1 : start] or " ")
        ):
            continue  # 十一号, 八月十五日, 十月十一
        relation = None
        if follows := reader.after.match(text, end):
            relation, end = reader.relation_of[follows.group(1)], follows.end()
        elif precedes := reader.before.search(text, 0, start):
            relation, start = reader.relation_of["<" + precedes.group(1)], precedes.start()
        if relation is None and word in festival.ambiguous:
            continue  # 十一 alone is eleven
        if year := _YEAR_BEFORE.search(text, 0, start):  # 明年春节, 2022年中秋: that year's
            start = year.start()
            number = year.group(1)
            said = int(number) if number else today.year + _YEAR_OFFSET[year.group(2)]
            return FestivalDay(_around(festival, said, relation or "on"), (start, end))
        return FestivalDay(_day(festival, relation or "on", today, past), (start, end))
    if generic := reader.generic.search(text):
        span = next_holiday(today - timedelta(days=1))
        relation = reader.generic_of[generic.group()]
        if span is None:
            return FestivalDay(None, generic.span())
        day = span[1] + timedelta(days=1) if relation == "after" else span[0] - timedelta(days=1)
        return FestivalDay(day, generic.span())
    return None


def _day(festival: lexicon.Festival, relation: str, today: date, past: bool) -> date | None:
    days = [_around(festival, year, relation) for year in range(today.year - 1, today.year + 2)]
    known = [day for day in days if day is not None]
    if past:
        return max((day for day in known if day <= today), default=None)
    return min((day for day in known if (today - day).days <= GRACE_DAYS), default=None)


def _around(festival: lexicon.Festival, year: int, relation: str) -> date | None:
    day = festival_day(festival, year)
    if day is None:
        return None
    one = timedelta(days=1)
    if relation in ("eve", "morrow"):
        return day - one if relation == "eve" else day + one
    span = holiday_span(day) if holiday_name(day) == festival.holiday else None
    first, last = span or (day, day)
    if relation == "before":
        return first - one
    if relation == "after":
        return last + one
    return first if relation == "during" else day


@functools.lru_cache(maxsize=256)
def festival_day(festival: lexicon.Festival, year: int) -> date | None:
    """The festival's own day in ``year`` (中秋 2021: 21 September), or None if the calendars
    do not cover that year."""
    # lazy, and outside the ``try``: only a festival needs them, and a missing one must fail
    import chinese_calendar
    from lunardate import LunarDate

    kind, _, which = festival.day.partition(" ")
    try:
        if kind == "term":
            terms = chinese_calendar.get_solar_terms(date(year, 1, 1), date(year, 12, 31))
            found = [day for day, name in terms if name == which]
            day = found[0] if found else None
        else:
            month, _, of_month = which.partition("-")
            if kind == "lunar":
                day = LunarDate(year, int(month), int(of_month)).to_solar_date()
            else:
                day = date(year, int(month), int(of_month))
    except Exception:  # any year the calendars do not cover, however they fail
        return None  # a year outside the calendars' (lunardate: 1900-2099)
    return None if day is None else day + timedelta(days=festival.offset)
