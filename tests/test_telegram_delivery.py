"""Telegram: sending: replies rendered to text and inline keyboards, long texts split, and
outbox messages delivered by ``TelegramDelivery`` with Bot API errors mapped to outcomes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.engine import Engine
from bot.messages import Reply, ReplyOption
from bot.outbox import DeliveryError, OptedOut, Undeliverable, deliver_due
from channels.telegram_send import TelegramDelivery, render, split
from flows.policy import Policy
from store import Outgoing, Store
from tests.conftest import Clock
from tests.telegram_support import polling

# -- rendering --------------------------------------------------------------------------------


def test_keys_that_do_not_fit_in_callback_data_are_listed_in_the_text() -> None:
    long_ascii, long_cjk = "k" * 65, "键" * 22  # 65 bytes; 66 bytes in UTF-8
    fits_exactly = "x" * 64
    reply = Reply(
        "Pick:",
        (ReplyOption("1", "One"), ReplyOption(long_ascii, "Two"), ReplyOption(long_cjk, "Three"),
         ReplyOption(fits_exactly, "Four")),
    )  # fmt: skip
    [text], markup = render(reply)
    assert text == f"Pick:\n{long_ascii}. Two\n{long_cjk}. Three"
    assert markup is not None
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [
        ["1"],
        [fits_exactly],
    ]
    [text], markup = render(Reply("Plain."))
    assert (text, markup) == ("Plain.", None)


def test_long_texts_are_split_at_line_ends() -> None:
    assert split("short") == ["short"]
    lines = "\n".join(f"line {n:04d}" for n in range(1000))  # 9,999 characters
    pieces = split(lines)
    assert all(len(piece) <= 4096 for piece in pieces) and len(pieces) == 3
    assert "\n".join(pieces) == lines
    assert split("x" * 5000) == ["x" * 4096, "x" * 904]


# -- outbound: TelegramDelivery ---------------------------------------------------------------


def outgoing(address: str, text: str = "Reminder: dose 1 tomorrow 14:00.") -> Outgoing:
    return Outgoing(1, "telegram", address, text, "reminder:1", "notice", 0)


def test_delivery_sends_and_maps_bot_api_errors(engine: Engine) -> None:
    async def run() -> None:
        async with polling(engine) as (api, channel):
            ida = api.user(1008, "Ida", "en")
            delivery = channel.delivery()
            assert (delivery.channel, delivery.idempotent) == ("telegram", False)

            provider_id = await delivery.send(outgoing("1008"))
            [sent] = api.sent_to(ida)
            assert sent.text == "Reminder: dose 1 tomorrow 14:00."
            assert provider_id == f"1008:{sent.message['message_id']}"

            api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
            with pytest.raises(OptedOut, match="blocked by the user"):
                await delivery.send(outgoing("1008"))
            api.fail_next("sendMessage", 400, "Bad Request: chat not found")
            with pytest.raises(Undeliverable) as bad:
                await delivery.send(outgoing("1008"))
            assert not isinstance(bad.value, OptedOut)
            api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
            with pytest.raises(DeliveryError) as later:
                await delivery.send(outgoing("1008"))
            assert not isinstance(later.value, Undeliverable)
            api.fail_next("sendMessage", 502, "Bad Gateway")
            with pytest.raises(DeliveryError) as later:
                await delivery.send(outgoing("1008"))
            assert not isinstance(later.value, Undeliverable)

            with pytest.raises(Undeliverable, match=r"(?i)chat not found"):
                await delivery.send(outgoing("4242"))  # never wrote to the bot
            with pytest.raises(Undeliverable, match="not a Telegram chat id"):
                await delivery.send(outgoing("+8613800138000"))
            api.block(ida)
            with pytest.raises(OptedOut):
                await delivery.send(outgoing("1008"))
            assert len(api.sent_to(ida)) == 1

    asyncio.run(run())


class RaisingBot:
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def send_message(self, chat_id: int, text: str) -> Any:
        raise self.error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (Forbidden("Forbidden: user is deactivated"), OptedOut),
        (BadRequest("Bad Request: message text is empty"), Undeliverable),
        (TimedOut(), DeliveryError),
        (NetworkError("httpx.ConnectError: All connection attempts failed"), DeliveryError),
        (RetryAfter(30), DeliveryError),
    ],
)
def test_delivery_error_classes(error: Exception, expected: type[Exception]) -> None:
    delivery = TelegramDelivery(RaisingBot(error))  # type: ignore[arg-type]
    with pytest.raises(DeliveryError) as raised:
        asyncio.run(delivery.send(outgoing("1008")))
    assert type(raised.value) is expected


def test_the_outbox_opts_out_a_user_who_blocked_the_bot(
    engine: Engine, store: Store, policy: Policy, clock: Clock
) -> None:
    async def run() -> None:
        async with polling(engine) as (api, channel):
            ida, jo = api.user(1009, "Ida", "en"), api.user(1010, "Jo", "en")
            api.block(jo)
            now = clock()
            store.enqueue("telegram", "1009", "Reminder for Ida", "r:1", now, now, "notice")
            store.enqueue("telegram", "1010", "Reminder for Jo", "r:2", now, now, "notice")
            report = await deliver_due(store, {"telegram": channel.delivery()}, policy, clock)
            assert (report.sent, report.failed) == (1, 1)
            assert [s.text for s in api.sent_to(ida)] == ["Reminder for Ida"]
            assert store.opted_out("telegram", "1010")
            assert not store.opted_out("telegram", "1009")

    asyncio.run(run())
