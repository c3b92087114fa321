"""Whose bookings a message about bookings means, on a phone that holds several people: one
named (by name or relation: the request's own entities), everyone (全部取消, 两个都取消,
我们全家的预约, cancel both), the sender's own (我几点打针, cancel my booking), the nth as
listed (取消第二个, cancel the third one), or a relative nobody on this phone is (取消我爸的 on a
phone without a father: nothing is told about anyone else, only what to do).

Several at once (我同阿妈都取消, 取消我爸妈的, 王秀英同张建国, cancel mine and my mum's): every
person on the phone the text names by name, by a relation that surely means them, both parents
(``[whose] parents``) and the sender beside another (我同…, …和我的, me and …): ``people_said``;
``bot.requests`` carries their ids as ``people``, which wins over the words of ``whose_said``.

The words are the lexicon's ``[whose]`` lists, read on the normalised text (``whose_said``,
which ``bot.turn`` carries into the status, cancel and reschedule flows)."""

from __future__ import annotations

import re
from typing import Any

from flows import lexicon
from flows.dialogue import Ctx
from flows.mind_words import words_pattern
from flows.minds import people_meant
from store import Resident

NOBODY = frozenset({"other", "new"})  # relations that name no one (家人, 另一个人)
_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "first": 1, "second": 2,
            "third": 3, "fourth": 4, "fifth": 5}  # fmt: skip
# 第二个 / 第2位 / the second one: never 第二针 (a dose) nor the second dose
_NTH = re.compile(
    r"第\s*([一二两三四五1-5])\s*(?:个|位|個|項|项|条)"
    r"|\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\s+(?:one|booking|appointment|person)\b"
)


def whose_said(text: str) -> dict[str, Any]:
    """What the normalised ``text`` says of whose bookings: ``{"whose": "everyone" | "mine"}``
    and/or ``{"nth": n}``; nothing when it says neither."""
    said: dict[str, Any] = {}
    lowered = text.casefold().replace("’", "'")
    for kind in ("everyone", "mine"):
        pattern = words_pattern(*lexicon.load().whose.get(kind, ()))
        if pattern is not None and pattern.search(lowered):
            said["whose"] = kind
            break
    if found := _NTH.search(lowered):
        word = found.group(1) or found.group(2)
        said["nth"] = int(word[0]) if word[0].isdigit() else _NUMBERS[word]
    return said


# the sender beside someone else: 我同阿妈, 我和我妈, 和我的, 同我嘅, mine and, me and, and mine
# (never 同我 followed by a verb: Cantonese 同我取消 is "cancel for me")
_WITH_ME = re.compile(
    r"我(?:同埋|同|和|与|跟|及|仲有|还有)|(?:同埋|同|和|与|跟|及|仲有|还有)我(?:的|嘅|既|都|自己|$|[，,。！!？?\s])"
    r"|\b(?:me|mine|myself|my own)\s+(?:and|&)\b|\b(?:and|&)\s+(?:me|mine|myself)\b"
)


def _relations_said(text: str) -> set[str]:
    """Every relation the normalised ``text`` names (our words, longest first), and both
    parents for a word of ``[whose] parents``."""
    words = lexicon.load()
    of_word = {
        word: relation
        for relation, said in words.relations.items()
        if relation not in ("new", "new_alone", "other")
        for word in said
    }
    pattern = words_pattern(*of_word)
    found = {of_word[m.group(0)] for m in pattern.finditer(text)} if pattern else set()
    parents = words_pattern(*words.whose.get("parents", ()))
    if parents is not None and parents.search(text):
        found |= {"mother", "father"}
    return found


def people_said(
    people: list[Resident], text: str, beside: frozenset[int] = frozenset()
) -> list[Resident]:
    """Everyone on the phone the normalised ``text`` names: by name, by a relation that
    surely means them (我妈, 阿爸, both for 爸妈 / my parents), and the sender when named
    beside someone (我同阿妈, cancel mine and my mum's; or beside ``beside``, whom a pronoun
    stands for: 取消佢同我嘅). In the phone's order."""
    lowered = text.casefold().replace("’", "'")
    ids = {p.id for p in people if len(p.name) >= 2 and p.name.casefold() in lowered}
    for relation in _relations_said(lowered):
        meant, sure = people_meant(people, relation)
        ids |= {p.id for p in meant} if sure else set()
    ids |= beside  # whom a pronoun stands for (取消佢同我嘅)
    if ids and _WITH_ME.search(lowered):
        selves, sure = people_meant(people, "self")
        ids |= {p.id for p in selves} if sure else set()
    return [p for p in people if p.id in ids]


def relation_of(ctx: Ctx) -> str | None:
    """The relative the request named (mother, spouse …), or None (oneself, nobody)."""
    relation = ctx.data.get("relation") or (ctx.data.get("wish") or {}).get("relation")
    return str(relation) if relation and relation not in NOBODY else None


def absent(ctx: Ctx, people: list[Resident]) -> str | None:
    """The relation the request named when nobody on this phone can be it (我爸 on a phone
    without a father, nor anyone registered as family who could be): None otherwise, or when
    a name on the phone was written."""
    relation = relation_of(ctx)
    if relation is None or relation == "self" or ctx.data.get("named") is not None:
        return None
    meant, _ = people_meant(people, relation)
    return relation if not meant else None


def not_here(ctx: Ctx, relation: str) -> str:
    """That the relative is not registered on this phone, and what to do instead."""
    return ctx.t("whose.not_here", who=ctx.t(f"whose.{relation}"))


def chosen(ctx: Ctx, people: list[Resident], booked: set[int]) -> list[Resident] | None:
    """The people the request means by its words alone, when they say whose (everyone, mine,
    the nth as listed): None when they do not, or name someone (a name or relation wins).
    ``booked``: the ids of those with a booking, which "mine" needs (else everyone)."""
    if several := ctx.data.get("people"):  # 我同阿妈, 我爸妈, 佢哋: those named
        return [p for p in people if p.id in several] or None
    if ctx.data.get("named") is not None or relation_of(ctx) is not None:
        return None
    nth = ctx.data.get("nth")
    if isinstance(nth, int) and 0 < nth <= len(people) and len(people) > 1:
        return [people[nth - 1]]
    whose = ctx.data.get("whose")
    if whose == "everyone":
        return people
    if whose == "mine":
        selves = [p for p in people if p.relation == "self" and p.id in booked]
        return selves if len(selves) == 1 else None
    return None
