"""Read-only queries for the operator console's screens (lookup, history, dashboard).

SQL stays in ``store/``: the console asks these, never the connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from store.models import Resident
from store.store import Store


def _residents(store: Store, where: str, params: list[Any]) -> list[Resident]:
    ids = [row[0] for row in store._all(f"SELECT id FROM residents WHERE {where}", params)]
    return [r for r in (store.resident(i) for i in ids) if r is not None]


def residents_with_phone(store: Store, phone: str) -> list[Resident]:
    """People whose own phone is ``phone`` (whoever manages them)."""
    return _residents(store, "phone = ?", [phone])


def residents_with_document(store: Store, number: str) -> list[Resident]:
    return _residents(store, "id_number = ?", [number])


def residents_named(store: Store, text: str, limit: int) -> list[Resident]:
    return _residents(store, "name LIKE ? ORDER BY id LIMIT ?", [f"%{text}%", limit])


def account_by_phone(store: Store, phone: str) -> int | None:
    row = store._one("SELECT id FROM accounts WHERE phone = ?", [phone])
    return int(row[0]) if row else None


def contact(store: Store, kind: str, case_id: int) -> str | None:
    """The number to call for a call-back request (``kind`` "cb") or a follow-up case."""
    if kind == "cb":
        row = store._one("SELECT address FROM callbacks WHERE id = ?", [case_id])
    else:
        row = store._one(
            "SELECT r.phone FROM followups f JOIN residents r ON r.id = f.resident_id "
            "WHERE f.id = ?",
            [case_id],
        )
    return str(row[0]) if row and row[0] else None


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
        row = store._one(sql, params)
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
