"""``vaxbot operators add|list|disable|passwd``, and the login other operators' commands need.

A password comes from a prompt (twice, not echoed) or, with ``--password-stdin``, from the
first line of standard input (a supervisor's TOTP code, if enrolled, from the second line).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from bot.cli_common import db_option
from bot.clock import Clock
from bot.operators import (
    LoginRefused,
    OperatorExists,
    Session,
    UsageError,
    add_operator,
    disable_operator,
    list_lines,
    login,
    set_password,
)
from store import Store, StoreError, open_store


def add_operators_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> list[argparse.ArgumentParser]:
    """The ``operators`` command; returns its sub-commands (for the common options)."""
    operators = commands.add_parser(
        "operators",
        help="the console's operator accounts (add, list, disable, passwd)",
        description="Operator accounts for `vaxbot console` and the operators' commands. "
        "Roles: operator (look up, book, cancel, reschedule, mark attended, work the queues), "
        "supervisor (also lift no-show bars, reveal full ID and phone numbers with a reason, "
        "manage operators). Passwords are hashed with argon2. See docs/console.md.",
    )
    actions = operators.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an operator",
                             description="Add an operator with a role and a password.")  # fmt: skip
    add.add_argument("name", help="the operator's name, as shown on screen and in the audit")
    add.add_argument("--role", required=True, choices=("operator", "supervisor"))
    add.add_argument("--totp", action="store_true",
                     help="enrol a TOTP second factor (supervisors): prints the otpauth URI "
                     "once, for an authenticator app")  # fmt: skip
    listing = actions.add_parser("list", help="list operators",
                                 description="Names, roles, whether disabled.")  # fmt: skip
    disable = actions.add_parser("disable", help="disable an operator (they can no longer log in)",
                                 description="Disable an operator's login; the audit keeps "
                                 "what they did.")  # fmt: skip
    disable.add_argument("name")
    passwd = actions.add_parser("passwd", help="set an operator's password",
                                description="Set a new password for an operator.")  # fmt: skip
    passwd.add_argument("name")
    for command in (add, listing, disable, passwd):
        db_option(command)
    for command in (add, passwd):
        password_option(command)
    return [add, listing, disable, passwd]


def password_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (a TOTP code from the second)",
    )


def _admin() -> str:
    """Who runs ``vaxbot operators`` on the server (a deployer's shell account)."""
    try:
        return f"admin:{getpass.getuser()}"
    except (KeyError, OSError):
        return "admin:cli"


def read_secret(args: argparse.Namespace, prompt: str, *, twice: bool = False) -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError("give the password on stdin with --password-stdin")
    first = getpass.getpass(prompt)
    if twice and getpass.getpass("again: ") != first:
        raise UsageError("the passwords differ")
    return first


def run_operators(args: argparse.Namespace, clock: Clock) -> int:
    name = f"vaxbot operators {args.action}"
    if args.action != "add" and not _exists(args.db):
        print(f"{name}: no database at {args.db}", file=sys.stderr)
        return 2
    store = open_store(args.db)
    try:
        now, admin = clock(), _admin()
        if args.action == "list":
            print("\n".join(list_lines(store)) or "no operators")
        elif args.action == "add":
            password = read_secret(args, "password: ", twice=True)
            added, uri = add_operator(store, args.name, args.role, password, now, admin,
                                      totp=args.totp)  # fmt: skip
            print(f"added {added.name} ({added.role})")
            if uri:
                print(f"TOTP (enter once in the authenticator app): {uri}")
        elif args.action == "passwd":
            set_password(store, args.name, read_secret(args, "new password: ", twice=True),
                         now, admin)  # fmt: skip
            print(f"password set for {args.name}")
        else:
            disable_operator(store, args.name, now, admin)
            print(f"disabled {args.name}")
        return 0
    except OperatorExists as exc:
        print(f"{name}: an operator named {exc} exists already", file=sys.stderr)
        return 1
    except (UsageError, StoreError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()


def _exists(db: str) -> bool:
    return "://" in db or os.path.exists(db)


def authenticate(
    store: Store, args: argparse.Namespace, operator: str, clock: Clock, *,
    supervisor: bool = False, channel: str = "cli",
) -> Session:  # fmt: skip
    """Log ``operator`` in for one command (password from ``--password-stdin`` or a prompt);
    ``LoginRefused`` with a line for the operator when it fails or the role does not allow."""
    try:
        password = read_secret(args, f"password for {operator}: ")
    except UsageError as exc:
        raise LoginRefused(str(exc)) from None
    code = sys.stdin.readline().strip() if getattr(args, "password_stdin", False) else None
    found = store.operator(operator.strip())
    if code is None and found is not None and found.totp_secret and sys.stdin.isatty():
        code = input("TOTP code: ").strip()
    session = login(store, operator, password, clock(), channel, code or None)
    if supervisor and not session.supervisor:
        raise LoginRefused(f"{session.name} is not a supervisor")
    return session
