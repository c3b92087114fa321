"""Telegram: starting and stopping the bot: a rejected, unreachable or revoked token (never
shown in logs or tracebacks), and `vaxbot serve` running the bot beside the SMS webhooks.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import socket

import pytest
from telegram.error import InvalidToken

from bot.engine import Engine
from bot.intake import Intake
from channels.server import Settings, serve
from channels.telegram import TelegramChannel, TelegramConfigError, TelegramStartError
from flows.policy import Policy
from store import Store
from tests.conftest import Clock
from tests.fakes.bot_api import FakeBotApi, Sent
from tests.telegram_support import PUBLIC_URL, TOKEN, polling

# -- start and stop when things go wrong -----------------------------------------------------


def test_a_rejected_token_fails_the_start_without_showing_it(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def run() -> None:
        async with FakeBotApi(TOKEN) as api:
            wrong = TOKEN[:-4] + "zzzz"
            channel = TelegramChannel(Intake(engine), wrong, base_url=api.base_url)
            with pytest.raises(TelegramConfigError) as rejected:
                await channel.start()
            assert wrong not in str(rejected.value)
            assert [(c.method, c.ok) for c in api.calls] == [("getMe", False)]
            assert not channel.running
            await channel.stop()  # again: nothing left to do

    asyncio.run(run())
    gc.collect()  # an unclosed connection would warn now (warnings are errors)
    assert "zzzz" not in caplog.text


def test_telegram_unreachable_fails_the_start(engine: Engine) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def run() -> None:
        channel = TelegramChannel(Intake(engine), TOKEN, base_url=f"http://127.0.0.1:{port}/bot")
        with pytest.raises(TelegramStartError, match="Telegram unavailable: NetworkError"):
            await channel.start()

    asyncio.run(run())
    gc.collect()


def test_a_token_revoked_while_polling_is_not_logged_and_stop_still_works(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def run() -> None:
        async with polling(engine) as (api, _channel):
            api.token = "7000001:a-new-token"  # revoked with @BotFather
            for _ in range(400):
                if any(c.method == "getUpdates" and not c.ok for c in api.calls):
                    break
                await asyncio.sleep(0.01)
            else:
                pytest.fail("the bot never polled with the revoked token")
            await asyncio.sleep(0.05)
        # polling() stopped the channel: no exception, connections closed.

    asyncio.run(run())
    gc.collect()
    assert "Invalid token. Aborting retry loop." in caplog.text
    assert "telegram: while stopping: InvalidToken" in caplog.text
    assert "telegram stopped" in caplog.text
    assert TOKEN not in caplog.text


def test_the_token_is_hidden_in_tracebacks_too(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    channel = TelegramChannel(Intake(engine), TOKEN)
    try:
        try:
            raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
        except InvalidToken:
            logging.getLogger("telegram.ext").exception("polling failed for bot%s", TOKEN)
    finally:
        asyncio.run(channel.stop())
    assert "was rejected by the server" in caplog.text and "polling failed" in caplog.text
    assert TOKEN not in caplog.text
    logging.getLogger("telegram.ext").error("after stop: %s", "filters removed")
    assert "after stop: filters removed" in caplog.text


def test_serve_runs_the_telegram_bot_beside_the_sms_webhooks(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """`vaxbot serve` with a Telegram token: the bot answers /start on the same event loop."""

    async def scenario() -> list[Sent]:
        async with FakeBotApi(TOKEN) as api:
            env = {
                "VAXBOT_TELEGRAM_TOKEN": TOKEN,
                "VAXBOT_TELEGRAM_API_BASE": api.base_url.removesuffix("/bot"),
            }
            settings = Settings.from_env(env, insecure=True, default_url=PUBLIC_URL)
            ready = asyncio.Event()
            serving = asyncio.create_task(
                serve(store, policy, clock, settings, "127.0.0.1", 0, ready)  # any free port
            )
            await asyncio.wait_for(ready.wait(), 60)  # only so a hang fails
            lin = api.user(1020, "琳", "zh-hans")
            update = api.push(api.text(lin, "/start"))
            await api.wait_confirmed(update["update_id"])
            for _ in range(100):  # the reply follows the confirmation shortly
                if api.sent_to(lin):
                    break
                await asyncio.sleep(0.05)
            os.kill(os.getpid(), signal.SIGTERM)  # serve stops on SIGTERM, as in production
            await asyncio.wait_for(serving, 10)
            return api.sent_to(lin)

    sent = asyncio.run(scenario())
    assert sent and "疫苗接种预约" in sent[0].text
