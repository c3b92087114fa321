"""Whether this ``vaxbot serve`` is alone on its database, kept up to date while it runs.

Several processes taking messages on one database keep each sender's messages in order with a
place in line and a short pause before each turn (bot/intake.py). A process alone needs
neither. ``Peers`` joins the list of serve processes in the database (store/servers.py), says
every ``BEAT_EVERY`` seconds that it is alive, and sets ``Intake.alone`` from how many others
were heard from lately.

Changes of company are made safe in both directions:
- **Joining** (``join``, before the process takes any message): if others run, it waits until
  each of them has said it is alive since (so knows of the newcomer and has stopped taking
  messages without a place in line), and ``DRAIN`` longer for the turns they had in hand.
- **Leaving** (``leave``): only once the process takes no more messages and has answered those
  in hand; it beats until then.

Until the database answers, and whenever it does not, the process counts as not alone (the
careful way).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time

from bot import metrics
from bot.intake import Intake, wall_us
from bot.offloop import off_loop
from store import Store

log = logging.getLogger("vaxbot.peers")

BEAT_EVERY = 2.0  # seconds between two signs of life
STALE_US = 10_000_000  # a process silent this long (killed) no longer counts
DRAIN = 0.5  # seconds for the turns a process had in hand when it learnt of a newcomer


class Peers:
    def __init__(self, store: Store, intake: Intake, every: float = BEAT_EVERY) -> None:
        self.store = store
        self.intake = intake
        self.every = every
        self._id: int | None = None
        self._others: int | None = None

    async def join(self) -> None:
        """Join the list; with others on the database, wait until they know of this process
        (at most ``STALE_US``: a process that never says so by then is taken for dead)."""
        await self._beat()
        if not self._others or self._id is None:
            return
        # Listed (committed) before this moment: a beat of another process stamped later
        # counted this one, so that process takes a place in line for its messages from then.
        joined = wall_us()
        deadline = time.monotonic() + STALE_US / 1e6
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            try:  # beating meanwhile: a process joining at the same time waits for this one
                await off_loop(self.store.server_beat, self._id, wall_us(), STALE_US)
                unaware = await off_loop(
                    self.store.server_unaware, self._id, joined, wall_us(), STALE_US
                )
            except Exception as error:
                log.warning("could not ask the other serve processes: %s", error)
                continue
            if not unaware:
                await asyncio.sleep(DRAIN)
                return
        log.warning("serve processes silent since this one joined: taking messages anyway")

    async def run(self, gone: asyncio.Event) -> None:
        """Beat until ``gone`` is set (the process takes no more messages), then leave."""
        try:
            while not gone.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(gone.wait(), self.every)
                if not gone.is_set():
                    await self._beat()
        finally:
            self.intake.alone = False
            try:  # the counts kept here, back in the database for whoever goes on
                await off_loop(self.intake.keep_company, False)
            except Exception as error:
                log.warning("rate-limit counts not handed back: %s", type(error).__name__)
            if self._id is not None:
                try:
                    await off_loop(self.store.server_leave, self._id)
                except Exception as error:  # stale in STALE_US anyway
                    log.warning("could not leave the list of serve processes: %s", error)

    async def _beat(self) -> None:
        try:
            if self._id is None:
                self._id = await off_loop(
                    self.store.server_join, socket.gethostname(), os.getpid(), wall_us()
                )
            others = await off_loop(self._beat_once, self._id)
            if others is None:  # forgotten (silent for an hour): join again, as a newcomer
                self._id, self._others, self.intake.alone = None, None, False
                await self.join()
                return
        except Exception as error:
            self.intake.alone = False
            metrics.serve_processes(0)
            log.warning("serve processes not counted: %s: %.200s", type(error).__name__, error)
            return
        metrics.serve_processes(others + 1)
        if others != self._others:
            if others:
                log.info("%d other serve process(es) on this database: messages take a place "
                         "in line", others)  # fmt: skip
            else:
                log.info("alone on this database: messages kept in order in this process")
            self._others = others

    def _beat_once(self, server: int) -> int | None:
        """Say this process is alive; how many others were heard from lately (None: this one
        was forgotten). Whether it is alone changes at once, in the same thread, with the
        rate limit's counts moved to where they are kept now."""
        others = self.store.server_beat(server, wall_us(), STALE_US)
        if others is not None:
            self.intake.keep_company(others == 0)
        return others
