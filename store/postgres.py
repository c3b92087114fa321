"""The PostgreSQL backend of ``Db``: several processes on several machines, through psycopg 3.

The only module of vaxbot that imports ``psycopg`` (a contract test holds it to that). The
repositories' SQL, written with ``:name`` parameters, is given to the driver with ``%(name)s``
(translated once per statement text). The connection is in autocommit mode; ``transaction()``
is ours (``BEGIN`` … ``COMMIT`` outermost, savepoints inside), and ``lock(key)`` is a
transaction-scoped advisory lock on a hash of the key, so one holder at a time across every
process on the server.

Round trips are what a turn costs on a server: ``BEGIN`` is held back until the transaction's
first statement, and when that statement is the lock (every turn's is: its conversation's) both
go in one round trip; a transaction that ran nothing sends neither ``BEGIN`` nor ``COMMIT``.
A failed statement inside a transaction spoils it, so every repository
catches a conflict only around a savepoint (a nested ``transaction()``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors
from psycopg import sql as pgsql

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


class PostgresDb:
    """``Db`` over one psycopg connection (autocommit: transactions are explicit)."""

    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Row]) -> None:
        self._conn = conn
        self._depth = 0
        self._begin = False  # BEGIN owed: the outermost transaction ran nothing yet

    @classmethod
    def open(cls, url: str, name: str) -> PostgresDb:
        """Connect to the database at ``url`` (``postgresql://user:pass@host:port/db``);
        ``DatabaseUnavailable`` naming it ``name`` (the URL without its password) if that
        fails."""
        from store.store import DatabaseUnavailable

        try:
            conn: psycopg.Connection[Row] = psycopg.connect(
                url, autocommit=True, connect_timeout=10
            )
        except psycopg.OperationalError as exc:
            said = str(exc).strip()
            reason = said.splitlines()[0] if said else type(exc).__name__
            raise DatabaseUnavailable(f"cannot connect to {name}: {reason}") from None
        return cls(conn)

    def close(self) -> None:
        self._conn.close()

    def _begun(self) -> None:
        """Send the ``BEGIN`` held back, before the transaction's first statement."""
        if self._begin:
            self._begin = False
            self._conn.execute("BEGIN")

    def _run(self, sql: str, params: Params) -> psycopg.Cursor[Row]:
        if self._begin:
            self._begun()
        try:
            return self._conn.execute(pyformat(sql), params)
        except errors.IntegrityError as exc:
            raise violation(exc) from None

    def one(self, sql: str, params: Params = _EMPTY) -> Row | None:
        return self._run(sql, params).fetchone()

    def all(self, sql: str, params: Params = _EMPTY) -> list[Row]:
        return self._run(sql, params).fetchall()

    def dicts(self, sql: str, params: Params = _EMPTY) -> list[dict[str, Any]]:
        cursor = self._run(sql, params)
        names = [column.name for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def stream(self, sql: str, params: Params = _EMPTY) -> Iterator[Row]:
        return iter(self._run(sql, params).fetchall())

    def execute(self, sql: str, params: Params = _EMPTY) -> int:
        return self._run(sql, params).rowcount

    def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        batch = list(rows)
        if not batch:
            return 0
        self._begun()
        with self._conn.cursor() as cursor:
            try:
                cursor.executemany(pyformat(sql), batch)
            except errors.IntegrityError as exc:
                raise violation(exc) from None
            return cursor.rowcount

    def insert(self, sql: str, params: Params = _EMPTY) -> int:
        row = self._run(sql + " RETURNING id", params).fetchone()
        assert row is not None
        return int(row[0])

    def transaction(self) -> AbstractContextManager[None]:
        return _Transaction(self)

    def lock(self, key: str) -> None:
        if not self._depth:
            raise RuntimeError(f"lock({key!r}) outside a transaction")
        if self._begin:  # BEGIN and the lock in one round trip (no parameters: one simple query)
            self._begin = False
            self._conn.execute(
                pgsql.SQL("BEGIN; SELECT pg_advisory_xact_lock(hashtextextended({}, 0))").format(
                    pgsql.Literal(key)
                )
            )
            return
        self._conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])

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
        for table, column in self._conn.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name WHERE c.table_schema = current_schema() "
            "AND t.table_type = 'BASE TABLE' AND c.table_name <> '_migrations' "
            "ORDER BY c.table_name, c.ordinal_position"
        ):
            tables.setdefault(table, ([], set()))[0].append(column)
        for table, referred in self._conn.execute(
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
        found = self._conn.execute(
            "SELECT pg_get_serial_sequence(%s, 'id')", [f'"{table}"']
        ).fetchone()
        if found is None or found[0] is None:
            return  # no identity column (ids are names, as districts')
        self._conn.execute(
            f'SELECT setval(%s, COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)',
            [found[0]],
        )

    def json_field(self, expression: str, key: str) -> str:
        return f"(({expression})::json ->> '{key}')"

    def hint_scan(self, table: str, alias: str) -> str:
        return f"{table} {alias}"


class _Transaction:
    """``BEGIN`` (held back until the first statement) … ``COMMIT`` outermost, a savepoint
    inside; an exception rolls back to where its level began and goes on."""

    __slots__ = ("_db",)

    def __init__(self, db: PostgresDb) -> None:
        self._db = db

    def __enter__(self) -> None:
        db = self._db
        if db._depth == 0:
            db._begin = True
        else:
            db._begun()
            db._conn.execute(f"SAVEPOINT sp{db._depth}")
        db._depth += 1

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: Any) -> None:  # fmt: skip
        db = self._db
        db._depth = depth = db._depth - 1
        conn = db._conn
        if depth == 0:
            if db._begin:  # nothing ran: nothing to end
                db._begin = False
            elif kind is None:
                conn.execute("COMMIT")
            elif not conn.closed:
                conn.execute("ROLLBACK")
        elif kind is None:
            conn.execute(f"RELEASE sp{depth}")
        elif not conn.closed:
            conn.execute(f"ROLLBACK TO sp{depth}")
            conn.execute(f"RELEASE sp{depth}")
