"""Helpers shared by the outbox's tests (tests/test_outbox.py, tests/test_android_gateway.py)."""

from __future__ import annotations

from datetime import datetime

from store import Store
from tests.conftest import Clock

PHONE = "+8613800138000"


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def enqueue(
    store: Store,
    clock: Clock,
    key: str,
    text: str = "提醒：明天接种",
    address: str = PHONE,
    kind: str = "notice",
    channel: str = "sms",
    due: datetime | None = None,
) -> None:
    assert store.enqueue(channel, address, text, key, due or clock.now, clock.now, kind)
