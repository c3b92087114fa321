"""The language a message is written in, as far as it tells: what the replies follow."""

from __future__ import annotations

from collections.abc import Callable

from bot.matching import ENGLISH_WORDS
from bot.nlu import Reading
from bot.nlu.normalise import Text
from bot.nlu.script import language_of
from flows.texts import Lang

# Steps whose answer is a name, written in Chinese characters whatever the conversation's
# language: such a name does not turn an English conversation Chinese.
NAMES_TYPED = frozenset({"name", "companion_name"})


def said_language(step: str | None, said: Text, read: Callable[[], Reading]) -> Lang | None:
    """Chinese or English when the message clearly is (its script is ``said.script``); None
    for a bare name at a name question, a number, one word, or a mixture that carries neither
    language: the conversation's stays as it was. ``read``: the message's reading."""
    if step in NAMES_TYPED and _name_like(said, read):
        return None  # 李秀英 / 黃志明 / Zhang Wei typed as a name is a name, not a language
    if said.text in ENGLISH_WORDS:
        return "en"
    return language_of(said.text, said.cjk, said.latin_words)


def _name_like(said: Text, read: Callable[[], Reading]) -> bool:
    """Whether a message at a name question could be a name: a few Chinese characters or
    Latin words, naming no day, place or other thing vaxbot reads (聽日下晝 is none)."""
    if said.cjk > 4 or said.latin_words > 3 or (said.cjk and said.latin_words):
        return False
    reading = read()
    return not reading.entities and not reading.confident
