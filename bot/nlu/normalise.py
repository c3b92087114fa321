"""Text as the interpreter reads it: one script, one width, one case, typos mended.

``normalise`` folds full-width forms (NFKC), lower-cases, turns Traditional characters into
Simplified with OpenCC (and says whether it did: the reply is then written in Traditional), and
applies the lexicon's replacements (typos, Cantonese day words) in one pass, then mends Latin
words typed in a hurry (``bot.nlu.typos``: bookk, canncel).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from bot.nlu.script import Script, converter, script_of, traditional_only
from bot.nlu.typos import Typos, corpus_words
from flows.lexicon import Lexicon

__all__ = ["Normaliser", "Script", "Text"]

MAX_READ = 200  # characters the interpreter looks at; the engine refuses longer messages
# Answers this short ("1", "没有", "确认", "明天上午") recur across residents all day: they are
# read once per process. Longer texts (names with ID numbers, phones, sentences) are not kept.
CACHED_UP_TO = 10
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-z]")
_TAG = re.compile(r"<[^<>]{0,200}>")  # markup: <script>, </b>, <br/>
_TOKENS = re.compile(r"[\s,，;；]+")
_WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*")
_EDGES = ".,!?;:'\"()[]…“”‘’"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Text:
    """A message as read: ``text`` normalised; ``script`` when the characters tell."""

    text: str
    script: Script | None
    cjk: int  # how many Chinese characters
    latin_words: int  # how many words in Latin letters


class Normaliser:
    def __init__(self, lexicon: Lexicon) -> None:
        self._replace = lexicon.replace
        self._firsts = frozenset(key[0] for key in lexicon.replace)
        self._short = functools.lru_cache(maxsize=4096)(self._read)
        known = {*lexicon.known, *corpus_words(lexicon.training)}
        known.update(word for key in lexicon.replace for word in key.split())
        self._typos = Typos(lexicon.mend, known)

    def __call__(self, message: str) -> Text:
        if len(message) <= CACHED_UP_TO:
            return self._short(message)
        return self._read(message)

    def _read(self, message: str) -> Text:
        folded = unicodedata.normalize("NFKC", message[:MAX_READ]).casefold()
        cjk = len(_CJK.findall(folded))
        script: Script | None = None
        if cjk:
            script = script_of(folded)  # 原来嗰个: Simplified; 唔該晒: Traditional
            folded = converter("t2s").convert(folded)
        folded = self._mend(folded)
        if _LATIN.search(folded):  # bookk, canncel: Latin words only
            folded = self._typos.mend(folded)
        folded = _SPACES.sub(" ", folded).strip()
        return Text(folded, script, cjk, latin_words(folded))

    def _mend(self, text: str) -> str:
        """The lexicon's replacements, in one pass over the keys the text can hold."""
        if self._firsts.isdisjoint(text):
            return text
        keys = tuple(key for key in self._replace if key in text)
        if not keys:
            return text
        return _pattern(keys).sub(lambda m: self._replace[m.group()], text)


@functools.lru_cache(maxsize=4096)
def _pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for these replacement keys, longest first; Latin keys as whole words."""
    ordered = sorted(keys, key=len, reverse=True)
    return re.compile(
        "|".join(rf"\b{re.escape(k)}\b" if k.isascii() else re.escape(k) for k in ordered)
    )


def simplified(text: str) -> str:
    """``text`` in Simplified characters (an answer typed in Traditional matches options)."""
    converted: str = converter("t2s").convert(text)
    return converted


# OpenCC reads 天后 as the goddess's name (天后宫) and keeps 后; after a number it is "days
# later" (7天后, 满14天后, 几天后): 後.
_NUMERALS = "0-9〇一二两兩三四五六七八九十百几幾多数數满滿"
_DAYS_LATER = re.compile(rf"(?<=[{_NUMERALS}])天后(?![宫宮庙廟诞誕])")


def latin_words(folded: str) -> int:
    """How many words in Latin letters a folded (lower-case) text has: whole tokens of letters
    (with an inner ' or -), at least two long, outer punctuation aside. Markup, symbols and
    numbers are not words: ``<script>alert(1)</script>`` has none."""
    if not _LATIN.search(folded):
        return 0
    tokens = _TOKENS.split(_TAG.sub(" ", folded))
    return sum(1 for t in tokens if len(w := t.strip(_EDGES)) >= 2 and _WORD.fullmatch(w))


def to_traditional(text: str) -> str:
    """A reply in Traditional characters (Hong Kong forms, as Guangzhou readers expect).
    "Reply" is always 回覆: OpenCC gives 回復 or 回複 by the words around it (请回复 没有)."""
    converted: str = converter("s2hk").convert(text)
    return _DAYS_LATER.sub("天後", _REPLY_WORD.sub("回覆", converted))


_REPLY_WORD = re.compile("回[復複]")


@functools.cache
def _traditional_only() -> re.Pattern[str]:
    """``traditional_only`` as one character class: searched in C, where converting a whole
    reply to compare costs ten times more."""
    return re.compile("[" + "".join(sorted(traditional_only())) + "]")


def in_traditional_script(text: str) -> bool:
    """Whether ``text`` has a character written otherwise in Simplified (a reply the engine
    put in Traditional for a resident who writes it)."""
    return _traditional_only().search(text) is not None
