"""The demo as README runs it, through the real ``vaxbot`` in subprocesses: ``seed-demo``
creates the database and is safe to run again, and the demo books at whatever hour and on
whatever day a newcomer runs it (the machine's clock moved with ``SYSTEM_NOW``), while a chosen
clock (``VAXBOT_NOW``, ``--now``) is obeyed.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from store import Slot
from tests.cli_support import (
    BOOKING_CODE,
    NOW,
    PHONE,
    TODAY,
    Call,
    Turn,
    chat,
    cli_env,
    load_transcript,
    run_all,
    turns_of,
    vaxbot,
)
from tests.fakes.tables import opened, rows

SEEDED = re.compile(r"(\d+) new slots")


def sites_and_slots(db: Path) -> tuple[list[dict[str, Any]], list[Slot]]:
    """Every site as stored, and every slot."""
    with closing(opened(db)) as store:
        return rows(store, "sites"), store.slots()


# -- seed-demo ------------------------------------------------------------------------------


def seed(db: Path, *args: str) -> int:
    """Run seed-demo; return the number of slots it says it added."""
    proc = vaxbot(
        "seed-demo", "--db", str(db), "--today", TODAY, *args, env=cli_env(VAXBOT_NOW=NOW)
    )
    assert proc.returncode == 0, proc.stderr
    said = SEEDED.findall(proc.stdout + proc.stderr)
    assert len(said) == 1, f"seed-demo should say how many slots it added: {proc.stderr!r}"
    return int(said[0])


def test_seed_demo_creates_the_database_and_is_safe_to_run_again(tmp_path: Path) -> None:
    db = tmp_path / "new" / "demo.db"
    db.parent.mkdir()
    added = seed(db)
    assert db.exists()
    sites, all_slots = sites_and_slots(db)
    slots = len(all_slots)
    assert sites and added == slots > 0
    days = {slot.day.isoformat() for slot in all_slots}
    assert days == {f"2021-06-{day}" for day in range(17, 24)}

    assert seed(db) == 0
    again, again_slots = sites_and_slots(db)
    assert again == sites, "sites duplicated or changed"
    assert len(again_slots) == slots

    # One more day: only that day's slots are added, and the sites stay as they were.
    added = seed(db, "--days", "8")
    later, later_slots = sites_and_slots(db)
    assert added == sum(1 for slot in later_slots if slot.day.isoformat() == "2021-06-24") > 0
    assert len(later_slots) == slots + added
    assert later == sites
    names = Counter(site["name_en"] for site in later)
    assert [name for name, n in names.items() if n > 1] == []


# -- the demo, as README runs it, at any hour -------------------------------------------------

# `vaxbot` as if the machine's clock said $SYSTEM_NOW: the demo must work at whatever hour and on
# whatever day a newcomer runs it. (VAXBOT_NOW and --now are a chosen clock, and obeyed.)
AT_SYSTEM_NOW = (
    sys.executable,
    "-c",
    "import os, sys\n"
    "from datetime import datetime\n"
    "import bot.clock\n"
    "class SystemClock(datetime):\n"
    "    @classmethod\n"
    "    def now(cls, tz=None):\n"
    "        return datetime.fromisoformat(os.environ['SYSTEM_NOW']).astimezone(tz)\n"
    "bot.clock.datetime = SystemClock\n"
    "from channels.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n",
)
CHAT = ["chat", "--db", "{db}", "--from", PHONE]  # README's demo command, after seed-demo


def demo_booking() -> list[str]:
    """A newcomer's first booking: the golden conversation up to the district of the place,
    then Huangpu (open whenever any district is), its first site, the first day and period
    offered, and confirm."""
    script = load_transcript("book_dose1_zh")
    return [
        *script.sent[: script.index("请选择接种点所在区") + 1],
        "黄埔",
        "1",
        "1",
        "1",
        "确认预约",
    ]


def at_system_now(moment: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    [proc] = run_all([Call(args, cli_env(SYSTEM_NOW=moment), stdin=stdin, program=AT_SYSTEM_NOW)])
    return proc


@pytest.fixture(scope="module")
def seeded_on_friday(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the demo as README's seed-demo makes it on Friday 2026-11-20 at 10:00:
    seeded once for the tests that start from it (each works on a copy: ``friday_demo``)."""
    folder = tmp_path_factory.mktemp("friday")
    seeded = at_system_now("2026-11-20T10:00+08:00", "seed-demo", "--db", str(folder / "demo.db"))
    assert seeded.returncode == 0, seeded.stderr
    return folder


@pytest.fixture
def friday_demo(seeded_on_friday: Path, tmp_path: Path) -> Path:
    """A copy of the demo seeded on Friday at 10:00 (with whatever seed-demo put beside it)."""
    shutil.copytree(seeded_on_friday, tmp_path / "friday")
    return tmp_path / "friday" / "demo.db"


def booked_days(db: Path) -> list[str]:
    with closing(opened(db)) as store:
        days = []
        for row in store.booking_rows():
            slot = store.slot(row["slot_id"])
            if row["status"] == "active" and slot is not None:
                days.append(slot.day.isoformat())
    return days


def assert_booked(turns: Sequence[Turn]) -> None:
    said = turns[-1].said
    assert "预约成功" in said, "\n".join(turn.said for turn in turns)
    assert len(BOOKING_CODE.findall(said)) == 1, said


def test_the_readme_demo_books_at_night_days_after_it_was_seeded(friday_demo: Path) -> None:
    """Seeded on Friday morning; the chat is run on Monday at 22:30, when nobody can book."""
    db = friday_demo
    messages = demo_booking()
    args = [arg.format(db=db) for arg in CHAT]
    proc = at_system_now("2026-11-23T22:30+08:00", *args, "--jsonl", stdin=lines(messages))
    turns = turns_of(proc, messages)
    assert_booked(turns)
    assert "this demo chat runs at 2026-11-24T08:00+08:00" in proc.stderr
    assert booked_days(db)[0] >= "2026-11-24"


def test_seed_demo_prints_the_chat_command_at_a_moment_booking_is_open(tmp_path: Path) -> None:
    """Seeded at 21:30 (maintenance): the command it prints books, run on any later day."""
    db = tmp_path / "demo.db"
    seeded = at_system_now("2026-11-20T21:30+08:00", "seed-demo", "--db", str(db))
    assert seeded.returncode == 0, seeded.stderr
    [command] = [line for line in seeded.stderr.splitlines() if line.startswith("  ")]
    program, *args = shlex.split(command)
    assert program == "vaxbot"
    assert args == [arg.format(db=db) for arg in CHAT] + ["--now", "2026-11-21T08:00"]
    messages = demo_booking()
    proc = at_system_now("2026-11-25T03:00+08:00", *args, "--jsonl", stdin=lines(messages))
    assert_booked(turns_of(proc, messages))
    assert "this demo chat runs at" not in proc.stderr  # --now is the clock: nothing moved
    assert booked_days(db)[0] >= "2026-11-21"


def test_a_chosen_clock_is_obeyed_on_the_demo_too(friday_demo: Path) -> None:
    """VAXBOT_NOW at 22:30: the maintenance hours, as the resident is told; no booking."""
    db = friday_demo
    turns = chat(db, demo_booking(), now="2026-11-23T22:30")
    assert any("系统维护" in turn.said for turn in turns)
    assert not any("预约成功" in turn.said for turn in turns)
    assert booked_days(db) == []


def test_a_demo_run_again_weeks_later_books(friday_demo: Path) -> None:
    """The demo's places are over: chat says to seed again; seeding again (README's command
    does it) brings places from that day, and the chat books."""
    db = friday_demo
    later = "2027-01-05T19:00+08:00"
    messages = demo_booking()
    args = [arg.format(db=db) for arg in CHAT]
    stale = at_system_now(later, *args, "--jsonl", stdin=lines(messages[:1]))
    assert stale.returncode == 0 and f"vaxbot seed-demo --db {db}" in stale.stderr
    assert at_system_now(later, "seed-demo", "--db", str(db)).returncode == 0
    proc = at_system_now(later, *args, "--jsonl", stdin=lines(messages[1:]))
    assert_booked(turns_of(proc, messages[1:]))
    assert booked_days(db)[0] >= "2027-01-06"


def lines(messages: Sequence[str]) -> str:
    return "".join(message + "\n" for message in messages)
