"""The lexicon's ``[minds]`` words found in an answer: Chinese anywhere, Latin words whole
(``forget`` is not in ``forgetful``), whatever the width, case or apostrophe typed."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from flows import lexicon


def folded(words: str) -> str:
    """``words`` as the word lists are written: NFKC, case-folded, a straight apostrophe."""
    return unicodedata.normalize("NFKC", words).casefold().replace("’", "'")


@cache
def words_pattern(*words: str) -> re.Pattern[str] | None:
    """One pattern for ``words``, the longest first; None for no words."""
    if not words:
        return None
    parts = [
        rf"(?<![a-z]){re.escape(word)}(?![a-z])" if word.isascii() else re.escape(word)
        for word in sorted(words, key=len, reverse=True)
    ]
    return re.compile("|".join(parts))


# What is no word of its own around a short answer (我啊, me please, 本人。).
_FILLER = re.compile(r"[\s\W_]+|\b(?:please|pls|thanks)\b|[啊呀吖喔哦啦喇嘞咯]")


def bare(text: str) -> str:
    """The words of a short answer without punctuation and particles (还有一个啊！: 还有一个)."""
    return _FILLER.sub("", folded(text))


def words_say(words: str, kind: str) -> bool:
    """Whether ``words`` hold one of the lexicon's ``[minds] kind`` words."""
    pattern = words_pattern(*lexicon.load().minds.get(kind, ()))
    return pattern is not None and pattern.search(folded(words)) is not None
