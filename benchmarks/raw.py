"""The raw part of ``benchmarks/engine.py`` on SQLite: the booking transaction done with the
``sqlite3`` module alone, on a file set up as ``Store.open`` sets up its own (PostgreSQL's is in
``benchmarks/pg.py``).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from store.sqlite import BUSY_TIMEOUT_MS


def raw_connection(path: Path) -> sqlite3.Connection:
    """A connection set up as ``Store.open`` sets up its own."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


UPDATE_SLOT = (
    "UPDATE slots AS t SET booked = booked + 1 WHERE t.id = :slot AND t.released_at <= :now "
    "AND t.booked < t.capacity AND (t.day > :today OR t.start > :time)"
)
INSERT_BOOKING = (
    "INSERT INTO bookings (resident_id, slot_id, dose, status, channel, actor, created_at, "
    "updated_at, code) VALUES (?, ?, ?, 'active', 'sms', 'self:sms', ?, ?, ?)"
)
CHECK_BOOKED = "SELECT 1 FROM bookings WHERE resident_id = ? AND dose = ? AND status = 'active'"
INSERT_AUDIT = (
    "INSERT INTO audit (at, actor, channel, action, entity, entity_id, before, after) "
    "VALUES (?, 'self:sms', 'sms', 'book', 'booking', ?, NULL, ?)"
)


def raw_bookings(
    conn: sqlite3.Connection,
    people: list[int],
    slots: list[int],
    moment: datetime,
    dose: int,
    full: bool,
) -> float:
    """Book every person (round-robin over ``slots``), one transaction each; seconds taken."""
    stamp = moment.isoformat(timespec="seconds")
    when = {"now": stamp, "today": moment.date().isoformat(), "time": moment.strftime("%H:%M")}
    started = time.perf_counter()
    for n, resident_id in enumerate(people):
        slot_id = slots[n % len(slots)]
        conn.execute("BEGIN IMMEDIATE")
        if full and conn.execute(CHECK_BOOKED, [resident_id, dose]).fetchone():
            raise AssertionError("already booked")
        if not conn.execute(UPDATE_SLOT, {**when, "slot": slot_id}).rowcount:
            raise AssertionError(f"slot {slot_id} unavailable")
        code = f"X{dose}{resident_id:07d}"
        booking_id = conn.execute(
            INSERT_BOOKING, [resident_id, slot_id, dose, stamp, stamp, code]
        ).lastrowid
        if full:
            after = f'{{"resident_id": {resident_id}, "slot_id": {slot_id}, "dose": {dose}}}'
            conn.execute(INSERT_AUDIT, [stamp, str(booking_id), after])
        conn.execute("COMMIT")
    return time.perf_counter() - started


@dataclass
class RawResult:
    count: int
    bare: float  # seconds for UPDATE + INSERT transactions
    full: float  # seconds for check + UPDATE + INSERT + audit transactions
