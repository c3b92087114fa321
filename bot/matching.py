"""Reading what a resident typed: command words, and answers to numbered options."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from enum import Enum
from typing import Any

from flows.dialogue import AGREE_WORDS, APPROVAL, Option, affirms


class Command(Enum):
    HELP = "help"
    MENU = "menu"
    BACK = "back"
    QUIT = "quit"
    LANG = "lang"
    ZH = "zh"
    EN = "en"
    AGENT = "agent"
    GREET = "greet"
    BOOK = "book"
    STATUS = "status"
    REGISTER = "register"
    CANCEL = "cancel"
    LINK = "link"
    UNLINK = "unlink"
    STOP = "stop"
    START = "start"
    ACCEPT = "accept"
    DECLINE = "decline"
    RESCHEDULE = "reschedule"
    NOTIFY = "notify"


COMMAND_WORDS: dict[str, Command] = {
    word: command
    for command, words in {
        Command.HELP: ("帮助", "help", "?", "h", "/help"),
        Command.MENU: ("菜单", "主菜单", "menu", "/menu"),
        Command.BACK: ("返回", "上一步", "back"),
        Command.QUIT: ("退出", "结束", "quit", "exit", "/quit"),
        Command.LANG: ("语言", "lang", "language"),
        Command.ZH: ("中文", "简体中文", "chinese", "zh"),
        Command.EN: ("en", "english", "英文", "英语"),
        Command.AGENT: ("人工", "人工服务", "客服", "agent", "human", "operator"),
        Command.GREET: ("你好", "您好", "hi", "hello", "/start"),
        Command.LINK: ("绑定", "绑定手机", "关联手机", "link"),
        Command.UNLINK: ("解绑", "解除绑定", "取消绑定", "unlink"),
        Command.STOP: ("退订", "stop", "unsubscribe", "stopall", "取消订阅", "notices off"),
        Command.START: ("订阅", "start", "unstop", "恢复通知"),
        Command.ACCEPT: ("接受", "accept"),
        Command.DECLINE: ("放弃", "拒绝", "decline"),
        Command.BOOK: ("预约", "预约接种", "我要预约", "book", "booking"),
        Command.STATUS: ("查询", "查询预约", "我的预约", "status"),
        Command.REGISTER: ("登记", "预登记", "注册", "register"),
        # "cancel booking", "notices off": words the help can name on Twilio, where a message
        # that is only STOP or CANCEL opts the number out at the carrier
        Command.CANCEL: ("取消", "取消预约", "cancel", "cancel booking"),
        Command.NOTIFY: ("通知方式", "通知设置", "通知設定", "notify", "notifications"),
        Command.RESCHEDULE: ("改期", "改约", "更改预约", "reschedule", "change booking"),
    }.items()
    for word in words
}

_TRAILING = " \t\r\n.。!！~～"
_CHINESE_DIGITS = set("零〇一二两三四五六七八九十")


# Invisible format characters that chat apps and copy-paste leave around a message: a
# zero-width space, a soft hyphen, the marks and embeddings of right-to-left writing, a word
# joiner, a byte-order mark. Not the joiners inside a word (U+200C/U+200D: Persian, emoji).
# (and lone surrogates, no characters at all: a channel that let one through must not fail the turn)
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
                        "\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]+")  # fmt: skip


def visible(text: str) -> str:
    """``text`` without invisible format characters (or lone surrogates): ``1\u200b`` pasted
    from a chat is ``1``, ``\u200fyes\u200f`` is ``yes``."""
    return text if text.isascii() else _INVISIBLE.sub("", text)


def fold(text: str) -> str:
    """Full-width to half-width, case-folded, outer spaces and end punctuation removed. (The
    engine takes invisible format characters out of a message before anything reads it:
    ``visible``.)"""
    return unicodedata.normalize("NFKC", text).strip(_TRAILING).casefold()


def command_of(text: str) -> Command | None:
    return COMMAND_WORDS.get(fold(text))


# An option's number written with the words around it: 选1, 选第2个, 第一个, #1, 1、, 1️⃣ (not 1号,
# which at a date question is a day of the month).
_PICKED = re.compile(
    r"(?:选择?|拣|揀|要|no\.|#|option|number)?\s*第?\s*([0-9一二三四五六七八九十]{1,3})\s*"
    r"(?:个|個|项|項|条|條|、|\ufe0f?\u20e3)?(?:\s*(?:pls|plz|please|thanks|thx))?"
)
# The same in English words: the first one, second pls, option three, the 2nd one (never a bare
# 2nd or the 20th, a day of the month at a date question).
_ORDINALS = {
    word: str(number)
    for number, words in enumerate(
        (("first", "one"), ("second", "two"), ("third", "three"), ("fourth", "four"),
         ("fifth", "five"), ("sixth", "six"), ("seventh", "seven"), ("eighth", "eight"),
         ("ninth", "nine"), ("tenth", "ten"), ("eleventh", "eleven"), ("twelfth", "twelve")),
        1,
    )
    for word in words
}  # fmt: skip
_ORDINAL = re.compile(
    r"(?:(?:i'?ll\s+take|i\s+want|i'?d\s+like|take|choose|pick)\s+)?(?:the\s+)?"
    r"(?:(?P<nth>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)"
    r"(?:\s+(?:one|option|choice))?|(?P<nd>\d{1,2})(?:st|nd|rd|th)\s+(?:one|option|choice)"
    r"|(?:option|choice|number)\s+(?P<word>one|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve))(?:\s*,?\s*(?:pls|plz|please|thanks|thank\s+you|thx))?"
)


def number_of(folded: str) -> str | None:
    """The number a folded answer means (``1``, ``01``, ``一``, ``十二``), as digits; or None.

    Digits are decimal digits of any script (``١`` is 1). Characters that are digits only in a
    looser sense (``፩`` U+1369, ``𐩀`` U+10A40, a superscript ``²``, a circled ``①``) are not
    read as numbers here; ``fold`` has already turned those NFKC knows (``²``, ``①``) into
    plain digits. Never raises, whatever the text.
    """
    if (picked := _PICKED.fullmatch(folded)) is not None:  # 选1, 第一个, #1, 1、, 1️⃣, 1 pls
        folded = picked.group(1)
    elif folded[:1].isascii() and (said := _ORDINAL.fullmatch(folded)) is not None:
        word = said.group("nth") or said.group("word")
        return _ORDINALS[word] if word else str(int(said.group("nd")))
    if folded.isdecimal():  # not isdigit(): int("፩") fails although "፩".isdigit()
        digits = "".join(str(unicodedata.decimal(ch)) for ch in folded).lstrip("0")
        return digits or "0"
    if folded and len(folded) <= 3 and set(folded) <= _CHINESE_DIGITS:
        import cn2an  # 0.2 s to import: only for answers like 一 or 十二

        try:
            return str(int(cn2an.cn2an(folded, "smart")))
        except Exception:  # cn2an raises ValueError or KeyError on malformed numerals
            return None
    return None


# An option by its place in the list: the last (最后一个, 最尾嗰个, the last one), the one before
# it (倒数第二个, second to last), the top or the bottom of two (上面那个, 下面那个, the top one);
# 上面第一个 is 第一个.
_THAT = r"\s*(?:一|1)?\s*(?:个|個|项|項|条|條|嗰个|嗰個|那个|那個|呢个|呢個|one|option|choice)?"
_LAST = re.compile(rf"(?:the\s+)?(?:最后|最後|最尾|最底|最下面|last|bottom){_THAT}")
_BEFORE_LAST = re.compile(rf"(?:the\s+)?(?:倒数第二|倒數第二|second\s+(?:to\s+)?last){_THAT}")
_TOP = re.compile(rf"(?:the\s+)?(?:上面|上边|上邊|top){_THAT}")
_ABOVE = re.compile(r"(?:上面|上边|上邊|列表)(?=第)")


def position_of(folded: str, count: int) -> str | None:
    """The option's key (1 to ``count``) a place in the list names, or None."""
    if _LAST.fullmatch(folded) or (count == 2 and folded in ("下面那个", "下面那個", "下面嗰个")):
        return str(count)
    if _BEFORE_LAST.fullmatch(folded) and count >= 2:
        return str(count - 1)
    if _TOP.fullmatch(folded) and count == 2:
        return "1"
    if _ABOVE.match(folded):
        return number_of(_ABOVE.sub("", folded, count=1))
    return None


# Emoji after an answer (同意👍, 确认👌): no word of it.
_EMOJI_AFTER = re.compile(r"(?<=\w)[\s\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]+$")


def match_stored(folded: str, stored: Sequence[list[Any]]) -> Option | None:
    """``match_option`` over options as the state stores them (``Option.dump``), for an answer
    already ``fold``ed: a number — the usual answer — picks its option without reading the
    others."""
    if not stored:
        return None
    folded = _EMOJI_AFTER.sub("", folded)
    number = number_of(folded) or position_of(folded.rstrip(_PARTICLES + _PAUSES), len(stored))
    if number is not None:
        return next((Option.load(raw) for raw in stored if raw[0] == number), None)
    if len(stored) == 1 and folded.rstrip(_PARTICLES + _PAUSES) in AGREE:
        return Option.load(stored[0])  # 好 / 係 / ok to the one thing offered (本机号码)
    return _match(folded, [Option.load(raw) for raw in stored])


def match_option(text: str, options: Sequence[Option]) -> Option | None:
    """The option meant by ``1``, ``１``, ``一``, its label, an alias, or a unique part of one."""
    return _match(fold(text), options)


# What a spoken answer adds around the words of an option: a closing particle (第一个吧, 确定啦)
# and the pauses of voice input (好的 确认, 冇问题，得).
_PARTICLES = "吧啦啊呀喇咯嘞哦噢嘛啰"
_PAUSES = " ,，、。.!！~～"


def _match(folded: str, options: Sequence[Option]) -> Option | None:
    found = _match_words(folded, options)
    if found is not None or not options:
        return found
    bare = folded.rstrip(_PARTICLES + _PAUSES)
    if bare and bare != folded:  # 第一个吧, 确定啦
        return _match_words(bare, options)
    said = [o for o in options if _made_of(folded, {fold(w) for w in (o.label, *o.aliases)})]
    return said[0] if len(said) == 1 else None  # 好的确认, 冇问题得, 没有没有


def _made_of(folded: str, words: set[str]) -> bool:
    """Whether ``folded`` is nothing but ``words`` (repeated or together), particles and
    pauses: 好的确认 is 好的 + 确认, 没有没有 is 没有 twice."""
    words = {w for w in words if w}
    if not words or len(folded) > 40:
        return False
    reach = [False] * (len(folded) + 1)  # reach[i]: folded[:i] is made of them
    reach[0] = True
    said = [False] * (len(folded) + 1)  # a word (not only particles) up to i
    for i in range(len(folded)):
        if not reach[i]:
            continue
        if folded[i] in _PARTICLES or folded[i] in _PAUSES:
            reach[i + 1] = True
            said[i + 1] = said[i + 1] or said[i]
        for word in words:
            if folded.startswith(word, i):
                reach[i + len(word)] = True
                said[i + len(word)] = True
    return reach[-1] and said[-1]


def _match_words(folded: str, options: Sequence[Option]) -> Option | None:
    if not options or not folded:
        return None
    number = number_of(folded)
    if number is not None:
        return next((o for o in options if o.key == number), None)
    names = [(option, [fold(option.label), *map(fold, option.aliases)]) for option in options]
    for option, words in names:
        if folded in words:
            return option
    if len(folded) >= 2:
        found = [option for option, words in names if any(_part_of(folded, w) for w in words)]
        if len(found) == 1:
            return found[0]
    return _agreed(folded, options)


def _part_of(folded: str, word: str) -> bool:
    """Whether ``folded`` is a part of an option's ``word`` that does not turn it round: agree
    is no part of disagree or don't agree, a part of fewer than four Latin letters starts a word
    (aiyu is of baiyun; is is no part of disagree)."""
    if folded not in word:
        return False
    if folded.isascii() and len(folded) < 4 and re.search(rf"\b{re.escape(folded)}", word) is None:
        return False  # is, it: no part of disagree, visit (a short part starts a word)
    return re.search(rf"(?:dis|un|not |n't |no ){re.escape(folded)}", word) is None


def _agreed(folded: str, options: Sequence[Option]) -> Option | None:
    """The option a plain yes in a few words picks (``yes that's fine``, ``ok book it``): the
    one agreeing (its aliases hold ``yes``) where a choice is approved, or the only one offered
    (``yes`` or ``this one`` to "Reply 1 for this number")."""
    if len(options) == 1 and folded in _THIS_ONE:
        return options[0]
    agreeing = [option for option in options if "yes" in option.aliases]
    if len(agreeing) == 1:
        # only where a choice is approved: at a question of fact (is she allergic to …?),
        # "ok book it" says go on, not yes
        approving = APPROVAL[0] in agreeing[0].aliases
        return agreeing[0] if approving and affirms(folded, approving) else None
    return options[0] if len(options) == 1 and affirms(folded) else None


_THIS_ONE = frozenset({"this one", "that one", "this", "that", "that's fine", "this is fine"})


# Intents that start a flow of that name; inside another flow, free text naming one of these
# (or ``SWITCH_REPLIES``) clearly enough leaves the flow for it.
FLOW_INTENTS = frozenset({"book", "status", "cancel", "reschedule", "register", "link"})
SWITCHES = frozenset({"status", "cancel", "reschedule", "register", "link"})
# Flows whose request may name the person it is for (帮王小妹约, 取消张三的, 李秀英约咗几点).
NAMING = frozenset({"book", "status", "cancel", "reschedule", "register"})
# Agreeing to the one thing a finished flow offers (1 为何美玲预约接种): as good as its number.
AGREE = frozenset((*AGREE_WORDS, "係", "要", "恩", "ok la", "yes please", "please"))
SWITCH_REPLIES = frozenset({"agent", "help", "stop", "start", "menu"})
INTENT_COMMANDS = {
    "agent": Command.AGENT,
    "help": Command.HELP,
    "menu": Command.MENU,
    "greet": Command.GREET,
    "stop": Command.STOP,
    "start": Command.START,
    "accept": Command.ACCEPT,
    "decline": Command.DECLINE,
}
# A single word in Latin letters that says the resident writes English (besides sentences);
# not words channels send for their own commands (Telegram's /menu arrives as "menu").
ENGLISH_WORDS = frozenset(
    {"book", "booking", "cancel", "status", "hello", "reschedule", "i agree", "i disagree"}
    | {word for word in COMMAND_WORDS if word.isascii() and word.isalpha() and len(word) >= 3}
)  # HELP after 帮助 is answered in English

# The main menu: each entry's text key, and what choosing it does.
MAIN_MENU: tuple[tuple[str, str], ...] = (
    ("menu.book", "flow:book"),
    ("menu.status", "flow:status"),
    ("menu.cancel", "flow:cancel"),
    ("menu.reschedule", "flow:reschedule"),
    ("menu.register", "flow:register"),
    ("menu.agent", "cmd:agent"),
)
