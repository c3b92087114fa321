"""Masking a message before it is kept as "not understood": no ID numbers, phones, e-mail
addresses or names reach the lexicon's maintainers."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
_LONG_NUMBER = re.compile(r"[0-9xX][0-9xX\s-]{3,}[0-9xX]|[0-9]{4,}")
_DOCUMENT = re.compile(r"(?<![a-z])[a-z]{1,2}[0-9]{5,}", re.IGNORECASE)
_NAMED = re.compile(
    r"(我叫|我系|名字是|名字叫|姓名[是:：]?|叫做|my name is|i am|i'm)\s*"
    r"([\u3400-\u9fff]{1,4}|[a-z]+(?: [a-z]+)?)",
    re.IGNORECASE,
)
_CJK_WORD = re.compile(r"[\u3400-\u9fff]{2,3}")
# A word of two or three characters standing alone (between spaces or punctuation).
_LONE_WORD = re.compile(r"(?<![\u3400-\u9fff])[\u3400-\u9fff]{2,3}(?![\u3400-\u9fff])")
MAX_KEPT = 80


def mask(text: str, surnames: frozenset[str]) -> str:
    """``text`` with numbers, addresses and names replaced by placeholders, and cut short."""
    text = " ".join(text.split())[:MAX_KEPT]
    text = _EMAIL.sub("<email>", text)
    text = _DOCUMENT.sub("<证件>", text)
    text = _LONG_NUMBER.sub("<号码>", text)
    text = _NAMED.sub(lambda m: f"{m.group(1)}<姓名>", text)
    if _CJK_WORD.fullmatch(text) and text[0] in surnames:  # a name sent on its own
        return "<姓名>"
    # a name written beside other details (王小明 4401…): a lone word starting with a surname
    return _LONE_WORD.sub(lambda m: "<姓名>" if m.group()[0] in surnames else m.group(), text)
