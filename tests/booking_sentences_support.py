"""Booking wishes that carry details (tests/explore/booking_sentences.jsonl), driven through the
real engine from the first message to the confirmation, and how a line is judged.

Each line is a resident's opening message (``texts``: one, or two or three sent one after the
other before reading a reply), sent on a fresh copy of the seeded demo from a phone set up as
``who`` says: ``new`` (nobody registered), ``self`` (张三 registered, no dose), ``dose1`` (张三
with dose 1 of CoronaVac on 20 May at Tianhe Sports Centre), ``recent`` (the same, dose 1 on
1 June: dose 2 from 22 June) or ``family`` (``dose1`` and his mother 李秀英, registered as 妈妈,
dose 1 of Sinopharm BBIBP on 15 May at Shipai). The clock is Thursday 17 June 2021 09:00
unless the line's ``now`` says otherwise.

Then every question the bot asks is answered plainly (registration: the person the line names,
``person``; health: none; a list of choices: the first) until the line's ``end`` step is
reached (``confirm`` by default), the flow ends, or 30 turns pass. A line is right when:

- no step in ``skip`` (what the message already answered: ``person``, ``where``, ``district``,
  ``site``, ``date``, ``period``) was asked in the booking;
- every step in ``asks`` (or one of its ``|`` alternatives) was (a detail that needs a
  question: a contradiction, a site not in the district said, a day with no places, a day not
  yet released);
- the reply that reached ``end`` says each of ``says`` (any of its ``|`` alternatives), read in
  Simplified characters: at the confirmation, what is about to be booked; and some reply on the
  way says each of ``told`` (a site that does not fit, the day places come out);
- nothing was booked before the confirmation, and confirming it books (``预约成功``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.clock import parse_moment
from bot.engine import Engine
from bot.messages import Inbound, Reply
from bot.nlu.interpreter import Interpreter
from bot.nlu.normalise import simplified
from flows.policy import Policy
from store import Dose, Store

CORPUS = Path(__file__).parent / "explore" / "booking_sentences.jsonl"
PHONE = "+8613800138000"
NOW = "2021-06-17T09:00:00+08:00"
WHO = ("new", "self", "dose1", "recent", "family")
BOOK_STEPS = ("person", "where", "district", "site", "date", "period")
MAX_TURNS = 30


def valid_id(body: str) -> str:
    """``body`` (17 digits) with its GB 11643 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


# Who a line may book for, as registered when the bot asks: name and ID (Tianhe, 440106).
PEOPLE: dict[str, tuple[str, str]] = {
    "self": ("张三", "440106199001011235"),  # a man born 1990
    "mother": ("李秀英", "440106195205051222"),  # a woman born 1952 (69)
    "father": ("张建国", valid_id("44010619550303103")),  # a man born 1955 (66)
    "grandfather": ("张德福", valid_id("44010619420808105")),  # a man born 1942 (78)
    "wife": ("王丽", valid_id("44010619920606102")),  # a woman born 1992
}
# The answer to each step, when the line's message did not answer it.
ANSWERS: dict[str, str] = {
    "consent": "1", "adult": "1", "document": "1", "phone": "1", "home": "1", "district": "1",
    "screening": "没有", "person": "1", "where": "1", "site": "1", "date": "1", "period": "1",
    "companion_name": "张三", "companion_phone": "1", "declare": "1",
    "declare_date": "5月20日", "declare_maker": "科兴", "declare_where": "天河体育中心",
}  # fmt: skip


@dataclass
class Line:
    texts: list[str]
    who: str = "new"
    person: str = "self"
    skip: list[str] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)
    says: list[str] = field(default_factory=list)
    told: list[str] = field(default_factory=list)
    end: str = "confirm"
    now: str = NOW
    critical: bool = False
    kind: str = ""


def corpus(path: Path = CORPUS) -> list[Line]:
    return [Line(**json.loads(t)) for t in path.read_text("utf-8").splitlines() if t.strip()]


def shown(replies: list[Reply]) -> str:
    """What the resident sees, in Simplified characters, options included."""
    parts = [r.text + "\n" + "\n".join(f"{o.key} {o.label}" for o in r.options) for r in replies]
    return simplified("\n".join(parts))


def _register(engine: Engine, name: str, number: str, who: str = "1") -> None:
    for text in ("登记", "1", who, name, "1", number, "1", "1"):
        engine.handle(Inbound("sms", PHONE, text, None))


def _dose(store: Store, number: str, day: str, product: str, site: int, now: datetime) -> None:
    person = store.resident_by_document("resident_id", number)
    assert person is not None
    dose = Dose(person.id, 1, date.fromisoformat(day), product, site, "import")
    store.add_dose(dose, now, "t", "t")


def prepare(template: Path, work: Path, policy: Policy) -> dict[str, Path]:
    """A database for each kind of phone (``WHO``), made from the seeded demo."""
    now = parse_moment(NOW, policy.zone)
    paths: dict[str, Path] = {}
    for who in WHO:
        path = paths[who] = work / f"{who}.db"
        shutil.copyfile(template, path)
        if who == "new":
            continue
        store = Store.open(path)
        engine = Engine(store, policy, lambda: now)
        name, number = PEOPLE["self"]
        _register(engine, name, number)
        sites = {site.name_en: site.id for site in store.sites()}
        if who in ("dose1", "family", "recent"):
            day = "2021-06-01" if who == "recent" else "2021-05-20"
            _dose(store, number, day, "coronavac", sites["Tianhe Sports Centre"], now)
        if who == "family":
            name, number = PEOPLE["mother"]
            for text in ("退出", "帮我妈妈登记", "1", f"{name} {number}", "13900139000", "1"):
                engine.handle(Inbound("sms", PHONE, text, None))
            assert store.resident_by_document("resident_id", number) is not None
            shipai = sites["Shipai Community Health Centre"]
            _dose(store, number, "2021-05-15", "bbibp", shipai, now)
        engine.handle(Inbound("sms", PHONE, "退出", None))
        store.close()
    return paths


@dataclass
class Result:
    line: Line
    asked: list[str]
    said: str
    why: str
    heard: str = ""


class Runner:
    """One engine, handed each line's fresh copy of its phone's database."""

    def __init__(self, template: Path, work: Path, policy: Policy) -> None:
        self.policy, self.work = policy, work
        self.bases = prepare(template, work, policy)
        store = Store.open(self.bases["new"])
        self.engine = Engine(store, policy, lambda: parse_moment(NOW, policy.zone))
        sites = store.sites()
        self.engine.interpreter = Interpreter(policy, lambda: sites)  # built once (0.3 s)
        store.close()

    def _step(self, store: Store) -> tuple[str | None, str | None]:
        state: dict[str, Any] = store.load_state("sms", PHONE) or {}
        return state.get("flow"), state.get("step")

    def _booked(self, store: Store) -> int:
        account = store.account_by_phone(PHONE)
        if account is None:
            return 0
        return sum(len(store.active_bookings(r.id)) for r in store.residents_of(account))

    def _answer(self, line: Line, flow: str | None, step: str) -> str:
        name, number = PEOPLE[line.person]
        if step == "who":
            return "1" if line.person == "self" else "2"
        if step in ("name", "who_name"):
            return name
        if step == "id_number":
            return number
        english = not any("\u4e00" <= c <= "\u9fff" for t in line.texts for c in t)
        if step == "screening" or step.startswith("q_"):
            return "none" if english else "没有"
        return ANSWERS.get(step, "1")

    def run(self, line: Line) -> Result:
        path = self.work / "line.db"
        shutil.copyfile(self.bases[line.who], path)
        key = self.bases[line.who].with_name(self.bases[line.who].name + ".key")
        if key.exists():
            shutil.copyfile(key, path.with_name(path.name + ".key"))
        store = self.engine.store = Store.open(path)
        moment = parse_moment(line.now, self.policy.zone)
        self.engine.clock = lambda: moment
        try:
            return self._drive(store, line)
        finally:
            store.close()

    def _drive(self, store: Store, line: Line) -> Result:
        before = self._booked(store)
        asked: list[str] = []
        said = heard = ""
        pending = list(line.texts)
        for _ in range(MAX_TURNS):
            text = pending.pop(0) if pending else None
            if text is None:
                flow, step = self._step(store)
                if step is None:
                    break
                text = self._answer(line, flow, step)
            said = shown(self.engine.handle(Inbound("sms", PHONE, text, None)))
            heard += said + "\n"
            flow, step = self._step(store)
            if flow == "book" and step is not None and step in BOOK_STEPS and not pending:
                asked.append(step)
            if self._booked(store) != before:
                return Result(line, asked, said, "booked before a confirmation")
            if pending:
                continue
            if step == line.end or (step is None and line.end == "done"):
                why = self._judge(store, line, asked, said, before, heard)
                return Result(line, asked, said, why, heard)
            if step is None or step == "confirm" or step.startswith("queue"):
                break
        why = f"ended at {self._step(store)}, not {line.end}"
        return Result(line, asked, said, why, heard)

    def _judge(self, store: Store, line: Line, asked: list[str], said: str, before: int,
               heard: str) -> str:  # fmt: skip
        wrong = [f"asked {s}" for s in line.skip if s in asked]
        wrong += [f"did not ask {s}" for s in line.asks if not set(s.split("|")) & set(asked)]
        wrong += [f"not said {w}" for w in line.says if not any(a in said for a in w.split("|"))]
        wrong += [f"not told {w}" for w in line.told if not any(a in heard for a in w.split("|"))]
        if not wrong and line.end == "confirm":
            done = shown(self.engine.handle(Inbound("sms", PHONE, "1", None)))
            if ("预约成功" not in done and "Booked" not in done) or self._booked(store) == before:
                wrong.append(f"confirming did not book: {done[:80]!r}")
        return "; ".join(wrong)

    def results(self, lines: list[Line]) -> Iterator[Result]:
        for line in lines:
            yield self.run(line)


def share(results: list[Result]) -> float:
    return sum(1 for r in results if not r.why) / len(results) if results else 0.0
