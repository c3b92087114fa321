"""Tencent Cloud SMS: reply and delivery-report callbacks over real HTTP, SendSms against a fake
Tencent API on loopback that verifies the TC3-HMAC-SHA256 signature."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from bot.outbox import DeliveryError, OptedOut, Undeliverable, deliver_due
from channels.server import ConfigError
from channels.server import Settings as ServerSettings
from channels.sms.tencent import Template, TencentSettings, message_id, segments, templates
from channels.sms.tencent_api import TencentSmsDelivery
from flows.policy import Policy
from store import Outgoing, Store
from tests.conftest import Clock
from tests.fakes.tencent_sms import FakeTencentSms
from tests.sms_support import Http, serve, settings, snapshot

CALLBACK_TOKEN = "tencent-callback-token-42"
PHONE = "+8613800138000"


def tencent(**changes: Any) -> TencentSettings:
    return replace(TencentSettings(callback_token=CALLBACK_TOKEN), **changes)


def reply(text: str, time: int = 1_623_891_600, mobile: str = "13800138000") -> dict[str, Any]:
    return {"mobile": mobile, "nationcode": "86", "text": text, "time": time,
            "sign": "广州疫苗预约", "extend": ""}  # fmt: skip


async def callback(http: Http, body: Any, token: str | None = CALLBACK_TOKEN) -> tuple[int, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    path = "/sms/tencent" + (f"?token={token}" if token is not None else "")
    answer = await http.post(path, raw, {"Content-Type": "application/json"})
    return answer.status, answer.json if answer.status == 200 else answer.text


CASES: list[tuple[str, dict[str, Any], Any, str | None, int]] = [
    ("a reply", {}, reply("菜单"), CALLBACK_TOKEN, 200),
    ("wrong token", {}, reply("菜单"), "guess", 403),
    ("no token", {}, reply("菜单"), None, 403),
    ("token unset, not insecure", {"callback_token": None}, reply("菜单"), "x", 403),
    ("token unset, --insecure", {"callback_token": None, "insecure": True}, reply("菜单"), None,
     200),
    ("not on the IP allowlist", {"callback_ips": (__import__("ipaddress").ip_network(
        "203.0.113.0/24"),)}, reply("菜单"), CALLBACK_TOKEN, 403),
    ("garbage", {}, b"\xff\x00{", CALLBACK_TOKEN, 400),
    ("deep JSON", {}, b"[" * 5000 + b"]" * 5000, CALLBACK_TOKEN, 400),
    ("time not a number", {}, {**reply("菜单"), "time": "yesterday"}, CALLBACK_TOKEN, 400),
    ("time in year 9999+", {}, {**reply("菜单"), "time": 10**15}, CALLBACK_TOKEN, 400),
    ("mobile not digits", {}, reply("菜单", mobile="138-0013"), CALLBACK_TOKEN, 400),
    ("not a mobile", {}, reply("菜单", mobile="12"), CALLBACK_TOKEN, 400),
    ("text missing", {}, {k: v for k, v in reply("x").items() if k != "text"}, CALLBACK_TOKEN,
     400),
]  # fmt: skip


@pytest.mark.parametrize(("name", "changes", "body", "token", "status"), CASES,
                         ids=[case[0] for case in CASES])  # fmt: skip
def test_callback_case(
    name: str, changes: dict[str, Any], body: Any, token: str | None, status: int,
    store: Store, policy: Policy, clock: Clock,
) -> None:  # fmt: skip
    before = snapshot(store)

    async def scenario(http: Http) -> None:
        got, answer = await callback(http, body, token)
        assert got == status, answer
        if status == 200:
            assert answer == {"result": 0, "errmsg": "OK"}

    serve(store, policy, clock, scenario, config=settings(tencent=tencent(**changes)))
    if status != 200:
        assert snapshot(store) == before


def test_a_reply_is_the_same_conversation_as_on_any_gateway(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(http: Http) -> None:
        assert (await http.plain({"from": PHONE, "text": "预约", "id": "g1"})).status == 200
        asked = store.load_state("sms", PHONE)
        assert asked is not None and asked["flow"] == "register"
        status, _ = await callback(http, reply("2"))  # 不同意, answered in the same conversation
        assert status == 200
        after = store.load_state("sms", PHONE)
        assert after is not None and after != asked
        replies = [row for row in store.outbox_rows() if row["address"] == PHONE]
        assert replies and all(row["kind"] == "reply" for row in replies)
        # Tencent retries a callback: same mobile, time and text runs nothing again
        count = len(store.outbox_rows())
        assert (await callback(http, reply("2")))[0] == 200
        assert store.load_state("sms", PHONE) == after and len(store.outbox_rows()) == count

    serve(store, policy, clock, scenario, config=settings(tencent=tencent()))
    assert message_id("13800138000", 1, "x") != message_id("13800138000", 2, "x")


def test_delivery_reports_update_the_outbox(store: Store, policy: Policy, clock: Clock) -> None:
    now = clock()
    store.enqueue("sms", PHONE, "提醒", "reminder:B1:2021-06-18:+86", now, now)
    (row,) = store.outbox_rows()
    store.mark_sent(row["id"], "2433:0000000000000001", now)

    async def scenario(http: Http) -> None:
        report = [{"user_receive_time": "2021-06-17 09:00:05", "nationcode": "86",
                   "mobile": "13800138000", "report_status": "FAIL", "errmsg": "MK:0005",
                   "description": "用户手机关机", "sid": "2433:0000000000000001"}]  # fmt: skip
        assert await callback(http, report) == (200, {"result": 0, "errmsg": "OK"})

    serve(store, policy, clock, scenario, config=settings(tencent=tencent()))
    (row,) = store.outbox_rows()
    assert row["delivery_status"] == "failed" and row["last_error"] == "MK:0005"


def test_settings_and_templates() -> None:
    env = {"VAXBOT_TENCENT_SMS_TEMPLATES": "reminder=1110001:name,day,period,site,code;offer=3"}
    assert templates(env["VAXBOT_TENCENT_SMS_TEMPLATES"]) == {
        "reminder": Template("1110001", ("name", "day", "period", "site", "code")),
        "offer": Template("3"),
    }
    base = {"VAXBOT_TWILIO_AUTH_TOKEN": "t", "VAXBOT_SMSGATE_SIGNING_KEY": "k",
            "VAXBOT_SMS_JSON_TOKEN": "j"}  # fmt: skip
    with pytest.raises(ConfigError, match="VAXBOT_TENCENT_SMS_TEMPLATES"):
        ServerSettings.from_env(base | {"VAXBOT_TENCENT_SMS_TEMPLATES": "birthday=1"}, False, "")
    with pytest.raises(ConfigError, match="IPS"):
        ServerSettings.from_env(base | {"VAXBOT_TENCENT_SMS_CALLBACK_IPS": "nope"}, False, "")
    insecure = ServerSettings.from_env({}, True, "http://x")
    assert any("/sms/tencent" in line for line in insecure.unauthenticated())


def test_segments_count_the_signature() -> None:
    sign = "广州疫苗"  # 【广州疫苗】: 6 characters
    assert segments("字" * 64, sign) == 1
    assert segments("字" * 65, sign) == 2  # 71 characters: a long SMS, 67 a part
    assert segments("a" * 128, sign) == 2 and segments("a" * 129, sign) == 3


# -- SendSms against the fake ------------------------------------------------------------------

_ids = itertools.count(1)
SENDER = TencentSettings(
    secret_id="AKIDexample", secret_key="secret-key-example", app_id="1400006666",
    sign="广州疫苗预约",
    templates={"reminder": Template("1110001", ("name", "day", "code")), "link": Template(
        "1110005", ("code",))},
)  # fmt: skip


def outgoing(key: str, params: dict[str, str] | None, kind: str = "notice") -> Outgoing:
    return Outgoing(next(_ids), "sms", PHONE, "明天接种", key, kind, 0, params)


def test_sendsms_is_signed_and_templated() -> None:
    async def main() -> None:
        fake = FakeTencentSms("AKIDexample", "secret-key-example", "1400006666", "广州疫苗预约",
                              {"1110001": 3, "1110005": 1})  # fmt: skip
        async with fake, aiohttp.ClientSession() as session:
            delivery = TencentSmsDelivery(session, replace(SENDER, api_base=fake.url))
            values = {"name": "张三", "day": "6月18日", "code": "B0000001", "site": "x"}
            serial = await delivery.send(outgoing("reminder:B0000001:2021-06-18:+86", values))
            assert serial and serial.startswith("2433:")
            (sent,) = fake.sent
            assert sent["TemplateId"] == "1110001" and sent["PhoneNumberSet"] == [PHONE]
            assert sent["TemplateParamSet"] == ["张三", "6月18日", "B0000001"]
            assert PHONE not in sent["SessionContext"]
            with pytest.raises(Undeliverable, match="no Tencent SMS template for reply"):
                await delivery.send(outgoing("reply:tencent:x:0", None, "reply"))
            with pytest.raises(Undeliverable, match="needs code"):
                await delivery.send(outgoing("link:wechat:o:+86:t", {}, "reply"))
            fake.blacklisted.add(PHONE)
            with pytest.raises(OptedOut):
                await delivery.send(outgoing("link:wechat:o:+86:t", {"code": "123456"}))
            wrong = TencentSmsDelivery(
                session, replace(SENDER, api_base=fake.url, secret_key="wrong")
            )
            with pytest.raises(DeliveryError, match=r"AuthFailure\.SignatureFailure"):
                await wrong.send(outgoing("reminder:x", values))
            assert fake.refused == ["AuthFailure.SignatureFailure"]

    asyncio.run(main())


def test_the_outbox_sends_a_reminder_with_its_values(
    store: Store, policy: Policy, clock: Clock
) -> None:
    now = clock()
    values = {"name": "张三", "day": "6月18日", "code": "B0000001"}
    store.enqueue("sms", PHONE, "提醒：张三明天接种", "reminder:B0000001:2021-06-18:+86", now,
                  now, params=values)  # fmt: skip
    store.enqueue("sms", PHONE, "回复文字", "reply:json:g1:0", now, now, "reply")

    async def main() -> None:
        fake = FakeTencentSms("AKIDexample", "secret-key-example", "1400006666", "广州疫苗预约",
                              {"1110001": 3})  # fmt: skip
        async with fake, aiohttp.ClientSession() as session:
            delivery = TencentSmsDelivery(session, replace(SENDER, api_base=fake.url))
            report = await deliver_due(store, {"sms": delivery}, policy, clock)
            assert (report.sent, report.failed) == (1, 1)
            assert fake.sent[0]["TemplateParamSet"] == ["张三", "6月18日", "B0000001"]

    asyncio.run(main())
    rows = {row["idempotency_key"]: row for row in store.outbox_rows()}
    assert rows["reminder:B0000001:2021-06-18:+86"]["provider_id"].startswith("2433:")
    assert "no Tencent SMS template for reply" in rows["reply:json:g1:0"]["last_error"]
