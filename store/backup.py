"""``vaxbot backup``: a consistent copy of a live SQLite database (SQLite's online backup API).

The copy is taken page by page while ``serve`` and ``worker`` keep writing; pages changed
meanwhile are copied again, so the file written is the database as it was at one moment. The
copy is written to a temporary file beside the target, checked (``PRAGMA integrity_check``) and
only then renamed over it, so a failed or interrupted backup never leaves a half-written file
where the last good one was. PostgreSQL is backed up with its own tools (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

PAGES_PER_STEP = 1024  # 4 MiB with SQLite's default page size; writers get in between steps


class BackupError(RuntimeError):
    pass


def backup(source: Path, target: Path, progress: Callable[[int, int], None] | None = None) -> int:
    """Copy the database at ``source`` to ``target``; returns the number of pages copied.

    ``progress(copied, total)`` is called after each step."""
    if not source.exists():
        raise BackupError(f"{source}: no such database")
    if target.resolve() == source.resolve():
        raise BackupError("the backup must be another file than the database")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as live:
        fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)  # like the database
        os.close(fd)
        with contextlib.closing(sqlite3.connect(partial)) as copy:

            def step(status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress(total - remaining, total)

            live.backup(copy, pages=PAGES_PER_STEP, progress=step)
            pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {verdict}")
    partial.replace(target)
    return pages
