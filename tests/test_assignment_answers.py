"""Pre-registration with automatic assignment (DESIGN.md §1, seed 001): what becomes of an
offer, on SQLite and PostgreSQL: it expires unanswered and its place goes to the next person
(many at once, each slot getting back exactly its places), accepting books the held place,
booking otherwise voids it, and a declined place goes to the next person.

The ``store`` fixture is the seeded demo database (2021-06-17 09:00 Asia/Shanghai).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.assign import run_assign
from flows.policy import Policy
from store import (
    AlreadyBooked,
    OfferClosed,
    Store,
)
from tests.assignment_support import (
    D2,
    Queue,
    at,
    booked,
    offer_of,
    only_slot,
    queued,
)
from tests.fakes import tables

BACKENDS = ("sqlite", "postgresql")


def test_an_unanswered_offer_expires_and_its_place_goes_to_the_next_person(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    slot = only_slot(store, capacity=1, day=D2)
    first = queue.add(dose1=(date(2021, 5, 1), "coronavac"))
    second = queue.add(dose1=(date(2021, 5, 5), "coronavac"))
    assert run_assign(store, policy, now).offered == 1
    offer = offer_of(store, first)
    assert offer is not None and offer[3] == "2021-06-17T21:00:00+08:00"

    still_open = run_assign(store, policy, at(policy, "2021-06-17T20:59"))
    assert (still_open.expired, still_open.offered) == (0, 0)

    later = run_assign(store, policy, at(policy, "2021-06-17T21:00"))
    assert (later.expired, later.offered, later.waiting) == (1, 1, 0)
    assert offer_of(store, first)[2] == "expired"  # type: ignore[index]
    assert queued(store, first.id) == ["expired"]
    given_next = offer_of(store, second)
    assert given_next is not None and given_next[1:3] == (slot, "open")
    assert given_next[3] == "2021-06-18T20:00:00+08:00"  # texted at 08:00, after the quiet hours
    assert booked(store, slot) == 1


def test_accepting_an_offer_books_the_held_place(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    slot = only_slot(store, capacity=1)
    resident = queue.add()
    run_assign(store, policy, now)
    offer = offer_of(store, resident)
    assert offer is not None
    booking = store.accept_offer(offer[0], now=now + timedelta(hours=1), actor="self:sms",
                                 channel="sms")  # fmt: skip
    assert (booking.slot.id, booking.status, booking.dose) == (slot, "active", 1)
    assert booked(store, slot) == 1
    assert queued(store, resident.id) == ["booked"]
    with pytest.raises(OfferClosed):
        store.decline_offer(offer[0], now=now, actor="self:sms", channel="sms")
    # a booked person is not offered anything again
    assert run_assign(store, policy, now + timedelta(hours=2)).offered == 0


def test_booking_another_place_while_offered_one_gives_the_held_place_back(
    store: Store, policy: Policy, now: datetime
) -> None:
    """The person books by themselves while their offer is open: the offer is void, its
    place goes back, and a late "1" books nothing (and holds nothing)."""
    queue = Queue(store, now)
    held = only_slot(store, capacity=1)
    resident = queue.add()
    run_assign(store, policy, now)
    offer = offer_of(store, resident)
    assert offer is not None and offer[2] == "open"
    other = only_slot(store, capacity=1, start="05:00")
    store.book(resident_id=resident.id, slot_id=other, dose=1, now=now, channel="sms",
               actor="self:sms")  # fmt: skip
    assert offer_of(store, resident)[2] == "void"  # type: ignore[index]
    assert booked(store, held) == 0
    assert queued(store, resident.id) == ["booked"]
    with pytest.raises(OfferClosed):
        store.accept_offer(offer[0], now=now, actor="self:sms", channel="sms")


def test_accepting_an_offer_after_booking_otherwise_voids_it_for_good(
    store: Store, policy: Policy, now: datetime
) -> None:
    """An offer left open beside an active booking (a booking recorded before this rule):
    accepting it is refused, and the refusal's void is kept, not rolled back with it."""
    queue = Queue(store, now)
    held = only_slot(store, capacity=1)
    resident = queue.add()
    run_assign(store, policy, now)
    offer = offer_of(store, resident)
    assert offer is not None
    other = only_slot(store, capacity=1, start="05:00")
    tables.insert(store, "bookings", resident_id=resident.id, slot_id=other, dose=1,
                  status="active", channel="sms", actor="test", code="BOLD0001",
                  created_at="2021-06-17T09:00:00+08:00",
                  updated_at="2021-06-17T09:00:00+08:00")  # fmt: skip
    with pytest.raises(AlreadyBooked):
        store.accept_offer(offer[0], now=now, actor="self:sms", channel="sms")
    assert offer_of(store, resident)[2] == "void"  # type: ignore[index]
    assert booked(store, held) == 0


def test_a_declined_place_goes_to_the_next_person_on_the_next_run(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    slot = only_slot(store, capacity=1)
    first = queue.add(dose1=(date(2021, 5, 1), "coronavac"))
    second = queue.add()
    run_assign(store, policy, now)
    offer = offer_of(store, first)
    assert offer is not None
    store.decline_offer(offer[0], now=now, actor="self:sms", channel="sms")
    assert booked(store, slot) == 0
    again = run_assign(store, policy, now + timedelta(minutes=1))
    assert (again.offered, again.waiting) == (1, 0)
    taken = offer_of(store, second)
    assert taken is not None and taken[1] == slot
    assert offer_of(store, first)[2] == "declined"  # type: ignore[index]


def test_many_offers_expiring_at_once_give_each_slot_back_exactly_its_places(
    store: Store, policy: Policy, now: datetime
) -> None:
    """Three offers on one slot and one on another expire together; each slot gets back as
    many places as its offers held, and an offer made later is untouched."""
    queue = Queue(store, now)
    slot = only_slot(store, capacity=3, day=D2)
    people = [queue.add() for _ in range(3)]
    assert run_assign(store, policy, now).offered == 3
    (like,) = tables.rows(store, "slots", id=slot)
    store.add_slots([{**like, "start": "05:00", "end": "07:00", "capacity": 1}])
    other = max(s.id for s in store.slots())
    late = queue.add()
    assert run_assign(store, policy, now + timedelta(hours=1)).offered == 1
    assert offer_of(store, late)[1] == other  # type: ignore[index]
    assert (booked(store, slot), booked(store, other)) == (3, 1)

    expired = store.expire_offers(at(policy, "2021-06-17T21:00"))  # the first three only
    assert expired == 3
    assert (booked(store, slot), booked(store, other)) == (0, 1)
    assert [offer_of(store, p)[2] for p in people] == ["expired"] * 3  # type: ignore[index]
    assert offer_of(store, late)[2] == "open"  # type: ignore[index]
    assert [queued(store, p.id) for p in people] == [["expired"]] * 3
    assert store.expire_offers(at(policy, "2021-06-17T21:00")) == 0  # nothing twice
