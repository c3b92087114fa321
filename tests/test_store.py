"""Spec for store.Store on a real SQLite file: migrations, WAL, atomic booking, savepoints,
residents, accounts, availability counts, conversation state and inbound de-duplication.

The ``store`` fixture is the demo seeded for 2021-06-17..23, frozen at 09:00 Asia/Shanghai.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import parse_moment
from flows.identity import check_character
from flows.policy import Policy
from store import (
    AlreadyBooked,
    DuplicateDocument,
    Resident,
    Slot,
    SlotUnavailable,
    Store,
    UniqueViolation,
)
from store.migrations import MIGRATIONS, applied, migrate
from store.store import CODE_ALPHABET, new_code
from tests.conftest import TODAY, open_seeded
from tests.fakes import tables
from tests.fakes.tables import count, site_id

BACKENDS = ("sqlite", "postgresql")
TOMORROW = TODAY + timedelta(days=1)
YESTERDAY = TODAY - timedelta(days=1)
RELEASED = "2021-06-17T00:00:00+08:00"
PHONE = "+8613800138000"


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


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


def snapshot(store: Store) -> dict[str, Any]:
    """Everything a failed booking must leave as it was."""
    return {
        "booked": tables.values(store, "slots", "id", "booked"),
        **tables.snapshot(store, "bookings", "audit"),
    }


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


# -- residents and accounts --------------------------------------------------------------------


def test_add_resident(store: Store, now: datetime) -> None:
    audit_before = count(store, "audit")
    person = add_person(store, now)
    assert person == store.resident(person.id)
    assert person == store.resident_by_document("resident_id", "11010519491231002X")
    assert (person.name, person.birth_date, person.sex, person.phone) == (
        "张三",
        date(1949, 12, 31),
        "F",
        PHONE,
    )
    assert (person.noshows, person.barred) == (0, False)
    assert person.prereg_code.startswith("R")
    assert count(store, "audit", action="register", entity="resident") == 1
    assert count(store, "audit") == audit_before + 1


def test_duplicate_document(store: Store, now: datetime) -> None:
    first = add_person(store, now)
    residents, audit = count(store, "residents"), count(store, "audit")

    with pytest.raises(DuplicateDocument) as caught:
        add_person(store, now, name="王五")

    assert caught.value.existing == first
    assert count(store, "residents") == residents
    assert count(store, "audit") == audit


def test_same_number_with_another_document_type_is_not_a_duplicate(
    store: Store, now: datetime
) -> None:
    first = add_person(store, now)
    passport = store.add_resident(
        account_id=first.account_id,
        name="Zhang San",
        id_type="passport",
        id_number=first.id_number,
        birth_date=first.birth_date,
        sex=None,
        phone=PHONE,
        district_id="tianhe",
        now=now,
        actor="resident",
        channel="sms",
    )
    assert passport.id != first.id
    assert store.residents_of(first.account_id) == [first, passport]


def test_prereg_code_collision_draws_again(store: Store, now: datetime) -> None:
    store.new_code = scripted_codes("RSAME001", "RSAME001", "RSAME001", "RSAME002")
    first = add_person(store, now)
    second = add_person(store, now, "440106199001011235", "李四")
    assert (first.prereg_code, second.prereg_code) == ("RSAME001", "RSAME002")


def test_same_phone_from_two_channels_is_one_account(store: Store, now: datetime) -> None:
    sms = store.account_for("sms", PHONE, PHONE, now)
    telegram = store.account_for("telegram", "5551234", PHONE, now)
    voice = store.account_for("voice", "13800138000", PHONE, now)
    assert sms == telegram == voice
    assert count(store, "accounts") == 1
    assert count(store, "addresses") == 3


def test_same_address_again_is_the_same_account(store: Store, now: datetime) -> None:
    first = store.account_for("sms", PHONE, PHONE, now)
    assert store.account_for("sms", PHONE, PHONE, now) == first
    assert store.account_for("sms", PHONE, None, now) == first
    assert count(store, "accounts") == 1
    assert count(store, "addresses") == 1


def test_different_phones_or_no_phone_are_different_accounts(store: Store, now: datetime) -> None:
    a = store.account_for("sms", PHONE, PHONE, now)
    b = store.account_for("sms", "+8613900139000", "+8613900139000", now)
    c = store.account_for("telegram", "111", None, now)
    d = store.account_for("telegram", "222", None, now)
    assert len({a, b, c, d}) == 4


def test_account_phone_is_stored(store: Store, now: datetime) -> None:
    account = store.account_for("telegram", "5551234", PHONE, now)
    assert store.account_phone(account) == PHONE
    assert store.account_created_at(account) == "2021-06-17T09:00:00+08:00"


# -- availability ------------------------------------------------------------------------------

# Demo periods: 08-10 (40), 10-12 (40), 14-16 (30), 16-18 (30) and, for evening sites, 18:30-20:30
# (20). At 09:00 on the first day the 08:00 period has started.
EVENING_DAY, PLAIN_DAY = 160, 140
EVENING_FIRST, PLAIN_FIRST = 120, 100


def test_sites_with_places_in_tianhe(store: Store, now: datetime) -> None:
    found = store.sites_with_places("tianhe", TODAY, TODAY + timedelta(days=6), now)
    assert [(site.name_en, left) for site, left in found] == [
        ("Tianhe Sports Centre", EVENING_FIRST + 6 * EVENING_DAY),
        ("Shipai Community Health Centre", PLAIN_FIRST + 6 * PLAIN_DAY),
    ]


def test_open_days_at_an_evening_site(store: Store, now: datetime) -> None:
    sid = site_id(store, "Tianhe Sports Centre")
    assert store.open_days(sid, TODAY, TODAY + timedelta(days=30), now) == [
        (TODAY, EVENING_FIRST),
        *((TODAY + timedelta(days=n), EVENING_DAY) for n in range(1, 7)),
    ]


def test_counts_are_capacity_minus_booked(store: Store, now: datetime) -> None:
    person = add_person(store, now)
    other = add_person(store, now, "440106199001011235", "李四")
    sid = site_id(store, "Shipai Community Health Centre")
    slot = store.open_slots(sid, TOMORROW, now)[0]
    book(store, person, slot.id, now)
    book(store, other, slot.id, now)

    days = dict(store.open_days(sid, TODAY, TODAY + timedelta(days=6), now))
    assert days[TOMORROW] == PLAIN_DAY - 2
    assert days[TODAY] == PLAIN_FIRST
    sites = dict(
        (site.id, left)
        for site, left in store.sites_with_places("tianhe", TODAY, TODAY + timedelta(days=6), now)
    )
    assert sites[sid] == PLAIN_FIRST + 6 * PLAIN_DAY - 2
    assert sites[sid] == sum(days.values())

    remaining = sum(slot.remaining for slot in store.slots(site_id=sid, day=TOMORROW))
    assert days[TOMORROW] == remaining
    assert store.open_slots(sid, TOMORROW, now)[0].remaining == slot.capacity - 2


def test_a_full_day_is_not_listed_and_a_site_without_places_counts_zero(
    store: Store, now: datetime
) -> None:
    sid = site_id(store, "Shipai Community Health Centre")
    tables.fill_slots(store, site_id=sid)
    assert store.open_days(sid, TODAY, TODAY + timedelta(days=6), now) == []
    assert store.open_slots(sid, TOMORROW, now) == []
    sites = {
        site.name_en: left
        for site, left in store.sites_with_places("tianhe", TODAY, TODAY + timedelta(days=6), now)
    }
    assert sites == {
        "Tianhe Sports Centre": EVENING_FIRST + 6 * EVENING_DAY,
        "Shipai Community Health Centre": 0,
    }


def test_unreleased_places_are_not_counted(store: Store, now: datetime, policy: Policy) -> None:
    sid = site_id(store, "Shipai Community Health Centre")
    add_slot(
        store,
        site="Shipai Community Health Centre",
        capacity=50,
        released_at="2021-06-17T20:00:00+08:00",
    )
    assert dict(store.open_days(sid, TOMORROW, TOMORROW, now)) == {TOMORROW: PLAIN_DAY}
    later = parse_moment("2021-06-17T20:00:00", policy.zone)
    assert dict(store.open_days(sid, TOMORROW, TOMORROW, later)) == {TOMORROW: PLAIN_DAY + 50}


def test_open_slots_are_in_time_order(store: Store, now: datetime) -> None:
    sid = site_id(store, "Shipai Community Health Centre")
    add_slot(store, site="Shipai Community Health Centre", start="07:00", end="08:00")
    slots = store.open_slots(sid, TOMORROW, now)
    assert [s.start for s in slots] == ["07:00", "08:00", "10:00", "14:00", "16:00"]
    assert all(isinstance(s, Slot) and s.day == TOMORROW for s in slots)


def test_sites_with_places_is_limited_to_the_dates(store: Store, now: datetime) -> None:
    found = store.sites_with_places("baiyun", TOMORROW, TOMORROW, now)
    assert [left for _, left in found] == [PLAIN_DAY, PLAIN_DAY]
    assert store.sites_with_places("nowhere", TODAY, TOMORROW, now) == []


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


def test_codes_use_every_unambiguous_symbol_and_nothing_else() -> None:
    """Codes are read aloud on the hotline: no 0/O or 1/I/L, and each symbol equally likely
    (so codes are as hard to guess as their length allows)."""
    codes = [new_code("B") for _ in range(3000)]
    assert all(len(code) == 8 and code[0] == "B" for code in codes)
    seen = Counter("".join(code[1:] for code in codes))
    assert set(seen) == set(CODE_ALPHABET) and not set(seen) & set("01OIL")
    expected = 3000 * 7 / len(CODE_ALPHABET)  # about 677 each
    assert all(abs(n - expected) < expected * 0.25 for n in seen.values()), seen
