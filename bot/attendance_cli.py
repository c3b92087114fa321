"""``vaxbot attendance mark``, ``noshow run``, ``residents unbar`` and ``followup list|record``:
what sites and hotline supervisors do from a shell, each as a logged-in operator where a person
acts (``bot/operators_cli.py``)."""

from __future__ import annotations

import argparse
import io
import sys

from bot.attendance import (
    NOSHOW_ACTOR,
    NotDone,
    UsageError,
    lift_bar,
    mark_attended,
    noshow_lines,
    operator_actor,
    run_noshows,
    unbar_line,
)
from bot.cli_common import common_options, db_option, missing_database
from bot.clock import Clock
from bot.followups import OUTCOMES, list_lines, record
from bot.operators import LoginRefused
from bot.operators_cli import authenticate, password_option
from flows.policy import Policy
from flows.rules import bar_rule
from store import StoreError, open_store


def add_attendance_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """``vaxbot attendance mark``, ``vaxbot noshow run``, ``vaxbot residents unbar``."""
    attendance = commands.add_parser(
        "attendance",
        help="record who came to their appointment",
        description="Attendance at the vaccination site: mark bookings attended, which records "
        "the dose each gave. See docs/operations.md.",
    )
    attendance_actions = attendance.add_subparsers(dest="action", required=True, metavar="ACTION")
    mark = attendance_actions.add_parser(
        "mark",
        help="mark bookings attended and record their doses",
        description="Mark each booking attended and record its dose (the appointment's day, "
        "site and product). One line per code. A booking whose day has not come, or that is "
        "already cancelled, attended or a no-show, is refused. Exit status 0 if every code "
        "was marked, 1 if some were not, 2 if the command cannot run.",
    )
    mark.add_argument("codes", nargs="+", metavar="CODE", help="booking codes (B…)")
    db_option(mark)
    mark.add_argument(
        "--operator",
        required=True,
        metavar="NAME",
        help="who marks them: an operator's account (logs in; see `vaxbot operators`)",
    )
    password_option(mark)
    common_options(mark)

    noshow = commands.add_parser(
        "noshow",
        help="the end-of-day no-show job",
        description="No-shows: bookings whose period is over and that were neither attended "
        "nor cancelled. More than booking.noshow_limit of them bar self-service booking.",
    )
    noshow_actions = noshow.add_subparsers(dest="action", required=True, metavar="ACTION")
    noshow_run = noshow_actions.add_parser(
        "run",
        help="mark past unattended bookings as no-shows",
        description="Mark every booking whose period is over, neither attended nor cancelled, "
        "as a no-show, and bar the people with more than booking.noshow_limit. Run it from "
        "cron at the end of the day, after attendance is entered; a second run marks nothing.",
    )
    db_option(noshow_run)
    common_options(noshow_run)

    residents = commands.add_parser(
        "residents",
        help="registered people: lift a no-show bar",
        description="Registered people. `residents unbar` lets a person barred for no-shows "
        "book by themselves again. See docs/operations.md.",
    )
    resident_actions = residents.add_subparsers(dest="action", required=True, metavar="ACTION")
    unbar = resident_actions.add_parser(
        "unbar",
        help="lift a person's no-show bar",
        description="Lift the no-show bar of a person given by ID number (or passport number) "
        "or pre-registration code (R…); their no-show count starts again from zero. Audited "
        "with the operator's name. Exit status 1 if nobody matches or the person is not barred.",
    )
    unbar.add_argument(
        "who", metavar="ID_NUMBER|PREREG_CODE", help="ID number or pre-registration code"
    )
    db_option(unbar)
    unbar.add_argument("--operator", required=True, metavar="NAME",
                       help="the supervisor who lifts it (logs in; audited)")  # fmt: skip
    password_option(unbar)
    common_options(unbar)


def add_followup_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``vaxbot followup list|record``: the phone follow-up list."""
    followup = commands.add_parser(
        "followup",
        help="the phone follow-up list of overdue dose-2 cases",
        description="Yellow (overdue) and red (close to the maximum interval) dose-2 cases, "
        "put on the list by the daily alerts job, for operators to call.",
    )
    actions = followup.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list",
        help="open cases, red first",
        description="Open follow-up cases, red first, then oldest. Phones are masked unless "
        "--reveal is given (for the operator making the calls).",
    )
    db_option(listing)
    listing.add_argument(
        "--reveal",
        action="store_true",
        help="show full phone numbers (a supervisor's login: --operator)",
    )
    listing.add_argument("--operator", metavar="NAME", help="the supervisor revealing (audited)")
    password_option(listing)
    common_options(listing)
    recording = actions.add_parser(
        "record",
        help="record the outcome of a call",
        description="Record what a follow-up call came to. booked, will-book and declined "
        "close the case; no-answer and wrong-number keep it on the list.",
    )
    recording.add_argument("id", type=int, help="the case number shown by `followup list`")
    recording.add_argument("--outcome", required=True, choices=sorted(OUTCOMES))
    recording.add_argument(
        "--operator",
        required=True,
        help="who made the call (an operator's account: logs in; audited)",
    )
    password_option(recording)
    db_option(recording)
    common_options(recording)


def run_attendance(args: argparse.Namespace, policy: Policy, clock: Clock) -> int:
    """``attendance mark``, ``noshow run``, ``residents unbar``: 0 done, 1 not all done, 2 usage."""
    name = f"vaxbot {args.command} {args.action}"
    for stream in (sys.stdout, sys.stderr):  # site names are Chinese whatever the locale
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        actor = operator_actor(args.operator) if hasattr(args, "operator") else NOSHOW_ACTOR
    except UsageError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    if missing_database(args.db, name):
        return 2
    store = open_store(args.db)
    try:
        if hasattr(args, "operator"):
            try:  # a person acting: their login, a supervisor's to lift a bar
                session = authenticate(store, args, args.operator, clock,
                                       supervisor=args.command == "residents")  # fmt: skip
            except LoginRefused as exc:
                print(f"{name}: {exc}", file=sys.stderr)
                return 2
            actor = session.actor
        now = clock()
        if args.command == "attendance":
            results = mark_attended(store, args.codes, now, actor, bars=bar_rule(policy))
            for result in results:
                print(result.line())
            return 0 if all(result.ok for result in results) else 1
        if args.command == "noshow":
            for line in noshow_lines(run_noshows(store, policy, now), policy, now):
                print(line)
            return 0
        try:
            before = lift_bar(store, args.who, now, actor)
        except UsageError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return 2
        except NotDone as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return 1
        print(unbar_line(before))
        return 0
    finally:
        store.close()


def run_followup(args: argparse.Namespace, clock: Clock) -> int:
    if missing_database(args.db, "vaxbot followup"):
        return 2
    store = open_store(args.db)
    try:
        if args.action == "list" and args.reveal and not args.operator:
            print("vaxbot followup: --reveal needs a supervisor's login (--operator NAME)",
                  file=sys.stderr)  # fmt: skip
            return 2
        if args.action == "record" or args.reveal:
            try:
                session = authenticate(store, args, args.operator, clock,
                                       supervisor=args.action == "list")  # fmt: skip
            except LoginRefused as exc:
                print(f"vaxbot followup: {exc}", file=sys.stderr)
                return 2
        if args.action == "list":
            if args.reveal:
                store.audits.record(clock(), session.actor, "cli", "reveal", "followups", "list",
                                    None, {"reason": "followup list --reveal"})  # fmt: skip
            print("\n".join(list_lines(store, args.reveal)))
            return 0
        try:
            print(record(store, args.id, args.outcome, session.name, clock()))
        except StoreError as exc:
            print(f"vaxbot followup: {exc}", file=sys.stderr)
            return 1
        return 0
    finally:
        store.close()
