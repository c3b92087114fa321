"""What the repositories share: column lists and row converters, the moment as stored text,
the conditions of a bookable slot, and codes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import orjson

from store.crypto import Keyring
from store.db import Db, UniqueViolation
from store.models import Booking, Resident, Site, Slot, SlotFilter

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud on the phone

SITE_COLUMNS = (
    "s.id, s.district_id, s.name_zh, s.name_en, s.address_zh, s.address_en, s.hours, "
    "s.evening, s.mobile, s.accessible, s.closed_on_holidays"
)
SLOT_COLUMNS = 't.id, t.site_id, t.product_id, t.day, t.start, t."end", t.capacity, t.booked'
RESIDENT_COLUMNS = (
    "id, account_id, prereg_code, name, id_type, id_sealed, birth_date, sex, phone, "
    "district_id, noshows, barred, relation, nationality, id_index"
)

# A slot (``t``) can be booked once released, while it has places, and until its period starts.
BOOKABLE = (
    "t.released_at <= :now AND t.booked < t.capacity "
    "AND (t.day > :today OR (t.day = :today AND t.start > :time))"
)


def site(row: Sequence[Any]) -> Site:
    return Site(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6],
        bool(row[7]), bool(row[8]), bool(row[9]), bool(row[10]),
    )  # fmt: skip


def slot(row: Sequence[Any]) -> Slot:
    return Slot(row[0], row[1], row[2], date.fromisoformat(row[3]), row[4], row[5], row[6], row[7])


def resident(row: Sequence[Any], keys: Keyring) -> Resident:
    """A ``Resident`` from a row of ``RESIDENT_COLUMNS`` (the ID number opened with ``keys``)."""
    number = keys.open(row[5], f"residents.id_number:{row[14]}") if row[5] else row[14]
    return Resident(
        row[0], row[1], row[2], row[3], row[4], number, date.fromisoformat(row[6]), row[7],
        row[8], row[9], row[10], bool(row[11]), row[12], row[13],
    )  # fmt: skip


def filtered(only: SlotFilter) -> tuple[str, dict[str, str]]:
    """Extra SQL conditions (on slots ``t`` joined to sites ``s``) for a ``SlotFilter``."""
    sql, params = "", dict[str, str]()
    if only.products is not None:
        names = [f"p{i}" for i in range(len(only.products))]
        sql += f" AND t.product_id IN ({', '.join(':' + n for n in names) or 'NULL'})"
        params.update(zip(names, only.products, strict=True))
    if only.holidays:
        names = [f"h{i}" for i in range(len(only.holidays))]
        listed = ", ".join(":" + n for n in names)
        sql += f" AND NOT (s.closed_on_holidays = 1 AND t.day IN ({listed}))"
        params.update(zip(names, (day.isoformat() for day in only.holidays), strict=True))
    return sql, params


def marks(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``:x0, :x1, …`` for an ``IN (…)`` list of ``values`` (``NULL`` if there are none), and
    the parameters they name."""
    names = [f"{prefix}{i}" for i in range(len(values))]
    return ", ".join(":" + n for n in names) or "NULL", dict(zip(names, values, strict=True))


def compact_json(value: Any) -> str:
    return orjson.dumps(value).decode()


_last_moment: tuple[datetime | None, dict[str, str]] = (None, {})


def moment(now: datetime) -> dict[str, str]:
    """``now`` as the text the database holds: ``now`` (a stamp), ``today`` and ``time``.

    A turn asks for the same moment many times; the last one's text is kept (formatting an
    aware datetime looks its zone up each time). Callers must not change the dict.
    """
    global _last_moment
    last, text = _last_moment
    if last is not now:
        text = {
            "now": now.isoformat(timespec="seconds"),
            "today": now.date().isoformat(),
            "time": f"{now.hour:02d}:{now.minute:02d}",
        }
        _last_moment = (now, text)
    return text


def stamp(now: datetime) -> str:
    return moment(now)["now"]


def new_code(prefix: str, length: int = 7) -> str:
    """A random code such as ``B7K3M9Q2``: a prefix letter and ``length`` unambiguous symbols.

    One draw from the system's randomness, written in base ``len(CODE_ALPHABET)`` (a draw per
    symbol would read the system's randomness ``length`` times).
    """
    base = len(CODE_ALPHABET)
    number = secrets.randbelow(base**length)
    symbols = []
    for _ in range(length):
        number, digit = divmod(number, base)
        symbols.append(CODE_ALPHABET[digit])
    return prefix + "".join(symbols)


class Codes:
    """Where codes come from: ``new_code``, or (for reproducible transcripts) a replacement."""

    __slots__ = ("draw",)

    def __init__(self) -> None:
        self.draw: Callable[[str], str] = new_code

    def insert(
        self, db: Db, table: str, column: str, prefix: str, values: dict[str, Any]
    ) -> tuple[int, str]:
        """Insert a row with a fresh random code in ``column``; its id and the code."""
        names = [*values, column]
        sql = (
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
        )
        for _ in range(20):
            code = self.draw(prefix)
            try:
                with db.transaction():  # a savepoint: a failed statement spoils no transaction
                    return db.insert(sql, {**values, column: code}), code
            except UniqueViolation as exc:
                if exc.on(table, column):
                    continue  # a code collision: draw again
                raise
        raise RuntimeError(f"could not draw a unique {table}.{column}")


BOOKING_SQL = (
    "SELECT b.id, b.code, b.resident_id, b.dose, b.status, b.companion_name, "
    f"b.companion_phone, {SLOT_COLUMNS}, {SITE_COLUMNS} "
    "FROM bookings b JOIN slots t ON t.id = b.slot_id JOIN sites s ON s.id = t.site_id "
)


def booking(row: Sequence[Any]) -> Booking:
    """A ``Booking`` from a row of ``BOOKING_SQL``."""
    booking_id, code, resident_id, dose, status, companion_name, companion_phone = row[:7]
    return Booking(
        booking_id, code, resident_id, dose, status, slot(row[7:15]), site(row[15:]),
        companion_name, companion_phone,
    )  # fmt: skip


def read_booking(db: Db, booking_id: int) -> Booking | None:
    row = db.one(BOOKING_SQL + "WHERE b.id = :id", {"id": booking_id})
    return booking(row) if row else None


def stored_booking(db: Db, booking_id: int) -> Booking:
    """A booking just written (it exists)."""
    found = read_booking(db, booking_id)
    assert found is not None
    return found
