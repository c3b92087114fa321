"""An age said in a message: 70岁, 七十岁, 今年76, 佢八十, she is 70, my father is 82, (65);
about an age, 八十几岁 / 80多岁, is the decade (80). An age as a bound (未满18岁, 唔够十八岁,
十八岁以下, under 18) is nobody's age: the limits are asked about, not that age's rules."""

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
    r"|(?:my|our|his|her) [a-z-]{2,12}) is)\s+([0-9]{1,3})\b"
    r"(?!\s*(?:days?|weeks?|months?|hours?|minutes?|mins?|am|pm|th|st|nd|rd)\b|[:.][0-9])"
    r"|\(([0-9]{2})\)"
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
        start = min(match.start(n) for n in range(1, 7) if match.group(n))  # the number's
        if _BOUND_BEFORE.search(text, max(0, start - 12), start) is None and (
            _BOUND_AFTER.match(text, match.end()) is None
        ):
            return _age(match)
    return None


def _age(match: re.Match[str]) -> int | None:
    digits = match.group(1) or match.group(3) or match.group(5) or match.group(6)
    age = int(digits) if digits else _small_number(match.group(2) or match.group(4))
    return age if age is not None and 0 < age < 130 else None
