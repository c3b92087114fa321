"""The lexicon's regular expressions, tried only on messages that could match them.

Searching a short message for each of some sixty patterns costs more in calls than in
matching. Each pattern is read once (by ``re``'s own parser) for the sets of characters of
which any match must hold at least one each, one set for each part of the pattern that must
match (想.{0,8}打: 想, 打; (帮|同|替).{0,6}约: 帮同替, 约; [一二三]+岁: 一二三, 岁). A
message lacking every character of one of a pattern's sets is not searched for it (几天 … 约不到
is not tried on every message with 一 or 几); each set is a bit, so that is one integer test a
pattern. A pattern without such a set (one that can match
without a fixed character) is always tried.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from importlib import import_module
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# The parser ``re.compile`` itself uses (a module of ``re`` since Python 3.11; no type stubs).
sre_parse: Any = import_module("re._parser")
c: Any = import_module("re._constants")

_LITERAL, _IN, _SUBPATTERN, _BRANCH = c.LITERAL, c.IN, c.SUBPATTERN, c.BRANCH
_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT)


def required(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters of which every match of ``pattern`` holds one (the smallest such set); None
    if there is no such set (or it cannot be told)."""
    sets = required_sets(pattern)
    return sets[0] if sets else None


def required_sets(pattern: re.Pattern[str]) -> list[frozenset[str]]:
    """Sets of characters of which every match of ``pattern`` holds one each, one for each
    part of the pattern's top level that requires one, smallest first; empty if none can be
    told."""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # a pattern this parser reads otherwise: no filter, never a wrong one
        return []
    folded = bool(parsed.state.flags & re.IGNORECASE)
    sets = []
    for op, arg in list(parsed):
        chars = _item(op, arg)
        if chars is None:
            continue
        if folded:
            chars = {variant for char in chars for variant in (char.lower(), char.upper())}
        sets.append(frozenset(chars))
    return sorted(set(sets), key=lambda chars: (len(chars), sorted(chars)))


def _sequence(items: Sequence[tuple[Any, Any]]) -> set[str] | None:
    """The smallest set one of the sequence's items requires."""
    best: set[str] | None = None
    for op, arg in items:
        chars = _item(op, arg)
        if chars is not None and (best is None or len(chars) < len(best)):
            best = chars
    return best


def _item(op: Any, arg: Any) -> set[str] | None:
    if op is _LITERAL:
        return {chr(arg)}
    if op is _IN:
        if all(kind is _LITERAL for kind, _ in arg):
            return {chr(code) for _, code in arg}
        return None  # a range, a category or a negation: any character may do
    if op is _SUBPATTERN:
        return _sequence(list(arg[-1]))
    if op is _BRANCH:
        union: set[str] = set()
        for branch in arg[1]:
            chars = _sequence(list(branch))
            if chars is None:
                return None
            union |= chars
        return union
    if op in _REPEATS:
        low, _, body = arg
        return _sequence(list(body)) if low >= 1 else None
    return None  # anchors, any character, categories, lookarounds: no character required


class Patterns(Generic[T]):
    """Regular expressions with a payload each; ``matching`` gives the payloads of those that
    match a text, in the order given."""

    def __init__(self, entries: Iterable[tuple[re.Pattern[str], T]]) -> None:
        self._entries = list(entries)
        # Each distinct required set is a bit; a character holds the bits of the sets it is in,
        # and a pattern needs the bits of all its sets: a text is searched only if its
        # characters hold every bit the pattern needs (one integer test a pattern). Only the
        # patterns that a character of the text could start to satisfy are tested at all: each
        # is filed under the characters of its smallest set (the rest, always tried).
        bit_of_set: dict[frozenset[str], int] = {}
        self._needs: list[int] = []
        filed: dict[str, list[int]] = defaultdict(list)
        self._always: list[int] = []
        for index, (pattern, _) in enumerate(self._entries):
            need = 0
            sets = required_sets(pattern)
            for chars in sets:
                need |= bit_of_set.setdefault(chars, 1 << len(bit_of_set))
            self._needs.append(need)
            for char in sets[0] if sets else ():
                filed[char].append(index)
            if not sets:
                self._always.append(index)
        bits: dict[str, int] = defaultdict(int)
        for chars, bit in bit_of_set.items():
            for char in chars:
                bits[char] |= bit
        # per character: the bits it holds and the patterns filed under it
        self._chars = {char: (bits[char], tuple(filed.get(char, ()))) for char in bits}
        self._all = (1 << len(bit_of_set)) - 1

    def matching(self, text: str) -> list[T]:
        chars, held = self._chars, 0
        candidates = set(self._always)
        for char in set(text):
            known = chars.get(char)
            if known is not None:
                held |= known[0]
                candidates.update(known[1])
        missing = self._all & ~held
        entries, needs = self._entries, self._needs
        found = []
        for index in sorted(candidates):
            if not needs[index] & missing:
                pattern, payload = entries[index]
                if pattern.search(text):
                    found.append(payload)
        return found
