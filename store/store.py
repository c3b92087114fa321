"""The store: every SQL statement of vaxbot lives behind this class.

One SQLite file in WAL mode, opened by any number of processes. Writes that must be atomic run in
``transaction()``: the outermost level is ``BEGIN IMMEDIATE`` (the write lock is taken up front, so
two processes never both read-then-write on a stale view); nested levels are savepoints, so an
operation that fails part-way inside a larger turn rolls back only its own writes.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import sqlite_utils

from store.migrations import migrate
from store.models import (
    ANY_SLOT,
    AlreadyBooked,
    Booking,
    BookingNotActive,
    Dose,
    DoseExists,
    DuplicateDocument,
    Offer,
    OfferClosed,
    Outgoing,
    Resident,
    Screening,
    Site,
    Slot,
    SlotFilter,
    SlotUnavailable,
    StoreError,
)

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud on the phone
BUSY_TIMEOUT_MS = 30_000

_SITE_COLUMNS = (
    "s.id, s.district_id, s.name_zh, s.name_en, s.address_zh, s.address_en, s.hours, "
    "s.evening, s.mobile, s.accessible, s.closed_on_holidays"
)
_SLOT_COLUMNS = "t.id, t.site_id, t.product_id, t.day, t.start, t.end, t.capacity, t.booked"


# A slot can be booked once released, while it has places, and until its period starts.
_BOOKABLE = (
    "t.released_at <= :now AND t.booked < t.capacity "
    "AND (t.day > :today OR (t.day = :today AND t.start > :time))"
)


def _stamp(moment: datetime) -> str:
    return _moment(moment)["now"]


def _filtered(only: SlotFilter) -> tuple[str, dict[str, str]]:
    """Extra SQL conditions (on slots ``t`` joined to sites ``s``) for a ``SlotFilter``."""
    sql, params = "", dict[str, str]()
    if only.products is not None:
        names = [f"p{i}" for i in range(len(only.products))]
        sql += f" AND t.product_id IN ({', '.join(':' + n for n in names)})"
        params.update(zip(names, only.products, strict=True))
    if only.holidays:
        names = [f"h{i}" for i in range(len(only.holidays))]
        sql += f" AND NOT (s.closed_on_holidays AND t.day IN ({', '.join(':' + n for n in names)}))"
        params.update(zip(names, (day.isoformat() for day in only.holidays), strict=True))
    return sql, params


def _compact_json(value: Any) -> str:
    return orjson.dumps(value).decode()


_last_moment: tuple[datetime | None, dict[str, str]] = (None, {})


def _moment(now: datetime) -> dict[str, str]:
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


def _site(row: Sequence[Any]) -> Site:
    return Site(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6],
        bool(row[7]), bool(row[8]), bool(row[9]), bool(row[10]),
    )  # fmt: skip


def _slot(row: Sequence[Any]) -> Slot:
    return Slot(row[0], row[1], row[2], date.fromisoformat(row[3]), row[4], row[5], row[6], row[7])


_RESIDENT_COLUMNS = (
    "id, account_id, prereg_code, name, id_type, id_number, birth_date, sex, phone, "
    "district_id, noshows, barred, relation, nationality"
)


def _resident(row: Sequence[Any]) -> Resident:
    """A ``Resident`` from a row of ``_RESIDENT_COLUMNS``."""
    return Resident(
        row[0], row[1], row[2], row[3], row[4], row[5], date.fromisoformat(row[6]), row[7],
        row[8], row[9], row[10], bool(row[11]), row[12], row[13],
    )  # fmt: skip


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


class Transaction:
    """``with store.transaction():`` — ``BEGIN IMMEDIATE`` … ``COMMIT`` at the outermost level,
    a savepoint inside; an exception rolls back to where this level began and goes on.

    A plain context manager rather than a generator: every turn enters it at least once.
    """

    __slots__ = ("_conn", "_depth")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._depth = 0

    def __enter__(self) -> None:
        depth = self._depth
        self._conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT sp{depth}")
        self._depth = depth + 1

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._depth = depth = self._depth - 1
        if kind is None:
            self._conn.execute("COMMIT" if depth == 0 else f"RELEASE sp{depth}")
        elif depth == 0:
            self._conn.execute("ROLLBACK")
        else:
            self._conn.execute(f"ROLLBACK TO sp{depth}")
            self._conn.execute(f"RELEASE sp{depth}")  # a rolled-back savepoint must be released


class Store:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.new_code: Callable[[str], str] = new_code  # replaceable: reproducible transcripts
        self.db = sqlite_utils.Database(conn)
        self._conn = conn
        self._transaction = Transaction(conn)

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating and migrating as needed) the database file at ``path``."""
        conn = sqlite3.connect(
            str(path),
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        store = cls(conn)
        migrate(store.db)
        return store

    def close(self) -> None:
        self._conn.close()

    def ping(self) -> None:
        """Raise if the database cannot answer (for health checks)."""
        self._one("SELECT 1")

    def transaction(self) -> Transaction:
        """One atomic unit; nested calls become savepoints of the enclosing transaction."""
        return self._transaction

    def _all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._conn.execute(sql, params).fetchone()
        return row

    # -- reference data ---------------------------------------------------------------------

    def sync_districts(self, districts: Iterable[tuple[str, str, str]]) -> None:
        self.db.table("districts").upsert_all(
            ({"id": i, "name_zh": zh, "name_en": en} for i, zh, en in districts), pk="id"
        )

    def sync_products(self, products: Iterable[tuple[str, str, str, str, int]]) -> None:
        self.db.table("products").upsert_all(
            (
                {"id": i, "name_zh": zh, "name_en": en, "manufacturer": m, "doses": n}
                for i, zh, en, m, n in products
            ),
            pk="id",
        )

    def add_site(
        self,
        *,
        district_id: str,
        name_zh: str,
        name_en: str,
        address_zh: str,
        address_en: str,
        hours: str = "",
        evening: bool = False,
        mobile: bool = False,
        accessible: bool = False,
        closed_on_holidays: bool = False,
    ) -> int:
        with self.transaction():
            cursor = self._conn.execute(
                "INSERT INTO sites (district_id, name_zh, name_en, address_zh, address_en, hours, "
                "evening, mobile, accessible, closed_on_holidays) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?)",
                [district_id, name_zh, name_en, address_zh, address_en, hours, evening, mobile,
                 accessible, closed_on_holidays],
            )  # fmt: skip
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def update_site(self, site_id: int, **fields: Any) -> None:
        """Change a site's name, address, hours or attributes (columns of ``sites``)."""
        allowed = {
            "district_id", "name_zh", "name_en", "address_zh", "address_en", "hours",
            "evening", "mobile", "accessible", "closed_on_holidays",
        }  # fmt: skip
        unknown = set(fields) - allowed
        if unknown:
            raise StoreError(f"not site fields: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = :{name}" for name in fields)
        with self.transaction():
            self._conn.execute(
                f"UPDATE sites SET {assignments} WHERE id = :id", {**fields, "id": site_id}
            )

    def add_slots(self, rows: Iterable[dict[str, Any]], skip_existing: bool = False) -> int:
        """Insert slots (site_id, product_id, day, start, end, capacity, released_at).

        With ``skip_existing``, a slot already there (same site, product, day, start) is kept
        as it is; otherwise it is an error. Returns the number inserted.
        """
        verb = "INSERT OR IGNORE" if skip_existing else "INSERT"
        with self.transaction():
            cursor = self._conn.executemany(
                f"{verb} INTO slots (site_id, product_id, day, start, end, capacity, released_at) "
                "VALUES (:site_id, :product_id, :day, :start, :end, :capacity, :released_at)",
                rows,
            )
        return cursor.rowcount

    def site_ids(self) -> dict[str, int]:
        """Every site's id by its English name."""
        return {str(name): int(site_id) for site_id, name in self._all(
            "SELECT id, name_en FROM sites")}  # fmt: skip

    def site(self, site_id: int) -> Site | None:
        row = self._one(f"SELECT {_SITE_COLUMNS} FROM sites s WHERE s.id = ?", [site_id])
        return _site(row) if row else None

    # -- site listings for answers (flows/answers.py) ------------------------------------------

    def sites(self, district_id: str | None = None) -> list[Site]:
        """Every site (of a district, or all), by id."""
        rows = self._all(
            f"SELECT {_SITE_COLUMNS} FROM sites s WHERE (? IS NULL OR s.district_id = ?) "
            "ORDER BY s.id",
            [district_id, district_id],
        )
        return [_site(row) for row in rows]

    def sites_stocking(
        self, products: Sequence[str], from_day: date, district_id: str | None = None
    ) -> list[Site]:
        """Sites (of a district, or all) with slots of these products on ``from_day`` or later,
        released or not, full or not; by id."""
        marks = ", ".join("?" for _ in products) or "NULL"
        rows = self._all(
            f"SELECT {_SITE_COLUMNS} FROM sites s WHERE (? IS NULL OR s.district_id = ?) "
            f"AND EXISTS (SELECT 1 FROM slots t WHERE t.site_id = s.id AND t.day >= ? "
            f"AND t.product_id IN ({marks})) ORDER BY s.id",
            [district_id, district_id, from_day.isoformat(), *products],
        )
        return [_site(row) for row in rows]

    # -- end of site listings for answers ------------------------------------------------------

    def sites_with_places(
        self,
        district_id: str | None,
        first: date,
        last: date,
        now: datetime,
        only: SlotFilter = ANY_SLOT,
    ) -> list[tuple[Site, int]]:
        """Sites (of a district, or all) with their bookable places from ``first`` to ``last``."""
        where, params = _filtered(only)
        rows = self._all(
            f"SELECT {_SITE_COLUMNS}, COALESCE(SUM(t.capacity - t.booked), 0) FROM sites s "
            f"LEFT JOIN slots t ON t.site_id = s.id AND t.day BETWEEN :first AND :last "
            f"AND {_BOOKABLE}{where} WHERE (:district IS NULL OR s.district_id = :district) "
            "GROUP BY s.id ORDER BY s.id",
            {**params, **_moment(now), "first": first.isoformat(), "last": last.isoformat(),
             "district": district_id},
        )  # fmt: skip
        return [(_site(row), row[11]) for row in rows]

    def open_days(
        self, site_id: int, first: date, last: date, now: datetime, only: SlotFilter = ANY_SLOT
    ) -> list[tuple[date, int]]:
        """Days from ``first`` to ``last`` with bookable places left at a site, and how many."""
        where, params = _filtered(only)
        rows = self._all(
            "SELECT t.day, SUM(t.capacity - t.booked) FROM slots t "
            "JOIN sites s ON s.id = t.site_id WHERE t.site_id = :site "
            f"AND t.day BETWEEN :first AND :last AND {_BOOKABLE}{where} "
            "GROUP BY t.day ORDER BY t.day",
            {**params, **_moment(now), "site": site_id, "first": first.isoformat(),
             "last": last.isoformat()},
        )  # fmt: skip
        return [(date.fromisoformat(day), left) for day, left in rows]

    def open_slots(
        self, site_id: int, day: date, now: datetime, only: SlotFilter = ANY_SLOT
    ) -> list[Slot]:
        """Bookable slots of a site on a day, in time order."""
        where, params = _filtered(only)
        rows = self._all(
            f"SELECT {_SLOT_COLUMNS} FROM slots t JOIN sites s ON s.id = t.site_id "
            f"WHERE t.site_id = :site AND t.day = :day AND {_BOOKABLE}{where} "
            "ORDER BY t.start, t.product_id",
            {**params, **_moment(now), "site": site_id, "day": day.isoformat()},
        )
        return [_slot(row) for row in rows]

    def release_due(self, last_day: date, now: datetime) -> int:
        """Release every unreleased slot up to ``last_day``; returns how many. Idempotent."""
        with self.transaction():
            cursor = self._conn.execute(
                "UPDATE slots SET released_at = ? WHERE released_at IS NULL AND day <= ?",
                [_stamp(now), last_day.isoformat()],
            )
        return cursor.rowcount

    def site_named(self, name: str) -> Site | None:
        """A site by its Chinese or English name (case-insensitive)."""
        row = self._one(
            f"SELECT {_SITE_COLUMNS} FROM sites s "
            "WHERE s.name_zh = ? OR lower(s.name_en) = lower(?)",
            [name, name],
        )
        return _site(row) if row else None

    def slot(self, slot_id: int) -> Slot | None:
        row = self._one(f"SELECT {_SLOT_COLUMNS} FROM slots t WHERE t.id = ?", [slot_id])
        return _slot(row) if row else None

    # -- conversations and inbound messages ----------------------------------------------------

    def load_state(self, channel: str, address: str) -> dict[str, Any] | None:
        text = self.state_text(channel, address)
        state: dict[str, Any] | None = orjson.loads(text) if text is not None else None
        return state

    def state_text(self, channel: str, address: str) -> str | None:
        """A conversation's state as stored (JSON text)."""
        row = self._one(
            "SELECT state FROM conversations WHERE channel = ? AND address = ?", [channel, address]
        )
        return str(row[0]) if row else None

    def save_state(
        self, channel: str, address: str, state: dict[str, Any] | str, now: datetime
    ) -> None:
        """Store a conversation's state (a dict, or JSON text already made)."""
        text = state if isinstance(state, str) else _compact_json(state)
        self._conn.execute(
            "INSERT INTO conversations (channel, address, state, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (channel, address) DO UPDATE SET state = excluded.state, "
            "updated_at = excluded.updated_at",
            [channel, address, text, _stamp(now)],
        )

    def turn_start(
        self, channel: str, address: str, message_id: str | None
    ) -> tuple[str | None, str | None]:
        """What a turn starts from, in one read: the replies already given to ``message_id``
        (if it was processed: a redelivery), and the conversation's state (JSON text)."""
        row = self._one(
            "SELECT (SELECT replies FROM inbound WHERE channel = ?1 AND message_id = ?2), "
            "(SELECT state FROM conversations WHERE channel = ?1 AND address = ?3)",
            [channel, message_id, address],
        )
        assert row is not None
        return row[0], row[1]

    def record_inbound(self, channel: str, message_id: str, replies: str, now: datetime) -> None:
        self._conn.execute(
            "INSERT INTO inbound (channel, message_id, replies, received_at) VALUES (?, ?, ?, ?)",
            [channel, message_id, replies, _stamp(now)],
        )

    # -- accounts and residents ----------------------------------------------------------------

    def account_phone(self, account_id: int) -> str | None:
        row = self._one("SELECT phone FROM accounts WHERE id = ?", [account_id])
        return str(row[0]) if row and row[0] else None

    def link_address(
        self, channel: str, address: str, phone: str, *, now: datetime, actor: str
    ) -> int:
        """Make ``(channel, address)`` part of the identity of ``phone``; returns its account.

        People registered from the address before it was linked move to that account, so the
        resident keeps them.
        """
        with self.transaction():
            target = self._new_or_phone_account(phone, now)
            before = self.account_of(channel, address)
            self._conn.execute(
                "INSERT INTO addresses (channel, address, account_id) VALUES (?, ?, ?) "
                "ON CONFLICT (channel, address) DO UPDATE SET account_id = excluded.account_id",
                [channel, address, target],
            )
            if before is not None and before != target:
                self._conn.execute(
                    "UPDATE residents SET account_id = ? WHERE account_id = ?", [target, before]
                )
            self.audit(now, actor, channel, "link", "account", target,
                       {"account_id": before}, {"account_id": target})  # fmt: skip
        return target

    def _new_or_phone_account(self, phone: str | None, now: datetime) -> int:
        """The account of ``phone``, created if there is none (always new without a phone)."""
        row = self._one("SELECT id FROM accounts WHERE phone = ?", [phone]) if phone else None
        if row:
            return int(row[0])
        cursor = self._conn.execute(
            "INSERT INTO accounts (phone, created_at) VALUES (?, ?)", [phone, _stamp(now)]
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def account_of(self, channel: str, address: str) -> int | None:
        """The account behind a channel address, if it has one."""
        row = self._one(
            "SELECT account_id FROM addresses WHERE channel = ? AND address = ?", [channel, address]
        )
        return int(row[0]) if row else None

    def account_for(self, channel: str, address: str, phone: str | None, now: datetime) -> int:
        """The account behind a channel address, created on first contact.

        An address that is a phone number joins the account of that phone, so the same person
        texting and calling the hotline is one account.
        """
        with self.transaction():  # looked up under the write lock: one account per address
            account_id = self.account_of(channel, address)
            if account_id is None:
                account_id = self._new_or_phone_account(phone, now)
                self._conn.execute(
                    "INSERT INTO addresses (channel, address, account_id) VALUES (?, ?, ?)",
                    [channel, address, account_id],
                )
        return account_id

    def _residents(self, where: str, params: Sequence[Any]) -> list[Resident]:
        rows = self._all(
            f"SELECT {_RESIDENT_COLUMNS} FROM residents WHERE {where} ORDER BY id", params
        )
        return [_resident(row) for row in rows]

    def residents_of(self, account_id: int) -> list[Resident]:
        return self._residents("account_id = ?", [account_id])

    def resident(self, resident_id: int) -> Resident | None:
        found = self._residents("id = ?", [resident_id])
        return found[0] if found else None

    def resident_by_prereg_code(self, code: str) -> Resident | None:
        found = self._residents("prereg_code = ?", [code.strip().upper()])
        return found[0] if found else None

    def resident_by_document(self, id_type: str, id_number: str) -> Resident | None:
        found = self._residents("id_type = ? AND id_number = ?", [id_type, id_number])
        return found[0] if found else None

    def add_resident(
        self,
        *,
        account_id: int,
        name: str,
        id_type: str,
        id_number: str,
        birth_date: date,
        sex: str | None,
        phone: str,
        district_id: str,
        now: datetime,
        actor: str,
        channel: str,
        relation: str = "self",
        nationality: str | None = None,
    ) -> Resident:
        """Register a person; raises ``DuplicateDocument`` if the document is already known."""
        with self.transaction():
            values = {
                "account_id": account_id,
                "name": name,
                "id_type": id_type,
                "id_number": id_number,
                "birth_date": birth_date.isoformat(),
                "sex": sex,
                "phone": phone,
                "district_id": district_id,
                "relation": relation,
                "nationality": nationality,
                "created_at": _stamp(now),
            }
            try:
                resident_id, code = self._insert_with_code("residents", "prereg_code", "R", values)
            except sqlite3.IntegrityError as exc:  # the UNIQUE (id_type, id_number) constraint
                existing = self.resident_by_document(id_type, id_number)
                if existing is None:
                    raise
                raise DuplicateDocument(existing) from exc
            self.audit(now, actor, channel, "register", "resident", resident_id, None, {
                "account_id": account_id, "district_id": district_id,
            })  # fmt: skip
        return Resident(
            id=resident_id,
            account_id=account_id,
            prereg_code=code,
            name=name,
            id_type=id_type,
            id_number=id_number,
            birth_date=birth_date,
            sex=sex,
            phone=phone,
            district_id=district_id,
            noshows=0,
            barred=False,
            relation=relation,
            nationality=nationality,
        )

    def _insert_with_code(
        self, table: str, column: str, prefix: str, values: dict[str, Any]
    ) -> tuple[int, str]:
        """Insert a row with a fresh random code in ``column``; its rowid and the code."""
        names = [*values, column]
        sql = (
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
        )
        for _ in range(20):
            try:  # a failed INSERT undoes only itself: no savepoint needed
                code = self.new_code(prefix)
                cursor = self._conn.execute(sql, {**values, column: code})
            except sqlite3.IntegrityError as exc:
                if f"{table}.{column}" in str(exc):
                    continue  # a code collision: draw again
                raise
            assert cursor.lastrowid is not None
            return cursor.lastrowid, code
        raise RuntimeError(f"could not draw a unique {table}.{column}")

    def doses_of(self, resident_id: int) -> list[Dose]:
        """The doses a person has received, in order."""
        rows = self._all(
            "SELECT resident_id, dose, day, product_id, site_id, source FROM doses "
            "WHERE resident_id = ? ORDER BY dose",
            [resident_id],
        )
        return [Dose(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4], r[5]) for r in rows]

    def add_dose(self, dose: Dose, now: datetime, actor: str, channel: str) -> None:
        """Record a dose; ``DoseExists`` if that dose number is already on record."""
        try:
            with self.transaction():
                self._conn.execute(
                    "INSERT INTO doses (resident_id, dose, day, product_id, site_id, source) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [dose.resident_id, dose.dose, dose.day.isoformat(), dose.product_id,
                     dose.site_id, dose.source],
                )  # fmt: skip
                self.audit(now, actor, channel, "dose", "resident", dose.resident_id, None, {
                    "dose": dose.dose, "day": dose.day.isoformat(), "product_id": dose.product_id,
                    "site_id": dose.site_id, "source": dose.source,
                })  # fmt: skip
        except sqlite3.IntegrityError as exc:
            if "doses.resident_id, doses.dose" in str(exc):
                raise DoseExists(dose.dose) from None
            raise

    def join_queue(
        self, resident_id: int, dose: int, district_id: str | None, period: str | None,
        now: datetime,
    ) -> bool:  # fmt: skip
        """Put a person on the pre-registration queue for a dose; False if already waiting."""
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO queue (resident_id, dose, district_id, period, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [resident_id, dose, district_id, period, _stamp(now)],
        )
        return cursor.rowcount == 1

    # -- bookings ------------------------------------------------------------------------------

    def book(
        self,
        *,
        resident_id: int,
        slot_id: int,
        dose: int,
        now: datetime,
        channel: str,
        actor: str,
        companion: tuple[str, str] | None = None,
    ) -> Booking:
        """Take one place in a slot for a person, atomically.

        The guarded UPDATE is the capacity check: it only succeeds while ``booked < capacity``,
        and the write lock makes check and increment one step for every process on the file.
        """
        stamp = _stamp(now)
        with self.transaction():
            if self._one(
                "SELECT 1 FROM bookings WHERE resident_id = ? AND dose = ? AND status = 'active'",
                [resident_id, dose],
            ):
                raise AlreadyBooked(dose)
            self._take_place(slot_id, now)
            booking_id, _ = self._insert_with_code(
                "bookings",
                "code",
                "B",
                {
                    "resident_id": resident_id,
                    "slot_id": slot_id,
                    "dose": dose,
                    "status": "active",
                    "companion_name": companion[0] if companion else None,
                    "companion_phone": companion[1] if companion else None,
                    "channel": channel,
                    "actor": actor,
                    "created_at": stamp,
                    "updated_at": stamp,
                },
            )
            self.audit(now, actor, channel, "book", "booking", booking_id, None, {
                "resident_id": resident_id, "slot_id": slot_id, "dose": dose, "status": "active",
            })  # fmt: skip
            self._conn.execute(  # booked by themselves: no longer waiting in the queue
                "UPDATE queue SET status = 'booked' WHERE resident_id = ? AND dose = ? "
                "AND status = 'waiting'",
                [resident_id, dose],
            )
            for offer in self._open_offers_of(resident_id, dose):  # its place goes back
                self._close_offer(offer, "void", now)
                self._conn.execute(
                    "UPDATE queue SET status = 'booked' WHERE id = ?", [offer.queue_id]
                )
        return self._after(booking_id)

    def _open_offers_of(self, resident_id: int, dose: int) -> list[Offer]:
        rows = self._all(
            self._OFFER_SQL + "WHERE o.resident_id = ? AND o.dose = ? AND o.status = 'open'",
            [resident_id, dose],
        )
        return [self._offer(row) for row in rows]

    _BOOKING_SQL = (
        "SELECT b.id, b.code, b.resident_id, b.dose, b.status, b.companion_name, "
        f"b.companion_phone, {_SLOT_COLUMNS}, {_SITE_COLUMNS} "
        "FROM bookings b JOIN slots t ON t.id = b.slot_id JOIN sites s ON s.id = t.site_id "
    )

    @staticmethod
    def _booking(row: Sequence[Any]) -> Booking:
        booking_id, code, resident_id, dose, status, companion_name, companion_phone = row[:7]
        return Booking(
            booking_id, code, resident_id, dose, status, _slot(row[7:15]), _site(row[15:]),
            companion_name, companion_phone,
        )  # fmt: skip

    def booking(self, booking_id: int) -> Booking | None:
        row = self._one(self._BOOKING_SQL + "WHERE b.id = ?", [booking_id])
        return self._booking(row) if row else None

    def active_bookings(self, resident_id: int) -> list[Booking]:
        rows = self._all(
            self._BOOKING_SQL + "WHERE b.resident_id = ? AND b.status = 'active' "
            "ORDER BY t.day, t.start",
            [resident_id],
        )
        return [self._booking(row) for row in rows]

    def booking_by_code(self, code: str) -> Booking | None:
        row = self._one(self._BOOKING_SQL + "WHERE b.code = ?", [code.strip().upper()])
        return self._booking(row) if row else None

    def _active(self, booking_id: int) -> Booking:
        booking = self.booking(booking_id)
        if booking is None or booking.status != "active":
            raise BookingNotActive(booking_id)
        return booking

    def _set_status(self, booking: Booking, status: str, now: datetime) -> None:
        self._conn.execute(
            "UPDATE bookings SET status = ?, updated_at = ? WHERE id = ?",
            [status, _stamp(now), booking.id],
        )

    def _take_place(self, slot_id: int, now: datetime) -> None:
        """The capacity check and the increment in one guarded statement: it only succeeds while
        the slot is released, not started and ``booked < capacity`` (``SlotUnavailable``)."""
        taken = self._conn.execute(
            f"UPDATE slots AS t SET booked = booked + 1 WHERE t.id = :slot AND {_BOOKABLE}",
            {**_moment(now), "slot": slot_id},
        ).rowcount
        if not taken:
            raise SlotUnavailable(slot_id)

    def cancel(self, booking_id: int, *, now: datetime, actor: str, channel: str) -> Booking:
        """Cancel an active booking and free its place at once."""
        with self.transaction():
            booking = self._active(booking_id)
            self._set_status(booking, "cancelled", now)
            self._conn.execute(
                "UPDATE slots SET booked = booked - 1 WHERE id = ?", [booking.slot.id]
            )
            self.audit(now, actor, channel, "cancel", "booking", booking.id,
                       {"status": "active"}, {"status": "cancelled"})  # fmt: skip
        return self._after(booking_id)

    def reschedule(
        self, booking_id: int, slot_id: int, *, now: datetime, actor: str, channel: str
    ) -> Booking:
        """Move an active booking to another slot: the new place is taken before the old one is
        released, in one transaction, so the person never ends up with neither."""
        with self.transaction():
            booking = self._active(booking_id)
            if slot_id == booking.slot.id:
                return booking  # already there: nothing to move
            self._take_place(slot_id, now)
            self._conn.execute(
                "UPDATE slots SET booked = booked - 1 WHERE id = ?", [booking.slot.id]
            )
            self._conn.execute(
                "UPDATE bookings SET slot_id = ?, updated_at = ? WHERE id = ?",
                [slot_id, _stamp(now), booking.id],
            )
            self.audit(now, actor, channel, "reschedule", "booking", booking.id,
                       {"slot_id": booking.slot.id}, {"slot_id": slot_id})  # fmt: skip
        return self._after(booking_id)

    def attend(
        self,
        booking_id: int,
        *,
        now: datetime,
        actor: str,
        channel: str,
        noshow_limit: int | None = None,
    ) -> Booking:
        """Mark a booking attended and record the dose it gave.

        A booking the end-of-day job already marked a no-show (attendance entered late) is
        corrected: the no-show no longer counts, and with ``noshow_limit`` the bar is re-judged.
        An appointment after today cannot be attended yet.
        """
        with self.transaction():
            booking = self.booking(booking_id)
            if booking is None or booking.status not in ("active", "noshow"):
                raise BookingNotActive(booking_id)
            if booking.slot.day > now.date():
                raise StoreError(f"the appointment is on {booking.slot.day}, after today")
            if booking.status == "noshow":
                self._conn.execute(
                    "UPDATE residents SET noshows = MAX(noshows - 1, 0) WHERE id = ?",
                    [booking.resident_id],
                )
                if noshow_limit is not None:
                    self._conn.execute(
                        "UPDATE residents SET barred = noshows > ? WHERE id = ?",
                        [noshow_limit, booking.resident_id],
                    )
            self._set_status(booking, "attended", now)
            self.add_dose(
                Dose(booking.resident_id, booking.dose, booking.slot.day,
                     booking.slot.product_id, booking.site.id, "booking"),
                now, actor, channel,
            )  # fmt: skip
            self.audit(now, actor, channel, "attend", "booking", booking.id,
                       {"status": booking.status}, {"status": "attended"})  # fmt: skip
        return self._after(booking_id)

    def mark_noshows(
        self, now: datetime, limit: int, actor: str
    ) -> tuple[list[Booking], list[int]]:
        """Mark every past active booking (its period over) a no-show; count it against the
        person, and bar self-service booking once they have more than ``limit``.

        Returns the bookings marked and the ids of the people this barred."""
        with self.transaction():
            rows = self._all(
                self._BOOKING_SQL + "WHERE b.status = 'active' AND (t.day < :today "
                "OR (t.day = :today AND t.end <= :time)) ORDER BY t.day, t.start, b.id",
                _moment(now),
            )
            missed = [self._booking(row) for row in rows]
            newly_barred = [
                booking.resident_id
                for booking in missed
                if self._noshow(booking, now, limit, actor, "system")
            ]
        return missed, newly_barred

    def mark_noshow(
        self, booking_id: int, *, now: datetime, limit: int, actor: str, channel: str
    ) -> bool:
        """Mark one active booking whose period is over a no-show (an operator's call);
        returns whether this barred the person."""
        with self.transaction():
            booking = self._active(booking_id)
            slot, moment = booking.slot, _moment(now)
            if (slot.day.isoformat(), slot.end) > (moment["today"], moment["time"]):
                raise StoreError("the period is not over")
            return self._noshow(booking, now, limit, actor, channel)

    def _noshow(
        self, booking: Booking, now: datetime, limit: int, actor: str, channel: str
    ) -> bool:
        """Count a missed booking against its person; True if that bars them now."""
        self._set_status(booking, "noshow", now)
        before = self._one(
            "SELECT noshows, barred FROM residents WHERE id = ?", [booking.resident_id]
        )
        assert before is not None
        noshows, barred = before[0] + 1, bool(before[1]) or before[0] + 1 > limit
        self._conn.execute(
            "UPDATE residents SET noshows = ?, barred = ? WHERE id = ?",
            [noshows, int(barred), booking.resident_id],
        )
        self.audit(now, actor, channel, "noshow", "booking", booking.id,
                   {"status": "active"}, {"status": "noshow"})  # fmt: skip
        if barred and not before[1]:
            self.audit(now, actor, channel, "bar", "resident", booking.resident_id,
                       {"barred": False, "noshows": before[0]},
                       {"barred": True, "noshows": noshows})  # fmt: skip
            return True
        return False

    def unbar(self, resident_id: int, *, now: datetime, actor: str, channel: str) -> None:
        """Lift a no-show bar (the count starts again from zero)."""
        with self.transaction():
            row = self._one("SELECT noshows, barred FROM residents WHERE id = ?", [resident_id])
            if row is None:
                raise StoreError(f"no resident {resident_id}")
            self._conn.execute(
                "UPDATE residents SET noshows = 0, barred = 0 WHERE id = ?", [resident_id]
            )
            self.audit(now, actor, channel, "unbar", "resident", resident_id,
                       {"barred": bool(row[1]), "noshows": row[0]},
                       {"barred": False, "noshows": 0})  # fmt: skip

    def _after(self, booking_id: int) -> Booking:
        booking = self.booking(booking_id)
        assert booking is not None
        return booking

    def bookings_of(self, resident_id: int) -> list[Booking]:
        """All of a person's bookings, newest first."""
        rows = self._all(
            self._BOOKING_SQL + "WHERE b.resident_id = ? ORDER BY b.id DESC", [resident_id]
        )
        return [self._booking(row) for row in rows]

    def queue_position(self, resident_id: int, dose: int) -> int | None:
        """1-based place in the pre-registration queue (by time queued), or None."""
        row = self._one(
            "SELECT (SELECT COUNT(*) FROM queue o WHERE o.status = 'waiting' "
            "AND (o.created_at < q.created_at OR (o.created_at = q.created_at AND o.id <= q.id))) "
            "FROM queue q WHERE q.resident_id = ? AND q.dose = ? AND q.status = 'waiting'",
            [resident_id, dose],
        )
        return int(row[0]) if row else None

    # -- notifications -------------------------------------------------------------------------

    def bookings_on(self, day: date) -> list[tuple[Booking, Resident]]:
        """Active bookings for ``day``, with their person (for reminders)."""
        rows = self._all(
            self._BOOKING_SQL + "WHERE b.status = 'active' AND t.day = ? ORDER BY b.id",
            [day.isoformat()],
        )
        bookings = [self._booking(row) for row in rows]
        people = {r.id: r for r in self._residents(
            "id IN (SELECT resident_id FROM bookings b JOIN slots t ON t.id = b.slot_id "
            "WHERE b.status = 'active' AND t.day = ?)", [day.isoformat()],
        )}  # fmt: skip
        return [(booking, people[booking.resident_id]) for booking in bookings]

    def awaiting_next_dose(self) -> list[Resident]:
        """People with a dose on record and no active booking for the one after it (whether
        another dose is due is for the schedule to say)."""
        return self._residents(
            "id IN (SELECT d.resident_id FROM doses d WHERE d.dose = (SELECT MAX(dose) FROM doses "
            "e WHERE e.resident_id = d.resident_id) AND NOT EXISTS (SELECT 1 FROM bookings b "
            "WHERE b.resident_id = d.resident_id AND b.dose = d.dose + 1 AND b.status = 'active'))",
            [],
        )

    def language_of(self, channel: str, address: str) -> str | None:
        """The language a conversation was last in, if there is one."""
        state = self.load_state(channel, address)
        return str(state["lang"]) if state else None

    def add_followup(self, resident_id: int, dose: int, level: str, now: datetime) -> bool:
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO followups (resident_id, dose, level, created_at) "
            "VALUES (?, ?, ?, ?)",
            [resident_id, dose, level, _stamp(now)],
        )
        return cursor.rowcount == 1

    def open_followups(self) -> list[dict[str, Any]]:
        """Yellow and red cases still to call, red first, then oldest."""
        cursor = self._conn.execute(
            "SELECT f.id, f.resident_id, f.dose, f.level, f.created_at, f.called_at, f.outcome, "
            "r.name, r.phone, r.prereg_code FROM followups f JOIN residents r "
            "ON r.id = f.resident_id WHERE f.status = 'open' "
            "ORDER BY f.level = 'red' DESC, f.created_at, f.id"
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def record_followup(
        self,
        followup_id: int,
        outcome: str,
        close: bool,
        *,
        now: datetime,
        operator: str,
        channel: str = "cli",
    ) -> None:
        with self.transaction():
            row = self._one("SELECT status, outcome FROM followups WHERE id = ?", [followup_id])
            if row is None:
                raise StoreError(f"no follow-up {followup_id}")
            self._conn.execute(
                "UPDATE followups SET outcome = ?, called_at = ?, operator = ?, status = ? "
                "WHERE id = ?",
                [outcome, _stamp(now), operator, "closed" if close else "open", followup_id],
            )
            self.audit(now, f"operator:{operator}", channel, "followup", "followup", followup_id,
                       {"status": row[0], "outcome": row[1]},
                       {"status": "closed" if close else "open", "outcome": outcome})  # fmt: skip

    def job_done(self, name: str, key: str, now: datetime) -> bool:
        """Record that job ``name`` ran for ``key`` (e.g. a date); False if it already had."""
        row = self._one("SELECT last_key FROM jobs WHERE name = ?", [name])
        if row and row[0] == key:
            return False
        self._conn.execute(
            "INSERT INTO jobs (name, last_key, ran_at) VALUES (?, ?, ?) ON CONFLICT (name) "
            "DO UPDATE SET last_key = excluded.last_key, ran_at = excluded.ran_at",
            [name, key, _stamp(now)],
        )
        return True

    def last_job_key(self, name: str) -> str | None:
        row = self._one("SELECT last_key FROM jobs WHERE name = ?", [name])
        return str(row[0]) if row else None

    # -- offers from the pre-registration queue -------------------------------------------------

    _OFFER_SQL = (
        "SELECT o.id, o.queue_id, o.resident_id, o.dose, o.status, o.expires_at, "
        f"{_SLOT_COLUMNS}, {_SITE_COLUMNS} FROM offers o JOIN slots t ON t.id = o.slot_id "
        "JOIN sites s ON s.id = t.site_id "
    )

    @staticmethod
    def _offer(row: Sequence[Any]) -> Offer:
        return Offer(*row[:6], slot=_slot(row[6:14]), site=_site(row[14:]))  # type: ignore[misc]

    def open_offers(self, account_id: int, now: datetime) -> list[Offer]:
        """Unexpired open offers for the people an account manages, oldest first."""
        rows = self._all(
            self._OFFER_SQL + "JOIN residents r ON r.id = o.resident_id "
            "WHERE r.account_id = ? AND o.status = 'open' AND o.expires_at > ? ORDER BY o.id",
            [account_id, _stamp(now)],
        )
        return [self._offer(row) for row in rows]

    def offer(self, offer_id: int) -> Offer | None:
        row = self._one(self._OFFER_SQL + "WHERE o.id = ?", [offer_id])
        return self._offer(row) if row else None

    def _close_offer(self, offer: Offer, status: str, now: datetime) -> None:
        """End an offer without a booking: its held place goes back to the slot."""
        self._conn.execute(
            "UPDATE offers SET status = ?, answered_at = ? WHERE id = ?",
            [status, _stamp(now), offer.id],
        )
        self._conn.execute("UPDATE slots SET booked = booked - 1 WHERE id = ?", [offer.slot.id])
        self._conn.execute("UPDATE queue SET status = ? WHERE id = ?", [status, offer.queue_id])

    def accept_offer(self, offer_id: int, *, now: datetime, actor: str, channel: str) -> Booking:
        """Turn an open offer into a booking of the place it holds."""
        stamp = _stamp(now)
        with self.transaction():
            offer = self.offer(offer_id)
            if offer is None or offer.status != "open" or offer.expires_at <= stamp:
                raise OfferClosed(offer_id)
            if self._one(
                "SELECT 1 FROM bookings WHERE resident_id = ? AND dose = ? AND status = 'active'",
                [offer.resident_id, offer.dose],
            ):  # booked some other way meanwhile: the held place goes back
                self._close_offer(offer, "void", now)
                booking_id = None  # raised after the commit: the void must stay
            else:
                booking_id = self._accept(offer, stamp, now, actor, channel)
        if booking_id is None:
            raise AlreadyBooked(offer.dose)
        return self._after(booking_id)

    def _accept(self, offer: Offer, stamp: str, now: datetime, actor: str, channel: str) -> int:
        booking_id, _ = self._insert_with_code(
            "bookings",
            "code",
            "B",
            {
                "resident_id": offer.resident_id,
                "slot_id": offer.slot.id,
                "dose": offer.dose,
                "status": "active",
                "channel": channel,
                "actor": actor,
                "created_at": stamp,
                "updated_at": stamp,
            },
        )
        self._conn.execute(
            "UPDATE offers SET status = 'accepted', answered_at = ?, booking_id = ? WHERE id = ?",
            [stamp, booking_id, offer.id],
        )
        self._conn.execute("UPDATE queue SET status = 'booked' WHERE id = ?", [offer.queue_id])
        self.audit(now, actor, channel, "book", "booking", booking_id, None, {
            "resident_id": offer.resident_id, "slot_id": offer.slot.id, "dose": offer.dose,
            "status": "active", "offer_id": offer.id,
        })  # fmt: skip
        return booking_id

    def decline_offer(self, offer_id: int, *, now: datetime, actor: str, channel: str) -> None:
        with self.transaction():
            offer = self.offer(offer_id)
            if offer is None or offer.status != "open" or offer.expires_at <= _stamp(now):
                raise OfferClosed(offer_id)
            self._close_offer(offer, "declined", now)
            self.audit(now, actor, channel, "decline", "offer", offer.id, {"status": "open"},
                       {"status": "declined"})  # fmt: skip

    def expire_offers(self, now: datetime) -> int:
        """Close every open offer past its expiry, freeing the places it held.

        Three set-wise statements, whatever the number of offers (a city's batch can leave
        hundreds of thousands unanswered): the places go back to their slots, the queue
        entries and the offers are marked expired.
        """
        expiring = "SELECT {} FROM offers WHERE status = 'open' AND expires_at <= :now"
        at = {"now": _stamp(now)}
        with self.transaction():
            self._conn.execute(
                "UPDATE slots SET booked = booked - held.places FROM "
                f"({expiring.format('slot_id, COUNT(*) AS places')} GROUP BY slot_id) AS held "
                "WHERE slots.id = held.slot_id",
                at,
            )
            self._conn.execute(
                f"UPDATE queue SET status = 'expired' WHERE id IN ({expiring.format('queue_id')})",
                at,
            )
            cursor = self._conn.execute(
                "UPDATE offers SET status = 'expired', answered_at = :now "
                "WHERE status = 'open' AND expires_at <= :now",
                at,
            )
        return cursor.rowcount

    # -- screening ---------------------------------------------------------------------------

    def add_screening(self, screening: Screening) -> None:
        self._conn.execute(
            "INSERT INTO screenings (resident_id, at, version, dose, answers, outcome, reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [screening.resident_id, screening.at, screening.version, screening.dose,
             _compact_json(screening.answers), screening.outcome, screening.reason],
        )  # fmt: skip

    def latest_screening(self, resident_id: int) -> Screening | None:
        row = self._one(
            "SELECT resident_id, at, version, dose, answers, outcome, reason FROM screenings "
            "WHERE resident_id = ? ORDER BY id DESC LIMIT 1",
            [resident_id],
        )
        if row is None:
            return None
        return Screening(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6])

    # -- outbox --------------------------------------------------------------------------------

    def enqueue(
        self,
        channel: str,
        address: str,
        text: str,
        key: str,
        due: datetime,
        now: datetime,
        kind: str = "notice",
    ) -> bool:
        """Queue an outbound message once per idempotency ``key``; False if already queued.

        ``kind`` is "notice" (reminders, alerts, offers, confirmations to another phone: held
        back for an opted-out address) or "reply" (an answer to the resident's own message).
        """
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO outbox (channel, address, text, idempotency_key, due_at, "
            "created_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [channel, address, text, key, _stamp(due), _stamp(now), kind],
        )
        return cursor.rowcount == 1

    def claim_due(
        self, now: datetime, channels: Sequence[str], limit: int, lease: timedelta
    ) -> list[Outgoing]:
        """Take up to ``limit`` due messages for sending, oldest first.

        A claimed message is not claimed again until ``lease`` has passed: if the sender died
        before recording the outcome, another run sends it again (with the same idempotency
        key, so a channel that honours keys delivers it once).
        """
        marks = ", ".join("?" for _ in channels)
        stale = _stamp(now - lease)
        with self.transaction():
            rows = self._all(
                "SELECT id, channel, address, text, idempotency_key, kind, attempts FROM outbox "
                f"WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= ? AND channel IN "
                f"({marks}) AND (claimed_at IS NULL OR claimed_at <= ?) ORDER BY due_at, id "
                "LIMIT ?",
                [_stamp(now), *channels, stale, limit],
            )
            self._conn.executemany(
                "UPDATE outbox SET claimed_at = ? WHERE id = ?", [(_stamp(now), r[0]) for r in rows]
            )
        return [Outgoing(*row) for row in rows]

    def mark_sent(self, message_id: int, provider_id: str | None, now: datetime) -> None:
        self._conn.execute(
            "UPDATE outbox SET sent_at = ?, provider_id = ?, attempts = attempts + 1, "
            "last_error = NULL WHERE id = ?",
            [_stamp(now), provider_id, message_id],
        )

    def mark_retry(self, message_id: int, error: str, due: datetime) -> None:
        self._conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, due_at = ?, "
            "claimed_at = NULL WHERE id = ?",
            [error[:500], _stamp(due), message_id],
        )

    def mark_failed(self, message_id: int, error: str, now: datetime) -> None:
        self._conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, failed_at = ? WHERE id = ?",
            [error[:500], _stamp(now), message_id],
        )

    def delivery_status(
        self, provider_id: str, status: str, error: str | None, opted_out: bool, now: datetime
    ) -> None:
        """What the provider says became of a sent message (a status callback)."""
        with self.transaction():
            row = self._one(
                "SELECT channel, address FROM outbox WHERE provider_id = ?", [provider_id]
            )
            self._conn.execute(
                "UPDATE outbox SET delivery_status = ?, last_error = COALESCE(?, last_error) "
                "WHERE provider_id = ?",
                [status, error, provider_id],
            )
            if opted_out and row:
                self.set_opt_out(row[0], row[1], True, now)

    def set_opt_out(self, channel: str, address: str, out: bool, now: datetime) -> bool:
        """Record STOP (``out``) or START for an address; False if it was already so."""
        if out:
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO optouts (channel, address, at) VALUES (?, ?, ?)",
                [channel, address, _stamp(now)],
            )
        else:
            cursor = self._conn.execute(
                "DELETE FROM optouts WHERE channel = ? AND address = ?", [channel, address]
            )
        return cursor.rowcount == 1

    def opted_out(self, channel: str, address: str) -> bool:
        return bool(
            self._one("SELECT 1 FROM optouts WHERE channel = ? AND address = ?", [channel, address])
        )

    # -- callbacks and audit -------------------------------------------------------------------

    # -- messages not understood (bot/nlu) ------------------------------------------------------

    def record_miss(self, text: str, now: datetime) -> None:
        """Count a message the interpreter did not understand (already masked)."""
        stamp = now.isoformat(timespec="seconds")
        self._conn.execute(
            "INSERT INTO nlu_misses (text, count, first_at, last_at) VALUES (?, 1, ?, ?) "
            "ON CONFLICT (text) DO UPDATE SET count = count + 1, last_at = excluded.last_at",
            [text, stamp, stamp],
        )

    def misses(self, limit: int) -> list[tuple[str, int, str]]:
        """The most frequent messages not understood: (text, count, last seen)."""
        return [
            (str(text), int(count), str(last))
            for text, count, last in self._all(
                "SELECT text, count, last_at FROM nlu_misses ORDER BY count DESC, last_at DESC "
                "LIMIT ?",
                [limit],
            )
        ]

    def add_callback(
        self, channel: str, address: str, account_id: int | None, reason: str, now: datetime
    ) -> int:
        cursor = self._conn.execute(
            "INSERT INTO callbacks (channel, address, account_id, reason, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [channel, address, account_id, reason, _stamp(now)],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def close_callback(
        self, callback_id: int, outcome: str, close: bool, *, now: datetime, actor: str,
        channel: str,
    ) -> None:  # fmt: skip
        """Record what came of calling back; ``close`` takes it off the open list."""
        with self.transaction():
            row = self._one("SELECT status, outcome FROM callbacks WHERE id = ?", [callback_id])
            if row is None:
                raise StoreError(f"no callback {callback_id}")
            status = "closed" if close else "open"
            self._conn.execute(
                "UPDATE callbacks SET status = ?, outcome = ?, closed_at = ? WHERE id = ?",
                [status, outcome, _stamp(now) if close else None, callback_id],
            )
            self.audit(now, actor, channel, "callback", "callback", callback_id,
                       {"status": row[0], "outcome": row[1]},
                       {"status": status, "outcome": outcome})  # fmt: skip

    def open_callbacks(self) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM callbacks WHERE status = 'open' ORDER BY id"))

    def audit(
        self,
        now: datetime,
        actor: str,
        channel: str,
        action: str,
        entity: str,
        entity_id: int | str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self._conn.execute(
            "INSERT INTO audit (at, actor, channel, action, entity, entity_id, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                _stamp(now),
                actor,
                channel,
                action,
                entity,
                str(entity_id),
                _compact_json(before) if before is not None else None,
                _compact_json(after) if after is not None else None,
            ],
        )

    # -- automatic assignment from the pre-registration queue (``vaxbot assign``) -------------

    @contextmanager
    def bulk(self, cache_mb: int = 128) -> Iterator[None]:
        """A larger page cache for this connection while a batch (``vaxbot assign``) reads and
        writes a large share of the file; the previous size comes back afterwards."""
        row = self._one("PRAGMA cache_size")
        previous = int(row[0]) if row else -2000
        self._conn.execute(f"PRAGMA cache_size = {-1024 * int(cache_mb)}")
        try:
            yield
        finally:
            self._conn.execute(f"PRAGMA cache_size = {previous}")

    def waiting_candidates(
        self,
    ) -> Iterator[tuple[int, int, int, str, str | None, str, str, str | None, str | None]]:
        """Every waiting queue row that may be offered a place, streamed in priority order.

        Each row: queue id, resident id, dose, district (the queue's, else the resident's),
        period, queued at, birth date, the product of dose 1 (None before it) and the day of
        the previous dose (None for dose 1). Ordered by the previous-dose day (none last), then
        queued time and queue id. Left out, though still waiting: barred people, people with
        an open offer or an active booking for that dose, people whose latest dose on record
        is not the one before (that dose is done, or the previous one is missing), and people
        whose phone opted out of SMS notices (they would never see the offer).
        """
        # One pass over the queue in id order (NOT INDEXED): with many people waiting, reading
        # them through the status index costs a random page read each, several times the
        # scan. The previous dose is the person's latest; a queue row for any other dose than
        # the one after it is stale (that dose was given, or the one before is not on record).
        cursor = self._conn.execute(
            "SELECT q.id, q.resident_id, q.dose, COALESCE(q.district_id, r.district_id), "
            "q.period, q.created_at, r.birth_date, COALESCE(f.product_id, p.product_id), "
            "p.day FROM queue q NOT INDEXED JOIN residents r ON r.id = q.resident_id "
            "LEFT JOIN doses p ON q.dose > 1 AND p.resident_id = q.resident_id "
            "AND p.dose = q.dose - 1 "
            "LEFT JOIN doses f ON q.dose > 2 AND f.resident_id = q.resident_id AND f.dose = 1 "
            "WHERE q.status = 'waiting' AND NOT r.barred "
            "AND COALESCE((SELECT MAX(d.dose) FROM doses d WHERE d.resident_id = q.resident_id), "
            "0) = q.dose - 1 "
            "AND (q.resident_id, q.dose) NOT IN "
            "(SELECT resident_id, dose FROM bookings WHERE status = 'active') "
            "AND q.resident_id NOT IN (SELECT resident_id FROM offers WHERE status = 'open') "
            "AND r.phone NOT IN (SELECT address FROM optouts WHERE channel = 'sms') "
            "ORDER BY p.day IS NULL, p.day, q.created_at, q.id"
        )
        return iter(cursor)

    def waiting_count(self) -> int:
        """How many queue rows are waiting (whether or not they can be offered a place now)."""
        row = self._one("SELECT COUNT(*) FROM queue WHERE status = 'waiting'")
        return int(row[0]) if row else 0

    def assignable_places(
        self, first_day: date, last_day: date, now: datetime, holidays: Sequence[date] = ()
    ) -> list[tuple[int, str, str, str, str, int]]:
        """Bookable slots from ``first_day`` to ``last_day`` with places left: released, not
        started, and not at a site closed on one of ``holidays``.

        Each row: slot id, district, product, day (ISO), start ("HH:MM"), places left.
        """
        where, params = _filtered(SlotFilter(holidays=tuple(holidays)))
        return self._all(
            "SELECT t.id, s.district_id, t.product_id, t.day, t.start, t.capacity - t.booked "
            "FROM slots t JOIN sites s ON s.id = t.site_id "
            f"WHERE t.day BETWEEN :first AND :last AND {_BOOKABLE}{where}",
            {**params, **_moment(now), "first": first_day.isoformat(),
             "last": last_day.isoformat()},
        )  # fmt: skip

    def create_offers(
        self,
        assignments: Iterable[tuple[int, int]],
        now: datetime,
        expires_at: datetime,
        messages: Callable[[Offer, str, str | None], str],
        due: datetime | None = None,
    ) -> int:
        """Offer each ``(queue_id, slot_id)`` place to the person queued, in one transaction.

        Inserts the offers, holds their places (``slots.booked`` goes up by the offers of each
        slot), marks the queue rows 'offered' and queues the SMS of each offer (kind 'notice',
        due at ``due``, default ``now``): to the person's phone (idempotency key
        ``offer:<offer id>``) and, when the account managing them has another phone, to that
        phone too (``offer:<offer id>:account``): replies are matched to offers by account, so
        a relative's offer is answered from the managing phone. The text is
        ``messages(offer, name, lang)``: the person's name, and the language of the receiving
        phone's SMS conversation ("zh", "en"; None if it never wrote).

        All or nothing: ``SlotUnavailable`` if a slot lacks the places, ``StoreError`` if a
        queue row is given twice, is no longer waiting, or its person already has an open
        offer; nothing is written then. Returns the number of offers.
        """
        stamp, until, send = _stamp(now), _stamp(expires_at), _stamp(due or now)
        with self.transaction():
            # The pairs go into a scratch table (one executemany), then set-based statements
            # do the rest: far cheaper than one statement per offer.
            self._conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS offer_picks "
                "(queue_id INTEGER PRIMARY KEY, slot_id INTEGER NOT NULL)"
            )
            self._conn.execute("DELETE FROM temp.offer_picks")
            try:
                picked = self._conn.executemany(
                    "INSERT INTO temp.offer_picks (queue_id, slot_id) VALUES (?, ?)", assignments
                ).rowcount
                if picked <= 0:
                    return 0
                per_slot = self._all(
                    "SELECT slot_id, COUNT(*) FROM temp.offer_picks GROUP BY slot_id"
                )
                short = self._one(
                    "SELECT t.id FROM (SELECT slot_id, COUNT(*) AS n FROM temp.offer_picks "
                    "GROUP BY slot_id) p JOIN slots t ON t.id = p.slot_id "
                    "WHERE t.booked + p.n > t.capacity LIMIT 1"
                )
                if short is not None:
                    raise SlotUnavailable(short[0])
                last = self._one("SELECT COALESCE(MAX(id), 0) FROM offers")
                assert last is not None
                inserted = self._conn.execute(
                    "INSERT INTO offers (queue_id, resident_id, slot_id, dose, created_at, "
                    "expires_at) SELECT q.id, q.resident_id, p.slot_id, q.dose, ?, ? "
                    "FROM temp.offer_picks p JOIN queue q ON q.id = p.queue_id "
                    "WHERE q.status = 'waiting' ORDER BY p.queue_id",
                    [stamp, until],
                ).rowcount
            except sqlite3.IntegrityError as exc:  # a queue id twice; an open offer meanwhile
                raise StoreError(f"cannot create the offers: {exc}") from None
            if inserted != picked:
                raise StoreError(f"{picked - inserted} queue row(s) are no longer waiting")
            held = self._conn.executemany(
                "UPDATE slots SET booked = booked + ? WHERE id = ? AND booked + ? <= capacity",
                ((n, slot_id, n) for slot_id, n in per_slot),
            ).rowcount
            if held != len(per_slot):
                raise SlotUnavailable(per_slot[0][0])
            self._conn.execute(
                "UPDATE queue SET status = 'offered' "
                "WHERE id IN (SELECT queue_id FROM temp.offer_picks)"
            )
            places = {
                row[0]: (_slot(row[:8]), _site(row[8:]))
                for row in self._all(
                    f"SELECT {_SLOT_COLUMNS}, {_SITE_COLUMNS} FROM slots t "
                    "JOIN sites s ON s.id = t.site_id "
                    "WHERE t.id IN (SELECT slot_id FROM temp.offer_picks)"
                )
            }
            self._conn.execute("DELETE FROM temp.offer_picks")
            cursor = self._conn.execute(
                "SELECT o.id, o.queue_id, o.resident_id, o.dose, o.status, o.expires_at, "
                "o.slot_id, r.name, r.phone, json_extract(c.state, '$.lang'), "
                "CASE WHEN a.phone <> r.phone THEN a.phone END, json_extract(m.state, '$.lang') "
                "FROM offers o JOIN residents r ON r.id = o.resident_id "
                "JOIN accounts a ON a.id = r.account_id "
                "LEFT JOIN conversations c ON c.channel = 'sms' AND c.address = r.phone "
                "LEFT JOIN conversations m ON a.phone <> r.phone AND m.channel = 'sms' "
                "AND m.address = a.phone "
                "WHERE o.id > ? ORDER BY o.id",
                [last[0]],
            )
            while rows := cursor.fetchmany(10_000):
                notices = []
                for row in rows:
                    offer_id, queue_id, resident_id, dose, status, ends, slot_id, name = row[:8]
                    phone, lang, manager, manager_lang = row[8:]
                    slot, site = places[slot_id]
                    offer = Offer(offer_id, queue_id, resident_id, dose, status, ends, slot, site)
                    key = f"offer:{offer_id}"
                    notices.append(("sms", phone, messages(offer, name, lang), key, send, stamp))
                    if manager:
                        text = messages(offer, name, manager_lang)
                        notices.append(("sms", manager, text, f"{key}:account", send, stamp))
                self._conn.executemany(
                    "INSERT INTO outbox (channel, address, text, idempotency_key, due_at, "
                    "created_at, kind) VALUES (?, ?, ?, ?, ?, ?, 'notice')",
                    notices,
                )
        return inserted
