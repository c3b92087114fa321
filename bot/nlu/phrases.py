"""Finding known phrases in a normalised message, in time that does not grow with the lexicon.

Chinese phrases are found in one pass over the message, however many the lexicon holds: an
Aho–Corasick automaton (pyahocorasick) reports every occurrence of every phrase, overlapping
ones included. Phrases in Latin letters match at the start of a word and, when short (four
letters or fewer) or ending in a digit, only as a whole word or its plural — "am" is not found
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
        self._chinese: ahocorasick.Automaton | None = None
        latin: dict[str, list[tuple[str, str, str, tuple[T, ...]]]] = defaultdict(list)
        for phrase, found in payloads.items():
            if phrase.isascii() and phrase[0].isalnum():
                words = " ".join(_WORDS.findall(phrase))
                whole = len(phrase) <= SHORT or phrase[-1].isdigit()  # "dose 2" not "dose 25"
                latin[words[:2]].append(
                    (
                        f" {words}",
                        f" {words} " if whole else "",
                        f" {words}s " if whole else "",
                        tuple(found),
                    )
                )
                continue
            if self._chinese is None:
                self._chinese = ahocorasick.Automaton()
            self._chinese.add_word(phrase, (phrase, tuple(found)))
        if self._chinese is not None:
            self._chinese.make_automaton()
        self._latin = latin

    def find(self, text: str) -> list[tuple[str, T]]:
        """Every known phrase in ``text`` with its payloads, longest first among Chinese ones
        (in the order found among phrases of one length)."""
        found: list[tuple[str, T]] = []
        if self._chinese is not None:
            phrases = {phrase: payloads for _, (phrase, payloads) in self._chinese.iter(text)}
            for phrase in sorted(phrases, key=len, reverse=True):
                found.extend((phrase, payload) for payload in phrases[phrase])
        if self._latin and (words := _WORDS.findall(text)):
            padded = f" {' '.join(words)} "
            latin = self._latin
            for key in {w[:2] for w in words} | {w[:1] for w in words}:
                for start, whole, plural, payloads in latin.get(key, ()):
                    if start in padded and (not whole or whole in padded or plural in padded):
                        found.extend((start.strip(), payload) for payload in payloads)
        return found
