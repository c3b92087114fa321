"""Telegram: the real python-telegram-bot ``Application`` (through ``TelegramChannel``) against
``tests.fakes.bot_api``, a Bot API server on loopback, over real HTTP.

Users write and tap buttons through the fake (``getUpdates`` long polling, or webhook POSTs to
an aiohttp app like serve's); what the bot did is read back from the fake: messages with their
inline keyboards, photos, documents, ``answerCallbackQuery``. The engine is the real one on the
seeded demo store with the frozen clock.

Shared by the ``test_telegram_*`` modules: the token, ``polling`` (the channel against
the fake), ``Conversation`` (one user's chat) and ``texts``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.engine import Engine
from bot.intake import Intake
from channels.telegram import TelegramChannel
from tests.fakes.bot_api import FakeBotApi, JSONDict, Sent

TOKEN = "7000001:AAH-fake-token_for-tests-0123456789"


PUBLIC_URL = "https://vaxbot.example.org"


@asynccontextmanager
async def polling(engine: Engine) -> AsyncIterator[tuple[FakeBotApi, TelegramChannel]]:
    async with FakeBotApi(TOKEN) as api:
        channel = TelegramChannel(Intake(engine), TOKEN, base_url=api.base_url, poll_timeout=5)
        await channel.start()
        try:
            yield api, channel
        finally:
            await channel.stop()


class Conversation:
    """One user's private chat with the bot, through the fake API."""

    def __init__(self, api: FakeBotApi, channel: TelegramChannel, user: JSONDict) -> None:
        self.api = api
        self.channel = channel
        self.user = user
        self.seen = 0
        self.presses: list[str] = []  # callback query ids

    async def deliver(self, *updates: JSONDict) -> list[Sent]:
        """Deliver the updates (by getUpdates), wait until handled, return what the bot sent."""
        for update in updates:
            self.api.push(update)
        await self.api.wait_confirmed(max(update["update_id"] for update in updates))
        await asyncio.wait_for(self.channel.app.update_queue.join(), 5)
        return self.new()

    def new(self) -> list[Sent]:
        sent = self.api.sent_to(self.user)
        new, self.seen = sent[self.seen :], len(sent)
        return new

    def last_with_buttons(self) -> Sent:
        return next(s for s in reversed(self.api.sent_to(self.user)) if s.buttons)

    async def say(self, text: str) -> list[Sent]:
        return await self.deliver(self.api.text(self.user, text))

    def press_update(self, key: str) -> JSONDict:
        update = self.api.press(self.user, self.last_with_buttons(), key)
        self.presses.append(update["callback_query"]["id"])
        return update

    async def tap(self, key: str) -> list[Sent]:
        return await self.deliver(self.press_update(key))


def texts(sent: list[Sent]) -> str:
    return "\n".join(s.text for s in sent if s.method == "sendMessage")
