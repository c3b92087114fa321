"""The SQLite backend of ``Db``: the embedded default, one file opened by any number of processes.

The only module of vaxbot that imports ``sqlite3`` (a contract test holds it to that). The file
runs in WAL mode; the outermost transaction is ``BEGIN IMMEDIATE``, so the write lock is taken up
front and two processes never both read-then-write on a stale view; nested levels are savepoints.

One ``SqliteDb`` may be used from several threads (``vaxbot serve`` runs turns in threads). Their
transactions share one connection, taken in turn: the threads of one process take a lock of the
process before ``BEGIN IMMEDIATE``, so that they queue for the file's one write lock there (woken
at once) rather than in SQLite's busy handler (which sleeps and retries). One connection, because
SQLite drops a connection's whole page cache when another connection has written since its last
transaction: with a connection per thread every turn would begin cold, reading each page again.
A statement outside any transaction runs on a connection of its thread's own (reads need no
lock). ``:memory:`` has one connection for everything.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from store.db import (
    CheckViolation,
    ForeignKeyViolation,
    IntegrityViolation,
    NotNullViolation,
    Params,
    Row,
    UniqueViolation,
)

BUSY_TIMEOUT_MS = 30_000
T = TypeVar("T")

_EMPTY: Params = {}

# sqlite3's extended error names (Python 3.11+) to our typed conflicts.
_VIOLATIONS: dict[str, type[IntegrityViolation]] = {
    "SQLITE_CONSTRAINT_UNIQUE": UniqueViolation,
    "SQLITE_CONSTRAINT_PRIMARYKEY": UniqueViolation,
    "SQLITE_CONSTRAINT_CHECK": CheckViolation,
    "SQLITE_CONSTRAINT_NOTNULL": NotNullViolation,
    "SQLITE_CONSTRAINT_FOREIGNKEY": ForeignKeyViolation,
}
# "UNIQUE constraint failed: residents.id_type, residents.id_number"
_COLUMNS = re.compile(r"constraint failed: ((?:\w+\.\w+)(?:, \w+\.\w+)*)$")


def violation(exc: sqlite3.IntegrityError) -> IntegrityViolation:
    """The typed conflict for an ``IntegrityError``: which kind, on which table and columns."""
    detail = str(exc)
    kind = _VIOLATIONS.get(exc.sqlite_errorname, IntegrityViolation)
    table, columns = "", tuple[str, ...]()
    if match := _COLUMNS.search(detail):
        pairs = [name.split(".") for name in match.group(1).split(", ")]
        table, columns = pairs[0][0], tuple(column for _, column in pairs)
    return kind(table, columns, detail)


_WRITERS: dict[str, threading.Lock] = {}  # per database file: this process's writers queue
_WRITERS_GUARD = threading.Lock()


def _writer_lock(path: str) -> threading.Lock:
    if path == ":memory:":
        return threading.Lock()
    key = os.path.realpath(path)
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(key, threading.Lock())


def private(path: Path) -> None:
    """Make the database file (and its WAL and shared-memory files, which SQLite creates with
    the database's own mode) readable by its owner only: created mode 0600, tightened if an
    older vaxbot left it 0644."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        return
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            if name.stat().st_mode & 0o077:
                name.chmod(0o600)


def _acquire(lock: threading.Lock) -> None:
    """Take the process's lock on the file, giving up after ``BUSY_TIMEOUT_MS`` as SQLite
    would."""
    if not lock.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
        raise sqlite3.OperationalError("database is locked")


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` at the outermost level, a savepoint inside; an exception
    rolls back to where this level began and goes on. One per thread, on the connection the
    process's transactions share; the outermost level holds ``writer``, the process's lock on
    the file, throughout (so one thread at a time uses the connection).

    A plain context manager rather than a generator: every turn enters it at least once.
    """

    __slots__ = ("_conn", "_depth", "_writer")

    def __init__(self, conn: sqlite3.Connection, writer: threading.Lock) -> None:
        self._conn = conn
        self._depth = 0
        self._writer = writer

    @property
    def depth(self) -> int:
        return self._depth

    def __enter__(self) -> None:
        depth = self._depth
        if depth == 0:
            _acquire(self._writer)
            try:
                if self._conn.in_transaction:  # left open by a failed ROLLBACK: start clean
                    self._conn.execute("ROLLBACK")
                self._conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                self._writer.release()
                raise
        else:
            self._conn.execute(f"SAVEPOINT sp{depth}")
        self._depth = depth + 1

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._depth = depth = self._depth - 1
        try:
            if kind is None:
                self._conn.execute("COMMIT" if depth == 0 else f"RELEASE sp{depth}")
            elif depth == 0:
                self._conn.execute("ROLLBACK")
            else:
                self._conn.execute(f"ROLLBACK TO sp{depth}")
                self._conn.execute(f"RELEASE sp{depth}")  # a rolled-back savepoint: released
        except BaseException:
            if depth == 0 and self._conn.in_transaction:
                self._conn.execute("ROLLBACK")  # a COMMIT that failed (a full disk)
            raise
        finally:
            if depth == 0:
                self._writer.release()


class _Local(threading.local):
    reader: sqlite3.Connection | None = None  # for statements outside any transaction
    transaction: Transaction | None = None


class SqliteDb:
    """``Db`` over ``sqlite3`` connections to one file, one per thread (autocommit mode: we issue
    BEGIN/COMMIT)."""

    dialect = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._writer = _writer_lock(self._path)
        self._local = _Local()
        self._opened: list[sqlite3.Connection] = []
        self._opening = threading.Lock()
        self._closed = False
        self._shared: sqlite3.Connection | None = None  # the transactions' connection
        self._sharing = threading.Lock()

    @classmethod
    def open(cls, path: str | Path) -> SqliteDb:
        """Open (creating as needed) the database file at ``path`` (":memory:" for none)."""
        if str(path) != ":memory:":
            private(Path(path))
        db = MemoryDb(path) if str(path) == ":memory:" else cls(path)
        db._shared = db._connect()  # the file is opened (and made) now
        return db

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        conn = sqlite3.connect(
            self._path,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        if self._path != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        with self._opening:
            self._opened.append(conn)
        return conn

    def _shared_conn(self) -> sqlite3.Connection:
        conn = self._shared
        if conn is None:
            with self._sharing:
                conn = self._shared
                if conn is None:
                    conn = self._shared = self._connect()
        return conn

    def _in_transaction(self) -> bool:
        """Whether this thread is inside a transaction (and so holds the shared connection)."""
        transaction = self._local.transaction
        return transaction is not None and transaction._depth > 0

    @property
    def _conn(self) -> sqlite3.Connection:
        """The connection for this thread's next statement: its transaction's if it is in
        one, else its own."""
        local = self._local
        transaction = local.transaction
        if transaction is not None and transaction._depth:
            return transaction._conn
        conn = local.reader
        if conn is None:
            conn = local.reader = self._connect()
        return conn

    def close(self) -> None:
        with self._opening:
            self._closed = True
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()

    def one(self, sql: str, params: Params = _EMPTY) -> Row | None:
        try:
            row: Row | None = self._conn.execute(sql, params).fetchone()
        except sqlite3.IntegrityError as exc:  # an INSERT … RETURNING
            raise violation(exc) from None
        return row

    def all(self, sql: str, params: Params = _EMPTY) -> list[Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.IntegrityError as exc:
            raise violation(exc) from None

    def dicts(self, sql: str, params: Params = _EMPTY) -> list[dict[str, Any]]:
        cursor = self._conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def stream(self, sql: str, params: Params = _EMPTY) -> Iterator[Row]:
        return iter(self._conn.execute(sql, params))

    def execute(self, sql: str, params: Params = _EMPTY) -> int:
        try:
            return self._conn.execute(sql, params).rowcount
        except sqlite3.IntegrityError as exc:
            raise violation(exc) from None

    def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        try:
            return self._conn.executemany(sql, rows).rowcount
        except sqlite3.IntegrityError as exc:
            raise violation(exc) from None

    def defer(self, sql: str, params: Params = _EMPTY) -> None:
        self.execute(sql, params)  # a local file: no round trip to save

    def batch(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        with self.transaction():
            return [self.all(sql, params) for sql, params in statements]

    def insert(self, sql: str, params: Params = _EMPTY) -> int:
        try:
            row_id = self._conn.execute(sql, params).lastrowid
        except sqlite3.IntegrityError as exc:
            raise violation(exc) from None
        assert row_id is not None
        return row_id

    def transaction(self) -> Transaction:
        local = self._local
        transaction = local.transaction
        if transaction is None:
            transaction = local.transaction = Transaction(self._shared_conn(), self._writer)
        return transaction

    def lock(self, key: str) -> None:
        # BEGIN IMMEDIATE took the database's one write lock: nobody else writes until we end.
        if not self.transaction().depth:
            raise RuntimeError(f"lock({key!r}) outside a transaction")

    @contextmanager
    def _bulk(self, cache_mb: int) -> Iterator[None]:
        # The larger cache on both connections a batch uses: this thread's own (its reads
        # outside transactions) and the one transactions share (its writes).
        conns = [self._conn]
        if (shared := self._shared_conn()) is not conns[0]:
            conns.append(shared)
        before = [self._set_cache(conn, -1024 * int(cache_mb)) for conn in conns]
        try:
            yield
        finally:
            for conn, previous in zip(conns, before, strict=True):
                self._set_cache(conn, previous)

    def _set_cache(self, conn: sqlite3.Connection, size: int) -> int:
        """Set ``conn``'s page cache size (SQLite's units); the size it had."""
        with self._between_transactions() if conn is self._shared else contextlib.nullcontext():
            row = conn.execute("PRAGMA cache_size").fetchone()
            conn.execute(f"PRAGMA cache_size = {size}")
        return int(row[0]) if row else -2000

    def bulk(self, cache_mb: int) -> AbstractContextManager[None]:
        return self._bulk(cache_mb)

    def schema_lock(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()  # CREATE TABLE takes the file's one write lock

    def describe(self) -> dict[str, tuple[list[str], set[str]]]:
        tables: dict[str, tuple[list[str], set[str]]] = {}
        for (table,) in self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name <> '_migrations' ORDER BY name"
        ):
            columns = [row[1] for row in self._conn.execute(f'PRAGMA table_info("{table}")')]
            referred = {row[2] for row in self._conn.execute(
                f'PRAGMA foreign_key_list("{table}")')} - {table}  # fmt: skip
            tables[table] = (columns, referred)
        return tables

    def skip_locked(self) -> str:
        return ""  # BEGIN IMMEDIATE: one writer at a time, nobody else holds a row

    def for_update(self) -> str:
        return ""

    def advance_ids(self, table: str) -> None:
        pass  # an INTEGER PRIMARY KEY draws after the largest id there

    def json_field(self, expression: str, key: str) -> str:
        return f"json_extract({expression}, '$.{key}')"

    def hint_scan(self, table: str, alias: str) -> str:
        return f"{table} {alias} NOT INDEXED"

    # -- for the SQLite-only commands and checks -------------------------------------------

    def pragma(self, name: str, value: str | int | None = None) -> Any:
        """The value of ``PRAGMA name`` (journal mode, foreign keys …) on the connection the
        transactions share; with ``value``, set to it there first (``query_only``: every
        write of this process then fails, as on a full disk)."""
        with self._between_transactions():
            conn = self._shared_conn()
            if value is not None:
                conn.execute(f"PRAGMA {name} = {value}")
            row = conn.execute(f"PRAGMA {name}").fetchone()
        return row[0] if row else None

    def _between_transactions(self) -> AbstractContextManager[object]:
        """For a statement on the shared connection outside the transactions' statements:
        nothing if this thread is in a transaction (it holds the connection), else the
        process's lock on it."""
        return contextlib.nullcontext() if self._in_transaction() else _held(self._writer)


@contextmanager
def _held(lock: threading.Lock) -> Iterator[None]:
    _acquire(lock)
    try:
        yield
    finally:
        lock.release()


class MemoryDb(SqliteDb):
    """``:memory:``: a database that lives as long as its one connection, which every thread
    shares. A statement outside any transaction runs in a transaction of its own, so that it
    never reads, or joins, another thread's transaction open on that connection."""

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._shared_conn()

    def _solo(self, statement: Callable[..., T], *args: Any) -> T:
        if self._in_transaction():
            return statement(self, *args)
        with self.transaction():
            return statement(self, *args)

    def one(self, sql: str, params: Params = _EMPTY) -> Row | None:
        return self._solo(SqliteDb.one, sql, params)

    def all(self, sql: str, params: Params = _EMPTY) -> list[Row]:
        return self._solo(SqliteDb.all, sql, params)

    def dicts(self, sql: str, params: Params = _EMPTY) -> list[dict[str, Any]]:
        return self._solo(SqliteDb.dicts, sql, params)

    def stream(self, sql: str, params: Params = _EMPTY) -> Iterator[Row]:
        return iter(self.all(sql, params))

    def execute(self, sql: str, params: Params = _EMPTY) -> int:
        return self._solo(SqliteDb.execute, sql, params)

    def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        return self._solo(SqliteDb.execute_many, sql, rows)

    def insert(self, sql: str, params: Params = _EMPTY) -> int:
        return self._solo(SqliteDb.insert, sql, params)


# -- vaxbot backup ------------------------------------------------------------------------
#
# ``vaxbot backup``: a consistent copy of a live SQLite database (SQLite's online backup API).
#
# The copy is taken page by page while ``serve`` and ``worker`` keep writing; pages changed
# meanwhile are copied again, so the file written is the database as it was at one moment. The
# copy is written to a temporary file beside the target, checked (``PRAGMA integrity_check``) and
# only then renamed over it, so a failed or interrupted backup never leaves a half-written file
# where the last good one was. PostgreSQL is backed up with its own tools (docs/operations.md).

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
