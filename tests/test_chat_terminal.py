"""``vaxbot chat`` at a terminal and in a pipeline (issue 13): line editing at the prompt, and a
quiet stop when whoever reads its output goes away (``vaxbot chat … | head -1``). Real
subprocesses: a pipe, and a pseudo-terminal."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.texts import text
from tests.conftest import NOW

CLI = (sys.executable, "-m", "channels.cli")
DEADLINE = 60  # seconds: only there so that a hang fails instead of blocking the suite


@pytest.fixture
def demo_db(seeded_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "chat.db"
    shutil.copyfile(seeded_template, path)
    return path


def chat_command(db: Path) -> list[str]:
    return [*CLI, "chat", "--db", str(db), "--from", "+8613800138000", "--now", NOW]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "VAXBOT_NOW"}
    env.update(PYTHONUTF8="1", TERM="xterm")
    return env


def test_chat_stops_quietly_when_its_reader_goes_away(demo_db: Path) -> None:
    proc = subprocess.Popen(
        chat_command(demo_db),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(),
    )
    assert proc.stdin and proc.stdout and proc.stderr
    try:
        proc.stdin.write("菜单\n".encode())
        proc.stdin.flush()
        first = proc.stdout.readline().decode()  # what `head -1` reads, before it exits
        proc.stdout.close()
        proc.stdin.write("预约\n1\n".encode())  # the next reply has nowhere to go
        proc.stdin.close()
        returncode = proc.wait(timeout=DEADLINE)
        errors = proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert first == "请回复数字选择：\n"
    assert errors == ""  # no traceback, no "Exception ignored … BrokenPipeError"
    assert returncode == 1  # as Python's documentation does on EPIPE


def test_chat_without_a_reader_going_away_ends_normally(demo_db: Path) -> None:
    done = subprocess.run(
        chat_command(demo_db),
        input="菜单\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment(),
        timeout=DEADLINE,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("请回复数字选择：\n  1. 预约接种\n")


def _read_until(fd: int, wanted: bytes, seen: bytearray, after: bytes = b"") -> None:
    """Read the terminal into ``seen`` until ``wanted`` is in it (past ``after``, if given), or
    the deadline passes."""
    for _ in range(DEADLINE * 10):
        start = seen.find(after)
        if start >= 0 and wanted in seen[start + len(after) :]:
            return
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the other side closed
                break
    raise AssertionError(f"never saw {wanted!r} in {bytes(seen)!r}")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_the_up_arrow_at_the_prompt_brings_back_the_last_message(demo_db: Path) -> None:
    """At a terminal the prompt has line editing: ↑ then Enter sends "help" again."""
    controller, terminal = os.openpty()
    proc = subprocess.Popen(
        chat_command(demo_db),
        stdin=terminal,
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=environment(),
    )
    os.close(terminal)
    seen = bytearray()
    help_reply = text("en", "help")[:10].encode()  # HELP, one English command word: in English
    try:
        # Each key is typed once the prompt is back: what a terminal holds while readline
        # switches it to its own mode may be dropped.
        _read_until(controller, b"> ", seen)
        os.write(controller, b"help\r")
        _read_until(controller, help_reply, seen)
        _read_until(controller, b"> ", seen, after=help_reply)
        del seen[:]
        os.write(controller, b"\x1b[A\r")  # the up arrow, then Enter
        _read_until(controller, help_reply, seen)
        _read_until(controller, b"> ", seen, after=help_reply)
        os.write(controller, b"\x04")  # Ctrl-D: the end
        assert proc.wait(timeout=DEADLINE) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(controller)
        assert proc.stderr is not None
        errors = proc.stderr.read().decode()
        proc.stderr.close()
    assert "Traceback" not in errors
