"""Spec for conversation state and inbound de-duplication in store.Store, on SQLite and
PostgreSQL: the state round-trips readable, is kept per channel, and a turn starts from the
stored replies of a message recorded once.

The ``store`` fixture is the demo seeded for 2021-06-17..23, frozen at 09:00 Asia/Shanghai.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from store import (
    Store,
    UniqueViolation,
)
from tests.fakes.tables import count
from tests.store_support import (
    PHONE,
)

BACKENDS = ("sqlite", "postgresql")

# -- conversation state and inbound messages ---------------------------------------------------

STATE: dict[str, Any] = {
    "lang": "zh",
    "flow": "book",
    "name": "张三",
    "options": [["1", "天河区（居住地）", "tianhe", ["天河区", "天河"]]],
    "history": ["district", "site"],
    "count": 3,
    "nothing": None,
    "emoji": "👍",
}


def test_state_round_trip(store: Store, now: datetime) -> None:
    assert store.load_state("sms", PHONE) is None
    store.save_state("sms", PHONE, STATE, now)
    assert store.load_state("sms", PHONE) == STATE
    raw = store.state_text("sms", PHONE)
    assert raw is not None and "张三" in raw  # stored readable, not as \\u escapes
    assert store.state_updated_at("sms", PHONE) == "2021-06-17T09:00:00+08:00"


def test_state_is_replaced_and_kept_per_channel(store: Store, now: datetime) -> None:
    later = now + timedelta(minutes=5)
    store.save_state("sms", PHONE, STATE, now)
    store.save_state("sms", PHONE, {"lang": "en"}, later)
    store.save_state("telegram", PHONE, {"lang": "zh", "name": "李四"}, now)
    assert store.load_state("sms", PHONE) == {"lang": "en"}
    assert store.load_state("telegram", PHONE) == {"lang": "zh", "name": "李四"}
    assert count(store, "conversations") == 2
    assert store.state_updated_at("sms", PHONE) == "2021-06-17T09:05:00+08:00"


def test_a_turn_starts_from_the_stored_replies_and_state_of_its_own_channel(
    store: Store, now: datetime
) -> None:
    assert store.turn_start("sms", PHONE, "msg-1") == (None, None, 0)
    assert store.turn_start("sms", PHONE, None) == (None, None, 0)
    store.save_state("sms", PHONE, '{"lang": "zh"}', now)
    store.record_inbound("sms", "msg-1", '["您好！"]', now)
    assert store.turn_start("sms", PHONE, "msg-1") == ('["您好！"]', '{"lang": "zh"}', 0)
    assert store.turn_start("sms", PHONE, "msg-2") == (None, '{"lang": "zh"}', 0)
    assert store.turn_start("telegram", PHONE, "msg-1") == (None, None, 0)


def test_inbound_is_recorded_once(store: Store, now: datetime) -> None:
    store.record_inbound("sms", "msg-1", "first", now)
    with pytest.raises(UniqueViolation):
        store.record_inbound("sms", "msg-1", "second", now)
    assert store.turn_start("sms", PHONE, "msg-1") == ("first", None, 0)
    store.record_inbound("telegram", "msg-1", "other channel", now)
    assert store.turn_start("telegram", PHONE, "msg-1") == ("other channel", None, 0)
