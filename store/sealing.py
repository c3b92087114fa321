"""Sealing stored values in batches: the migration that seals what an older vaxbot stored in
plain text, and ``vaxbot keys rotate``, which re-seals what is under an older key.

Each sealed column is listed once (``COLUMNS``) with the row key it is bound to. A batch reads
rows not yet under the current key, seals them afresh and writes each one back only if it did
not change meanwhile (compare and set), in one short transaction: residents keep registering and
booking while it runs, and a row changed under it is simply taken by a later batch. Running it
again after an interruption goes on where it stopped: what is done is what is under the current
key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from store.crypto import PREFIX, Keyring
from store.db import Db


@dataclass(frozen=True)
class Column:
    """A sealed column: ``table.column``, the columns naming a row, and how the associated data
    is made from them."""

    table: str
    column: str
    keys: tuple[str, ...]
    where: Callable[[tuple[object, ...]], str]


COLUMNS = (
    Column("screenings", "answers", ("id", "resident_id"),
           lambda k: f"screenings.answers:{k[1]}"),
    Column("conversations", "state", ("channel", "address"),
           lambda k: f"conversations.state:{k[0]}:{k[1]}"),
    Column("inbound", "replies", ("channel", "message_id"),
           lambda k: f"inbound.replies:{k[0]}:{k[1]}"),
    Column("outbox", "text", ("id", "idempotency_key"), lambda k: f"outbox.text:{k[1]}"),
)  # fmt: skip
# Sealed by tables and columns made after migration 0011b, which seals COLUMNS only (these do
# not exist yet when it runs on an older database): re-sealed by ``vaxbot keys rotate``.
LATER_COLUMNS = (
    Column("outbox", "params", ("id", "idempotency_key"), lambda k: f"outbox.params:{k[1]}"),
    Column("operators", "totp_secret", ("name",), lambda k: f"operators.totp_secret:{k[0]}"),
)  # fmt: skip
EVERY_COLUMN = COLUMNS + LATER_COLUMNS


def resident_where(index: str) -> str:
    return f"residents.id_number:{index}"


def document_key(id_type: str, number: str) -> str:
    """What the keyed index of an ID document is computed over."""
    return f"{id_type}:{number}"


def _stale(keys: Keyring) -> dict[str, str]:
    return {"current": f"{PREFIX}{keys.kid}:%", "indexed": f"{keys.kid}:%"}


_STALE_RESIDENT = "id_sealed IS NULL OR id_sealed NOT LIKE :current OR id_index NOT LIKE :indexed"


def reseal_column(db: Db, keys: Keyring, spec: Column, batch: int) -> int:
    """Seal one batch of ``spec``'s rows not under the current key; how many were written."""
    names = ", ".join(spec.keys)
    rows = db.all(
        f"SELECT {names}, {spec.column} FROM {spec.table} WHERE {spec.column} <> '' "
        f"AND {spec.column} NOT LIKE :current LIMIT :batch",
        {**_stale(keys), "batch": batch},
    )
    if not rows:
        return 0
    done = 0
    with db.transaction():
        match = " AND ".join(f"{name} = :k{i}" for i, name in enumerate(spec.keys))
        for row in rows:
            row_key, old = tuple(row[:-1]), str(row[-1])
            where = spec.where(row_key)
            fresh = keys.seal(keys.open(old, where), where)
            params = {f"k{i}": value for i, value in enumerate(row_key)}
            done += db.execute(
                f"UPDATE {spec.table} SET {spec.column} = :fresh WHERE {match} "
                f"AND {spec.column} = :old",
                {**params, "fresh": fresh, "old": old},
            )
    return done or -len(rows)  # all changed under us: not done, go on


def reseal_residents(db: Db, keys: Keyring, batch: int) -> int:
    """Seal one batch of ID numbers not under the current key (or still in plain text, in the
    index column: a database from before 0011a), indexing them under the current key."""
    rows = db.all(
        f"SELECT id, id_type, id_index, id_sealed FROM residents WHERE {_STALE_RESIDENT} "
        "LIMIT :batch",
        {**_stale(keys), "batch": batch},
    )
    if not rows:
        return 0
    done = 0
    with db.transaction():
        for resident_id, id_type, index, sealed in rows:
            number = index if sealed is None else keys.open(sealed, resident_where(index))
            fresh_index = keys.index(document_key(id_type, number))
            done += db.execute(
                "UPDATE residents SET id_index = :index, id_sealed = :sealed "
                "WHERE id = :id AND id_index = :old",
                {"index": fresh_index, "sealed": keys.seal(number, resident_where(fresh_index)),
                 "id": resident_id, "old": index},
            )  # fmt: skip
    return done or -len(rows)


def remaining(db: Db, keys: Keyring, columns: tuple[Column, ...] = COLUMNS) -> dict[str, int]:
    """How many values are not under the current key, by table."""
    left = {}
    row = db.one(
        f"SELECT COUNT(*) FROM residents WHERE {_STALE_RESIDENT}",
        _stale(keys),
    )
    left["residents"] = int(row[0]) if row else 0
    for spec in columns:
        row = db.one(
            f"SELECT COUNT(*) FROM {spec.table} WHERE {spec.column} <> '' "
            f"AND {spec.column} NOT LIKE :current",
            _stale(keys),
        )
        left[spec.table] = left.get(spec.table, 0) + (int(row[0]) if row else 0)
    return left


def reseal_all(
    db: Db,
    keys: Keyring,
    batch: int = 500,
    progress: Callable[[str, int], None] | None = None,
    columns: tuple[Column, ...] = COLUMNS,
) -> int:
    """Seal every value not under the current key, batch by batch; how many were written."""
    total = 0
    steps: list[tuple[str, Callable[[], int]]] = [
        ("residents", lambda: reseal_residents(db, keys, batch))
    ] + [(spec.table, partial(reseal_column, db, keys, spec, batch)) for spec in columns]
    for table, step in steps:
        stalled = 0
        while (done := step()) != 0 and stalled < 100:
            stalled = stalled + 1 if done < 0 else 0
            if done > 0:
                total += done
                if progress is not None:
                    progress(table, done)
    return total
