"""Words typed in a hurry mended before they are read: bookk, canncel, appointmnet, resheduel.

A word of Latin letters is mended to one of the lexicon's ``[normalise] mend`` words when it
is one letter away from it (one letter more, less, changed, or two swapped) — for words
shorter than six letters one extra letter only (bookk is book; look and cook are not) — and
is neither one of the lexicon's ``known`` words nor a word of the training corpora (cancer is
no cancel). A word is looked up by its deletions (SymSpell's way): a handful of dictionary
lookups, no distances computed; a message without Latin letters is not looked at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

_WORD: Final = re.compile(r"[a-z]{4,}")
_AMBIGUOUS: Final = ""


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def corpus_words(files: Iterable[Path]) -> set[str]:
    """The words of Latin letters the labelled corpora hold: words residents write."""
    words: set[str] = set()
    for path in files:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                words.update(_WORD.findall(str(json.loads(line).get("text", "")).casefold()))
    return words


class Typos:
    def __init__(self, targets: Iterable[str], known: Iterable[str]) -> None:
        targets = [t for t in targets if t.isascii() and t.isalpha()]
        self._known = frozenset(known) | frozenset(targets)
        # a target and (six letters or more) its deletions -> the target ("" if two share one)
        self._near: dict[str, str] = {}
        for target in targets:
            for variant in {target} | (_deletions(target) if len(target) >= 6 else set()):
                had = self._near.setdefault(variant, target)
                if had != target:
                    self._near[variant] = _AMBIGUOUS

    def mend(self, text: str) -> str:
        """``text`` (folded, lower case) with its hurried words mended."""
        return _WORD.sub(self._word, text) if self._near else text

    def _word(self, match: re.Match[str]) -> str:
        word = match.group()
        if word in self._known or len(word) > 16:
            return word
        found = {self._near.get(word, _AMBIGUOUS)}  # canncl: a letter less
        found.update(self._near.get(d, _AMBIGUOUS) for d in _deletions(word))  # bookk, cancle
        found.discard(_AMBIGUOUS)
        if len(found) != 1:
            return word
        target = found.pop()
        if len(target) < 6 and len(word) != len(target) + 1:
            return word  # book: one extra letter only (bok, boko, look are not mended)
        return target
