"""A resident's whole journey in WeChat, end to end: follow the account, book, check, get the
reminder, cancel — in plaintext and in safe mode — with WeChat's side played on loopback
(``tests/fakes/wechat_api.py``): the confirmation comes as the passive reply, the reminder as a
customer-service message inside the 48-hour window and as the template message outside it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.engine import Engine
from bot.intake import Intake, RateLimit
from bot.jobs import send_reminders
from bot.outbox import deliver_due
from channels.gateway import Gateway
from channels.server import build_app
from channels.wechat.api import WeChatApi
from channels.wechat.delivery import WeChatDelivery
from flows.policy import Policy
from store import Store
from tests.conftest import Clock
from tests.fakes.wechat_api import FakeWeChatApi, Pusher
from tests.test_serve import SECRETS, environment, seeded, serving, stop, wait_healthy
from tests.test_wechat import AES_KEY, APPID, OPENID, SECRET, TOKEN, WeChat, app_settings
from tests.test_wechat import wechat_settings as settings_for

BOOKING = [
    ("预约", "预登记须知"),
    ("1", "为谁登记"),
    ("1", "姓名"),
    ("张三", "证件类型"),
    ("1", "身份证号码"),
    ("440106199001011235", "手机号"),
    ("13800138000", "天河区"),
    ("1", "有以下情况吗"),
    ("没有", "请选择接种点所在区"),
    ("1", "请选择接种点"),
    ("1", "请选择日期"),
    ("明天上午", "请选择时段"),
    ("1", "请确认"),
    ("1", "预约成功！预约码"),
]


@pytest.mark.parametrize("mode", ["plaintext", "safe"])
def test_follow_book_check_remind_and_cancel_in_wechat(
    mode: str, store: Store, policy: Policy, clock: Clock
) -> None:
    safe = mode == "safe"
    wechat = settings_for(safe, templates={"reminder": "TPL-REMINDER"})
    gateway = Gateway(Intake(Engine(store, policy, clock), RateLimit(50, 60.0)))
    pusher = Pusher(TOKEN, aes_key=AES_KEY if safe else None, appid=APPID)

    async def main() -> str:
        app = build_app(store, gateway, app_settings(wechat))
        async with (
            TestClient(TestServer(app, host="127.0.0.1")) as client,
            FakeWeChatApi(APPID, SECRET) as api,
            aiohttp.ClientSession() as session,
        ):
            w = WeChat(client, pusher, gateway)
            greeting = await w.reply(pusher.event(OPENID, "subscribe"))
            assert greeting is not None and "1. 预约接种" in greeting
            for said, expected in BOOKING:
                answer = await w.say(said)
                assert expected in answer, (said, answer)
            code = answer.split("预约码")[1][:8]
            assert code in await w.say("查询")
            # no copy of the confirmation queued: the person's notices come to this very chat
            assert [row for row in store.outbox_rows() if row["kind"] == "notice"] == []

            # the reminder the day before, with no SMS gateway at all: by WeChat
            if safe:
                api.out_of_window.add(OPENID)  # not written for 48 hours: the template
            assert send_reminders(store, policy, clock()) == 1
            delivery = WeChatDelivery(WeChatApi(session, APPID, SECRET, api.url), wechat)
            report = await deliver_due(store, {"wechat": delivery}, policy, clock)
            assert report.sent == 1
            (row,) = [row for row in store.outbox_rows() if row["kind"] == "notice"]
            assert (row["channel"], row["route"]) == ("sms", "wechat")
            if safe:
                (template,) = api.templates_to(OPENID)
                assert template["template_id"] == "TPL-REMINDER"
                assert code in template["data"]["content"]["value"]
                assert api.texts_to(OPENID) == []
            else:
                (text,) = api.texts_to(OPENID)
                assert "明天" in text and code in text

            assert "确认取消" in await w.say("取消")
            assert f"已取消预约{code}" in await w.say("1")
            assert code not in await w.say("查询")
            return code

    code = asyncio.run(main())
    booking = store.booking_by_code(code)
    assert booking is not None and booking.status == "cancelled"


def test_vaxbot_serve_answers_wechat_in_safe_mode_and_tencent_callbacks(
    tmp_path: Path, policy: Policy
) -> None:
    """The real ``vaxbot serve`` process, configured from the environment only."""
    db = seeded(tmp_path / "serve.db", policy)
    env = environment(
        **SECRETS,
        VAXBOT_WECHAT_TOKEN=TOKEN,
        VAXBOT_WECHAT_AES_KEY=AES_KEY,
        VAXBOT_WECHAT_APPID=APPID,
        VAXBOT_TENCENT_SMS_CALLBACK_TOKEN="cb-token",
    )
    pusher = Pusher(TOKEN, aes_key=AES_KEY, appid=APPID)  # fmt: skip
    with serving(db, tmp_path / "serve.log", env) as (proc, base):

        async def talk() -> tuple[str, dict[str, str], dict[str, object], int]:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
                await wait_healthy(session, base, proc)
                verify = pusher.query() | {"echostr": "hello-wechat"}
                async with session.get(f"{base}/wechat", params=verify) as response:
                    echoed = await response.text()
                query, body = pusher.request(pusher.text(OPENID, "菜单"))
                async with session.post(f"{base}/wechat", params=query, data=body) as response:
                    reply = pusher.open(await response.text())
                callback = {"mobile": "13800138000", "nationcode": "86", "text": "查询",
                            "time": 1623891600, "sign": "x", "extend": ""}  # fmt: skip
                url = f"{base}/sms/tencent?token=cb-token"
                async with session.post(url, json=callback) as response:
                    answered = await response.json()
                async with session.post(f"{base}/sms/tencent?token=no", json=callback) as refused:
                    return echoed, reply, answered, refused.status

        echoed, reply, answered, refused = asyncio.run(talk())
        stop(proc)
    assert echoed == "hello-wechat"
    assert reply["ToUserName"] == OPENID and "1. 预约接种" in reply["Content"]
    assert answered == {"result": 0, "errmsg": "OK"} and refused == 403
    logged = (tmp_path / "serve.log").read_text("utf-8")
    assert OPENID not in logged and "13800138000" not in logged and TOKEN not in logged
