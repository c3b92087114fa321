"""What every webhook needs from the engine: a guarded turn, a rate limit, delivery updates.

The gateway is shared by all the SMS webhooks of one ``vaxbot serve`` process.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable

from bot import metrics
from bot.conversation import guess_language
from bot.engine import Engine
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
        self.swept = now()

    def allow(self, sender: str) -> bool:
        moment = self.now()
        if moment - self.swept >= self.window:
            self._sweep(moment)
        times = self.seen.setdefault(sender, deque())
        while times and times[0] <= moment - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(moment)
        return True

    def _sweep(self, moment: float) -> None:
        """Forget senders quiet for a whole window: a rush brings tens of thousands."""
        since = moment - self.window
        self.seen = {who: times for who, times in self.seen.items() if times and times[-1] > since}
        self.warned = {who: at for who, at in self.warned.items() if at > since}
        self.swept = moment

    def first_refusal(self, sender: str) -> bool:
        """Whether this refusal is the first in the current window (it gets one polite reply)."""
        moment = self.now()
        if moment - self.warned.get(sender, -self.window) < self.window:
            return False
        self.warned[sender] = moment
        return True


class Traffic:
    """Counts the messages the webhooks take and logs a summary line every ``every`` seconds.

    In a rush a line per message would be thousands a second: those are DEBUG (``--log-level
    debug``); operators watch this line, and the database keeps every message id anyway.
    """

    def __init__(self, every: float = 60.0, now: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.now = now
        self.since = now()
        self.messages: Counter[str] = Counter()
        self.limited: Counter[str] = Counter()

    def count(self, channel: str, limited: bool) -> None:
        (self.limited if limited else self.messages)[channel] += 1
        moment = self.now()
        if moment - self.since >= self.every:
            self.report(moment)

    def report(self, moment: float) -> None:
        seconds = moment - self.since
        for channel in sorted(self.messages.keys() | self.limited.keys()):
            log.info(
                "%s: %d messages in %.0f s (%.1f/s), %d over the rate limit",
                channel, self.messages[channel], seconds, self.messages[channel] / seconds,
                self.limited[channel],
            )  # fmt: skip
        self.messages.clear()
        self.limited.clear()
        self.since = moment


class Gateway:
    def __init__(
        self,
        engine: Engine,
        limiter: RateLimiter,
        max_text: int = 1600,
        traffic: Traffic | None = None,
    ) -> None:
        self.engine = engine
        self.limiter = limiter
        self.max_text = max_text
        self.traffic = traffic or Traffic()
        self.sent_changed: Callable[[], None] = lambda: None  # wakes the outbox sender

    def turn(
        self, channel: str, sender: str, body: str, message_id: str, lang: str | None = None
    ) -> list[Reply]:
        """Run one inbound message; rate-limited senders get one polite reply, then silence.
        Every channel's messages come this way (SMS webhooks, Telegram): one rate limit."""
        phone = normalise_phone(sender) if channel == "sms" else None
        sender = phone or sender  # one conversation (and one rate limit) per number
        allowed = self.limiter.allow(f"{channel}:{sender}")
        self.traffic.count(channel, limited=not allowed)
        if not allowed:
            metrics.rate_limited(channel)
            if self.limiter.first_refusal(f"{channel}:{sender}"):
                said = lang if lang in ("zh", "en") else guess_language(body)
                return [Reply(text("zh" if said == "zh" else "en", "rate_limited"))]
            return []
        inbound = Inbound(
            channel, sender, body[: self.max_text], message_id, phone=phone, lang=lang
        )
        return self.engine.handle(inbound)

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
