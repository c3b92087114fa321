"""The unseen questions corpus (tests/explore/questions_unseen.jsonl; questions_fresh.jsonl was
written after the first fixes) and how a line is judged: the questions hotline operators answer
all day, each sent on a fresh copy of the seeded demo from a stranger's phone, as the first
message or after the messages of ``"before"`` (in the middle of a booking), through the real
engine.

A line is right when every item of its ``expect`` is in the reply to its last message (an item
``"a|b"``: either): ``book`` is the booking flow (its consent notice), any other item a topic
of ``flows.entities.TOPICS``, recognised by the fixed words of that topic's own answer texts
(``flows.answer_texts``), so the judge follows the wording. The reply must also be in the
resident's language (``lang``: ``en`` English, ``zht`` Traditional characters, ``zh``/``yue``
Simplified Chinese), never the "did you mean" list, nothing said twice, no message longer
than three SMS, a question in the middle of a booking must leave the booking going on (its
question asked again), and the policy's own number must be in an answer that has one
(observation minutes, release time)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from bot.engine import Engine
from bot.messages import Inbound, Reply
from bot.nlu.interpreter import Interpreter
from bot.nlu.normalise import simplified
from flows.answer_texts import ANSWER_TEXTS, LIMITS3
from flows.entities import TOPICS
from flows.policy import Policy
from store import Store

CORPUS = Path(__file__).parent / "explore" / "questions_unseen.jsonl"
FRESH = CORPUS.with_name("questions_fresh.jsonl")  # written after the first fixes
STRANGER = "+8613900139777"
CONSENT = ("预登记须知", "Pre-registration:")
UNSURE = ("您是想", "Did you mean", "没看懂", "could not read")
# answer texts a topic's reply is recognised by, besides those keyed by its own name
ALSO: dict[str, tuple[str, ...]] = {"site": ("mine",), "interval": ("mine",)}
# words that say the topic wherever else it is answered (the screening's own replies)
SAYS: dict[str, tuple[str, ...]] = {"pregnancy": ("pregnancy", "怀孕或哺乳"), "age": ("under 18",)}
CJK = re.compile(r"[\u3400-\u9fff]")


def corpus(path: Path = CORPUS) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def _fragments(text: str) -> list[str]:
    """The fixed words of an answer text: the runs between placeholders and punctuation."""
    runs = re.split(r"\{[a-z_]+\}|[，。；：、（）,.;:()!?\"“”]", text)
    return [run.strip() for run in runs if len(run.strip()) >= 4]


def markers() -> dict[str, list[str]]:
    """For each topic, the fixed words of its own answer texts, Chinese and English."""
    found: dict[str, list[str]] = {topic: [] for topic in TOPICS}
    for key, pair in ANSWER_TEXTS.items():
        head = key.split(".")[0]
        for topic in TOPICS:
            if head == topic or head in ALSO.get(topic, ()):
                for text in pair:
                    found[topic] += _fragments(text)
    for topic, words in SAYS.items():
        found[topic] += words
    return found


def numbers(policy: Policy) -> dict[str, Callable[[str], bool]]:
    """The policy's number an answer about a topic must say, as a test of the reply."""
    minutes = str(policy.booking.observation_minutes)
    release = str(policy.booking.release_time)
    return {
        "observation": lambda reply: minutes in reply,
        "release": lambda reply: release in reply,
    }


class Questions:
    """Fresh copies of the seeded demo, one for each line, handed to the same engine."""

    def __init__(self, template: Path, work: Path, policy: Policy, now: datetime) -> None:
        self.policy, self.now, self.work = policy, now, work
        self.template = template
        self.markers = markers()
        self.numbers = numbers(policy)
        store = Store.open(template)
        sites = store.sites()
        # one engine, given each line's fresh store (an interpreter takes 0.3 s to build)
        self.engine = Engine(store, policy, lambda: now)
        self.engine.interpreter = Interpreter(policy, lambda: sites)
        store.close()

    def send(self, line: dict[str, object]) -> list[Reply]:
        """The replies to the line's last message, after its ``before`` messages."""
        path = self.work / "question.db"
        shutil.copyfile(self.template, path)
        store = self.engine.store = Store.open(path)
        try:
            before = line.get("before", [])
            assert isinstance(before, list)
            for text in [*before, line["text"]]:
                replies = self.engine.handle(Inbound("sms", STRANGER, str(text), None))
            return replies
        finally:
            store.close()

    def answered(self, item: str, reply: str) -> bool:
        if item == "book":
            return any(word in reply for word in CONSENT)
        return any(word in reply for word in self.markers.get(item, ()))

    def judge(self, line: dict[str, object]) -> str:
        """'' when the line is right, else what went wrong."""
        replies = self.send(line)
        written = "\n".join(r.text for r in replies)
        reply = simplified(written)
        if any(word in reply for word in UNSURE):
            return f"unsure: {reply[:90]!r}"
        for item in line["expect"]:  # type: ignore[attr-defined]
            if not any(self.answered(one, reply) for one in str(item).split("|")):
                return f"not {item}: {reply[:110]!r}"
            for one in str(item).split("|"):
                says = self.numbers.get(one)
                if says and self.answered(one, reply) and not says(reply):
                    return f"{one} without the policy's number: {reply[:110]!r}"
        if line.get("before") and not line.get("stops") and not _consent_asked(replies):
            return f"booking dropped: {reply[:110]!r}"
        said_lines = [one for one in written.splitlines() if len(one) > 8]
        if len(said_lines) != len(set(said_lines)):
            return f"said twice: {written[:110]!r}"
        return self._language(str(line["lang"]), replies, written)

    def _language(self, lang: str, replies: list[Reply], written: str) -> str:
        longest = max(len(r.text) for r in replies)
        if longest > LIMITS3["en" if lang == "en" else "zh"]:
            return f"longer than three SMS ({longest}): {written[:80]!r}"
        if lang == "en" and CJK.search(written):
            return f"not English: {written[:110]!r}"
        if lang != "en" and not CJK.search(written):
            return f"not Chinese: {written[:110]!r}"
        if lang == "zht" and simplified(written) == written:
            return f"not Traditional: {written[:110]!r}"
        if lang in ("zh", "yue") and simplified(written) != written:
            return f"not Simplified: {written[:110]!r}"
        return ""

    def results(self, lines: list[dict[str, object]]) -> Iterator[tuple[dict[str, object], str]]:
        for line in lines:
            yield line, self.judge(line)


def _consent_asked(replies: list[Reply]) -> bool:
    """The booking's first question (the notice to agree to) is asked again."""
    labels = [simplified(o.label) for r in replies for o in r.options]
    return any(label in ("同意", "I agree") for label in labels)


def share(results: list[tuple[dict[str, object], str]]) -> float:
    return sum(1 for _, why in results if not why) / len(results) if results else 1.0
