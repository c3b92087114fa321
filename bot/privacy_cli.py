"""The privacy commands: ``vaxbot keys rotate``, ``vaxbot audit verify`` and ``vaxbot purge``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli_common import db_option
from bot.clock import Clock
from flows.policy import Policy
from store import DatabaseUnavailable, open_store
from store.crypto import new_key_text
from store.keys import ENV_KEY, key_source, read_key_file, write_key_file
from store.retention import Ages, Retention
from store.sealing import EVERY_COLUMN, remaining, reseal_all
from store.store import backend_of


def add_privacy_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> list[argparse.ArgumentParser]:
    """Add the commands; their parsers that take the common options (--config, --now)."""
    keys = commands.add_parser(
        "keys",
        help="the data key: rotate it (re-encrypt everything with a new key)",
        description="Field encryption at rest (docs/privacy.md).",
    )
    key_actions = keys.add_subparsers(dest="action", required=True)
    rotate = key_actions.add_parser(
        "rotate",
        help="re-encrypt ID numbers, health answers, states, replies and texts with a new key",
        description="With a key file: adds a new key at its top (running processes follow "
        "within seconds) and re-encrypts, batch by batch, everything under an older key. "
        "Resumable: run it again after an interruption and it goes on (no second new key "
        "while rows are left under an older one). With VAXBOT_DATA_KEY: put the new key "
        "first (NEW,OLD) and run it. --retire then drops the keys nothing uses any more.",
    )
    db_option(rotate)
    rotate.add_argument("--batch", type=int, default=500, help="rows per transaction")
    rotate.add_argument("--retire", action="store_true",
                        help="finish the rotation under way (no new key), then remove the "
                        "older keys from the key file")  # fmt: skip
    rotate.add_argument("--quiet", action="store_true", help="no progress bar")

    audit = commands.add_parser(
        "audit",
        help="check the tamper-evident audit trail",
        description="Walks the audit chain (each row hashed with the one before it).",
    )
    audit_actions = audit.add_subparsers(dest="action", required=True)
    verify = audit_actions.add_parser(
        "verify",
        help="exit 0 if the audit chain is intact; else name the first altered or missing row",
        description="Set VAXBOT_AUDIT_KEY to check the rows' signatures as well.",
    )
    db_option(verify)

    purge = commands.add_parser(
        "purge",
        help="purge data past its [retention] days (the worker does it daily)",
        description="Deletes message ids and stored replies, idle conversations, accounts "
        "that registered nobody, blanks delivered outbox texts and screening answers after "
        "the appointment, as the policy's [retention] says; prints counts.",
    )
    db_option(purge)
    purge.add_argument("--dry-run", action="store_true", help="only count what would go")
    return [rotate, verify, purge]


def ages(policy: Policy) -> Ages:
    kept = policy.retention
    return Ages(
        kept.message_ids_days,
        kept.idle_conversation_days,
        kept.stranger_account_days,
        kept.delivered_outbox_days,
        kept.screening_after_appointment_days,
    )


def run_privacy(args: argparse.Namespace, policy: Policy, clock: Clock) -> int:
    name = f"vaxbot {args.command}" + (f" {args.action}" if hasattr(args, "action") else "")
    if backend_of(args.db) == "sqlite" and not Path(args.db).is_file():
        print(f"{name}: no database at {args.db}", file=sys.stderr)
        return 2
    if args.command == "keys":
        return _rotate(args, name)
    try:
        store = open_store(args.db)
    except DatabaseUnavailable as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "audit":
            verdict = store.audit_verify()
            if not verdict.intact:
                print(f"{name}: {verdict.problem}", file=sys.stderr)
                return 1
            print(f"audit chain intact: {verdict.rows} rows; last hash {verdict.head}")
            return 0
        counts = Retention(store.db).purge(clock(), ages(policy), dry_run=args.dry_run)
        verb = "would purge" if args.dry_run else "purged"
        for kind, count in counts.items():
            print(f"{verb} {count}: {kind}")
        return 0
    finally:
        store.close()


def _rotate(args: argparse.Namespace, name: str) -> int:
    from tqdm import tqdm

    source = key_source(args.db, backend_of(args.db))
    try:
        store = open_store(args.db)
    except DatabaseUnavailable as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    try:
        keys = store.keys
        pending = sum(remaining(store.db, keys, EVERY_COLUMN).values())
        if source is not None and not pending and not args.retire:
            write_key_file(source, [new_key_text(), *read_key_file(source)])
            keys.refresh(force=True)
            print(f"{name}: new data key {keys.kid} added to {source}", file=sys.stderr)
        elif source is None and len(keys.keys) == 1:
            print(
                f"{name}: {ENV_KEY} holds one key: rotating re-encrypts under it", file=sys.stderr
            )
        left = sum(remaining(store.db, keys, EVERY_COLUMN).values())
        with tqdm(total=left, unit="row", disable=args.quiet, file=sys.stderr) as bar:

            def shown(_table: str, count: int) -> None:
                bar.update(count)

            done = reseal_all(store.db, keys, args.batch, shown, EVERY_COLUMN)
        print(f"re-encrypted {done} values under data key {keys.kid}")
        if (
            args.retire
            and source is not None
            and not sum(remaining(store.db, keys, EVERY_COLUMN).values())
        ):
            current = read_key_file(source)[0]
            write_key_file(source, [current])
            print(f"{name}: older keys removed from {source}", file=sys.stderr)
        return 0
    finally:
        store.close()
