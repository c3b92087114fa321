"""Helpers of the tests of attendance and of the no-show bar (tests/test_attendance.py):
residents and bookings on the demo, and ``vaxbot`` in-process."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from store import Booking, Resident, Store
from tests.conftest import Clock, with_login

PHONE = "+8613800138000"
ID_NUMBER = "440106199001011235"  # 张三, born 1990-01-01, male
FAMILY_ID = "440106196505050023"  # 李芳, born 1965-05-05, female
TIANHE_SPORTS = 1  # 天河体育中心接种点: coronavac, with an evening period


def register(
    store: Store,
    now: datetime,
    id_number: str = ID_NUMBER,
    name: str = "张三",
    phone: str = PHONE,
    relation: str = "self",
) -> Resident:
    account = store.account_for("sms", phone, phone, now)
    return store.add_resident(
        account_id=account,
        name=name,
        id_type="resident_id",
        id_number=id_number,
        birth_date=date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        sex="M" if int(id_number[16]) % 2 else "F",
        phone=phone,
        district_id="tianhe",
        now=now,
        actor="self:sms",
        channel="sms",
        relation=relation,
    )


def slot_id(store: Store, day: str, start: str, site_id: int = TIANHE_SPORTS) -> int:
    slot = store.slot_at(site_id, day, start)
    assert slot is not None, f"no slot at site {site_id} on {day} {start}"
    return slot.id


def book(
    store: Store, resident: Resident, clock: Clock, day: str, start: str = "10:00", dose: int = 1
) -> Booking:
    return store.book(
        resident_id=resident.id,
        slot_id=slot_id(store, day, start),
        dose=dose,
        now=clock.now,
        channel="sms",
        actor="self:sms",
    )


def status_of(store: Store, booking: Booking) -> str:
    now = store.booking(booking.id)
    assert now is not None
    return now.status


def booked_count(store: Store, slot: int) -> int:
    found = store.slot(slot)
    assert found is not None
    return found.booked


class Cli:
    """``vaxbot ...`` in-process on the test's database, at a moment given with VAXBOT_NOW."""

    def __init__(
        self,
        db: str | Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        self.db, self.monkeypatch, self.capsys = db, monkeypatch, capsys

    def __call__(self, now: str, *args: str) -> tuple[int, list[str], str]:
        """(exit status, stdout lines, stderr) of ``vaxbot ARGS --db DB`` at ``now``."""
        self.monkeypatch.setenv("VAXBOT_NOW", now)
        self.capsys.readouterr()
        try:
            status = main([*with_login(self.db, args, self.monkeypatch), "--db", str(self.db)])
        except SystemExit as exc:  # argparse's usage errors
            status = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        return status, out.splitlines(), err


def audit_rows(store: Store, action: str, entity_id: int) -> list[dict[str, Any]]:
    return [
        {
            "actor": row["actor"],
            "channel": row["channel"],
            "entity": row["entity"],
            "before": json.loads(row["before"]) if row["before"] else None,
            "after": json.loads(row["after"]) if row["after"] else None,
        }
        for row in store.audit_rows(action=action, entity_id=entity_id)
    ]
