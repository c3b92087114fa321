"""Spec for the SQLite backend of ``Db`` (store/sqlite.py): the file's settings, migrations on a
blank or an older file, typed conflicts read from SQLite's errors, and ``open_store``'s choice of
backend. The only tests that open a ``sqlite3`` connection of their own (to see the file as
another program would).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from store import DatabaseUnavailable, Store, backend_of, open_store
from store.db import (
    CheckViolation,
    ForeignKeyViolation,
    NotNullViolation,
    UniqueViolation,
)
from store.migrations import MIGRATIONS, applied, migrate, statements
from store.sqlite import SqliteDb

NAMES = [name for name, _ in MIGRATIONS["sqlite"]]


def test_migrate_on_an_empty_database_applies_everything(tmp_path: Path) -> None:
    db = SqliteDb.open(tmp_path / "blank.db")
    try:
        assert migrate(db) == NAMES
        assert migrate(db) == []
        assert applied(db) == sorted(NAMES)
        for table in ("slots", "bookings", "residents", "audit"):
            assert db.one(f"SELECT COUNT(*) FROM {table}") == (0,)
    finally:
        db.close()


def test_a_file_migrated_part_way_by_an_older_vaxbot_upgrades(tmp_path: Path) -> None:
    """A file whose ``_migrations`` lists the first three (as an older vaxbot left it) gets the
    rest, and keeps its rows."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        for name, script in MIGRATIONS["sqlite"][:3]:
            for statement in statements(script):
                conn.execute(statement)
            conn.execute("INSERT INTO _migrations VALUES (?, '2021-06-01T00:00:00+00:00')", [name])
        conn.execute("INSERT INTO districts VALUES ('tianhe', '天河区', 'Tianhe')")
    finally:
        conn.close()
    store = open_store(path)
    try:
        assert applied(store.db) == sorted(NAMES)
        assert store.districts() == [("tianhe", "天河区", "Tianhe")]
        assert store.waiting_count() == 0  # a table of 0003; 0004's offers table exists too
        assert store.offer_rows() == []
    finally:
        store.close()


def test_wal_mode_and_foreign_keys(store: Store) -> None:
    assert isinstance(store.db, SqliteDb)
    assert store.db.pragma("journal_mode") == "wal"
    assert store.db.pragma("foreign_keys") == 1


def test_wal_mode_is_persistent_for_other_connections(store: Store, db_path: Path) -> None:
    other = sqlite3.connect(db_path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()


@pytest.fixture
def db() -> SqliteDb:
    db = SqliteDb.open(":memory:")
    migrate(db)
    db.execute("INSERT INTO districts (id, name_zh, name_en) VALUES ('tianhe', '天河', 'Tianhe')")
    return db


def test_a_unique_conflict_names_its_table_and_columns(db: SqliteDb) -> None:
    with pytest.raises(UniqueViolation) as caught:
        db.execute("INSERT INTO districts (id, name_zh, name_en) VALUES ('tianhe', 'x', 'y')")
    assert (caught.value.table, caught.value.columns) == ("districts", ("id",))
    assert caught.value.on("districts", "id") and not caught.value.on("sites", "id")
    assert caught.value.constraint == "districts(id)"


def test_a_unique_conflict_on_several_columns_and_through_insert(db: SqliteDb) -> None:
    db.execute("INSERT INTO accounts (id, phone, created_at) VALUES (1, '+8613800138000', 'now')")
    row = {"account": 1, "district": "tianhe", "code": "R1"}
    insert = (
        "INSERT INTO residents (account_id, prereg_code, name, id_type, id_index, birth_date, "
        "phone, district_id, created_at) VALUES (:account, :code, '张三', 'resident_id', "
        "'X1', '1990-01-01', '+8613800138000', :district, 'now')"
    )
    assert db.insert(insert, row) == 1
    with pytest.raises(UniqueViolation) as caught:
        db.insert(insert, {**row, "code": "R2"})
    assert caught.value.on("residents", "id_index", "id_type")
    with pytest.raises(UniqueViolation) as again:
        db.insert(insert.replace("'X1'", "'X2'"), row)
    assert again.value.on("residents", "prereg_code")


def test_check_not_null_and_foreign_key_conflicts_are_typed(db: SqliteDb) -> None:
    db.execute(
        "INSERT INTO sites (id, district_id, name_zh, name_en, address_zh, address_en) "
        "VALUES (1, 'tianhe', 'a', 'b', 'c', 'd')"
    )
    db.execute("INSERT INTO products VALUES ('p', 'p', 'p', 'm', 2)")
    slot = (
        'INSERT INTO slots (site_id, product_id, day, start, "end", capacity, booked) '
        "VALUES (:site, 'p', '2021-06-18', '08:00', '10:00', :capacity, 0)"
    )
    with pytest.raises(CheckViolation):
        db.execute(slot, {"site": 1, "capacity": -1})
    with pytest.raises(ForeignKeyViolation):
        db.execute(slot, {"site": 99, "capacity": 1})
    with pytest.raises(NotNullViolation) as caught:
        db.execute(slot, {"site": 1, "capacity": None})
    assert caught.value.on("slots", "capacity")


def test_a_failed_statement_inside_a_savepoint_leaves_the_transaction_usable(
    db: SqliteDb,
) -> None:
    with db.transaction():
        db.execute("INSERT INTO products VALUES ('a', 'a', 'a', 'm', 2)")
        with pytest.raises(UniqueViolation), db.transaction():
            db.execute("INSERT INTO products VALUES ('b', 'b', 'b', 'm', 2)")
            db.execute("INSERT INTO products VALUES ('a', 'a', 'a', 'm', 2)")
        db.execute("INSERT INTO products VALUES ('c', 'c', 'c', 'm', 2)")
    assert db.all("SELECT id FROM products ORDER BY id") == [("a",), ("c",)]


def test_a_lock_is_taken_inside_a_transaction_only(db: SqliteDb) -> None:
    with pytest.raises(RuntimeError, match="outside a transaction"):
        db.lock("conversation sms +8613800138000")
    with db.transaction():
        db.lock("conversation sms +8613800138000")  # the write lock is held already


def test_rows_as_dicts_and_streamed(db: SqliteDb) -> None:
    assert db.dicts("SELECT id, name_en FROM districts") == [{"id": "tianhe", "name_en": "Tianhe"}]
    assert list(db.stream("SELECT id FROM districts")) == [("tianhe",)]
    assert (
        db.execute_many(
            "INSERT INTO products VALUES (:id, :id, :id, 'm', 1)", [{"id": "a"}, {"id": "b"}]
        )
        == 2
    )


UNREACHABLE = "postgresql://vaxbot:secret@127.0.0.1:1/vaxbot"  # nothing listens on port 1


def test_open_store_takes_a_path_or_a_postgresql_url(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "by-text.db"))
    try:
        assert store.db.dialect == "sqlite"
    finally:
        store.close()
    assert backend_of(UNREACHABLE) == backend_of("postgres://x@y/z") == "postgresql"
    assert backend_of(tmp_path / "a.db") == backend_of(":memory:") == "sqlite"
    with pytest.raises(DatabaseUnavailable) as caught:
        open_store(UNREACHABLE)
    assert str(caught.value).startswith(
        "cannot connect to postgresql://vaxbot:***@127.0.0.1:1/vaxbot: "
    )
    assert "secret" not in str(caught.value)


COMMANDS = [["seed-demo"], ["chat", "--from", "+8613800138000"], ["followup", "list"],
            ["assign"], ["nlu", "misses"], ["serve"]]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_given_an_unreachable_database_says_so_in_one_line(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from channels.cli import main

    assert main([*command, "--db", UNREACHABLE]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot connect to postgresql://vaxbot:***@127.0.0.1:1/" in err
    assert "secret" not in err and "Traceback" not in err


def test_a_bulk_batch_has_the_larger_cache_for_its_reads_and_its_writes(store: Store) -> None:
    db = store.db
    assert isinstance(db, SqliteDb)
    before = db.one("PRAGMA cache_size")
    with store.bulk(64):
        assert db.one("PRAGMA cache_size") == (-64 * 1024,)  # reads outside a transaction
        with store.transaction():
            assert db.one("PRAGMA cache_size") == (-64 * 1024,)  # the transactions' connection
    assert db.one("PRAGMA cache_size") == before
    with store.transaction():
        assert db.one("PRAGMA cache_size") == before
    with store.transaction(), store.bulk(32):  # begun inside a transaction: put back after it
        assert db.one("PRAGMA cache_size") == (-32 * 1024,)
    with store.transaction():
        assert db.one("PRAGMA cache_size") == before


def test_in_memory_a_read_never_sees_another_threads_uncommitted_write() -> None:
    """``:memory:`` has one connection for every thread: a read outside a transaction waits
    for the transaction open on it, then sees what it left (here: nothing, rolled back)."""
    store = Store.open(":memory:")
    read: list[object] = []
    reader = threading.Thread(target=lambda: read.append(store.db.one("SELECT * FROM health")))
    try:
        with pytest.raises(LookupError), store.transaction():
            store.db.execute("INSERT INTO health (id, checked_at) VALUES (1, 'uncommitted')")
            reader.start()
            reader.join(0.2)
            assert reader.is_alive(), "the read did not wait for the open transaction"
            raise LookupError  # undone
        reader.join(5)
        assert read == [None]
    finally:
        store.close()


def test_a_pragma_inside_a_transaction_does_not_wait_for_itself(store: Store) -> None:
    db = store.db
    assert isinstance(db, SqliteDb)
    with store.transaction():
        assert db.pragma("foreign_keys") == 1
