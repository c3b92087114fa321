"""What the specs of store.Store share (tests/test_store_*.py): residents, slots and bookings
made through the store's interface, and the moments they are made at.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from store import (
    Resident,
    Store,
)
from tests.conftest import TODAY
from tests.fakes import tables
from tests.fakes.tables import site_id

TOMORROW = TODAY + timedelta(days=1)

RELEASED = "2021-06-17T00:00:00+08:00"
PHONE = "+8613800138000"


def scripted_codes(*codes: str) -> Callable[..., str]:
    """A ``Store.new_code`` that hands out ``codes`` in order, collisions included."""
    pending = iter(codes)

    def code(prefix: str, length: int = 7) -> str:
        return next(pending)

    return code


def booked(store: Store, slot_id: int) -> int:
    slot = store.slot(slot_id)
    assert slot is not None
    return slot.booked


def add_person(
    store: Store, now: datetime, number: str = "11010519491231002X", name: str = "张三"
) -> Resident:
    account = store.account_for("sms", PHONE, PHONE, now)
    return store.add_resident(
        account_id=account,
        name=name,
        id_type="resident_id",
        id_number=number,
        birth_date=date(1949, 12, 31),
        sex="F",
        phone=PHONE,
        district_id="tianhe",
        now=now,
        actor="resident",
        channel="sms",
    )


def add_slot(
    store: Store,
    *,
    day: date = TOMORROW,
    start: str = "21:00",
    end: str = "22:00",
    capacity: int = 1,
    released_at: str | None = RELEASED,
    site: str = "Tianhe Sports Centre",
) -> int:
    sid = site_id(store, site)
    store.add_slots(
        [
            {
                "site_id": sid,
                "product_id": "coronavac",
                "day": day.isoformat(),
                "start": start,
                "end": end,
                "capacity": capacity,
                "released_at": released_at,
            }
        ]
    )
    return tables.slot_id(store, sid, day, start)


def book(store: Store, resident: Resident, slot_id: int, now: datetime, dose: int = 1) -> Any:
    return store.book(
        resident_id=resident.id,
        slot_id=slot_id,
        dose=dose,
        now=now,
        channel="sms",
        actor="resident",
    )
