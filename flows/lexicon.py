"""The lexicon: the words residents use, read from ``lexicon.toml`` (one data file).

Loaded once per process. The flows use its word lists where they read words themselves (the
parts of day, the weekend); the interpreter (``bot.nlu``) uses all of it. A deployer may give
their own file (``VAXBOT_LEXICON``) with the same layout; docs/nlu.md tells how to extend it.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT = Path(__file__).with_name("lexicon.toml")
PARTS = ("morning", "afternoon", "evening")


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    cues: tuple[tuple[str, float], ...]  # (word, weight)
    patterns: tuple[tuple[re.Pattern[str], float], ...]
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scoring:
    threshold: float
    margin: float
    question_bonus: float
    question_penalty: float
    statement_factor: float
    site_statement_factor: float
    booking_entities: frozenset[str]
    booking_entity_bonus: float
    first_entity_bonus: float
    request: re.Pattern[str]
    request_bonus: float
    booking_words: tuple[str, ...]
    classifier_weight: float
    # Topics that say who is asking (外地户口, 外国人) rather than what: with another question's
    # topic named (免费, 带什么), scaled by background_factor (外地户口打疫苗免费吗 asks the cost).
    background: frozenset[str] = frozenset()
    background_factor: float = 1.0
    background_over: float = 4.0  # the cue score that names another topic (a word of its own)
    background_entities: frozenset[str] = frozenset()  # a booking's own: day, time, site


@dataclass(frozen=True, slots=True)
class Festival:
    """A festival residents name a day by (``[festivals.days]``): see flows/festivals.py."""

    name: str
    day: str  # "solar 10-1", "lunar 8-15", "term 清明"
    words: tuple[str, ...]
    ambiguous: tuple[str, ...] = ()  # also a number (十一): only with a word around it
    offset: int = 0  # days from that day (除夕: -1 from 春节)
    holiday: str | None = None  # chinese-calendar's name of the public holiday around it


@dataclass(frozen=True, slots=True)
class Lexicon:
    replace: dict[str, str]
    filler: tuple[str, ...]
    question: tuple[str, ...]
    parts: dict[str, tuple[str, ...]]  # morning/afternoon/evening/any -> words
    weekend: tuple[str, ...]
    weekdays: tuple[str, ...]  # Monday to Friday: the weekend ruled out
    next_week: tuple[str, ...]
    week_after_next: tuple[str, ...]
    site_wishes: dict[str, tuple[str, ...]]  # accessible -> words (evening: parts["evening"])
    doses: dict[int, tuple[str, ...]]
    relations: dict[str, tuple[str, ...]]
    makers: dict[str, tuple[str, ...]]
    generic_site_words: tuple[str, ...]
    surnames: frozenset[str]
    scoring: Scoring
    intents: dict[str, Intent]
    training: tuple[Path, ...]  # labelled messages the classifier learns from
    festivals: tuple[Festival, ...] = ()
    # relation (on, eve, morrow, before, after, during) -> (words after a festival, before it)
    around: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    holiday_words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 节后: after
    # A change of mind inside a flow (flows/minds.py): give_up, keep, this_phone, unknown
    minds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The fields a correction names (名字打错了): field -> words, in the lexicon's order
    mind_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Someone not on the phone yet, by pattern (再帮个阿伯约, a different person): relation "new"
    someone_new: tuple[re.Pattern[str], ...] = ()
    # What residents call a site (天体): nickname -> a part of the site's name (天河体育中心)
    site_nicknames: dict[str, str] = field(default_factory=dict)
    # A day, part of day or hour ruled out (words, and words holding them that rule out nothing)
    refusals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # An hour as a bound: by (10点以前) / from (after 2pm) -> (words after the hour, before it)
    hour_bounds: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    # No preference or the soonest (earliest), a day beyond those released (later)
    wishes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A time of day at the time question (flows/time_words.py): am, pm, noon, not_early, latest
    times: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Details a request states (flows/said_details.py): who is named (self, other), where one
    # lives (home), and titles that make no name (王先生)
    details: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Typos mended (bookk, canncel, appointmnet: bot/nlu/typos.py): the words mended to, and
    # words one letter away from one of them that are words of their own (cancer, look)
    mend: tuple[str, ...] = ()
    known: tuple[str, ...] = ()
    # Whose bookings a status, cancel or move asks about (flows/whose.py): everyone on the phone
    # (全部, 两个都, all, both) or the sender's own (我, my, mine)
    whose: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _words(raw: Any, where: str, fold: bool = True) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(w, str) and w for w in raw):
        raise ValueError(f"lexicon: {where} must be a list of non-empty strings")
    return tuple(w.casefold() if fold else w for w in raw)


def _weights(raw: Any, where: str, fold: bool = True) -> tuple[tuple[str, float], ...]:
    """word = weight pairs; words case-folded as the text is, regular expressions
    (``fold=False``) kept as written: folding would turn ``\\S`` into ``\\s``."""
    if not isinstance(raw, dict):
        raise ValueError(f"lexicon: {where} must be a table of word = weight")
    out = []
    for word, weight in raw.items():
        if not isinstance(weight, int | float) or not word:
            raise ValueError(f"lexicon: {where}.{word!r} needs a number")
        out.append((word.casefold() if fold else word, float(weight)))
    return tuple(out)


def _patterns(raw: Any, where: str) -> tuple[re.Pattern[str], ...]:
    """Regular expressions, kept as written (folding would turn ``\\S`` into ``\\s``)."""
    out = []
    for pattern in _words(raw, f"{where}.patterns", fold=False):
        try:
            out.append(re.compile(pattern))
        except re.error as error:
            raise ValueError(f"lexicon: {where}: bad pattern {pattern!r}") from error
    return tuple(out)


def _request(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every request; a request right after a negation (不想约) is none."""
    try:
        return re.compile(r"(?<![不唔没冇别])(?:" + "|".join(patterns) + ")")
    except re.error as error:
        raise ValueError(f"lexicon: scoring.request: {error}") from error


def parse(raw: dict[str, Any], base: Path = DEFAULT.parent) -> Lexicon:
    """A lexicon from the TOML document's tables; raises ValueError naming what is wrong."""
    normalise = raw.get("normalise", {})
    scoring = raw["scoring"]
    intents: dict[str, Intent] = {}
    for name, table in raw["intents"].items():
        patterns = []
        where = f"intents.{name}.patterns"
        for pattern, weight in _weights(table.get("patterns", {}), where, fold=False):
            try:
                patterns.append((re.compile(pattern), weight))
            except re.error as error:
                raise ValueError(f"lexicon: intents.{name}: bad pattern {pattern!r}") from error
        intents[name] = Intent(
            name=name,
            cues=_weights(table.get("cues", {}), f"intents.{name}.cues"),
            patterns=tuple(patterns),
            examples=tuple(table.get("examples", ())),
        )
    return Lexicon(
        replace={
            k.casefold(): v.casefold()
            for table in ("replace", "ordinals")  # ordinals: the twentieth → 20th
            for k, v in normalise.get(table, {}).items()
        },
        filler=_words(normalise.get("filler", []), "normalise.filler"),
        mend=_words(normalise.get("mend", []), "normalise.mend"),
        known=_words(normalise.get("known", []), "normalise.known"),
        question=_words(normalise.get("question", []), "normalise.question"),
        parts={part: _words(words, f"parts.{part}") for part, words in raw["parts"].items()},
        weekend=_words(raw["weekend"]["words"], "weekend.words"),
        weekdays=_words(raw["weekend"].get("weekdays", []), "weekend.weekdays"),
        next_week=_words(raw["week"]["next"], "week.next"),
        week_after_next=_words(raw["week"].get("after_next", []), "week.after_next"),
        site_wishes={k: _words(v, f"site_wishes.{k}") for k, v in raw["site_wishes"].items()},
        doses={int(n): _words(words, f"doses.{n}") for n, words in raw["doses"].items()},
        relations={r: _words(words, f"relations.{r}") for r, words in raw["relations"].items()},
        makers={m: _words(words, f"makers.{m}") for m, words in raw["makers"].items()},
        generic_site_words=_words(raw["sites"]["generic"], "sites.generic"),
        surnames=frozenset(raw["sites"].get("surnames", "")),
        site_nicknames=dict(raw["sites"].get("nicknames", {})),
        scoring=Scoring(
            threshold=float(scoring["threshold"]),
            margin=float(scoring["margin"]),
            question_bonus=float(scoring["question_bonus"]),
            question_penalty=float(scoring["question_penalty"]),
            statement_factor=float(scoring["statement_factor"]),
            site_statement_factor=float(scoring["site_statement_factor"]),
            booking_entities=frozenset(scoring["booking_entities"]),
            booking_entity_bonus=float(scoring["booking_entity_bonus"]),
            first_entity_bonus=float(scoring["first_entity_bonus"]),
            request=_request(_words(scoring["request"], "scoring.request", fold=False)),
            request_bonus=float(scoring["request_bonus"]),
            booking_words=_words(scoring["booking_words"], "scoring.booking_words"),
            classifier_weight=float(scoring["classifier_weight"]),
            background=frozenset(scoring.get("background", [])),
            background_factor=float(scoring.get("background_factor", 1.0)),
            background_over=float(scoring.get("background_over", 4.0)),
            background_entities=frozenset(scoring.get("background_entities", [])),
        ),
        intents=intents,
        training=tuple(base / name for name in raw.get("training", {}).get("files", [])),
        **_festivals(raw.get("festivals", {})),
        minds={k: _words(v, f"minds.{k}") for k, v in raw.get("minds", {}).items()},
        mind_fields={
            k: _words(v, f"mind_fields.{k}") for k, v in raw.get("mind_fields", {}).items()
        },
        details={k: _words(v, f"details.{k}") for k, v in raw.get("details", {}).items()},
        someone_new=_patterns(raw.get("someone_new", {}).get("patterns", []), "someone_new"),
        refusals={k: _words(v, f"refusals.{k}") for k, v in raw.get("refusals", {}).items()},
        hour_bounds={
            k: (
                _words(t.get("after", []), f"hours.{k}.after"),
                _words(t.get("before", []), f"hours.{k}.before"),
            )
            for k, t in raw.get("hours", {}).items()
        },
        wishes={k: _words(v, f"wishes.{k}") for k, v in raw.get("wishes", {}).items()},
        times={k: _words(v, f"times.{k}") for k, v in raw.get("times", {}).items()},
        whose={k: _words(v, f"whose.{k}") for k, v in raw.get("whose", {}).items()},
    )


def _festivals(raw: dict[str, Any]) -> dict[str, Any]:
    """The ``[festivals]`` tables: the festivals, the words around them, the holiday words."""
    festivals = tuple(
        Festival(
            name=name,
            day=str(table["day"]),
            words=_words(table["words"], f"festivals.days.{name}.words"),
            ambiguous=_words(table.get("ambiguous", []), f"festivals.days.{name}.ambiguous"),
            offset=int(table.get("offset", 0)),
            holiday=table.get("holiday"),
        )
        for name, table in raw.get("days", {}).items()
    )
    around = {
        relation: (
            _words(table.get("after", []), f"festivals.around.{relation}.after"),
            _words(table.get("before", []), f"festivals.around.{relation}.before"),
        )
        for relation, table in raw.get("around", {}).items()
    }
    holiday = {
        relation: _words(words, f"festivals.holiday.{relation}")
        for relation, words in raw.get("holiday", {}).items()
    }
    return {"festivals": festivals, "around": around, "holiday_words": holiday}


@functools.cache
def load(path: str | None = None) -> Lexicon:
    """The lexicon at ``path``, else ``VAXBOT_LEXICON``, else the shipped one (read once)."""
    chosen = Path(path or os.environ.get("VAXBOT_LEXICON") or DEFAULT)
    with chosen.open("rb") as file:
        return parse(tomllib.load(file), chosen.parent)


@functools.cache
def chinese_replacements() -> tuple[tuple[str, str], ...]:
    """The lexicon's replacements of Chinese words (typos, Cantonese and Traditional forms),
    longest first: for a step that reads the words as typed, not the interpreter's text."""
    pairs = load().replace.items()
    return tuple(sorted(((k, v) for k, v in pairs if not k.isascii()), key=lambda p: -len(p[0])))


def part_words() -> dict[str, tuple[str, ...]]:
    """Words for each part of day (and ``any``), from the lexicon."""
    return load().parts
