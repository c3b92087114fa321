"""Which language and which Chinese script a message is written in, from what it holds.

Simplified or Traditional is told by the characters written differently in the two scripts
(个/個, 约/約), counted: the larger count wins, a tie (none of either) tells nothing. Cantonese
words are no sign of either: Guangzhou writes 係, 嗰, 唔該晒, 搵 with Simplified characters
around them as well as with Traditional ones.

Chinese or English is told by the shape of the sentence: a message with English words and no
Chinese grammar word around its few Chinese ones ("hi can i book 第一针 at 天河 tmr morning?")
is English; one whose Chinese carries the sentence (我想book第二针) is Chinese. A bare name, a
number or one word of either tells nothing, and the conversation keeps its language.
"""

from __future__ import annotations

import functools
from typing import Literal

import opencc

Script = Literal["hans", "hant"]
Lang = Literal["zh", "en"]

# Cantonese characters written alike by Simplified and Traditional writers (OpenCC maps them):
# 係 (是), 嗰/𠮶 (那), 晒 (唔該晒: all), 吓 (一吓), 喎/㖞, 搵/揾 (找).
CANTONESE_EITHER = frozenset("係嗰𠮶晒吓喎㖞搵揾")

# Chinese words that carry a sentence's grammar (pronouns, particles, verbs of wanting): with
# one, the Chinese part is the sentence, not a few names or terms inside an English one.
CHINESE_GRAMMAR = frozenset(
    "我你他她佢们哋的了吗呢吧啊呀嘅咗啲唔冇没不是系在喺想要可能请帮给俾畀个怎么样边哪"
)


@functools.cache
def converter(config: str) -> opencc.OpenCC:
    """An OpenCC converter, built on first use (its dictionaries take 0.2 s to load)."""
    return opencc.OpenCC(config)


@functools.cache
def _differing() -> tuple[frozenset[str], frozenset[str]]:
    """(Simplified-only, Traditional-only) characters of the common CJK block: those one
    script writes and the other writes otherwise. Cantonese characters of both aside; the
    Traditional forms Hong Kong writes otherwise from Taiwan (說/説) count for neither."""
    common = "".join(chr(c) for c in range(0x4E00, 0x9FA6))
    traditional = converter("s2hk").convert(common)
    simplified = converter("t2s").convert(common)
    hans = frozenset(
        a for a, t, s in zip(common, traditional, simplified, strict=True) if a != t and a == s
    )
    hant = frozenset(a for a, s in zip(common, simplified, strict=True) if a != s)
    return hans - CANTONESE_EITHER, hant - CANTONESE_EITHER - hans


def simplified_only() -> frozenset[str]:
    return _differing()[0]


def traditional_only() -> frozenset[str]:
    return _differing()[1]


def script_of(text: str) -> Script | None:
    """The script ``text`` is written in, by the count of characters only it writes so; None
    when neither has more (no such character: 你好, 唔係，都係星期六好啲, 下午吧)."""
    hans, hant = _differing()
    simple = sum(1 for c in text if c in hans)
    traditional = sum(1 for c in text if c in hant)
    if traditional > simple:
        return "hant"
    if simple > traditional:
        return "hans"
    return None


def language_of(text: str, cjk: int, latin_words: int) -> Lang | None:
    """Chinese or English for a message with ``cjk`` Chinese characters and ``latin_words``
    words in Latin letters; None when it does not tell (a number, a bare name, one word)."""
    if not cjk:
        return "en" if latin_words >= 2 else None
    if not latin_words:
        return "zh"
    grammar = any(c in CHINESE_GRAMMAR for c in text)
    if latin_words >= 2 and not grammar:
        return "en"  # 第一针, 天河, 学生证 inside an English sentence
    if grammar and cjk >= latin_words:
        return "zh"  # 我想book第二针
    if cjk >= 4 and cjk > 3 * latin_words:
        return "zh"  # 天河体育中心接种点 ok
    return None  # hi 李秀英
