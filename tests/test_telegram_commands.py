"""Telegram: commands (/start, /help, /cancel, /menu) and the language of the replies, from the
user's language_code and from what they write.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.engine import Engine
from channels.telegram import language
from tests.telegram_support import Conversation, polling

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
