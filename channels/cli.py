"""The ``vaxbot`` command: the resident/admin commands of ``bot.cli``, plus the long-running
processes that need channel adapters (``worker``, ``serve``) and the operator ``console``.

This is the composition root: the only place that builds channel adapters from configuration
and hands them to the engine's loops. Secrets come from the environment, never the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import sys
from collections.abc import Sequence

from bot import cli as bot_cli
from bot.cli_common import common_options, db_option, missing_database
from bot.clock import ClockError, make_clock
from bot.intake import DOOR_THREADS
from bot.offloop import STORE_THREADS
from channels import logs
from flows.policy import PolicyError, load_policy
from store import backend_of, open_store

CHANNEL_COMMANDS = ("worker", "serve")
CONFIG_COMMANDS = ("wechat",)  # talk to a provider's API once, then exit
ENV = {
    "VAXBOT_SMSGATE_URL": "SMS Gateway for Android: base URL of its API",
    "VAXBOT_SMSGATE_USER": "its basic-auth user",
    "VAXBOT_SMSGATE_PASSWORD": "its basic-auth password",
}


def build_parser() -> argparse.ArgumentParser:
    parser = bot_cli.build_parser()
    commands = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    worker = commands.add_parser(
        "worker",
        help="release slots, send reminders, alerts and offers, mark no-shows: all day",
        description="One long-running loop: releases slots at the release time, sends due "
        "outbox messages through the configured SMS gateway, and runs the reminders, dose-2 "
        "alerts, automatic assignment and end-of-day no-show jobs at their [jobs] times. "
        "Restarting it never sends a message twice. Gateway settings come from the "
        "environment: " + ", ".join(ENV) + ".",
    )
    db_option(worker)
    worker.add_argument(
        "--once", action="store_true", help="run until nothing is left to do now, then exit"
    )
    worker.add_argument(
        "--interval", type=float, default=5.0, help="seconds between ticks (default 5)"
    )
    _log_level(worker)
    common_options(worker)

    serve = commands.add_parser(
        "serve",
        help="run every channel: SMS webhooks, Telegram, email, and the worker",
        description="One asyncio process: GET /healthz; SMS webhooks POST /sms/twilio "
        "(Twilio-compatible form, answered with TwiML), /sms/twilio/status, /sms/android "
        "(SMS Gateway for Android) and /sms/json (any other gateway); the Telegram bot (with "
        "VAXBOT_TELEGRAM_TOKEN); the SMTP server (with VAXBOT_EMAIL_ADDRESS); and the worker. "
        "Secrets come from the environment (see README). SIGTERM shuts it down cleanly.",
    )
    db_option(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    serve.add_argument(
        "--threads",
        type=int,
        help="turns run at once, each in a thread with its own database connection (default: "
        "8 on PostgreSQL; 1 on SQLite, whose one writer takes one turn at a time anyway)",
    )
    serve.add_argument(
        "--insecure",
        action="store_true",
        help="accept unsigned webhook requests (local testing only)",
    )
    _log_level(serve)
    common_options(serve)

    wechat = commands.add_parser(
        "wechat",
        help="set up the WeChat Official Account (the custom menu)",
        description="WeChat Official Account set-up through its API (VAXBOT_WECHAT_APPID, "
        "VAXBOT_WECHAT_SECRET; see README and docs/wechat.md).",
    )
    wechat_commands = wechat.add_subparsers(dest="wechat_command", required=True)
    menu = wechat_commands.add_parser(
        "menu",
        help="install the custom menu: 预约接种 / 我的预约 / 常见问题",
        description="Installs the account's custom menu (预约接种 / 我的预约 / 常见问题) "
        "through the menu API; its buttons start booking, status and the help.",
    )
    db_option(menu)
    common_options(menu)

    console = commands.add_parser(
        "console",
        help="the hotline operator's console (lookup, book on behalf, follow-ups, rosters)",
        description="A full-screen console for hotline operators: look callers up, book for "
        "them through the same dialogue as SMS, cancel, reschedule, mark attended or no-show, "
        "lift bars, work the call-back and overdue queue, book a roster CSV, watch today's "
        "figures. Every change is audited with the operator's name. See docs/console.md.",
    )
    db_option(console)
    console.add_argument(
        "--operator",
        metavar="NAME",
        help="log in as NAME before the console opens (else: a login screen)",
    )
    console.add_argument("--password-stdin", action="store_true",
                         help="with --operator: the password from stdin's first line "
                         "(a TOTP code from the second)")  # fmt: skip
    console.add_argument("--caller", metavar="PHONE",
                         help="open this caller's record at once (caller ID from the phone "
                         "system)")  # fmt: skip
    console.add_argument("--lang", choices=("zh", "en"), default="zh", help="UI language")
    console.add_argument(
        "--lock-after",
        type=float,
        default=300,
        metavar="SECONDS",
        help="lock the console after this long without a key (default 300)",
    )
    console.add_argument(
        "--serve",
        action="store_true",
        help="serve the console to operators' browsers (textual-serve): each "
        "browser session is its own console, starting at the login screen",
    )
    console.add_argument("--host", default="127.0.0.1", help="--serve: address to listen on")
    console.add_argument("--port", type=int, default=8081, help="--serve: port (default 8081)")
    common_options(console)
    return parser


LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


def _log_level(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default=os.environ.get("VAXBOT_LOG_LEVEL", "info").lower(),
        help="info (default; or $VAXBOT_LOG_LEVEL): start, stop, a traffic summary a minute, "
        "problems; debug: also a line per message",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command not in (*CHANNEL_COMMANDS, *CONFIG_COMMANDS, "console"):
        return bot_cli.main(argv)
    if args.command == "console":
        return _console(args)
    if args.command == "wechat":
        from channels.wechat.menu import install_menu

        status, line = asyncio.run(install_menu(os.environ))
        print(f"vaxbot wechat menu: {line}", file=sys.stderr if status else sys.stdout)
        return status
    if args.log_level not in LOG_LEVELS:  # a default from the environment is not checked
        print(f"vaxbot: VAXBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}", file=sys.stderr)
        return 2
    try:
        policy = load_policy(args.config)
        clock = make_clock(policy.zone, None)
    except (PolicyError, ClockError) as exc:
        print(f"vaxbot: {exc}", file=sys.stderr)
        return 2
    logs.configure(LOG_LEVELS[args.log_level], policy.zone)  # times in the zone the bot works in
    if missing_database(args.db, f"vaxbot {args.command}"):
        return 2
    # The network stack is imported only for the commands that use it: `vaxbot chat` and the
    # admin commands start faster without aiohttp and the SMS adapters.
    from channels.runner import run_worker
    from channels.server import ConfigError, ListenError, Settings, serve
    from channels.telegram import TelegramConfigError, TelegramStartError

    settings = None
    if args.command == "serve":
        try:
            default_url = f"http://{args.host}:{args.port}"
            settings = Settings.from_env(os.environ, args.insecure, default_url)
            threads = (
                args.threads
                if args.threads is not None
                else (8 if backend_of(args.db) == "postgresql" else 1)
            )
            settings = dataclasses.replace(settings, threads=max(threads, 1))
        except ConfigError as exc:
            print(f"vaxbot serve: {exc}", file=sys.stderr)
            return 2
    # A connection for each of the turns' threads and the door's (bot/intake.py), each of the
    # outbox sender's and the worker's store threads (bot/offloop.py), and two for the health
    # probes and the webhooks' bookkeeping.
    turns = settings.threads + DOOR_THREADS if settings else 0
    store = open_store(args.db, connections=turns + STORE_THREADS + 2)
    try:
        if settings is not None:
            try:
                asyncio.run(serve(store, policy, clock, settings, args.host, args.port))
            except (TelegramConfigError, TelegramStartError, ListenError) as exc:
                print(f"vaxbot serve: {exc}", file=sys.stderr)
                return 2
        else:
            asyncio.run(run_worker(store, policy, clock, args.once, args.interval))
    finally:
        store.close()
    return 0


def _console(args: argparse.Namespace) -> int:
    """The console: served to browsers, or in this terminal after a login."""
    from bot.operators import LoginRefused
    from bot.operators_cli import authenticate
    from channels.console.app import run as run_console

    try:
        policy = load_policy(args.config)
        clock = make_clock(policy.zone, None)
    except (PolicyError, ClockError) as exc:
        print(f"vaxbot console: {exc}", file=sys.stderr)
        return 2
    if missing_database(args.db, "vaxbot console"):
        return 2
    if args.serve:
        from channels.console.served import serve_console

        serve_console(args.db, args.config, args.lang, args.lock_after, args.host, args.port)
        return 0
    store = open_store(args.db)
    try:
        session = None
        if args.operator is not None:
            try:  # before anything is shown: an unknown operator or a wrong password stops here
                session = authenticate(store, args, args.operator, clock, channel="console")
            except LoginRefused as exc:
                print(f"vaxbot console: {exc}", file=sys.stderr)
                return 2
            if args.password_stdin:
                _terminal_stdin()
        run_console(store, policy, clock, session, args.lang, caller=args.caller,
                    idle_lock=args.lock_after)  # fmt: skip
    finally:
        store.close()
    return 0


def _terminal_stdin() -> None:
    """After ``--password-stdin``, the console reads keys from the terminal, not the pipe."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return
    os.dup2(tty, 0)
    os.close(tty)


if __name__ == "__main__":
    sys.exit(main())
