"""What every ``vaxbot`` subcommand shares: the ``--db`` and ``--config`` options, and the check
that the database named by ``--db`` exists."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from store import DatabaseUnavailable, backend_of, open_store


def db_option(parser: argparse.ArgumentParser, note: str = "must exist") -> None:
    """``--db``: every command takes a SQLite file or a PostgreSQL URL (DESIGN.md §3)."""
    parser.add_argument(
        "--db",
        required=True,
        metavar="PATH|URL",
        help=f"the database: a SQLite file or a postgresql:// URL ({note})",
    )


def common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="TOML",
        help="policy file merged over the shipped defaults (see docs/policy.md)",
    )


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
