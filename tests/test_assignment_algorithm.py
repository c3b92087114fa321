"""Pre-registration with automatic assignment (DESIGN.md §1, seed 001): the pure algorithm
(``flows.assignment``) on hand-made candidates and places, checked rule by rule (priority, where,
constraints) and against a naive reference on random inputs, and queue rows made candidates.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest

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
from tests.assignment_support import (
    ADULT,
    D1,
    D2,
    D3,
    widened,
)
from tests.conftest import TODAY


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
