"""What the webhooks of one ``vaxbot serve`` process share: the intake (bot/intake.py, the one
way to the engine: dedupe, rate limit, order, redaction, turns off the event loop) and the
outbox's wake-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.engine import Engine
from bot.intake import Intake, Receipt
from bot.messages import Inbound, Reply
from flows.identity import normalise_phone
from store import Store


class Gateway:
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.sent_changed: Callable[[], None] = lambda: None  # wakes the outbox sender

    @property
    def engine(self) -> Engine:
        return self.intake.engine

    async def turn(
        self, channel: str, sender: str, body: str, message_id: str, lang: str | None = None
    ) -> list[Reply]:
        """One inbound message through the intake; its replies (rate-limited senders get one
        polite reply, then none)."""
        receipt = await self.intake.take(Inbound(channel, sender, body, message_id, lang=lang))
        return receipt.replies

    async def turn_and_queue(
        self,
        channel: str,
        sender: str,
        body: str,
        message_id: str,
        key: str,
        render: Callable[[Reply], str],
    ) -> Receipt:
        """For gateways that take no reply in their webhook's response: the replies are queued
        in the outbox (``reply:<key>:<n>``) inside the turn's transaction, so an accepted
        message always has its replies stored; a redelivery queues nothing new (same keys)."""
        address = (normalise_phone(sender) if channel == "sms" else None) or sender
        store = self.engine.store

        def queue(replies: list[Reply]) -> None:
            now = self.engine.clock()
            for n, reply in enumerate(replies):
                store.enqueue(channel, address, render(reply), f"reply:{key}:{n}", now, now,
                              "reply")  # fmt: skip

        receipt = await self.intake.take(Inbound(channel, sender, body, message_id), then=queue)
        if receipt.limited and receipt.replies:  # no turn ran: the polite reply on its own
            await asyncio.get_running_loop().run_in_executor(
                None, _in_transaction, store, lambda: queue(receipt.replies)
            )
        if receipt.replies:
            self.sent_changed()
        return receipt

    async def send_replies(
        self, channel: str, address: str, bodies: list[str], message_id: str
    ) -> None:
        """Queue replies in the outbox (``reply:<message_id>:<n>``), off the event loop: for
        what a webhook's response cannot hold (WeChat's parts after the first, a turn that
        missed WeChat's deadline); a redelivery queues nothing new (same keys)."""
        store, now = self.engine.store, self.engine.clock()

        def queue() -> None:
            for n, body in enumerate(bodies):
                store.enqueue(channel, address, body, f"reply:{message_id}:{n}", now, now,
                              "reply")  # fmt: skip

        if bodies:
            await asyncio.get_running_loop().run_in_executor(None, _in_transaction, store, queue)
            self.sent_changed()

    async def delivery_status(
        self, provider_id: str, status: str, error: str | None, opted_out: bool
    ) -> None:
        store, now = self.engine.store, self.engine.clock()
        await asyncio.get_running_loop().run_in_executor(
            None, store.delivery_status, provider_id, status, error, opted_out, now
        )


def _in_transaction(store: Store, work: Callable[[], None]) -> None:
    with store.transaction():
        work()
