"""Whether this ``vaxbot serve`` is alone on its database, kept up to date while it runs.

Several processes taking messages on one database keep each sender's messages in order with a
place in line and a short pause before each turn (bot/intake.py). A process alone needs
neither: ``Peers`` joins the list of serve processes in the database (store/servers.py), says
every ``BEAT_EVERY`` seconds that it is alive, and sets ``Intake.alone`` from how many others
were heard from lately. A process that starts next to a running one knows it at once; the
running one within ``BEAT_EVERY``. Until the database answers, and whenever it does not, the
process counts as not alone (the careful way).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket

from bot import metrics
from bot.intake import Intake, wall_us
from bot.offloop import off_loop
from store import Store

log = logging.getLogger("vaxbot.peers")

BEAT_EVERY = 2.0  # seconds between two signs of life
STALE_US = 10_000_000  # a process silent this long (killed) no longer counts


class Peers:
    def __init__(self, store: Store, intake: Intake, every: float = BEAT_EVERY) -> None:
        self.store = store
        self.intake = intake
        self.every = every
        self._id: int | None = None
        self._others: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Join, beat until ``stop`` is set, then leave."""
        try:
            while not stop.is_set():
                await self._beat()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.every)
        finally:
            self.intake.alone = False
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
            others = await off_loop(self.store.server_beat, self._id, wall_us(), STALE_US)
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
        self.intake.alone = others == 0
