"""What residents type inside a flow that answers nothing on screen (tests/explore/mid_flow.jsonl):
giving up, going back, holding on, a question about the step, a correction, confusion, an
answer in words. Each line names the step it is sent at, what it is (``kind``) and what the
reply must say (``expect``: any of ``|``-separated words, read in Simplified characters).
Every line is also checked for what a resident would notice whatever its kind: no "reply with
a number" or "could not read", the reply in the message's language, nothing booked, cancelled
or moved, and nobody registered at a registration step."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.engine import Engine
from bot.messages import Reply
from bot.nlu.normalise import simplified
from store import Store
from tests.conftest import Phone

CORPUS = Path(__file__).parent / "explore" / "mid_flow.jsonl"
ID = "440106199001011235"  # the resident of the booking steps (a man born 1990-01-01)
REG = ("预约", "1", "1", "张三", "1")  # to the ID number of someone new
REGISTER_STEPS: dict[str, tuple[str, ...]] = {
    "consent": REG[:1], "who": REG[:2], "name": REG[:3], "document": REG[:4],
    "id_number": REG, "phone": (*REG, "<id>"), "home": (*REG, "<id>", "1"),
}  # fmt: skip
# From the menu, the resident registered: the health questions, then the booking's steps.
AGAIN = ("退出", "预约")
BOOK_STEPS: dict[str, tuple[str, ...]] = {
    "screening": AGAIN, "screen_one": (*AGAIN, "逐条", "2"), "district": (*AGAIN, "没有"),
    "site": (*AGAIN, "没有", "1"), "date": (*AGAIN, "没有", "1", "1"),
    "period": (*AGAIN, "没有", "1", "1", "2"), "confirm": (*AGAIN, "没有", "1", "1", "2", "1"),
}  # fmt: skip
# With Friday 08:00-10:00 booked: cancelling it, and moving it (Saturday 08:00-10:00 offered).
BOOKED_STEPS: dict[str, tuple[str, ...]] = {
    "cancel": ("退出", "取消"), "move_district": ("退出", "改期"),
    "move_site": ("退出", "改期", "1"), "move_date": ("退出", "改期", "1", "1"),
    "move_period": ("退出", "改期", "1", "1", "3"),
    "move_confirm": ("退出", "改期", "1", "1", "3", "1"),
}  # fmt: skip
BOOK = (*AGAIN, "没有", "1", "1", "2", "1", "1")  # Friday 18 June 08:00-10:00
NOT_READ = ("请回复 1 到", "reply with a number", "没看懂", "could not read", "you sent",
            "这个问题我不清楚", "I can't answer that")  # fmt: skip
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Line:
    step: str
    kind: str
    text: str
    expect: str


def corpus(path: Path = CORPUS) -> list[Line]:
    lines = path.read_text("utf-8").splitlines()
    return [Line(**json.loads(line)) for line in lines if line.strip()]


def shown(replies: list[Reply]) -> str:
    """What the resident sees, in Simplified characters, options included."""
    parts = [r.text + "\n" + "\n".join(f"{o.key} {o.label}" for o in r.options) for r in replies]
    return simplified("\n".join(parts))


def valid_id(n: int) -> str:
    """A valid resident ID (GB 11643 check character) for the n-th new person."""
    body = f"4401061990{1 + n // 28 % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _booked(store: Store) -> list[tuple[int, int]]:
    person = store.resident_by_document("resident_id", ID)
    if person is None:
        return []
    return sorted((b.id, b.slot.id) for b in store.active_bookings(person.id))


def wrong(line: Line, said: str) -> str | None:
    """Why the reply to ``line`` is not what a resident should see; None when it is."""
    if not any(word in said for word in line.expect.split("|")):
        return f"expected {line.expect}"
    if found := [word for word in NOT_READ if word in said]:
        return f"not read: {found}"
    english = not CJK.search(line.text) and len(re.findall("[a-zA-Z]{2,}", line.text)) >= 2
    if english and "请" in said:
        return "answered in Chinese"
    if CJK.search(line.text) and not CJK.search(said):
        return "answered in English"
    return None


def _order(line: Line) -> int:
    """The booking steps first, then those with a booking made, then new people's."""
    return (line.step in BOOKED_STEPS) + (line.step in REGISTER_STEPS) * 2


def run(engine: Engine, store: Store, lines: list[Line]) -> Iterator[tuple[Line, str, str | None]]:
    """Each line sent at its step: the line, what was shown, and what is wrong (None: right)."""
    registered = Phone(engine, "+8613800138000")
    registered.run("预约", "1", "1", "王小明", "1", ID, "1", "1")
    for n, line in enumerate(sorted(lines, key=_order)):
        if line.step in REGISTER_STEPS:
            person = valid_id(n)
            phone = Phone(engine, f"+86139{n:08d}")
            phone.run(*(person if text == "<id>" else text for text in REGISTER_STEPS[line.step]))
            said = shown(phone.send(line.text))
            why = wrong(line, said)
            if store.resident_by_document("resident_id", person) is not None:
                why = "registered at a registration step"
            yield line, said, why
            continue
        if line.step in BOOKED_STEPS and not _booked(store):
            registered.run(*BOOK)
        before = _booked(store)
        registered.run(*(BOOK_STEPS.get(line.step) or BOOKED_STEPS[line.step]))
        said = shown(registered.send(line.text))
        why = wrong(line, said)
        if _booked(store) != before:
            why = f"bookings changed: {before} -> {_booked(store)}"
        yield line, said, why
