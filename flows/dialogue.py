"""The vocabulary of a dialogue flow: prompts with options, answers, and what happens next.

A flow is an explicit state table: ``Flow(name, first, steps)`` where each ``Step`` pairs an
``ask`` (what to say on entering the state) with an ``answer`` (how to read the resident's reply).
Flows are pure dialogue over the store and the policy; they never see a channel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from flows.entities import Entities
from flows.policy import Policy
from flows.texts import Lang, format_day, text
from store import Booking, Dose, Resident, Store

Value = str | int | None
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Option:
    """A numbered choice. ``value`` is what the flow gets back; ``aliases`` also select it."""

    key: str
    label: str
    value: Value = None
    aliases: tuple[str, ...] = ()

    def dump(self) -> list[Any]:
        return [self.key, self.label, self.value, list(self.aliases)]

    @classmethod
    def load(cls, raw: list[Any]) -> Option:
        return cls(raw[0], raw[1], raw[2], tuple(raw[3]))


class Attachment:
    """A file that goes with a reply where the channel can carry one (Telegram, email).

    Built only when a channel asks for ``data``: an SMS reply never pays for the QR code.
    """

    def __init__(self, name: str, mime: str, make: Callable[[], bytes]) -> None:
        self.name = name
        self.mime = mime
        self._make = make
        self._data: bytes | None = None

    @property
    def data(self) -> bytes:
        if self._data is None:
            self._data = self._make()
        return self._data

    def __repr__(self) -> str:
        return f"Attachment({self.name!r}, {self.mime!r})"


@dataclass(frozen=True, slots=True)
class Prompt:
    text: str
    options: tuple[Option, ...] = ()


def numbered(items: Iterable[tuple[str, Value]]) -> tuple[Option, ...]:
    """Options numbered from 1, from ``(label, value)`` pairs."""
    return tuple(Option(str(i), label, value) for i, (label, value) in enumerate(items, 1))


YES_WORDS = (
    *("是", "是的", "是啊", "是呀", "对", "对的", "对呀", "好", "好的", "有", "有啊", "有呀", "嗯"),
    *("系", "系呀", "系啊", "系的", "啱", "啱啊"),  # Cantonese (係, read in Simplified)
    *("yes", "y", "ok", "yep", "yeah", "yup", "sure", "correct"),
)
# Words that acknowledge rather than answer (好, ok, sure): a yes to a proposal, never to a
# question of fact (是否对疫苗成分过敏？ 好 is no "yes, allergic").
ACKNOWLEDGING = frozenset({"好", "好的", "ok", "sure"})
NO_WORDS = (
    *("否", "不", "不是", "不是啊", "不对", "没有", "没有啊", "没", "没啊", "没呀", "无"),
    *("唔系", "唔啱", "冇", "冇啊", "冇呀", "冇有"),  # Cantonese
    *("no", "n", "nope", "nah", "not really"),
)


# Agreeing in a few English words (yes that's fine, ok book it, i agree): every word one of
# ``AFFIRM_WORDS`` and one of them ``AGREEING`` (or, where a choice is approved rather than a
# fact told, ``APPROVING``: sounds good, go ahead; never at a health question, where "all good"
# means no). A word of anything else (no, wait, but, afternoon, mum) makes it no plain yes, and
# the message is read as usual.
AGREEING = frozenset(
    {"yes", "yeah", "yep", "yup", "ya", "ok", "okay", "okey", "k", "kk", "sure", "agree"}
    | {"agreed", "confirm", "confirmed", "correct", "yess", "yesss", "👍", "👌", "✅"}
)
APPROVING = frozenset(
    {"fine", "good", "great", "perfect", "alright", "lgtm", "ahead", "cool", "absolutely"}
    | {"definitely", "excellent"}
)
AFFIRM_WORDS = (
    AGREEING
    | APPROVING
    | frozenset(
        {"that", "that's", "thats", "this", "is", "it", "it's", "its", "sounds", "looks", "all"}
        | {"please", "pls", "plz", "thanks", "thank", "you", "thx", "ty", "go", "book", "right"}
        | {"do", "i", "to", "both", "works", "for", "me", "by", "totally", "very", "much", "so"}
        | {"just", "then", "one", "let's", "lets", "sir", "with", "and", "them", "really"}
    )
)
APPROVAL = ("sounds good", "go ahead", "looks good")  # the yes option's own (and its mark)
_WORDS = re.compile(r"[a-z']+|[^\sa-z',.!?;:]+")


def affirms(folded: str, approving: bool = False) -> bool:
    """Whether a folded message only agrees (``yes that's fine``, ``ok book it``, ``👍``);
    with ``approving``, approval counts too (``sounds good``, ``go ahead``)."""
    words = _WORDS.findall(folded.replace("\u2019", "'"))
    if not words or len(words) > 8 or not all(word in AFFIRM_WORDS for word in words):
        return False
    return any(word in AGREEING or (approving and word in APPROVING) for word in words)


def yes_no(yes_label: str, no_label: str, approving: bool = True) -> tuple[Option, Option]:
    """Options 1 (value "yes") and 2 (value "no"), also chosen by words like 是/没有/yes/n.
    ``approving``: a choice offered (confirm, agree), which ``sounds good`` approves; not a
    question of fact (a health question), where only a yes says yes (``好``, ``ok``: asked
    again)."""
    yes: tuple[str, ...]
    if approving:
        yes = (*YES_WORDS, *APPROVAL)
    else:
        yes = tuple(word for word in YES_WORDS if word not in ACKNOWLEDGING)
    return Option("1", yes_label, "yes", yes), Option("2", no_label, "no", NO_WORDS)


# Agreeing to what is proposed (a booking to confirm, a notice to accept, a cancellation): the
# yes words and those that say "go ahead" but would be no answer to a health question (是否发热？
# 没问题 means no fever), so they are never among YES_WORDS.
AGREE_WORDS = (
    *YES_WORDS,
    *("确定", "确认", "可以", "行", "得", "没问题", "冇问题", "无问题", "没错", "冇错", "好啊"),
    *("好呀", "好吖", "好嘅", "就这样", "就咁", "就咁啦", "同意", "我同意", "我确认", "我确定"),
    *("okay", "confirm", "go ahead", "fine", "agree", "i agree"),
)


def agree_or_not(yes_label: str, no_label: str) -> tuple[Option, Option]:
    """``yes_no`` for a proposal: option 1 is also chosen by 确定, 冇问题, 得 (AGREE_WORDS)."""
    yes = (*AGREE_WORDS, *APPROVAL)
    return Option("1", yes_label, "yes", yes), Option("2", no_label, "no", (*NO_WORDS, *DECLINING))


# Not agreeing, in words (唔同意, disagree): to a proposal only, never to a question of fact.
DECLINING = ("唔同意", "不同意", "唔要", "不要", "disagree", "i disagree", "i don't agree")


@dataclass(frozen=True, slots=True)
class Answer:
    """A resident's reply to a step: the option it picked, or free text and what the
    interpreter read in it (``intent`` None when the text was not interpreted)."""

    text: str
    option: Option | None
    said: Entities = field(default_factory=Entities)
    intent: str | None = None
    simple: str = ""  # the text in Simplified characters, for reading words (發燒 is 发烧)
    confident: bool = False  # whether the interpreter was sure of ``intent``
    question: bool = False  # whether it asks something (吗, 可唔可以, ?, can/where/how …)

    @property
    def words(self) -> str:
        """The text as words are read: in Simplified characters (names keep ``text``)."""
        return self.simple or self.text

    @property
    def value(self) -> Value:
        return self.option.value if self.option else None


# -- outcomes of an answer ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Next:
    """Go to ``step`` (recorded for BACK); ``note`` is said before its prompt.

    With ``rewind``, go back to an earlier step instead: the steps after it are forgotten, so
    BACK from there does not return to where the flow turned back (a place just taken).
    ``prompt``: what to show instead of the step's own question (the nearest open days to
    one wanted); its options are that step's, so their answers are read by that step.
    """

    step: str
    note: str | None = None
    rewind: bool = False
    prompt: Prompt | None = None


@dataclass(frozen=True, slots=True)
class Retry:
    """Stay on this step: say ``note`` and ask again (with ``prompt`` instead, if given)."""

    note: str
    prompt: Prompt | None = None
    # The step understood the message and says why, or answers it (我不知道要填什么 at the
    # name, 什么是格林巴利 at the health list): ``note`` is said, never "that question I
    # cannot answer", and the message is no miss for the lexicon's maintainers.
    sure: bool = False


@dataclass(frozen=True, slots=True)
class Done:
    """The flow is over: say ``note``, then start flow ``then`` if given.

    A flow started by a ``Handoff`` returns to the flow that handed over, unless ``abort``.
    """

    note: str
    then: str | None = None
    abort: bool = False
    carry: dict[str, Any] | None = None  # the next flow's starting data, e.g. who was registered
    attachments: tuple[Attachment, ...] = ()
    more: tuple[str, ...] = ()  # further messages after ``note`` (one per person, say)
    # What the resident may go on with when no flow follows: numbered options shown with the
    # note, for the next message only. An option valued "flow:<name>" (or that flow's command
    # word) starts the flow with ``carry`` ("1 为刘洋预约接种" after registering 刘洋).
    offer: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class Handoff:
    """Hand over to flow ``flow`` now, and continue with flow ``after`` once it is done."""

    flow: str
    after: str | None = None
    note: str | None = None
    carry: dict[str, Any] | None = None  # the handed-to flow's starting data


Outcome = Next | Retry | Done | Handoff


@dataclass
class Ctx:
    """What a step may use: the store, the policy, the moment, and the flow's own scratch data."""

    store: Store
    policy: Policy
    now: datetime
    lang: Lang
    channel: str
    address: str
    account: Callable[[], int]  # the sender's account, created on first use
    actor: str
    phone: Callable[[], str | None] = lambda: None  # finds ``sender_phone`` when first asked
    relink: Callable[[int], None] = lambda account_id: None  # the sender's account changed
    data: dict[str, Any] = field(default_factory=dict)  # the flow's data, saved with the state
    step: str | None = None  # the step being answered, if any
    events: list[str] = field(default_factory=list)  # what the turn did, for metrics (booked)
    memo: dict[Hashable, Any] = field(default_factory=dict)  # this turn's lookups, not saved

    def once(self, key: Hashable, look_up: Callable[[], T]) -> T:
        """``look_up()``, done once per turn for ``key``: a step's answer and the next step's
        question often need the same rows. A step that writes what it looked up calls
        ``memo.clear()``."""
        try:
            found: T = self.memo[key]
        except KeyError:
            found = self.memo[key] = look_up()
        return found

    def people(self) -> list[Resident]:
        """Everyone registered on the sender's account (looked up once per turn)."""
        return self.once(
            ("people", self.account_id), lambda: self.store.residents_of(self.account_id)
        )

    def person_named(self, text: str) -> int | None:
        """The one person on the sender's account whose name ``text`` writes (帮王秀兰约), if
        exactly one."""
        folded = text.casefold()
        named = [p.id for p in self.people() if len(p.name) >= 2 and p.name.casefold() in folded]
        return named[0] if len(named) == 1 else None

    def resident(self, resident_id: int) -> Resident | None:
        """A person by id (looked up once per turn)."""
        return self.once(("resident", resident_id), lambda: self.store.resident(resident_id))

    def doses(self, resident_id: int) -> list[Dose]:
        """A person's doses on record (looked up once per turn)."""
        return self.once(("doses", resident_id), lambda: self.store.doses_of(resident_id))

    def bookings(self, resident_id: int) -> list[Booking]:
        """A person's active bookings (looked up once per turn)."""
        return self.once(("bookings", resident_id), lambda: self.store.active_bookings(resident_id))

    def registered(self, resident: Resident) -> None:
        """A person was just added: forget the turn's lookups, and know this one — with no
        doses and no bookings yet."""
        self.memo.clear()
        self.memo.update({
            ("resident", resident.id): resident,
            ("doses", resident.id): [],
            ("bookings", resident.id): [],
        })  # fmt: skip

    # Found when first asked, once per turn. Not ``functools.cached_property``: before Python
    # 3.12 it holds one lock for every instance while it computes, so the turns of all threads
    # would wait for one another's account look-ups (database round trips).
    _sender_phone: tuple[str | None] | None = field(default=None, init=False, repr=False)
    _account_id: int | None = field(default=None, init=False, repr=False)

    @property
    def sender_phone(self) -> str | None:
        """The sender's own number, where the channel gives one (most turns never ask)."""
        if self._sender_phone is None:
            self._sender_phone = (self.phone(),)
        return self._sender_phone[0]

    @property
    def account_id(self) -> int:
        if self._account_id is None:
            self._account_id = self.account()
        return self._account_id

    @account_id.setter
    def account_id(self, account_id: int) -> None:
        self._account_id = account_id

    @property
    def today(self) -> date:
        return self.now.date()

    def t(self, key: str, **values: object) -> str:
        return text(self.lang, key, **values)

    def day(self, day: date) -> str:
        """A date as residents read it: ``6月20日 周日`` / ``Sun 20 Jun``."""
        return format_day(self.lang, day, self.today)

    def name_of(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en


Ask = Callable[[Ctx], Prompt]
Read = Callable[[Ctx, Answer], Outcome]


@dataclass(frozen=True, slots=True)
class Step:
    ask: Ask
    answer: Read
    free_text: bool = True  # False: only an option is a valid answer
    # The step asked again, shorter, after the resident said something else (a question
    # answered, an answer that is no option): a long notice is sent in full once only.
    again: Ask | None = None
    # Words the step reads itself even when they look like a question (晏少少得唔得 at the time
    # question: a later time; 我不知道要填什么, what name? at the name question: not answered
    # as one): given the text in Simplified characters. At a step of options (``free_text``
    # False) these words reach ``answer`` with no option (唔知, 应该冇 at a health question).
    own: Callable[[str], bool] | None = None


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    first: str
    steps: dict[str, Step]
    start: Callable[[Ctx], Outcome] | None = None  # decides the first step, or ends at once
    # Reads what free text said at any step (a day, a site, another person) before the step
    # does: an outcome when it changes the course, else None and the step reads the answer.
    revise: Callable[[Ctx, Answer], Outcome | None] | None = None
    # Reads, before anything else (a question too), what an answer says that is told at once
    # (an age while registering): an outcome, or a note said before the step reads it.
    heard: Callable[[Ctx, Answer], Outcome | str | None] | None = None
