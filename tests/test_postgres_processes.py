"""Several OS processes on one real PostgreSQL database (READ COMMITTED), running vaxbot's own
code: residents confirming the last places at once, two workers sending the outbox, two
workers running the daily jobs, and a process killed (SIGKILL) in the middle of a turn.

Each process is started with the "spawn" method: it shares nothing with the test but the
database, opens its own connection and is released with the others by a barrier.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from bot.clock import make_clock, parse_moment
from bot.engine import Engine
from bot.messages import Inbound
from bot.worker import Worker
from flows.identity import check_character
from flows.policy import Policy, load_policy
from flows.texts import text
from store import Store
from tests.conftest import NOW, Clock, Phone
from tests.fakes import tables

BACKENDS = ("postgresql",)  # several processes on one server: what PostgreSQL is here for
TIMEOUT = 90.0  # seconds for a spawned process to start (imports on a busy machine) and finish
PROCESSES = 3
SITE = "Tianhe Sports Centre"
NAMES = "甲乙丙丁戊己庚辛壬癸"  # names are words: no digits


def resident_number(i: int) -> str:
    """A valid resident ID number of a man born in 1980 (``i`` odd keeps the sex digit odd)."""
    first17 = f"440106{date(1980, 1, 1) + timedelta(days=i):%Y%m%d}{(2 * i + 1) % 1000:03d}"
    return first17 + check_character(first17)


def to_confirm(phone: Phone, i: int) -> None:
    """Register a man, pass the screening and choose tomorrow 14:00 at the first Tianhe site:
    the conversation waits at the confirmation."""
    said = phone.run(
        "预约", "1", "1", "测试" + NAMES[i], "1", resident_number(i), "1", "1", *("否",) * 5,
        "1", "1", "明天下午", "1",
    )  # fmt: skip
    assert said[-1].text.startswith("请确认"), said[-1].text


def spawn(target: Callable[..., None], jobs: list[tuple[Any, ...]]) -> list[Any]:
    """Run ``target(*job, start, results)`` in one spawned process per job, all released at
    once; what each put on ``results``, in job order."""
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(len(jobs)), ctx.Queue()
    processes = [
        ctx.Process(target=target, args=(*job, start, results, n), daemon=True)
        for n, job in enumerate(jobs)
    ]
    for process in processes:
        process.start()
    try:
        got = dict(results.get(timeout=TIMEOUT) for _ in processes)
    finally:
        for process in processes:
            process.join(TIMEOUT)
            if process.is_alive():
                process.kill()
                process.join()
    assert [process.exitcode for process in processes] == [0] * len(processes)
    return [got[n] for n in range(len(jobs))]


# -- the last places --------------------------------------------------------------------------


def confirm_all(url: str, phones: list[str], start: Any, results: Any, n: int) -> None:
    """A process of ``serve``'s worth: its own engine confirms each of its residents."""
    said: list[tuple[str, list[str]]] = []
    try:
        policy = load_policy()
        store = Store.open(url)
        engine = Engine(store, policy, make_clock(policy.zone, NOW))
        start.wait(TIMEOUT)
        for number in phones:
            replies = engine.handle(Inbound("sms", number, "确认预约", f"confirm-{number}"))
            said.append((number, [reply.text for reply in replies]))
        store.close()
    except BaseException as exc:
        said.append(("failed", [repr(exc)]))
    results.put((n, said))


def test_residents_confirming_the_last_places_from_several_processes(
    store: Store, db_url: str, policy: Policy, clock: Clock
) -> None:
    engine = Engine(store, policy, clock)
    phones = [f"+8613900{i:06d}" for i in range(PROCESSES * 2)]
    for i, number in enumerate(phones):
        to_confirm(Phone(engine, number), i)
    slot = store.slot_at(tables.site_id(store, SITE), clock().date() + timedelta(days=1), "14:00")
    assert slot is not None and slot.booked == 0
    places = 2
    tables.update(store, "slots", {"id": slot.id}, capacity=places)

    jobs = [(db_url, phones[n::PROCESSES]) for n in range(PROCESSES)]
    said = [pair for got in spawn(confirm_all, jobs) for pair in got]

    assert len(said) == len(phones), said  # no process failed
    booked = [number for number, texts in said if any("预约成功" in t for t in texts)]
    refused = [texts for number, texts in said if number not in booked]
    assert len(booked) == places
    # Every refusal is a clean reply: said, not an error, leading on to other places.
    assert all(texts and text("zh", "error") not in texts for texts in refused), refused
    assert all("预约成功" not in "".join(texts) for texts in refused)
    after = store.slot(slot.id)
    assert after is not None and (after.capacity, after.booked) == (places, places)
    assert tables.count(store, "bookings", slot_id=slot.id, status="active") == places


# -- the outbox, claimed by two workers --------------------------------------------------------


def claim_until_empty(url: str, start: Any, results: Any, n: int) -> None:
    claimed: list[int] = []
    try:
        store = Store.open(url)
        now = parse_moment(NOW, load_policy().zone)
        start.wait(TIMEOUT)
        while batch := store.claim_due(now, ["sms"], 3, timedelta(minutes=5)):
            for message in batch:
                claimed.append(message.id)
                time.sleep(0.002)  # a send takes a moment: the other worker claims meanwhile
                store.mark_sent(message.id, f"provider-{message.id}", now)
        store.close()
    except BaseException as exc:
        claimed.append(-1)
        print(repr(exc))
    results.put((n, claimed))


def test_two_workers_send_each_outbox_row_once(store: Store, db_url: str, now: datetime) -> None:
    queued = 60
    for i in range(queued):
        store.enqueue("sms", f"+8613700{i:06d}", f"notice {i}", f"test:{i}", now, now)
    mine, theirs = spawn(claim_until_empty, [(db_url,), (db_url,)])
    assert -1 not in mine + theirs
    assert not set(mine) & set(theirs)  # no row claimed by both
    assert len(mine) + len(theirs) == queued
    assert mine and theirs  # both worked
    rows = [row for row in store.outbox_rows() if row["idempotency_key"].startswith("test:")]
    assert all(row["sent_at"] and row["attempts"] == 1 for row in rows)


# -- a daily job, run by two workers at once ---------------------------------------------------


def tick_once(url: str, moment: str, start: Any, results: Any, n: int) -> None:
    try:
        policy = load_policy()
        store = Store.open(url)
        worker = Worker(store, policy, make_clock(policy.zone, moment), {})
        start.wait(TIMEOUT)
        done = asyncio.run(worker.tick())
        store.close()
        results.put((n, done.jobs))
    except BaseException as exc:
        results.put((n, [repr(exc)]))


def test_a_daily_job_run_by_two_workers_at_once_runs_once(
    store: Store, db_url: str, policy: Policy, clock: Clock
) -> None:
    to_confirm(Phone(Engine(store, policy, clock), "+8613900000001"), 1)
    Phone(Engine(store, policy, clock), "+8613900000001").say("确认预约")  # a booking tomorrow
    # reminders (18:00), alerts (10:00) and the retention purge (03:30) are due
    evening = "2021-06-17T18:05:00+08:00"
    first, second = spawn(tick_once, [(db_url, evening), (db_url, evening)])
    assert sorted(first + second) == ["alerts", "purge", "reminders"], (first, second)
    runs = store.job_runs()
    assert sorted((run["name"], run["period"]) for run in runs) == [
        ("alerts", "2021-06-17"), ("purge", "2021-06-17"),
        ("reminders", "2021-06-17")]  # fmt: skip
    assert all(run["done_at"] for run in runs)
    reminders = [row for row in store.outbox_rows() if row["idempotency_key"].startswith("remind")]
    assert len(reminders) == 1
    # And the day after, a worker runs them again (a new period).
    again = spawn(tick_once, [(db_url, "2021-06-18T18:05:00+08:00")])
    assert sorted(again[0]) == ["alerts", "purge", "reminders"]


# -- kill -9 in the middle of a turn -----------------------------------------------------------


def die_mid_turn(url: str, number: str, start: Any, results: Any, n: int) -> None:
    """Confirm a booking, and stop dead once the place is taken (inside the turn's
    transaction), waiting to be killed."""
    policy = load_policy()
    store = Store.open(url)
    engine = Engine(store, policy, make_clock(policy.zone, NOW))
    original = store.book

    def book_then_hang(**kwargs: Any) -> Any:
        booking = original(**kwargs)
        results.put((n, "booked, not committed"))
        time.sleep(TIMEOUT)  # killed here
        return booking

    store.book = book_then_hang
    start.wait(TIMEOUT)
    engine.handle(Inbound("sms", number, "确认预约", "the-confirmation"))


def test_a_process_killed_mid_turn_leaves_nothing_half_written(
    store: Store, db_url: str, policy: Policy, clock: Clock
) -> None:
    number = "+8613900000003"
    phone = Phone(Engine(store, policy, clock), number)
    to_confirm(phone, 3)
    slot = store.slot_at(tables.site_id(store, SITE), clock().date() + timedelta(days=1), "14:00")
    assert slot is not None
    state_before = store.state_text("sms", number)
    audit_before = len(store.audit_rows())

    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(1), ctx.Queue()
    process = ctx.Process(target=die_mid_turn, args=(db_url, number, start, results, 0))
    process.start()
    try:
        assert results.get(timeout=TIMEOUT) == (0, "booked, not committed")
        # Meanwhile the turn holds its conversation: nothing it wrote is visible.
        assert store.slot(slot.id).booked == slot.booked  # type: ignore[union-attr]
        os.kill(process.pid, signal.SIGKILL)  # type: ignore[arg-type]
        process.join(TIMEOUT)
    finally:
        if process.is_alive():
            process.kill()
    assert process.exitcode == -signal.SIGKILL

    # The server rolled the turn back: no booking, no place taken, no audit, state as it was.
    assert store.slot(slot.id).booked == slot.booked  # type: ignore[union-attr]
    assert tables.count(store, "bookings") == 0
    assert len(store.audit_rows()) == audit_before
    assert store.state_text("sms", number) == state_before
    # The conversation's lock went with the connection: the resident confirms again and books.
    began = time.monotonic()
    assert "预约成功" in phone.say("确认预约")
    assert time.monotonic() - began < 10
    assert store.slot(slot.id).booked == slot.booked + 1  # type: ignore[union-attr]


# -- migrations: two processes on an empty database --------------------------------------------


def open_empty(url: str, start: Any, results: Any, n: int) -> None:
    try:
        start.wait(TIMEOUT)
        Store.open(url).close()
        results.put((n, "ok"))
    except BaseException as exc:
        results.put((n, repr(exc)))


def test_two_processes_starting_on_an_empty_database_both_open_it(
    backend: str, postgres_server: str
) -> None:
    from tests.fakes import postgres

    url = postgres.create(postgres_server, "vaxbot_empty_race")
    try:
        assert spawn(open_empty, [(url,)] * PROCESSES) == ["ok"] * PROCESSES
        opened = Store.open(url)
        try:
            from store.migrations import MIGRATIONS, applied

            assert applied(opened.db) == [name for name, _ in MIGRATIONS["postgresql"]]
        finally:
            opened.close()
    finally:
        postgres.drop(postgres_server, "vaxbot_empty_race")


@pytest.fixture
def now(policy: Policy) -> datetime:
    return parse_moment(NOW, policy.zone)
