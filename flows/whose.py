"""Whose bookings a message about bookings means, on a phone that holds several people: one
named (by name or relation: the request's own entities), everyone (全部取消, 两个都取消,
我们全家的预约, cancel both), the sender's own (我几点打针, cancel my booking), the nth as
listed (取消第二个, cancel the third one), or a relative nobody on this phone is (取消我爸的 on a
phone without a father: nothing is told about anyone else, only what to do).

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
