"""Spec for booking in store.Store, on SQLite and PostgreSQL: a booking takes a place atomically
and writes an audit row; full, unknown, unreleased or started slots are not booked and nothing
changes; one active booking per dose; booking codes are unique and drawn from the unambiguous
symbols.

The ``store`` fixture is the demo seeded for 2021-06-17..23, frozen at 09:00 Asia/Shanghai.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from store import (
    AlreadyBooked,
    SlotUnavailable,
    Store,
)
from store.store import CODE_ALPHABET, new_code
from tests.conftest import TODAY
from tests.fakes import tables
from tests.fakes.tables import count, site_id
from tests.store_support import (
    TOMORROW,
    add_person,
    add_slot,
    book,
    booked,
    scripted_codes,
)

BACKENDS = ("sqlite", "postgresql")

YESTERDAY = TODAY - timedelta(days=1)


def snapshot(store: Store) -> dict[str, Any]:
    """Everything a failed booking must leave as it was."""
    return {
        "booked": tables.values(store, "slots", "id", "booked"),
        **tables.snapshot(store, "bookings", "audit"),
    }


# -- booking -----------------------------------------------------------------------------------


def test_book_takes_a_place_and_writes_an_audit_row(store: Store, now: datetime) -> None:
    person = add_person(store, now)
    slot = store.open_slots(site_id(store, "Tianhe Sports Centre"), TOMORROW, now)[0]
    audit_before = count(store, "audit")

    booking = book(store, person, slot.id, now)

    assert booked(store, slot.id) == slot.booked + 1 == 1
    assert (booking.resident_id, booking.dose, booking.status) == (person.id, 1, "active")
    assert booking.slot.id == slot.id
    assert booking.slot.booked == 1
    assert booking.site.name_en == "Tianhe Sports Centre"
    assert booking.code.startswith("B")
    assert store.active_bookings(person.id) == [booking]
    assert count(store, "audit") == audit_before + 1
    row = tuple(store.audit_rows()[-1].values())
    assert row[:7] == (
        "2021-06-17T09:00:00+08:00",
        "resident",
        "sms",
        "book",
        "booking",
        str(booking.id),
        None,
    )
    assert json.loads(row[7]) == {
        "resident_id": person.id,
        "slot_id": slot.id,
        "dose": 1,
        "status": "active",
    }


def test_full_slot_is_unavailable(store: Store, now: datetime) -> None:
    first = add_person(store, now)
    second = add_person(store, now, "440106199001011235", "李四")
    slot = add_slot(store, capacity=1)
    book(store, first, slot, now)
    before = snapshot(store)

    with pytest.raises(SlotUnavailable):
        book(store, second, slot, now)

    assert booked(store, slot) == 1
    assert snapshot(store) == before
    assert store.active_bookings(second.id) == []


def test_zero_capacity_slot_is_unavailable(store: Store, now: datetime) -> None:
    person = add_person(store, now)
    slot = add_slot(store, capacity=0)
    before = snapshot(store)
    with pytest.raises(SlotUnavailable):
        book(store, person, slot, now)
    assert snapshot(store) == before


def test_unknown_slot_is_unavailable(store: Store, now: datetime) -> None:
    person = add_person(store, now)
    before = snapshot(store)
    with pytest.raises(SlotUnavailable):
        book(store, person, 999_999, now)
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("released_at", "bookable"),
    [
        pytest.param("2021-06-24T08:00:00+08:00", False, id="released-next-week"),
        pytest.param("2021-06-17T09:00:01+08:00", False, id="released-in-one-second"),
        pytest.param("2021-06-17T09:00:00+08:00", True, id="released-right-now"),
        pytest.param("2021-06-10T08:00:00+08:00", True, id="released-last-week"),
        pytest.param(None, False, id="never-released"),
    ],
)
def test_release_time(store: Store, now: datetime, released_at: str | None, bookable: bool) -> None:
    person = add_person(store, now)
    sid = site_id(store, "Tianhe Sports Centre")
    slot = add_slot(store, released_at=released_at)
    offered = [s.id for s in store.open_slots(sid, TOMORROW, now)]
    assert (slot in offered) is bookable
    if bookable:
        book(store, person, slot, now)
        assert booked(store, slot) == 1
    else:
        before = snapshot(store)
        with pytest.raises(SlotUnavailable):
            book(store, person, slot, now)
        assert snapshot(store) == before


@pytest.mark.parametrize(
    ("day", "start", "bookable"),
    [
        pytest.param(TODAY, "08:00", False, id="today-started-an-hour-ago"),
        pytest.param(TODAY, "09:00", False, id="today-starts-now"),
        pytest.param(TODAY, "09:01", True, id="today-starts-in-a-minute"),
        pytest.param(TODAY, "21:00", True, id="today-tonight"),
        pytest.param(TOMORROW, "07:00", True, id="tomorrow-early"),
        pytest.param(YESTERDAY, "08:00", False, id="yesterday-morning"),
        pytest.param(YESTERDAY, "21:00", False, id="yesterday-evening"),
        pytest.param(date(2021, 6, 1), "23:00", False, id="two-weeks-ago-late"),
    ],
)
def test_a_slot_whose_period_has_started_is_not_offered_nor_bookable(
    store: Store, now: datetime, day: date, start: str, bookable: bool
) -> None:
    person = add_person(store, now)
    sid = site_id(store, "Luogang Community Health Centre")
    slot = add_slot(
        store, day=day, start=start, end="23:59", site="Luogang Community Health Centre"
    )
    assert (slot in [s.id for s in store.open_slots(sid, day, now)]) is bookable
    days = dict(store.open_days(sid, day, day, now))
    places = days.get(day, 0)
    seeded = sum(s.remaining for s in store.open_slots(sid, day, now) if s.id != slot)
    assert places == seeded + (1 if bookable else 0)
    if bookable:
        book(store, person, slot, now)
        assert booked(store, slot) == 1
    else:
        before = snapshot(store)
        with pytest.raises(SlotUnavailable):
            book(store, person, slot, now)
        assert snapshot(store) == before


def test_seeded_morning_slot_today_is_gone_at_nine(store: Store, now: datetime) -> None:
    sid = site_id(store, "Tianhe Sports Centre")
    starts = [s.start for s in store.open_slots(sid, TODAY, now)]
    assert starts == ["10:00", "14:00", "16:00", "18:30"]
    assert [s.start for s in store.open_slots(sid, TOMORROW, now)] == [
        "08:00",
        "10:00",
        "14:00",
        "16:00",
        "18:30",
    ]
    eight = tables.slot_id(store, sid, TODAY, "08:00")
    person = add_person(store, now)
    with pytest.raises(SlotUnavailable):
        book(store, person, eight, now)
    assert booked(store, eight) == 0


def test_second_active_booking_for_the_same_dose(store: Store, now: datetime) -> None:
    person = add_person(store, now)
    sid = site_id(store, "Tianhe Sports Centre")
    first, second = store.open_slots(sid, TOMORROW, now)[:2]
    book(store, person, first.id, now)
    before = snapshot(store)

    with pytest.raises(AlreadyBooked):
        book(store, person, second.id, now)

    assert snapshot(store) == before
    assert booked(store, second.id) == 0
    assert [b.slot.id for b in store.active_bookings(person.id)] == [first.id]


def test_another_dose_or_another_person_may_book(store: Store, now: datetime) -> None:
    person = add_person(store, now)
    other = add_person(store, now, "440106199001011235", "李四")
    sid = site_id(store, "Tianhe Sports Centre")
    slot = store.open_slots(sid, TOMORROW, now)[0]
    book(store, person, slot.id, now, dose=1)
    book(store, person, slot.id, now, dose=2)
    book(store, other, slot.id, now, dose=1)
    assert booked(store, slot.id) == 3
    assert count(store, "bookings", status="active") == 3


def test_booking_codes_are_unique_after_a_collision(store: Store, now: datetime) -> None:
    person = add_person(store, now)
    other = add_person(store, now, "440106199001011235", "李四")
    store.new_code = scripted_codes("BSAME001", "BSAME001", "BSAME002")
    slot = store.open_slots(site_id(store, "Tianhe Sports Centre"), TOMORROW, now)[0]
    assert book(store, person, slot.id, now).code == "BSAME001"
    assert book(store, other, slot.id, now).code == "BSAME002"
    assert booked(store, slot.id) == 2


def test_codes_use_every_unambiguous_symbol_and_nothing_else() -> None:
    """Codes are read aloud on the hotline: no 0/O or 1/I/L, and each symbol equally likely
    (so codes are as hard to guess as their length allows)."""
    codes = [new_code("B") for _ in range(3000)]
    assert all(len(code) == 8 and code[0] == "B" for code in codes)
    seen = Counter("".join(code[1:] for code in codes))
    assert set(seen) == set(CODE_ALPHABET) and not set(seen) & set("01OIL")
    expected = 3000 * 7 / len(CODE_ALPHABET)  # about 677 each
    assert all(abs(n - expected) < expected * 0.25 for n in seen.values()), seen
