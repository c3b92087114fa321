"""The real ``vaxbot`` command line, run in subprocesses against a real SQLite file (and, for
the tests marked ``backends``, a PostgreSQL database seeded by the real ``seed-demo --db
postgresql://…``).

Every test here starts the installed CLI (``python -m channels.cli``) the way a deployer or a demo
would, so it covers what the in-process engine tests cannot: argument parsing, the clock from
``--now``/``VAXBOT_NOW``, the ``--jsonl`` wire format, exit codes and stderr, and two processes
sharing one database file. Starting a process costs about half a second, so each test batches
its messages into as few processes as it can.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from channels.cli import build_parser
from store import Slot
from tests.fakes.tables import opened, rows, snapshot

NOW = "2021-06-17T09:00"  # a Thursday; the demo is seeded from this day
TODAY = "2021-06-17"
PHONE = "+8613800138000"

BOOKING_CODE = re.compile(r"(?<![0-9A-Z])B[2-9A-HJ-NP-Z]{7}(?![0-9A-Z])")
PREREG_CODE = re.compile(r"(?<![0-9A-Z])R[2-9A-HJ-NP-Z]{7}(?![0-9A-Z])")
SEEDED = re.compile(r"(\d+) new slots")

MAX_REPLY = 120  # characters: what a resident sending rubbish may get back, at most
DATA_TABLES = ("residents", "bookings", "slots")
TIMEOUT = 60  # seconds per process: generous, only there so a hang fails instead of blocking

# The golden dose-1 conversations: the CLI is driven by what they send and must say what they say
# (but for the codes: the transcripts' are sequential, the CLI's random).
TRANSCRIPTS = Path(__file__).parent / "transcripts"
ANY_CODE = re.compile(r"(?<![0-9A-Z])([BR])[0-9A-Z]{7}(?![0-9A-Z])")

GARBAGE = ["asdf;;;", "😀😀", "", "x" * 10_000]


# -- running the CLI ------------------------------------------------------------------------


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for a CLI process: ours, without a frozen clock unless asked for."""
    env = {k: v for k, v in os.environ.items() if k != "VAXBOT_NOW"}
    env["PYTHONUTF8"] = "1"  # the JSON lines carry Chinese: don't depend on the host's locale
    env.update(extra)
    return env


CLI = (sys.executable, "-m", "channels.cli")  # the installed package, as `vaxbot` runs it


@dataclass(frozen=True)
class Call:
    """One run of the CLI (or of ``program``): arguments, environment, directory, input."""

    args: Sequence[str]
    env: Mapping[str, str] | None = None
    cwd: Path | None = None
    stdin: str = ""
    program: Sequence[str] = CLI


def run_all(calls: Sequence[Call]) -> list[subprocess.CompletedProcess[str]]:
    """Run ``calls`` side by side: each spends about half a second importing before it starts."""
    with ExitStack() as stack:
        procs = [
            stack.enter_context(
                subprocess.Popen(
                    [*call.program, *call.args],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    encoding="utf-8",
                    env=dict(call.env) if call.env is not None else cli_env(),
                    cwd=call.cwd,
                )
            )
            for call in calls
        ]
        stack.callback(_kill_running, procs)  # on the way out, before the pipes are closed
        results = []
        for call, proc in zip(calls, procs, strict=True):
            stdout, stderr = proc.communicate(call.stdin, timeout=TIMEOUT)
            results.append(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr))
        return results


def _kill_running(procs: Sequence[subprocess.Popen[str]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def vaxbot(
    *args: str,
    stdin: str = "",
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``vaxbot ARGS``."""
    [result] = run_all([Call(args, env, cwd, stdin)])
    return result


@dataclass(frozen=True)
class Turn:
    """One ``--jsonl`` record: the message as read and the replies' texts and options."""

    text: str
    replies: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [reply["text"] for reply in self.replies]

    @property
    def said(self) -> str:
        return "\n".join(self.texts)


def check_record(line: str) -> Turn:
    """Parse one output line, insisting on the documented shape and nothing else."""
    record = json.loads(line)
    assert isinstance(record, dict), line
    assert set(record) == {"in", "replies"}, line
    assert isinstance(record["in"], str), line
    replies = record["replies"]
    assert isinstance(replies, list) and replies, f"no reply at all: {line[:200]}"
    for reply in replies:
        assert isinstance(reply, dict) and set(reply) == {"text", "options"}, line
        assert isinstance(reply["text"], str) and reply["text"].strip(), f"empty reply: {line}"
        assert isinstance(reply["options"], list), line
        for option in reply["options"]:
            assert isinstance(option, dict) and set(option) == {"key", "label"}, line
            assert isinstance(option["key"], str) and option["key"].isdigit(), line
            assert isinstance(option["label"], str) and option["label"], line
        keys = [option["key"] for option in reply["options"]]
        assert keys == [str(i) for i in range(1, len(keys) + 1)], f"options not 1..n: {line}"
    return Turn(record["in"], replies)


def chat(
    db: Path | str,
    messages: Sequence[str],
    sender: str = PHONE,
    *,
    now: str | None = NOW,
    extra: Sequence[str] = (),
) -> list[Turn]:
    """Send ``messages`` through one ``vaxbot chat --jsonl`` process; one record per message.

    ``now`` is passed as ``VAXBOT_NOW``; with None, the process has no VAXBOT_NOW.
    """
    env = cli_env(VAXBOT_NOW=now) if now else cli_env()
    stdin = "".join(message + "\n" for message in messages)
    proc = vaxbot(
        "chat", "--db", str(db), "--from", sender, "--jsonl", *extra, stdin=stdin, env=env
    )
    return turns_of(proc, messages)


def turns_of(proc: subprocess.CompletedProcess[str], messages: Sequence[str]) -> list[Turn]:
    """The records of a ``vaxbot chat --jsonl`` run that was sent ``messages``."""
    assert proc.returncode == 0, proc.stderr
    # A turn that fails is logged with its traceback (to stderr) and answered with an apology.
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr
    lines = proc.stdout.split("\n")
    assert lines[-1] == "", "output must end with a newline"
    turns = [check_record(line) for line in lines[:-1]]
    assert len(turns) == len(messages), "exactly one JSON line per input line"
    assert [turn.text for turn in turns] == list(messages), "`in` echoes each input line"
    return turns


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


def sites_and_slots(db: Path) -> tuple[list[dict[str, Any]], list[Slot]]:
    """Every site as stored, and every slot."""
    with closing(opened(db)) as store:
        return rows(store, "sites"), store.slots()


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


# -- help -----------------------------------------------------------------------------------


def subcommands(
    parser: argparse.ArgumentParser,
) -> Iterator[tuple[list[str], argparse.ArgumentParser]]:
    """Every (sub)command path under ``parser`` with its parser, nested ones included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield [name], sub
                for path, nested in subcommands(sub):
                    yield [name, *path], nested


COMMANDS = sorted(subcommands(build_parser()), key=lambda item: item[0])


def test_the_parser_has_the_documented_commands() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"seed-demo", "chat"} <= names


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str
    created: list[str]  # files the process left in its working directory


CONSOLE_SCRIPT = Path(sys.executable).parent / "vaxbot"


@pytest.fixture(scope="module")
def help_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ran]:
    """``vaxbot --help`` and ``vaxbot CMD --help`` for every command, run side by side.

    Keyed by the command ("" for the top level); "script" is the console script's ``--help``.
    """
    names = ["", *(" ".join(path) for path, _ in COMMANDS)]
    calls = [Call([*name.split(), "--help"], cwd=tmp_path_factory.mktemp("help")) for name in names]
    if CONSOLE_SCRIPT.exists():
        names.append("script")
        calls.append(Call(["--help"], program=[str(CONSOLE_SCRIPT)]))
    runs: dict[str, Ran] = {}
    for name, call, proc in zip(names, calls, run_all(calls), strict=True):
        created = sorted(item.name for item in call.cwd.iterdir()) if call.cwd else []
        runs[name] = Ran(proc.returncode, proc.stdout, proc.stderr, created)
    return runs


def test_top_level_help(help_runs: dict[str, Ran]) -> None:
    run = help_runs[""]
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("usage: vaxbot")
    for path, _ in COMMANDS:
        if len(path) == 1:
            assert path[0] in run.stdout, f"`vaxbot --help` does not list {path[0]}"
    assert "VAXBOT_NOW" in run.stdout
    assert run.created == [], "--help must not create files"


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_command_help(
    path: list[str], parser: argparse.ArgumentParser, help_runs: dict[str, Ran]
) -> None:
    run = help_runs[" ".join(path)]
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"usage: vaxbot {' '.join(path)}")
    assert parser.description, "every command describes itself"
    assert " ".join(parser.description.split())[:40] in " ".join(run.stdout.split())
    for action in parser._actions:
        for option in action.option_strings:
            if option.startswith("--"):
                assert option in run.stdout, f"{option} missing from the help of {path}"
    assert run.created == [], "--help must not create files"


def test_the_console_script_is_installed(help_runs: dict[str, Ran]) -> None:
    run = help_runs["script"]
    assert run.returncode == 0, run.stderr
    assert run.stdout == help_runs[""].stdout


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


# -- the golden conversations, through the CLI ----------------------------------------------


@dataclass(frozen=True)
class Exchange:
    sent: str
    expected: list[str]  # the reply lines, as in the transcript (options indented)


@dataclass(frozen=True)
class Transcript:
    name: str
    now: str
    sender: str
    channel: str
    exchanges: list[Exchange]

    @property
    def sent(self) -> list[str]:
        return [exchange.sent for exchange in self.exchanges]

    def index(self, needle: str) -> int:
        """The first exchange whose expected reply contains ``needle``."""
        for i, exchange in enumerate(self.exchanges):
            if needle in "\n".join(exchange.expected):
                return i
        raise AssertionError(f"{self.name}: no reply contains {needle!r}")

    def chat(self, db: Path | str, messages: Sequence[str], now_flag: bool = False) -> list[Turn]:
        """Send ``messages`` as this conversation's sender, at its moment: by ``VAXBOT_NOW``,
        or with ``now_flag`` by ``--now`` (and no ``VAXBOT_NOW`` at all)."""
        extra = ["--channel", self.channel]
        if now_flag:
            return chat(db, messages, self.sender, now=None, extra=[*extra, "--now", self.now])
        return chat(db, messages, self.sender, now=self.now, extra=extra)


def load_transcript(name: str) -> Transcript:
    """A conversation of tests/transcripts (format: see test_transcripts.py)."""
    nows: list[str] = []
    sender, channel = PHONE, "sms"
    exchanges: list[Exchange] = []
    for line in (TRANSCRIPTS / f"{name}.txt").read_text("utf-8").splitlines():
        if line.startswith("@now "):
            nows.append(line.removeprefix("@now "))
        elif line.startswith("@from "):
            sender = line.removeprefix("@from ")
        elif line.startswith("@channel "):
            channel = line.removeprefix("@channel ")
        elif line.startswith("> ") or line == ">":
            exchanges.append(Exchange(line[2:], []))
        elif line.startswith("< ") or line == "<":
            exchanges[-1].expected.append(line[2:])
    assert len(nows) == 1, f"{name}: one CLI process has one clock: use one @now"
    assert nows[0].startswith(TODAY), f"{name}: the CLI tests seed the demo from {TODAY}"
    assert exchanges, name
    return Transcript(name, nows[0], sender, channel, exchanges)


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


# -- bad clock and bad configuration ----------------------------------------------------------


def assert_usage_error(proc: subprocess.CompletedProcess[str], *needles: str) -> list[str]:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.rstrip("\n").split("\n")
    assert "Traceback" not in proc.stderr, proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr
    return lines


def test_a_bad_clock_is_a_usage_error(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    bad_env = cli_env(VAXBOT_NOW="2021-13-45T99:00")
    flag, chat_env, seed_env = run_all(
        [
            Call(["chat", "--db", str(db), "--from", PHONE, "--now", "next tuesday"]),
            Call(["chat", "--db", str(db), "--from", PHONE], env=bad_env),
            Call(["seed-demo", "--db", str(db)], env=bad_env),
        ]
    )
    [line] = assert_usage_error(flag, "next tuesday")
    assert line.startswith("vaxbot:")
    for proc in (chat_env, seed_env):
        [line] = assert_usage_error(proc, "2021-13-45T99:00")
        assert line.startswith("vaxbot:")
    assert not db.exists(), "a usage error must not create the database"


def test_a_bad_config_is_a_usage_error_naming_each_key(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    one, two = tmp_path / "one.toml", tmp_path / "two.toml"
    one.write_text('[booking]\nmaintenance = "8-12"\n', "utf-8")
    two.write_text('[booking]\nmaintenance = "8-12"\nrelease_time = "noon"\n', "utf-8")
    chat_one, seed_two = run_all(
        [
            Call(["chat", "--db", str(db), "--from", PHONE, "--config", str(one)]),
            Call(["seed-demo", "--db", str(db), "--config", str(two)]),
        ]
    )
    [line] = assert_usage_error(chat_one, "booking.maintenance", "8-12")
    assert str(one) in line
    # Two problems: two lines, each naming its key.
    lines = assert_usage_error(seed_two, "booking.maintenance", "booking.release_time")
    assert len(lines) == 2, lines
    assert not db.exists(), "a usage error must not create the database"


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


def test_the_readme_demo_books_at_night_days_after_it_was_seeded(tmp_path: Path) -> None:
    """Seeded on Friday morning; the chat is run on Monday at 22:30, when nobody can book."""
    db = tmp_path / "demo.db"
    seeded = at_system_now("2026-11-20T10:00+08:00", "seed-demo", "--db", str(db))
    assert seeded.returncode == 0, seeded.stderr
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


def test_a_chosen_clock_is_obeyed_on_the_demo_too(tmp_path: Path) -> None:
    """VAXBOT_NOW at 22:30: the maintenance hours, as the resident is told; no booking."""
    db = tmp_path / "demo.db"
    assert at_system_now("2026-11-20T10:00+08:00", "seed-demo", "--db", str(db)).returncode == 0
    turns = chat(db, demo_booking(), now="2026-11-23T22:30")
    assert any("系统维护" in turn.said for turn in turns)
    assert not any("预约成功" in turn.said for turn in turns)
    assert booked_days(db) == []


def test_a_demo_run_again_weeks_later_books(tmp_path: Path) -> None:
    """The demo's places are over: chat says to seed again; seeding again (README's command
    does it) brings places from that day, and the chat books."""
    db = tmp_path / "demo.db"
    assert at_system_now("2026-11-20T10:00+08:00", "seed-demo", "--db", str(db)).returncode == 0
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
