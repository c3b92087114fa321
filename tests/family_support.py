"""The family-phone corpus (tests/explore/family_bookings.jsonl) and how a line is judged: one
phone used for several people, asked about, cancelling or moving their bookings, by relation,
by name, by pronoun across messages, for one, two or all of them, or for a relative who is not
on this phone (about whom nothing may be told), through the real engine.

Two phones are seeded on a copy of the demo (days from Thursday 17 June 2021):
- ``family`` (+8613800138000): 张三 himself, booked tomorrow (Friday 18 June); his mother 王秀英,
  Saturday 19 June; his father 张建国, Monday 21 June; his wife 李丽, registered, no booking.
- ``parents`` (+8613800138001): a daughter who registered only her parents: 陈桂芳 (mother),
  tomorrow; 刘德明 (father), Tuesday 22 June.
A third phone holds 张大山, booked Sunday 20 June: neither family phone may learn anything of him.

Each line's messages are sent on a fresh copy; the last one's reply is judged by ``want``:
- ``status``: names each of ``who`` with their booked day, and nobody else on the phone;
- ``none``: ``who`` has no booking: said so, nobody else named, nothing cancelled;
- ``cancel``: asks to confirm cancelling exactly ``who``'s bookings (then ``1`` is sent, and
  exactly those must be gone);
- ``move``: starts moving ``who``'s booking (the reply names them and is a move), offering
  ``day`` when the line says one;
- ``cantgo``: ``who`` cannot come: the reply is about their booking and offers to cancel or move
  it (no new booking);
- ``which``: asks which booking, naming ``who``, nothing cancelled;
- ``absent``: a relative not on this phone: said so, nothing cancelled;
- ``private``: someone on another phone: nothing of theirs (day, codes) is said, nothing
  cancelled;
- ``kept``: nothing cancelled, and the reply says the booking stands.
A line written in Traditional characters is answered in Traditional, one in English in English."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.engine import Engine
from bot.messages import Inbound, Reply
from bot.nlu.interpreter import Interpreter
from bot.nlu.normalise import simplified
from bot.nlu.script import language_of, script_of
from flows.policy import Policy
from store import Store

CORPUS = Path(__file__).parent / "explore" / "family_bookings.jsonl"
PHONES = {"family": "+8613800138000", "parents": "+8613800138001", "other": "+8613800138002"}
BOOKED = {
    "张三": date(2021, 6, 18),
    "王秀英": date(2021, 6, 19),
    "张建国": date(2021, 6, 21),
    "陈桂芳": date(2021, 6, 18),
    "刘德明": date(2021, 6, 22),
    "张大山": date(2021, 6, 20),
}
PEOPLE = {"family": ("张三", "王秀英", "张建国", "李丽"), "parents": ("陈桂芳", "刘德明")}
# Who is on each phone and how they are booked: the district (天河), the site (天河体育中心),
# the day as typed, then the first period and the confirmation.
BOOK = ("没有", "1", "1")
SETUP: dict[str, tuple[str, ...]] = {
    "family": (
        *("登记", "1", "1", "张三", "1", "440106199001011235", "1", "1"),
        *("帮我约6月18日", *BOOK, "1", "1"),
        *("帮我妈妈登记", "1", "王秀英 440106195205051222", "13900139000", "1"),
        *("帮我妈约6月19日", *BOOK, "1", "1"),
        *("帮我爸爸登记", "1", "张建国 440106195803031010", "13900139001", "1"),
        *("帮我爸约6月21日", *BOOK, "1", "1"),
        *("帮我老婆登记", "1", "李丽 440106199207071022", "13900139002", "1"),
    ),
    "parents": (
        *("帮我妈妈登记", "1", "陈桂芳 440106195609091028", "13900139003", "1"),
        *("帮我妈约6月18日", *BOOK, "1", "1"),
        *("帮我爸爸登记", "1", "刘德明 440106195302021017", "13900139004", "1"),
        *("帮我爸约6月22日", *BOOK, "1", "1"),
    ),
    "other": (
        *("登记", "1", "1", "张大山", "1", "440106195506061010", "1", "1"),
        *("帮我约6月20日", *BOOK, "1", "1"),
    ),
}
CANCEL_ASK = ("确认取消", "Cancel ")
MOVE = ("改期", "Changing", "changed one at a time")
NONE = ("暂无预约", "没有有效预约", "没有预约", "no booking", "no active booking")
NOT_HERE = ("本机未登记", "not registered on this phone")
KEPT = ("预约保留", "booking stands", "未取消", "不取消")
NEW_BOOKING = ("预登记须知", "有以下情况吗", "为谁预约", "Pre-registration:", "Who is the booking")
UNSURE = ("您是想", "Did you mean", "没看懂", "could not read")
_LATIN = re.compile(r"[A-Za-z]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _status(reply: str, who: list[str], day: date | None) -> str:
    if late := [n for n in who if n in BOOKED and not mentions_day(reply, BOOKED[n])]:
        return f"no day for {late}"
    return "not a status" if any(w in reply for w in CANCEL_ASK + NEW_BOOKING) else ""


def _move(reply: str, who: list[str], day: date | None) -> str:
    if not any(w in reply for w in MOVE) or any(w in reply for w in NEW_BOOKING):
        return "no move"
    return f"{day} not offered" if day and not mentions_day(reply, day) else ""


def _cantgo(reply: str, who: list[str], day: date | None) -> str:
    if any(w in reply for w in NEW_BOOKING):
        return "a new booking"
    offers = ("取消", "改期", "ancel", "hang", "ove")
    return "" if any(w in reply for w in offers) else "neither cancel nor move offered"


def _said(words: tuple[str, ...], wrong: str) -> Callable[[str, list[str], date | None], str]:
    return lambda reply, who, day: "" if any(w in reply for w in words) else wrong


_WRONG: dict[str, Callable[[str, list[str], date | None], str]] = {
    "status": _status,
    "none": _said(NONE, "no booking not said"),
    "cancel": _said(CANCEL_ASK, "no cancellation asked"),
    "move": _move,
    "cantgo": _cantgo,
    "which": lambda reply, who, day: (
        "cancellation asked without asking which" if any(w in reply for w in CANCEL_ASK) else ""
    ),
    "absent": _said(NOT_HERE, "not said to be absent"),
    "private": lambda reply, who, day: "",  # what any reply must not say is checked for all
    "kept": _said(KEPT, "not said kept"),
}


def corpus() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines() if line]


def day_said(day: date) -> tuple[str, str]:
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{day.month}月{day.day}日", f"{day.day} {months[day.month - 1]}"


def mentions_day(reply: str, day: date) -> bool:
    return any(form in reply for form in day_said(day))


def script(text: str) -> str:
    """``en`` for a message in English, ``hant`` for one in Traditional characters, else ``zh``
    (or ``""``: a message that does not tell)."""
    cjk = len(_HAN.findall(text))
    lang = language_of(text, cjk, len(re.findall(r"[A-Za-z]+", text)))
    if lang == "en":
        return "en"
    return "hant" if lang == "zh" and script_of(text) == "hant" else str(lang or "")


class FamilyPhones:
    """The seeded phones, copied fresh for each line and handed to one engine."""

    def __init__(self, template: Path, work: Path, policy: Policy, now: datetime) -> None:
        self.work = work
        self.base = work / "family.db"
        shutil.copyfile(template, self.base)
        store = Store.open(self.base)
        engine = Engine(store, policy, lambda: now)
        for phone, texts in SETUP.items():
            for text in texts:
                engine.handle(Inbound("sms", PHONES[phone], text, None))
            engine.handle(Inbound("sms", PHONES[phone], "退出", None))
        self.codes = {
            p.name: [b.code for b in store.active_bookings(p.id)]
            for phone in PHONES
            for p in self._people(store, phone)
        }
        booked = {name: len(codes) for name, codes in self.codes.items()}
        assert booked == {**dict.fromkeys(BOOKED, 1), "李丽": 0}, booked
        sites = store.sites()
        self.engine = engine
        engine.interpreter = Interpreter(policy, lambda: sites)
        store.close()

    @staticmethod
    def _people(store: Store, phone: str) -> list:  # type: ignore[type-arg]
        account = store.account_of("sms", PHONES[phone])
        assert account is not None
        return list(store.residents_of(account))

    def _active(self, store: Store, phone: str) -> set[str]:
        return {p.name for p in self._people(store, phone) if store.active_bookings(p.id)}

    def judge(self, line: dict[str, Any]) -> str:
        """'' when the line is right, else what went wrong."""
        phone = str(line.get("base", "family"))
        path = self.work / "line.db"
        shutil.copyfile(self.base, path)
        store = self.engine.store = Store.open(path)
        try:
            return self._judge(store, phone, line)
        finally:
            store.close()

    def _send(self, phone: str, text: str) -> str:
        replies: list[Reply] = self.engine.handle(Inbound("sms", PHONES[phone], text, None))
        return "\n".join(r.text + "".join(f" {o.label}" for o in r.options) for r in replies)

    def _judge(self, store: Store, phone: str, line: dict[str, Any]) -> str:
        says = [str(s) for s in line["say"]]
        before: set[str] = set()
        raw = ""
        for n, text in enumerate(says):
            if n == len(says) - 1:
                before = self._active(store, phone)
            raw = self._send(phone, text)
        reply = simplified(raw)
        why = self._reply_wrong(phone, line, reply)
        if why:
            return f"{why}: {raw[:160]!r}"
        kind = script(says[-1])
        if kind == "en" and not _LATIN.search(raw.replace("预约码", "")):
            return f"not English: {raw[:120]!r}"
        if kind == "en" and any(w in raw for w in ("请", "预约", "回复")):
            return f"not English: {raw[:120]!r}"
        if kind == "hant" and any(w in raw for w in ("预约", "请", "确认", "时")):
            return f"not Traditional: {raw[:120]!r}"
        after = self._active(store, phone)
        if line["want"] == "cancel":
            self._send(phone, "1")
            gone = before - self._active(store, phone)
            if gone != set(line["who"]):
                return f"cancelled {sorted(gone)}: {raw[:120]!r}"
        elif after != before:
            return f"cancelled {sorted(before - after)}: {raw[:120]!r}"
        return ""

    def _reply_wrong(self, phone: str, line: dict[str, Any], reply: str) -> str:
        want = str(line["want"])
        who = [str(w) for w in line["who"]]
        others = [p for p in PEOPLE.get(phone, ()) if p not in who]
        strangers = [n for n in BOOKED if n not in PEOPLE.get(phone, ())]
        if any(code in reply for name in strangers for code in self.codes[name]):
            return "told another phone's booking"
        if any(mentions_day(reply, BOOKED[n]) and n in reply for n in strangers):
            return "told another phone's day"
        if any(w in reply for w in UNSURE):
            return "unsure"
        missing = [n for n in who if n not in reply]
        if missing and want in ("status", "cancel", "move", "cantgo", "which", "none"):
            return f"{missing} not named"
        named = [n for n in others if n in reply]
        if named and want in ("status", "cancel", "none", "cantgo"):
            return f"{named} named too"
        day = line.get("day")
        return _WRONG[want](reply, who, date.fromisoformat(str(day)) if day else None)

    def results(self, lines: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], str]]:
        for line in lines:
            yield line, self.judge(line)


def share(results: list[tuple[dict[str, Any], str]]) -> float:
    return sum(1 for _, why in results if not why) / len(results)
