"""The text a date is read from, made regular (``flows.dates`` and ``flows.festivals`` read it).

- ``normalise``: NFKC (fullwidth digits and punctuation), lower case, the Traditional characters
  of day words to Simplified (號→号, 後→后, 節→节, 國慶→国庆), decimal digits of any script to 0-9,
  collapsed whitespace.
- ``cn_numerals_to_digits``: runs of Chinese numerals become digits with ``cn2an`` (imported
  lazily and only when the text has a date or clock marker next to them).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

TRADITIONAL: Final = str.maketrans(
    {
        "號": "号",
        "點": "点",
        "時": "时",
        "週": "周",
        "禮": "礼",
        "後": "后",
        "兩": "两",
        "鐘": "钟",
        "過": "过",
        "幾": "几",
        # festival and holiday words (中秋節, 國慶假期, 重陽, 勞動節, 當日, 長假, 黃金周, 期間)
        "節": "节",
        "國": "国",
        "慶": "庆",
        "陽": "阳",
        "勞": "劳",
        "動": "动",
        "當": "当",
        "長": "长",
        "黃": "黄",
        "間": "间",
        "個": "个",
        "’": "'",
    }
)
SPACES: Final = re.compile(r"\s+")
_OTHER_DIGIT: Final = re.compile(r"(?![0-9])\d")  # a decimal digit of another script: ٣
MASK: Final = "\ue000"  # private-use character standing in for words already read

_CN_NUMERAL_RUN: Final = re.compile(r"[零〇一二三四五六七八九十百两廿]+")
_CN_NUMERAL_CONTEXT: Final = re.compile(r"[年月日号点时天周期拜]")
# 一点 meaning "a little" (早一点, 快一点, 一点点), not one o'clock.
_CN_A_LITTLE: Final = re.compile(r"(?<=[早晚快慢多少好大小高低近远差有])一点[点儿]?|一点点")


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower().translate(TRADITIONAL)
    folded = _OTHER_DIGIT.sub(lambda digit: str(unicodedata.decimal(digit.group())), folded)
    return SPACES.sub(" ", folded).strip()


def cn_numerals_to_digits(text: str) -> str:
    if not _CN_NUMERAL_RUN.search(text) or not _CN_NUMERAL_CONTEXT.search(text):
        return text
    text = _CN_A_LITTLE.sub(" ", text)
    import cn2an  # lazy: ~0.2 s to import

    def convert(match: re.Match[str]) -> str:
        # cn2an.cn2an on one run at a time: cn2an.transform reads 三点二十 as the decimal 3.20
        # and reports unconvertible runs with warnings.warn instead of raising.
        try:
            value = cn2an.cn2an(match.group(), "smart")
        except Exception:  # ValueError for most bad runs, KeyError for some (廿零〇十两)
            return match.group()
        return str(value) if isinstance(value, int) else match.group()

    return _CN_NUMERAL_RUN.sub(convert, text)
