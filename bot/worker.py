"""``vaxbot worker``: one loop that runs the scheduled jobs and sends the outbox.

Every tick (a few seconds):

- releases the slots due by now (``booking.release_time``, ``release_days_ahead``);
- closes offers past their expiry (their places go back to the pool);
- once a day at its configured time (``[jobs]``): reminders for tomorrow, dose-2 alerts and the
  follow-up list, automatic assignment from the queue, the end-of-day no-show job;
- sends what is due in the outbox through the channels it was given.

A restart never double-sends: daily jobs are recorded when done (and queue under idempotency
keys anyway), and the outbox is claimed under a lease (``bot.outbox``). Several workers on one
PostgreSQL database split the work: a daily job is claimed for its day by one of them
(``Store.claim_job``), and outbox rows claimed by one are passed over by the others.

The jobs and their bookkeeping run in one of the store's threads (``bot.offloop``), never on
the event loop that ``vaxbot serve`` shares with its webhooks: a job that takes a minute, or
waits for a lock another process holds, delays no resident's answer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.assign import expire_offers
from bot.attendance import run_noshows
from bot.clock import Clock
from bot.jobs import daily_due, send_alerts, send_reminders
from bot.offloop import off_loop
from bot.outbox import Delivery, Report, deliver_due
from bot.privacy_cli import ages
from bot.slots_admin import release
from flows.policy import Policy
from store import Store
from store.retention import Retention

log = logging.getLogger("vaxbot.worker")

Job = Callable[[Store, Policy, datetime], object]

# A daily job's claim not marked done after this long is another worker's to take over (the
# one that claimed it died); the jobs queue under idempotency keys, so a rerun repeats nothing.
JOB_LEASE = timedelta(minutes=15)


@dataclass
class Tick:
    released: int = 0
    expired: int = 0
    jobs: list[str] = field(default_factory=list)
    outbox: Report = field(default_factory=Report)


def purge(store: Store, policy: Policy, now: datetime) -> None:
    """The daily purge of what is past its ``[retention]`` days (docs/privacy.md)."""
    counts = Retention(store.db).purge(now, ages(policy))
    log.info("purged %s", ", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "nothing")


class Worker:
    def __init__(
        self,
        store: Store,
        policy: Policy,
        clock: Clock,
        deliveries: Mapping[str, Delivery],
        assign: Job | None = None,
    ) -> None:
        self.name = f"{socket.gethostname()}:{os.getpid()}"  # who claimed a daily job
        self.store = store
        self.policy = policy
        self.clock = clock
        self.deliveries = deliveries
        schedule = policy.jobs
        self.daily: list[tuple[str, str, Job]] = [
            ("reminders", schedule.reminders_at, send_reminders),
            ("alerts", schedule.alerts_at, send_alerts),
            ("noshow", schedule.noshow_at, run_noshows),
            ("purge", schedule.purge_at, purge),
        ]
        if assign is not None:
            self.daily.insert(2, ("assign", schedule.assign_at, assign))

    async def tick(self) -> Tick:
        done = await off_loop(self.chores, self.clock())
        done.outbox = await deliver_due(self.store, self.deliveries, self.policy, self.clock)
        if done.released or done.expired or done.outbox:
            log.info(
                "released %d slots, expired %d offers; outbox: %d sent, %d retried, %d failed",
                done.released, done.expired, done.outbox.sent, done.outbox.retried,
                done.outbox.failed,
            )  # fmt: skip
        return done

    def chores(self, now: datetime) -> Tick:
        """What is due at ``now`` but sending (in a thread: each step its own transaction, as
        the jobs write them): slots released, offers expired, the daily jobs claimed and run."""
        store, policy = self.store, self.policy
        done = Tick(
            released=release(store, policy, now).count,
            expired=expire_offers(store, policy, now),
        )
        day = now.date().isoformat()
        for name, at, job in self.daily:
            # Due, and claimed by this worker: one run a day however many workers run.
            if daily_due(store, name, at, now) and store.claim_job(
                name, day, now, JOB_LEASE, self.name
            ):
                try:
                    job(store, policy, now)
                except BaseException:
                    store.release_job(name, day, self.name)  # tried again on the next tick
                    raise
                store.finish_job(name, day, now)
                done.jobs.append(name)
                log.info("job %s done for %s", name, now.date())
        return done

    async def run(
        self, stop: asyncio.Event, interval: float = 5.0, wake: asyncio.Event | None = None
    ) -> None:
        """Tick until ``stop`` is set; a failing tick is logged and the loop goes on.

        ``wake`` (set when something was queued to send now) cuts the wait short.
        """
        wake = wake or asyncio.Event()
        while not stop.is_set():
            wake.clear()
            try:
                done = await self.tick()
            except Exception:
                log.exception("worker tick failed")
                done = Tick()
            busy = done.outbox.sent + done.outbox.retried + done.outbox.failed > 0
            waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
            # after a busy tick, come back sooner: more may be due at once
            await asyncio.wait(waits, timeout=0.05 if busy else interval,
                               return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
            for waiting in waits:
                waiting.cancel()
