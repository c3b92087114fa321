"""Finding known phrases in a normalised message, in time that does not grow with the lexicon.

Chinese phrases are looked up by their first character (only phrases that can start somewhere
in the message are tried); phrases in Latin letters match at the start of a word and, when
short (four letters or fewer) or ending in a digit, only as a whole word or its plural — "am"
is not found in "family", "dose 2" not in "dose 25", but "pregnan" is found in "pregnant".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")

_WORDS = re.compile(r"[a-z0-9'’]+")
SHORT = 4


class Phrases(Generic[T]):
    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        payloads: dict[str, list[T]] = defaultdict(list)
        for phrase, payload in entries:
            if phrase:
                payloads[phrase].append(payload)
        by_first: dict[str, list[tuple[str, tuple[T, ...]]]] = defaultdict(list)
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
            else:
                by_first[phrase[0]].append((phrase, tuple(found)))
        self._by_first = {
            first: sorted(group, key=lambda e: -len(e[0])) for first, group in by_first.items()
        }
        self._latin = latin

    def find(self, text: str) -> list[tuple[str, T]]:
        """Every known phrase in ``text`` with its payloads, longest first among Chinese ones."""
        found: list[tuple[str, T]] = []
        by_first = self._by_first
        for first in set(text).intersection(by_first):
            for phrase, payloads in by_first[first]:
                if phrase in text:
                    found.extend((phrase, payload) for payload in payloads)
        if self._latin and (words := _WORDS.findall(text)):
            padded = f" {' '.join(words)} "
            latin = self._latin
            for key in {w[:2] for w in words} | {w[:1] for w in words}:
                for start, whole, plural, payloads in latin.get(key, ()):
                    if start in padded and (not whole or whole in padded or plural in padded):
                        found.extend((start.strip(), payload) for payload in payloads)
        return found
