"""``vaxbot db copy --from SRC --to DST``: a whole database between SQLite and PostgreSQL.

SRC and DST are ``--db`` values (a SQLite file path or ``postgresql://user:pass@host/db``).
The source must exist; the target is created (a SQLite file) or must exist (a PostgreSQL
database, made with ``createdb``), is migrated, and must hold no rows unless ``--replace``.
Progress goes to stderr (tqdm), the summary to stdout; any refusal is one line and exit 2.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tqdm import tqdm

from store import DatabaseUnavailable, Store, backend_of, masked, open_store
from store.copy import CopyError, copy, nonempty, plan

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def add_db_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    db = commands.add_parser(
        "db",
        help="database tools: copy a whole database between SQLite and PostgreSQL",
        description="Database tools. `vaxbot db copy` copies a whole database from a SQLite "
        "file to PostgreSQL (or back), every id and code kept.",
    )
    actions = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    copying = actions.add_parser(
        "copy",
        help="copy every row of one database into another (SQLite <-> PostgreSQL)",
        description="Copy a whole database, every id and code kept, in one transaction on "
        "the target; progress on stderr. The target is migrated first and must hold no rows "
        "unless --replace. Stop serve and worker on the source first: rows written during "
        "the copy may be missed.",
    )
    copying.add_argument(
        "--from", dest="source", required=True, metavar="SRC",
        help="the database to copy: a SQLite file or postgresql://… URL",
    )  # fmt: skip
    copying.add_argument(
        "--to", dest="target", required=True, metavar="DST",
        help="where to copy it: a SQLite file (created) or postgresql://… URL",
    )  # fmt: skip
    copying.add_argument(
        "--replace", action="store_true", help="delete the rows the target holds before copying"
    )
    copying.add_argument("--quiet", action="store_true", help="no progress bar")
    return db


def _usable(value: str, role: str, must_exist: bool) -> str | None:
    """Why ``value`` cannot be a ``--from``/``--to`` database, or None."""
    scheme = _SCHEME.match(value)
    if scheme and backend_of(value) != "postgresql":
        return f"{role} {masked(value)}: not a database URL vaxbot knows (postgresql://… or a file)"
    if scheme is None and must_exist and not Path(value).is_file():
        return f"{role} {value}: no such database file"
    if scheme is None and Path(value).is_dir():
        return f"{role} {value}: is a folder, not a database file"
    return None


def run_db(args: argparse.Namespace) -> int:
    name = "vaxbot db copy"
    for value, role, must_exist in ((args.source, "--from", True), (args.target, "--to", False)):
        if why := _usable(value, role, must_exist):
            print(f"{name}: {why}", file=sys.stderr)
            return 2
    if (
        backend_of(args.source) == "sqlite"
        and backend_of(args.target) == "sqlite"
        and (Path(args.source).resolve() == Path(args.target).resolve())
    ):
        print(f"{name}: --from and --to are the same database", file=sys.stderr)
        return 2
    stores: list[Store] = []
    try:
        try:
            for value in (args.source, args.target):
                stores.append(open_store(value))
        except DatabaseUnavailable as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return 2
        source, target = stores
        try:
            planned = plan(source.db, target.db)
            full = nonempty(target.db, [table for table, _, _ in planned.tables])
            if full and not args.replace:  # said before any progress bar (copy checks again)
                raise CopyError(
                    f"{masked(args.target)} is not empty ({', '.join(full[:4])}"
                    f"{', …' if len(full) > 4 else ''} hold rows); give --replace to overwrite it"
                )
            total = planned.rows
            with tqdm(total=total, unit="row", desc="copying", file=sys.stderr,
                      disable=args.quiet, dynamic_ncols=True) as bar:  # fmt: skip

                def shown(table: str, rows: int) -> None:
                    bar.set_postfix_str(table, refresh=False)
                    bar.update(rows)

                done = copy(source.db, target.db, replace=args.replace, progress=shown)
        except CopyError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return 2
    finally:
        for opened in stores:
            opened.close()
    print(
        f"copied {masked(args.source)} to {masked(args.target)}: {done.rows} rows "
        f"in {len(done.tables)} tables"
    )
    return 0
