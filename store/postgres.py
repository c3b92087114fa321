"""The PostgreSQL backend of ``Db``: several processes on several machines, through psycopg 3.

The only module of vaxbot that imports ``psycopg`` and ``psycopg_pool`` (a contract test holds it
to that). The repositories' SQL, written with ``:name`` parameters, is given to the driver with
``%(name)s`` (translated once per statement text).

Connections come from a pool (``psycopg_pool.ConnectionPool``, in autocommit mode), so one
``PostgresDb`` serves several threads at once (``vaxbot serve`` runs turns in threads, off its
event loop): a transaction borrows one connection for its whole length, in the thread that
opened it (nested levels are savepoints on it); a statement outside any transaction borrows one
for that statement. ``transaction()`` is ours (``BEGIN`` … ``COMMIT`` outermost, savepoints
inside), and ``lock(key)`` is a transaction-scoped advisory lock on a hash of the key, so one
holder at a time across every process on the server.

Round trips are what a turn costs on a server (each is ~0.1 ms of this process's CPU, whatever
it carries), so a transaction owes rather than sends what needs no answer: ``BEGIN``, its locks,
savepoints and releases, and the writes given to ``defer`` (a turn's state, its stored replies,
its place out of the line). They go, as literal SQL (``ClientCursor.mogrify``), in one simple
query with the transaction's next statement, or with its ``COMMIT``; each statement of a simple
query takes its own snapshot, so a statement behind a lock reads what the lock's last holder
committed. A turn is then three round trips plus its flow's reads, and the door one
(``batch``); a transaction that ran nothing sends nothing.
A failed statement inside a transaction spoils it, so every repository catches a conflict only
around a savepoint (a nested ``transaction()``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg_pool import ConnectionPool

from store.db import (
    CheckViolation,
    ForeignKeyViolation,
    IntegrityViolation,
    NotNullViolation,
    Params,
    Row,
    UniqueViolation,
)

_EMPTY: Params = {}
T = TypeVar("T")
Connection = psycopg.Connection[Row]

_VIOLATIONS: dict[type[Exception], type[IntegrityViolation]] = {
    errors.UniqueViolation: UniqueViolation,
    errors.CheckViolation: CheckViolation,
    errors.NotNullViolation: NotNullViolation,
    errors.ForeignKeyViolation: ForeignKeyViolation,
}
# "Key (resident_id, dose)=(1, 1) already exists." / "Key (site_id)=(9) is not present in …"
_KEY = re.compile(r"^Key \(([^)]*)\)=")
# A quoted string or identifier (left as it is), a cast (::), or a named parameter.
_TOKEN = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")|(::)|:([A-Za-z_]\w*)|(%)""")


@lru_cache(maxsize=1024)
def pyformat(sql: str) -> str:
    """``sql`` with ``:name`` parameters as psycopg's ``%(name)s`` (and a literal ``%`` as
    ``%%``); quoted strings, quoted names and ``::`` casts are left alone."""

    def token(match: re.Match[str]) -> str:
        quoted, cast, name, percent = match.groups()
        if quoted or cast:
            return match.group(0)
        if percent:
            return "%%"
        return f"%({name})s"

    return _TOKEN.sub(token, sql)


def violation(exc: psycopg.errors.IntegrityError) -> IntegrityViolation:
    """The typed conflict for a psycopg integrity error: kind, table and columns."""
    kind = next(
        (ours for theirs, ours in _VIOLATIONS.items() if isinstance(exc, theirs)),
        IntegrityViolation,
    )
    diag = exc.diag
    table = diag.table_name or ""
    if diag.column_name:  # NOT NULL
        columns: tuple[str, ...] = (diag.column_name,)
    elif match := _KEY.match(diag.message_detail or ""):
        columns = tuple(name.strip().strip('"') for name in match.group(1).split(","))
    else:
        columns = ()
    return kind(table, columns, str(exc).strip())


class _Local(threading.local):
    """What one thread holds: the connection its transaction borrowed, how deep it is, and
    the statements it owes the server (``BEGIN``, locks, savepoints, deferred writes: sent, as
    literal SQL, in front of its next statement or with its ``COMMIT``)."""

    conn: Connection | None = None
    depth = 0
    begin = False  # BEGIN owed: the outermost transaction ran nothing yet
    sent = 0  # statements of this transaction sent so far (savepoints are placed by it)

    def __init__(self) -> None:
        self.pending: list[str] = []

    def owed(self) -> list[str]:
        """The statements owed, ``BEGIN`` first if it is; none owed afterwards."""
        owed = ["BEGIN", *self.pending] if self.begin else self.pending
        self.sent += len(owed)
        self.begin, self.pending = False, []
        return owed


class PostgresDb:
    """``Db`` over a pool of psycopg connections (autocommit: transactions are explicit);
    safe to share between threads."""

    dialect = "postgresql"

    def __init__(self, pool: ConnectionPool[Connection]) -> None:
        self._pool = pool
        self._local = _Local()

    @classmethod
    def open(cls, url: str, name: str, connections: int = 4) -> PostgresDb:
        """Connect to the database at ``url`` (``postgresql://user:pass@host:port/db``) with a
        pool of up to ``connections``; ``DatabaseUnavailable`` naming it ``name`` (the URL
        without its password) if that fails."""
        from store.store import DatabaseUnavailable

        try:  # one connection first, for the server's own reason if it cannot be had
            psycopg.connect(url, autocommit=True, connect_timeout=10).close()
        except psycopg.OperationalError as exc:
            said = str(exc).strip()
            reason = said.splitlines()[0] if said else type(exc).__name__
            raise DatabaseUnavailable(f"cannot connect to {name}: {reason}") from None
        pool: ConnectionPool[Connection] = ConnectionPool(
            url,
            min_size=1,
            max_size=max(connections, 1),
            kwargs={"autocommit": True, "connect_timeout": 10},
            name=f"vaxbot {name}",
            num_workers=1,
            open=False,
        )
        pool.open(wait=True, timeout=30)
        return cls(pool)

    def close(self) -> None:
        self._pool.close()

    def _with(self, work: Callable[[Connection], T]) -> T:
        """``work`` on this thread's transaction's connection (what it owes sent first), or on
        one borrowed for it."""
        local = self._local
        conn = local.conn
        try:
            if conn is not None:
                if local.begin or local.pending:
                    _send(conn, local.owed())
                return work(conn)
            with self._pool.connection() as borrowed:
                return work(borrowed)
        except errors.IntegrityError as exc:
            raise violation(exc) from None

    def _run(self, sql: str, params: Params, read: Callable[[psycopg.Cursor[Row]], T]) -> T:
        """One statement, and ``read`` of its result: in a transaction owing statements, sent
        behind them in one round trip (literal SQL); else prepared, with bound parameters."""
        local = self._local
        conn = local.conn
        try:
            if conn is None:
                with self._pool.connection() as borrowed:
                    return read(borrowed.execute(pyformat(sql), params))
            if not (local.begin or local.pending):
                return read(conn.execute(pyformat(sql), params))
            statement = _literal(conn, sql, params)
            cursor = psycopg.ClientCursor(conn)
            cursor.execute("; ".join([*local.owed(), statement]))
            while cursor.nextset():  # on to the last statement's result
                pass
            local.sent += 1
            return read(cursor)
        except errors.IntegrityError as exc:
            raise violation(exc) from None

    def one(self, sql: str, params: Params = _EMPTY) -> Row | None:
        return self._run(sql, params, _first)

    def all(self, sql: str, params: Params = _EMPTY) -> list[Row]:
        return self._run(sql, params, _rows)

    def dicts(self, sql: str, params: Params = _EMPTY) -> list[dict[str, Any]]:
        return self._run(sql, params, _dicts)

    def stream(self, sql: str, params: Params = _EMPTY) -> Iterator[Row]:
        return iter(self.all(sql, params))

    def execute(self, sql: str, params: Params = _EMPTY) -> int:
        return self._run(sql, params, _count)

    def defer(self, sql: str, params: Params = _EMPTY) -> None:
        local = self._local
        conn = local.conn
        if conn is None:  # no transaction to send it with
            self.execute(sql, params)
            return
        local.pending.append(_literal(conn, sql, params))

    def batch(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        def run(conn: Connection) -> list[list[Row]]:
            cursor = psycopg.ClientCursor(conn)
            cursor.execute("; ".join(_literal(conn, sql, params) for sql, params in statements))
            results = [cursor.fetchall() if cursor.description else []]
            while cursor.nextset():
                results.append(cursor.fetchall() if cursor.description else [])
            return results

        return self._with(run)

    def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        batch = list(rows)
        if not batch:
            return 0

        def run(conn: Connection) -> int:
            with conn.cursor() as cursor:
                cursor.executemany(pyformat(sql), batch)
                return cursor.rowcount

        return self._with(run)

    def insert(self, sql: str, params: Params = _EMPTY) -> int:
        row = self.one(sql + " RETURNING id", params)
        assert row is not None
        return int(row[0])

    def transaction(self) -> AbstractContextManager[None]:
        return _Transaction(self)

    def lock(self, key: str) -> None:
        local = self._local
        conn = local.conn
        if conn is None:
            raise RuntimeError(f"lock({key!r}) outside a transaction")
        # Taken in front of the next statement, in its round trip: that statement runs once
        # the lock is held (each statement of a simple query takes its own snapshot).
        local.pending.append(_literal(conn, _LOCK, {"key": key}))

    def bulk(self, cache_mb: int) -> AbstractContextManager[None]:
        return nullcontext()  # the server's memory is the server's to size

    @contextmanager
    def _schema_lock(self) -> Iterator[None]:
        with self.transaction():
            self.lock("migrations")
            yield

    def schema_lock(self) -> AbstractContextManager[None]:
        return self._schema_lock()

    def describe(self) -> dict[str, tuple[list[str], set[str]]]:
        tables: dict[str, tuple[list[str], set[str]]] = {}
        for table, column in self.all(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name WHERE c.table_schema = current_schema() "
            "AND t.table_type = 'BASE TABLE' AND c.table_name <> '_migrations' "
            "ORDER BY c.table_name, c.ordinal_position"
        ):
            tables.setdefault(table, ([], set()))[0].append(column)
        for table, referred in self.all(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
        ):
            if table in tables and referred != table:
                tables[table][1].add(referred)
        return tables

    def skip_locked(self) -> str:
        return " FOR UPDATE SKIP LOCKED"

    def for_update(self) -> str:
        return " FOR UPDATE"

    def advance_ids(self, table: str) -> None:
        found = self.one("SELECT pg_get_serial_sequence(:name, 'id')", {"name": f'"{table}"'})
        if found is None or found[0] is None:
            return  # no identity column (ids are names, as districts')
        self.one(
            f'SELECT setval(:sequence, COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)',
            {"sequence": found[0]},
        )

    def json_field(self, expression: str, key: str) -> str:
        return f"(({expression})::json ->> '{key}')"

    def hint_scan(self, table: str, alias: str) -> str:
        return f"{table} {alias}"


class _Transaction:
    """``BEGIN`` … ``COMMIT`` outermost, a savepoint inside, on the connection this thread
    borrowed at the outermost level (given back to the pool when that level ends); an exception
    rolls back to where its level began and goes on. What a level owes the server (``BEGIN``,
    its savepoint, locks, deferred writes) goes with the next statement, or with the
    ``COMMIT``: a transaction that ran nothing sends nothing."""

    __slots__ = ("_db", "_mark")

    def __init__(self, db: PostgresDb) -> None:
        self._db = db
        self._mark = 0  # where this level's savepoint stands among the transaction's statements

    def __enter__(self) -> None:
        local = self._db._local
        if local.conn is None:
            local.conn = self._db._pool.getconn()
            local.begin, local.pending, local.sent = True, [], 0
        else:
            self._mark = local.sent + local.begin + len(local.pending)
            local.pending.append(f"SAVEPOINT sp{local.depth}")
        local.depth += 1

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: Any) -> None:  # fmt: skip
        local = self._db._local
        local.depth = depth = local.depth - 1
        conn = local.conn
        assert conn is not None
        try:
            if depth == 0:
                if kind is None:
                    owed = local.owed()
                    if local.sent:  # else nothing ran: nothing to end
                        _send(conn, [*owed, "COMMIT"])
                elif local.sent and not conn.closed:
                    conn.execute("ROLLBACK")
            elif kind is None:
                local.pending.append(f"RELEASE sp{depth}")
            elif self._mark >= local.sent:  # the savepoint was never sent
                del local.pending[self._mark - local.sent - local.begin :]
            elif not conn.closed:
                local.pending.clear()  # what followed the savepoint is undone anyway
                conn.execute(f"ROLLBACK TO sp{depth}")
                local.sent += 1
                local.pending.append(f"RELEASE sp{depth}")
        except errors.IntegrityError as exc:
            if depth == 0 and not conn.closed:
                conn.execute("ROLLBACK")
            raise violation(exc) from None
        except BaseException:
            if depth == 0 and not conn.closed and local.sent:
                conn.execute("ROLLBACK")
            raise
        finally:
            if depth == 0:
                local.conn = None
                local.begin, local.pending, local.sent = False, [], 0
                self._db._pool.putconn(conn)


_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"


def _literal(conn: Connection, sql: str, params: Params) -> str:
    """``sql`` with its parameters as SQL literals (psycopg quotes them), to send in one simple
    query with others."""
    return psycopg.ClientCursor(conn).mogrify(pyformat(sql), params)


def _first(cursor: psycopg.Cursor[Row]) -> Row | None:
    return cursor.fetchone()


def _rows(cursor: psycopg.Cursor[Row]) -> list[Row]:
    return cursor.fetchall()


def _dicts(cursor: psycopg.Cursor[Row]) -> list[dict[str, Any]]:
    names = [column.name for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _count(cursor: psycopg.Cursor[Row]) -> int:
    return cursor.rowcount


def _send(conn: Connection, statements: list[str]) -> None:
    """Statements as one simple query: one round trip."""
    conn.execute("; ".join(statements))
