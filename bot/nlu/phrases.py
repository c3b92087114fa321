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
        # Latin phrases by their words ("dose-2" and "dose 2" are one): the payloads of those
        # found at the start of any word, and of those found only as a whole word
        anywhere: dict[str, list[T]] = defaultdict(list)
        whole_only: dict[str, list[T]] = defaultdict(list)
        for phrase, found in payloads.items():
            if phrase.isascii() and phrase[0].isalnum():
                words = " ".join(_WORDS.findall(phrase))
                whole = len(phrase) <= SHORT or phrase[-1].isdigit()  # "dose 2" not "dose 25"
                (whole_only if whole else anywhere)[words].extend(found)
            else:
                self._chinese.add_word(phrase, (phrase, tuple(found)))
        self._latin = _automaton()
        for words in anywhere.keys() | whole_only.keys():
            entry = (words, tuple(anywhere[words]), tuple(whole_only[words]))
            self._latin.add_word(f" {words}", entry)
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
            # per phrase found: its payloads, and whether once as a whole word (or its plural)
            hits: dict[str, tuple[tuple[T, ...], tuple[T, ...], bool]] = {}
            for end, (phrase, anywhere, whole_only) in self._latin.iter(padded):
                after = padded[end + 1 : end + 3]
                whole = after[:1] == " " or after == "s " or hits.get(phrase, ((), (), False))[2]
                hits[phrase] = (anywhere, whole_only, whole)
            for phrase, (anywhere, whole_only, whole) in hits.items():
                found.extend((phrase, payload) for payload in anywhere)
                if whole:
                    found.extend((phrase, payload) for payload in whole_only)
        return found


def _automaton() -> ahocorasick.Automaton:
    """An empty automaton (``kind`` says whether it holds any word)."""
    return ahocorasick.Automaton()
