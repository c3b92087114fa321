"""What the tests of the real ``vaxbot`` command line share (tests/test_cli_*.py): running the
CLI in subprocesses (``run_all``, ``vaxbot``, ``chat``), the documented ``--jsonl`` records it
prints, and the golden dose-1 conversations of tests/transcripts that drive it.

Starting a process costs about half a second, so each test batches its messages into as few
processes as it can.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOW = "2021-06-17T09:00"  # a Thursday; the demo is seeded from this day
TODAY = "2021-06-17"
PHONE = "+8613800138000"

BOOKING_CODE = re.compile(r"(?<![0-9A-Z])B[2-9A-HJ-NP-Z]{7}(?![0-9A-Z])")

TIMEOUT = 60  # seconds per process: generous, only there so a hang fails instead of blocking

# The golden dose-1 conversations: the CLI is driven by what they send and must say what they say
# (but for the codes: the transcripts' are sequential, the CLI's random).
TRANSCRIPTS = Path(__file__).parent / "transcripts"

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
    """Run ``calls`` side by side, a few at a time (each spends about half a second importing
    before it starts: forty at once on a loaded machine would outlast their timeouts)."""
    at_once = 2 * (os.cpu_count() or 1)
    results: list[subprocess.CompletedProcess[str]] = []
    for first in range(0, len(calls), at_once):
        results += _run_together(calls[first : first + at_once])
    return results


def _run_together(calls: Sequence[Call]) -> list[subprocess.CompletedProcess[str]]:
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
