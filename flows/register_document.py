"""The identity document named in words where "1 居民身份证 2 护照" is asked
(``flows.registration``), and a passport number written inside a sentence.

A resident ID, a passport or a Mainland Travel Permit is registered here. The permit of Hong
Kong, Macau and Taiwan residents (回乡证, 台胞证) is the document they are vaccinated with ("本人
有效身份证件", seeds/004): it is stored as its own type (``permit``), asked like a passport (the
number, the region: Taiwan for 台胞证, Hong Kong or Macau for 回乡证 by its H or M, else asked,
then the birth date), so the document brought on the day matches the one on record. Other
documents residents hold are sent where they belong: a foreigner's residence permit
sits in the passport (the passport's number); a mainland resident's own travel permit
(港澳通行证) or driving licence is no registration document (the resident ID is); the residence
permit of a Hong Kong, Macau or Taiwan resident has an 18-character number read as a resident
ID. The words are few and about documents only: read at this one step, never on every message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from flows.countries import read_country
from flows.dialogue import Ctx, Next


@dataclass(frozen=True, slots=True)
class Document:
    step: str | None  # "id_number", "passport"; None: neither (asked again)
    note: str | None = None  # the text key said with it
    region: str | None = None  # a Mainland Travel Permit's region (TWN), when the name says it


# Longest first: 港澳台居民居住证 before 居住证, 港澳通行证 before 通行证.
_CJK: Final[tuple[tuple[str, Document], ...]] = (
    ("港澳台居民居住证", Document("id_number", "reg.document.hmt_residence")),
    ("港澳居民居住证", Document("id_number", "reg.document.hmt_residence")),
    ("台湾居民居住证", Document("id_number", "reg.document.hmt_residence")),
    ("回乡证", Document("passport", "reg.document.permit")),
    ("回鄉證", Document("passport", "reg.document.permit")),
    ("台胞证", Document("passport", "reg.document.permit", "TWN")),
    ("同胞证", Document("passport", "reg.document.permit", "TWN")),
    ("台胞證", Document("passport", "reg.document.permit", "TWN")),
    ("港澳居民来往内地通行证", Document("passport", "reg.document.permit")),
    ("港澳居民來往內地通行證", Document("passport", "reg.document.permit")),
    ("台湾居民来往大陆通行证", Document("passport", "reg.document.permit", "TWN")),
    ("台灣居民來往大陸通行證", Document("passport", "reg.document.permit", "TWN")),
    ("港澳通行证", Document("id_number", "reg.document.mainland")),
    ("港澳通行證", Document("id_number", "reg.document.mainland")),
    ("往来港澳通行证", Document("id_number", "reg.document.mainland")),
    ("永久居留", Document("passport", "reg.document.residence")),
    ("居留许可", Document("passport", "reg.document.residence")),
    ("居留證", Document("passport", "reg.document.residence")),
    ("居留证", Document("passport", "reg.document.residence")),
    ("签证", Document("passport", "reg.document.residence")),
    ("驾驶证", Document(None, "reg.document.other")),
    ("驾照", Document(None, "reg.document.other")),
    ("社保卡", Document(None, "reg.document.other")),
    ("医保卡", Document(None, "reg.document.other")),
    ("户口本", Document(None, "reg.document.other")),
    ("户口簿", Document(None, "reg.document.other")),
    ("护照", Document("passport")),
    ("護照", Document("passport")),
    ("身份证", Document("id_number")),
    ("身份證", Document("id_number")),
    ("身分證", Document("id_number")),
)
_LATIN: Final[tuple[tuple[re.Pattern[str], Document], ...]] = (
    (
        re.compile(r"\btaiwan (?:compatriot|resident)s?(?: permit| card| travel permit)?\b"),
        Document("passport", "reg.document.permit", "TWN"),
    ),
    (
        re.compile(r"\b(?:home (?:return|visit) permit|mainland travel permit)\b"),
        Document("passport", "reg.document.permit"),
    ),
    (
        re.compile(
            r"\b(?:residen(?:ce|t|cy) (?:permit|card)|permanent residen|work permit"
            r"|visa|green card|foreigner'?s? id)"
        ),
        Document("passport", "reg.document.residence"),
    ),
    (
        re.compile(r"\b(?:driv(?:ing|er'?s?) licen[cs]e|driving permit|social security card)\b"),
        Document(None, "reg.document.other"),
    ),
    (re.compile(r"\b(?:id|i\.d\.|identity|shenfenzheng|sfz|id ?card)\b"), Document("id_number")),
)
_NO: Final = re.compile(
    r"(?:没有|冇|无|沒有|唔系|不是|no|don'?t have|do not have|haven'?t got|not an?|without)\s*"
    r"(?:an?\s+|the\s+|any\s+|chinese\s+|mainland\s+|resident\s+|带|帶)*"
    r"(?:id|i\.d\.|identity|身份证|身份證)",
)
_WORDS: Final = re.compile(r"[a-z]+")


def _passport_word(word: str) -> bool:
    """passport as typed in a hurry: pasport, passpot, pssport, passprt, passports."""
    return len(word) >= 6 and word[0] == "p" and _distance(word.rstrip("s"), "passport") <= 2


def _distance(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions) of two short words."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]


def document_said(text: str) -> Document | None:
    """The document ``text`` names (i have a passport, 2 passport, pasport, 回乡证, residence
    permit), or None if it names none."""
    folded = unicodedata.normalize("NFKC", text).casefold()[:80]
    for word, document in _CJK:
        if word in folded:
            return _unless_no_id(folded, document)
    if any(_passport_word(word) for word in _WORDS.findall(folded)):
        return Document("passport")
    for pattern, document in _LATIN:
        if pattern.search(folded):
            return _unless_no_id(folded, document)
    return None


def _unless_no_id(folded: str, document: Document) -> Document:
    """No ID card (没有身份证, i don't have an ID): the passport said to be the other way."""
    if document.step == "id_number" and document.note is None and _NO.search(folded):
        return Document(None, "reg.document.no_id")
    return document


# A passport number written with words around it (my passport no is E12345678, 护照号码
# 是E1234567): the one run of letters and digits holding a digit, 5 to 20 long.
_RUN: Final = re.compile(r"[A-Z0-9]+")


def in_words(text: str) -> bool:
    """Whether a number is written with words around it (a word of three letters or more:
    E1234 and E5678, passport no E123): not one number typed with spaces (E 1234 5678)."""
    return any(len(word) >= 3 and word.isalpha() for word in text.split())


def number_in(text: str) -> str | None:
    """The one passport number a sentence holds, or None (none, or more than one)."""
    folded = unicodedata.normalize("NFKC", text).upper()[:200]
    runs = [run for run in _RUN.findall(folded) if any(ch.isdigit() for ch in run)]
    if len(runs) != 1 or not 5 <= len(runs[0]) <= 20:
        return None
    number: str = runs[0]
    return number


def region_known(ctx: Ctx, number: str) -> Next | None:
    """A Mainland Travel Permit's region, when its name (台胞证: Taiwan) or its number (H…: Hong
    Kong, M…: Macau) says it: stored as the nationality, and the birth date asked next."""
    if "permit" not in ctx.data:
        return None
    region = ctx.data["permit"] or {"H": "HKG", "M": "MAC"}.get(number[:1])
    country = read_country(region, region) if region else None
    if country is None:
        return None
    ctx.data["nationality"] = country.code
    return Next(
        "birth_date", note=ctx.t("reg.permit.region_ok", region=ctx.name_of(country.zh, country.en))
    )
