"""The narrow database interface the repositories are written against.

A backend (``store/sqlite.py``; PostgreSQL later) implements ``Db``: it runs SQL with named
parameters (``:name``), gives rows as tuples, runs transactions (nested levels are savepoints),
takes locks, and raises the typed conflicts below instead of its driver's errors, so no
repository ever parses a driver's error text.

SQL given to a ``Db`` is written to run on both backends where it can: named parameters,
``ON CONFLICT … DO NOTHING / DO UPDATE``, ``RETURNING``, ``"end"`` quoted (a reserved word in
PostgreSQL), flags compared as integers (``barred = 0``), no driver-specific functions. The few
fragments that differ are asked of the backend (``Db.json_field``, ``Db.hint_scan``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

Params = Mapping[str, Any]
Row = tuple[Any, ...]


class IntegrityViolation(Exception):
    """A constraint refused a write. ``table`` and ``columns`` name it where the backend can
    tell (empty otherwise); ``detail`` is the backend's own text, for logs only."""

    def __init__(self, table: str, columns: tuple[str, ...], detail: str) -> None:
        super().__init__(detail)
        self.table = table
        self.columns = columns
        self.detail = detail

    @property
    def constraint(self) -> str:
        """``table(column, …)``: the constraint as the repositories name it."""
        return f"{self.table}({', '.join(self.columns)})"

    def on(self, table: str, *columns: str) -> bool:
        """Whether the violated constraint is the one on these columns of ``table``."""
        return self.table == table and set(self.columns) == set(columns)


class UniqueViolation(IntegrityViolation):
    """A UNIQUE constraint or unique index (a primary key included)."""


class CheckViolation(IntegrityViolation):
    """A CHECK constraint (e.g. ``booked <= capacity``)."""


class NotNullViolation(IntegrityViolation):
    """A NOT NULL column given no value."""


class ForeignKeyViolation(IntegrityViolation):
    """A reference to a row that does not exist."""


class Db(Protocol):
    """One connection's worth of database, as the repositories see it."""

    dialect: str  # "sqlite" or "postgresql"

    def one(self, sql: str, params: Params = ...) -> Row | None:
        """The first row of a query, or None."""
        ...

    def all(self, sql: str, params: Params = ...) -> list[Row]:
        """Every row of a query."""
        ...

    def dicts(self, sql: str, params: Params = ...) -> list[dict[str, Any]]:
        """Every row of a query as a dict by column name (listings for operators and tests)."""
        ...

    def stream(self, sql: str, params: Params = ...) -> Iterator[Row]:
        """The rows of a query as they are read (a batch over a large table)."""
        ...

    def execute(self, sql: str, params: Params = ...) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement for each set of parameters; the number of rows changed in all."""
        ...

    def defer(self, sql: str, params: Params = ...) -> None:
        """Inside a transaction, a write whose result nobody reads (no row count, no conflict
        caught on the spot): the backend may send it later in the transaction, with the next
        statement or the ``COMMIT``, to save a round trip (PostgreSQL); a conflict it meets
        fails the transaction there. Outside one, or on SQLite: run now."""
        ...

    def batch(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        """Several statements in order, in one round trip where the backend can (PostgreSQL:
        one simple query, itself a transaction when none is open); each one's rows (none for
        a statement that returns none)."""
        ...

    def insert(self, sql: str, params: Params = ...) -> int:
        """Run an INSERT of one row into a table with an integer ``id``; that id."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """One atomic unit. The outermost level holds what it writes until it commits (SQLite:
        ``BEGIN IMMEDIATE``, the write lock up front); nested levels are savepoints, so an
        operation failing inside a larger one rolls back only its own writes."""
        ...

    def lock(self, key: str) -> None:
        """Inside a transaction: wait for, and hold until it ends, the lock named ``key`` — one
        holder at a time across every process on the database (SQLite: the transaction's write
        lock already is that; PostgreSQL: an advisory lock, taken in the round trip of the
        transaction's next statement, before that statement runs)."""
        ...

    def bulk(self, cache_mb: int) -> AbstractContextManager[None]:
        """A context for a batch that reads and writes a large share of the database (SQLite: a
        larger page cache for the connection)."""
        ...

    def schema_lock(self) -> AbstractContextManager[None]:
        """Where the migrations' own table is made and read, before any migration runs:
        PostgreSQL: a transaction holding the ``migrations`` lock, so two processes starting
        at once on an empty database do not both create it; SQLite: no transaction (a reader
        opening the file while another process writes is not kept waiting)."""
        ...

    def describe(self) -> dict[str, tuple[list[str], set[str]]]:
        """The database's own tables (not ``_migrations``, not temporary ones): each one's
        columns in order and the tables its foreign keys refer to (for ``vaxbot db copy``)."""
        ...

    def skip_locked(self) -> str:
        """SQL to end a ``SELECT`` that claims rows to work on inside a transaction: rows it
        reads are locked until the transaction ends, and rows another transaction holds are
        passed over rather than waited for, so two workers never claim the same row
        (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: nothing, its one writer already is)."""
        ...

    def for_update(self) -> str:
        """SQL to end a ``SELECT`` inside a transaction that reads rows it will change: they are
        locked until it ends, waiting for another transaction's lock (PostgreSQL:
        ``FOR UPDATE``; SQLite: nothing)."""
        ...

    def advance_ids(self, table: str) -> None:
        """After rows were inserted into ``table`` with explicit ids (a copied database): the
        ids drawn from now on come after the largest there (PostgreSQL: ``setval`` of the
        identity's sequence; SQLite draws after the largest by itself)."""
        ...

    def json_field(self, expression: str, key: str) -> str:
        """SQL for the text of top-level ``key`` of the JSON text in ``expression``."""
        ...

    def hint_scan(self, table: str, alias: str) -> str:
        """SQL naming ``table`` as ``alias`` in a FROM clause, read in one pass rather than
        through an index where the backend takes such a hint."""
        ...

    def close(self) -> None: ...
