"""Masking a message before it is kept as "not understood": no ID numbers, phones, e-mail
addresses or names reach the lexicon's maintainers."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
# Long numbers (an ID's, a phone's); not a year said as one (2021年2月30日).
_LONG_NUMBER = re.compile(r"[0-9xX][0-9xX\s-]{3,}[0-9xX]|(?<![0-9])[0-9]{4,}(?![0-9年])")
_DOCUMENT = re.compile(r"(?<![a-z])[a-z]{1,2}[0-9]{5,}", re.IGNORECASE)
_NAMED = re.compile(
    r"(我叫|我系|名字是|名字叫|姓名[是:：]?|叫做|my name is|i am|i'm)\s*"
    r"([\u3400-\u9fff]{1,4}|[a-z]+(?: [a-z]+)?)",
    re.IGNORECASE,
)
_CJK_WORD = re.compile(r"[\u3400-\u9fff]{2,3}")
# A word of two or three characters standing alone (between spaces or punctuation).
_LONE_WORD = re.compile(r"(?<![\u3400-\u9fff])[\u3400-\u9fff]{2,3}(?![\u3400-\u9fff])")
# A booking or pre-registration code (B97UREGC, r26uhnn3): a token of letters and digits with
# both in it, or eight capitals. Codes are secrets: anyone holding one can quote it.
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{6,12}(?![A-Za-z0-9])")
# A name followed by a particle or a title (陈大文呢, 王芳女士), or a Latin first and last name.
_NAME_THEN = re.compile(
    r"(?<![\u3400-\u9fff])([\u3400-\u9fff]{2,3})(呢|啊|呀|吖|嘅|的|啦|喇|先生|女士|小姐|阿姨)"
    r"(?![\u3400-\u9fff])"
)
_LATIN_NAME = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b")
MAX_KEPT = 80
# Words left once masked: a Chinese character, or a Latin word (a placeholder is none).
_WORDS_LEFT = re.compile(r"[\u3400-\u9fff]|[A-Za-z]{2,}")
_PLACEHOLDER = re.compile(r"<(?:email|证件|号码|代码|姓名)>")


def _code(match: re.Match[str]) -> str:
    token = match.group()
    has_digit = any(ch.isdigit() for ch in token)
    coded = (has_digit and any(ch.isalpha() for ch in token)) or (
        len(token) == 8 and token.isupper()
    )
    return "<代码>" if coded else token


def mask(text: str, surnames: frozenset[str]) -> str:
    """``text`` with numbers, addresses and names replaced by placeholders, and cut short."""
    text = " ".join(text.split())[:MAX_KEPT]
    text = _EMAIL.sub("<email>", text)
    text = _DOCUMENT.sub("<证件>", text)
    text = _LONG_NUMBER.sub("<号码>", text)
    text = _TOKEN.sub(_code, text)
    text = _NAMED.sub(lambda m: f"{m.group(1)}<姓名>", text)
    text = _NAME_THEN.sub(
        lambda m: f"<姓名>{m.group(2)}" if m.group(1)[0] in surnames else m.group(), text
    )
    text = _LATIN_NAME.sub("<姓名>", text)
    if _CJK_WORD.fullmatch(text) and text[0] in surnames:  # a name sent on its own
        return "<姓名>"
    # a name written beside other details (王小明 4401…): a lone word starting with a surname
    return _LONE_WORD.sub(lambda m: "<姓名>" if m.group()[0] in surnames else m.group(), text)


def worded(masked: str) -> bool:
    """Whether a masked message still says something in words: 用我的号码 does; a mistyped ID
    number (<号码>), an option number out of range or an emoji does not."""
    return _WORDS_LEFT.search(_PLACEHOLDER.sub("", masked)) is not None
