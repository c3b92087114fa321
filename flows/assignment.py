"""Pre-registration with automatic assignment (DESIGN.md §1, seed 001): who gets which place.

Guangzhou replaced real-time booking by pre-registration: people queue, and a batch assigns the
released places "by the date of the first dose" and texts each person an offer. This module is
the pure part of that batch: given the people waiting and the places free, it decides, with no
I/O, who is offered which place.

Priority: the longest since the previous dose first (the earliest previous-dose day), then the
time queued (then the queue id); people with no dose yet (queued for dose 1) come after
everyone with a previous dose. Each person, in that order, gets at most ONE place, the first
that fits in this order of preference:

1. their district and their period of the day (``morning``/``afternoon``/``evening``, by the
   slot's start as in ``flows.places.PARTS``; a person without a period skips this level);
2. their district, any period;
3. only with ``policy.assignment.other_districts``: any district.

Within a level the earliest place wins (day, then start time, then slot id). A place fits when
its product is allowed (a later dose: the same manufacturer as dose 1), its day is not before
the person's earliest allowed day nor before ``today``, and the person is at least
``ages.minimum`` years old on that day. A place is never given more often than its
``remaining``.

Cost: O((N + M) log M) for N people and M places. Places are bucketed by (district, product,
period) and by (district, product) and by product alone, each bucket sorted by day; a person
looks into a few buckets (their allowed products × one level at a time) with a binary search
for their earliest day and a "next free place" union-find (path compression) that skips the
places already used up, so no person ever scans the places one by one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import NamedTuple

from flows.eligibility import birthday
from flows.places import PARTS
from flows.policy import Policy
from flows.schedule import NextDose, next_dose
from store import Dose

PROGRESS_EVERY = 4096  # people between two progress callbacks


class Candidate(NamedTuple):
    """A person waiting in the queue for a dose (one waiting queue row)."""

    queue_id: int
    resident_id: int
    dose: int
    district_id: str  # the district they asked for (their home district by default)
    period: str | None  # a key of ``PARTS`` ("morning", ...), or None: any time of day
    products: tuple[str, ...] | None  # allowed products; None: any (a first dose)
    earliest: date | None  # the first allowed day (minimum interval after the previous dose)
    birth_date: date
    previous_day: date | None  # the day of the previous dose; None: no dose yet
    queued_at: str  # ISO 8601 stamp, as stored


class Place(NamedTuple):
    """A bookable slot with places left."""

    slot_id: int
    district_id: str
    product_id: str
    day: date
    start: str  # "HH:MM"
    remaining: int


def part_of(start: str) -> str | None:
    """The period of the day (a key of ``PARTS``) a slot starting at ``start`` belongs to."""
    for name, (first, end) in PARTS.items():
        if first <= start < end:
            return name
    return None


# -- from queue rows to candidates ------------------------------------------------------------

# What ``Store.waiting_candidates`` yields for each waiting queue row: queue id, resident id,
# dose, district, period, queued at, birth date (ISO), dose-1 product, previous-dose day (ISO).
WaitingRow = tuple[int, int, int, str, str | None, str, str, str | None, str | None]


class _Rule(NamedTuple):
    products: tuple[str, ...] | None
    min_days: int


def _rule(policy: Policy, dose: int, first_product: str | None) -> _Rule | None:
    """Allowed products and minimum days after the previous dose for ``dose``, by the schedule
    rules of ``flows.schedule.next_dose``; None if that dose cannot be given (the product's
    schedule has fewer doses, the product is unknown, or dose 1 is missing)."""
    if dose == 1:
        return _Rule(None, 0)
    if first_product is None:
        return None
    anchor = date(2000, 1, 1)
    history = [Dose(0, n, anchor, first_product, None, "") for n in range(1, dose)]
    found = next_dose(history, policy)
    if not isinstance(found, NextDose) or found.number != dose or found.earliest is None:
        return None
    return _Rule(found.products, (found.earliest - anchor).days)


def candidates_from_rows(
    rows: Iterable[WaitingRow], policy: Policy, skipped: list[int] | None = None
) -> Iterator[Candidate]:
    """Candidates from the store's waiting rows, with the products and earliest day allowed.

    A row for a dose the person cannot have (no previous dose on record, or past the last dose
    of the product's schedule) is left out; its queue id goes to ``skipped`` if given.
    """
    rules: dict[tuple[int, str | None], _Rule | None] = {}
    days: dict[str, date] = {}  # one date object per distinct day: a million rows share a few
    names: dict[str, str] = {}  # one string per district or period
    for queue_id, resident_id, dose, district, period, queued_at, born, first, previous in rows:
        key = (dose, first)
        if key not in rules:
            rules[key] = _rule(policy, dose, first)
        rule = rules[key]
        if rule is None or (dose > 1 and previous is None):
            if skipped is not None:
                skipped.append(queue_id)
            continue
        birth = days.get(born)
        if birth is None:
            birth = days[born] = date.fromisoformat(born)
        previous_day = earliest = None
        if previous is not None:
            previous_day = days.get(previous)
            if previous_day is None:
                previous_day = days[previous] = date.fromisoformat(previous)
            earliest = previous_day + timedelta(days=rule.min_days)
        district = names.setdefault(district, district)
        if period is not None:
            period = names.setdefault(period, period)
        yield Candidate(
            queue_id, resident_id, dose, district, period, rule.products, earliest, birth,
            previous_day, queued_at,
        )  # fmt: skip


# -- the assignment ---------------------------------------------------------------------------


def priority(candidate: Candidate) -> tuple[bool, int, str, int]:
    """The sort key: previous dose longest ago first, no previous dose last; then queued time."""
    previous = candidate.previous_day
    return (
        previous is None,
        previous.toordinal() if previous is not None else 0,
        candidate.queued_at,
        candidate.queue_id,
    )


def in_priority_order(candidates: list[Candidate]) -> bool:
    """Whether ``candidates`` are already in priority order (as the store yields them): one
    pass, one key alive at a time, where sorting would hold a million keys at once."""
    keys = map(priority, candidates)
    previous = next(keys, None)
    if previous is None:
        return True
    for key in keys:
        if key < previous:
            return False
        previous = key
    return True


class _Bucket:
    """Places of one (district, product[, period]) in (day, start, slot id) order.

    ``ranks`` are indexes into the global order of places; ``days`` their day ordinals (for the
    binary search); ``nxt`` is a union-find over positions pointing at the next position that
    may still be free (``len(ranks)``: none), so used-up places are skipped in amortised
    near-constant time.
    """

    __slots__ = ("days", "nxt", "ranks")

    def __init__(self) -> None:
        self.ranks: list[int] = []
        self.days: list[int] = []
        self.nxt: list[int] = []

    def seal(self) -> None:
        self.nxt = list(range(len(self.ranks) + 1))

    def used_up(self) -> bool:
        """Whether no place of the bucket has room left (as far as ``first_free`` has seen)."""
        nxt, root = self.nxt, 0
        while nxt[root] != root:
            root = nxt[root]
        node = 0
        while node != root:  # path compression
            nxt[node], node = root, nxt[node]
        return root == len(self.ranks)

    def first_free(self, day: int, remaining: list[int]) -> int:
        """The rank of the first place on ``day`` or later with room left, or -1."""
        nxt, ranks = self.nxt, self.ranks
        end = len(ranks)
        start = bisect_left(self.days, day)
        root = start
        while True:
            while nxt[root] != root:
                root = nxt[root]
            if root == end or remaining[ranks[root]] > 0:
                break
            nxt[root] = root + 1  # used up: link it to the next position
        node = start
        while node != root:  # path compression
            nxt[node], node = root, nxt[node]
        return -1 if root == end else ranks[root]


def assign(
    candidates: Iterable[Candidate],
    places: Iterable[Place],
    policy: Policy,
    today: date,
    progress: Callable[[int], object] | None = None,
) -> list[tuple[int, int]]:
    """Offer places to people: ``(queue_id, slot_id)`` pairs, at most one per person.

    ``progress``, if given, is called now and then with the number of people handled since
    the previous call (for a progress bar); the calls add up to the number of candidates.
    """
    ordered = candidates if isinstance(candidates, list) else list(candidates)
    if not in_priority_order(ordered):
        ordered = sorted(ordered, key=priority)
    spots = sorted(
        (p for p in places if p.remaining > 0), key=lambda p: (p.day, p.start, p.slot_id)
    )
    remaining = [place.remaining for place in spots]
    slot_ids = [place.slot_id for place in spots]
    total = sum(remaining)

    buckets: dict[tuple[str | None, str, str | None], _Bucket] = {}
    products_known: set[str] = set()
    for rank, place in enumerate(spots):
        day = place.day.toordinal()
        products_known.add(place.product_id)
        keys = (
            (place.district_id, place.product_id, part_of(place.start)),
            (place.district_id, place.product_id, None),
            (None, place.product_id, None),
        )
        for key in keys:
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = _Bucket()
            bucket.ranks.append(rank)
            bucket.days.append(day)
    for bucket in buckets.values():
        bucket.seal()
    any_product = tuple(sorted(products_known))
    last_day = spots[-1].day.toordinal() if spots else 0
    today_ordinal = today.toordinal()
    minimum_age = policy.ages.minimum
    other_districts = policy.assignment.other_districts
    adult_days: dict[date, int] = {}

    offers: list[tuple[int, int]] = []
    offered: set[int] = set()  # resident ids: one open offer per person
    handled = 0
    for handled, person in enumerate(ordered, 1):
        if progress is not None and handled % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
        if total == 0:
            break
        if person.resident_id in offered:
            continue
        adult = adult_days.get(person.birth_date)
        if adult is None:
            adult = adult_days[person.birth_date] = birthday(
                person.birth_date, minimum_age
            ).toordinal()
        lowest = max(today_ordinal, adult)
        if person.earliest is not None:
            lowest = max(lowest, person.earliest.toordinal())
        if lowest > last_day:
            continue
        products = any_product if person.products is None else person.products
        levels: list[tuple[str | None, str | None]] = []
        if person.period is not None:
            levels.append((person.district_id, person.period))
        levels.append((person.district_id, None))
        if other_districts:
            levels.append((None, None))
        for district, part in levels:
            best = -1
            for product in products:
                where = (district, product, part)
                bucket = buckets.get(where)
                if bucket is None:
                    continue
                rank = bucket.first_free(lowest, remaining)
                if rank < 0:
                    if bucket.used_up():
                        del buckets[where]  # nobody needs to look here again
                elif best < 0 or rank < best:
                    best = rank
            if best >= 0:
                remaining[best] -= 1
                total -= 1
                offers.append((person.queue_id, slot_ids[best]))
                offered.add(person.resident_id)
                break
    if progress is not None:
        rest = len(ordered) - (handled - handled % PROGRESS_EVERY)
        if rest:
            progress(rest)
    return offers
