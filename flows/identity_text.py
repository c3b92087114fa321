"""A resident ID number written inside a sentence, and the name written beside it (张三
440106199001011235, 我想预约，李四 4401…, 身份证号是4401…)."""

from __future__ import annotations

import re
import unicodedata

from flows import lexicon
from flows.names import clean_name

# A resident ID inside a longer message ("张三 440106199001011235", "张三，身份证440106…").
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
# What people write around it: 身份证(号码), 证件号, ID (number/no.), and punctuation.
_ID_WORDS = re.compile(
    r"(?:居民)?身份证(?:号码|号)?|证件号码?|\bid\b(?:\s*(?:card|number|no\.?))?|[,，、:：;；/()（）]",
    re.IGNORECASE,
)


def name_and_id(text: str) -> tuple[str, str] | None:
    """A resident ID number written in ``text``, and what else is written there (a name, or
    nothing); None if no ID number is."""
    folded = unicodedata.normalize("NFKC", text)
    found = _ID_IN_TEXT.search(folded)
    if found is None:
        return None
    rest = _ID_WORDS.sub(" ", folded[: found.start()] + " " + folded[found.end() :])
    return clean_name(rest), found.group()


_TOKEN_BREAK = re.compile(r"[\s,，、。.!！?？;；:：()（）]+")
_CJK_NAME = re.compile(r"[\u3400-\u9fff·]{2,5}")


def identity_in(text: str) -> tuple[str, str] | None:
    """A resident ID number in a sentence (我想预约，李四 4401…), and the name written next to
    it ("" if none can be told: a name is 2–5 Chinese characters starting with a surname);
    None if no ID number is written."""
    folded = unicodedata.normalize("NFKC", text)
    found = _ID_IN_TEXT.search(folded)
    if found is None:
        return None
    before = _TOKEN_BREAK.split(_ID_WORDS.sub(" ", folded[: found.start()]).strip())[-1]
    after = _TOKEN_BREAK.split(_ID_WORDS.sub(" ", folded[found.end() :]).strip())[0]
    name = next((token for token in (before, after) if looks_like_a_name(token)), "")
    return name, found.group()


def looks_like_a_name(text: str) -> bool:
    """2–5 Chinese characters starting with a common surname (张伟, 欧阳娜娜)."""
    name = clean_name(text)
    return bool(_CJK_NAME.fullmatch(name)) and name[0] in lexicon.load().surnames
