"""Finding known phrases in a normalised message, in time that does not grow with the lexicon.

Phrases are found in one pass over the message, however many the lexicon holds: an
Aho–Corasick automaton (pyahocorasick) reports every occurrence of every phrase, overlapping
ones included. Phrases in Latin letters match at the start of a word (the message's words are
read with one space between them) and, when short (four letters or fewer) or ending in a
digit, only as a whole word or its plural — "am" is not found
in "family", "dose 2" not in "dose 25", but "pregnan" is found in "pregnant".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Generic, TypeVar

import ahocorasick

T = TypeVar("T")

_WORDS = re.compile(r"[a-z0-9'’]+")
SHORT = 4


class Phrases(Generic[T]):
    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        payloads: dict[str, list[T]] = defaultdict(list)
        for phrase, payload in entries:
            if phrase:
                payloads[phrase].append(payload)
        self._chinese = _automaton()
        # Latin phrases by their words ("dose-2" and "dose 2" are one): whether each must be
        # a whole word, and its payloads
        latin: dict[str, list[tuple[bool, tuple[T, ...]]]] = defaultdict(list)
        for phrase, found in payloads.items():
            if phrase.isascii() and phrase[0].isalnum():
                words = " ".join(_WORDS.findall(phrase))
                whole = len(phrase) <= SHORT or phrase[-1].isdigit()  # "dose 2" not "dose 25"
                latin[words].append((whole, tuple(found)))
            else:
                self._chinese.add_word(phrase, (phrase, tuple(found)))
        self._latin = _automaton()
        for words, kinds in latin.items():
            self._latin.add_word(f" {words}", (words, tuple(kinds)))
        self._chinese.make_automaton()
        self._latin.make_automaton()

    def find(self, text: str) -> list[tuple[str, T]]:
        """Every known phrase in ``text`` with its payloads: Chinese ones longest first (in
        the order found among phrases of one length), then Latin ones in the order found."""
        found: list[tuple[str, T]] = []
        if self._chinese.kind == ahocorasick.AHOCORASICK:
            phrases = {phrase: payloads for _, (phrase, payloads) in self._chinese.iter(text)}
            for phrase in sorted(phrases, key=len, reverse=True):
                found.extend((phrase, payload) for payload in phrases[phrase])
        if self._latin.kind == ahocorasick.AHOCORASICK and (words := _WORDS.findall(text)):
            padded = f" {' '.join(words)} "  # each word starts after a space, ends before one
            taken: dict[str, set[int]] = {}  # per phrase found, which of its kinds
            for end, (phrase, kinds) in self._latin.iter(padded):
                after = padded[end + 1 : end + 3]
                whole = after[:1] == " " or after == "s "  # a whole word or its plural
                got = taken.setdefault(phrase, set())
                got.update(
                    k for k, (must_be_whole, _) in enumerate(kinds) if whole or not must_be_whole
                )
            for phrase, got in taken.items():
                kinds = self._latin.get(f" {phrase}")[1]
                for k in sorted(got):
                    found.extend((phrase, payload) for payload in kinds[k][1])
        return found


def _automaton() -> ahocorasick.Automaton:
    """An empty automaton (``kind`` says whether it holds any word)."""
    return ahocorasick.Automaton()
