"""An age said in a message: 70岁, 七十岁, 今年76, 佢八十, she is 70, my father is 82, (65);
about an age, 八十几岁 / 80多岁, is the decade (80). An age as a bound (未满18岁, 唔够十八岁,
十八岁以下, under 18) is nobody's age: the limits are asked about, not that age's rules. A year
of birth said in words (1950年出世, 五零年生, born in 1950, 佢係1950年嘅): ``born_in``."""

from __future__ import annotations

import re

CN_DIGIT = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_AGE = re.compile(
    r"(?<![0-9])([0-9]{1,3})\s*(?:[几多]\s*)?(?:周岁|岁|years?[ -]old|yrs? old|yo\b)"
    r"|(?<![一二三四五六七八九十廿])([一二三四五六七八九]?十[一二三四五六七八九]?|廿[一二三四五六七八九]?|[一二三四五六七八九])(?:(?<=十)[几多])?(?:周岁|岁)"
    r"|(?:今年|刚满|啱啱满|已经|满|佢|他|她|我)\s*([0-9]{2})(?![0-9号日月点时:./-])"
    r"|(?:今年|刚满|啱啱满|满|佢|他|她)\s*([一二三四五六七八九]?十[一二三四五六七八九]?)(?![岁一二三四五六七八九十几多])"
    r"|\b(?:aged?|he's|she's|he is|she is|i'm|i am|turned|turning|(?:father|mother|son|daughter"
    r"|wife|husband|grandfather|grandmother|kid|child|brother|sister|friend"
    r"|(?:my|our|his|her) [a-z-]{2,14}) is)\s+(?:only |just |nearly |almost )?([0-9]{1,3})\b"
    r"(?!\s*(?:days?|weeks?|months?|hours?|minutes?|mins?|am|pm|th|st|nd|rd)\b|[:.][0-9])"
    r"|\(([0-9]{2})\)"
    r"|(?<![一二三四五六七八九十0-9])([一二三四五六七八九]十[一二三四五六七八九]?|[1-9][0-9])[几多]?(?:了|咯|啦|喇)"
)


# What makes the age beside it a bound: before it (未满18岁, under 18), after it (18岁以下).
_BOUND_BEFORE = re.compile(
    r"(?:未满|不满|没满|冇满|唔够|未够|冇够|不够|不到|未到|少于|低于|小于|(?<![a-z])under|below"
    r"|less than|younger than)\s*$"
)
_BOUND_AFTER = re.compile(
    r"\s*(?:[或及]?以下|以内|之下|or (?:under|younger|below)|and (?:under|younger))"
)


def _small_number(text: str) -> int | None:
    """一 … 九十九 (and 廿二) as a number."""
    if text.startswith("廿"):
        return 20 + CN_DIGIT.get(text[1:], 0) if len(text) <= 2 else None
    if "十" not in text:
        return CN_DIGIT.get(text)
    tens, _, ones = text.partition("十")
    return (CN_DIGIT.get(tens, 1) if tens else 1) * 10 + (CN_DIGIT.get(ones, 0) if ones else 0)


def age_in(text: str) -> int | None:
    """The age ``text`` says (a normalised message), if any: 1 to 129."""
    for match in _AGE.finditer(text):
        start = min(match.start(n) for n in range(1, 8) if match.group(n))  # the number's
        if _BOUND_BEFORE.search(text, max(0, start - 12), start) is None and (
            _BOUND_AFTER.match(text, match.end()) is None
        ):
            return _age(match)
    return None


def _age(match: re.Match[str]) -> int | None:
    late = match.group(7)  # 七十八了, 82了
    if late and late[0].isdigit():
        return int(late)
    digits = match.group(1) or match.group(3) or match.group(5) or match.group(6)
    age = int(digits) if digits else _small_number(match.group(2) or match.group(4) or late)
    return age if age is not None and 0 < age < 130 else None


# A year of birth in words: 1950年出世 / 1950年生 / 五零年出生 / 50年代 is no year (a decade);
# born in 1950, b. 1950. A full date (1950年3月4日) is a birth date, read where it is asked.
_BORN = re.compile(
    r"(?<![0-9])(19[0-9]{2}|20[0-9]{2})\s*年?\s*(?:出世|出生|生人|生嘅|生的|生|嘅人|的人)"
    r"|(?<![一二三四五六七八九零〇])([一二三四五六七八九零〇]{2})年(?:出世|出生|生)"
    r"|\bborn (?:in )?(19[0-9]{2}|20[0-9]{2})\b(?![-/.][0-9])"
)
_CN_YEAR_DIGIT = {**{k: str(v) for k, v in CN_DIGIT.items()}, "零": "0", "〇": "0"}


def born_in(text: str) -> int | None:
    """The year of birth ``text`` says (a normalised message), if any: 1900 to 2099; a year in
    two Chinese digits (五零年出世) is of the 1900s."""
    match = _BORN.search(text)
    if match is None:
        return None
    if match.group(2):
        return 1900 + int("".join(_CN_YEAR_DIGIT[ch] for ch in match.group(2)))
    return int(match.group(1) or match.group(3))
