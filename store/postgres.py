"""The PostgreSQL backend of ``Db``: several processes on several machines, through psycopg 3.

The only module of vaxbot that imports ``psycopg`` and ``psycopg_pool`` (a contract test holds it
to that). The repositories' SQL, written with ``:name`` parameters, is given to the driver with
``%(name)s`` (translated once per statement text).

Connections come from a pool (``psycopg_pool.ConnectionPool``, in autocommit mode), so one
``PostgresDb`` serves several threads at once (``vaxbot serve`` runs turns in threads, off its
event loop): a transaction borrows one connection for its whole length, in the thread that
opened it (nested levels are savepoints on it); a statement outside any transaction borrows one
for that statement. ``transaction()`` is psycopg's (``BEGIN`` … ``COMMIT`` outermost, savepoints
inside), and ``lock(key)`` is a transaction-scoped advisory lock on a hash of the key, so one
holder at a time across every process on the server. A failed statement inside a transaction
spoils it, so every repository catches a conflict only around a savepoint (a nested
``transaction()``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
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
    """What one thread holds: the connection its transaction borrowed, and how deep it is."""

    conn: Connection | None = None
    depth = 0


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
        """``work`` on this thread's transaction's connection, or on one borrowed for it."""
        conn = self._local.conn
        try:
            if conn is not None:
                return work(conn)
            with self._pool.connection() as borrowed:
                return work(borrowed)
        except errors.IntegrityError as exc:
            raise violation(exc) from None

    def one(self, sql: str, params: Params = _EMPTY) -> Row | None:
        return self._with(lambda conn: conn.execute(pyformat(sql), params).fetchone())

    def all(self, sql: str, params: Params = _EMPTY) -> list[Row]:
        return self._with(lambda conn: conn.execute(pyformat(sql), params).fetchall())

    def dicts(self, sql: str, params: Params = _EMPTY) -> list[dict[str, Any]]:
        def read(conn: Connection) -> list[dict[str, Any]]:
            cursor = conn.execute(pyformat(sql), params)
            names = [column.name for column in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor]

        return self._with(read)

    def stream(self, sql: str, params: Params = _EMPTY) -> Iterator[Row]:
        return iter(self.all(sql, params))

    def execute(self, sql: str, params: Params = _EMPTY) -> int:
        return self._with(lambda conn: conn.execute(pyformat(sql), params).rowcount)

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
        conn = self._local.conn
        if conn is None:
            raise RuntimeError(f"lock({key!r}) outside a transaction")
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])

    def bulk(self, cache_mb: int) -> AbstractContextManager[None]:
        return nullcontext()  # the server's memory is the server's to size

    def json_field(self, expression: str, key: str) -> str:
        return f"(({expression})::json ->> '{key}')"

    def hint_scan(self, table: str, alias: str) -> str:
        return f"{table} {alias}"


class _Transaction:
    """psycopg's transaction block on the connection this thread borrowed at the outermost
    level (given back to the pool when that level ends)."""

    __slots__ = ("_block", "_db")

    def __init__(self, db: PostgresDb) -> None:
        self._db = db
        self._block: Any = None

    def __enter__(self) -> None:
        local = self._db._local
        if local.conn is None:
            local.conn = self._db._pool.getconn()
        try:
            self._block = local.conn.transaction()
            self._block.__enter__()
        except BaseException:
            if not local.depth:
                self._give_back(local)
            raise
        local.depth += 1

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: Any) -> None:  # fmt: skip
        local = self._db._local
        local.depth -= 1
        try:
            self._block.__exit__(kind, value, traceback)
        finally:
            if not local.depth:
                self._give_back(local)

    def _give_back(self, local: _Local) -> None:
        conn, local.conn = local.conn, None
        if conn is not None:
            self._db._pool.putconn(conn)
