"""Email: outbound delivery through the relay: what its answers mean to the outbox (refused
for good, try again later, nobody listening) and a stored reply sent whole.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.messages import Reply, ReplyOption
from bot.outbox import DeliveryError, Undeliverable
from channels.mail import EmailDelivery, RelaySettings
from channels.mail.writing import compose
from store import Outgoing
from tests.email_support import BOT, ZHANG, Relay

# -- delivery outcomes ---------------------------------------------------------------------


def test_delivery_outcomes() -> None:
    async def run() -> None:
        relay = Relay(
            refuse={
                "gone@example.com": "550 5.1.1 <gone@example.com>: Recipient address rejected",
                "full@example.com": "452 4.2.2 <full@example.com>: Mailbox full",
            }
        )
        await relay.start()
        delivery = EmailDelivery(RelaySettings("127.0.0.1", relay.port), BOT, "vax.example.org")

        def row(address: str, key: str = "reminder:1") -> Outgoing:
            return Outgoing(1, "email", address, "text", key, "notice", 0)

        try:
            with pytest.raises(Undeliverable) as gone:
                await delivery.send(row("gone@example.com"))
            assert "gone@example.com" not in str(gone.value) and "g***@example.com" in str(
                gone.value
            )
            with pytest.raises(DeliveryError) as full:
                await delivery.send(row("full@example.com"))
            assert not isinstance(full.value, Undeliverable)
            with pytest.raises(Undeliverable):
                await delivery.send(row("+8613800138000"))

            stored = compose(
                sender=BOT, to=ZHANG, subject="预约",
                replies=[Reply("您好", (ReplyOption("1", "预约接种"),))],
                in_reply_to="<m@example.com>", domain="vax.example.org",
            )  # fmt: skip
            key = "email:x <m@example.com>"
            await delivery.send(Outgoing(1, "email", ZHANG, stored.as_string(), key, "reply", 0))
            got = await relay.next()
            assert got.message["Message-ID"] == stored["Message-ID"]
            assert got.message["In-Reply-To"] == "<m@example.com>"
            assert got.text == "您好\n回复1 预约接种\n"
        finally:
            await relay.stop()
        with pytest.raises(DeliveryError):  # nobody listening
            await delivery.send(row(ZHANG))

    asyncio.run(run())
