"""Two people named in one message: 帮我同我老公约, book for me and my wife, 帮我爸妈登记,
李秀英阿姨同张三. A booking or a registration is for one person at a time: the first named goes
first and the resident is told so; once that one is done, the other is offered ("1 接着为…").
Named at 为谁预约 (or at a later step of a booking), the resident is asked whom first.

The people are: the sender (我 joined to another by 同/和/跟/and: 我同…, me and…), a relation
(the lexicon's ``[relations]``, longest word first), a parent pair (爸妈, 父母, my parents), and
anyone registered on this phone by name. Two mentions count only when joined (同, 和, 、, and,
or nothing between them: 阿爸阿妈), never across an introduction (帮我妈约，我是她儿子).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any, Final

from flows import lexicon
from flows.dialogue import Answer, Ctx, Option, Retry
from store import Resident

_JOIN: Final = re.compile(
    r"^\s*(?:阿姨|姨|姐|哥|先生|太太|小姐|女士|叔叔|叔|伯伯|伯|婆婆|仔)?"
    r"\s*(?:同埋|同|和|跟|与|與|及|还有|仲有|加埋|加|、|,|，|&|\+|and|with|plus)?\s*(?:我|my|the)?\s*$"
)
_SELF: Final = re.compile(
    r"我(?:自己|本人)?(?=\s*(?:同埋|同|和|跟|与|與|及|加埋|、))"
    r"|(?<=[同和跟与與及、])我(?:自己|本人)?(?=$|[约預预登打想要去一两,，。!！ ])"
    r"|\b(?:me|myself|i)\s*(?:and|&|\+)\s+(?=\w)"
    r"|\b(?:and|&)\s+(?:me|myself)\b"
)
_PAIRS: Final = {
    "爸妈": ("father", "mother"), "爸爸妈妈": ("father", "mother"), "父母": ("father", "mother"),
    "老豆老母": ("father", "mother"), "my parents": ("father", "mother"),
    "两公婆": ("self", "spouse"), "我两公婆": ("self", "spouse"),
    "爷爷奶奶": ("grandfather", "grandmother"), "my grandparents": ("grandfather", "grandmother"),
}  # fmt: skip
# English words the lexicon reads through its replacements (mum → mother), here by themselves
_ENGLISH: Final = {
    "mum": "mother", "mom": "mother", "mummy": "mother", "mommy": "mother", "dad": "father",
    "daddy": "father", "grandma": "grandmother", "granny": "grandmother",
    "grandpa": "grandfather", "hubby": "spouse", "partner": "spouse",
}  # fmt: skip
_CALLED: Final = {
    "father": ("爸爸", "father"), "mother": ("妈妈", "mother"),
    "grandfather": ("爷爷", "grandfather"), "grandmother": ("奶奶", "grandmother"),
    "spouse": ("老伴", "spouse"),
}  # fmt: skip
_SKIP: Final = frozenset({"self", "other", "new"})  # the lexicon's relations that name nobody


def _mentions(ctx: Ctx, text: str) -> list[tuple[int, int, dict[str, Any]]]:
    """(start, end, who) of each person ``text`` names, in order; who is {"relation": …} or
    {"named": id}, with "said" (the words as written)."""
    found: list[tuple[int, int, dict[str, Any]]] = []
    for match in _SELF.finditer(text):
        found.append((match.start(), match.end(), {"relation": "self"}))
    for word, pair in _PAIRS.items():
        if (at := text.find(word)) >= 0:
            end = at + len(word)
            found += [(at, end, {"relation": pair[0]}), (end, end, {"relation": pair[1]})]
    candidates: list[tuple[int, int, str | int]] = []  # every word and name, then longest first
    search, relation_of = _relation_search(lexicon.load())
    for match in search(text):
        candidates.append((match.start(), match.end(), relation_of[match.group()]))
    for person in ctx.people() if ctx.account_id is not None else []:
        name = person.name.casefold()
        at = text.find(name) if len(name) >= 2 else -1
        while at >= 0:
            candidates.append((at, at + len(name), person.id))
            at = text.find(name, at + len(name))
    for start, end, who in sorted(candidates, key=lambda item: item[0] - item[1]):
        if any(s < end and start < e for s, e, _ in found):
            continue  # inside a longer word found already (老公公, 我妈)
        said = {"named": who} if isinstance(who, int) else {"relation": who}
        found.append((start, end, said))
    found.sort(key=lambda item: item[0])
    return found


_Search = tuple[Callable[[str], Iterator[re.Match[str]]], dict[str, str]]
_searches: list[tuple[lexicon.Lexicon, _Search]] = []  # the last lexicon's, kept with it


def _relation_search(lexicon_now: lexicon.Lexicon) -> _Search:
    """One pattern of the words naming a relation (the lexicon's, and English ones it reads by
    replacing), longest first, Latin words whole; and the relation of each (the first that
    lists it). Made again only when the lexicon is another."""
    if _searches and _searches[0][0] is lexicon_now:
        return _searches[0][1]
    relation_of: dict[str, str] = {}
    for relation, words in lexicon_now.relations.items():
        for word in words if relation not in _SKIP else ():
            relation_of.setdefault(word.casefold(), relation)
    for word, relation in _ENGLISH.items():
        relation_of.setdefault(word, relation)
    parts = [
        rf"(?<![^\W_]){re.escape(word)}(?![^\W_])" if word.isascii() else re.escape(word)
        for word in sorted(relation_of, key=len, reverse=True)
    ]
    search = re.compile("|".join(parts) or r"(?!)").finditer, relation_of
    _searches[:] = [(lexicon_now, search)]
    return search


def two_said(ctx: Ctx, text: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The first two different people ``text`` (in Simplified characters) names, joined; each
    with ``said`` (how to call them back), or None."""
    folded = unicodedata.normalize("NFKC", text).casefold()[:120]
    people = _mentions(ctx, folded)
    for (s1, e1, one), (s2, e2, two) in itertools.pairwise(people):
        gap = folded[e1:s2]
        if one == two or not _JOIN.match(gap):
            continue
        if not gap.strip() and ("named" in one or "named" in two):
            continue  # 李秀英婆婆: what she is called, not a second person
        return {**one, "said": _said(ctx, folded[s1:e1], one)}, {
            **two,
            "said": _said(ctx, folded[s2:e2], two),
        }
    return None


def _said(ctx: Ctx, words: str, who: dict[str, Any]) -> str:
    if "named" in who:
        person = ctx.resident(int(who["named"]))
        return person.name if person is not None else words
    if who.get("relation") == "self":
        return ctx.t("two.self")
    words = words.strip()
    if (not words or words in _PAIRS) and who.get("relation") in _CALLED:  # 爸妈: each
        words = ctx.name_of(*_CALLED[who["relation"]])
    if words.isascii():
        return "your " + words.removeprefix("my ").removeprefix("your ")
    return "您" + words.removeprefix("我") if words else ctx.t("two.other")


def one_by_one(ctx: Ctx, text: str, flow: str, carry: dict[str, Any]) -> str | None:
    """A request naming two people: ``carry`` set for the first (who the flow is for), the
    second kept in the wish as ``next``; the note telling so. None if it names one."""
    pair = two_said(ctx, text)
    if pair is None:
        return None
    first, second = pair
    wish = {k: v for k, v in (carry.get("wish") or {}).items() if k != "relation"}
    carry.pop("named", None)
    if "named" in first:
        carry["named"] = first["named"]
        carry.pop("relation", None)
    else:
        carry["relation"] = wish["relation"] = first["relation"]
    carry["wish"] = {**wish, "next": second}
    key = "two.book" if flow == "book" else "two.register"
    return ctx.t(key, first=first["said"], second=second["said"])


def then_next(
    ctx: Ctx, flow: str, done: Resident, n: int = 1
) -> tuple[tuple[Option, ...], dict[str, Any]]:
    """What to offer (as option ``n``) once ``done`` is: "接着为…" (``flow``) the other of the
    two named, with what starts it; nothing if no second was named."""
    wished = ctx.data.get("wish")
    nxt = wished.get("next") if isinstance(wished, dict) else None
    if isinstance(wished, dict) and isinstance(pair := wished.get("pair"), list):
        nxt = next((who for who in pair if not _is(who, done)), None)  # chosen at 为谁预约
    if not isinstance(nxt, dict) or _is(nxt, done):
        return (), {}
    key = "two.next.book" if flow == "book" else "two.next.register"
    option = Option(str(n), ctx.t(key, who=nxt.get("said", "")), f"flow:{flow}")
    if "named" in nxt:
        return (option,), {"named": nxt["named"]}
    relation = nxt.get("relation")
    return (option,), {"relation": relation, "wish": {"relation": relation}}


def _is(who: dict[str, Any], person: Resident) -> bool:
    if "named" in who:
        return bool(who["named"] == person.id)
    return bool(who.get("relation") == person.relation)


_ASKED_AT: Final = frozenset({"person", "screening"})  # where a booking hears two people


def heard(ctx: Ctx, answer: Answer) -> Retry | None:
    """Two people named at 为谁预约 (李秀英阿姨同张三) or at the health list: one at a time,
    never someone new registered for it. At 为谁预约 the resident picks whom first; once a
    person is chosen, the booking stays theirs and the other is offered when it is done."""
    if answer.option is not None or ctx.step not in _ASKED_AT:
        return None
    pair = two_said(ctx, answer.simple or answer.text)
    if pair is None:
        return None
    wish = ctx.data.setdefault("wish", {})
    wish["pair"] = list(pair)
    if "resident_id" not in ctx.data:
        names = {"first": pair[0]["said"], "second": pair[1]["said"]}
        return Retry(ctx.t("two.which", **names))
    person = ctx.resident(int(ctx.data["resident_id"]))
    assert person is not None
    other = next((who for who in pair if not _is(who, person)), pair[1])
    return Retry(ctx.t("two.now", name=person.name, other=other["said"]))
