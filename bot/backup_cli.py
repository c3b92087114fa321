"""``vaxbot backup --db PATH --to FILE``: a consistent copy of a live SQLite database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from store import backend_of
from store.sqlite import BackupError, backup


def add_backup_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    command = commands.add_parser(
        "backup",
        help="copy the live SQLite database to a file (safe while serve and worker run)",
        description="SQLite's online backup: the database as it was at one moment, copied "
        "while serve and worker keep writing, checked, then moved into place (mode 0600). "
        "For PostgreSQL use pg_dump or continuous archiving (docs/deploy.md).",
    )
    command.add_argument("--db", required=True, help="the SQLite file to back up")
    command.add_argument("--to", required=True, type=Path, help="the backup file to write")
    command.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return command


def run_backup(args: argparse.Namespace) -> int:
    if backend_of(args.db) == "postgresql":
        print(
            "vaxbot backup: copies a SQLite file; back up PostgreSQL with pg_dump or "
            'continuous archiving (docs/deploy.md, "Backups and restore")',
            file=sys.stderr,
        )
        return 2

    def shown(copied: int, total: int) -> None:
        if not args.quiet:
            print(f"\rbackup: {copied}/{total} pages", end="", file=sys.stderr, flush=True)

    try:
        pages = backup(Path(args.db), args.to, shown)
    except (BackupError, OSError) as error:
        print(f"\nvaxbot backup: {error}" if not args.quiet else f"vaxbot backup: {error}",
              file=sys.stderr)  # fmt: skip
        return 2
    if not args.quiet:
        print(file=sys.stderr)
    print(f"backed up {args.db} to {args.to} ({pages} pages, integrity ok)")
    return 0
