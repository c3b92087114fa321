"""What every webhook needs from the engine: a guarded turn, a rate limit, delivery updates.

The gateway is shared by all the SMS webhooks of one ``vaxbot serve`` process.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

from bot.engine import Engine, guess_language
from bot.messages import Inbound, Reply
from flows.identity import normalise_phone
from flows.texts import text

log = logging.getLogger("vaxbot.gateway")


class RateLimiter:
    """At most ``limit`` messages per sender in any ``window`` seconds (in this process)."""

    def __init__(self, limit: int, window: float, now: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.now = now
        self.seen: dict[str, deque[float]] = {}
        self.warned: dict[str, float] = {}

    def allow(self, sender: str) -> bool:
        moment = self.now()
        times = self.seen.setdefault(sender, deque())
        while times and times[0] <= moment - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(moment)
        return True

    def first_refusal(self, sender: str) -> bool:
        """Whether this refusal is the first in the current window (it gets one polite reply)."""
        moment = self.now()
        if moment - self.warned.get(sender, -self.window) < self.window:
            return False
        self.warned[sender] = moment
        return True


class Gateway:
    def __init__(self, engine: Engine, limiter: RateLimiter, max_text: int = 1600) -> None:
        self.engine = engine
        self.limiter = limiter
        self.max_text = max_text
        self.sent_changed: Callable[[], None] = lambda: None  # wakes the outbox sender

    def turn(self, channel: str, sender: str, body: str, message_id: str) -> list[Reply]:
        """Run one inbound message; rate-limited senders get one polite reply, then silence."""
        if not self.limiter.allow(sender):
            if self.limiter.first_refusal(sender):
                return [Reply(text(guess_language(body), "rate_limited"))]
            return []
        if channel == "sms":  # one conversation per number, however the gateway writes it
            sender = normalise_phone(sender) or sender
        return self.engine.handle(Inbound(channel, sender, body[: self.max_text], message_id))

    def send_replies(self, channel: str, address: str, bodies: list[str], message_id: str) -> None:
        """Queue replies for gateways that take none in their webhook response; a redelivered
        message queues nothing new (same idempotency keys)."""
        store = self.engine.store
        now = self.engine.clock()
        with store.transaction():
            for n, body in enumerate(bodies):
                store.enqueue(channel, address, body, f"reply:{message_id}:{n}", now, now, "reply")
        if bodies:
            self.sent_changed()

    def delivery_status(
        self, provider_id: str, status: str, error: str | None, opted_out: bool
    ) -> None:
        self.engine.store.delivery_status(
            provider_id, status, error, opted_out, self.engine.clock()
        )
