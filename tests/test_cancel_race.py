"""Cancelling, booking and rescheduling at once, from several OS processes, on one SQLite file.

A pool of worker processes (started with "spawn": they share nothing with the test but the file)
is kept for the module. Each round the test hands every worker one task (cancel a booking, book a
person, reschedule a booking, or nothing), and a barrier lets them all start together so their
transactions overlap. After each round the test checks the slot from a fresh connection: the
count of places taken equals the active bookings and never exceeds the capacity, every successful
cancel freed exactly one place and every successful booking took exactly one, no booking row was
lost or left half-changed, and nothing unexpected (no "database is locked") was raised.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import parse_moment
from flows.identity import check_character
from flows.policy import Policy
from store import AlreadyBooked, BookingNotActive, Slot, SlotUnavailable, Store
from tests.conftest import NOW, open_seeded
from tests.fakes import tables

WORKERS = 8  # 3 cancelling and 5 booking in the cancel race
CAPACITY = 5
ROUNDS = 4
# A booker tries again, for this long, while a canceller may still free a place: a deadline, not
# a count of tries, so a slow machine (bookers starving cancellers of the lock) cannot fail it.
BOOK_FOR = 1.0
START_TIMEOUT = 30.0  # seconds for every worker to reach the barrier (spawn imports take a while)
RESULT_TIMEOUT = 60.0

# A task: (database, what, first id, second id). What: "cancel" (booking id), "book" (resident id,
# slot id), "reschedule" (booking id, slot id) or "idle".
Task = tuple[str, str, int, int]


@dataclass(frozen=True)
class Outcome:
    worker: int
    result: str  # "ok", "unavailable", "not_active", "already", "idle" or "error"
    booking_id: int | None = None
    failures: int = 0  # SlotUnavailable answers before the result (a booker's retries)
    error: str = ""


# -- the worker processes -------------------------------------------------------------------------


def _serve(
    now: str,
    start: multiprocessing.synchronize.Barrier,
    tasks: Any,  # this worker's multiprocessing Queue of Task (None: stop)
    results: Any,  # the shared multiprocessing Queue of Outcome
    worker: int,
) -> None:
    """Worker body: wait for a task, start it with everyone else, report what happened."""
    moment = datetime.fromisoformat(now)
    stores: dict[str, Store] = {}
    try:
        while (task := tasks.get(timeout=RESULT_TIMEOUT)) is not None:
            try:
                path = task[0]
                if path not in stores:
                    stores[path] = Store.open(path)
                start.wait(START_TIMEOUT)
                outcome = _do(stores[path], task, moment, worker)
            except BaseException as exc:  # report rather than hang the parent
                outcome = Outcome(worker, "error", error=repr(exc))
            results.put(outcome)
    finally:
        for store in stores.values():
            store.close()


def _do(store: Store, task: Task, moment: datetime, worker: int) -> Outcome:
    _, what, first, second = task
    actor, channel = f"worker:{worker}", "test"
    try:
        if what == "cancel":
            booking = store.cancel(first, now=moment, actor=actor, channel=channel)
            return Outcome(worker, "ok", booking.id)
        if what == "reschedule":
            booking = store.reschedule(first, second, now=moment, actor=actor, channel=channel)
            return Outcome(worker, "ok", booking.id)
        if what == "book":
            deadline, failures = time.monotonic() + BOOK_FOR, 0
            while True:
                try:
                    booking = store.book(
                        resident_id=first, slot_id=second, dose=1, now=moment, channel=channel,
                        actor=actor,
                    )  # fmt: skip
                except SlotUnavailable:
                    failures += 1
                    if time.monotonic() > deadline:
                        return Outcome(worker, "unavailable", failures=failures)
                    time.sleep(0.002)
                    continue
                return Outcome(worker, "ok", booking.id, failures)
        return Outcome(worker, "idle")
    except SlotUnavailable:
        return Outcome(worker, "unavailable")
    except BookingNotActive:
        return Outcome(worker, "not_active")
    except AlreadyBooked:
        return Outcome(worker, "already")
    except Exception as exc:
        return Outcome(worker, "error", error=repr(exc))


class Pool:
    """``WORKERS`` spawned processes, each running one task per round, all started together."""

    def __init__(self, moment: datetime) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.start = ctx.Barrier(WORKERS)
        self.tasks = [ctx.Queue() for _ in range(WORKERS)]
        self.results = ctx.Queue()
        self.processes = [
            ctx.Process(
                target=_serve,
                args=(moment.isoformat(), self.start, self.tasks[n], self.results, n),
                daemon=True,
            )
            for n in range(WORKERS)
        ]
        for process in self.processes:
            process.start()

    def round(self, path: Path, jobs: Sequence[tuple[str, int, int]]) -> list[Outcome]:
        """Run ``jobs`` (what, first, second) side by side, the rest of the workers idle."""
        assert len(jobs) <= WORKERS
        padded = [*jobs, *[("idle", 0, 0)] * (WORKERS - len(jobs))]
        for queue, (what, first, second) in zip(self.tasks, padded, strict=True):
            queue.put((str(path), what, first, second))
        outcomes = [self.results.get(timeout=RESULT_TIMEOUT) for _ in padded]
        by_worker = {outcome.worker: outcome for outcome in outcomes}
        return [by_worker[n] for n in range(len(jobs))]

    def close(self) -> None:
        for queue in self.tasks:
            queue.put(None)
        for process in self.processes:
            process.join(RESULT_TIMEOUT)
            if process.is_alive():
                process.kill()
                process.join()
        for queue in [*self.tasks, self.results]:
            queue.close()
            queue.join_thread()
        assert all(process.exitcode == 0 for process in self.processes)


@pytest.fixture(scope="module")
def moment(policy: Policy) -> datetime:
    return parse_moment(NOW, policy.zone)


@pytest.fixture(scope="module")
def pool(moment: datetime) -> Iterator[Pool]:
    pool = Pool(moment)
    try:
        yield pool
    finally:
        pool.close()


# -- the database, seen from the test -------------------------------------------------------------


def _resident_number(i: int) -> str:
    """A valid resident ID number: Tianhe, born in 1985 plus ``i`` days, sequence ``i``."""
    first17 = f"440106{date(1985, 1, 1) + timedelta(days=i):%Y%m%d}{i % 1000:03d}"
    return first17 + check_character(first17)


def add_residents(store: Store, count: int, moment: datetime) -> list[int]:
    ids = []
    for i in range(count):
        phone = f"+86137{i:08d}"
        number = _resident_number(i)
        resident = store.add_resident(
            account_id=store.account_for("sms", phone, phone, moment),
            name=f"测试{i}",
            id_type="resident_id",
            id_number=number,
            birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
            sex="M" if int(number[16]) % 2 else "F",
            phone=phone,
            district_id="tianhe",
            now=moment,
            actor="test",
            channel="test",
        )
        ids.append(resident.id)
    return ids


def tomorrow_slots(store: Store, moment: datetime, site_id: int = 1) -> list[int]:
    day = (moment.date() + timedelta(days=1)).isoformat()
    return [slot.id for slot in sorted(store.slots(site_id=site_id, day=day),
                                       key=lambda slot: slot.start)]  # fmt: skip


def resize(path: Path, slot_id: int, capacity: int) -> None:
    with closing(tables.opened(path)) as store:
        tables.update(store, "slots", {"id": slot_id}, capacity=capacity)


def the_slot(path: Path, slot_id: int) -> Slot:
    """A slot as another connection sees it."""
    with closing(tables.opened(path)) as store:
        slot = store.slot(slot_id)
    assert slot is not None
    return slot


def booked(path: Path, slot_id: int) -> int:
    return the_slot(path, slot_id).booked


def rows(path: Path, **equal: Any) -> dict[int, tuple[Any, ...]]:
    """Booking rows by id: ``(resident_id, slot_id, status)``, on a fresh connection."""
    with closing(tables.opened(path)) as store:
        found = tables.values(store, "bookings", "id", "resident_id", "slot_id", "status",
                              **equal)  # fmt: skip
    return {row[0]: tuple(row[1:]) for row in found}


def audit_count(path: Path, action: str) -> int:
    with closing(tables.opened(path)) as store:
        return tables.count(store, "audit", action=action)


def check_slot(path: Path, slot_id: int) -> int:
    """The slot's count agrees with its active bookings and its capacity; returns the count."""
    slot = the_slot(path, slot_id)
    capacity, taken = slot.capacity, slot.booked
    active = rows(path, slot_id=slot_id, status="active")
    assert taken == len(active) <= capacity
    return int(taken)


# -- the races ------------------------------------------------------------------------------------


def test_cancelling_and_booking_the_last_places_at_once(
    tmp_path: Path, policy: Policy, moment: datetime, pool: Pool
) -> None:
    path = tmp_path / "cancel.db"
    store = open_seeded(path, policy)
    try:
        people = iter(add_residents(store, 5 + ROUNDS * 8, moment))
        slot = tomorrow_slots(store, moment)[0]
        resize(path, slot, CAPACITY)
        expected: dict[int, tuple[Any, ...]] = {}  # every booking row there must be, as it must be

        def top_up() -> None:
            """The parent books fresh people until the slot is full again."""
            while booked(path, slot) < CAPACITY:
                person = next(people)
                booking = store.book(resident_id=person, slot_id=slot, dose=1, now=moment,
                                     channel="test", actor="test")  # fmt: skip
                expected[booking.id] = (person, slot, "active")

        top_up()
        pick = random.Random(2021)
        booked_by_workers = 0
        for round_no in range(ROUNDS):
            active = sorted(b for b, row in expected.items() if row[2] == "active")
            targets = pick.sample(active, 3)
            if round_no == ROUNDS - 1:
                targets[1] = targets[0]  # two processes cancel the same booking
            newcomers = [next(people) for _ in range(5)]
            before = check_slot(path, slot)
            assert before == CAPACITY

            jobs = [("cancel", b, 0) for b in targets] + [("book", p, slot) for p in newcomers]
            outcomes = pool.round(path, jobs)

            assert [o.error for o in outcomes] == [""] * len(jobs)
            cancels, books = outcomes[:3], outcomes[3:]
            cancelled = {o.booking_id for o in cancels if o.result == "ok" and o.booking_id}
            assert cancelled == set(targets)  # each distinct booking cancelled once...
            assert [o.result for o in cancels].count("ok") == len(set(targets))
            assert [o.result for o in cancels].count("not_active") == 3 - len(set(targets))
            assert {o.result for o in books} <= {"ok", "unavailable"}
            winners = {
                o.booking_id: newcomers[i]
                for i, o in enumerate(books)
                if o.result == "ok" and o.booking_id
            }
            assert len(winners) == [o.result for o in books].count("ok")
            assert len(winners) <= len(cancelled)
            booked_by_workers += len(winners)

            # ... freeing exactly one place each; each booking took exactly one.
            assert check_slot(path, slot) == before - len(cancelled) + len(winners)
            for booking_id in cancelled:
                expected[booking_id] = (*expected[booking_id][:2], "cancelled")
            for booking_id, person in winners.items():
                assert booking_id not in expected
                expected[booking_id] = (person, slot, "active")
            assert rows(path) == expected  # nothing lost, nothing extra, every status right
            losers = [p for p in newcomers if p not in winners.values()]
            assert rows(path, resident_id=losers) == {}
            top_up()

        assert booked_by_workers > 0  # the bookers did take freed places
        assert audit_count(path, "book") == len(expected)
        assert audit_count(path, "cancel") == sum(r[2] == "cancelled" for r in expected.values())
    finally:
        store.close()


def test_two_people_rescheduling_into_the_last_place(
    tmp_path: Path, policy: Policy, moment: datetime, pool: Pool
) -> None:
    path = tmp_path / "reschedule.db"
    store = open_seeded(path, policy)
    try:
        people = add_residents(store, 2, moment)
        slots = tomorrow_slots(store, moment)  # 08:00, 10:00, 14:00, 16:00, 18:30
        start = [slots[0], slots[1]]
        bookings = [
            store.book(resident_id=person, slot_id=slot, dose=1, now=moment, channel="test",
                       actor="test").id
            for person, slot in zip(people, start, strict=True)
        ]  # fmt: skip
    finally:
        store.close()
    where = dict(zip(bookings, start, strict=True))  # each booking's slot, as it must be

    for target in slots[2:]:  # three rounds, each into a fresh slot with a single place
        resize(path, target, 1)
        counts = {slot: booked(path, slot) for slot in slots}

        outcomes = pool.round(path, [("reschedule", b, target) for b in bookings])

        assert sorted(o.result for o in outcomes) == ["ok", "unavailable"]
        winner = next(o.booking_id for o in outcomes if o.result == "ok")
        loser = next(b for b in bookings if b != winner)
        assert winner is not None
        counts[where[winner]] -= 1  # the winner's old place is freed...
        counts[target] += 1  # ... and the last place taken
        where[winner] = target
        assert {slot: booked(path, slot) for slot in slots} == counts
        for slot in slots:
            check_slot(path, slot)
        assert booked(path, target) == 1
        assert rows(path) == {  # the loser keeps the old booking, still counted in the old slot
            winner: (people[bookings.index(winner)], target, "active"),
            loser: (people[bookings.index(loser)], where[loser], "active"),
        }
    assert audit_count(path, "reschedule") == 3
