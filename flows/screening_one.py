"""Answers in words to one health question asked on its own (steps ``q_<key>``).

The question takes 1 (yes) or 2 (no) and the words of either (有, 冇, no). A message that is
neither is read here, never guessed:

- a question about what the item means (什么是格林巴利, 咩意思, 高血压算吗, what is GBS): the
  item is explained and the question asked again;
- not knowing (唔知, 不清楚, not sure), or a weak hedge (可能, maybe): explained, with a word
  that the doctor on site decides; no answer is picked or stored;
- a hedged yes (可能有, 有少少, 算系啦, i think so): never a no; explained and asked again;
- a hedged no (应该冇, 应该没有吧, 好像没有, probably not, i don't think so): a no, as 没有 is.
  The resident answers from what they know, which is all a plain 没有 says too, and every
  booking is checked by the doctor on site; a weak hedge (可能没有, maybe not) is not taken;
- a no with particles or stressed (冇啊嘛, 没有呢, 没有没有, 从来冇): a no;
- this item's own words (有，发烧 at the illness question): a yes, as at the list; said to be
  past or under control (癫痫控制得好, 以前过敏): explained and asked again;
- something else named (对青霉素过敏 at the vaccine-allergy question, 有，高血压 at the illness
  question): what the item means, and asked again — as at the list (``OTHER_ALLERGEN``; a
  stable, treated chronic disease is not item 3).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from flows.dialogue import NO_WORDS
from flows.screening import (
    CONDITION_WORDS,
    MEANING,
    NEGATIONS,
    NONE_WORDS,
    OTHER_ALLERGEN,
    conditions_said,
    named_in,
)

Kind = Literal["no", "yes", "unsure", "hedged_yes", "meaning", "other"]

_PUNCT = re.compile(r"[\s,，、。.!！~～;；?？…]+")
# Words said around an answer that change nothing: 嗯 冇啊, 没有呢, no lah.
_FILLER_START = re.compile(r"^(?:嗯+|呃+|额+|噢+|哦+|唔好意思|um+|uh+|hmm+|erm*|well)")
_PARTICLES = re.compile(
    r"(?:啊|呀|吖|吧|啦|喇|嘅|的|喔|哦|噢|咯|啰|囉|嘛|呢|咧|哈|la+h?|lor|ah|wor)+$"
)
# Not knowing: explained, never answered for the resident.
_UNSURE = re.compile(
    r"唔知|不知|晓唔|唔晓|不晓得|不清楚|唔清楚|唔系好清楚|不太清楚|不确定|唔确定|不肯定|唔肯定"
    r"|说不准|讲唔定|講唔定|说不定|拿不准|拿唔准|搞不清|搞唔清|不记得|唔记得|记不清|冇印象|没印象"
    r"|不懂|唔识|唔明|不明白|不了解|未检查|没检查过|冇检查过|没查过|冇查过"
    r"|(?:不|唔)(?:是很|系好|是太|太|多|大|好)(?:清楚|确定|肯定|记得)"
    r"|\bnot sure\b|\bunsure\b|\bdon'?t know\b|\bdo not know\b|\bdunno\b|\bidk\b|\bno idea\b"
    r"|\bnot certain\b|\buncertain\b|\bcan'?t remember\b|\bdon'?t remember\b|\bno clue\b"
    r"|\bnever (?:been )?(?:checked|tested)\b"
)
# A hedge strong enough that the no after it is the resident's answer: 应该冇, 好像没有.
_FIRM_HEDGE = re.compile(
    r"^(?:我)?(?:应该|应当|应系|应该系|估计|估|觉得|谂|认为|印象中|记得|好像|好似|似乎|大概"
    r"|完全|从来|从未|绝对|当然|肯定|根本|一点都|一啲都|都)+"
)
# A hedge too weak to answer: 可能没有, 或者冇 (perhaps not) is no "no".
_WEAK_HEDGE = re.compile(r"^(?:我)?(?:可能|或者|或许|也许|未必|说不定|讲唔定)")
_HEDGED_NO_EN = re.compile(
    r"^(?:i )?(?:probably|prob|likely|most likely|pretty sure|i'?m pretty sure|i think|i guess"
    r"|i believe|as far as i know|afaik|i suppose)?[\s,]*(?:not|no|nope|none|i don'?t think so"
    r"|don'?t think so|i do not think so|not that i know(?: of)?|not as far as i know"
    r"|i think not|i guess not|i believe not|probably not|i doubt it|doubt it|definitely not"
    r"|absolutely not|certainly not|never|not at all)$"
)
_WEAK_EN = re.compile(r"\b(?:maybe|perhaps|possibly|might|could be|not really sure)\b")
# A yes with a hedge (可能有, 有少少, 算系啦, i think so): never a no.
_HEDGED_YES = re.compile(
    r"^(?:我)?(?:应该|可能|好像|好似|似乎|大概|估计|或者|也许|觉得|谂|算|算是|算系|都算)*"
    r"(?:有|系|是|係|对)(?:少少|啲|一点|一点点|一些|点|些|的|啦|吧)*$"
    r"|少少|一点点|有一点|有点|有啲|有些|算系|算是|算有|都算|差不多|好似有|好像有|可能有|应该有"
    r"|\b(?:i think so|probably yes|probably|kind of|kinda|sort of|sorta|a (?:little|bit)"
    r"|somewhat|i guess so|i believe so|likely|yes maybe|maybe yes)\b"
)
# Long-term illnesses named at the illness question (有，高血压): asked what "flaring up" means.
_CHRONIC = re.compile(
    r"高血压|血压高|糖尿病|血糖高|高血脂|血脂高|心脏病|冠心病|哮喘|慢性|甲亢|甲减|乙肝|痛风|肾病"
    r"|鼻炎|关节炎|胃炎|湿疹|食紧药|吃着药|在吃药|长期吃药|长期服药|服药|食药"
    r"|diabet|hypertension|blood pressure|asthma|chronic|cholesterol|heart disease|medication"
)
_PARTICLE = re.compile(r"[啊呀吖吧啦喇嘅的喔哦噢咯啰囉嘛呢咧哈]")
# Said with this item's own words (有，发烧 at the illness question): a yes, as at the list,
# unless it says the thing is past or under control (癫痫控制得好): then it is explained.
_SETTLED = re.compile(
    r"控制|稳定|好返|好了|已经好|康复|以前|之前|小时候|细个|细时|后生|曾经|stable|controlled|recovered"
    r"|used to|years ago|as a child"
)
_YES_ALONE = frozenset({"有", "系", "是", "对", "係", "yes", "y", "yeah", "yep", "yup", "yea"})
_NO_ALONE = frozenset({*NO_WORDS, "冇呀", "冇喔", "没得", "无啊", "不是的", "没有的", "冇嘢"})


def _bare(text: str) -> str:
    bare = _PUNCT.sub(" ", text.casefold().replace("\u2019", "'")).strip()
    bare = _FILLER_START.sub("", bare).strip()
    if not bare.isascii():
        bare = bare.replace(" ", "")
    return _PARTICLES.sub("", bare).strip()


def _is_no(words: str) -> bool:
    """A plain no, said once or more (冇冇冇, 没有没有, no no)."""
    if words in _NO_ALONE or NONE_WORDS.match(words):
        return True
    for no in ("没有", "冇", "没", "无", "唔系", "不是", "不会", "唔会", "no"):
        rest = _PARTICLE.sub("", words.replace(no, "").replace(" ", ""))
        if words.startswith(no) and not rest:  # 冇呀冇呀
            return True
    return False


def read_one(text: str, key: str) -> Kind | None:
    """What a message in words says at the question about ``key``, or None when it is none of
    the kinds above (the numbers are asked for)."""
    folded = text.casefold()
    if key == "allergy" and OTHER_ALLERGEN.search(folded):
        return "other"  # 对青霉素过敏: whether to the vaccine is asked
    if key == "illness" and _CHRONIC.search(folded):
        return "other"  # 有高血压，食紧药: stable and treated is not this item
    if MEANING.search(folded):
        return "meaning"
    if _UNSURE.search(folded):
        return "unsure"
    words = _bare(text)
    if not words:
        return None
    if _is_no(words):
        return "no"
    if _PARTICLE.sub("", words) in _YES_ALONE or _YES_ALONE.issuperset(words.split()):
        return "yes"  # 有喔, 系呀, 有有有: a plain yes (a yes never books)
    firm = _FIRM_HEDGE.sub("", words)
    if firm != words and _is_no(_PARTICLES.sub("", firm)):
        return "no"  # 应该冇, 好像没有吧
    if words.isascii() and _HEDGED_NO_EN.match(words) and not _WEAK_EN.search(words):
        return "no"  # probably not, i don't think so
    if _HEDGED_YES.search(words):
        return "hedged_yes"
    if _WEAK_HEDGE.search(words) or _WEAK_EN.search(words):
        return "unsure"  # 可能没有, maybe not: not an answer
    said = conditions_said(text)
    if "severe_reaction" in said and "allergy" in said:
        said.remove("allergy")  # 严重过敏: the severe reaction, not the first item
    if _denies_only(words, key):
        return "no"  # 没有发烧, 冇怀孕: this item's own words, denied, and nothing else
    if said == [key]:  # with a no in it too (冇发烧但咳), or said past: explained
        denied = any(no in folded for no in NEGATIONS) or _SETTLED.search(folded)
        return "other" if denied else "yes"
    if named_in(folded, CONDITION_WORDS[key]):
        return "other"  # 没发烧有咳: this item's words, neither a plain yes nor a plain no
    return None


def _denies_only(words: str, key: str) -> bool:
    """Whether ``words`` only deny this item's own words (没有发烧, 冇去过中高风险地区, not
    pregnant): one negation, then the item's words and nothing else (冇发烧但好攰, 没发烧有咳
    are not)."""
    return bool(_denial(key).match(_PARTICLES.sub("", words).strip()))


@cache
def _denial(key: str) -> re.Pattern[str]:
    """A denial of item ``key``'s own words and nothing else (built once per item)."""
    item = "|".join(re.escape(w) for w in sorted(CONDITION_WORDS[key], key=len, reverse=True))
    return re.compile(
        r"^(?:没有|冇有|冇|没|无|不是|不会|不|唔系|唔会|唔|not|no|never)\s*"
        r"(?:去过|到过|去|到|患|得|过|been to|been in|been|have|had|a|an|any|\s)*"
        rf"(?:(?:{item})[a-z]*)+(?:地区|区|地方|areas?|\s)*$"
    )
