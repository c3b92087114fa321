"""What the tests of automatic assignment share (tests/test_assignment_*.py; DESIGN.md §1,
seed 001): the days places are on, a policy with other assignment settings, and, for the batch
(``bot.assign``) on the demo store, people registered and queued, the only place left, and what
the store says of their offers, queue rows and outbox SMS.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from bot.clock import parse_moment
from flows.policy import Policy
from store import (
    Dose,
    Resident,
    Store,
)
from tests.conftest import TODAY
from tests.fakes import tables

D1 = TODAY + timedelta(days=1)  # Friday 18 June
D2 = TODAY + timedelta(days=2)
D3 = TODAY + timedelta(days=3)

ADULT = date(1990, 1, 1)


def widened(policy: Policy, **assignment: Any) -> Policy:
    return policy.model_copy(update={"assignment": policy.assignment.model_copy(update=assignment)})


# -- the batch on the demo database ----------------------------------------------------------


def at(policy: Policy, moment: str) -> datetime:
    return parse_moment(moment, policy.zone)


class Queue:
    """Registers people and queues them, on the demo store."""

    def __init__(self, store: Store, now: datetime) -> None:
        self.store = store
        self.now = now
        self.count = 0

    def add(
        self,
        *,
        district: str = "tianhe",
        dose1: tuple[date, str] | None = None,
        period: str | None = None,
        queued: datetime | None = None,
        born: date = ADULT,
        managed_by: str | None = None,
    ) -> Resident:
        self.count += 1
        phone = f"+86139{self.count:08d}"
        manager = managed_by or phone
        account = self.store.account_for("sms", manager, manager, self.now)
        resident = self.store.add_resident(
            account_id=account, name=f"居民{self.count}", id_type="passport",
            id_number=f"E{self.count:08d}", birth_date=born, sex=None, phone=phone,
            district_id=district, now=self.now, actor="test", channel="test",
        )  # fmt: skip
        dose = 1
        if dose1:
            day, product = dose1
            self.store.add_dose(Dose(resident.id, 1, day, product, None, "import"), self.now,
                                "test", "test")  # fmt: skip
            dose = 2
        self.store.join_queue(resident.id, dose, None, period, queued or self.now)
        return resident


def only_slot(store: Store, *, capacity: int, day: date = D2, start: str = "07:00") -> int:
    """Fill every demo slot, and add one released Tianhe coronavac slot (at a time the demo has
    none): the only places."""
    tables.fill_slots(store)
    site = store.site_named("天河体育中心接种点")
    assert site is not None
    store.add_slots([{
        "site_id": site.id, "product_id": "coronavac", "day": day.isoformat(), "start": start,
        "end": f"{int(start[:2]) + 2:02d}{start[2:]}", "capacity": capacity,
        "released_at": "2021-06-17T08:00:00+08:00",
    }])  # fmt: skip
    return max(slot.id for slot in store.slots())


def booked(store: Store, slot_id: int) -> int:
    slot = store.slot(slot_id)
    assert slot is not None
    return slot.booked


def booked_of(store: Store, slot_id: int) -> tuple[int, int]:
    """A slot's places booked and its capacity."""
    slot = store.slot(slot_id)
    assert slot is not None
    return slot.booked, slot.capacity


def queued(store: Store, resident_id: int) -> list[str]:
    """The statuses of a person's queue rows."""
    return [row["status"] for row in store.queue_rows(resident_id)]


def outbox(store: Store, *columns: str) -> list[tuple[Any, ...]]:
    return [tuple(row[c] for c in columns) for row in store.outbox_rows()]


def offer_of(store: Store, resident: Resident) -> tuple[Any, ...] | None:
    found = store.offer_rows(resident.id)
    if not found:
        return None
    last = found[-1]
    return last["id"], last["slot_id"], last["status"], last["expires_at"]
