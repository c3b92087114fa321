"""The WeChat Official Account channel over real HTTP, against WeChat's side played on loopback.

``/wechat`` is served by ``channels.server.build_app`` around the seeded demo store; requests are
built as WeChat builds them (``tests/fakes/wechat_api.Pusher``: signed query, plaintext XML or
the safe-mode envelope, with its own AES code), replies opened the same way. Sending goes to
``FakeWeChatApi`` (token issuance and expiry, customer-service and template messages, menus).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.engine import Engine
from bot.intake import Intake, RateLimit
from bot.messages import Reply, ReplyOption
from bot.outbox import Delivery, OptedOut, Undeliverable, deliver_due
from channels.cli import main
from channels.gateway import Gateway
from channels.server import Settings, build_app
from channels.wechat.api import WeChatApi
from channels.wechat.crypto import CryptoError, Envelope, signed
from channels.wechat.delivery import WeChatDelivery
from channels.wechat.menu import install_menu
from channels.wechat.render import messages, split
from channels.wechat.settings import WeChatConfigError, WeChatSettings
from channels.wechat.webhook import WeChatWebhook
from flows.policy import Policy
from store import Outgoing, Store
from tests.conftest import Clock
from tests.fakes import tables
from tests.fakes.wechat_api import FakeWeChatApi, Pusher, fields

TOKEN = "spamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # WeChat's published sample key
APPID = "wx2c2769f8efd9abc2"
SECRET = "app-secret-0123456789"
OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
MENU_TEXT = "您好！这里是新冠疫苗接种预约。"


def wechat_settings(safe: bool = False, **changes: Any) -> WeChatSettings:
    base = WeChatSettings(token=TOKEN, aes_key=AES_KEY if safe else None, appid=APPID,
                          secret=SECRET)  # fmt: skip
    return replace(base, **changes)


def app_settings(wechat: WeChatSettings) -> Settings:
    return Settings(public_url="https://vaxbot.example.org", twilio=_twilio(), android_key="k",
                    android_url=None, android_user="", android_password="", json_token="t",
                    wechat=wechat)  # fmt: skip


def _twilio() -> Any:
    from channels.sms.twilio import TwilioSettings

    return TwilioSettings(auth_token="twilio-token")


@dataclass
class Answer:
    status: int
    body: str


@dataclass
class WeChat:
    """WeChat's servers posting to our /wechat, and the user's view of the replies."""

    client: TestClient[web.Request, web.Application]
    pusher: Pusher
    gateway: Gateway

    async def raw(self, query: dict[str, str], body: str | bytes, method: str = "POST") -> Answer:
        call = self.client.post if method == "POST" else self.client.get
        async with call("/wechat", params=query, data=body) as response:
            return Answer(response.status, await response.text())

    async def push(self, xml: str) -> Answer:
        query, body = self.pusher.request(xml)
        return await self.raw(query, body)

    async def reply(self, xml: str) -> str | None:
        """The passive reply's text to ``xml`` (None: ``success``), opened in safe mode."""
        answer = await self.push(xml)
        assert answer.status == 200, answer
        if answer.body == "success":
            return None
        reply = self.pusher.open(answer.body) if self.pusher.aes_key else fields(answer.body)
        assert reply["MsgType"] == "text" and reply["FromUserName"] == self.pusher.account
        return reply["Content"]

    async def say(self, text: str, openid: str = OPENID) -> str:
        said = await self.reply(self.pusher.text(openid, text))
        assert said is not None
        return said


def served(
    store: Store, policy: Policy, clock: Clock, scenario: Callable[[WeChat], Awaitable[None]],
    safe: bool = False, **changes: Any,
) -> None:  # fmt: skip
    wechat = wechat_settings(safe, **changes)
    gateway = Gateway(Intake(Engine(store, policy, clock), RateLimit(50, 60.0)))
    pusher = Pusher(TOKEN, aes_key=AES_KEY if safe else None, appid=APPID)

    async def main() -> None:
        app = build_app(store, gateway, app_settings(wechat))
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await scenario(WeChat(client, pusher, gateway))

    asyncio.run(main())


# -- crypto, with WeChat's published sample -----------------------------------------------------

SAMPLE = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PG"
    "HQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6"
    "tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp"
    "3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhv"
    "Ql+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


def test_the_published_sample_message_verifies_and_decrypts() -> None:
    assert signed("5d197aaffba7e9b25a30732f161a50dee96bd5fa", TOKEN, "1409735669", "1320562132",
                  SAMPLE)  # fmt: skip
    inner = fields(Envelope(AES_KEY, APPID).decrypt(SAMPLE))
    assert inner["MsgType"] == "text" and inner["Content"] == "abcdteT"
    assert inner["FromUserName"] == OPENID and inner["MsgId"] == "6054768590064713728"
    with pytest.raises(CryptoError):  # sealed for another AppID
        Envelope(AES_KEY, "wx0000000000000000").decrypt(SAMPLE)
    with pytest.raises(CryptoError):
        Envelope(AES_KEY, APPID).decrypt(SAMPLE[:-8] + "AAAAAAA=")


def test_our_envelope_is_opened_by_wechats_side() -> None:
    pusher = Pusher(TOKEN, aes_key=AES_KEY, appid=APPID)
    sealed = Envelope(AES_KEY, APPID).encrypt("<xml><Content><![CDATA[你好]]></Content></xml>")
    from channels.wechat.crypto import signature
    from channels.wechat.wire import envelope

    outer = envelope(sealed, signature(TOKEN, "1", "2", sealed), "1", "2")
    assert pusher.open(outer) == {"Content": "你好"}
    assert Envelope(AES_KEY, APPID).decrypt(pusher.seal("<xml/>")) == "<xml/>"


# -- the webhook, as a table of cases ------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[WeChat], Awaitable[Answer]]
    status: int
    says: str | None = None  # a phrase of the passive reply's text; None: "success" or no XML
    changes: bool = True  # whether the database may change


def _query(p: Pusher, **changes: str) -> dict[str, str]:
    return p.query() | changes


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
    b'"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>'
)

# The same entities in UTF-16: invisible to a search of the bytes for a declaration.
LAUGHS_UTF16 = (
    LAUGHS.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"').decode().encode("utf-16")
)

CASES = [
    Case("verify", lambda w: w.raw(_query(w.pusher, echostr="shr5ch"), "", "GET"), 200,
         changes=False),
    Case("verify with a bad signature",
         lambda w: w.raw(_query(w.pusher, echostr="x", signature="0" * 40), "", "GET"), 403,
         changes=False),
    Case("text", lambda w: w.push(w.pusher.text(OPENID, "菜单")), 200, "请回复数字选择"),
    Case("text, bad signature",
         lambda w: w.raw(_query(w.pusher, signature="f" * 40), w.pusher.text(OPENID, "菜单")), 403,
         changes=False),
    Case("text, signature missing",
         lambda w: w.raw({"timestamp": "1", "nonce": "2"}, w.pusher.text(OPENID, "菜单")), 403,
         changes=False),
    Case("subscribe", lambda w: w.push(w.pusher.event(OPENID, "subscribe")), 200, MENU_TEXT),
    Case("unsubscribe", lambda w: w.push(w.pusher.event(OPENID, "unsubscribe")), 200),
    Case("click BOOK", lambda w: w.push(w.pusher.event(OPENID, "CLICK", "BOOK")), 200,
         "预登记须知"),
    Case("click STATUS", lambda w: w.push(w.pusher.event(OPENID, "CLICK", "STATUS")), 200,
         "还没有登记"),
    Case("click FAQ", lambda w: w.push(w.pusher.event(OPENID, "CLICK", "FAQ")), 200, "预约"),
    Case("click, unknown key", lambda w: w.push(w.pusher.event(OPENID, "CLICK", "NOPE")), 200,
         "请回复数字选择"),
    Case("view event", lambda w: w.push(w.pusher.event(OPENID, "VIEW", "https://x.example")),
         200, changes=False),
    Case("image", lambda w: w.push(w.pusher.event(OPENID, "", kind="image")), 200,
         "只能阅读文字", changes=False),
    Case("garbage body", lambda w: w.raw(w.pusher.query(), b"\x00\xff not xml"), 400,
         changes=False),
    Case("empty body", lambda w: w.raw(w.pusher.query(), b""), 400, changes=False),
    Case("a DTD (billion laughs)", lambda w: w.raw(w.pusher.query(), LAUGHS), 400,
         changes=False),
    Case("a DTD in UTF-16", lambda w: w.raw(w.pusher.query(), LAUGHS_UTF16), 400,
         changes=False),
    Case("a message in UTF-16",
         lambda w: w.raw(w.pusher.query(), w.pusher.text(OPENID, "菜单").encode("utf-16")), 400,
         changes=False),
    Case("oversize body", lambda w: w.raw(w.pusher.query(), b"<xml>" + b"a" * 40_000), 413,
         changes=False),
    Case("no sender", lambda w: w.raw(w.pusher.query(), "<xml><MsgType>text</MsgType></xml>"),
         400, changes=False),
    Case("10,000 characters", lambda w: w.push(w.pusher.text(OPENID, "预" * 10_000)), 400,
         changes=False),
    Case("safe mode message, safe mode off",
         lambda w: w.raw(_query(w.pusher, encrypt_type="aes", msg_signature="0"),
                         "<xml><Encrypt>AAAA</Encrypt></xml>"), 400, changes=False),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_webhook_case(case: Case, store: Store, policy: Policy, clock: Clock) -> None:
    before = tables.snapshot(store, "conversations", "inbound", "outbox", "accounts")

    async def scenario(w: WeChat) -> None:
        answer = await case.run(w)
        assert answer.status == case.status, answer
        if case.name.startswith("verify") and answer.status == 200:
            assert answer.body == "shr5ch"
        elif case.says is not None:
            reply = fields(answer.body)
            assert reply["ToUserName"] == OPENID and reply["MsgType"] == "text"
            assert case.says in reply["Content"], reply["Content"]
        elif answer.status == 200:
            assert answer.body == "success"

    served(store, policy, clock, scenario)
    if not case.changes:
        assert tables.snapshot(store, "conversations", "inbound", "outbox", "accounts") == before


def test_safe_mode_message_and_reply(store: Store, policy: Policy, clock: Clock) -> None:
    async def scenario(w: WeChat) -> None:
        assert "请回复数字选择" in await w.say("菜单")
        # a bad msg_signature over a well-sealed message is refused, and runs nothing
        query, body = w.pusher.request(w.pusher.text(OPENID, "预约"))
        answer = await w.raw(query | {"msg_signature": "0" * 40}, body)
        assert answer.status == 403
        # an envelope sealed for another AppID is refused
        other = Pusher(TOKEN, aes_key=AES_KEY, appid="wx0000000000000000")
        query, body = other.request(other.text(OPENID, "预约"))
        assert (await w.raw(query, body)).status == 403

    served(store, policy, clock, scenario, safe=True)
    assert store.load_state("wechat", OPENID) is not None


def test_a_retry_gets_the_same_reply_and_runs_once(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(w: WeChat) -> None:
        message = w.pusher.text(OPENID, "预约", msg_id=1234567890123456)
        first = await w.reply(message)
        assert first is not None and "预登记须知" in first
        state = store.load_state("wechat", OPENID)
        assert await w.reply(message) == first  # WeChat's retry: the same MsgId
        assert store.load_state("wechat", OPENID) == state
        click = w.pusher.event(OPENID, "CLICK", "STATUS")
        status = await w.reply(click)
        assert await w.reply(click) == status  # an event retried: same sender and CreateTime

    served(store, policy, clock, scenario)


@pytest.mark.backends("sqlite", "postgresql")
def test_unsubscribe_holds_notices_and_subscribe_resumes_them(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(w: WeChat) -> None:
        assert await w.reply(w.pusher.event(OPENID, "unsubscribe")) is None
        assert store.opted_out("wechat", OPENID)
        greeting = await w.reply(w.pusher.event(OPENID, "subscribe"))
        assert greeting is not None and greeting.startswith(MENU_TEXT)
        assert "1. 预约接种" in greeting  # options as numbered lines
        assert not store.opted_out("wechat", OPENID)

    served(store, policy, clock, scenario)


def test_a_turn_past_the_deadline_is_acknowledged_and_sent_by_customer_service(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(w: WeChat) -> None:
        message = w.pusher.text(OPENID, "菜单")
        assert await w.reply(message) is None  # "success": too late for a passive reply
        assert await w.reply(message) is None  # WeChat's retry: still "success"
        for _ in range(200):  # the replies are queued off the event loop once the turn ends
            if any(row["channel"] == "wechat" for row in store.outbox_rows()):
                break
            await asyncio.sleep(0.01)

    served(store, policy, clock, scenario, reply_seconds=0.0)
    rows = [row for row in store.outbox_rows() if row["channel"] == "wechat"]
    assert len(rows) == 1 and rows[0]["address"] == OPENID and rows[0]["kind"] == "reply"
    assert "请回复数字选择" in rows[0]["text"] and "1. 预约接种" in rows[0]["text"]


def test_wechat_is_off_without_a_token(store: Store, policy: Policy, clock: Clock) -> None:
    gateway = Gateway(Intake(Engine(store, policy, clock), RateLimit(50, 60.0)))

    async def main() -> int:
        app = build_app(store, gateway, app_settings(WeChatSettings()))
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            return (await client.post("/wechat", data="<xml/>")).status

    assert asyncio.run(main()) in (404, 405)


def test_settings_from_the_environment() -> None:
    env = {
        "VAXBOT_WECHAT_TOKEN": TOKEN,
        "VAXBOT_WECHAT_AES_KEY": AES_KEY,
        "VAXBOT_WECHAT_APPID": APPID,
        "VAXBOT_WECHAT_TEMPLATES": "reminder=T1, offer=T2",
    }
    settings = WeChatSettings.from_env(env)
    assert settings.envelope() is not None and settings.templates == {
        "reminder": "T1",
        "offer": "T2",
    }
    for bad in ({"VAXBOT_WECHAT_AES_KEY": "short"}, {"VAXBOT_WECHAT_APPID": ""},
                {"VAXBOT_WECHAT_TEMPLATES": "birthday=T"},
                {"VAXBOT_WECHAT_REPLY_SECONDS": "9"}):  # fmt: skip
        with pytest.raises(WeChatConfigError):
            WeChatSettings.from_env(env | bad)


# -- rendering -----------------------------------------------------------------------------------


def test_options_are_numbered_lines_and_long_replies_are_split() -> None:
    menu = Reply("请选择：", (ReplyOption("1", "预约接种"), ReplyOption("2", "查询预约")))
    assert messages([menu]) == ["请选择：\n1. 预约接种\n2. 查询预约"]
    long = "\n".join(f"第{n}行" + "字" * 60 for n in range(40))
    parts = split(long)
    assert len(parts) > 1 and all(len(part.encode()) <= 2048 for part in parts)
    assert "\n".join(parts) == long  # cut at line ends, nothing lost
    one_line = "字" * 2000
    assert "".join(split(one_line)) == one_line and all(
        len(part.encode()) <= 2048 for part in split(one_line)
    )


def test_a_long_reply_goes_passive_first_then_by_customer_service(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """A passive reply holds one message: the rest follows as customer-service messages
    (here with a 60-byte limit, so the menu does not fit in one)."""
    gateway = Gateway(Intake(Engine(store, policy, clock), RateLimit(50, 60.0)))
    hook = WeChatWebhook(gateway, wechat_settings())
    hook.limit = 60
    pusher = Pusher(TOKEN)

    async def main() -> str:
        app = web.Application()
        hook.routes(app)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            w = WeChat(client, pusher, gateway)
            return await w.say("菜单")

    first = asyncio.run(main())
    rest = [row["text"] for row in store.outbox_rows() if row["channel"] == "wechat"]
    assert rest and all(len(part.encode()) <= 60 for part in [first, *rest])
    assert "\n".join([first, *rest]).endswith("6. 人工服务")


# -- sending: the API client and the outbox delivery against the fake API --------------------------

_ids = itertools.count(1)


def outgoing(text: str, key: str = "reminder:B1:2021-06-18:x", kind: str = "notice") -> Outgoing:
    return Outgoing(next(_ids), "wechat", OPENID, text, key, kind, 0)


async def _delivery(
    api: FakeWeChatApi, session: aiohttp.ClientSession, **templates: str
) -> Delivery:
    client = WeChatApi(session, APPID, SECRET, api.url)
    return WeChatDelivery(client, wechat_settings(templates=templates))


def test_delivery_refreshes_an_expired_token_once_and_falls_back_to_templates() -> None:
    async def main() -> None:
        async with FakeWeChatApi(APPID, SECRET) as api, aiohttp.ClientSession() as session:
            delivery = await _delivery(api, session, reminder="TPL-REMINDER")
            assert await delivery.send(outgoing("明天接种")) == "custom"
            assert api.texts_to(OPENID) == ["明天接种"] and api.issued == 1
            api.expire_tokens()  # 42001: refreshed, retried once, sent
            await delivery.send(outgoing("第二条"))
            assert api.texts_to(OPENID)[-1] == "第二条" and api.issued == 2
            assert api.refused == [42001]
            api.out_of_window.add(OPENID)  # 45015: the reminder goes as its template
            provider = await delivery.send(outgoing("提醒：明天接种"))
            assert provider is not None and provider.startswith("template:")
            (template,) = api.templates_to(OPENID)
            assert template["template_id"] == "TPL-REMINDER"
            assert template["data"] == {"content": {"value": "提醒：明天接种"}}
            with pytest.raises(Undeliverable, match="no template for alert"):
                await delivery.send(outgoing("黄色提醒", key="alert:1:2:yellow:x"))
            with pytest.raises(Undeliverable, match="a reply"):
                await delivery.send(outgoing("回复", key="reply:x:0", kind="reply"))
            api.unfollowed.add(OPENID)
            with pytest.raises(OptedOut):
                await delivery.send(outgoing("还在吗"))
            bad = WeChatDelivery(WeChatApi(session, APPID, "wrong", api.url), wechat_settings())
            with pytest.raises(Exception, match="40125"):
                await bad.send(outgoing("x"))

    asyncio.run(main())


def test_the_outbox_sends_replies_queued_for_wechat(
    store: Store, policy: Policy, clock: Clock
) -> None:
    now = clock()
    store.enqueue("wechat", OPENID, "您的预约已确认", "reply:wechat:msg:1:0", now, now, "reply")

    async def main() -> None:
        async with FakeWeChatApi(APPID, SECRET) as api, aiohttp.ClientSession() as session:
            report = await deliver_due(store, {"wechat": await _delivery(api, session)}, policy,
                                       clock)  # fmt: skip
            assert report.sent == 1 and api.texts_to(OPENID) == ["您的预约已确认"]

    asyncio.run(main())


def test_the_menu_command_installs_the_three_buttons(tmp_path: Any) -> None:
    async def run() -> tuple[int, str, list[Any]]:
        async with FakeWeChatApi(APPID, SECRET) as api:
            env = {"VAXBOT_WECHAT_APPID": APPID, "VAXBOT_WECHAT_SECRET": SECRET,
                   "VAXBOT_WECHAT_API_BASE": api.url}  # fmt: skip
            status, line = await install_menu(env)
            return status, line, [sent.body for sent in api.sent]

    status, line, sent = asyncio.run(run())
    assert status == 0 and line == "menu installed: 预约接种 / 我的预约 / 常见问题"
    assert [b["name"] for b in sent[0]["button"]] == ["预约接种", "我的预约", "常见问题"]
    assert main(["wechat", "menu", "--db", str(tmp_path / "x.db")]) == 2  # no appid/secret
