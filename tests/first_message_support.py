"""The unseen first-message corpus (tests/explore/first_messages_unseen.jsonl) and how a line is
judged: each message is the first a resident sends, on a fresh copy of the seeded demo (a
stranger's phone for a booking or a question; a phone whose resident is booked for Saturday 19
June 08:00-10:00 at Tianhe Sports Centre for their own bookings, and for a question about
them: ``"mine": true``), through the real engine.

A line is right when the engine starts the flow or gives the answer it is labelled with (the
reply says so: the consent notice that starts a booking, the booking found, the cancellation
asked to be confirmed, the move started, the answer's own words), never the "did you mean"
list, and the entities it labels (day, part of day, dose, person, district, site, maker) are
read as labelled, with no day or dose read that was not said."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from bot.engine import Engine
from bot.messages import Inbound, Reply
from bot.nlu.interpreter import Interpreter
from bot.nlu.normalise import simplified
from flows.policy import Policy
from store import Store

CORPUS = Path(__file__).parent / "explore" / "first_messages_unseen.jsonl"
STRANGER = "+8613900139999"
BOOKED = "+8613800138000"
# registers 张三 and books him: Saturday 19 June 08:00-10:00, Tianhe Sports Centre
BOOK_ZHANG = ("登记", "1", "1", "张三", "1", "440106199001011235", "1", "1",
              "预约", "没有", "1", "1", "3", "1", "1")  # fmt: skip
MINE = ("status", "cancel", "reschedule")
CONSENT = ("预登记须知", "Pre-registration:")
# What each flow's or answer's reply says (read in Simplified characters).
SAYS: dict[str, tuple[str, ...]] = {
    "book": CONSENT,
    "register": CONSENT,
    "status": ("6月19日", "19 Jun"),
    "cancel": ("确认取消", "Cancel 张三"),
    "reschedule": ("为张三改期", "Changing 张三"),
    "ask.pregnancy": ("怀孕或哺乳", "pregnancy"),
    "ask.allergy": ("过敏", "allergic"),
    "ask.chronic": ("慢性病", "chronic"),
    "ask.age": ("岁", "Under 18", "From 60"),
    "ask.interval": ("第2剂", "dose 2"),
    "ask.maker": ("同一厂家", "same maker"),
    "ask.bring": ("身份证件", "ID document"),
    "ask.observation": ("留观", "30 minutes"),
    "ask.cost": ("免费", "free"),
    "ask.hours": ("可预约", "预约时段", "be booked", "takes bookings"),
    "ask.release": ("放号", "released"),
    "ask.walkin": ("只接受预约", "appointment only"),
    "ask.evening": ("夜间", "evening"),
    "ask.mobile": ("流动接种车", "Mobile vaccination"),
    "ask.accessible": ("无障碍", "Accessible"),
    "ask.site": ("开放时间", "Open "),
    "ask.noshow": ("爽约", "no-show"),
    "agent": ("回电", "Call-back"),
    "greet": ("您好！这里是", "Hello! This is"),
    "thanks": ("不客气", "welcome"),
}
UNSURE = ("您是想", "Did you mean", "没看懂", "could not read")


def corpus() -> list[dict[str, object]]:
    return [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines() if line]


def said(replies: list[Reply]) -> str:
    return simplified("\n".join(r.text for r in replies))


class FirstMessages:
    """Fresh copies of two seeded bases, one for each message, handed to the same engine."""

    def __init__(self, template: Path, work: Path, policy: Policy, now: datetime) -> None:
        self.policy, self.now, self.work = policy, now, work
        self.stranger = work / "stranger.db"
        self.booked = work / "booked.db"
        shutil.copyfile(template, self.stranger)
        shutil.copyfile(template, self.booked)
        store = Store.open(self.booked)
        engine = Engine(store, policy, lambda: now)
        for text in BOOK_ZHANG:
            replies = engine.handle(Inbound("sms", BOOKED, text, None))
        assert "预约成功" in said(replies)
        sites = store.sites()
        self.site_names = {site.id: site.name_zh for site in sites}
        self.interpreter = Interpreter(policy, lambda: sites)
        # one engine, given each message's fresh store (an interpreter takes 0.3 s to build)
        self.engine = engine
        engine.interpreter = self.interpreter
        store.close()

    def send(self, mine: bool, text: str) -> list[Reply]:
        """The replies to ``text`` from the booked resident's phone (``mine``) or a stranger's."""
        base = self.booked if mine else self.stranger
        path = self.work / "message.db"
        shutil.copyfile(base, path)
        store = self.engine.store = Store.open(path)
        try:
            address = BOOKED if mine else STRANGER
            return self.engine.handle(Inbound("sms", address, text, None))
        finally:
            store.close()

    def misread(self, line: dict[str, object]) -> dict[str, tuple[object, object]]:
        """The labelled entities read otherwise, and a day or dose read that was not said."""
        reading = self.interpreter.read(str(line["text"]), self.now.date())
        got = dataclasses.asdict(reading.entities)
        if got.get("site") is not None:
            got["site"] = self.site_names.get(int(got["site"]), got["site"])
        want = dict(line["entities"])  # type: ignore[call-overload]
        wrong = {k: (v, got.get(k)) for k, v in want.items() if str(v) != str(got.get(k))}
        if line["intent"] == "book":
            wrong |= {k: (None, got[k]) for k in ("day", "dose") if k not in want and got[k]}
        return wrong

    def judge(self, line: dict[str, object]) -> str:
        """'' when the line is right, else what went wrong."""
        intent = str(line["intent"])
        replies = self.send(intent in MINE or bool(line.get("mine")), str(line["text"]))
        reply = said(replies)
        oks = [intent, *line.get("or", [])]  # type: ignore[misc]
        if any(word in reply for word in UNSURE):
            return f"unsure: {reply[:80]!r}"
        if not any(w in reply for ok in oks for w in SAYS[str(ok)]):
            return f"reply: {reply[:100]!r}"
        extra = str(line.get("says", ""))
        if extra and extra not in reply:
            return f"not said {extra!r}: {reply[:100]!r}"
        wrong = self.misread(line)
        return f"entities: {wrong}" if wrong else ""

    def results(self, lines: list[dict[str, object]]) -> Iterator[tuple[dict[str, object], str]]:
        for line in lines:
            yield line, self.judge(line)


def share(results: list[tuple[dict[str, object], str]]) -> float:
    return sum(1 for _, why in results if not why) / len(results)
