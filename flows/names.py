"""Telling a person's name from what else a resident types at a name question.

A name step stores what the site checks against the ID, so it never stores a day (明天上午), a
sentence (我个仔要返工) or a reference (同上次一样, this number). A name written inside a short
introduction is taken out of it (我係佢個仔陳大文 → 陳大文; "me, his son, Peter Wong" → Peter
Wong); text that may be a name but reads like a sentence is asked about once, and taken if the
resident sends it again. The words read here are few and about names only; the interpreter's
entities (day, part of day, dose, maker…) say the rest.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from flows import lexicon
from flows.entities import Entities

NAME_LIMIT = 40
NAME_PUNCTUATION = set(" ·•.-'")


class Kind(Enum):
    NAME = "name"  # a name: stored
    NOT_A_NAME = "not_a_name"  # a day, a time or a reference: asked again, never stored
    DOUBTFUL = "doubtful"  # reads like a sentence: asked again, taken if sent again
    NOBODY = "nobody"  # "no one comes with me" (a companion's step)
    BAD = "bad"  # digits, symbols, too long
    NONSENSE = "nonsense"  # keys run along (asdfgh), one letter again and again, haha, 啊啊啊
    WHAT = "what"  # what to write is asked (我不知道要填什么, what name?): told


@dataclass(frozen=True, slots=True)
class Reading:
    kind: Kind
    name: str = ""


def valid_name(name: str) -> bool:
    """Letters (and a name's punctuation), not too long, and no placeholder (NULL, test)."""
    letters = [ch for ch in name if ch not in NAME_PUNCTUATION]
    return (
        0 < len(name) <= NAME_LIMIT
        and bool(letters)
        and all(unicodedata.category(ch).startswith("L") for ch in letters)
        and name.casefold().strip(" -_") not in _PLACEHOLDERS
    )


def clean_name(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_NAME = re.compile(r"[\u3400-\u9fff·]{2,5}")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "司徒")
# What a name does not hold but a sentence does: pronouns, particles, verbs of wanting and
# going, negation (Mandarin and Cantonese). A name may still hold one (李想): asked, not refused.
_SENTENCE_CHARS = set("我你他她它佢们們哋的嘅了咗吗嗎呢啊喔吧嘛冇没沒唔不要想去来來陪同样樣个個")
# A reference to something else instead of a name: never stored.
_REFERENCES = (
    "上次", "一样", "一樣", "同上", "号码", "號碼", "本机", "本機", "这个", "這個", "呢个", "呢個",
)  # fmt: skip
_LATIN_REFERENCES = re.compile(
    r"\b(same|last time|as before|this number|that number|my number|this phone|above)\b", re.I
)
# No one to come along (a companion's step only).
_NOBODY = (
    "冇人", "没人", "沒人", "无人", "無人", "没有人", "沒有人", "自己去", "一个人去", "一個人去",
    "返工", "上班", "冇得陪", "没空", "沒空", "唔得閒", "唔得闲",
)  # fmt: skip
_LATIN_NOBODY = re.compile(
    r"\b(no ?one|nobody|alone|by myself|on my own|no companion|has to work|have to work)\b", re.I
)
# What is typed for "nothing" or as a test, never a person's name (a companion's "无": no one).
_PLACEHOLDERS = frozenset((
    "null", "none", "nil", "n/a", "n.a.", "undefined", "unknown", "test", "testing", "tbd",
    "tba", "xxx", "asdf", "abc", "noname", "lol", "idk", "haha", "hehe", "ok", "okay", "xd",
    "nothing", "anonymous", "无", "無", "没有", "沒有", "冇",
    "测试", "測試", "未知", "不详", "不詳", "匿名", "空",
))  # fmt: skip
_NOTHING = frozenset({"无", "無", "没有", "沒有", "冇", "none", "nil", "空"})
# English words that are not (part of) a name.
_LATIN_WORD_LIST = (
    "i me my mine myself we us our you your he him his she her they them their it its this that "
    "these those the a an is am are was be as to of for and or with same number phone mobile "
    "son daughter wife husband mother father mum mom dad grandson granddaughter brother sister "
    "friend name called here there cannot can't go come work no not yes ok today tomorrow "
    "yesterday morning afternoon evening night tonight noon next week weekend day am pm "
    "monday tuesday wednesday thursday friday saturday sunday dose booster jab"
)
_LATIN_WORDS = frozenset(_LATIN_WORD_LIST.split())


# Syllables that are names as well as English words: An (安), He (何).
# Capitalised, they are read as part of a name (Nguyen Van An, He Guoqiang).
_NAME_SYLLABLES = frozenset({"an", "he"})


def _stop_word(word: str) -> bool:
    """An English word that is no part of a name; a capitalised An or He may be."""
    folded = word.casefold().strip(".,'")
    if folded not in _LATIN_WORDS:
        return False
    return not (word[:1].isupper() and folded in _NAME_SYLLABLES)


def latin_word(word: str) -> bool:
    """Whether an English word is no (part of a) name: I, my, Saturday, dose."""
    return word.casefold().strip(".,'") in _LATIN_WORDS


# Where a name starts after an introduction: 我係佢個仔陳大文, 我是他女儿李四, 我叫王五.
_BEFORE_NAME = re.compile(r"(?:是|係|系|叫|名|仔|子|女|儿|兒|孙|孫|婆|公|人|：|:)$")
_SEGMENTS = re.compile(r"\s*[,，、;；。.!！?？]+\s*")
_LATIN_INTRO = re.compile(
    r"\b(?:my name is|name is|name's|name:|i am called|i'm called|i am|i'm|im|this is|it's|its"
    r"|it is|call me|he's|he is|she's|she is)\s+(.+)$",
    re.I,
)
# Sentence-final particles a name is sometimes typed with (係李明啊): not part of it.
_PARTICLES = "啊呀喔哦吖啦嘛呢咯喇噢"


# Keys run along a keyboard row (asdfgh, qwerty, hjkl), forwards or back.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "poiuytrewq", "lkjhgfdsa", "mnbvcxz")
_VOWELS = set("aeiouy")
# Laughs and hesitation sounds, never a name (哈哈, 呵呵, 嗯嗯).
_SOUNDS = set("哈呵嘿嗯额呃啊哦噢喔嘻咦唉哎嘛啦")
# What to write asked about, or not known, instead of a name (我不知道要填什么, 填咩名,
# what name?): what is asked is said again, plainly.
_WHAT = (
    "不知道", "唔知", "不懂", "唔识", "唔明", "不明白", "填什么", "写什么", "填咩", "写咩", "填乜",
    "写乜", "什么名", "咩名", "乜名", "谁的名", "边个嘅名", "要填", "怎么填", "点填", "点写",
    "怎么写", "随便", "甚么", "甚麼", "什麼", "寫咩", "寫乜", "點寫", "點填", "隨便",
)  # fmt: skip
_LATIN_WHAT = re.compile(
    r"\b(?:what name|whose name|which name|what do i|what should i|what to (?:write|type|put)"
    r"|don'?t know|do not know|dunno|no idea|not sure)\b",
    re.I,
)
_PROMPT_WORDS = frozenset({"名字", "姓名", "名", "name", "full name", "your name", "my name"})


def _nonsense(simple: str) -> bool:
    """Keys run along (asdfgh, hjkl), a letter or a syllable again and again (aaaa, hahaha,
    啊啊啊), letters with no vowel (sdfsdf, xcvb), laughs (哈哈, 呵呵): no one's name."""
    letters = "".join(ch for ch in simple.casefold() if ch.isalpha())
    if len(letters) < 2:
        return False
    if all(ch in _SOUNDS for ch in letters):
        return True
    for size in (1, 2, 3):  # aaa, hahaha, 哈哈哈, sdfsdf
        times = len(letters) // size
        again = times >= 3 or (size == 3 and not _VOWELS & set(letters))
        if times >= 2 and letters == letters[:size] * times and again:
            return True
    if not letters.isascii():
        return False
    for word in simple.casefold().replace("-", " ").split():
        if word.isalpha() and (
            (len(word) >= 5 and not _VOWELS & set(word))  # Chng, Ng, Tsz are names
            or (len(word) >= 4 and any(word in row for row in _ROWS))
        ):
            return True
    return False


# "call me Ahmed" at the name question introduces a name; "call me back / later / at 3" asks
# for a call (intents.agent). Words after "call me" that make it a call-back, not a name.
_CALL_BACK_WORDS = (
    "back|later|again|now|asap|soon|today|tonight|tomorrow|tmr|tmrw|at|on|in|when|after|"
    "before|pls|plz|please|thanks|thx|if|and|or|to|by|the|a|an|any|anytime|sometime|around|"
    "between|this|morning|afternoon|evening|first|urgently|instead|directly|up|ok|okay"
)
_CALL_ME_NAME = re.compile(
    rf"^(?:(?:you |u )?(?:can|could|may) )?(?:pls |please )?call me,? "
    rf"(?!(?:{_CALL_BACK_WORDS})\b)[a-z][a-z'’-]*(?: [a-z][a-z'’-]*){{0,2}}[.!]?$",
    re.I,
)


def names_or_asks(text: str) -> bool:
    """Whether an answer to the name question is the step's own even where it reads as
    something else: a name introduced (call me Ahmed: no call-back asked), or what to write
    asked (``asks_what``)."""
    return _CALL_ME_NAME.match(text.strip()) is not None or asks_what(text)


def asks_what(text: str) -> bool:
    """Whether an answer to a name question asks what to write (what name?, 填什么), in
    any script."""
    return _asks_what(clean_name(text))


def _asks_what(simple: str) -> bool:
    """Whether the answer asks what to write, or says it does not know (not a name)."""
    folded = simple.casefold().strip(" ?？")
    if folded in _PROMPT_WORDS:
        return True
    return any(word in simple for word in _WHAT) or _LATIN_WHAT.search(simple) is not None


def _surname_start(name: str) -> bool:
    surnames = lexicon.load().surnames
    return name[0] in surnames or name.startswith(COMPOUND_SURNAMES)


def _cjk_name(name: str) -> bool:
    """2–4 Chinese characters (5 with a compound surname) starting with a common surname."""
    limit = 5 if name.startswith(COMPOUND_SURNAMES) else 4
    return bool(_CJK_NAME.fullmatch(name)) and len(name) <= limit and _surname_start(name)


def _latin_name(text: str, *, any_case: bool = False) -> bool:
    words = text.replace("-", " ").replace(".", " ").split()
    return (
        1 <= len(words) <= 4
        and all(word.isalpha() and (any_case or word[:1].isupper()) for word in words)
        and not any(_stop_word(word) for word in words)
        and not all(word.casefold() in _NAME_SYLLABLES for word in words)  # "May", "He"
    )


def _named_in(text: str, simple: str) -> str | None:
    """The name an introduction clearly gives (我係佢個仔陳大文; me, his son, Peter Wong): the
    last part of the message, a surname-led Chinese name after 是/係/叫 or a relation word, or
    capitalised Latin words after others; None if no name is clearly given."""
    parts = [p for p in _SEGMENTS.split(text.strip()) if p]
    simple_parts = [p for p in _SEGMENTS.split(simple.strip()) if p]
    if not parts:
        return None
    last, last_simple = parts[-1], simple_parts[-1] if simple_parts else parts[-1]
    if _CJK.search(last) and len(last) == len(last_simple):
        for size in (3, 2, 4, 5):
            if len(last) <= size:
                continue
            head, tail = last_simple[:-size], last_simple[-size:]
            if _cjk_name(tail) and _BEFORE_NAME.search(head):
                return last[-size:]
        return None
    intro = _LATIN_INTRO.search(last)
    if intro and _latin_name(intro.group(1)):
        return intro.group(1)
    if len(parts) > 1 and _latin_name(last):
        return last
    return None


def read_name(text: str, simple: str, said: Entities, *, companion: bool = False) -> Reading:
    """What a reply to a name question gives: ``text`` as typed, ``simple`` in Simplified
    characters, ``said`` the interpreter's entities; ``companion``: a companion's name is asked
    (then "no one comes with me" is told apart)."""
    name = clean_name(text).strip("。.!！~～,，")  # 张三。
    simple = clean_name(simple or text).strip("。.!！~～,，")
    if len(simple) != len(name):
        simple = name
    while len(simple) > 2 and simple[-1] in _PARTICLES:
        name, simple = name[:-1].rstrip("，, "), simple[:-1].rstrip("，, ")
    folded = simple.casefold()
    if folded.strip(" -_") in _PLACEHOLDERS or name.casefold() in _PLACEHOLDERS:
        nothing = companion and (folded in _NOTHING or name.casefold() in _NOTHING)
        return Reading(Kind.NOBODY if nothing else Kind.NOT_A_NAME)  # NULL, test, 无
    if companion and (any(word in simple for word in _NOBODY) or _LATIN_NOBODY.search(folded)):
        return Reading(Kind.NOBODY)
    if _asks_what(simple):
        return Reading(Kind.WHAT)
    if _nonsense(simple):
        return Reading(Kind.NONSENSE)
    when = said.day or said.part or said.hour is not None or said.week or said.too_far
    if when or said.dose is not None or said.maker or said.weekend:
        if valid_name(name) and (_cjk_name(simple) or _latin_name(name, any_case=True)):
            return Reading(Kind.DOUBTFUL)  # 周五, 高明天, May Wong: a name, or a day?
        return Reading(Kind.NOT_A_NAME)  # 明天上午, 大后天, tomorrow morning
    if any(word in simple for word in _REFERENCES) or _LATIN_REFERENCES.search(folded):
        found = _named_in(name, simple)
        return Reading(Kind.NAME, found) if found else Reading(Kind.NOT_A_NAME)
    if valid_name(name) and (_cjk_name(simple) or _latin_name(name)):
        return Reading(Kind.NAME, name)
    found = _named_in(name, simple)
    if found is not None:
        return Reading(Kind.NAME, found)
    if not valid_name(name):
        return Reading(Kind.BAD)
    if _CJK.search(simple):
        plain = simple.replace("·", "").replace(" ", "")
        if "·" in simple and not any(ch in _SENTENCE_CHARS for ch in plain):
            return Reading(Kind.NAME, name)  # 阿依古丽·买买提
        sentence = any(ch in _SENTENCE_CHARS for ch in plain)
        if sentence and len(plain) > 4:
            return Reading(Kind.NOT_A_NAME)  # 我个仔要返工
        if sentence or not 2 <= len(plain) <= 4:
            return Reading(Kind.DOUBTFUL)  # 李想, 爱新觉罗恒: asked, taken if sent again
        return Reading(Kind.NAME, name)  # 2–4 characters, a surname not in the common list
    words = name.replace("-", " ").split()
    if any(_stop_word(word) for word in words) or len(words) > 4:
        return Reading(Kind.DOUBTFUL)
    return Reading(Kind.NAME, name)  # peter wong, Nguyen Van A
