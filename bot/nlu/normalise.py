"""Text as the interpreter reads it: one script, one width, one case, typos mended.

``normalise`` folds full-width forms (NFKC), lower-cases, turns Traditional characters into
Simplified with OpenCC (and says whether it did: the reply is then written in Traditional), and
applies the lexicon's replacements (typos, Cantonese day words) in one pass.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import opencc

from flows.lexicon import Lexicon

Script = Literal["hans", "hant"]

MAX_READ = 200  # characters the interpreter looks at; the engine refuses longer messages
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[a-z]{2,}")
_SPACES = re.compile(r"\s+")


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    """An OpenCC converter, built on first use (its dictionaries take 0.2 s to load)."""
    return opencc.OpenCC(config)


@dataclass(frozen=True, slots=True)
class Text:
    """A message as read: ``text`` normalised; ``script`` when the characters tell."""

    text: str
    script: Script | None
    cjk: int  # how many Chinese characters
    latin_words: int  # how many words in Latin letters


class Normaliser:
    def __init__(self, lexicon: Lexicon) -> None:
        ascii_keys = [k for k in lexicon.replace if k.isascii()]
        other_keys = [k for k in lexicon.replace if not k.isascii()]
        alternatives = [rf"\b{re.escape(k)}\b" for k in sorted(ascii_keys, key=len, reverse=True)]
        alternatives += [re.escape(k) for k in sorted(other_keys, key=len, reverse=True)]
        self._pattern = re.compile("|".join(alternatives)) if alternatives else None
        self._replace = lexicon.replace

    def __call__(self, message: str) -> Text:
        folded = unicodedata.normalize("NFKC", message[:MAX_READ]).casefold()
        cjk = len(_CJK.findall(folded))
        script: Script | None = None
        if cjk:
            simplified = _converter("t2s").convert(folded)
            if simplified != folded:
                script = "hant"
            elif _converter("s2hk").convert(folded) != folded:
                script = "hans"
            folded = simplified
        if self._pattern is not None:
            folded = self._pattern.sub(lambda m: self._replace[m.group()], folded)
        folded = _SPACES.sub(" ", folded).strip()
        return Text(folded, script, cjk, len(_LATIN_WORD.findall(folded)))


def simplified(text: str) -> str:
    """``text`` in Simplified characters (an answer typed in Traditional matches options)."""
    converted: str = _converter("t2s").convert(text)
    return converted


def to_traditional(text: str) -> str:
    """A reply in Traditional characters (Hong Kong forms, as Guangzhou readers expect)."""
    converted: str = _converter("s2hk").convert(text)
    return converted.replace("回複", "回覆")
