"""The pre-registration queue and the offers made from it: who waits for which dose, places
held for them by the assignment batch, and what became of each offer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from store.audit import Audit
from store.db import Db, IntegrityViolation, UniqueViolation
from store.models import AlreadyBooked, Booking, Offer, OfferClosed, SlotUnavailable, StoreError
from store.outbox import Outbox
from store.rows import (
    SITE_COLUMNS,
    SLOT_COLUMNS,
    Codes,
    site,
    slot,
    stamp,
    stored_booking,
)

_OFFER_SQL = (
    "SELECT o.id, o.queue_id, o.resident_id, o.dose, o.status, o.expires_at, "
    f"{SLOT_COLUMNS}, {SITE_COLUMNS} FROM offers o JOIN slots t ON t.id = o.slot_id "
    "JOIN sites s ON s.id = t.site_id "
)

Candidate = tuple[int, int, int, str, str | None, str, str, str | None, str | None]


def _offer(row: Sequence[Any]) -> Offer:
    return Offer(*row[:6], slot=slot(row[6:14]), site=site(row[14:]))  # type: ignore[misc]


class Offers:
    def __init__(self, db: Db, audit: Audit, codes: Codes, outbox: Outbox) -> None:
        self._db = db
        self._audit = audit
        self._codes = codes
        self._outbox = outbox

    # -- the queue ---------------------------------------------------------------------------

    def join_queue(
        self, resident_id: int, dose: int, district_id: str | None, period: str | None,
        now: datetime,
    ) -> bool:  # fmt: skip
        """Put a person on the pre-registration queue for a dose; False if already waiting."""
        return self._db.execute(
            "INSERT INTO queue (resident_id, dose, district_id, period, created_at) "
            "VALUES (:resident, :dose, :district, :period, :at) ON CONFLICT DO NOTHING",
            {"resident": resident_id, "dose": dose, "district": district_id, "period": period,
             "at": stamp(now)},
        ) == 1  # fmt: skip

    def queue_place(self, resident_id: int, dose: int) -> tuple[int, str] | None:
        """A person's 1-based place in the pre-registration queue for a dose (by time queued)
        and when they joined it (as stored); None if they are not waiting for it."""
        row = self._db.one(
            "SELECT (SELECT COUNT(*) FROM queue o WHERE o.status = 'waiting' "
            "AND (o.created_at < q.created_at OR (o.created_at = q.created_at AND o.id <= q.id))), "
            "q.created_at FROM queue q WHERE q.resident_id = :resident AND q.dose = :dose "
            "AND q.status = 'waiting'",
            {"resident": resident_id, "dose": dose},
        )
        return (int(row[0]), str(row[1])) if row else None

    def waiting_count(self) -> int:
        """How many queue rows are waiting (whether or not they can be offered a place now)."""
        row = self._db.one("SELECT COUNT(*) FROM queue WHERE status = 'waiting'")
        return int(row[0]) if row else 0

    def queue_rows(self, resident_id: int | None = None) -> list[dict[str, Any]]:
        """Queue rows (of a person, or all) in order: id, resident_id, dose, district_id,
        period, status, created_at."""
        where = "WHERE resident_id = :resident " if resident_id is not None else ""
        return self._db.dicts(
            "SELECT id, resident_id, dose, district_id, period, status, created_at FROM queue "
            f"{where}ORDER BY id",
            {"resident": resident_id},
        )

    def waiting_candidates(self) -> Iterator[Candidate]:
        """Every waiting queue row that may be offered a place, streamed in priority order.

        Each row: queue id, resident id, dose, district (the queue's, else the resident's),
        period, queued at, birth date, the product of dose 1 (None before it) and the day of
        the previous dose (None for dose 1). Ordered by the previous-dose day (none last), then
        queued time and queue id. Left out, though still waiting: barred people, people with
        an open offer or an active booking for that dose, people whose latest dose on record
        is not the one before (that dose is done, or the previous one is missing), and people
        whose phone opted out of SMS notices (they would never see the offer).
        """
        # One pass over the queue in id order (not through the status index): with many people
        # waiting, reading them through the index costs a random page read each, several times
        # the scan. The previous dose is the person's latest; a queue row for any other dose
        # than the one after it is stale (that dose was given, or the one before is missing).
        rows = self._db.stream(
            "SELECT q.id, q.resident_id, q.dose, COALESCE(q.district_id, r.district_id), "
            "q.period, q.created_at, r.birth_date, COALESCE(f.product_id, p.product_id), "
            f"p.day FROM {self._db.hint_scan('queue', 'q')} "
            "JOIN residents r ON r.id = q.resident_id "
            "LEFT JOIN doses p ON q.dose > 1 AND p.resident_id = q.resident_id "
            "AND p.dose = q.dose - 1 "
            "LEFT JOIN doses f ON q.dose > 2 AND f.resident_id = q.resident_id AND f.dose = 1 "
            "WHERE q.status = 'waiting' AND r.barred = 0 "
            "AND COALESCE((SELECT MAX(d.dose) FROM doses d WHERE d.resident_id = q.resident_id), "
            "0) = q.dose - 1 "
            "AND (q.resident_id, q.dose) NOT IN "
            "(SELECT resident_id, dose FROM bookings WHERE status = 'active') "
            "AND q.resident_id NOT IN (SELECT resident_id FROM offers WHERE status = 'open') "
            "AND r.phone NOT IN (SELECT address FROM optouts WHERE channel = 'sms') "
            "ORDER BY p.day IS NULL, p.day, q.created_at, q.id"
        )
        return rows

    # -- offers ------------------------------------------------------------------------------

    def open_offers(
        self, account_id: int | None, now: datetime, phone: str | None = None
    ) -> list[Offer]:
        """Unexpired open offers for the people an account manages, and for the people whose
        own phone is ``phone`` (the offer SMS went there too), oldest first."""
        rows = self._db.all(
            _OFFER_SQL + "JOIN residents r ON r.id = o.resident_id "
            "WHERE (r.account_id = :account OR r.phone = :phone) AND o.status = 'open' "
            "AND o.expires_at > :now ORDER BY o.id",
            {"account": account_id, "phone": phone, "now": stamp(now)},
        )
        return [_offer(row) for row in rows]

    def offer(self, offer_id: int) -> Offer | None:
        row = self._db.one(_OFFER_SQL + "WHERE o.id = :id", {"id": offer_id})
        return _offer(row) if row else None

    def offer_rows(self, resident_id: int | None = None) -> list[dict[str, Any]]:
        """Offer rows (of a person, or all) as stored, in order."""
        where = "WHERE resident_id = :resident " if resident_id is not None else ""
        return self._db.dicts(
            "SELECT id, queue_id, resident_id, slot_id, dose, status, created_at, expires_at, "
            f"answered_at, booking_id FROM offers {where}ORDER BY id",
            {"resident": resident_id},
        )

    def booked_otherwise(self, resident_id: int, dose: int, now: datetime) -> None:
        """A person booked a dose themselves: they no longer wait for it, and an open offer
        of it is void (its place goes back)."""
        self._db.execute(
            "UPDATE queue SET status = 'booked' WHERE resident_id = :resident AND dose = :dose "
            "AND status = 'waiting'",
            {"resident": resident_id, "dose": dose},
        )
        rows = self._db.all(
            _OFFER_SQL + "WHERE o.resident_id = :resident AND o.dose = :dose AND o.status = 'open'",
            {"resident": resident_id, "dose": dose},
        )
        for offer in map(_offer, rows):
            if self._close(offer, "void", now, expired_too=True):
                self._db.execute(
                    "UPDATE queue SET status = 'booked' WHERE id = :id", {"id": offer.queue_id}
                )

    def _answer(self, offer_id: int, status: str, now: datetime, expired_too: bool = False) -> bool:
        """Close an open offer (unexpired, unless ``expired_too``) as ``status``: a guarded
        update, so of two processes answering one offer (or expiring it) only one does; False
        for the other."""
        at = stamp(now)
        unexpired = "" if expired_too else " AND expires_at > :at"
        return self._db.execute(
            "UPDATE offers SET status = :status, answered_at = :at "
            f"WHERE id = :id AND status = 'open'{unexpired}",
            {"status": status, "at": at, "id": offer_id},
        ) == 1  # fmt: skip

    def _close(self, offer: Offer, status: str, now: datetime, expired_too: bool = False) -> bool:
        """End an offer without a booking: its held place goes back to the slot. False (and
        nothing changed) if it was no longer open."""
        if not self._answer(offer.id, status, now, expired_too):
            return False
        self._db.execute(
            "UPDATE slots SET booked = booked - 1 WHERE id = :id", {"id": offer.slot.id}
        )
        self._db.execute(
            "UPDATE queue SET status = :status WHERE id = :id",
            {"status": status, "id": offer.queue_id},
        )
        return True

    def accept_offer(
        self, offer_id: int, *, now: datetime, actor: str, channel: str,
        companion: tuple[str, str] | None = None,
    ) -> Booking:  # fmt: skip
        """Turn an open offer into a booking of the place it holds (with the companion's name
        and phone, for a person 70+)."""
        at = stamp(now)
        with self._db.transaction():
            offer = self.offer(offer_id)
            if offer is None or offer.status != "open" or offer.expires_at <= at:
                raise OfferClosed(offer_id)
            if self._db.one(
                "SELECT 1 FROM bookings WHERE resident_id = :resident AND dose = :dose "
                "AND status = 'active'",
                {"resident": offer.resident_id, "dose": offer.dose},
            ):  # booked some other way meanwhile: the held place goes back
                if not self._close(offer, "void", now):
                    raise OfferClosed(offer_id)
                booking_id = None  # raised after the commit: the void must stay
            else:
                booking_id = self._accept(offer, at, now, actor, channel, companion)
                if booking_id is None:
                    raise OfferClosed(offer_id)
        if booking_id is None:
            raise AlreadyBooked(offer.dose)
        return stored_booking(self._db, booking_id)

    def _accept(
        self, offer: Offer, at: str, now: datetime, actor: str, channel: str,
        companion: tuple[str, str] | None,
    ) -> int | None:  # fmt: skip
        """The booking of an accepted offer; None if the offer was closed meanwhile."""
        if not self._answer(offer.id, "accepted", now):
            return None  # the offer row is ours (locked) from here on
        try:
            booking_id, _ = self._codes.insert(self._db, "bookings", "code", "B", {
                "resident_id": offer.resident_id, "slot_id": offer.slot.id, "dose": offer.dose,
                "status": "active", "channel": channel, "actor": actor, "created_at": at,
                "updated_at": at, "companion_name": companion[0] if companion else None,
                "companion_phone": companion[1] if companion else None,
            })  # fmt: skip
        except UniqueViolation as exc:  # booked another way by another process meanwhile
            if exc.on("bookings", "resident_id", "dose"):
                raise AlreadyBooked(offer.dose) from None
            raise
        self._db.execute(
            "UPDATE offers SET booking_id = :booking WHERE id = :id",
            {"booking": booking_id, "id": offer.id},
        )
        self._db.execute(
            "UPDATE queue SET status = 'booked' WHERE id = :id", {"id": offer.queue_id}
        )
        self._audit.record(now, actor, channel, "book", "booking", booking_id, None, {
            "resident_id": offer.resident_id, "slot_id": offer.slot.id, "dose": offer.dose,
            "status": "active", "offer_id": offer.id,
        })  # fmt: skip
        return booking_id

    def decline_offer(self, offer_id: int, *, now: datetime, actor: str, channel: str) -> None:
        with self._db.transaction():
            offer = self.offer(offer_id)
            if offer is None or not self._close(offer, "declined", now):
                raise OfferClosed(offer_id)
            self._audit.record(now, actor, channel, "decline", "offer", offer.id,
                               {"status": "open"}, {"status": "declined"})  # fmt: skip

    def expire_offers(
        self,
        now: datetime,
        messages: Callable[[Offer, str, str | None], str] | None = None,
        due: datetime | None = None,
    ) -> int:
        """Close every open offer past its expiry, freeing the places it held.

        The offers are closed first, by one guarded statement that gives back which it closed
        (each offer is closed by one process only, however many workers tick at once: a row
        another closes meanwhile is re-read and left alone); then their places go back to
        their slots (one statement per slot) and their queue entries are marked expired. With
        ``messages``, each person is told, as the offer was (``offer:<id>:expired``, and to
        the managing phone), due at ``due`` (default ``now``), in the same transaction.
        """
        db = self._db
        with db.transaction():
            closed = db.all(
                "UPDATE offers SET status = 'expired', answered_at = :now "
                "WHERE status = 'open' AND expires_at <= :now RETURNING id, slot_id, queue_id",
                {"now": stamp(now)},
            )
            if not closed:
                return 0
            places = Counter(slot_id for _, slot_id, _ in closed)
            db.execute_many(
                "UPDATE slots SET booked = booked - :n WHERE id = :slot",
                ({"n": n, "slot": slot_id} for slot_id, n in sorted(places.items())),
            )
            db.execute_many(
                "UPDATE queue SET status = 'expired' WHERE id = :id",
                ({"id": queue_id} for _, _, queue_id in closed),
            )
            if messages is not None:
                ids = sorted(offer_id for offer_id, _, _ in closed)
                rows = self._recipients(
                    f"o.id IN ({', '.join(str(int(offer_id)) for offer_id in ids)})", {}
                )
                notices = self._notices(rows, self._places(set(places)), messages,
                                        stamp(due or now), stamp(now), ":expired")  # fmt: skip
                self._outbox.add_notices(notices)
        return len(closed)

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
        db = self._db
        at, until, send = stamp(now), stamp(expires_at), stamp(due or now)
        with db.transaction():
            # The pairs go into a scratch table (one executemany), then set-based statements
            # do the rest: far cheaper than one statement per offer.
            db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS offer_picks "
                "(queue_id INTEGER PRIMARY KEY, slot_id INTEGER NOT NULL)"
            )
            db.execute("DELETE FROM offer_picks")
            try:
                picked = db.execute_many(
                    "INSERT INTO offer_picks (queue_id, slot_id) VALUES (:queue, :slot)",
                    ({"queue": queue_id, "slot": slot_id} for queue_id, slot_id in assignments),
                )
                if picked <= 0:
                    return 0
                per_slot = db.all("SELECT slot_id, COUNT(*) FROM offer_picks GROUP BY slot_id")
                short = db.one(
                    "SELECT t.id FROM (SELECT slot_id, COUNT(*) AS n FROM offer_picks "
                    "GROUP BY slot_id) p JOIN slots t ON t.id = p.slot_id "
                    "WHERE t.booked + p.n > t.capacity LIMIT 1"
                )
                if short is not None:
                    raise SlotUnavailable(short[0])
                # The queue rows picked, locked until the offers are made (a resident booking
                # meanwhile waits, then finds the offer to void): the status read is the one
                # the offers are made on.
                db.all(
                    "SELECT id FROM queue WHERE id IN (SELECT queue_id FROM offer_picks) "
                    f"ORDER BY id{db.for_update()}"
                )
                last = db.one("SELECT COALESCE(MAX(id), 0) FROM offers")
                assert last is not None
                inserted = db.execute(
                    "INSERT INTO offers (queue_id, resident_id, slot_id, dose, created_at, "
                    "expires_at) SELECT q.id, q.resident_id, p.slot_id, q.dose, :at, :until "
                    "FROM offer_picks p JOIN queue q ON q.id = p.queue_id "
                    "WHERE q.status = 'waiting' ORDER BY p.queue_id",
                    {"at": at, "until": until},
                )
            except IntegrityViolation as exc:  # a queue id twice; an open offer meanwhile
                raise StoreError(f"cannot create the offers: {exc}") from None
            if inserted != picked:
                raise StoreError(f"{picked - inserted} queue row(s) are no longer waiting")
            held = db.execute_many(
                "UPDATE slots SET booked = booked + :n WHERE id = :slot "
                "AND booked + :n <= capacity",
                ({"n": n, "slot": slot_id} for slot_id, n in per_slot),
            )
            if held != len(per_slot):
                raise SlotUnavailable(per_slot[0][0])
            db.execute(
                "UPDATE queue SET status = 'offered' WHERE id IN (SELECT queue_id FROM offer_picks)"
            )
            places = self._places(slot_id for slot_id, _ in per_slot)
            rows = self._recipients(  # these offers, not another batch's made meanwhile
                "o.id > :last AND o.queue_id IN (SELECT queue_id FROM offer_picks)",
                {"last": last[0]},
            )
            self._outbox.add_notices(self._notices(rows, places, messages, send, at, ""))
            db.execute("DELETE FROM offer_picks")
        return inserted

    def _places(self, slot_ids: Iterable[int]) -> dict[int, tuple[Any, Any]]:
        """Each slot's place and site, by slot id."""
        ids = ", ".join(str(int(slot_id)) for slot_id in sorted(set(slot_ids)))
        return {
            row[0]: (slot(row[:8]), site(row[8:]))
            for row in self._db.all(
                f"SELECT {SLOT_COLUMNS}, {SITE_COLUMNS} FROM slots t "
                f"JOIN sites s ON s.id = t.site_id WHERE t.id IN ({ids or 'NULL'})"
            )
        }

    def _recipients(self, where: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        """The offers ``where`` holds, with each person's name, phone and SMS language, and
        the managing phone (when another) with its language."""
        return self._db.stream(
            "SELECT o.id, o.queue_id, o.resident_id, o.dose, o.status, o.expires_at, "
            "o.slot_id, r.name, r.phone, c.lang, "
            "CASE WHEN a.phone <> r.phone THEN a.phone END, "
            "m.lang "
            "FROM offers o JOIN residents r ON r.id = o.resident_id "
            "JOIN accounts a ON a.id = r.account_id "
            "LEFT JOIN conversations c ON c.channel = 'sms' AND c.address = r.phone "
            "LEFT JOIN conversations m ON a.phone <> r.phone AND m.channel = 'sms' "
            f"AND m.address = a.phone WHERE {where} ORDER BY o.id",
            params,
        )

    @staticmethod
    def _notices(
        rows: Iterator[tuple[Any, ...]],
        places: dict[int, tuple[Any, Any]],
        messages: Callable[[Offer, str, str | None], str],
        send: str,
        at: str,
        suffix: str,
    ) -> Iterator[tuple[str, str, str, str, str, str]]:
        """The SMS about each offer: (channel, address, text, key, due, created), keyed
        ``offer:<id><suffix>``."""
        for row in rows:
            offer_id, queue_id, resident_id, dose, status, ends, slot_id, name = row[:8]
            phone, lang, manager, manager_lang = row[8:]
            place, where = places[slot_id]
            offer = Offer(offer_id, queue_id, resident_id, dose, status, ends, place, where)
            key = f"offer:{offer_id}{suffix}"
            yield ("sms", phone, messages(offer, name, lang), key, send, at)
            if manager:
                yield ("sms", manager, messages(offer, name, manager_lang), f"{key}:account",
                       send, at)  # fmt: skip
