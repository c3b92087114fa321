"""Telegram: webhook mode: updates POSTed to the channel's route on an app like serve's, the
secret token checked, bad bodies refused; and the webhook settings.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.engine import Engine
from bot.intake import Intake
from channels.telegram import (
    SECRET_HEADER,
    TelegramChannel,
    TelegramConfigError,
    TelegramSettings,
    Webhook,
)
from store import Store
from tests.fakes.bot_api import FakeBotApi
from tests.telegram_support import PUBLIC_URL, TOKEN

SECRET = "webhook-secret_for-tests"


HOOK_PATH = "/telegram/hook-1234"


# -- webhook mode -----------------------------------------------------------------------------


@asynccontextmanager
async def webhook_serving(
    engine: Engine,
) -> AsyncIterator[tuple[FakeBotApi, TelegramChannel, aiohttp.ClientSession, str]]:
    """The channel in webhook mode, its route on an app like serve's (32 kB bodies)."""
    async with FakeBotApi(TOKEN) as api:
        hook = Webhook(PUBLIC_URL, SECRET, HOOK_PATH)
        channel = TelegramChannel(Intake(engine), TOKEN, base_url=api.base_url, webhook=hook)
        app = web.Application(client_max_size=32 * 1024)
        channel.routes(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}{HOOK_PATH}"
        try:
            async with aiohttp.ClientSession() as session:
                await channel.start()
                try:
                    yield api, channel, session, url
                finally:
                    await channel.stop()
        finally:
            await runner.cleanup()


def test_webhook_mode_checks_the_secret_token(engine: Engine, store: Store) -> None:
    async def post(session: aiohttp.ClientSession, url: str, body: Any, secret: str | None) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with session.post(url, json=body, headers=headers) as response:
            return response.status

    async def run() -> None:
        async with webhook_serving(engine) as (api, channel, session, url):
            assert api.webhook["url"] == PUBLIC_URL + HOOK_PATH
            assert api.webhook["secret_token"] == SECRET
            assert api.webhook["allowed_updates"] == ["message", "callback_query"]
            assert api.calls_to("getUpdates") == [] and api.calls_to("deleteWebhook") == []
            ida = api.user(1007, "Ida", "en")
            start = api.text(ida, "/start")

            assert await post(session, url, start, "wrong-secret") == 403
            assert await post(session, url, start, None) == 403
            assert await post(session, url, start, SECRET.upper()) == 403
            await asyncio.sleep(0.05)
            assert api.sent_to(ida) == []
            assert store.load_state("telegram", "1007") is None

            assert await post(session, url, start, SECRET) == 200
            assert await post(session, url, start, SECRET) == 200  # Telegram tried again
            await asyncio.wait_for(channel.app.update_queue.join(), 5)
            first, second = api.sent_to(ida)
            assert first.text == second.text
            assert first.text.startswith("Hello! This is COVID-19 vaccination booking.")

            press = api.press(ida, second, "1")  # the latest buttons
            assert await post(session, url, press, SECRET) == 200
            await asyncio.wait_for(channel.app.update_queue.join(), 5)
            assert api.sent_to(ida)[-1].text.startswith("Pre-registration: give true details")
            assert [c.ok for c in api.calls_to("answerCallbackQuery")] == [True]

            assert await post(session, url, "not an update", SECRET) == 400
            async with session.post(url, data=b"{", headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 400
            assert await post(session, url, {"update_id": 1} | {"x": "y" * 40_000}, SECRET) == 200

            await channel.stop()
            assert await post(session, url, api.text(ida, "hello"), SECRET) == 503

    asyncio.run(run())


def test_webhook_settings_are_checked() -> None:
    with pytest.raises(TelegramConfigError):
        Webhook(PUBLIC_URL, "has spaces")
    with pytest.raises(TelegramConfigError):
        Webhook(PUBLIC_URL, "x" * 257)
    with pytest.raises(TelegramConfigError):
        Webhook(PUBLIC_URL, SECRET, "telegram")
    assert Webhook(PUBLIC_URL + "/", SECRET).url == PUBLIC_URL + "/telegram/webhook"

    assert TelegramSettings.from_env({}).token is None
    settings = TelegramSettings.from_env(
        {"VAXBOT_TELEGRAM_TOKEN": TOKEN, "VAXBOT_TELEGRAM_API_BASE": "http://127.0.0.1:8081/"}
    )
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.webhook(PUBLIC_URL) is None
    settings = TelegramSettings.from_env(
        {
            "VAXBOT_TELEGRAM_TOKEN": TOKEN,
            "VAXBOT_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "VAXBOT_TELEGRAM_WEBHOOK_PATH": HOOK_PATH,
        }
    )
    assert settings.base_url == "https://api.telegram.org/bot"
    assert settings.webhook(PUBLIC_URL) == Webhook(PUBLIC_URL, SECRET, HOOK_PATH)
    with pytest.raises(TelegramConfigError):
        TelegramSettings.from_env({"VAXBOT_TELEGRAM_WEBHOOK_SECRET": SECRET})
    with pytest.raises(TelegramConfigError):
        TelegramSettings.from_env(
            {"VAXBOT_TELEGRAM_TOKEN": TOKEN, "VAXBOT_TELEGRAM_WEBHOOK_SECRET": "a b"}
        )
