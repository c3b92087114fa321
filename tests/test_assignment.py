"""Pre-registration with automatic assignment (DESIGN.md §1, seed 001): ``vaxbot assign``.

Two halves: the pure algorithm (``flows.assignment``) on hand-made candidates and places, checked
rule by rule and against a naive reference on random inputs; and the batch (``bot.assign``) on
the seeded demo database (2021-06-17 09:00 Asia/Shanghai): offers, held places, queue states,
outbox SMS, expiry, accept and decline through the store, and the CLI.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.assign import OfferTexts, run_assign
from bot.cli import main
from bot.clock import parse_moment
from bot.demo import SITES
from flows.assignment import (
    Candidate,
    Place,
    assign,
    candidates_from_rows,
    in_priority_order,
    part_of,
    priority,
)
from flows.eligibility import birthday
from flows.policy import Policy
from store import (
    AlreadyBooked,
    Dose,
    Offer,
    OfferClosed,
    Resident,
    Site,
    Slot,
    SlotUnavailable,
    Store,
    StoreError,
)
from tests.conftest import NOW, TODAY
from tests.fakes import tables

D1 = TODAY + timedelta(days=1)  # Friday 18 June
D2 = TODAY + timedelta(days=2)
D3 = TODAY + timedelta(days=3)
BACKENDS = ("sqlite", "postgresql")
ADULT = date(1990, 1, 1)


def widened(policy: Policy, **assignment: Any) -> Policy:
    return policy.model_copy(update={"assignment": policy.assignment.model_copy(update=assignment)})


def person(
    queue_id: int,
    *,
    district: str = "tianhe",
    period: str | None = None,
    products: tuple[str, ...] | None = None,
    earliest: date | None = None,
    born: date = ADULT,
    previous: date | None = None,
    queued: str = "2021-06-10T10:00:00+08:00",
    resident: int | None = None,
    dose: int | None = None,
) -> Candidate:
    return Candidate(
        queue_id, resident or queue_id, dose or (2 if previous else 1), district, period,
        products, earliest, born, previous, queued,
    )  # fmt: skip


def place(
    slot_id: int,
    *,
    district: str = "tianhe",
    product: str = "coronavac",
    day: date = D1,
    start: str = "08:00",
    remaining: int = 1,
) -> Place:
    return Place(slot_id, district, product, day, start, remaining)


def given(offers: list[tuple[int, int]]) -> dict[int, int]:
    return dict(offers)


# -- the algorithm: priority --------------------------------------------------------------------


def test_longest_since_the_previous_dose_first_then_queued_time_then_dose_one(
    policy: Policy,
) -> None:
    people = [
        person(1, queued="2021-06-01T08:00:00+08:00"),  # dose 1, queued first: still last
        person(2, previous=date(2021, 5, 10), queued="2021-06-12T08:00:00+08:00"),
        person(3, previous=date(2021, 5, 1), queued="2021-06-15T08:00:00+08:00"),
        person(4, previous=date(2021, 5, 10), queued="2021-06-11T08:00:00+08:00"),
    ]
    places = [place(10 + i, start=f"{8 + i:02d}:00") for i in range(4)]
    # earliest place to the first in priority: 3 (dose 1 on 1 May), 4 and 2 (10 May; 4 queued
    # earlier), then 1 (no dose yet)
    assert assign(people, places, policy, TODAY) == [(3, 10), (4, 11), (2, 12), (1, 13)]


def test_few_places_go_to_those_waiting_longest_since_dose_one(policy: Policy) -> None:
    people = [person(i, previous=date(2021, 5, 1) + timedelta(days=i)) for i in range(1, 9)]
    offers = assign(list(reversed(people)), [place(1, remaining=3)], policy, TODAY)
    assert sorted(queue_id for queue_id, _ in offers) == [1, 2, 3]


def test_priority_key_and_order_check() -> None:
    first = person(1, previous=date(2021, 5, 1))
    later = person(2, previous=date(2021, 5, 2))
    none = person(3)
    assert priority(first) < priority(later) < priority(none)
    assert in_priority_order([first, later, none])
    assert not in_priority_order([none, first])
    assert in_priority_order([])


# -- the algorithm: where --------------------------------------------------------------------


def test_district_and_period_first_then_district_then_nothing_elsewhere(policy: Policy) -> None:
    places = [
        place(1, district="baiyun", day=TODAY, start="08:00"),  # earliest, other district
        place(2, start="09:00"),  # own district, morning
        place(3, start="14:00"),  # own district, afternoon
    ]
    assert assign([person(1, period="afternoon")], places, policy, TODAY) == [(1, 3)]
    assert assign([person(1, period="evening")], places, policy, TODAY) == [(1, 2)]
    assert assign([person(1)], places, policy, TODAY) == [(1, 2)]
    only_elsewhere = [places[0]]
    assert assign([person(1)], only_elsewhere, policy, TODAY) == []
    wide = widened(policy, other_districts=True)
    assert assign([person(1)], only_elsewhere, wide, TODAY) == [(1, 1)]


def test_other_districts_only_when_the_own_district_is_full(policy: Policy) -> None:
    wide = widened(policy, other_districts=True)
    places = [place(1, district="baiyun", day=TODAY), place(2, day=D3)]
    assert assign([person(1), person(2)], places, wide, TODAY) == [(1, 2), (2, 1)]


def test_earliest_day_and_time_first_within_a_level(policy: Policy) -> None:
    places = [
        place(1, day=D2, start="08:00"),
        place(2, day=D1, start="16:00"),
        place(3, day=D1, start="10:00"),
        place(4, day=D1, start="10:00", product="bbibp"),
    ]
    assert assign([person(1)], places, policy, TODAY) == [(1, 3)]  # 10:00, lowest slot id


def test_periods_are_the_parts_of_the_day() -> None:
    assert [part_of(start) for start in ("08:00", "11:59", "12:00", "17:30", "18:30")] == [
        "morning", "morning", "afternoon", "afternoon", "evening",
    ]  # fmt: skip


# -- the algorithm: constraints ---------------------------------------------------------------


def test_later_doses_only_get_their_manufacturer(policy: Policy) -> None:
    places = [place(1, product="bbibp"), place(2, product="coronavac", start="10:00")]
    sinovac = person(1, previous=date(2021, 5, 1), products=("coronavac",))
    assert assign([sinovac], places, policy, TODAY) == [(1, 2)]
    assert assign([sinovac], places[:1], policy, TODAY) == []


def test_not_before_the_earliest_day_nor_today(policy: Policy) -> None:
    places = [place(1, day=TODAY - timedelta(days=1)), place(2, day=D1), place(3, day=D3)]
    assert assign([person(1, earliest=D2)], places, policy, TODAY) == [(1, 3)]
    assert assign([person(1, earliest=D3 + timedelta(days=1))], places, policy, TODAY) == []
    assert assign([person(1)], places, policy, TODAY) == [(1, 2)]  # not yesterday's


def test_at_least_the_minimum_age_on_the_day(policy: Policy) -> None:
    turns_18 = date(2003, 6, 20)  # 18 on Sunday 20 June 2021
    assert birthday(turns_18, policy.ages.minimum) == D3
    places = [place(1, day=D1), place(2, day=D2), place(3, day=D3)]
    assert assign([person(1, born=turns_18)], places, policy, TODAY) == [(1, 3)]
    assert assign([person(1, born=date(2003, 6, 25))], places, policy, TODAY) == []


def test_one_place_per_person_even_with_two_queue_rows(policy: Policy) -> None:
    people = [person(1, resident=7), person(2, resident=7)]
    assert assign(people, [place(1, remaining=5)], policy, TODAY) == [(1, 1)]


def test_remaining_is_never_exceeded(policy: Policy) -> None:
    people = [person(i, period="morning") for i in range(1, 201)]
    places = [place(1, remaining=3), place(2, remaining=0), place(3, remaining=2, day=D2)]
    taken = Counter(slot for _, slot in assign(people, places, policy, TODAY))
    assert taken == {1: 3, 3: 2}


def test_progress_adds_up_to_the_number_of_people(policy: Policy) -> None:
    steps: list[int] = []
    people = [person(i) for i in range(1, 10_001)]
    assign(people, [place(1, remaining=10)], policy, TODAY, steps.append)
    assert sum(steps) == 10_000


# -- the algorithm against a naive reference ----------------------------------------------------


def naive(
    people: list[Candidate], places: list[Place], policy: Policy, today: date
) -> list[tuple[int, int]]:
    """The rules read literally: every person scans every place, level by level."""
    left = {p.slot_id: p.remaining for p in places}
    spots = sorted(places, key=lambda p: (p.day, p.start, p.slot_id))
    offers: list[tuple[int, int]] = []
    seen: set[int] = set()
    for c in sorted(people, key=priority):
        if c.resident_id in seen:
            continue
        lowest = max(today, c.earliest or today, birthday(c.birth_date, policy.ages.minimum))
        levels = ["district and period"] if c.period else []
        levels.append("district")
        if policy.assignment.other_districts:
            levels.append("anywhere")

        def fits(p: Place, level: str, c: Candidate = c, lowest: date = lowest) -> bool:
            if left[p.slot_id] <= 0 or p.day < lowest:
                return False
            if c.products is not None and p.product_id not in c.products:
                return False
            if level == "anywhere":
                return True
            home = p.district_id == c.district_id
            return home and (level == "district" or part_of(p.start) == c.period)

        for level in levels:
            found = next((p for p in spots if fits(p, level)), None)
            if found:
                left[found.slot_id] -= 1
                offers.append((c.queue_id, found.slot_id))
                seen.add(c.resident_id)
                break
    return offers


@pytest.mark.parametrize("seed", range(12))
def test_same_offers_as_the_naive_reading_of_the_rules(policy: Policy, seed: int) -> None:
    rng = random.Random(seed)
    districts = ["tianhe", "baiyun", "haizhu"]
    products = ["coronavac", "bbibp", "zf2001"]
    starts = ["08:00", "10:00", "14:00", "16:00", "18:30"]
    days = [TODAY + timedelta(days=n) for n in range(-1, 6)]
    places = [
        place(i, district=rng.choice(districts), product=rng.choice(products),
              day=rng.choice(days), start=rng.choice(starts), remaining=rng.randint(0, 3))
        for i in range(1, rng.randint(2, 40))
    ]  # fmt: skip
    people = []
    for i in range(1, rng.randint(2, 150)):
        previous = rng.choice([None, date(2021, 5, 1) + timedelta(days=rng.randint(0, 40))])
        people.append(
            person(
                i, district=rng.choice(districts),
                period=rng.choice([None, "morning", "afternoon", "evening"]),
                products=(rng.choice(products),) if previous else None,
                earliest=previous + timedelta(days=21) if previous else None,
                born=rng.choice([ADULT, date(2003, 6, 19), date(2003, 6, 22), date(2010, 1, 1)]),
                previous=previous,
                queued=f"2021-06-{rng.randint(1, 16):02d}T08:00:00+08:00",
                resident=rng.randint(1, 120),
            )
        )  # fmt: skip
    rng.shuffle(people)
    for rules in (policy, widened(policy, other_districts=True)):
        offers = assign(people, places, rules, TODAY)
        assert offers == naive(people, places, rules, TODAY)
        taken = Counter(slot for _, slot in offers)
        assert all(taken[p.slot_id] <= max(p.remaining, 0) for p in places)


# -- queue rows to candidates --------------------------------------------------------------------


def test_candidates_follow_the_dose_schedule(policy: Policy) -> None:
    rows = [
        (1, 11, 1, "tianhe", None, "2021-06-10T08:00:00+08:00", "1990-01-01", None, None),
        (2, 12, 2, "tianhe", "morning", "2021-06-10T08:00:00+08:00", "1990-01-01", "bbibp",
         "2021-05-20"),
        (3, 13, 3, "haizhu", None, "2021-06-10T08:00:00+08:00", "1990-01-01", "zf2001",
         "2021-05-20"),
        (4, 14, 3, "tianhe", None, "2021-06-10T08:00:00+08:00", "1990-01-01", "bbibp",
         "2021-05-20"),  # bbibp has two doses: nothing to offer
        (5, 15, 2, "tianhe", None, "2021-06-10T08:00:00+08:00", "1990-01-01", None, None),
    ]  # fmt: skip
    skipped: list[int] = []
    found = list(candidates_from_rows(rows, policy, skipped))
    assert skipped == [4, 5]
    first, second, third = found
    assert (first.products, first.earliest, first.previous_day) == (None, None, None)
    assert second.products == ("bbibp",) and second.period == "morning"
    assert second.earliest == date(2021, 6, 10)  # 21 days after 20 May
    assert third.products == ("zf2001",) and third.earliest == date(2021, 6, 17)  # 28 days
    assert first.birth_date == date(1990, 1, 1)


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


def test_a_run_offers_places_holds_them_and_texts_each_person(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    slot = only_slot(store, capacity=2)
    early = queue.add(dose1=(date(2021, 5, 1), "coronavac"))
    late = queue.add(dose1=(date(2021, 5, 20), "coronavac"))
    newcomer = queue.add()
    result = run_assign(store, policy, now)
    assert (result.offered, result.waiting, result.expired) == (2, 1, 0)
    assert result.line() == "offered 2 places to 2 people; 1 still waiting; 0 offers expired"
    for resident in (early, late):
        offer = offer_of(store, resident)
        assert offer is not None and offer[1:] == (slot, "open", "2021-06-17T21:00:00+08:00")
    assert offer_of(store, newcomer) is None
    assert booked_of(store, slot) == (2, 2)
    statuses = sorted((row["resident_id"], row["status"]) for row in store.queue_rows())
    assert statuses == [(early.id, "offered"), (late.id, "offered"), (newcomer.id, "waiting")]
    sms = [row for row in outbox(store, "address", "text", "idempotency_key", "kind", "due_at")
           if row[2].startswith("offer:")]  # fmt: skip
    offer = offer_of(store, early)
    assert offer is not None
    assert sms[0] == (
        early.phone,
        f"{early.name}的接种名额：6月19日 周六 07:00-09:00 天河体育中心接种点。"
        "回复1接受，回复2放弃，6月17日 21:00前有效。",
        f"offer:{offer[0]}", "notice", "2021-06-17T09:00:00+08:00",
    )  # fmt: skip
    assert [address for address, *_ in sms] == [early.phone, late.phone]


def test_the_offer_is_in_english_for_someone_who_texts_in_english(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    only_slot(store, capacity=1)
    resident = queue.add()
    store.save_state("sms", resident.phone, {"lang": "en"}, now)
    run_assign(store, policy, now)
    (text,) = [r["text"] for r in store.outbox_rows() if r["address"] == resident.phone]
    assert text == (
        f"A place for {resident.name}: Sat 19 Jun 07:00-09:00, Tianhe Sports Centre. "
        "Reply 1 to accept, 2 to decline, by 17 Jun 21:00."
    )


def test_the_chinese_offer_fits_one_sms_segment_at_every_demo_site(now: datetime) -> None:
    texts = OfferTexts(now + timedelta(hours=12))
    for i, demo in enumerate(SITES):
        site = Site(i, demo.district, demo.name_zh, demo.name_en, "", "", "", False, False, False)
        slot = Slot(i, i, demo.product, D3, "18:30", "20:30", 20, 0)
        sms = texts(Offer(1, 1, 1, 2, "open", "", slot, site), "欧阳建国", None)
        assert len(sms) <= 70, sms  # one segment of a Chinese SMS (4-character name)


def test_a_relative_is_texted_and_so_is_the_phone_that_manages_them(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    only_slot(store, capacity=1)
    family = "+8613800138000"
    store.save_state("sms", family, {"lang": "en"}, now)
    grandma = queue.add(managed_by=family)
    run_assign(store, policy, now)
    offer = offer_of(store, grandma)
    assert offer is not None
    sent = [(address, key, text[:12]) for address, key, text in outbox(
        store, "address", "idempotency_key", "text")]  # fmt: skip
    assert sent == [
        (grandma.phone, f"offer:{offer[0]}", f"{grandma.name}的接种名额：6月1"),
        (family, f"offer:{offer[0]}:account", "A place for "),
    ]
    # the managing phone's account is the one a "1" from it is matched to
    account = store.account_for("sms", family, family, now)
    assert [o.id for o in store.open_offers(account, now)] == [offer[0]]


def test_in_the_quiet_hours_the_sms_waits_and_the_offer_lasts_from_then(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    slot = only_slot(store, capacity=1, day=D3, start="07:00")
    resident = queue.add()
    result = run_assign(store, policy, at(policy, "2021-06-17T22:30"))
    assert result.sent_at == at(policy, "2021-06-18T08:00")
    assert result.expires_at == at(policy, "2021-06-18T20:00")
    offer = offer_of(store, resident)
    assert offer is not None and offer[1:] == (slot, "open", "2021-06-18T20:00:00+08:00")
    assert outbox(store, "due_at", "created_at") == [
        ("2021-06-18T08:00:00+08:00", "2021-06-17T22:30:00+08:00")
    ]


def test_a_second_run_offers_nothing_new(store: Store, policy: Policy, now: datetime) -> None:
    queue = Queue(store, now)
    only_slot(store, capacity=1)
    queue.add()
    queue.add()
    first = run_assign(store, policy, now)
    second = run_assign(store, policy, now + timedelta(minutes=5))
    assert (first.offered, second.offered, second.waiting) == (1, 0, 1)
    assert len(store.outbox_rows()) == 1


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


def test_many_people_few_places_never_overbooks(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    slot = only_slot(store, capacity=3)
    people = [queue.add(period=random.Random(i).choice([None, "morning", "evening"]))
              for i in range(25)]  # fmt: skip
    result = run_assign(store, policy, now)
    assert (result.offered, result.waiting) == (3, 22)
    assert booked_of(store, slot) == (3, 3)
    offered = {r["resident_id"] for r in store.offer_rows()}
    assert offered == {p.id for p in people[:3]}  # same day: queued first


def test_who_is_left_out(store: Store, policy: Policy, now: datetime) -> None:
    queue = Queue(store, now)
    only_slot(store, capacity=10)
    barred = queue.add()
    tables.update(store, "residents", {"id": barred.id}, barred=1)
    opted_out = queue.add()
    store.set_opt_out("sms", opted_out.phone, True, now)
    too_young = queue.add(born=date(2005, 1, 1))
    too_soon = queue.add(dose1=(date(2021, 6, 10), "coronavac"))  # dose 2 from 1 July
    other_maker = queue.add(dose1=(date(2021, 5, 1), "bbibp"))  # the slot is coronavac
    fine = queue.add()
    result = run_assign(store, policy, now)
    assert result.offered == 1 and result.candidates == 4
    assert offer_of(store, fine) is not None
    for resident in (barred, opted_out, too_young, too_soon, other_maker):
        assert offer_of(store, resident) is None


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


def test_a_place_starting_before_the_offer_expires_is_not_offered(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    only_slot(store, capacity=5, day=TODAY, start="19:00")  # tonight; the offer lasts to 21:00
    queue.add()
    assert run_assign(store, policy, now).offered == 0
    assert run_assign(store, widened(policy, offer_hours=9), now).offered == 1  # until 18:00


def test_create_offers_is_all_or_nothing(store: Store, policy: Policy, now: datetime) -> None:
    queue = Queue(store, now)
    slot = only_slot(store, capacity=1)
    a, b = queue.add(), queue.add()
    ids = {r["resident_id"]: r["id"] for r in store.queue_rows()}

    def text(*_: object) -> str:
        return "offer"

    later = now + timedelta(hours=12)
    with pytest.raises(SlotUnavailable):
        store.create_offers([(ids[a.id], slot), (ids[b.id], slot)], now, later, text)
    with pytest.raises(StoreError):
        store.create_offers([(ids[a.id], slot), (ids[a.id], slot)], now, later, text)
    assert store.offer_rows() == []
    assert booked(store, slot) == 0
    assert store.outbox_rows() == []
    assert store.create_offers([(ids[a.id], slot)], now, later, text) == 1
    with pytest.raises(StoreError):  # no longer waiting
        store.create_offers([(ids[a.id], slot)], now, later, text)
    assert store.create_offers([], now, later, text) == 0


def test_cli_assign(
    store: Store, db_url: str, now: datetime, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:  # fmt: skip
    queue = Queue(store, now)
    only_slot(store, capacity=1)
    queue.add()
    queue.add()
    monkeypatch.setenv("VAXBOT_NOW", NOW)
    assert main(["assign", "--db", db_url, "--quiet"]) == 0
    assert main(["assign", "--db", db_url]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "offered 1 places to 1 people; 1 still waiting; 0 offers expired",
        "offered 0 places to 0 people; 1 still waiting; 0 offers expired",
    ]
    assert err == ""  # no progress bar when stderr is not a terminal
    assert main(["assign", "--db", str(tmp_path / "missing.db")]) == 2
    assert "no database" in capsys.readouterr().err
