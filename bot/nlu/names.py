"""Names of districts, sites and vaccine makers, from the policy and the store.

Nothing here is typed by hand: a district is known by its policy names (天河区, 天河, Tianhe), a
maker by its products' names and the lexicon's short names (科兴), and a site by every part of
its name that is its own — 石牌 for 石牌街社区卫生服务中心, but not 体育中心, which two sites
share, nor 天河, which is a district.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable

from bot.nlu.phrases import Phrases
from flows.lexicon import Lexicon
from flows.policy import Policy
from store import Site

_WORDS = re.compile(r"[a-z0-9'’]+")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def district_aliases(policy: Policy) -> dict[str, set[str]]:
    """Each district's names: 天河区, 天河, tianhe, tianhe district."""
    aliases: dict[str, set[str]] = {}
    for key, district in policy.districts.items():
        zh, en = _fold(district.zh), _fold(district.en)
        names = {zh, en, key.casefold(), f"{en} district"}
        if len(zh) > 2 and zh[-1] in "区县市镇":
            names.add(zh[:-1])
        aliases[key] = names
    return aliases


def maker_aliases(policy: Policy, lexicon: Lexicon) -> dict[str, set[str]]:
    """Each manufacturer's names: the lexicon's short names and its products' names."""
    aliases: dict[str, set[str]] = defaultdict(set)
    for maker, words in lexicon.makers.items():
        aliases[maker].update(words)
    for product in policy.products.values():
        aliases[product.manufacturer].update({_fold(product.zh), _fold(product.en)})
    return dict(aliases)


# Words residents leave out of a site's name (白云会议中心 for 白云国际会议中心接种点), and short
# forms of English ones (Panyu Gym).
_DROPPED = ("国际", "接种点", "接种门诊", "社区卫生服务中心", "卫生服务中心")
_ENGLISH_SHORT = {"gymnasium": "gym", "centre": "center", "community": "", "health": ""}


def _shortened(name: str, generic: tuple[str, ...], prefixes: Iterable[str]) -> set[str]:
    """A site name and the shorter forms residents write: generic endings taken off one by one,
    the district's name taken off the front, words residents leave out, and every beginning of
    these (琶洲 of 琶洲会展中心接种点, pazhou of Pazhou Exhibition Centre)."""
    latin = name.isascii()
    forms = {name}
    if latin:
        forms.add(" ".join(w for w in (_ENGLISH_SHORT.get(w, w) for w in name.split()) if w))
    else:
        forms.update(name.replace(word, "") for word in _DROPPED if word in name)
    for form in list(forms):
        current = form
        while True:
            words = current.split() if latin else None
            ending = next(
                (
                    word
                    for word in generic
                    if (words is not None and len(words) > 1 and words[-1] == word)
                    or (not latin and current.endswith(word) and len(current) > len(word))
                ),
                None,
            )
            if ending is None:
                break
            current = " ".join(words[:-1]) if words is not None else current[: -len(ending)]
            forms.add(current)
    for form in list(forms):
        for prefix in prefixes:
            if form.startswith(prefix) and len(form) > len(prefix):
                rest = form[len(prefix) :].strip()
                forms.add(rest)
                for short in prefixes:  # 海珠区疾控 -> 海珠疾控
                    if short != prefix:
                        forms.add(f"{short} {rest}" if latin else short + rest)
    beginnings: set[str] = set()
    for form in forms:
        if latin:
            words = form.split()
            beginnings.update(" ".join(words[:n]) for n in range(1, len(words)))
        else:
            beginnings.update(form[:n] for n in range(2, len(form)))
    return {form for form in forms | beginnings if form}


class Names:
    """Finds districts, sites and makers in a normalised message."""

    def __init__(self, policy: Policy, lexicon: Lexicon, sites: list[Site]) -> None:
        districts = district_aliases(policy)
        makers = maker_aliases(policy, lexicon)
        taken = {alias for names in (*districts.values(), *makers.values()) for alias in names}
        generic = tuple(sorted(lexicon.generic_site_words, key=len, reverse=True))
        candidates: dict[str, set[int]] = defaultdict(set)
        for site in sites:
            prefixes = sorted(districts.get(site.district_id, ()), key=len, reverse=True)
            for name in (_fold(site.name_zh), " ".join(_WORDS.findall(_fold(site.name_en)))):
                for form in _shortened(name, generic, prefixes):
                    candidates[form].add(site.id)
        every_name = [_fold(s.name_zh) for s in sites] + [_fold(s.name_en) for s in sites]
        own: list[tuple[str, int]] = []
        for form, ids in candidates.items():
            if len(ids) != 1 or form in taken or form in generic or len(form) < 2:
                continue
            (site_id,) = ids
            if any(form in alias for alias in taken):  # 北京 of 北京街 is also 国药北京
                continue
            if sum(form in name for name in every_name) > (2 if form.isascii() else 1):
                continue  # a part of two sites' names names neither
            own.append((form, site_id))
        # one table for all three kinds: a message is looked through once
        self.phrases: Phrases[tuple[str, str | int]] = Phrases(
            [
                *(
                    (alias, ("district", key))
                    for key, names in districts.items()
                    for alias in names
                ),
                *((alias, ("maker", key)) for key, names in makers.items() for alias in names),
                *((form, ("site", site_id)) for form, site_id in own),
            ]
        )
        self.site_district = {site.id: site.district_id for site in sites}

    def find(self, text: str) -> tuple[str | None, int | None, str | None]:
        """The district, site and maker ``text`` names (each None if none)."""
        district, site, makers = self.find_all(text)
        return district, site, maker_named_last(text, makers)

    def find_all(
        self, text: str, earlier: list[tuple[int, int]] | None = None
    ) -> tuple[str | None, int | None, list[tuple[str, str | int]]]:
        """The district and site ``text`` names, and every maker named (words, id)."""
        district, site, makers, _, _ = self.places(text, earlier)
        return district, site, makers

    def places(
        self, text: str, earlier: list[tuple[int, int]] | None = None
    ) -> tuple[str | None, int | None, list[tuple[str, str | int]], str | None, int | None]:
        """``find_all``'s district, site and makers, then the district and site named inside
        the ``earlier`` spans (``earlier_clauses``): where a dose was given. A place named
        there is also the one wanted only when no other is named (可以在海珠区约第二针吗？第一针在
        番禺打的: 海珠 wanted, 番禺 given; 我第一针在琶洲打的，第二针也约那里吧: 琶洲 both)."""
        found = self.phrases.find(text)  # looked through once
        if not earlier:  # no dose given told of: every place named is wanted
            every = self._kinds(found, lambda words: True)
            return (_district(text, every["district"]), _site(text, every["site"]),
                    every["maker"], None, None)  # fmt: skip
        wanted = self._kinds(found, lambda words: not _inside(text.find(words), earlier))
        given = self._kinds(found, lambda words: _inside(text.find(words), earlier))
        if not (wanted["district"] or wanted["site"]):
            wanted = self._kinds(found, lambda words: True)
        return (
            _district(text, wanted["district"]),
            _site(text, wanted["site"]),
            wanted["maker"],
            _district(text, given["district"]),
            _site(text, given["site"]),
        )

    @staticmethod
    def _kinds(
        found: list[tuple[str, tuple[str, str | int]]], counts: Callable[[str], bool]
    ) -> dict[str, list[tuple[str, str | int]]]:
        """The places (whose words ``counts``) and makers found, by kind."""
        kinds: dict[str, list[tuple[str, str | int]]] = {"district": [], "site": [], "maker": []}
        for words, (kind, value) in found:
            if kind == "maker" or counts(words):
                kinds[kind].append((words, value))
        if kinds["site"] and len(kinds["district"]) > 1:  # 海珠的天河体育中心: 海珠 was meant
            named = max(kinds["site"], key=lambda f: len(f[0]))[0]
            outside = [d for d in kinds["district"] if d[0] not in named]
            kinds["district"] = outside or kinds["district"]
        return kinds


# Clauses, as punctuation ends them (not the dot of 5.10).
_CLAUSE_END = re.compile(r"[，,。;；!！?？\n]|\.(?:\s|$)")
# A dose given: 打的, 打嘅, 打咗, 接种了, had, got, received (after normalising: Simplified).
_GIVEN = re.compile(r"[打种][的嘅咗了过]|\b(?:had|got|received|took|was given)\b")
# An earlier dose named, and a later one (the one wanted).
_EARLIER_DOSE = re.compile(
    r"第[一1][针剂]|头针|上一?[针剂]|\b(?:first|1st|last|previous) (?:dose|jab|shot|one)\b"
)
_LATER_DOSE = re.compile(r"第?[二三2-9][针剂]|加强|\b(?:second|2nd|third|3rd|booster)\b")


def earlier_clauses(text: str, later_wanted: bool) -> list[tuple[int, int]]:
    """The spans of ``text``'s clauses that tell of a dose already given, so that a place named
    there is where it was given, not where the next is wanted (帮我阿妈约第二针，佢第一针5月10号
    喺白云打嘅科兴; I had my first jab at Shipai, book my second). A clause tells of one when it
    names an earlier dose and says it was given, or either while ``later_wanted`` (a later dose
    is asked for); never a clause that names the later dose (第一针在白云打的第二针想在天河)."""
    spans: list[tuple[int, int]] = []
    if not (_GIVEN.search(text) or _EARLIER_DOSE.search(text)):
        return spans  # no clause of it can tell of a dose given (most messages)
    start = 0
    ends = [m.span() for m in _CLAUSE_END.finditer(text)] + [(len(text), len(text))]
    for end, after in ends:
        clause = text[start:end]
        if clause and not _LATER_DOSE.search(clause):
            given, earlier = _GIVEN.search(clause), _EARLIER_DOSE.search(clause)
            if (given and earlier) or (later_wanted and (given or earlier)):
                spans.append((start, end))
        start = after
    return spans


def _inside(at: int, spans: list[tuple[int, int]] | None) -> bool:
    return any(start <= at < end for start, end in spans or ())


def first_of_makers(text: str, found: list[tuple[str, str | int]]) -> str | None:
    """The maker named first when ``text`` names two or more (第一针科兴，第二针国药: 科兴)."""
    if len({key for _, key in found}) < 2:
        return None
    return str(min(found, key=lambda f: (text.find(f[0]), -len(f[0])))[1])


def _district(text: str, found: list[tuple[str, str | int]]) -> str | None:
    """The district named; of two, the last named (改到海珠)."""
    if not found:
        return None
    if len({key for _, key in found}) > 1:
        return str(max(found, key=lambda f: (text.rfind(f[0]), len(f[0])))[1])
    return str(found[0][1])


def _site(text: str, found: list[tuple[str, str | int]]) -> int | None:
    """The site named by the longest own part of its name."""
    if not found:
        return None
    return int(max(found, key=lambda f: (len(f[0]), text.rfind(f[0])))[1])


def maker_named_last(text: str, found: list[tuple[str, str | int]]) -> str | None:
    """The maker named last (第一针科兴，第二针想打国药: the one wanted)."""
    if not found:
        return None
    return str(max(found, key=lambda f: (text.rfind(f[0]), len(f[0])))[1])
