"""Spec for availability counts in store.Store, on SQLite and PostgreSQL: the sites with places
in a district, the open days at a site and the open slots, counted as capacity minus booked,
released places only.

The ``store`` fixture is the demo seeded for 2021-06-17..23, frozen at 09:00 Asia/Shanghai.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import parse_moment
from flows.policy import Policy
from store import (
    Slot,
    Store,
)
from tests.conftest import TODAY
from tests.fakes import tables
from tests.fakes.tables import site_id
from tests.store_support import (
    TOMORROW,
    add_person,
    add_slot,
    book,
)

BACKENDS = ("sqlite", "postgresql")

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
