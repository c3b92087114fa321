"""``vaxbot db copy``: a whole database from one backend to another (SQLite → PostgreSQL when a
city outgrows its file, and back), every row as it is: ids, codes, stamps, hashes and encrypted
fields copied verbatim (the same data key reads them on the other side).

Both databases are opened (and so migrated) by ``open_store`` first; they must then hold the
same migrations. Tables are copied in an order where a table comes after those its foreign keys
refer to, in batches, in ONE transaction on the target: a copy that fails half-way leaves the
target as it was. Afterwards each table's id sequence is moved past the largest id copied
(``Db.advance_ids``), so rows added later on the target do not collide with copied ones.

Only the ``Db`` interface is used: the backends describe their tables (``Db.describe``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from store.db import Db, Row
from store.migrations import applied

BATCH = 2_000  # rows per executemany

Progress = Callable[[str, int], None]  # (table, rows just copied)


class CopyError(Exception):
    """The copy cannot be made as asked; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What a copy will do: the tables in copy order, with their columns and row counts."""

    tables: list[tuple[str, list[str], int]]

    @property
    def rows(self) -> int:
        return sum(count for _, _, count in self.tables)


def copy_order(tables: dict[str, tuple[list[str], set[str]]]) -> list[str]:
    """Table names, each after the tables it refers to (alphabetical where free to choose)."""
    order: list[str] = []
    placed: set[str] = set()
    waiting = dict(sorted(tables.items()))
    while waiting:
        ready = [name for name, (_, refers) in waiting.items() if refers <= placed]
        if not ready:
            raise CopyError(f"tables refer to each other in a cycle: {', '.join(waiting)}")
        for name in ready:
            order.append(name)
            placed.add(name)
            del waiting[name]
    return order


def _count(db: Db, table: str) -> int:
    row = db.one(f'SELECT COUNT(*) FROM "{table}"')
    return int(row[0]) if row else 0


def plan(source: Db, target: Db) -> Plan:
    """Check that ``source`` can be copied into ``target``; the tables to copy.

    ``CopyError`` when they hold different migrations or different columns."""
    theirs, ours = applied(source), applied(target)
    if theirs != ours:
        missing = sorted(set(theirs) ^ set(ours))
        raise CopyError(f"the databases hold different migrations ({', '.join(missing)})")
    have, want = source.describe(), target.describe()
    for table, (columns, _) in have.items():
        if table not in want:
            raise CopyError(f"table {table} is not in the target")
        if set(columns) - set(want[table][0]):
            extra = sorted(set(columns) - set(want[table][0]))
            raise CopyError(f"{table}: columns not in the target: {', '.join(extra)}")
    order = copy_order(have)
    return Plan([(table, have[table][0], _count(source, table)) for table in order])


def nonempty(db: Db, tables: list[str]) -> list[str]:
    """The tables among ``tables`` that hold rows."""
    return [table for table in tables if db.one(f'SELECT 1 FROM "{table}" LIMIT 1')]


def _batches(rows: Iterator[Row], columns: list[str]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def copy(
    source: Db, target: Db, *, replace: bool = False, progress: Progress | None = None
) -> Plan:
    """Copy every row of ``source`` into ``target``; the plan carried out.

    The target must hold no rows (``CopyError`` naming the tables that do), unless
    ``replace``: then its rows are deleted first, in the same transaction."""
    done = plan(source, target)
    names = [table for table, _, _ in done.tables]
    with target.transaction():
        full = nonempty(target, names)
        if full and not replace:
            raise CopyError(
                f"the target is not empty ({', '.join(full)} hold rows); "
                "give --replace to overwrite it"
            )
        for table in reversed(names):
            if table in full:
                target.execute(f'DELETE FROM "{table}"')
        for table, columns, _ in done.tables:
            quoted = ", ".join(f'"{column}"' for column in columns)
            marks = ", ".join(f":{column}" for column in columns)
            insert = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'
            order = " ORDER BY id" if "id" in columns else ""
            rows = source.stream(f'SELECT {quoted} FROM "{table}"{order}')
            for batch in _batches(rows, columns):
                target.execute_many(insert, batch)
                if progress is not None:
                    progress(table, len(batch))
            if "id" in columns:
                target.advance_ids(table)
    return done
