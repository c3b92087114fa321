"""Spec for how store.Store holds its database, on SQLite and PostgreSQL: migrations recorded and
not applied again on reopening, nested transactions as savepoints (only committed data is seen
by another connection), and several connections (processes) on one database at once.

The ``store`` fixture is the demo seeded for 2021-06-17..23, frozen at 09:00 Asia/Shanghai.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest

from flows.identity import check_character
from flows.policy import Policy
from store import (
    Resident,
    SlotUnavailable,
    Store,
)
from store.migrations import MIGRATIONS, applied, migrate
from tests.conftest import TODAY, open_seeded
from tests.fakes import tables
from tests.fakes.tables import count, site_id
from tests.store_support import (
    PHONE,
    TOMORROW,
    add_person,
    add_slot,
    book,
    booked,
)

BACKENDS = ("sqlite", "postgresql")


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


# -- migrations and connection -----------------------------------------------------------------


def test_migrations_are_recorded(store: Store) -> None:
    names = applied(store.db)
    assert names == sorted(name for name, _ in MIGRATIONS["sqlite"])
    assert "0001_initial" in names


def test_reopening_applies_nothing_new(db_path: Path, policy: Policy) -> None:
    first = open_seeded(db_path, policy)
    before = tables.rows(first, "_migrations")
    slots = count(first, "slots")
    first.close()

    again = Store.open(db_path)
    try:
        assert migrate(again.db) == []
        assert tables.rows(again, "_migrations") == before
        assert count(again, "slots") == slots
    finally:
        again.close()


def test_reseeding_adds_no_slots(store: Store, policy: Policy, now: datetime) -> None:
    from bot.demo import seed_demo

    slots = count(store, "slots")
    assert seed_demo(store, policy, TODAY, 7, now) == 0
    assert count(store, "slots") == slots


# -- transactions ------------------------------------------------------------------------------


def state_of(db_url: str, address: str) -> object:
    """Read a conversation through a separate connection: only committed data is visible."""
    other = tables.opened(db_url)
    try:
        return other.load_state("sms", address)
    finally:
        other.close()


def test_nested_rollback_keeps_the_outer_writes(store: Store, db_url: str, now: datetime) -> None:
    with store.transaction():
        store.save_state("sms", "outer-before", {"n": 1}, now)
        with pytest.raises(RuntimeError), store.transaction():
            store.save_state("sms", "inner", {"n": 2}, now)
            raise RuntimeError("inner fails")
        store.save_state("sms", "outer-after", {"n": 3}, now)
        assert store.load_state("sms", "inner") is None
        assert state_of(db_url, "outer-before") is None  # not committed yet
    assert state_of(db_url, "outer-before") == {"n": 1}
    assert state_of(db_url, "inner") is None
    assert state_of(db_url, "outer-after") == {"n": 3}


def test_failed_booking_inside_a_turn_keeps_the_turns_other_writes(
    store: Store, db_url: str, now: datetime
) -> None:
    person = add_person(store, now)
    full = add_slot(store, capacity=0)
    good = store.open_slots(site_id(store, "Tianhe Sports Centre"), TOMORROW, now)[0]
    with store.transaction():
        store.save_state("sms", PHONE, {"step": "confirm"}, now)
        with pytest.raises(SlotUnavailable):
            book(store, person, full, now)
        booking = book(store, person, good.id, now)
    assert state_of(db_url, PHONE) == {"step": "confirm"}
    assert booked(store, good.id) == 1
    assert store.active_bookings(person.id) == [booking]


def test_an_uncaught_inner_error_rolls_back_everything(
    store: Store, db_url: str, now: datetime
) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.save_state("sms", "outer", {"n": 1}, now)
        with store.transaction():
            store.save_state("sms", "inner", {"n": 2}, now)
            raise RuntimeError("fails")
    assert state_of(db_url, "outer") is None
    assert state_of(db_url, "inner") is None
    # and the store is usable again afterwards
    with store.transaction():
        store.save_state("sms", "later", {"n": 3}, now)
    assert state_of(db_url, "later") == {"n": 3}


def test_three_levels_of_savepoints(store: Store, db_url: str, now: datetime) -> None:
    with store.transaction():
        store.save_state("sms", "a", {}, now)
        with store.transaction():
            store.save_state("sms", "b", {}, now)
            with pytest.raises(KeyError), store.transaction():
                store.save_state("sms", "c", {}, now)
                raise KeyError("c")
            store.save_state("sms", "d", {}, now)
    assert [state_of(db_url, k) for k in "abcd"] == [{}, {}, None, {}]


# -- several processes on one file -------------------------------------------------------------


def test_concurrent_bookings_never_oversell(
    store: Store, db_url: str, now: datetime, policy: Policy
) -> None:
    people = [
        add_person(store, now, id_number(f"44010619900101{i:03d}"), f"居民{i}") for i in range(8)
    ]
    slot = add_slot(store, capacity=3)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(person: Resident) -> None:
        own = Store.open(db_url)
        try:
            book(own, person, slot, now)
            result = "booked"
        except SlotUnavailable:
            result = "full"
        except Exception as exc:  # anything else is a failure of the test
            result = repr(exc)
        finally:
            own.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] * 3 + ["full"] * (len(people) - 3)
    assert booked(store, slot) == 3
    assert count(store, "bookings", slot_id=slot) == 3


def test_account_for_when_another_process_meets_the_same_address_at_once(
    store: Store, db_url: str, now: datetime
) -> None:
    """Two processes see a new address at the same moment: the second waits for the first's
    write lock, then finds the account the first made. One account, one address row."""
    other = Store.open(db_url)
    found: dict[str, object] = {}

    def second() -> None:
        try:
            found["second"] = other.account_for("telegram", "5551234", PHONE, now)
        except Exception as exc:  # reported below, not lost with the thread
            found["error"] = exc

    thread = threading.Thread(target=second)
    try:
        with store.transaction():
            found["first"] = store.account_for("telegram", "5551234", PHONE, now)
            thread.start()
            thread.join(0.3)
            assert thread.is_alive(), "the second process did not wait for the write lock"
        thread.join(10)
        assert not thread.is_alive(), "the second process never got the lock"
    finally:
        other.close()
    assert "error" not in found, found
    assert found["second"] == found["first"]
    assert count(store, "accounts") == 1
    assert count(store, "addresses") == 1
