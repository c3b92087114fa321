"""Telegram: the real python-telegram-bot ``Application`` (through ``TelegramChannel``) against
``tests.fakes.bot_api``, a Bot API server on loopback, over real HTTP.

Users write and tap buttons through the fake (``getUpdates`` long polling, or webhook POSTs to
an aiohttp app like serve's); what the bot did is read back from the fake: messages with their
inline keyboards, photos, documents, ``answerCallbackQuery``. The engine is the real one on the
seeded demo store with the frozen clock.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.engine import Engine
from bot.intake import Intake, RateLimit
from bot.messages import Inbound, Reply, ReplyOption
from bot.outbox import DeliveryError, OptedOut, Undeliverable, deliver_due
from channels.server import Settings, serve
from channels.telegram import (
    SECRET_HEADER,
    TelegramChannel,
    TelegramConfigError,
    TelegramSettings,
    TelegramStartError,
    Webhook,
    language,
)
from channels.telegram_send import TelegramDelivery, render, split
from flows.documents import qr_code
from flows.policy import Policy
from store import Outgoing, Store
from tests.conftest import Clock
from tests.fakes.bot_api import FakeBotApi, JSONDict, Sent

TOKEN = "7000001:AAH-fake-token_for-tests-0123456789"
SECRET = "webhook-secret_for-tests"
PUBLIC_URL = "https://vaxbot.example.org"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


HOOK_PATH = "/telegram/hook-1234"


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


# -- a whole booking by buttons --------------------------------------------------------------

# (what the user does, with what, a phrase of the bot's last message after it)
BOOKING: list[tuple[str, str, str]] = [
    ("tap", "1", "Pre-registration: give true details"),
    ("tap", "1", "Who are you registering?"),
    ("tap", "1", "Enter the person's full name as on the ID:"),
    ("say", "Li Lei", "Choose the identity document:"),
    ("tap", "1", "Enter the 18-character resident ID number:"),
    ("say", "440106199203151244", "Enter the person's mobile number:"),  # none on Telegram
    ("say", "13800138000", "Do you live in Tianhe?"),  # from the ID (440106)
    ("tap", "1", "Li Lei: any of these?\n1 Vaccine allergy"),
    ("say", "none", "Choose the district of the vaccination site:"),
    ("tap", "1", "Choose a site:"),
    ("tap", "2", "Choose a date"),
    ("tap", "4", "Sun 20 Jun: choose a time:"),
    ("tap", "3", "Please confirm: Li Lei, dose 1, Sun 20 Jun 14:00-16:00"),
]


@pytest.mark.backends("sqlite", "postgresql")
def test_registration_screening_and_booking_by_buttons(
    engine: Engine, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # `logs.configure()` may have quieted it

    async def run() -> None:
        async with polling(engine) as (api, channel):
            ana = api.user(1001, "Ana", "en")
            chat = Conversation(api, channel, ana)

            [menu] = await chat.say("/start")
            assert menu.text.startswith("Hello! This is COVID-19 vaccination booking.")
            assert menu.buttons == [  # a long list: one column, numbered like the SMS menu
                [("1. Book a vaccination", "1")], [("2. My bookings", "2")],
                [("3. Cancel a booking", "3")], [("4. Change a booking", "4")],
                [("5. Pre-register", "5")], [("6. Talk to a person", "6")],
            ]  # fmt: skip

            said = []
            for action, value, expected in BOOKING:
                sent = await (chat.tap(value) if action == "tap" else chat.say(value))
                assert sent and {s.method for s in sent} == {"sendMessage"}, (action, value)
                assert expected in sent[-1].text, (action, value, texts(sent))
                said.append(texts(sent))
            assert "Pre-registered! Li Lei's pre-registration code: R0000001." in said[7]
            assert "Li Lei can be vaccinated." in said[8]
            yes_no = chat.last_with_buttons()
            assert yes_no.buttons == [[("1. Confirm", "1")], [("2. Change the date", "2")]]
            screening = next(s for s in api.sent_to(ana) if "any of these?" in s.text)
            assert screening.buttons == []  # the numbers are the questions', not buttons
            confirm = next(s for s in api.sent_to(ana) if "Please confirm" in s.text)
            assert confirm.buttons == [[("1. Confirm", "1")], [("2. Change the date", "2")]]

            confirmed = await chat.tap("1")
            assert [s.method for s in confirmed] == ["sendMessage", "sendPhoto", "sendDocument"]
            booked, photo, calendar = confirmed
            assert booked.text.startswith("Booked! Code B0000001. Li Lei, dose 1, Sun 20 Jun")
            assert booked.buttons == []
            assert photo.upload is not None and calendar.upload is not None
            assert photo.upload.data == qr_code("B0000001").data  # the booking code, as a QR
            assert photo.upload.data.startswith(b"\x89PNG\r\n\x1a\n")
            assert calendar.upload.filename == "B0000001.ics"
            assert calendar.upload.content_type == "text/calendar"
            assert calendar.upload.data.startswith(b"BEGIN:VCALENDAR")
            assert b"B0000001" in calendar.upload.data
            assert calendar.message["document"]["file_name"] == "B0000001.ics"

            # Every tap was answered (the spinner stops), each query once.
            answered = [c.params["callback_query_id"] for c in api.calls_to("answerCallbackQuery")]
            assert answered == chat.presses
            assert all(call.ok for call in api.calls_to("answerCallbackQuery"))

            status = await chat.say("status")
            assert "dose 1 Sun 20 Jun 14:00-16:00 Shipai Community Health Centre" in texts(status)
            assert "code B0000001" in texts(status)

        booking = store.booking_by_code("B0000001")
        assert booking is not None
        assert store.account_of("telegram", "1001") is not None

    asyncio.run(run())
    messages = [record.getMessage() for record in caplog.records]
    assert not [m for m in messages if TOKEN in m], "the bot token was logged"
    assert any("/bot<token>/getUpdates" in m for m in messages), "httpx logs were not seen"
    ours = [m for m in messages if m.startswith("telegram in ")]  # the intake's, one a message
    assert len(ours) == len(BOOKING) + 3 and all("from=***001 " in m for m in ours)
    assert not [m for m in ours if "1001" in m], "chat ids are logged masked"
    for record in caplog.records:
        if record.name.startswith("vaxbot"):
            assert "Li Lei" not in record.getMessage()
            assert "440106199203151244" not in record.getMessage()


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


# -- commands, languages ----------------------------------------------------------------------


def test_start_help_and_cancel_in_chinese_from_the_users_language(engine: Engine) -> None:
    async def run() -> None:
        async with polling(engine) as (api, channel):
            lin = api.user(1003, "琳", "zh-hans")
            chat = Conversation(api, channel, lin)

            [menu] = await chat.say("/start")
            assert menu.text == "您好！这里是新冠疫苗接种预约。请回复数字选择："
            assert menu.keys == ["1", "2", "3", "4", "5", "6"]
            assert menu.buttons[0] == [("1. 预约接种", "1")]

            [consent] = await chat.tap("1")
            assert consent.text.startswith("预登记须知")
            assert consent.buttons == [  # one a row: the third is long
                [("1. 同意", "1")], [("2. 不同意", "2")], [("3. 只同意须知，不提供健康信息", "3")],
            ]  # fmt: skip

            [helped] = await chat.say("/help")
            assert helped.text.startswith("直接说您要办的事即可")
            [quit_] = await chat.say("/cancel")
            assert quit_.text == "已退出，未保存本次填写。回复 菜单 重新开始。"
            [nothing] = await chat.say("/cancel")
            assert nothing.text == "当前没有进行中的操作。"
            [menu_again] = await chat.say("/menu")
            assert menu_again.text == "请回复数字选择：" and len(menu_again.keys) == 6
            [sticker] = await chat.deliver(api.sticker(lin))
            assert sticker.text == "请发送文字内容。回复 帮助 查看用法。"

    asyncio.run(run())


def test_english_for_language_code_en_whatever_the_first_words(engine: Engine) -> None:
    async def run() -> None:
        async with polling(engine) as (api, channel):
            eve = api.user(1004, "Eve", "en-GB")
            eves = Conversation(api, channel, eve)
            [menu] = await eves.say("/start")
            assert menu.text.startswith("Hello! This is COVID-19 vaccination booking.")
            bo = api.user(1005, "Bo", "en")  # the message's language wins over the profile's
            bos = Conversation(api, channel, bo)
            [menu] = await bos.say("你好")
            assert menu.text.startswith("您好")
            [menu] = await bos.say("/start")  # no words: the conversation's language stays
            assert menu.text.startswith("您好")
            guo = api.user(1006, "Guo", None)  # no language_code: the engine reads the text
            [menu] = await Conversation(api, channel, guo).say("你好")
            assert menu.text.startswith("您好")
            [helped] = await eves.say("/help")
            assert helped.text.startswith("Just say what you need")

    asyncio.run(run())


def test_language_from_language_code() -> None:
    assert language(None) is None
    for code, lang in [("zh-hans", "zh"), ("zh-TW", "zh"), ("ZH", "zh"), ("en", "en"),
                       ("en-GB", "en"), ("ru", "en"), (None, None)]:  # fmt: skip
        user: Any = type("U", (), {"language_code": code})()
        assert language(user) == lang, code


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
                serve(store, policy, clock, settings, "127.0.0.1", free_port(), ready)
            )
            await asyncio.wait_for(ready.wait(), 10)
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


def test_linking_a_telegram_chat_to_a_phone_end_to_end(engine: Engine, store: Store) -> None:
    """Registered and booked by SMS; in Telegram, 绑定 + the code texted to the phone shows the
    same person and booking."""
    sms = "+8613800138000"
    for text in ("登记", "1", "1", "张三", "1", "440106199001011235", "1", "1",
                 "预约", "没有", "1", "1", "明天上午", "1", "1"):  # fmt: skip
        engine.handle(Inbound("sms", sms, text))

    async def run() -> str:
        async with polling(engine) as (api, channel):
            chat = Conversation(api, channel, api.user(1030, "张三", "zh-hans"))
            assert "没有登记" in texts(await chat.say("查询"))
            assert "手机号" in texts(await chat.say("绑定"))
            assert "138****8000" in texts(await chat.say("13800138000"))
            (text,) = [
                row["text"]
                for row in store.outbox_rows()
                if row["address"] == sms and row["idempotency_key"].startswith("link:")
            ]
            code = "".join(ch for ch in text if ch.isdigit())[:6]  # "验证码123456，..."
            assert "绑定成功" in texts(await chat.say(code))
            return texts(await chat.say("查询"))

    status = asyncio.run(run())
    assert "张三" in status and "预约码" in status


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
