"""Telegram: linking a chat to a phone (绑定 + the code texted to it), end to end."""

from __future__ import annotations

import asyncio

from bot.engine import Engine
from bot.messages import Inbound
from store import Store
from tests.telegram_support import Conversation, polling, texts


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
