"""Several OS processes booking on one SQLite file: capacity and one-booking-per-dose hold.

Each worker is a separate process started with the "spawn" method, so it shares nothing with the
parent but the file: it opens its own connection with ``Store.open`` and books with
``Store.book``. A barrier releases all workers at once so their transactions overlap.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import parse_moment
from flows.identity import check_character
from flows.policy import Policy
from store import AlreadyBooked, SlotUnavailable, Store
from tests.conftest import NOW, open_seeded
from tests.fakes import tables

WORKERS = 6
START_TIMEOUT = 30.0  # seconds for every worker to reach the barrier (spawn imports take a while)
JOIN_TIMEOUT = 60.0


@dataclass
class Tally:
    """What one worker saw."""

    booked: list[int] = field(default_factory=list)  # resident ids booked
    unavailable: int = 0
    already: int = 0
    other: list[str] = field(default_factory=list)  # anything else, as repr


def _book_many(
    path: str,
    slot_ids: list[int],
    resident_ids: list[int],
    now: str,
    start: multiprocessing.synchronize.Barrier,
    results: Any,  # a multiprocessing Queue
    worker: int,
) -> None:
    """Worker body: book each resident into the matching slot, counting every outcome."""
    tally = Tally()
    try:
        store = Store.open(path)
        moment = datetime.fromisoformat(now)
        start.wait(START_TIMEOUT)
        try:
            for resident_id, slot_id in zip(resident_ids, slot_ids, strict=True):
                try:
                    store.book(
                        resident_id=resident_id,
                        slot_id=slot_id,
                        dose=1,
                        now=moment,
                        channel="test",
                        actor=f"worker:{worker}",
                    )
                except SlotUnavailable:
                    tally.unavailable += 1
                except AlreadyBooked:
                    tally.already += 1
                except Exception as exc:
                    tally.other.append(repr(exc))
                else:
                    tally.booked.append(resident_id)
        finally:
            store.close()
    except BaseException as exc:  # setup failed: report it rather than hang the parent
        tally.other.append(f"worker setup: {exc!r}")
    results.put((worker, tally))


def _resident_number(i: int) -> str:
    """A valid 18-character resident ID number: Tianhe area code, born 1980, sequence ``i``."""
    first17 = f"440106{date(1980, 1, 1) + timedelta(days=i):%Y%m%d}{i % 1000:03d}"
    return first17 + check_character(first17)


def _add_residents(store: Store, count: int, moment: datetime) -> list[int]:
    ids = []
    for i in range(count):
        phone = f"+86139{i:08d}"
        account = store.account_for("sms", phone, phone, moment)
        number = _resident_number(i)
        resident = store.add_resident(
            account_id=account,
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


def _run_workers(
    path: Path, jobs: list[tuple[list[int], list[int]]], moment: datetime
) -> list[Tally]:
    """Start one spawned process per (slot_ids, resident_ids) job, all released together."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(len(jobs))
    results = ctx.Queue()
    processes = [
        ctx.Process(
            target=_book_many,
            args=(str(path), slots, residents, moment.isoformat(), start, results, n),
            daemon=True,
        )
        for n, (slots, residents) in enumerate(jobs)
    ]
    for process in processes:
        process.start()
    try:
        tallies = dict(results.get(timeout=JOIN_TIMEOUT) for _ in processes)
    finally:
        for process in processes:
            process.join(JOIN_TIMEOUT)
            if process.is_alive():
                process.kill()
                process.join()
        results.close()
        results.join_thread()
    assert all(process.exitcode == 0 for process in processes)
    return [tallies[n] for n in range(len(jobs))]


def _open_slot(store: Store, moment: datetime, offset: int = 0) -> int:
    """A released slot tomorrow (so its period has not started), ``offset`` places along."""
    day = (moment.date() + timedelta(days=1)).isoformat()
    at = moment.isoformat(timespec="seconds")
    slots = tables.rows(store, "slots", "id", "site_id", "start", "released_at", day=day)
    released = [slot for slot in slots if slot["released_at"] and slot["released_at"] <= at]
    released.sort(key=lambda slot: (slot["site_id"], slot["start"], slot["id"]))
    return int(released[offset]["id"])


def _counts(path: Path, slot_id: int) -> tuple[int, int, int]:
    """(capacity, booked, active bookings rows) of a slot, read on a fresh connection."""
    store = tables.opened(path)
    try:
        slot = store.slot(slot_id)
        assert slot is not None
        return slot.capacity, slot.booked, tables.count(store, "bookings", slot_id=slot_id,
                                                        status="active")  # fmt: skip
    finally:
        store.close()


@pytest.fixture
def moment(policy: Policy) -> datetime:
    return parse_moment(NOW, policy.zone)


def test_processes_racing_for_the_last_places_never_overbook(
    tmp_path: Path, policy: Policy, moment: datetime
) -> None:
    path = tmp_path / "race.db"
    store = open_seeded(path, policy)
    try:
        residents = _add_residents(store, 40, moment)
        slot_id = _open_slot(store, moment)
        # Three places already taken, the slot resized so that seven are left.
        for resident_id in residents[:3]:
            store.book(
                resident_id=resident_id,
                slot_id=slot_id,
                dose=1,
                now=moment,
                channel="test",
                actor="test",
            )
    finally:
        store.close()
    already_booked, left = 3, 7
    capacity = already_booked + left
    resize = Store.open(path)  # a separate connection from the one that seeded
    try:
        tables.update(resize, "slots", {"id": slot_id}, capacity=capacity)
        resized = resize.slot(slot_id)
        assert resized is not None
        assert (resized.capacity, resized.booked) == (capacity, already_booked)
    finally:
        resize.close()

    contenders = residents[already_booked:]  # 37 people, 6 processes of 6 or 7 each
    jobs = [
        ([slot_id] * len(chunk), chunk)
        for chunk in (contenders[n::WORKERS] for n in range(WORKERS))
    ]
    attempts = sum(len(residents) for _, residents in jobs)
    tallies = _run_workers(path, jobs, moment)

    assert [t.other for t in tallies] == [[]] * WORKERS  # no "database is locked", nothing else
    assert sum(t.already for t in tallies) == 0
    successes = sum(len(t.booked) for t in tallies)
    failures = sum(t.unavailable for t in tallies)
    assert successes == left
    assert successes + failures == attempts
    assert _counts(path, slot_id) == (capacity, capacity, capacity)
    winners = {r for t in tallies for r in t.booked}
    assert len(winners) == left
    store = tables.opened(path)
    try:
        booked_people = {
            row["resident_id"]
            for row in tables.rows(store, "bookings", slot_id=slot_id, status="active")
        }
    finally:
        store.close()
    assert booked_people == set(residents[:already_booked]) | winners


def test_one_person_booked_from_several_processes_gets_one_booking(
    tmp_path: Path, policy: Policy, moment: datetime
) -> None:
    path = tmp_path / "same.db"
    store = open_seeded(path, policy)
    try:
        (resident_id,) = _add_residents(store, 1, moment)
        slots = [_open_slot(store, moment, offset=n) for n in range(WORKERS)]
        before = {slot: _counts(path, slot) for slot in slots}
    finally:
        store.close()
    assert all(booked == 0 and capacity > 0 for capacity, booked, _ in before.values())

    # Every process tries the same person, each into its own slot with room, a few times.
    tries = 3
    jobs = [([slot] * tries, [resident_id] * tries) for slot in slots]
    tallies = _run_workers(path, jobs, moment)

    assert [t.other for t in tallies] == [[]] * WORKERS
    assert sum(t.unavailable for t in tallies) == 0
    assert sum(len(t.booked) for t in tallies) == 1
    assert sum(t.already for t in tallies) == WORKERS * tries - 1
    after = {slot: _counts(path, slot) for slot in slots}
    assert sum(booked for _, booked, _ in after.values()) == 1  # losers' increments rolled back
    assert sum(active for _, _, active in after.values()) == 1
    store = tables.opened(path)
    try:
        assert tables.count(store, "bookings", resident_id=resident_id, status="active") == 1
    finally:
        store.close()
