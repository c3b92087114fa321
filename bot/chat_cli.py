"""``vaxbot chat``: a resident's conversation in the terminal (DESIGN.md §3), and the demo's
hints: the chat command to run, and the clock a demo chat stands at."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.clock import Clock
from bot.demo import bookable_now, booking_moment, is_demo
from bot.engine import Engine
from bot.intake import Intake
from bot.messages import Inbound, Reply
from flows.policy import Policy
from store import Store, masked


def _render(replies: list[Reply], out: TextIO) -> None:
    for reply in replies:
        out.write(reply.text + "\n")
        for option in reply.options:
            out.write(f"  {option.key}. {option.label}\n")
    out.flush()


def run_chat(engine: Engine, channel: str, sender: str, jsonl: bool, source: TextIO,
             out: TextIO) -> None:  # fmt: skip
    interactive = source.isatty() and not jsonl
    intake = Intake(engine)  # the one way in, as every channel's (no rate limit: a local user)
    if interactive:
        _line_editing()
        _render(intake.receive(Inbound(channel, sender, "菜单")).replies, out)
    while True:
        line = _prompt(source, out) if interactive else source.readline()
        if not line:
            break
        message = line.rstrip("\r\n")
        replies = intake.receive(Inbound(channel, sender, message)).replies
        if jsonl:
            record = {"in": message, "replies": [r.to_json() for r in replies]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
        else:
            _render(replies, out)


DEMO_SENDER = "+8613800138000"


def _program() -> str:
    """How the user started this command: ``.venv/bin/vaxbot`` as typed, else ``vaxbot``."""
    typed = sys.argv[0] if sys.argv else ""
    return typed if Path(typed).name == "vaxbot" else "vaxbot"


def _clock_text(store: Store, policy: Policy, moment: datetime) -> str:
    """``moment`` for ``--now``, read back in the policy's zone: to the minute if booking is
    still open then, else to the second."""
    minute = moment.replace(second=0, microsecond=0)
    if minute == moment or bookable_now(store, policy, minute):
        return minute.strftime("%Y-%m-%dT%H:%M")
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def suggest_chat(store: Store, policy: Policy, now: datetime, args: argparse.Namespace) -> None:
    """Print the chat command for the demo, its clock set to a moment booking is open."""
    moment = booking_moment(store, policy, now)
    if moment is None:  # e.g. a policy whose campaign covers every seeded day
        print("no moment ahead at which the demo's places can be booked", file=sys.stderr)
        return
    command = [_program(), "chat", "--db", masked(args.db), "--from", DEMO_SENDER]
    if args.config:
        command += ["--config", args.config]
    command += ["--now", _clock_text(store, policy, moment)]
    print(f"to chat as a resident at a moment booking is open:\n  {shlex.join(command)}",
          file=sys.stderr)  # fmt: skip


def chat_clock(store: Store, policy: Policy, clock: Clock, args: argparse.Namespace) -> Clock:
    """The clock of a chat. ``--now`` and ``VAXBOT_NOW`` are obeyed as given; without them, a
    chat on the demo database stands at the present moment if booking is open then, else at the
    next moment it is, and says so: the demo works at any hour of the night."""
    if args.now or os.environ.get("VAXBOT_NOW") or not is_demo(store):
        return clock
    now = clock()
    moment = booking_moment(store, policy, now)
    if moment is None:
        print(
            f"vaxbot chat: the demo has no places left to book; run `{_program()} seed-demo "
            f"--db {shlex.quote(masked(args.db))}` again to add some from today",
            file=sys.stderr,
        )
        return clock
    if moment != now:
        print(f"vaxbot chat: booking is closed at {now.isoformat(timespec='minutes')}; this demo "
              f"chat runs at {moment.isoformat(timespec='minutes')}, when it is open (--now or "
              "VAXBOT_NOW sets another moment)", file=sys.stderr)  # fmt: skip
    return lambda: moment


def _line_editing() -> None:
    """Arrow keys and history at the prompt: ``input()`` uses readline once it is imported."""
    from contextlib import suppress

    with suppress(ImportError):  # a Python built without it (Windows)
        import readline  # noqa: F401


def _prompt(source: TextIO, out: TextIO) -> str:
    """One line typed at the terminal, with its newline; "" at the end of input (Ctrl-D)."""
    if source is not sys.stdin or out is not sys.stdout:  # input() reads and writes only these
        out.write("> ")
        out.flush()
        return source.readline()
    try:
        return input("> ") + "\n"
    except EOFError:
        out.write("\n")
        return ""


def chat(engine: Engine, args: argparse.Namespace) -> int:
    """``vaxbot chat``: 0 at the end of input; quiet when stopped early."""
    try:
        run_chat(engine, args.channel, args.sender, args.jsonl, sys.stdin, sys.stdout)
    except BrokenPipeError:
        # Whoever reads the output went away (`vaxbot chat … | head -1`). As Python's docs
        # advise: point stdout at devnull, so that flushing it at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:  # Ctrl-C at the prompt
        print(file=sys.stderr)
        return 130
    return 0
