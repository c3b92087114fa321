"""A passport holder's nationality, read against the real list of countries and regions.

The list is ISO 3166-1 as pycountry ships it (Debian's iso-codes data), with its Chinese names
(zh_CN, and zh_TW / zh_HK for Traditional writers) read through gettext: "美国", "英國",
"United Kingdom", "Viet Nam", "GBR" and "US" all name a country; "天河", "NULL" or a date do
not. A few everyday names the standard does not use (韩国, 台湾, USA, UK, Britain, Korea) and
common demonyms (American, British, 美国人) are added here. What is stored is the ISO 3166-1
alpha-3 code, as a passport's machine-readable zone writes the nationality (ICAO 9303).

The work per message is bounded: text longer than ``MAX_CHARS`` is not read, and the index is
built once per process (about 250 countries, a few names each).
"""

from __future__ import annotations

import functools
import gettext
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

MAX_CHARS: Final = 40

# Written around a country's name: 国籍是美国, 美国人, 英國籍, a US citizen, nationality: UK.
_CJK_BEFORE: Final = re.compile(
    r"^(?:我的?|佢|他|她)?(?:国籍|國籍)?(?:是|係|系|为|為|:|：)?\s*(?:来自|來自|嚟自|从|從)?"
)
_CJK_AFTER: Final = (
    "国籍", "國籍", "籍", "人士", "人", "公民", "护照", "護照", "的", "嘅", "来的", "來的", "嚟嘅",
)  # fmt: skip
# Lead-in words, taken off one after another: "im from the uk", "i come from germany".
_LATIN_BEFORE: Final = re.compile(
    r"^(?:(?:my |his |her |the )?nationality(?: is)?:?|(?:my |his |her )?country(?: is)?:?"
    r"|i am|i'm|im|i m|he is|she is|he's|she's|we are|i come|i came|come|came|originally"
    r"|from|a|an|the|citizen of|national of|passport from|passport of|holder of)\s+"
)
_LATIN_AFTER: Final = re.compile(
    r"\s+(?:citizen|national|passport|passport holder|nationality|citizenship|here|please|pls"
    r"|plz|thanks|thx|lol)$"
)
_CODE: Final = re.compile(r"[A-Z]{2,3}")
# Two and three letters that are words before they are codes ("i am", "me", "no").
_NOT_CODES: Final = frozenset({"AM", "ME", "NO", "TO", "IN", "IS", "IT", "AN", "AS", "AT", "BE",
                               "BY", "DO", "GO", "HE", "HI", "MY", "OK", "ON", "OR", "SO", "UP",
                               "WE", "AND", "ARE", "CAN", "NOT", "THE", "YES"})  # fmt: skip
_CJK: Final = re.compile(r"[\u3400-\u9fff]")

# Everyday names and demonyms the standard's names miss, by alpha-3 code.
_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "KOR": ("韩国", "南韩", "韓國", "南韓", "korea", "south korea", "korean", "south korean"),
    "PRK": ("北韩", "北韓", "north korea"),
    "TWN": ("台湾", "臺灣", "台灣", "中国台湾", "中國台灣", "taiwan", "taiwanese"),
    "HKG": ("中国香港", "中國香港", "hongkong", "hong konger"),
    "MAC": ("中国澳门", "中國澳門", "macau"),
    "CHN": ("中华人民共和国", "中華人民共和國", "prc", "chinese", "mainland china"),
    "USA": ("美利坚", "usa", "us", "america", "united states of america", "american"),
    "GBR": (
        "英格兰",
        "苏格兰",
        "uk",
        "u k",
        "britain",
        "great britain",
        "england",
        "british",
        "english",
        "scotland",
        "scottish",
        "wales",
        "welsh",
    ),
    "RUS": ("俄国", "俄羅斯", "russia", "russian"),
    "SYR": ("叙利亚", "敘利亞", "syria"),
    "KHM": ("柬埔寨", "cambodian"),
    "VNM": ("vietnam", "vietnamese"),
    "DEU": ("german", "deutschland"),
    "PHL": ("filipino", "filipina", "phillipines", "philipines", "phillippines"),
    "BRA": ("brazilian", "brasil"),
    "LAO": ("laos", "lao"),
    "IRN": ("iran",),
    "NLD": ("holland", "dutch"),
    "CZE": ("czech republic",),
    "TUR": ("turkey", "turkish"),
    "CIV": ("ivory coast",),
    "MMR": ("burma", "burmese"),
    "ARE": ("uae", "emirates"),
    "CAN": ("canadian",),
    "AUS": ("australian",),
    "FRA": ("french",),
    "IND": ("indian",),
    "JPN": ("japanese",),
    "NGA": ("nigerian",),
    "PAK": ("pakistani",),
    "THA": ("thai",),
    "MYS": ("malaysian",),
    "SGP": ("singaporean",),
    "IDN": ("indonesian",),
    "ITA": ("italian",),
    "ESP": ("spanish",),
    "MEX": ("mexican",),
    "IRL": ("irish",),
    "CHE": ("swiss",),
    "SWE": ("swedish",),
    "PRT": ("portuguese",),
    "POL": ("polish",),
    "UKR": ("ukrainian",),
    "EGY": ("egyptian",),
    "BGD": ("bangladeshi",),
    "NPL": ("nepali", "nepalese"),
    "MNG": ("mongolian",),
    "KAZ": ("kazakh",),
    "ISR": ("israeli",),
    "NZL": ("new zealander",),
    "ZAF": ("south african",),
    "KEN": ("kenyan",),
}
# How the Chinese name is said back (the standard's zh_CN name where it is not the usual one).
_SAID_ZH: Final = {"TWN": "中国台湾", "HKG": "中国香港", "MAC": "中国澳门", "KHM": "柬埔寨",
                   "KOR": "韩国", "PRK": "朝鲜", "IRN": "伊朗", "LAO": "老挝", "SYR": "叙利亚",
                   "VEN": "委内瑞拉", "BOL": "玻利维亚", "MDA": "摩尔多瓦"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-3: what is stored
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class _Index:
    names: dict[str, str]  # folded name -> alpha-3
    codes: dict[str, str]  # alpha-2 / alpha-3 -> alpha-3
    countries: dict[str, Country]
    cjk_names: tuple[tuple[str, str], ...]  # (Chinese name, alpha-3), for unique prefixes


def _fold(text: str) -> str:
    """Case, width, accents and punctuation away: "Viet Nam", "viet-nam" and "VIET NAM" alike."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[.,'’()\-_/·]", " ", text)
    words = text.split()
    if words[:1] == ["the"]:
        words = words[1:]
    return ("" if _CJK.search(text) else " ").join(words)


@functools.cache
def _index() -> _Index:
    import pycountry  # imported when a nationality is first read

    def catalogue(language: str) -> gettext.NullTranslations:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])

    simplified, traditional, hong_kong = catalogue("zh_CN"), catalogue("zh_TW"), catalogue("zh_HK")
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    countries: dict[str, Country] = {}
    cjk: list[tuple[str, str]] = []
    for country in pycountry.countries:
        code = str(country.alpha_3)
        english = str(getattr(country, "common_name", None) or country.name)
        zh = simplified.gettext(country.name)
        countries[code] = Country(code, _SAID_ZH.get(code, zh), english)
        codes[code] = code
        codes[str(country.alpha_2)] = code
        latin = [country.name, english, getattr(country, "official_name", None)]
        for name in latin:
            if name:
                names.setdefault(_fold(str(name)), code)
        for name in {zh, traditional.gettext(country.name), hong_kong.gettext(country.name)}:
            names.setdefault(_fold(name), code)
            cjk.append((_fold(name), code))
    for code, aliases in _ALIASES.items():
        for alias in aliases:
            names[_fold(alias)] = code
            if _CJK.search(alias):
                cjk.append((_fold(alias), code))
    return _Index(names, codes, countries, tuple(cjk))


def country(code: str) -> Country | None:
    """The country or region of an ISO 3166-1 alpha-3 ``code`` (as stored)."""
    return _index().countries.get(code)


def read_country(text: str, simple: str = "") -> Country | None:
    """The country or region ``text`` names (``simple``: the same in Simplified characters),
    or None if it names none: a place in the city, a word, a date, a number."""
    found = _code_of(text) or (_code_of(simple) if simple and simple != text else None)
    return _index().countries[found] if found else None


def _code_of(text: str) -> str | None:
    plain = unicodedata.normalize("NFKC", text).strip(" \t\r\n。.!！?？,，~～")
    if not plain or len(plain) > MAX_CHARS:
        return None
    index = _index()
    if _CODE.fullmatch(plain):  # GBR, US: a code in capitals only ("no", "me" are words)
        return index.codes.get(plain) or index.names.get(_fold(plain))  # UK: a name
    if _CJK.search(plain):
        name = _fold(_CJK_BEFORE.sub("", plain.replace(" ", "")))
        # 英國籍, 美国人, 日本护照: the name with one word after it taken off
        cut = [name[: -len(end)] for end in _CJK_AFTER if name.endswith(end)]
        for candidate in (name, *cut):
            if len(candidate) >= 2 and candidate in index.names:
                return index.names[candidate]
        name = max((c for c in cut if len(c) >= 2), key=len, default=name)
        if len(name) < 2:
            return None
        # 伊朗 for 伊朗伊斯兰共和国, 老挝 for 老挝人民民主共和国: a unique start of a name
        starts = {code for full, code in index.cjk_names if full.startswith(name)}
        return starts.pop() if len(starts) == 1 else None
    name = _fold(plain)
    for _ in range(4):  # at most a few lead-in words: "i'm originally from the"
        shorter = _LATIN_BEFORE.sub("", _LATIN_AFTER.sub("", name))
        if shorter == name:
            break
        name = shorter
    if name in index.names:
        return index.names[name]
    code = name.replace(" ", "").upper()  # "from the US", "I am from U.S."
    return index.codes.get(code) if len(code) in (2, 3) and code not in _NOT_CODES else None
