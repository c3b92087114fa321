"""A ``bot.outbox.Delivery`` that records what it is given and fails when told to."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from store import Outgoing, Store


class ScriptedDelivery:
    """Implements the ``Delivery`` protocol in memory.

    ``errors`` are raised by the next calls, one each, in order; ``always`` (if set) is raised by
    every call; otherwise the message is "sent" and its provider id is ``prov-<key>``. ``pause``
    seconds are spent in each call (to see how many run at once).
    """

    def __init__(self, channel: str = "sms", idempotent: bool = True, pause: float = 0.0) -> None:
        self.channel = channel
        self.idempotent = idempotent
        self.pause = pause
        self.calls: list[Outgoing] = []
        self.errors: deque[Exception] = deque()
        self.always: Exception | None = None
        self.running = 0
        self.most_at_once = 0

    async def send(self, message: Outgoing) -> str | None:
        self.calls.append(message)
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            if self.pause:
                await asyncio.sleep(self.pause)
            if self.always is not None:
                raise self.always
            if self.errors:
                raise self.errors.popleft()
            return f"prov-{message.key}"
        finally:
            self.running -= 1

    @property
    def keys(self) -> list[str]:
        return [message.key for message in self.calls]


def outbox_rows(store: Store) -> list[dict[str, Any]]:
    """The outbox table as dicts, oldest first."""
    return store.outbox_rows()


def outbox_row(store: Store, key: str) -> dict[str, Any]:
    row = store.outbox_row(key)
    assert row is not None, f"nothing queued with the key {key}"
    return row
