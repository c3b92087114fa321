"""Conversations through the real ``vaxbot chat --jsonl``, run in subprocesses against a copy
of a demo database seeded once by the real ``seed-demo`` (a SQLite file, and for the tests that
ask for it a PostgreSQL database seeded by ``seed-demo --db postgresql://…``).

The golden dose-1 conversations of tests/transcripts are sent through the CLI, which must say
what they say (but for the codes: the transcripts' are sequential, the CLI's random), including
across two processes sharing one database; and rubbish (garbage, emoji, empty lines, 10,000
characters) gets short replies and changes nothing stored.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import (
    BOOKING_CODE,
    NOW,
    PHONE,
    TODAY,
    Exchange,
    Turn,
    chat,
    cli_env,
    load_transcript,
    vaxbot,
)
from tests.fakes.tables import opened, snapshot

PREREG_CODE = re.compile(r"(?<![0-9A-Z])R[2-9A-HJ-NP-Z]{7}(?![0-9A-Z])")

MAX_REPLY = 120  # characters: what a resident sending rubbish may get back, at most
DATA_TABLES = ("residents", "bookings", "slots")

ANY_CODE = re.compile(r"(?<![0-9A-Z])([BR])[0-9A-Z]{7}(?![0-9A-Z])")

GARBAGE = ["asdf;;;", "😀😀", "", "x" * 10_000]

# -- the database, as a test sees it ----------------------------------------------------------


def dump(db: Path | str, tables: Sequence[str] = DATA_TABLES) -> dict[str, list[dict[str, Any]]]:
    """Every row of ``tables``, in id order, exactly as stored."""
    with closing(opened(db)) as store:
        return snapshot(store, *tables)


def conversation(db: Path | str, sender: str = PHONE, channel: str = "sms") -> dict[str, Any]:
    with closing(opened(db)) as store:
        text = store.state_text(channel, sender)
    assert text is not None, f"no conversation stored for {sender}"
    state: dict[str, Any] = json.loads(text)
    return state


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database made once by the real ``seed-demo``; tests get copies of it."""
    db = tmp_path_factory.mktemp("template") / "demo.db"
    proc = vaxbot("seed-demo", "--db", str(db), "--today", TODAY, env=cli_env(VAXBOT_NOW=NOW))
    assert proc.returncode == 0, proc.stderr
    assert not Path(f"{db}-wal").exists(), "the seeding process left an unmerged WAL file"
    return db


@pytest.fixture(scope="module")
def postgres_seeded(postgres_server: str) -> str:
    """A PostgreSQL database made once by the real ``seed-demo --db postgresql://…``; the name
    of the template tests get copies of."""
    from tests.fakes import postgres

    name = "vaxbot_cli_template"
    url = postgres.create(postgres_server, name)
    proc = vaxbot("seed-demo", "--db", url, "--today", TODAY, env=cli_env(VAXBOT_NOW=NOW))
    assert proc.returncode == 0, proc.stderr
    return name


_copies = itertools.count(1)


@pytest.fixture
def db(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """A copy of the seeded demo: a SQLite file, or a PostgreSQL database's URL."""
    if backend == "postgresql":
        from tests.fakes import postgres

        server = request.getfixturevalue("postgres_server")
        template = request.getfixturevalue("postgres_seeded")
        name = f"vaxbot_cli_{next(_copies)}"
        yield postgres.create(server, name, template)
        postgres.drop(server, name)
        return
    copy = tmp_path / "vaxbot.db"
    shutil.copyfile(request.getfixturevalue("seeded_template"), copy)
    yield copy


# -- the golden conversations, through the CLI ----------------------------------------------


def render(turn: Turn) -> list[str]:
    """A turn's replies as transcript lines, codes masked."""
    lines: list[str] = []
    for reply in turn.replies:
        lines += reply["text"].split("\n")
        lines += [f"  {option['key']}. {option['label']}" for option in reply["options"]]
    return [mask(line) for line in lines]


def mask(text: str) -> str:
    return ANY_CODE.sub(r"\1*******", text)


def assert_as_transcribed(turns: Sequence[Turn], exchanges: Sequence[Exchange]) -> None:
    assert [turn.text for turn in turns] == [exchange.sent for exchange in exchanges]
    for turn, exchange in zip(turns, exchanges, strict=True):
        expected = [mask(line) for line in exchange.expected]
        assert render(turn) == expected, f"after {turn.text!r}"


def active_bookings(db: Path | str) -> list[tuple[Any, ...]]:
    with closing(opened(db)) as store:
        return [(b["code"], b["dose"], b["channel"]) for b in store.booking_rows()
                if b["status"] == "active"]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "success", "status", "now_flag", "backend"),
    [
        pytest.param("book_dose1_zh", "预约成功", "查询", False, "sqlite", id="zh-VAXBOT_NOW"),
        pytest.param("book_dose1_en", "Booked!", "status", True, "sqlite", id="en-now-flag"),
        pytest.param("book_dose1_zh", "预约成功", "查询", False, "postgresql", id="zh-postgresql"),
    ],
)
def test_book_dose_1_and_see_it_from_another_process(
    db: Path | str, name: str, success: str, status: str, now_flag: bool
) -> None:
    """The golden conversation, up to the booking, with an empty line before the confirmation."""
    script = load_transcript(name)
    done = script.index(success)
    messages = [*script.sent[:done], "", script.sent[done]]
    # With --now instead of VAXBOT_NOW, the same dates must be offered and the same slot booked.
    turns = script.chat(db, messages, now_flag)
    blank = turns.pop(-2)
    assert_as_transcribed(turns, script.exchanges[: done + 1])
    # The empty line got a short answer and left the confirmation on screen.
    assert_short([blank], turns[-2].replies[-1]["text"])

    said = turns[-1].said
    assert success in said
    codes = BOOKING_CODE.findall(said)
    assert len(codes) == 1, said
    assert active_bookings(db) == [(codes[0], 1, script.channel)]
    prereg = {code for turn in turns for code in PREREG_CODE.findall(turn.said)}
    assert len(prereg) == 1, prereg

    # Another process on the same file sees the booking.
    [answer] = script.chat(db, [status])
    assert codes[0] in answer.said, answer.said
    assert prereg <= set(PREREG_CODE.findall(answer.said))


def test_a_second_process_resumes_an_unfinished_conversation(db: Path) -> None:
    script = load_transcript("book_dose1_zh")
    ask_id = script.index("身份证号码")  # the name (and document type) given: ID number next
    first = script.chat(db, script.sent[: ask_id + 1])
    assert_as_transcribed(first, script.exchanges[: ask_id + 1])

    [resumed] = script.chat(db, [script.sent[ask_id + 1]])  # the ID number, in a new process
    assert_as_transcribed([resumed], [script.exchanges[ask_id + 1]])
    assert "手机号" in resumed.said, resumed.said
    labels = [option["label"] for reply in resumed.replies for option in reply["options"]]
    assert "预约接种" not in labels, "the new process started over at the menu"


# -- rubbish in, short replies out, nothing changed ---------------------------------------------


def assert_short(turns: Sequence[Turn], prompt: str = "") -> None:
    """Each reply is short: at most MAX_REPLY characters besides the re-asked ``prompt``."""
    for turn in turns:
        for text in turn.texts:
            assert len(text) <= MAX_REPLY + len(prompt), (turn.text[:20], text)
            assert "x" * 50 not in text, "the long message was echoed back"


def test_garbage_from_a_new_sender(db: Path) -> None:
    before = dump(db)
    turns = chat(db, GARBAGE, "+8613800138009")
    assert_short(turns)
    assert dump(db) == before


def test_garbage_in_the_middle_of_booking_changes_nothing(db: Path) -> None:
    script = load_transcript("book_dose1_zh")
    ask_date = script.index("请选择日期")  # registered, screened, site chosen: a date next
    setup = script.chat(db, script.sent[: ask_date + 1])
    assert_as_transcribed(setup, script.exchanges[: ask_date + 1])
    prompt = setup[-1].replies[-1]["text"]
    before, state = dump(db), conversation(db, script.sender, script.channel)
    assert before["residents"], "the resident should be registered by now"

    turns = script.chat(db, GARBAGE)
    assert_short(turns, prompt)
    for turn in turns[:3]:  # rubbish and an empty line: told so, and asked again
        assert prompt in turn.said, turn.said
    assert dump(db) == before
    assert conversation(db, script.sender, script.channel) == state, "the step has changed"

    # The next answer of the golden conversation carries on from where it stood.
    [carry_on] = script.chat(db, [script.sent[ask_date + 1]])
    assert_as_transcribed([carry_on], [script.exchanges[ask_date + 1]])


def test_an_empty_line_at_the_menu_keeps_the_menu(db: Path) -> None:
    """The menu is on screen; an accidental empty message; then the resident picks 1 (book)."""
    hello, blank, pick = chat(db, ["你好", "", "1"], "+8613800138008")
    assert hello.replies[-1]["options"][0]["key"] == "1"
    assert_short([blank])
    assert pick.said != "抱歉，没看懂。回复 菜单 查看功能，或 帮助。"
    assert "预登记须知" in pick.said, pick.said
