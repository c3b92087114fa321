"""The ``vaxbot`` command line."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import TextIO

from bot.clock import ClockError, make_clock
from bot.demo import seed_demo
from bot.engine import Engine
from bot.messages import Inbound, Reply
from flows.policy import Policy, PolicyError, load_policy
from store import Store


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="TOML",
        help="policy file merged over the shipped defaults (see docs/policy.md)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaxbot",
        description="Conversational booking for vaccination campaigns. "
        "Set VAXBOT_NOW=ISO8601 to freeze the clock (demos, tests).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    seed = commands.add_parser(
        "seed-demo",
        help="create or top up a demo database for Guangzhou",
        description="Create a demo database: all districts of the policy, sites, vaccine "
        "products and released slots. Safe to run again: it only adds missing slots.",
    )
    seed.add_argument("--db", required=True, help="SQLite file (created if missing)")
    seed.add_argument("--today", type=date.fromisoformat, help="first day with slots (YYYY-MM-DD)")
    seed.add_argument("--days", type=int, default=7, help="days of slots to create (default 7)")
    _common(seed)

    chat = commands.add_parser(
        "chat",
        help="talk to the bot as a resident, one message per line",
        description="A resident's conversation in the terminal. Reads one message per line "
        "from standard input and prints the bot's replies.",
    )
    chat.add_argument("--db", required=True, help="SQLite file (see seed-demo)")
    chat.add_argument(
        "--from", dest="sender", required=True, help="sender address, e.g. +8613800138000"
    )
    chat.add_argument("--channel", default="sms", help="channel to act as (default: sms)")
    chat.add_argument("--now", help="freeze the clock at this ISO 8601 moment")
    chat.add_argument(
        "--jsonl",
        action="store_true",
        help='print one JSON object per input line: {"in": ..., "replies": [...]}',
    )
    _common(chat)
    return parser


def _render(replies: list[Reply], out: TextIO) -> None:
    for reply in replies:
        out.write(reply.text + "\n")
        for option in reply.options:
            out.write(f"  {option.key}. {option.label}\n")
    out.flush()


def run_chat(engine: Engine, channel: str, sender: str, jsonl: bool, source: TextIO,
             out: TextIO) -> None:  # fmt: skip
    interactive = source.isatty() and not jsonl
    if interactive:
        _render(engine.handle(Inbound(channel, sender, "菜单")), out)
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = source.readline()
        if not line:
            break
        message = line.rstrip("\r\n")
        replies = engine.handle(Inbound(channel, sender, message))
        if jsonl:
            record = {"in": message, "replies": [r.to_json() for r in replies]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
        else:
            _render(replies, out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        policy: Policy = load_policy(args.config)
        clock = make_clock(policy.zone, getattr(args, "now", None))
    except (PolicyError, ClockError) as exc:
        print(f"vaxbot: {exc}", file=sys.stderr)
        return 2
    store = Store.open(args.db)
    try:
        if args.command == "seed-demo":
            now = clock()
            added = seed_demo(store, policy, args.today or now.date(), args.days, now)
            print(f"seeded {args.db}: {added} new slots", file=sys.stderr)
        elif args.command == "chat":
            # Residents write Chinese whatever the terminal's locale: always UTF-8.
            for stream in (sys.stdin, sys.stdout):
                if isinstance(stream, io.TextIOWrapper):
                    stream.reconfigure(encoding="utf-8", errors="replace")
            engine = Engine(store, policy, clock)
            run_chat(engine, args.channel, args.sender, args.jsonl, sys.stdin, sys.stdout)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
