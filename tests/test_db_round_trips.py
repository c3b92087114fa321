"""Spec for what ``Db`` lets a backend send later or together (store/db.py): deferred writes
(``Db.defer``: on PostgreSQL sent with the transaction's next statement or its ``COMMIT``, which
saves a turn most of its round trips) and batches (``Db.batch``: the door's statements in one
round trip). Whatever is sent when, a transaction's outcome must be what it would be with every
statement sent at once: written on commit, gone on rollback, a failing nested level undoing only
its own writes, a conflict failing the transaction. On both backends.
"""

from __future__ import annotations

import pytest

from store import Store
from store.db import Db, UniqueViolation

BACKENDS = ("sqlite", "postgresql")

COUNT = "INSERT INTO rate_limits (sender, started_us, count) VALUES (:sender, 1, :count)"


def counts(db: Db) -> dict[str, int]:
    return {str(s): int(c) for s, c in db.all("SELECT sender, count FROM rate_limits")}


class Oops(Exception):
    pass


def test_deferred_writes_are_stored_with_the_commit_and_seen_by_later_reads(store: Store) -> None:
    db = store.db
    with db.transaction():
        db.defer(COUNT, {"sender": "a", "count": 1})
        db.defer(COUNT, {"sender": "b", "count": 2})
        assert counts(db) == {"a": 1, "b": 2}  # a read in the transaction sees them
        db.defer("UPDATE rate_limits SET count = count + 10 WHERE sender = :s", {"s": "a"})
    assert counts(db) == {"a": 11, "b": 2}


def test_deferred_writes_of_a_transaction_that_fails_are_never_stored(store: Store) -> None:
    db = store.db
    with pytest.raises(Oops), db.transaction():
        db.lock("conversation sms +8613800138000")
        db.defer(COUNT, {"sender": "a", "count": 1})
        raise Oops
    with pytest.raises(Oops), db.transaction():
        db.defer(COUNT, {"sender": "b", "count": 1})
        assert counts(db) == {"b": 1}  # sent already
        raise Oops
    assert counts(db) == {}
    with db.transaction():  # the connection is clean for the next one
        db.defer(COUNT, {"sender": "c", "count": 1})
    assert counts(db) == {"c": 1}


@pytest.mark.parametrize("read_inside", [False, True], ids=["unsent", "sent"])
def test_a_failing_nested_level_undoes_only_its_own_deferred_writes(
    store: Store, read_inside: bool
) -> None:
    """Its savepoint either still waits to be sent with its writes, or was sent by a read."""
    db = store.db
    with db.transaction():
        db.defer(COUNT, {"sender": "outer-before", "count": 1})
        with pytest.raises(Oops), db.transaction():
            db.defer(COUNT, {"sender": "inner", "count": 1})
            if read_inside:
                assert "inner" in counts(db)
            raise Oops
        db.defer(COUNT, {"sender": "outer-after", "count": 1})
        with db.transaction():
            db.defer(COUNT, {"sender": "inner-kept", "count": 1})
    assert counts(db) == {"outer-before": 1, "outer-after": 1, "inner-kept": 1}


def test_a_deferred_write_that_conflicts_fails_the_whole_transaction(store: Store) -> None:
    db = store.db
    db.execute(COUNT, {"sender": "taken", "count": 1})
    with pytest.raises(UniqueViolation) as caught, db.transaction():
        db.defer(COUNT, {"sender": "new", "count": 1})
        db.defer(COUNT, {"sender": "taken", "count": 2})
    assert caught.value.on("rate_limits", "sender")
    assert counts(db) == {"taken": 1}
    with db.transaction():
        db.defer(COUNT, {"sender": "new", "count": 3})
    assert counts(db) == {"taken": 1, "new": 3}


def test_a_deferred_write_outside_a_transaction_runs_at_once(store: Store) -> None:
    store.db.defer(COUNT, {"sender": "a", "count": 1})
    assert counts(store.db) == {"a": 1}


def test_a_batch_gives_each_statements_rows_and_is_one_transaction(store: Store) -> None:
    db = store.db
    results = db.batch(
        [
            (COUNT + " RETURNING sender", {"sender": "a", "count": 1}),
            ("UPDATE rate_limits SET count = 5 WHERE sender = :s", {"s": "a"}),
            ("SELECT count FROM rate_limits WHERE sender = :s", {"s": "a"}),
            ("SELECT count FROM rate_limits WHERE sender = :s", {"s": "nobody"}),
        ]
    )
    assert results == [[("a",)], [], [(5,)], []]
    with pytest.raises(UniqueViolation):
        db.batch([(COUNT, {"sender": "b", "count": 1}), (COUNT, {"sender": "a", "count": 1})])
    assert counts(db) == {"a": 5}  # "b" went with the batch that failed
    with db.transaction():  # inside a transaction, a batch is part of it
        db.batch([(COUNT, {"sender": "c", "count": 1})])
        assert counts(db) == {"a": 5, "c": 1}
