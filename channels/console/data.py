"""What the console reads: caller lookup, history and dashboard figures (read-only SQL)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flows.identity import clean_id, normalise_phone
from store import Resident, Store

_BOOKING_CODE = re.compile(r"B[0-9A-Z]{7}")
_PREREG_CODE = re.compile(r"R[0-9A-Z]{7}")
_DOCUMENT = re.compile(r"[0-9A-Z]{6,20}")


@dataclass
class Lookup:
    """Who is calling: the phone the conversation runs on, their people, the one asked for."""

    phone: str | None
    people: list[Resident] = field(default_factory=list)
    focus: int | None = None  # the resident id the query named, if it named one


def _residents(store: Store, where: str, params: list[Any]) -> list[Resident]:
    ids = [row[0] for row in store._conn.execute(f"SELECT id FROM residents WHERE {where}", params)]
    return [r for r in (store.resident(i) for i in ids) if r is not None]


def _household(store: Store, resident: Resident) -> Lookup:
    """Everyone on the account managing ``resident``; the call runs on the account's phone."""
    phone = store.account_phone(resident.account_id) or resident.phone
    return Lookup(phone, store.residents_of(resident.account_id), resident.id)


def lookup(store: Store, query: str) -> Lookup | None:
    """A caller by phone, ID number, booking code, pre-registration code or name."""
    text = unicodedata.normalize("NFKC", query).strip()
    if not text:
        return None
    code = text.upper()
    if _BOOKING_CODE.fullmatch(code):
        booking = store.booking_by_code(code)
        person = store.resident(booking.resident_id) if booking else None
        return _household(store, person) if person else None
    if _PREREG_CODE.fullmatch(code):
        person = store.resident_by_prereg_code(code)
        return _household(store, person) if person else None
    phone = normalise_phone(text)
    if phone is not None:
        row = store._conn.execute("SELECT id FROM accounts WHERE phone = ?", [phone]).fetchone()
        people = store.residents_of(int(row[0])) if row else []
        known = {p.id for p in people}
        people += [p for p in _residents(store, "phone = ?", [phone]) if p.id not in known]
        return Lookup(phone, people)
    document = clean_id(text)
    if _DOCUMENT.fullmatch(document) and any(ch.isdigit() for ch in document):
        found = _residents(store, "id_number = ?", [document])
        return _household(store, found[0]) if found else None
    found = _residents(store, "name LIKE ? ORDER BY id LIMIT 20", [f"%{text}%"])
    if len(found) == 1:
        return _household(store, found[0])
    return Lookup(None, found) if found else None


def history(store: Store, resident_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The audit trail of a person and their bookings, newest first."""
    return list(
        store.db.query(
            "SELECT at, actor, channel, action, entity, entity_id FROM audit "
            "WHERE (entity = 'resident' AND entity_id = :id) OR (entity = 'booking' AND "
            "entity_id IN (SELECT CAST(id AS TEXT) FROM bookings WHERE resident_id = :id)) "
            "ORDER BY id DESC LIMIT :limit",
            {"id": str(resident_id), "limit": limit},
        )
    )


@dataclass(frozen=True)
class Figures:
    day: date
    booked_today: int
    attended_today: int
    noshows_today: int
    noshows_total: int
    queue: int
    callbacks: int
    followups: int
    sites: list[dict[str, Any]]  # today's capacity by site: district, name, capacity, booked
    week: list[int]  # bookings per day, today and the 6 days after


def figures(store: Store, today: date) -> Figures:
    day = today.isoformat()

    def count(sql: str, *params: Any) -> int:
        row = store._conn.execute(sql, params).fetchone()
        return int(row[0] or 0) if row else 0

    on_day = "SELECT COUNT(*) FROM bookings b JOIN slots t ON t.id = b.slot_id WHERE t.day = ?"
    sites = list(
        store.db.query(
            "SELECT s.district_id AS district, s.name_zh, s.name_en, "
            "COALESCE(SUM(t.capacity), 0) AS capacity, COALESCE(SUM(t.booked), 0) AS booked "
            "FROM sites s LEFT JOIN slots t ON t.site_id = s.id AND t.day = ? "
            "GROUP BY s.id ORDER BY s.district_id, s.id",
            [day],
        )
    )
    week = [
        count(
            on_day + " AND b.status IN ('active', 'attended')",
            (today + timedelta(days=i)).isoformat(),
        )
        for i in range(7)
    ]
    return Figures(
        day=today,
        booked_today=count(on_day + " AND b.status IN ('active', 'attended', 'noshow')", day),
        attended_today=count(on_day + " AND b.status = 'attended'", day),
        noshows_today=count(on_day + " AND b.status = 'noshow'", day),
        noshows_total=count("SELECT COUNT(*) FROM bookings WHERE status = 'noshow'"),
        queue=store.waiting_count(),
        callbacks=count("SELECT COUNT(*) FROM callbacks WHERE status = 'open'"),
        followups=count("SELECT COUNT(*) FROM followups WHERE status = 'open'"),
        sites=sites,
        week=week,
    )
