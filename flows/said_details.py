"""What a request says of the person to register, before it is asked (我叫张三，住天河，想约明天;
帮我妈约，她叫王秀英，住海珠; Hi, I'm Li Wei, I live in Baiyun; 佢冇手机，打我电话139…).

``said_in`` reads, once, the message that starts a booking or a registration: the name (one's
own after 我叫/我係/I'm, another's after 她叫/佢叫/her name is, or written beside an ID number),
the resident ID number, a mobile number and the district one lives in (住天河, I live in Baiyun).
The registration then takes them at their steps and does not ask again (``flows.register_said``);
a value that is not valid (an ID's check digit) is asked again with the
reason there, as if typed at its step. Two different names (or numbers, or districts) are never
chosen between: asked, naming both. Words: the lexicon's ``[details]``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from flows import lexicon
from flows.identity import normalise_phone
from flows.identity_text import identity_in
from flows.names import COMPOUND_SURNAMES, latin_word
from flows.policy import Policy

_CJK = re.compile(r"[\u3400-\u9fff·]")
# Characters a name seldom holds but the sentence around it does (李伟想预约: 李伟)
_NOT_IN_NAME = set("我你他她它佢们們哋的嘅了咗吗呢啊吧嘛冇没唔不要想去来住约帮打在是系叫和同跟")
# What may follow a name in a sentence (张三住天河, 李伟身份证…): else it is cut too short or long
_AFTER_NAME = set("住想要帮约预打家手电身今明后下我现在是呢啊吖呀喔听和同跟")
_LATIN = re.compile(r"\s*([A-Z][A-Za-z'-]*(?:[ ]+[A-Z][A-Za-z'-]*){0,3})")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[-\s]?)?1[3-9][0-9](?:[-\s]?[0-9]{4}){2}(?![0-9])")
_SELF_ALONE = ("i'm", "i am", "im", "this is")  # need two words after them (I'm Li Wei)


def _intros(simple: str, words: dict[str, tuple[str, ...]]) -> list[tuple[str, str, int]]:
    """(kind, word, end) of every introduction word in ``simple`` (lower case), the longest at
    each place; Latin words only whole."""
    search, kinds = _intro_search(tuple((kind, ws) for kind, ws in words.items()))
    return [(kinds[w], w, found.end()) for found in search(simple) for w in [found.group()]]


@functools.lru_cache(maxsize=16)
def _intro_search(
    words: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[Callable[[str], Iterator[re.Match[str]]], dict[str, str]]:
    """One pattern of all the words, longest first (a Latin word not inside another word),
    and the kind of each word (the first kind that lists it)."""
    kinds: dict[str, str] = {}
    for kind, ws in words:
        for word in ws:
            kinds.setdefault(word, kind)
    parts = []
    for word in sorted(kinds, key=len, reverse=True):
        part = re.escape(word)
        if word[-1].isascii() and word[-1].isalpha():  # whole: no letter or digit before,
            part = rf"(?<![^\W_]){part}(?![^\W\d_])"  # no letter after
        parts.append(part)
    pattern = re.compile("|".join(parts) if parts else r"(?!)")
    return pattern.finditer, kinds


def _cjk_after(text: str, simple: str, end: int, titles: tuple[str, ...]) -> str | None:
    """The Chinese name starting at ``end`` (张三 of 张三住天河), as typed in ``text``."""
    rest = simple[end:].lstrip(" :：")
    start = len(simple) - len(rest)
    surnames = lexicon.load().surnames
    for size in (3, 2, 4, 5):
        name = rest[:size]
        if len(name) < size or not all(_CJK.match(ch) for ch in name):
            continue
        if size == 5 and not name.startswith(COMPOUND_SURNAMES):
            continue
        if any(ch in _NOT_IN_NAME for ch in name) or not (
            name[0] in surnames or name.startswith(COMPOUND_SURNAMES)
        ):
            continue
        after = rest[size:]
        if after and _CJK.match(after[0]) and after[0] not in _AFTER_NAME:
            continue
        if any(name.endswith(t) or after.startswith(t) for t in titles):
            continue
        return text[start : start + size] if len(text) == len(simple) else name
    return None


def _latin_after(text: str, end: int, word: str) -> str | None:
    """Capitalised words after an English introduction (I'm Li Wei → Li Wei)."""
    found = _LATIN.match(text, end)
    if found is None:
        return None
    words = []
    for part in found.group(1).split():
        if latin_word(part):
            break
        words.append(part)
    if not words or (word in _SELF_ALONE and len(words) < 2):
        return None
    return " ".join(words)


def _names(text: str, simple: str, words: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """The names introduced, by whose they are (self: the sender's own; other)."""
    out: dict[str, list[str]] = {"self": [], "other": []}
    lowered = simple.casefold()
    intro = {k: words.get(k, ()) for k in ("self", "other")}
    titles = words.get("titles", ())
    for kind, word, end in _intros(lowered, intro):
        if word[-1].isascii():
            name = _latin_after(text, end, word)
        else:
            name = _cjk_after(text, simple, end, titles)
        if name and name not in out[kind]:
            out[kind].append(name)
    return out


def _homes(simple: str, policy: Policy, words: tuple[str, ...]) -> list[str]:
    """The districts named right after 住/家住/I live in."""
    lowered = simple.casefold()
    names: list[tuple[str, str]] = []
    for key, district in policy.districts.items():
        zh, en = district.zh, district.en.casefold()
        names += [(zh, key), (en, key), (key.casefold(), key)]
        if len(zh) > 2 and zh[-1] in "区县市":
            names.append((zh[:-1], key))
    names.sort(key=lambda pair: -len(pair[0]))
    out: list[str] = []
    for _, _, end in _intros(lowered, {"home": words}):
        rest = lowered[end:].lstrip(" 在喺响系")
        found = next((k for name, k in names if rest.startswith(name)), None)
        if found is not None and found not in out:
            out.append(found)
    return out


def said_in(
    text: str, simplify: Callable[[str], str], policy: Policy, wish: dict[str, Any]
) -> dict[str, Any]:
    """What a request starting a booking or registration says of the person (``simplify``
    writes a text in Simplified characters; ``wish``: the entities the interpreter read, whose
    ``relation`` says who the request is for): ``identity``
    ([name, ID number], as ``identity_in``) and ``details`` (``name`` or ``names`` when two
    are given, ``phone`` or ``phones``, ``home``, and ``relation`` "self" or "other" when who
    it is for is told only by whose name is given). Empty if it says none of these."""
    folded = unicodedata.normalize("NFKC", text)
    simple = unicodedata.normalize("NFKC", simplify(folded))
    words = lexicon.load().details
    relation = wish.get("relation")
    carry: dict[str, Any] = {}
    details: dict[str, Any] = {}
    identity = identity_in(folded)
    named = _names(folded, simple, words)
    mine = relation in (None, "self")  # 我叫张三，帮我妈约: his name, not hers
    names = (named["self"] if mine else []) + named["other"]
    if identity and identity[0]:
        names.append(identity[0])
    names = list(dict.fromkeys(names))
    if len(names) == 1:
        details["name"] = names[0]
    elif names:
        details["names"] = names  # 我叫张三……李四: asked, never chosen
    if relation is None and (named["self"] or named["other"]):  # a name beside an ID: not
        details["relation"] = "self" if named["self"] else "other"  # whose it is
    if identity:
        carry["identity"] = [details.get("name", ""), identity[1]]
    phones = [p for p in (normalise_phone(m.group()) for m in _MOBILE.finditer(folded)) if p]
    phones = list(dict.fromkeys(phones))
    if len(phones) == 1:
        details["phone"] = phones[0]
    elif phones:
        details["phones"] = phones  # which one is theirs: asked
    homes = _homes(simple, policy, words.get("home", ()))
    if len(homes) == 1:
        details["home"] = homes[0]
    if details:
        carry["details"] = details
    return carry
