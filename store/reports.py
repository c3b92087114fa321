"""What the operator console's screens show (lookup, history, dashboard), from the store's
read methods: the console asks these, never the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from store.models import Resident
from store.store import Store


def residents_with_phone(store: Store, phone: str) -> list[Resident]:
    """People whose own phone is ``phone`` (whoever manages them)."""
    return store.residents_with_phone(phone)


def residents_with_document(store: Store, number: str) -> list[Resident]:
    return store.residents_with_document(number)


def residents_named(store: Store, text: str, limit: int) -> list[Resident]:
    return store.residents_named(text, limit)


def residents_containing(store: Store, fragment: str, limit: int) -> list[Resident]:
    return store.residents_containing(fragment, limit)


def account_by_phone(store: Store, phone: str) -> int | None:
    return store.account_by_phone(phone)


def contact(store: Store, kind: str, case_id: int) -> str | None:
    """The number to call for a call-back request (``kind`` "cb") or a follow-up case."""
    return store.contact(kind, case_id)


def history(store: Store, resident_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The audit trail of a person and their bookings, newest first."""
    return store.history(resident_id, limit)


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
    kept = ("active", "attended")
    return Figures(
        day=today,
        booked_today=store.count_on(today, ("active", "attended", "noshow")),
        attended_today=store.count_on(today, ("attended",)),
        noshows_today=store.count_on(today, ("noshow",)),
        noshows_total=store.noshow_count(),
        queue=store.waiting_count(),
        callbacks=store.callback_count(),
        followups=store.followup_count(),
        sites=store.capacity_by_site(today),
        week=[store.count_on(today + timedelta(days=i), kept) for i in range(7)],
    )
