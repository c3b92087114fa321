"""A person on the phone called the way family and neighbours call them, where "为谁预约？"
lists them: 李秀英阿姨, 秀英姐, 阿明, 明仔, 我老公阿强, 李阿姨, 张先生, 陈生, Mr Wong.

The honorific or affix is taken off (阿 / 老 / 小 before, 仔 / 姐 / 哥 / 姨 / 先生 / 生 / 太 …
after, a relation or a request before: 我老公, 帮) and what is left is matched against the
names registered: the whole name, the given name (秀英), its last character (明 for 王小明),
or the surname (李阿姨). Exactly one person matching is chosen; several are asked about; none
leaves the answer to what reads it next (someone not registered yet: 我老公阿强 registers him).
Read only at that step, on the answers that are no option.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from flows import lexicon
from flows.names import COMPOUND_SURNAMES
from store import Resident

_CJK: Final = re.compile(r"[\u3400-\u9fff]")
# What is said before a name: a request (帮, 给), who they are to the sender (我老公, 我妈),
# the endearing 阿 / 老 / 小.
_LEAD: Final = re.compile(
    r"^(?:帮|给|同|替|为|幫|約|约|预约|係|系|是|就|系|我|我的|我个|我嘅|我哋|佢)*"
    r"(?:老公|老婆|先生|太太|爱人|妈妈|老妈|阿妈|妈|爸爸|老豆|阿爸|爸|个仔|个女|儿子|女儿|仔|女"
    r"|奶奶|阿嫲|外婆|阿婆|婆婆|爷爷|阿爷|外公|哥哥|姐姐|弟弟|妹妹|家姐|细佬|大佬|邻居|街坊"
    r"|朋友|同事)?(?:嘅|的)?"
)
# What is said after a name: honorifics, kinship affixes, a request, particles.
_TAIL: Final = re.compile(
    r"(?:阿姨|姨姨|姑姑|伯伯|伯娘|叔叔|婆婆|奶奶|爷爷|公公|姐姐|哥哥|妹妹|弟弟|先生|女士|小姐"
    r"|太太|老师|师傅|医生|同学|仔|女|姐|哥|妹|弟|姨|姑|伯|叔|婆|公|生|太|嫂|爷|奶)?"
    r"(?:约|预约|打针|啦|吧|呀|啊|喇|咯|嘅|的)*$"
)
_ENDEARING: Final = "阿老小"
_LATIN_TITLES: Final = re.compile(
    r"^(?:for |my )*(?:mr|mrs|ms|miss|mister|madam|auntie|aunty|uncle|grandma|grandpa)\.?\s+"
)


def _given(name: str) -> str:
    """The given name: what follows the surname (two characters for 欧阳, 司马 …)."""
    return name[2:] if name.startswith(COMPOUND_SURNAMES) and len(name) > 3 else name[1:]


def _surname(name: str) -> str:
    return name[:2] if name.startswith(COMPOUND_SURNAMES) and len(name) > 3 else name[:1]


def _core(text: str) -> str:
    """A Chinese call with what is said around the name taken off: 李秀英阿姨 → 李秀英,
    我老公阿强 → 强, 明仔 → 明, 李阿姨 → 李."""
    core = _TAIL.sub("", _LEAD.sub("", text), count=1)
    if len(core) == 2 and core[0] in _ENDEARING:  # 阿明, 老陈, 小李
        core = core[1:]
    return core


def _called(person: Resident, core: str) -> bool:
    name = person.name
    if not _CJK.search(name) or not core:
        return False
    given = _given(name)
    if core in (name, given):  # 李秀英, 秀英
        return True
    if len(core) == 1:  # 阿明 / 明仔 for 王小明; 李阿姨 / 张先生 for the surname
        return core == given[-1:] or core == _surname(name)
    return False


def _latin_called(person: Resident, text: str) -> bool:
    """Mr Wong for Peter Wong, auntie Maria for Maria Lopez: the words said are the name's."""
    words = _LATIN_TITLES.sub("", text).split()
    names = person.name.casefold().split()
    return bool(words) and len(words) < len(names) + 1 and all(w in names for w in words)


def _relation_word(said: str) -> bool:
    """Whether the answer is a relation word alone (孙女, 帮我外孙约): no one's name."""
    bare = re.sub(r"^(?:帮|给|同|替|为)?(?:我的?)?|(?:约|预约)$", "", said)
    return any(bare in words for words in lexicon.load().relations.values())


def people_called(people: list[Resident], text: str) -> list[Resident]:
    """The people ``text`` (a short answer, in Simplified characters) calls by a name with an
    honorific or affix; empty if none, or if the answer is more than a call."""
    said = unicodedata.normalize("NFKC", text).casefold().strip(" 。.!！~～,，?？")
    said = "".join(said.split()) if _CJK.search(said) else " ".join(said.split())
    if not said or len(said) > 12:
        return []
    whole = [p for p in people if len(p.name) >= 2 and p.name.casefold() in said]
    if len(whole) == 1 and _CJK.search(said):  # 李秀英阿姨, 帮李秀英约
        return whole
    if _CJK.search(said):
        if _relation_word(said):  # 孙女, 外孙: who they are, not a 孙 by name
            return []
        core = _core(said)
        return [p for p in people if _called(p, core)]
    return [p for p in people if _latin_called(p, said)]
