"""Golden conversations: each file in ``transcripts/`` is a whole conversation, replayed.

Format (one conversation per file, Chinese and English alike)::

    # what this conversation shows
    @now 2021-06-17T09:00        (moves the frozen clock; any time in the file)
    @from +8613800138000         (the sender; @channel sms likewise)
    @dose 440106199001011235 1 2021-05-10 coronavac 1
                                 (a dose on record, as `vaxbot doses import` would add it:
                                  ID number, dose, date, product, site id)
    > what the resident sends
    < the reply, line by line
    <   1. an option

Set ``VAXBOT_REGOLD=1`` to rewrite the files from what the engine says now; review the diff.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.messages import Inbound, Reply
from flows.policy import Policy
from store import Dose, Store
from tests.conftest import Clock, open_seeded

BACKENDS = ("sqlite", "postgresql")
HERE = Path(__file__).parent / "transcripts"
FILES = sorted(HERE.glob("*.txt"))


def render(replies: list[Reply]) -> list[str]:
    lines: list[str] = []
    for reply in replies:
        lines.extend(reply.text.split("\n"))
        lines.extend(f"  {option.key}. {option.label}" for option in reply.options)
    return lines


def record_dose(store: Store, fields: list[str], clock: Clock) -> None:
    id_number, dose, day, product, site = fields
    resident = store.resident_by_document("resident_id", id_number)
    assert resident is not None, f"@dose: {id_number} is not registered"
    record = Dose(resident.id, int(dose), date.fromisoformat(day), product, int(site), "import")
    store.add_dose(record, clock.now, "transcript", "import")


def replay(path: Path, tmp_path: Path, policy: Policy) -> tuple[str, str]:
    """Run the conversation in ``path``; return (expected, actual) transcript text."""
    clock = Clock(policy, "2021-06-17T09:00")
    store = open_seeded(tmp_path / "t.db", policy, now=clock.now.isoformat())
    engine = Engine(store, policy, clock)
    channel, sender = "sms", "+8613800138000"
    actual: list[str] = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("<"):
            continue
        actual.append(line)
        if line.startswith("@now "):
            clock.set(line.removeprefix("@now "))
        elif line.startswith("@from "):
            sender = line.removeprefix("@from ")
        elif line.startswith("@channel "):
            channel = line.removeprefix("@channel ")
        elif line.startswith("@dose "):
            record_dose(store, line.split()[1:], clock)
        elif line.startswith("> ") or line == ">":
            replies = engine.handle(Inbound(channel, sender, line[2:]))
            actual.extend(f"< {text}" if text else "<" for text in render(replies))
    store.close()
    return path.read_text("utf-8"), "\n".join(actual) + "\n"


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_transcript(path: Path, tmp_path: Path, policy: Policy) -> None:
    expected, actual = replay(path, tmp_path, policy)
    if os.environ.get("VAXBOT_REGOLD"):
        path.write_text(actual, "utf-8")
        return
    assert actual == expected


def test_there_are_transcripts_in_both_languages() -> None:
    names = {f.stem for f in FILES}
    assert any(name.endswith("_zh") for name in names)
    assert any(name.endswith("_en") for name in names)
