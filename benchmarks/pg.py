"""PostgreSQL for the benchmarks: a server (the one ``--db`` names, or a throwaway one), fresh
databases on it, and the raw booking transaction through psycopg for ``engine.py``.

``--db postgresql`` (the word alone) starts a throwaway server in a temporary folder, as the
tests do (``tests/fakes/postgres.py``: ``initdb``/``pg_ctl`` of the installed PostgreSQL, run as
the ``postgres`` user when run as root), stopped at the end. ``--db postgresql://user@host/db``
uses that server: the benchmark creates (and drops) databases named ``vaxbot_bench_*`` on it,
so the user needs CREATEDB; the database named in the URL is only used to connect.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from store.crypto import new_key_text  # noqa: E402
from tests.fakes import postgres  # noqa: E402

THROWAWAY = "postgresql"


def wanted(value: object) -> bool:
    """Whether a ``--db`` value asks for PostgreSQL (a URL, or the word for a throwaway)."""
    return str(value) == THROWAWAY or str(value).startswith(("postgresql://", "postgres://"))


@contextmanager
def server(value: str) -> Iterator[str]:
    """The URL of a server to make databases on: ``value``, or a throwaway one. A PostgreSQL
    database keeps no key file: unless ``VAXBOT_DATA_KEY`` is set, the run makes one up (the
    serve processes ``rush.py`` starts are given it)."""
    os.environ.setdefault("VAXBOT_DATA_KEY", new_key_text())
    if value != THROWAWAY:
        yield value
        return
    with postgres.server() as url:
        yield url


def fresh(server_url: str, name: str, template: str | None = None) -> str:
    """An empty database ``name`` (or a copy of ``template``) on the server; its URL."""
    return postgres.create(server_url, name, template)


def drop(server_url: str, name: str) -> None:
    postgres.drop(server_url, name)


UPDATE_SLOT = (
    "UPDATE slots AS t SET booked = booked + 1 WHERE t.id = %(slot)s AND t.released_at <= %(now)s "
    "AND t.booked < t.capacity AND (t.day > %(today)s OR t.start > %(time)s)"
)
INSERT_BOOKING = (
    "INSERT INTO bookings (resident_id, slot_id, dose, status, channel, actor, created_at, "
    "updated_at, code) VALUES (%s, %s, %s, 'active', 'sms', 'self:sms', %s, %s, %s) RETURNING id"
)
CHECK_BOOKED = "SELECT 1 FROM bookings WHERE resident_id = %s AND dose = %s AND status = 'active'"
INSERT_AUDIT = (
    "INSERT INTO audit (at, actor, channel, action, entity, entity_id, before, after) "
    "VALUES (%s, 'self:sms', 'sms', 'book', 'booking', %s, NULL, %s)"
)


def raw_bookings(url: str, people: list[int], moment: datetime, dose: int, full: bool) -> float:
    """Book every person (round-robin over the slots after today), one transaction each, with
    psycopg alone (autocommit connection, ``BEGIN`` … ``COMMIT``); seconds taken."""
    stamp = moment.isoformat(timespec="seconds")
    when = {"now": stamp, "today": moment.date().isoformat(), "time": moment.strftime("%H:%M")}
    with psycopg.connect(url, autocommit=True) as conn:
        slots = [int(row[0]) for row in conn.execute(
            "SELECT id FROM slots WHERE day > %s ORDER BY id", [when["today"]])]  # fmt: skip
        started = time.perf_counter()
        for n, resident_id in enumerate(people):
            slot_id = slots[n % len(slots)]
            with conn.transaction():
                if full and conn.execute(CHECK_BOOKED, [resident_id, dose]).fetchone():
                    raise AssertionError("already booked")
                if not conn.execute(UPDATE_SLOT, {**when, "slot": slot_id}).rowcount:
                    raise AssertionError(f"slot {slot_id} unavailable")
                code = f"X{dose}{resident_id:07d}"
                row = conn.execute(
                    INSERT_BOOKING, [resident_id, slot_id, dose, stamp, stamp, code]
                ).fetchone()
                assert row is not None
                if full:
                    after = (
                        f'{{"resident_id": {resident_id}, "slot_id": {slot_id}, "dose": {dose}}}'
                    )
                    conn.execute(INSERT_AUDIT, [stamp, str(row[0]), after])
        return time.perf_counter() - started
