"""The residents of ``benchmarks/engine.py`` and what they send: ten kinds of conversation, from
numbers at every step to one sentence naming day, part of day and site (issue 13).

``DAYS``: the days listed for booking; resident ``i`` picks day ``i % DAYS + 1``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flows.identity import check_character

DAYS = 7


def id_number(born: date, sequence: int) -> str:
    """A valid 18-character resident ID of the Tianhe area (odd sequence: a man)."""
    first17 = f"440106{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_character(first17)


def resident_number(i: int) -> str:
    """Resident ``i``'s ID number: a man born 1985-1994, distinct per ``i``.

    All men of one age band, so every such conversation meets the same health questions.
    """
    return id_number(date(1985, 1, 1) + timedelta(days=i % 3650), 2 * i + 1)


def mother_number(i: int) -> str:
    """The ID number of resident ``i``'s mother: a woman born 1952-1961 (aged 59-69)."""
    return id_number(date(1952, 1, 1) + timedelta(days=i % 3650), 2 * i)


def name(i: int) -> str:
    """A Chinese name, distinct per ``i`` (names must be letters: no digits)."""
    return "张" + "".join("甲乙丙丁戊己庚辛壬癸"[int(d)] for d in str(i))


def mother_name(i: int) -> str:
    return "李" + "".join("秀英兰芳桂珍玉华梅琴"[int(d)] for d in str(i))


def latin_name(i: int) -> str:
    """A name as an English writer types it: Zhang Bochen."""
    syllables = ("an", "bo", "chen", "da", "en", "fang", "gang", "hui", "jun", "kai")
    return "Zhang " + "".join(syllables[int(d)] for d in str(i)).capitalize()


def sender(i: int) -> str:
    return f"+86139{i:08d}"


Answer = Callable[[int], str]  # resident number -> what they send at a step

# Answers that differ per resident, by step name. Other steps get the answer the probe
# conversation gave: 没有 to the health questions, "no" to one of them, else option 1 (consent,
# for myself, resident ID card, own phone, home district, first site, first period, confirm).
PER_RESIDENT: dict[str, Answer] = {
    "name": name,
    "id_number": resident_number,
    "date": lambda i: str(i % DAYS + 1),  # spread over the week's listed days
    "screening": lambda i: "没有",
}


@dataclass(frozen=True, eq=False)  # each kind is itself (hashed by identity)
class Kind:
    """How some residents book: what they send first, and what they answer where it differs."""

    label: str
    share: int  # residents of this kind in every ten
    opening: str
    answers: dict[str, Answer] = field(default_factory=dict)  # by step, over PER_RESIDENT
    asides: dict[str, str] = field(default_factory=dict)  # a question asked at a step, first
    dose1: bool = False  # registered beforehand with dose 1 on record: books dose 2

    def answer(self, step: str) -> Answer | None:
        return self.answers.get(step) or PER_RESIDENT.get(step)


KINDS = (
    Kind("numbers", 4, "预约"),
    Kind(
        "numbers + 2 questions",
        1,
        "预约",
        asides={"screening": "孕妇可以打吗？", "confirm": "要带什么证件？"},
    ),
    Kind("sentence", 1, "我想明天上午在天河体育中心打疫苗"),
    Kind("sentence", 1, "你好，后天下午想在石牌打新冠疫苗"),
    Kind(
        "sentence (en)",
        1,
        "I'd like to book tomorrow morning at Shipai",
        answers={"name": latin_name, "screening": lambda i: "none"},
    ),
    Kind(
        "for my mother",
        1,
        "帮我妈妈预约后天下午",
        answers={"who": lambda i: "2", "name": mother_name, "id_number": mother_number},
    ),
    Kind("dose 2 sentence", 1, "我想明天上午在天河体育中心打第二针", dose1=True),
)
NUMBERED = KINDS[0]
PATTERN = [kind for kind in KINDS for _ in range(kind.share)]  # resident i: PATTERN[i % 10]
assert len(PATTERN) == 10


def probe_answer(kind: Kind, step: str, options: list[list[Any]], i: int) -> str:
    """What the probe conversation (resident ``i``) answers at ``step``, given the options."""
    answer = kind.answer(step)
    if answer is not None:
        return answer(i)
    if step.startswith("q_"):  # one health question at a time: answer "no"
        for key, _label, value, *_ in options:
            if value == "no":
                return str(key)
    return "1"


@dataclass(frozen=True)
class Said:
    step: str  # the step the engine was at
    text: str  # what the probe sent
    aside: bool = False  # a question asked there (the step stays)


Script = list[Said]


def category(text: str) -> str:
    """What kind of message ``text`` is, for latencies: command, option, typed or free text."""
    if text in ("预约", "登记"):
        return "command"
    if text.isdigit() and len(text) <= 2:
        return "option"
    if text[:6].isdigit() or text.startswith(("张", "李", "Zhang ")):
        return "typed"  # an ID number or a name
    return "free text"


def conversation(kind: Kind, script: Script, i: int) -> list[str]:
    """Everything resident ``i`` sends, from the first message to confirming."""
    texts = [kind.opening]
    for said in script:
        answer = None if said.aside else kind.answer(said.step)
        texts.append(answer(i) if answer is not None else said.text)
    return texts
