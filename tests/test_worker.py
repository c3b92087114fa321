"""Spec for ``vaxbot worker`` (bot/worker.py, channels/cli.py): the daily jobs run once each, and
the outbox goes out exactly once even when the process is killed half-way through a batch.

The in-process tests drive ``Worker.tick`` with ``ScriptedDelivery``. The process tests run the
real command (``python -m channels.cli worker``) against ``FakeSmsGateway`` served from a thread
of this process, with the clock frozen by ``VAXBOT_NOW``. The daily jobs and the kill in the
middle of a batch also run on PostgreSQL (``[postgresql]``), on a database of the ``store``
fixture.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.outbox import LEASE
from bot.worker import Worker
from channels.sms.android import message_id
from flows.policy import Policy
from store import Booking, Store
from tests.conftest import Clock
from tests.fakes import tables
from tests.fakes.delivery import ScriptedDelivery
from tests.fakes.sms_gateway import PASSWORD, USER, FakeSmsGateway, GatewayThread

PHONE = "+8613800138000"
START = "2021-06-17T09:00:00+08:00"  # outside the quiet hours, before every daily job
COUNT = 150


def zhang_booked(store: Store, clock: Clock) -> Booking:
    """张三, registered from ``PHONE``, booked for tomorrow 10:00 at the first site."""
    account = store.account_for("sms", PHONE, PHONE, clock.now)
    zhang = store.add_resident(
        account_id=account, name="张三", id_type="resident_id", id_number="440106199001011235",
        birth_date=date(1990, 1, 1), sex="M", phone=PHONE, district_id="tianhe", now=clock.now,
        actor="self:sms", channel="sms",
    )  # fmt: skip
    slot = tables.slot_id(store, 1, "2021-06-18", "10:00")
    return store.book(resident_id=zhang.id, slot_id=slot, dose=1, now=clock.now, channel="sms",
                      actor="self:sms")  # fmt: skip


# -- Worker.tick, in process --------------------------------------------------------------------


@pytest.mark.backends("sqlite", "postgresql")
def test_each_daily_job_runs_once_at_its_time_and_its_messages_go_out(
    store: Store, policy: Policy, clock: Clock
) -> None:
    booking = zhang_booked(store, clock)
    sms = ScriptedDelivery()
    worker = Worker(store, policy, clock, {"sms": sms})

    def tick(moment: str) -> list[str]:
        clock.set(moment)
        return asyncio.run(worker.tick()).jobs

    assert tick("2021-06-17T09:30") == ["purge"]  # purge_at 03:30 has passed
    assert tick("2021-06-17T10:00") == ["alerts"]
    assert tick("2021-06-17T17:59") == []
    assert sms.calls == []
    assert tick("2021-06-17T18:00") == ["reminders"]
    assert sms.keys == [f"reminder:{booking.code}:2021-06-18:{PHONE}"]  # sent in the same tick
    assert tick("2021-06-17T18:01") == []
    assert tick("2021-06-17T23:30") == ["noshow"]
    assert tick("2021-06-17T23:59") == []
    assert tick("2021-06-18T10:00") == ["alerts", "purge"]  # a new day
    assert tick("2021-06-18T18:00") == ["reminders"]
    assert len(sms.calls) == 1  # nothing for the 19th
    assert {row: store.last_job_key(row) for row in ("alerts", "reminders", "noshow")} == {
        "alerts": "2021-06-18", "reminders": "2021-06-18", "noshow": "2021-06-17",
    }  # fmt: skip


def test_a_failing_tick_is_logged_and_the_loop_goes_on(
    store: Store, policy: Policy, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.set("2021-06-17T20:30")
    runs: list[datetime] = []
    stop = asyncio.Event()

    def assign(_store: Store, _policy: Policy, now: datetime) -> None:
        runs.append(now)
        if len(runs) == 1:
            raise RuntimeError("database is locked")
        stop.set()

    worker = Worker(store, policy, clock, {}, assign=assign)
    with caplog.at_level(logging.ERROR, logger="vaxbot.worker"):
        asyncio.run(asyncio.wait_for(worker.run(stop, interval=0.01), timeout=5))
    assert len(runs) == 2  # not marked done after the failure: tried again on the next tick
    assert store.last_job_key("assign") == "2021-06-17"
    assert [r.getMessage() for r in caplog.records] == ["worker tick failed"]


# -- the worker process -------------------------------------------------------------------------


@pytest.fixture
def gateway() -> Iterator[FakeSmsGateway]:
    with GatewayThread(FakeSmsGateway(delay=0.02)) as running:
        yield running


@pytest.fixture
def worker_db(store: Store, db_url: str) -> str:
    """The seeded demo's database (a SQLite file, or a PostgreSQL database's URL)."""
    return db_url


def queue_notices(path: str, policy: Policy, count: int) -> list[tuple[str, str, str]]:
    """``count`` SMS notices due at ``START``, each to its own phone; (key, phone, text)."""
    store = Store.open(path)
    now = datetime.fromisoformat(START)
    wanted = []
    try:
        with store.transaction():
            for n in range(count):
                key, phone, text = f"notice:{n}", f"+86139{n:08d}", f"第{n}条通知：请按时接种。"
                assert store.enqueue("sms", phone, text, key, now, now)
                wanted.append((key, phone, text))
    finally:
        store.close()
    return wanted


def rows(path: str) -> list[dict[str, object]]:
    other = tables.opened(path)
    try:
        return other.outbox_rows()
    finally:
        other.close()


def sent_count(path: str) -> int:
    return sum(1 for row in rows(path) if row["sent_at"] is not None)


def start_worker(path: str, url: str, now: str, *args: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VAXBOT_SMSGATE_URL": url,
        "VAXBOT_SMSGATE_USER": USER,
        "VAXBOT_SMSGATE_PASSWORD": PASSWORD,
        "VAXBOT_NOW": now,
        "PYTHONUTF8": "1",
    }
    with log.open("ab") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "channels.cli", "worker", "--db", path, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def finish(process: subprocess.Popen[bytes], timeout: float = 60) -> int:
    """The worker's exit status; ``timeout`` only guards against a hang (a loaded machine takes
    seconds to start the interpreter and import everything)."""
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


@pytest.mark.backends("sqlite", "postgresql")
def test_a_worker_killed_mid_batch_and_restarted_sends_each_message_once(
    worker_db: str, policy: Policy, gateway: FakeSmsGateway, tmp_path: Path
) -> None:
    wanted = queue_notices(worker_db, policy, COUNT)
    log = tmp_path / "worker.log"
    gateway.hold_after = 40  # past 40 messages the gateway takes them but stops answering

    first = start_worker(worker_db, gateway.url, START, "--interval", "0.1", log=log)
    try:
        wait_for(lambda: len(gateway.messages) > 40, 20, "the batch to reach the gateway")
        time.sleep(0.2)  # the other messages of the batch in flight, waiting for answers
    finally:
        first.send_signal(signal.SIGKILL)
        assert finish(first) == -signal.SIGKILL
    accepted = len(gateway.messages)
    recorded = sent_count(worker_db)
    assert 40 < accepted < COUNT
    assert recorded < accepted  # some taken by the gateway without the outbox knowing
    assert all(row["claimed_at"] == START for row in rows(worker_db))  # the whole batch

    gateway.release_from_thread()  # the phone answers again (to nobody: that worker is dead)
    # Restarted within the lease: what the dead worker claimed is not sent again yet.
    soon = "2021-06-17T09:04:59+08:00"
    assert finish(start_worker(worker_db, gateway.url, soon, "--once", log=log)) == 0
    assert (len(gateway.messages), sent_count(worker_db)) == (accepted, recorded)

    after_lease = (datetime.fromisoformat(START) + LEASE).isoformat()
    assert finish(start_worker(worker_db, gateway.url, after_lease, "--once", log=log)) == 0

    assert Counter(gateway.sms) == Counter((phone, text) for _, phone, text in wanted)
    assert len(gateway.sms) == COUNT  # each phone, each text exactly once
    assert gateway.conflicts >= accepted - recorded  # the unrecorded ones came back as 409
    final = rows(worker_db)
    assert all(row["sent_at"] is not None and row["failed_at"] is None for row in final)
    assert {row["idempotency_key"]: row["provider_id"] for row in final} == {
        key: message_id(key) for key, _, _ in wanted
    }
    assert "Traceback" not in log.read_text()


def test_sigterm_stops_the_loop_cleanly(
    worker_db: str, policy: Policy, gateway: FakeSmsGateway, tmp_path: Path
) -> None:
    queue_notices(worker_db, policy, 1)
    log = tmp_path / "worker.log"
    process = start_worker(worker_db, gateway.url, START, "--interval", "60", log=log)
    try:
        wait_for(lambda: sent_count(worker_db) == 1, 20, "the worker's first tick")
        time.sleep(0.2)  # now waiting out its 60 s interval
        process.send_signal(signal.SIGTERM)
        assert finish(process, 30) == 0  # woken up: the interval (60 s) would miss the deadline
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    errors = log.read_text()
    assert "Traceback" not in errors and "Unclosed" not in errors, errors
    assert len(gateway.sms) == 1


def test_once_exits_when_nothing_is_due(
    worker_db: str, gateway: FakeSmsGateway, tmp_path: Path
) -> None:
    store = Store.open(worker_db)
    now, tomorrow = datetime.fromisoformat(START), datetime.fromisoformat("2021-06-18T08:00+08:00")
    store.enqueue("sms", PHONE, "明天的提醒", "later", tomorrow, now)
    store.enqueue("telegram", "tg:42", "no such channel here", "tg", now, now)
    store.close()
    log = tmp_path / "worker.log"

    assert finish(start_worker(worker_db, gateway.url, START, "--once", log=log), 60) == 0
    assert gateway.requests == []
    assert all(row["sent_at"] is None and row["claimed_at"] is None for row in rows(worker_db))
