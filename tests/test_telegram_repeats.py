"""Telegram: updates that must not act twice or too often: a duplicated update, buttons of an
older message, and the rate limit shared with every channel.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.engine import Engine
from bot.intake import Intake, RateLimit
from channels.telegram import TelegramChannel
from store import Store
from tests.fakes.bot_api import FakeBotApi
from tests.telegram_support import TOKEN, Conversation, polling

# -- duplicates ------------------------------------------------------------------------------


@pytest.mark.backends("sqlite", "postgresql")
def test_a_duplicated_update_runs_once_and_is_answered_the_same(
    engine: Engine, store: Store
) -> None:
    async def run() -> None:
        async with polling(engine) as (api, channel):
            ben = api.user(1002, "Ben", "en")
            chat = Conversation(api, channel, ben)
            await chat.say("/start")

            # The same button press delivered twice: "1" at the menu is Book; run twice, the
            # second "1" would have agreed to the consent.
            press = chat.press_update("1")
            first, second = await chat.deliver(press, press)
            assert first.text == second.text
            assert first.text.startswith("Pre-registration: give true details")
            consent = [
                [("1. I agree", "1")],
                [("2. I do not agree", "2")],
                [("3. Only the notice, no health info", "3")],
            ]
            assert first.buttons == second.buttons == consent
            state = store.load_state("telegram", "1002")
            assert state is not None and state["step"] == "consent"
            answers = api.calls_to("answerCallbackQuery")
            assert [c.params["callback_query_id"] for c in answers] == [chat.presses[0]] * 2
            assert [c.ok for c in answers] == [True, False]  # Telegram refuses a second answer

            # The same typed message delivered twice: a second "Li Lei" would have answered
            # the document question (and been refused).
            await chat.tap("1")
            await chat.tap("1")
            name = api.text(ben, "Li Lei")
            first, second = await chat.deliver(name, name)
            assert first.text == second.text == "Choose the identity document:"
            state = store.load_state("telegram", "1002")
            assert state is not None and state["step"] == "document"
            assert state["data"]["name"] == "Li Lei"

    asyncio.run(run())


def test_buttons_of_an_older_message_are_out_of_date(engine: Engine, store: Store) -> None:
    """A tap counts only on the latest buttons: "1" on an old menu must not answer the
    screening question now on screen ("1. Yes" to an allergy means no vaccination)."""

    async def run() -> None:
        async with polling(engine) as (api, channel):
            kai = api.user(1011, "Kai", "en")
            chat = Conversation(api, channel, kai)
            [menu] = await chat.say("/start")
            [consent] = await chat.tap("1")

            old = api.press(kai, menu, "1")  # the menu's "Book", under the earlier message
            assert await chat.deliver(old) == []
            state = store.load_state("telegram", "1011")
            assert state is not None and state["step"] == "consent"
            toast = api.calls_to("answerCallbackQuery")[-1]
            assert toast.ok and toast.params["callback_query_id"] == old["callback_query"]["id"]
            assert toast.params["text"] == (
                "Those buttons are out of date: please use the latest message."
            )

            await chat.tap("1")  # the latest buttons: fine
            [name] = await chat.tap("1")
            assert name.text == "Enter the person's full name as on the ID:" and not name.buttons
            # A question without buttons on screen: every earlier button is out of date.
            assert await chat.deliver(api.press(kai, consent, "2")) == []
            state = store.load_state("telegram", "1011")
            assert state is not None and state["step"] == "name"
            [document] = await chat.say("Kai Wang")  # typing always works
            assert document.text == "Choose the identity document:"

    asyncio.run(run())


@pytest.mark.backends("sqlite", "postgresql")
def test_telegram_messages_share_the_rate_limit_of_every_channel(engine: Engine) -> None:
    """Telegram goes through the intake like SMS: over the limit a sender gets one polite
    reply, then silence (it used to bypass the limit)."""

    async def run() -> None:
        async with FakeBotApi(TOKEN) as api:
            door = Intake(engine, RateLimit(3, 60.0))
            channel = TelegramChannel(door, TOKEN, base_url=api.base_url, poll_timeout=5)
            await channel.start()
            try:
                chat = Conversation(api, channel, api.user(1010, "Mia", "zh-hans"))
                for body in ("你好", "菜单", "帮助"):
                    assert await chat.say(body), body
                [limited] = await chat.say("预约")
                assert limited.text == "消息太频繁，请稍后再发。如需帮助请致电热线。"
                assert await chat.say("预约") == []  # then silence
            finally:
                await channel.stop()

    asyncio.run(run())
