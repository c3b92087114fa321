"""The ``vaxbot`` command line."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path

from bot.assign import run_assign, tqdm_progress
from bot.attendance_cli import (
    add_attendance_commands,
    add_followup_commands,
    run_attendance,
    run_followup,
)
from bot.backup_cli import add_backup_command, run_backup
from bot.chat_cli import chat, chat_clock, suggest_chat
from bot.cli_common import common_options, db_option, missing_database
from bot.clock import Clock, ClockError, make_clock
from bot.db_cli import add_db_commands, run_db
from bot.demo import seed_demo, sync_reference
from bot.engine import Engine
from bot.nlu_cli import add_nlu_commands, run_nlu
from bot.operators_cli import add_operators_command, run_operators
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
from store import DatabaseUnavailable, masked, open_store


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
    db_option(seed, "created if missing")
    seed.add_argument("--today", type=date.fromisoformat, help="first day with slots (YYYY-MM-DD)")
    seed.add_argument("--days", type=int, default=7, help="days of slots to create (default 7)")
    common_options(seed)

    chat = commands.add_parser(
        "chat",
        help="talk to the bot as a resident, one message per line",
        description="A resident's conversation in the terminal. Reads one message per line "
        "from standard input and prints the bot's replies.",
    )
    db_option(chat, "see seed-demo")
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
    common_options(chat)
    _add_admin_commands(commands)
    add_attendance_commands(commands)
    _add_assign_command(commands)
    add_followup_commands(commands)
    common_options(add_nlu_commands(commands))
    common_options(add_backup_command(commands))
    common_options(add_db_commands(commands))
    for privacy_command in add_privacy_commands(commands):
        common_options(privacy_command)
    for command in add_operators_command(commands):
        common_options(command)
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
    db_option(dose_import)
    dose_import.add_argument(
        "--report", metavar="OUT.csv", help="also write the per-row results to this CSV file"
    )
    common_options(dose_import)

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
    db_option(site_import)
    site_import.add_argument(
        "--report", metavar="OUT.csv", help="also write the per-row results to this CSV file"
    )
    common_options(site_import)

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
    db_option(add)
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
    common_options(add)
    slot_import = slot_actions.add_parser(
        "import",
        help="create unreleased slots listed in a CSV file",
        description="Create unreleased slots from a CSV file with the columns "
        "site,product,date,start,end,capacity; one line per row and a summary. "
        "Exit status 2 if the file cannot be read or lacks a column.",
    )
    slot_import.add_argument("file", metavar="FILE.csv", help="the slots (UTF-8 CSV)")
    db_option(slot_import)
    slot_import.add_argument(
        "--report", metavar="OUT.csv", help="also write the per-row results to this CSV file"
    )
    common_options(slot_import)
    slot_release = slot_actions.add_parser(
        "release",
        help="release the slots that are due now",
        description="Release every unreleased slot whose day is due: at the policy's "
        "release_time on day D, slots up to D + release_days_ahead. Run it from cron at "
        "the release time; running it again releases nothing new.",
    )
    db_option(slot_release)
    common_options(slot_release)


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
    db_option(assign)
    assign.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (there is none unless stderr is a TTY)",
    )
    common_options(assign)


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
        return run_attendance(args, policy, clock)
    if args.command == "assign":
        return _assign(args, policy, clock)
    if args.command == "followup":
        return run_followup(args, clock)
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
            suggest_chat(store, policy, now, args)
        elif args.command == "chat":
            clock = chat_clock(store, policy, clock, args)
            # Residents write Chinese whatever the terminal's locale: always UTF-8.
            for stream in (sys.stdin, sys.stdout):
                if isinstance(stream, io.TextIOWrapper):
                    stream.reconfigure(encoding="utf-8", errors="replace")
            return chat(Engine(store, policy, clock), args)
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
