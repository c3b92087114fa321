"""What a deployer watches: turns and their latency, replies, bookings, failures and senders
over the rate limit, as Prometheus metrics (served at ``/metrics`` by ``vaxbot serve``).

The counters live in prometheus-client's default registry, one per process: with several
``serve`` processes, Prometheus scrapes each and sums them.
"""

from __future__ import annotations

import functools

from prometheus_client import Counter, Gauge, Histogram

TURNS = Counter("vaxbot_turns", "Messages answered, by channel and outcome", ["channel", "outcome"])
TURN_SECONDS = Histogram(
    "vaxbot_turn_seconds",
    "Time to answer one message (the whole database transaction)",
    ["channel"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
REPLIES = Counter("vaxbot_replies", "Replies sent back in a turn, by channel", ["channel"])
BOOKINGS = Counter(
    "vaxbot_bookings",
    "Bookings made or moved in conversations, by channel and kind",
    ["channel", "kind"],
)
RATE_LIMITED = Counter(
    "vaxbot_rate_limited",
    "Messages refused over the per-sender rate limit, by channel",
    ["channel"],
)


OUTBOX_WAITING = Gauge("vaxbot_outbox_waiting", "Outbox messages due and not yet sent")
OUTBOX_OLDEST = Gauge(
    "vaxbot_outbox_oldest_seconds", "How long the oldest due outbox message has waited"
)


SERVE_PROCESSES = Gauge(
    "vaxbot_serve_processes",
    "serve processes taking messages on this database, this one included (0: not counted yet)",
)


def serve_processes(count: int) -> None:
    SERVE_PROCESSES.set(count)


def outbox(waiting: int, oldest_seconds: float) -> None:
    OUTBOX_WAITING.set(waiting)
    OUTBOX_OLDEST.set(oldest_seconds)


@functools.cache
def _turns(channel: str, outcome: str) -> Counter:
    return TURNS.labels(channel, outcome)


@functools.cache
def _per_channel(channel: str) -> tuple[Histogram, Counter]:
    return TURN_SECONDS.labels(channel), REPLIES.labels(channel)


def turn(channel: str, outcome: str, seconds: float, replies: int) -> None:
    """One message answered: ``outcome`` is ok, redelivered or failed.

    Every turn counts here, so the labelled children are looked up once per label values
    (``labels()`` validates and locks on each call: a tenth of a number's turn, measured)."""
    _turns(channel, outcome).inc()
    latency, replied = _per_channel(channel)
    latency.observe(seconds)
    if replies:
        replied.inc(replies)


def booked(channel: str, kind: str) -> None:
    BOOKINGS.labels(channel, kind).inc()


def rate_limited(channel: str) -> None:
    RATE_LIMITED.labels(channel).inc()
