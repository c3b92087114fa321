"""A pronoun for the relative the message before named: 佢几时打第二针 or what does she need
to bring, right after 我妈明天几点打针, asks about the mother (docs/nlu.md, "Who a message is
about"). Only the message just before counts, and only a relative it named: a pronoun with
nothing named before it is read as it always was (nobody is guessed)."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.nlu.reading import Reading

# he, she, they-singular in Chinese (佢 is Cantonese for both), not 其他 (other) nor a plural
# (他们, 佢哋); in English the third person singular.
PRONOUN = re.compile(r"(?<!其)[他她佢](?![们們哋地])|\b(?:she|her|hers|he|him|his)\b")
# they: several people (佢哋, 他们, them), whom the message before named together (我爸妈)
PLURAL = re.compile(r"佢哋|佢地|他们|她们|他們|她們|\b(?:them|they|their|theirs)\b")
# the two just named: 两个都取消, both cancel (read only when the message before named two)
PAIR = re.compile(r"两个|两位|两人|二人|\bboth\b")
NOBODY = frozenset({"self", "other", "new"})  # relations that name no one relative


def relative_named(reading: Reading) -> str | None:
    """The relative a reading names (mother, spouse …), or None."""
    relation = reading.entities.relation
    return relation if relation is not None and relation not in NOBODY else None


def resolved(reading: Reading, before: str | None) -> Reading:
    """``reading`` about ``before`` (the relative the previous message named) when it names
    nobody itself and says 佢, 她, she or him."""
    if before is None or reading.entities.relation is not None:
        return reading
    if not PRONOUN.search(reading.text.lower()):
        return reading
    return replace(reading, entities=replace(reading.entities, relation=before))


def pronoun_of(text: str) -> str | None:
    """``several`` for a plural pronoun in the normalised ``text`` (佢哋, them), ``pair`` for
    the two (两个都, both), ``one`` for a singular one (佢, 她, hers), else None."""
    lowered = text.lower()
    if PLURAL.search(lowered):
        return "several"
    if PAIR.search(lowered):
        return "pair"
    return "one" if PRONOUN.search(lowered) else None
