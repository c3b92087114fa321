"""Notices reach people where they talk: a reminder for a phone goes to the account's Telegram
chat, mail address or WeChat account (chosen with 通知方式, else the one last used), through
that channel's own message type, with SMS as the fallback; STOP from any channel holds them.

Each channel's far side is a real server on loopback: the fake Bot API, an aiosmtpd relay, the
fake WeChat API, and the fake SMS Gateway for Android for the SMS fallback.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import aiohttp
import pytest

from bot.engine import Engine
from bot.jobs import send_reminders
from bot.messages import Inbound
from bot.outbox import Delivery, deliver_due
from channels.mail.delivery import EmailDelivery, RelaySettings
from channels.sms.android import AndroidGatewayDelivery
from channels.wechat.api import WeChatApi
from channels.wechat.delivery import WeChatDelivery
from flows.policy import Policy
from store import Store
from tests.conftest import Clock
from tests.email_support import Relay
from tests.fakes.sms_gateway import PASSWORD, USER, FakeSmsGateway
from tests.fakes.wechat_api import FakeWeChatApi
from tests.telegram_support import polling
from tests.test_wechat import APPID, OPENID, SECRET, wechat_settings

PHONE = "+8613800138000"
BOOK_BY_SMS = ("登记", "1", "1", "张三", "1", "440106199001011235", "1", "1",
               "预约", "没有", "1", "1", "明天上午", "1", "1")  # fmt: skip


def say(engine: Engine, channel: str, address: str, text: str) -> str:
    return "\n".join(r.text for r in engine.handle(Inbound(channel, address, text)))


def book_and_link(engine: Engine, store: Store, clock: Clock, channel: str, address: str) -> None:
    """Booked by SMS for tomorrow at 09:00; then, at 09:05, ``address`` linked to the phone
    (绑定 + the code)."""
    for text in BOOK_BY_SMS:
        say(engine, "sms", PHONE, text)
    clock.set("2021-06-17T09:05:00+08:00")
    say(engine, channel, address, "绑定")
    assert "138****8000" in say(engine, channel, address, "13800138000")
    (row,) = [r for r in store.outbox_rows() if r["idempotency_key"].startswith("link:")]
    code = "".join(ch for ch in row["text"] if ch.isdigit())[:6]
    assert "绑定成功" in say(engine, channel, address, code)


def notice(store: Store, key: str, now: datetime) -> None:
    store.enqueue("sms", PHONE, f"通知 {key}", key, now, now)


def row(store: Store, prefix: str) -> dict[str, object]:
    (found,) = [r for r in store.outbox_rows() if str(r["idempotency_key"]).startswith(prefix)]
    return found


@pytest.mark.backends("sqlite", "postgresql")
def test_telegram_last_used_then_sms_when_the_bot_is_blocked(
    engine: Engine, store: Store, policy: Policy, clock: Clock
) -> None:
    book_and_link(engine, store, clock, "telegram", "1030")  # Telegram is where they wrote last
    assert send_reminders(store, policy, clock()) == 1

    async def run() -> None:
        async with (
            polling(engine) as (api, channel),
            FakeSmsGateway() as gateway,
            aiohttp.ClientSession() as session,
        ):
            user = api.user(1030, "张三", "zh-hans")
            outbound: dict[str, Delivery] = {
                "telegram": channel.delivery(),
                "sms": AndroidGatewayDelivery(session, gateway.url, USER, PASSWORD),
            }
            await deliver_due(store, outbound, policy, clock)
            reminders = [s.text for s in api.sent_to(user) if "明天" in s.text]
            assert len(reminders) == 1 and "张三" in reminders[0]
            assert [number for number, text in gateway.sms if "明天" in text] == []
            assert row(store, "reminder:")["route"] == "telegram"

            api.block(user)  # Telegram cannot deliver any more: SMS to the phone instead
            notice(store, "alert:1:2:blue:x", clock())
            await deliver_due(store, outbound, policy, clock)
            assert (PHONE, "通知 alert:1:2:blue:x") in gateway.sms
            assert store.opted_out("telegram", "1030")
            sent = row(store, "alert:")
            assert sent["sent_at"] is not None and sent["route"] is None

    asyncio.run(run())


@pytest.mark.backends("sqlite", "postgresql")
def test_email_chosen_with_notify_and_stop_from_any_channel_holds_notices(
    engine: Engine, store: Store, policy: Policy, clock: Clock
) -> None:
    mail = "zhang@example.org"
    book_and_link(engine, store, clock, "email", mail)
    (menu,) = engine.handle(Inbound("sms", PHONE, "通知方式"))  # chosen by SMS, for email
    (email_option,) = [o for o in menu.options if o.label == "电子邮件"]
    assert "电子邮件" in say(engine, "sms", PHONE, email_option.key)
    clock.set("2021-06-17T09:10:00+08:00")
    say(engine, "sms", PHONE, "查询")  # SMS is the last used now, but email was chosen
    assert send_reminders(store, policy, clock()) == 1

    async def run() -> None:
        relay = Relay()
        await relay.start()
        try:
            outbound: dict[str, Delivery] = {
                "email": EmailDelivery(RelaySettings("127.0.0.1", relay.port, timeout=5),
                                       "bot@vaxbot.example.org", "vaxbot.example.org"),
            }  # fmt: skip
            report = await deliver_due(store, outbound, policy, clock)
            assert report.sent == 1
            got = await relay.next()
            assert got.rcpt_tos == [mail] and "张三" in got.text and "明天" in got.text
            assert row(store, "reminder:")["route"] == "email"

            assert "退订" in say(engine, "email", mail, "退订")  # STOP by mail: the person
            notice(store, "alert:1:2:blue:y", clock())
            report = await deliver_due(store, outbound, policy, clock)
            assert (report.sent, report.held) == (0, 1)
            assert relay.received.empty()
        finally:
            await relay.stop()

    asyncio.run(run())


def test_wechat_outside_the_window_without_a_template_falls_back_to_sms(
    engine: Engine, store: Store, policy: Policy, clock: Clock
) -> None:
    book_and_link(engine, store, clock, "wechat", OPENID)
    assert send_reminders(store, policy, clock()) == 1

    async def run() -> None:
        async with (
            FakeWeChatApi(APPID, SECRET) as api,
            FakeSmsGateway() as gateway,
            aiohttp.ClientSession() as session,
        ):
            api.out_of_window.add(OPENID)
            outbound: dict[str, Delivery] = {
                "wechat": WeChatDelivery(WeChatApi(session, APPID, SECRET, api.url),
                                         wechat_settings()),
                "sms": AndroidGatewayDelivery(session, gateway.url, USER, PASSWORD),
            }  # fmt: skip
            await deliver_due(store, outbound, policy, clock)
            assert api.refused == [45015] and api.sent == []
            assert [number for number, text in gateway.sms if "明天" in text] == [PHONE]
            assert row(store, "reminder:")["route"] is None  # its own channel, SMS

    asyncio.run(run())
