"""The ``vaxbot`` command line."""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from bot.assign import run_assign, tqdm_progress
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
from bot.backup_cli import add_backup_command, run_backup
from bot.clock import Clock, ClockError, make_clock
from bot.db_cli import add_db_commands, run_db
from bot.demo import bookable_now, booking_moment, is_demo, seed_demo, sync_reference
from bot.engine import Engine
from bot.followups import OUTCOMES, list_lines, record
from bot.intake import Intake
from bot.messages import Inbound, Reply
from bot.nlu_cli import add_nlu_commands, run_nlu
from bot.operators import LoginRefused
from bot.operators_cli import add_operators_command, authenticate, password_option, run_operators
from bot.privacy_cli import add_privacy_commands, run_privacy
from bot.records import DOSE_COLUMNS, TableError, import_doses, read_table, summary, write_report
from bot.sites_admin import SITE_COLUMNS, import_sites
from bot.slots_admin import (
    SLOT_COLUMNS,
    Added,
    AdminError,
    add_slots,
    import_slots,
    release,
    release_moment,
)
from flows.policy import Policy, PolicyError, load_policy
from flows.rules import bar_rule
from store import DatabaseUnavailable, Store, StoreError, backend_of, masked, open_store


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
    _add_admin_commands(commands)
    _add_attendance_commands(commands)
    _add_assign_command(commands)
    _add_followup_commands(commands)
    _common(add_nlu_commands(commands))
    _common(add_backup_command(commands))
    _common(add_db_commands(commands))
    for privacy_command in add_privacy_commands(commands):
        _common(privacy_command)
    for command in add_operators_command(commands):
        _common(command)
    return parser


def _add_admin_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``vaxbot doses ...`` and ``vaxbot slots ...``: for operators and deployers."""
    doses = commands.add_parser(
        "doses",
        help="dose records from other systems",
        description="Dose records kept elsewhere (other vaccination systems, paper registers): "
        "import them so the bot knows who has had which dose. See docs/operations.md.",
    )
    dose_actions = doses.add_subparsers(dest="action", required=True, metavar="ACTION")
    dose_import = dose_actions.add_parser(
        "import",
        help="record the doses listed in a CSV file",
        description="Record the doses of a CSV file (id_number,name,phone,dose,date,site,product "
        "or 身份证号,姓名,手机号,剂次,接种日期,接种点,疫苗), registering people not yet known. "
        "Each row is checked and recorded on its own; prints one line per row and a summary. "
        "Exit status 2 if the file cannot be read or lacks a column.",
    )
    dose_import.add_argument("file", metavar="FILE.csv", help="the dose records (UTF-8 CSV)")
    dose_import.add_argument("--db", required=True, help="SQLite file (must exist)")
    dose_import.add_argument(
        "--report", metavar="OUT.csv", help="also write the per-row results to this CSV file"
    )
    _common(dose_import)

    sites = commands.add_parser(
        "sites",
        help="vaccination sites and their attributes",
        description="Vaccination sites: add or update them from a CSV file (district, names, "
        "addresses, hours, evening sessions, mobile vehicle, accessibility, closed on public "
        "holidays). See docs/operations.md.",
    )
    site_actions = sites.add_subparsers(dest="action", required=True, metavar="ACTION")
    site_import = site_actions.add_parser(
        "import",
        help="add or update sites from a CSV file",
        description="Add or update sites from a CSV file with the columns "
        + ",".join(SITE_COLUMNS)
        + ". A site is known by its English name; importing it again updates it.",
    )
    site_import.add_argument("file", help="CSV file (UTF-8)")
    site_import.add_argument("--db", required=True, help="SQLite file (must exist)")
    site_import.add_argument(
        "--report", metavar="OUT.csv", help="also write the per-row results to this CSV file"
    )
    _common(site_import)

    slots = commands.add_parser(
        "slots",
        help="create and release appointment slots",
        description="Appointment slots: create them (unreleased, invisible to residents) by hand "
        "or from a CSV file, and release them at the policy's daily release time.",
    )
    slot_actions = slots.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = slot_actions.add_parser(
        "add",
        help="create unreleased slots for a site, days and periods",
        description="Create unreleased slots at one site for each day from --from to --to and "
        "each --period. Slots already there (same site, product, day and start) are kept "
        "as they are. Nothing is written if any option is wrong (exit status 2).",
    )
    add.add_argument("--db", required=True, help="SQLite file (must exist)")
    add.add_argument("--site", required=True, metavar="NAME_OR_ID", help="site id or name")
    add.add_argument("--product", required=True, metavar="ID", help="vaccine product, e.g. bbibp")
    add.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD", help="first day")
    add.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last day (default: --from)")
    add.add_argument(
        "--period",
        dest="periods",
        action="append",
        required=True,
        metavar="HH:MM-HH:MM",
        help="a period of each day; repeat for several",
    )
    add.add_argument("--capacity", required=True, type=int, metavar="N", help="places in each slot")
    _common(add)
    slot_import = slot_actions.add_parser(
        "import",
        help="create unreleased slots listed in a CSV file",
        description="Create unreleased slots from a CSV file with the columns "
        "site,product,date,start,end,capacity; one line per row and a summary. "
        "Exit status 2 if the file cannot be read or lacks a column.",
    )
    slot_import.add_argument("file", metavar="FILE.csv", help="the slots (UTF-8 CSV)")
    slot_import.add_argument("--db", required=True, help="SQLite file (must exist)")
    slot_import.add_argument(
        "--report", metavar="OUT.csv", help="also write the per-row results to this CSV file"
    )
    _common(slot_import)
    slot_release = slot_actions.add_parser(
        "release",
        help="release the slots that are due now",
        description="Release every unreleased slot whose day is due: at the policy's "
        "release_time on day D, slots up to D + release_days_ahead. Run it from cron at "
        "the release time; running it again releases nothing new.",
    )
    slot_release.add_argument("--db", required=True, help="SQLite file (must exist)")
    _common(slot_release)


def _add_attendance_commands(
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
    mark.add_argument("--db", required=True, help="SQLite file (must exist)")
    mark.add_argument(
        "--operator",
        required=True,
        metavar="NAME",
        help="who marks them: an operator's account (logs in; see `vaxbot operators`)",
    )
    password_option(mark)
    _common(mark)

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
    noshow_run.add_argument("--db", required=True, help="SQLite file (must exist)")
    _common(noshow_run)

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
    unbar.add_argument("--db", required=True, help="SQLite file (must exist)")
    unbar.add_argument("--operator", required=True, metavar="NAME",
                       help="the supervisor who lifts it (logs in; audited)")  # fmt: skip
    password_option(unbar)
    _common(unbar)


def _add_assign_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``vaxbot assign``: the pre-registration batch."""
    assign = commands.add_parser(
        "assign",
        help="offer free places to the people in the pre-registration queue",
        description="Pre-registration with automatic assignment: expire the offers nobody "
        "answered in time, then offer the released places (today to the last released day) to "
        "the people waiting, longest since their previous dose first, preferring their "
        "district and period, and text each an offer to accept (1) or decline (2) within "
        "assignment.offer_hours. Run it from cron at the start of the maintenance window and "
        "during the day, so unanswered places move on; a second run offers nothing new "
        "unless places were freed. See docs/operations.md.",
    )
    assign.add_argument("--db", required=True, help="SQLite file (must exist)")
    assign.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (there is none unless stderr is a TTY)",
    )
    _common(assign)


def _add_followup_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    listing.add_argument("--db", required=True, help="SQLite file")
    listing.add_argument(
        "--reveal",
        action="store_true",
        help="show full phone numbers (a supervisor's login: --operator)",
    )
    listing.add_argument("--operator", metavar="NAME", help="the supervisor revealing (audited)")
    password_option(listing)
    _common(listing)
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
    recording.add_argument("--db", required=True, help="SQLite file")
    _common(recording)


def _followup(args: argparse.Namespace, clock: Clock) -> int:
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


def _suggest_chat(store: Store, policy: Policy, now: datetime, args: argparse.Namespace) -> None:
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


def _chat_clock(store: Store, policy: Policy, clock: Clock, args: argparse.Namespace) -> Clock:
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


def _chat(engine: Engine, args: argparse.Namespace) -> int:
    """``vaxbot chat``: 0 at the end of input; quiet when stopped early."""
    try:
        run_chat(engine, args.channel, args.sender, args.jsonl, sys.stdin, sys.stdout)
    except BrokenPipeError:
        # Whoever reads the output went away (`vaxbot chat … | head -1`). As Python's docs
        # advise: point stdout at devnull, so that flushing it at exit does not fail again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:  # Ctrl-C at the prompt
        print(file=sys.stderr)
        return 130
    return 0


def missing_database(path: str, command: str) -> bool:
    """Say so on stderr if there is no database file at ``path`` (commands never create one
    by accident from a mistyped --db; ``seed-demo`` makes one), or if ``path`` names a
    PostgreSQL database that cannot be reached."""
    if backend_of(path) != "sqlite":
        try:
            open_store(path).close()
        except DatabaseUnavailable as exc:
            print(f"{command}: {exc}", file=sys.stderr)
            return True
        return False
    if Path(path).is_file():
        return False
    print(f"{command}: no database at {path} (see vaxbot seed-demo)", file=sys.stderr)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        policy: Policy = load_policy(args.config)
        clock = make_clock(policy.zone, getattr(args, "now", None))
    except (PolicyError, ClockError) as exc:
        print(f"vaxbot: {exc}", file=sys.stderr)
        return 2
    if args.command in ("doses", "slots", "sites"):
        return _admin(args, policy, clock)
    if args.command in ("attendance", "noshow", "residents"):
        return _attendance(args, policy, clock)
    if args.command == "assign":
        return _assign(args, policy, clock)
    if args.command == "followup":
        return _followup(args, clock)
    if args.command == "nlu":
        return run_nlu(args, policy, clock)
    if args.command == "operators":
        return run_operators(args, clock)
    if args.command == "backup":
        return run_backup(args)
    if args.command == "db":
        return run_db(args)
    if args.command in ("keys", "audit", "purge"):
        return run_privacy(args, policy, clock)
    try:
        store = open_store(args.db)
    except DatabaseUnavailable as exc:
        print(f"vaxbot {args.command}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "seed-demo":
            now = clock()
            added = seed_demo(store, policy, args.today or now.date(), args.days, now)
            print(f"seeded {masked(args.db)}: {added} new slots", file=sys.stderr)
            _suggest_chat(store, policy, now, args)
        elif args.command == "chat":
            clock = _chat_clock(store, policy, clock, args)
            # Residents write Chinese whatever the terminal's locale: always UTF-8.
            for stream in (sys.stdin, sys.stdout):
                if isinstance(stream, io.TextIOWrapper):
                    stream.reconfigure(encoding="utf-8", errors="replace")
            return _chat(Engine(store, policy, clock), args)
    finally:
        store.close()
    return 0


def _admin(args: argparse.Namespace, policy: Policy, clock: Clock) -> int:
    """``doses import``, ``slots add|import|release``; 2 if the input cannot be used at all."""
    name = f"vaxbot {args.command} {args.action}"
    for stream in (sys.stdout, sys.stderr):  # site names are Chinese whatever the locale
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    if missing_database(args.db, name):
        return 2
    with ExitStack() as stack:
        try:
            rows = None
            if args.action == "import":
                columns = {"doses": DOSE_COLUMNS, "sites": SITE_COLUMNS}.get(
                    args.command, SLOT_COLUMNS
                )
                rows = read_table(args.file, columns)
            report = None
            if getattr(args, "report", None):
                report = stack.enter_context(open(args.report, "w", encoding="utf-8-sig"))
        except TableError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"{name}: --report {args.report}: {exc.strerror}", file=sys.stderr)
            return 2
        store = open_store(args.db)
        stack.callback(store.close)
        now = clock()
        if rows is not None:
            if args.command == "doses":
                actor = f"import:{Path(args.file).name}"
                results = import_doses(store, policy, rows, now, actor=actor)
            elif args.command == "sites":
                sync_reference(store, policy)
                results = import_sites(store, policy, rows)
            else:
                results = import_slots(store, policy, rows, now)
            for result in results:
                print(result.line())
            print(summary(results))
            if report is not None:
                subject = {"doses": "id_number", "sites": "site"}.get(args.command, "slot")
                write_report(results, report, subject)
        elif args.action == "add":
            try:
                added = add_slots(
                    store, policy, site=args.site, product=args.product, first=args.first,
                    last=args.last, periods=args.periods, capacity=args.capacity, now=now,
                )  # fmt: skip
            except AdminError as exc:
                print(f"{name}: {exc}", file=sys.stderr)
                return 2
            _print_added(added, policy, now)
        else:
            released = release(store, policy, now)
            print(f"released {released.count} slots (days up to {released.last_day})")
    return 0


def _attendance(args: argparse.Namespace, policy: Policy, clock: Clock) -> int:
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


def _assign(args: argparse.Namespace, policy: Policy, clock: Clock) -> int:
    """``assign``: 0 when the run is done, 2 if it cannot run."""
    if missing_database(args.db, "vaxbot assign"):
        return 2
    store = open_store(args.db)
    try:
        result = run_assign(store, policy, clock(), tqdm_progress(args.quiet))
    finally:
        store.close()
    print(result.line())
    return 0


def _print_added(added: Added, policy: Policy, now: datetime) -> None:
    site = added.site
    days = f"{added.first}" if added.first == added.last else f"{added.first} to {added.last}"
    print(
        f"added {added.added} slots at {site.name_zh} ({site.name_en}, id {site.id}): "
        f"{added.product_id}, {days}, {' '.join(added.periods)}, capacity {added.capacity} each"
    )
    if added.kept:
        kept = ", ".join(f"{day} {start}" for day, start in added.kept)
        print(f"kept {len(added.kept)} existing slots unchanged: {kept}")
    if not added.added:
        return
    due = release_moment(policy, added.first)
    if due <= now:
        print(f"not released yet: {added.first} is due, run `vaxbot slots release`")
    else:
        print(
            f"not released yet: `vaxbot slots release` releases {added.first} from "
            f"{due:%Y-%m-%d %H:%M}, each later day a day later"
        )


if __name__ == "__main__":
    raise SystemExit(main())
