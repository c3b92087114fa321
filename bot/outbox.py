"""Sending the outbox: due messages go out through the channels' delivery adapters.

Every outbound message (confirmation to another phone, reminder, alert, offer) is a row in the
store before anything is sent. A sender claims due rows, hands each to its channel's
``Delivery``, and records the outcome:

- sent: ``sent_at`` and the provider's id;
- a temporary failure: tried again later, the wait doubling each time (``policy.outbox``),
  until ``max_attempts``;
- a permanent failure, or the address opted out: ``failed_at`` with the reason.

A claim is a lease: if the process dies after sending and before recording it, the row is
claimed again once the lease runs out and sent again *with the same idempotency key*, so a
channel that honours keys (``Delivery.idempotent``) delivers it once. On one that does not
(Twilio), a send is recorded as begun (``Store.sending_begins``) before it goes out and ended
once its outcome is known; a row claimed again with its send still begun was in flight when a
process died, and is first looked for in the gateway's own list of messages
(``Delivery.reconcile``, e.g. Twilio's Messages list by recipient and date): found, it is
recorded as sent with that message's id and not sent again.

Every store call here runs off the event loop (``bot.offloop``), one logical step (a claim, an
outcome with its ``sending`` row, a reconciliation) per call and per transaction as before: a
slow database, or a lock held by another process, keeps this sender waiting and nothing else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.offloop import off_loop
from flows.identity import mask_address
from flows.policy import Policy
from store import Outgoing, Store

log = logging.getLogger("vaxbot.outbox")

LEASE = timedelta(minutes=5)


class DeliveryError(Exception):
    """Sending failed for now; worth trying again later."""


class Undeliverable(DeliveryError):
    """Sending can never succeed (bad number, rejected content)."""


class OptedOut(Undeliverable):
    """The provider says the recipient has opted out (e.g. Twilio error 21610)."""


class Delivery(Protocol):
    """A channel's sending side."""

    channel: str
    idempotent: bool  # the provider deduplicates by our idempotency key

    async def send(self, message: Outgoing) -> str | None:
        """Send one message; return the provider's id for it. Raise ``DeliveryError``."""
        ...


class Reconciling(Delivery, Protocol):
    """A channel without idempotency keys whose provider lists the messages it took."""

    async def reconcile(self, message: Outgoing, since: datetime) -> list[str]:
        """The provider's ids of messages like ``message`` (same recipient and text) it took
        since ``since``, newest first. Raise ``DeliveryError`` if it cannot tell now."""
        ...


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0  # notices to opted-out addresses
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sent or self.retried or self.failed or self.held)


def backoff(policy: Policy, attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: doubling from ``backoff_seconds``, capped."""
    seconds = policy.outbox.backoff_seconds * 2 ** min(attempts, 30)
    return timedelta(seconds=min(seconds, policy.outbox.backoff_cap_seconds))


async def deliver_due(
    store: Store,
    deliveries: Mapping[str, Delivery],
    policy: Policy,
    clock: Clock,
    limit: int = 200,
    parallel: int = 8,
) -> Report:
    """Send what is due now through the configured channels; one pass, at most ``limit``.

    A notice queued for a phone (channel ``sms``) goes where the person talks (``routes``),
    so it is taken even when no SMS gateway is configured. Up to ``parallel`` sends are under
    way at once, begun in the order claimed (oldest first: a reply's parts go out in order):
    each message's steps before its send wait until the one before it has begun its own.
    """
    report = Report()
    if not deliveries:
        return report
    channels = sorted({*deliveries, "sms"})
    batch = await off_loop(store.claim_due, clock(), channels, limit, LEASE)
    gate = asyncio.Semaphore(parallel)
    begun = [asyncio.Event() for _ in batch]  # each message's send has begun (or never will)

    async def one(n: int, message: Outgoing) -> None:
        try:
            if n:
                await begun[n - 1].wait()
            async with gate:
                await _deliver(store, deliveries, message, policy, clock, report, begun[n].set)
        finally:
            begun[n].set()

    await asyncio.gather(*(one(n, message) for n, message in enumerate(batch)))
    return report


def routes(
    store: Store, deliveries: Mapping[str, Delivery], message: Outgoing
) -> list[tuple[str, str]]:
    """Where to try ``message``, best first, among the channels that can send now.

    A notice to a phone goes to the channel its account chose (通知方式), else the one it
    last talked on, then the others, SMS to the phone last; an address that opted out
    (unfollowed, blocked the bot) is skipped. Anything else goes where it was queued.
    """
    own = (message.channel, message.address)
    if message.kind != "notice" or message.channel != "sms":
        return [own] if message.channel in deliveries else []
    return [
        (channel, address)
        for channel, address in store.notice_routes(message.address)
        if channel in deliveries
        and ((channel, address) == own or not store.opted_out(channel, address))
    ]


async def _deliver(
    store: Store,
    deliveries: Mapping[str, Delivery],
    message: Outgoing,
    policy: Policy,
    clock: Clock,
    report: Report,
    sending: Callable[[], None] = lambda: None,
) -> None:
    """One message through the first of its routes that takes it; ``sending`` is called as
    its first send begins."""
    who = f"{message.channel}:{mask_address(message.address)}"
    tries = await off_loop(_held_or_routes, store, deliveries, message, clock())
    if tries is None:
        report.held += 1
        return
    if not tries:  # nothing can carry it now: it waits, claimed, until the lease runs out
        return
    for n, (channel, address) in enumerate(tries):
        delivery, last = deliveries[channel], n == len(tries) - 1
        params = (
            await off_loop(store.outbox_params, message.id)
            if getattr(delivery, "templated", False)
            else None
        )
        routed = replace(message, channel=channel, address=address, params=params)
        tracked = not getattr(delivery, "idempotent", False)
        if tracked:
            try:
                if await _already_sent(store, delivery, routed, clock, report):
                    return
            except Exception as exc:  # cannot tell whether it went out: not now, then
                await _retry(store, message, f"not reconciled: {exc}", policy, clock(), report)
                log.warning("outbox %s to %s: not reconciled: %s", message.id, who, exc)
                return
            await off_loop(store.sending_begins, message.id, clock())
        sending()
        try:
            provider_id = await delivery.send(routed)
        except OptedOut as exc:
            reason = f"opted out: {exc}" if last else None
            await off_loop(_refused, store, message.id, tracked, reason, clock(),
                           (channel, address))  # fmt: skip
            log.info("outbox %s to %s: recipient opted out", message.id, who)
            if last:
                report.failed += 1
                return
        except Undeliverable as exc:
            await off_loop(_refused, store, message.id, tracked, str(exc) if last else None,
                           clock())  # fmt: skip
            if not last:
                log.info("outbox %s: %s cannot deliver (%s); trying %s", message.id, channel,
                         exc, tries[n + 1][0])  # fmt: skip
                continue
            log.warning("outbox %s to %s undeliverable: %s", message.id, who, exc)
            report.failed += 1
            report.errors.append(str(exc))
            return
        except Exception as exc:  # a temporary failure, whatever raised it
            error = f"{type(exc).__name__}: {exc}"
            await _retry(store, message, error, policy, clock(), report)
            log.warning("outbox %s to %s failed (attempt %d): %s", message.id, who,
                        message.attempts + 1, exc)  # fmt: skip
            return
        else:
            own = (channel, address) == (message.channel, message.address)
            await off_loop(_sent, store, message.id, provider_id, clock(),
                           None if own else channel, tracked)  # fmt: skip
            report.sent += 1
            return


async def _already_sent(
    store: Store, delivery: Delivery, message: Outgoing, clock: Clock, report: Report
) -> bool:
    """Whether a send of ``message`` was in flight when a process died and the provider took
    it: then it is recorded as sent (with the provider's id) and not sent again. A temporary
    failure (the send may or may not have reached the provider) keeps the send begun."""
    reconcile = getattr(delivery, "reconcile", None)
    if reconcile is None:
        return False
    since = await off_loop(store.sending_since, message.id)
    if since is None:
        return False
    for provider_id in await reconcile(message, since):
        if await off_loop(_sent_before, store, message.id, provider_id, clock()):
            log.info("outbox %s: sent before a restart (found at the provider)", message.id)
            report.sent += 1
            return True
    return False


def _held_or_routes(
    store: Store, deliveries: Mapping[str, Delivery], message: Outgoing, now: datetime
) -> list[tuple[str, str]] | None:
    """None if ``message`` is a notice to an address that opted out (recorded as failed, held
    back); else where to try it (``routes``)."""
    if message.kind == "notice" and store.opted_out(message.channel, message.address):
        store.mark_failed(message.id, "opted out", now)
        return None
    return routes(store, deliveries, message)


def _refused(
    store: Store, message_id: int, tracked: bool, failed: str | None, now: datetime,
    opted_out: tuple[str, str] | None = None,
) -> None:  # fmt: skip
    """A channel refused the message for good (one transaction): the address that ``opted_out``
    recorded so, the send (if tracked) ended, and the row ``failed`` (None: another channel
    is tried next)."""
    with store.transaction():
        if opted_out is not None:
            store.set_opt_out(*opted_out, True, now)
        if tracked:
            store.sending_ends(message_id)
        if failed is not None:
            store.mark_failed(message_id, failed, now)


def _sent(
    store: Store, message_id: int, provider_id: str | None, now: datetime, route: str | None,
    tracked: bool,
) -> None:  # fmt: skip
    """Recorded as sent, and its send (if tracked) as ended: one transaction."""
    with store.transaction():
        store.mark_sent(message_id, provider_id, now, route)
        if tracked:
            store.sending_ends(message_id)


def _sent_before(store: Store, message_id: int, provider_id: str, now: datetime) -> bool:
    """A message the provider took before a restart, found by reconciling: recorded as this
    row's (one transaction), unless another row already records that provider id."""
    if store.provider_id_taken(provider_id):
        return False
    with store.transaction():
        store.mark_sent(message_id, provider_id, now)
        store.sending_ends(message_id)
    return True


async def _retry(
    store: Store, message: Outgoing, error: str, policy: Policy, now: datetime, report: Report
) -> None:
    """Tried again later (the wait doubling), or given up after ``max_attempts``."""
    if message.attempts + 1 >= policy.outbox.max_attempts:
        reason = f"gave up after {message.attempts + 1} attempts: {error}"
        await off_loop(store.mark_failed, message.id, reason, now)
        report.failed += 1
    else:
        await off_loop(store.mark_retry, message.id, error, now + backoff(policy, message.attempts))
        report.retried += 1
    report.errors.append(error)
