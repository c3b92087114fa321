"""Test support: reading whole tables, and arranging what no flow does (someone else filling a
slot, a count of no-shows from before), through the store's ``Db`` interface only.

Statements here are built from table and column names and named parameters, in SQL that every
backend runs; no test opens a driver connection of its own. Prefer the store's own methods
(``store.slot(id).booked``, ``store.outbox_rows()``, ``store.audit_rows(...)``) where they say
what a test wants.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from store import Store, open_store


def _q(column: str) -> str:
    """A column name as SQL: ``end`` is a reserved word in PostgreSQL."""
    return '"end"' if column == "end" else column


def _where(equal: dict[str, Any], prefix: str = "w_") -> tuple[str, dict[str, Any]]:
    """``a = :w_a AND b IS NULL …`` for the given column values, and their parameters."""
    terms: list[str] = []
    params: dict[str, Any] = {}
    for column, value in equal.items():
        if value is None:
            terms.append(f"{_q(column)} IS NULL")
        elif isinstance(value, list | tuple | set | frozenset):
            names = [f"{prefix}{column}{i}" for i in range(len(value))]
            terms.append(f"{_q(column)} IN ({', '.join(':' + n for n in names) or 'NULL'})")
            params.update(zip(names, value, strict=True))
        else:
            terms.append(f"{_q(column)} = :{prefix}{column}")
            params[f"{prefix}{column}"] = value
    return " AND ".join(terms) or "1 = 1", params


def count(store: Store, table: str, **equal: Any) -> int:
    """How many rows of ``table`` have these column values (a list or tuple: any of them)."""
    where, params = _where(equal)
    row = store.db.one(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)
    assert row is not None
    return int(row[0])


def rows(store: Store, table: str, *columns: str, **equal: Any) -> list[dict[str, Any]]:
    """Rows of ``table`` with these column values, in id order (tables without an id: by their
    first column, or the first of ``columns``)."""
    where, params = _where(equal)
    order = " ORDER BY 1" if table in _NO_ID else " ORDER BY id"
    return store.db.dicts(
        f"SELECT {', '.join(map(_q, columns)) or '*'} FROM {table} WHERE {where}{order}", params
    )


def values(store: Store, table: str, *columns: str, **equal: Any) -> list[tuple[Any, ...]]:
    """Like ``rows``, as tuples of ``columns``."""
    return [tuple(row[c] for c in columns) for row in rows(store, table, *columns, **equal)]


def update(store: Store, table: str, where: dict[str, Any] | None = None, **new: Any) -> int:
    """Set columns of the rows of ``table`` matching ``where`` (all rows without it);
    how many changed."""
    condition, params = _where(where or {})
    assignments = ", ".join(f"{_q(column)} = :v_{column}" for column in new)
    params.update({f"v_{column}": value for column, value in new.items()})
    return store.db.execute(f"UPDATE {table} SET {assignments} WHERE {condition}", params)


def insert(store: Store, table: str, **values: Any) -> int:
    """Add a row as an older vaxbot (or another program) might have left it; its id."""
    names = ", ".join(map(_q, values))
    marks = ", ".join(f":{column}" for column in values)
    row_id = store.db.insert(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
    if "id" in values:
        store.db.advance_ids(table)  # an id given: the ones drawn later come after it
    return row_id


def fill_slots(store: Store, leave: int = 0, **equal: Any) -> int:
    """Someone else took the places: ``booked`` becomes ``capacity - leave`` in the matching
    slots (all slots without conditions). How many slots changed."""
    where, params = _where(equal)
    return store.db.execute(
        f"UPDATE slots SET booked = capacity - :leave WHERE {where}", {**params, "leave": leave}
    )


def shrink_slots(store: Store, leave: int = 0, **equal: Any) -> int:
    """The site cut its capacity: ``capacity`` becomes ``booked + leave`` in the matching slots
    (all slots without conditions). How many slots changed."""
    where, params = _where(equal)
    return store.db.execute(
        f"UPDATE slots SET capacity = booked + :leave WHERE {where}", {**params, "leave": leave}
    )


def slots_in(store: Store, district_id: str) -> list[int]:
    """The ids of every slot at a site of a district."""
    return [slot.id for site in store.sites(district_id) for slot in store.slots(site_id=site.id)]


def site_id(store: Store, name_en: str) -> int:
    """A site's id by its English name."""
    return store.site_ids()[name_en]


def slot_id(store: Store, site: int, day: object, start: str) -> int:
    """The id of the slot of a site starting at ``start`` on ``day``."""
    slot = store.slot_at(site, str(day), start)
    assert slot is not None, f"no slot at site {site} on {day} {start}"
    return slot.id


def snapshot(store: Store, *tables: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of each table (by id), to compare before and after."""
    return {table: rows(store, table) for table in tables}


def opened(path: str | Path) -> Store:
    """Another store on the same database (another connection: it sees committed data only)."""
    return open_store(path)


class HeldLock:
    """A lock ``table_locked`` holds: ``waiting()`` counts the sessions waiting for it now;
    ``release()`` lets it go (at the latest when the block ends)."""

    def __init__(self, waiting: Callable[[], int], release: Callable[[], None]) -> None:
        self.waiting = waiting
        self.release = release


@contextmanager
def table_locked(url: str, table: str) -> Iterator[HeldLock]:
    """PostgreSQL: while inside, another connection's transaction holds ``table`` in
    ``EXCLUSIVE`` mode (as a long migration or a stuck batch might): plain reads of it go on, but
    claiming its rows (``FOR UPDATE``) or writing them waits until it is released."""
    locked, release, failed = threading.Event(), threading.Event(), []

    def hold() -> None:
        with closing(opened(url)) as holder:
            try:
                with holder.transaction():
                    holder.db.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
                    locked.set()
                    release.wait(120)
            except Exception as error:  # told to the test, below
                failed.append(error)
                locked.set()

    with closing(opened(url)) as watcher:

        def waiting() -> int:
            row = watcher.db.one(
                "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = :table AND NOT l.granted",
                {"table": table},
            )
            return int(row[0]) if row else 0

        thread = threading.Thread(target=hold, name=f"holding {table}", daemon=True)
        thread.start()
        locked.wait(30)
        assert not failed and locked.is_set(), f"{table} not locked: {failed}"
        try:
            yield HeldLock(waiting, release.set)
        finally:
            release.set()
            thread.join(30)


_NO_ID = frozenset({"conversations", "inbound", "addresses", "optouts", "jobs", "nlu_misses",
                    "_migrations"})  # fmt: skip
