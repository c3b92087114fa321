"""Bookings: taking a place (never more than a slot holds), cancelling, rescheduling,
attendance, and the no-shows that bar a person from booking themselves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from store.audit import Audit
from store.db import Db, UniqueViolation
from store.models import (
    AlreadyBooked,
    Booking,
    BookingNotActive,
    Dose,
    Resident,
    SlotUnavailable,
    StoreError,
)
from store.offers import Offers
from store.people import People
from store.rows import (
    BOOKABLE,
    BOOKING_SQL,
    RESIDENT_COLUMNS,
    Codes,
    booking,
    moment,
    read_booking,
    resident,
    stamp,
    stored_booking,
)


class Bookings:
    def __init__(self, db: Db, audit: Audit, codes: Codes, people: People, offers: Offers) -> None:
        self._db = db
        self._audit = audit
        self._codes = codes
        self._people = people
        self._offers = offers

    # -- reading -----------------------------------------------------------------------------

    def booking(self, booking_id: int) -> Booking | None:
        return read_booking(self._db, booking_id)

    def booking_by_code(self, code: str) -> Booking | None:
        row = self._db.one(BOOKING_SQL + "WHERE b.code = :code", {"code": code.strip().upper()})
        return booking(row) if row else None

    def active_bookings(self, resident_id: int) -> list[Booking]:
        rows = self._db.all(
            BOOKING_SQL + "WHERE b.resident_id = :resident AND b.status = 'active' "
            "ORDER BY t.day, t.start",
            {"resident": resident_id},
        )
        return [booking(row) for row in rows]

    def bookings_of(self, resident_id: int) -> list[Booking]:
        """All of a person's bookings, newest first."""
        rows = self._db.all(
            BOOKING_SQL + "WHERE b.resident_id = :resident ORDER BY b.id DESC",
            {"resident": resident_id},
        )
        return [booking(row) for row in rows]

    def bookings_on(self, day: date) -> list[tuple[Booking, Resident]]:
        """Active bookings for ``day``, with their person (for reminders)."""
        params = {"day": day.isoformat()}
        rows = self._db.all(
            BOOKING_SQL + "WHERE b.status = 'active' AND t.day = :day ORDER BY b.id", params
        )
        people = {
            row[0]: resident(row, self._people.keys)
            for row in self._db.all(
                f"SELECT {RESIDENT_COLUMNS} FROM residents WHERE id IN (SELECT resident_id "
                "FROM bookings b JOIN slots t ON t.id = b.slot_id "
                "WHERE b.status = 'active' AND t.day = :day)",
                params,
            )
        }
        return [(found, people[found.resident_id]) for found in map(booking, rows)]

    def booking_rows(self) -> list[dict[str, Any]]:
        """Every booking as stored (without its slot), in order: for operators and tests."""
        return self._db.dicts(
            "SELECT id, code, resident_id, slot_id, dose, status, channel, actor, created_at, "
            "updated_at, companion_name, companion_phone FROM bookings ORDER BY id"
        )

    def count_on(self, day: date, statuses: tuple[str, ...]) -> int:
        """How many bookings for ``day`` are in one of ``statuses``."""
        names = {f"s{i}": status for i, status in enumerate(statuses)}
        row = self._db.one(
            "SELECT COUNT(*) FROM bookings b JOIN slots t ON t.id = b.slot_id "
            f"WHERE t.day = :day AND b.status IN ({', '.join(':' + n for n in names)})",
            {**names, "day": day.isoformat()},
        )
        return int(row[0]) if row else 0

    def noshow_count(self) -> int:
        """How many bookings were missed, ever."""
        row = self._db.one("SELECT COUNT(*) FROM bookings WHERE status = 'noshow'")
        return int(row[0]) if row else 0

    # -- taking and giving back places -------------------------------------------------------

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
        so check and increment are one step for every process on the database; the unique
        index of active bookings refuses a second booking of the same dose.
        """
        at = stamp(now)
        with self._db.transaction():
            if self._db.one(
                "SELECT 1 FROM bookings WHERE resident_id = :resident AND dose = :dose "
                "AND status = 'active'",
                {"resident": resident_id, "dose": dose},
            ):
                raise AlreadyBooked(dose)
            self._take_place(slot_id, now)
            try:
                booking_id, _ = self._codes.insert(self._db, "bookings", "code", "B", {
                    "resident_id": resident_id, "slot_id": slot_id, "dose": dose,
                    "status": "active", "companion_name": companion[0] if companion else None,
                    "companion_phone": companion[1] if companion else None, "channel": channel,
                    "actor": actor, "created_at": at, "updated_at": at,
                })  # fmt: skip
            except UniqueViolation as exc:  # booked meanwhile (another process got there first)
                if exc.on("bookings", "resident_id", "dose"):
                    raise AlreadyBooked(dose) from None
                raise
            self._audit.record(now, actor, channel, "book", "booking", booking_id, None, {
                "resident_id": resident_id, "slot_id": slot_id, "dose": dose, "status": "active",
            })  # fmt: skip
            self._offers.booked_otherwise(resident_id, dose, now)
        return stored_booking(self._db, booking_id)

    def _take_place(self, slot_id: int, now: datetime) -> None:
        """The capacity check and the increment in one guarded statement: it only succeeds while
        the slot is released, not started and ``booked < capacity`` (``SlotUnavailable``)."""
        if not self._db.execute(
            f"UPDATE slots AS t SET booked = booked + 1 WHERE t.id = :slot AND {BOOKABLE}",
            {**moment(now), "slot": slot_id},
        ):
            raise SlotUnavailable(slot_id)

    def _give_back(self, slot_id: int) -> None:
        self._db.execute("UPDATE slots SET booked = booked - 1 WHERE id = :id", {"id": slot_id})

    def _active(self, booking_id: int) -> Booking:
        found = self.booking(booking_id)
        if found is None or found.status != "active":
            raise BookingNotActive(booking_id)
        return found

    def _set_status(self, of: Booking, status: str, now: datetime) -> bool:
        """Move a booking from the status it was read with to ``status``: a guarded update,
        so of two processes changing one booking at once only one does (False for the other,
        which changes nothing)."""
        return self._db.execute(
            "UPDATE bookings SET status = :status, updated_at = :at "
            "WHERE id = :id AND status = :was",
            {"status": status, "at": stamp(now), "id": of.id, "was": of.status},
        ) == 1  # fmt: skip

    def cancel(self, booking_id: int, *, now: datetime, actor: str, channel: str) -> Booking:
        """Cancel an active booking and free its place at once."""
        with self._db.transaction():
            found = self._active(booking_id)
            if not self._set_status(found, "cancelled", now):
                raise BookingNotActive(booking_id)  # cancelled or moved on meanwhile
            self._give_back(found.slot.id)
            self._audit.record(now, actor, channel, "cancel", "booking", found.id,
                               {"status": "active"}, {"status": "cancelled"})  # fmt: skip
        return stored_booking(self._db, booking_id)

    def reschedule(
        self,
        booking_id: int,
        slot_id: int,
        *,
        now: datetime,
        actor: str,
        channel: str,
        companion: tuple[str, str] | None = None,
    ) -> Booking:
        """Move an active booking to another slot: the new place is taken before the old one is
        released, in one transaction, so the person never ends up with neither. A
        ``companion`` (name, phone) given replaces the booking's; None keeps it."""
        with self._db.transaction():
            found = self._active(booking_id)
            if slot_id == found.slot.id:
                return found  # already there: nothing to move
            # The booking first, guarded (still active, still in its slot): it is locked from
            # here on, so two moves of one booking never both give its old place back.
            if not self._db.execute(
                "UPDATE bookings SET slot_id = :slot, updated_at = :at WHERE id = :id "
                "AND status = 'active' AND slot_id = :old",
                {"slot": slot_id, "at": stamp(now), "id": found.id, "old": found.slot.id},
            ):
                raise BookingNotActive(booking_id)
            self._take_place(slot_id, now)
            self._give_back(found.slot.id)
            before: dict[str, object] = {"slot_id": found.slot.id}
            after: dict[str, object] = {"slot_id": slot_id}
            if companion is not None and companion != (found.companion_name, found.companion_phone):
                self._db.execute(
                    "UPDATE bookings SET companion_name = :name, companion_phone = :phone "
                    "WHERE id = :id",
                    {"name": companion[0], "phone": companion[1], "id": found.id},
                )
                before["companion"] = found.companion_name is not None
                after["companion"] = True
            self._audit.record(now, actor, channel, "reschedule", "booking", found.id,
                               before, after)  # fmt: skip
        return stored_booking(self._db, booking_id)

    # -- attendance and no-shows -------------------------------------------------------------

    def attend(
        self,
        booking_id: int,
        *,
        now: datetime,
        actor: str,
        channel: str,
        bars: Callable[[int], bool] | None = None,
    ) -> Booking:
        """Mark a booking attended and record the dose it gave.

        A booking the end-of-day job already marked a no-show (attendance entered late) is
        corrected: the no-show no longer counts, and with ``bars`` (the rule, ``flows.rules.bars``
        over the count) the bar is judged again.
        An appointment after today cannot be attended yet.
        """
        with self._db.transaction():
            found = self.booking(booking_id)
            if found is None or found.status not in ("active", "noshow"):
                raise BookingNotActive(booking_id)
            if found.slot.day > now.date():
                raise StoreError(f"the appointment is on {found.slot.day}, after today")
            if not self._set_status(found, "attended", now):
                raise BookingNotActive(booking_id)  # marked meanwhile
            if found.status == "noshow":
                self._db.execute(
                    "UPDATE residents SET noshows = CASE WHEN noshows > 0 THEN noshows - 1 "
                    "ELSE 0 END WHERE id = :id",
                    {"id": found.resident_id},
                )
                if bars is not None:
                    count = self._db.one(
                        "SELECT noshows FROM residents WHERE id = :id", {"id": found.resident_id}
                    )
                    assert count is not None
                    self._db.execute(
                        "UPDATE residents SET barred = :barred WHERE id = :id",
                        {"barred": int(bars(count[0])), "id": found.resident_id},
                    )
            self._people.add_dose(
                Dose(found.resident_id, found.dose, found.slot.day, found.slot.product_id,
                     found.site.id, "booking"),
                now, actor, channel,
            )  # fmt: skip
            self._audit.record(now, actor, channel, "attend", "booking", found.id,
                               {"status": found.status}, {"status": "attended"})  # fmt: skip
        return stored_booking(self._db, booking_id)

    def mark_noshows(
        self, now: datetime, bars: Callable[[int], bool], actor: str
    ) -> tuple[list[Booking], list[int]]:
        """Mark every past active booking (its period over) a no-show; count it against the
        person, and bar self-service booking when ``bars`` (the rule, over the new count) says.

        Returns the bookings marked and the ids of the people this barred."""
        with self._db.transaction():
            rows = self._db.all(
                BOOKING_SQL + "WHERE b.status = 'active' AND (t.day < :today "
                'OR (t.day = :today AND t."end" <= :time)) ORDER BY t.day, t.start, b.id',
                moment(now),
            )
            missed, newly_barred = [], []
            for found in map(booking, rows):
                marked, barred = self._noshow(found, now, bars, actor, "system")
                if marked:  # not marked by another worker meanwhile
                    missed.append(found)
                if barred:
                    newly_barred.append(found.resident_id)
        return missed, newly_barred

    def mark_noshow(
        self,
        booking_id: int,
        *,
        now: datetime,
        bars: Callable[[int], bool],
        actor: str,
        channel: str,
    ) -> bool:
        """Mark one active booking whose period is over a no-show (an operator's call);
        returns whether this barred the person."""
        with self._db.transaction():
            found = self._active(booking_id)
            place, at = found.slot, moment(now)
            if (place.day.isoformat(), place.end) > (at["today"], at["time"]):
                raise StoreError("the period is not over")
            marked, barred = self._noshow(found, now, bars, actor, channel)
            if not marked:
                raise BookingNotActive(booking_id)
            return barred

    def _noshow(
        self, missed: Booking, now: datetime, bars: Callable[[int], bool], actor: str, channel: str
    ) -> tuple[bool, bool]:
        """Count a missed booking against its person: whether it was marked (not by another
        process meanwhile), and whether that bars them now (``bars``: the rule,
        ``flows.rules.bars``, over the new count).

        Guarded updates only (no read-then-write): the count goes up in the database, and the
        bar is set by the update that finds the person unbarred."""
        if not self._set_status(missed, "noshow", now):
            return False, False
        row = self._db.one(
            "UPDATE residents SET noshows = noshows + 1 WHERE id = :id RETURNING noshows",
            {"id": missed.resident_id},
        )
        assert row is not None
        noshows = int(row[0])
        barred = bars(noshows) and self._db.execute(
            "UPDATE residents SET barred = 1 WHERE id = :id AND barred = 0",
            {"id": missed.resident_id},
        ) == 1  # fmt: skip
        self._audit.record(now, actor, channel, "noshow", "booking", missed.id,
                           {"status": "active"}, {"status": "noshow"})  # fmt: skip
        if barred:
            self._audit.record(now, actor, channel, "bar", "resident", missed.resident_id,
                               {"barred": False, "noshows": noshows - 1},
                               {"barred": True, "noshows": noshows})  # fmt: skip
        return True, barred
