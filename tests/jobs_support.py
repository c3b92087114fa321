"""What the specs of the scheduled jobs and of what residents answer to them share
(tests/test_jobs_*.py): phones, valid ID numbers, people registered by SMS (managed or not), their
first doses and bookings, delivering the outbox, and the rows the jobs queue.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.outbox import Report, deliver_due
from flows.policy import Policy
from store import Booking, Dose, Resident, Store
from tests.conftest import Clock
from tests.fakes.delivery import ScriptedDelivery, outbox_rows

PHONE = "+8613800138000"
OTHER = "+8613900139000"

TIANHE_SPORTS = 1  # 天河体育中心接种点: coronavac
ZONE = ZoneInfo("Asia/Shanghai")
DOSE1_DAY = date(2021, 5, 27)  # + 21 days = 2021-06-17, the seeded "today"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(born: date, serial: int, female: bool = False) -> str:
    """A valid 18-digit resident ID (Tianhe, Guangzhou) with its check character."""
    body = f"440106{born:%Y%m%d}{serial:02d}{2 if female else 1}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]
    return body + check


def at(moment: str, policy: Policy) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=policy.zone)


def register(
    store: Store,
    now: datetime,
    name: str,
    born: date,
    serial: int,
    phone: str = PHONE,
    manager: str | None = None,
) -> Resident:
    """A person registered by SMS from ``manager`` (default: their own ``phone``)."""
    by = manager or phone
    account = store.account_for("sms", by, by, now)
    return store.add_resident(
        account_id=account,
        name=name,
        id_type="resident_id",
        id_number=id_number(born, serial),
        birth_date=born,
        sex="M",
        phone=phone,
        district_id="tianhe",
        now=now,
        actor="self:sms",
        channel="sms",
        relation="self" if by == phone else "other",
    )


def slot_id(store: Store, day: str, start: str = "10:00", site_id: int = TIANHE_SPORTS) -> int:
    slot = store.slot_at(site_id, day, start)
    assert slot is not None, f"no slot at site {site_id} on {day} {start}"
    return slot.id


def book(
    store: Store, person: Resident, now: datetime, day: str, dose: int = 1, start: str = "10:00"
) -> Booking:
    return store.book(
        resident_id=person.id, slot_id=slot_id(store, day, start), dose=dose, now=now,
        channel="sms", actor="self:sms",
    )  # fmt: skip


def dose1(store: Store, person: Resident, day: date = DOSE1_DAY) -> None:
    store.add_dose(
        Dose(person.id, 1, day, "coronavac", TIANHE_SPORTS, "import"),
        datetime.combine(day, time(12), ZONE),
        "import",
        "cli",
    )


def deliver(store: Store, policy: Policy, clock: Clock, sms: ScriptedDelivery) -> Report:
    return asyncio.run(deliver_due(store, {"sms": sms}, policy, clock))


def rows_like(store: Store, prefix: str) -> list[dict[str, Any]]:
    return [row for row in outbox_rows(store) if row["idempotency_key"].startswith(prefix)]
