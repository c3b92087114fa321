"""The language a message is written in, as far as it tells: what the replies follow."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.matching import ENGLISH_WORDS
from bot.nlu import Reading
from bot.nlu.normalise import Text
from bot.nlu.script import language_of
from flows import lexicon
from flows.mind_words import words_say
from flows.texts import Lang
from flows.time_words import time_wish

# Steps whose answer is a name, written in Chinese characters whatever the conversation's
# language: such a name does not turn an English conversation Chinese.
NAMES_TYPED = frozenset({"name", "companion_name"})

# What a day or time of day said is kept as: one English word that says one (lunchtime, sat
# 2-4pm, tomorrow) is English, where one word otherwise tells nothing (ok, hi, a name).
WHEN_SAID = frozenset(
    {"day", "part", "hour", "by_hour", "from_hour", "not_day", "not_part", "weekend"}
    | {"weekdays", "week", "from_day", "by_day"}
)

# What a resident says at any step instead of its answer (等一下, hold on, go back, 点解):
# no name, and in English one word of it (wait) is English as a day word is.
MID_FLOW = ("hold", "back", "wrong", "stop", "give_up", "why", "confused", "what_now")


def said_language(
    step: str | None, said: Text, read: Callable[[], Reading], written: str = "",
    now: tuple[Lang, str | None] | None = None,
) -> Lang | None:  # fmt: skip
    """Chinese or English when the message clearly is (its script is ``said.script``); None
    for a bare name at a name question, a number, one word (unless an English one saying a day
    or time: lunchtime, Saturday; not a shorthand Chinese writers use too, tmr, written as
    ``written``), or a mixture that carries neither language: the conversation's stays as it
    was. ``read``: the message's reading; ``now``: the conversation's language and script, if
    known (a name that would change neither is not read to tell)."""
    if said.text in ENGLISH_WORDS:
        lang: Lang | None = "en"
    else:
        lang = language_of(said.text, said.cjk, said.latin_words)
        if lang is None and not said.cjk and said.latin_words and _says_when_or_mid(said, read):
            # tmr, tmrw: 听日 in a Hong Kong text as much as in an English one
            # sat 2-4pm, lunchtime at the time question of a Chinese conversation
            lang = None if _shorthand(written) else "en"
    if lang is None or step not in NAMES_TYPED:
        return lang
    if now is not None and (lang, said.script or now[1]) == now:
        return lang  # 李秀英 in a Chinese conversation: whatever it is, nothing changes
    return None if _name_like(said, read) else lang  # 李秀英 / 黃志明 / Zhang Wei: a name


_LATIN = re.compile(r"[a-z0-9']*[a-z][a-z0-9']*")


def _shorthand(written: str) -> bool:
    """Whether every word of ``written`` in Latin letters is a shorthand the lexicon's
    ``[normalise] replace`` spells out (tmr, tmrw, 2moro): no word of English as written."""
    words = _LATIN.findall(written.casefold())
    replace = lexicon.load().replace
    return bool(words) and all(word in replace for word in words)


def _says_when_or_mid(said: Text, read: Callable[[], Reading]) -> bool:
    """Whether English words with no Chinese say a day, a time of day, or something said
    mid-flow (wait, hang on)."""
    return _mid_flow(said) or _says_when(said, read)


def _mid_flow(said: Text) -> bool:
    """Whether a message says what is said instead of a step's answer (``MID_FLOW``)."""
    return any(words_say(said.text, kind) for kind in MID_FLOW)


def _says_when(said: Text, read: Callable[[], Reading]) -> bool:
    """Whether English words with no Chinese say a day or a time of day."""
    if time_wish(said.text) is not None:
        return True
    return not WHEN_SAID.isdisjoint(read().entities.said())


def _name_like(said: Text, read: Callable[[], Reading]) -> bool:
    """Whether a message at a name question could be a name: a few Chinese characters or
    Latin words, naming no day, place or other thing vaxbot reads (聽日下晝 is none)."""
    if said.cjk > 4 or said.latin_words > 3 or (said.cjk and said.latin_words):
        return False
    if _mid_flow(said):
        return False  # hold on a sec, 請稍等: no name, in the language it is written in
    reading = read()
    return not reading.entities and not reading.confident
