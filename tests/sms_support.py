"""What the SMS webhook tests share: the app served on loopback, and a client that signs its
requests as each gateway does.

The app is ``channels.server.build_app`` around the seeded demo store and the engine on the
frozen clock, served on loopback by aiohttp's ``TestServer`` and called with a real client. The
Twilio requests are signed with the official ``twilio`` package (``RequestValidator``) over the
configured public URL, as Twilio signs them, not the loopback address the test connects to.
"""

from __future__ import annotations

import asyncio
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from twilio.request_validator import RequestValidator

from bot.engine import Engine
from bot.intake import Intake, RateLimit
from channels.gateway import Gateway
from channels.server import Settings, build_app
from channels.sms.android import signature as android_signature
from channels.sms.twilio import TwilioSettings
from flows.policy import Policy
from flows.texts import text
from store import Store
from tests.conftest import Clock
from tests.fakes import tables

PUBLIC_URL = "https://vaxbot.example.org"
TWILIO_TOKEN = "twilio-webhook-token-0123456789abcdef"
ANDROID_KEY = "android-signing-key-fedcba"
JSON_TOKEN = "json-bearer-token-5555"
PHONE = "+8613800138000"
OTHER_PHONE = "+8613900139000"
GATEWAY_NUMBER = "+8610690000001"
# ``build_app`` stores the store under a plain string key (``app["store"]``), which aiohttp
# warns about (``NotAppKeyWarning``): with warnings as errors the app cannot even be built. That
# is what ``test_build_app_raises_no_warning`` reports; the other tests let that one warning pass
# so that they still say something about the webhooks meanwhile.
DATA_TABLES = (
    "conversations",
    "inbound",
    "outbox",
    "optouts",
    "accounts",
    "addresses",
    "residents",
    "bookings",
    "screenings",
    "callbacks",
    "audit",
)


def twilio_signature(form: Mapping[str, str], path: str = "/sms/twilio", url: str = PUBLIC_URL,
                     token: str = TWILIO_TOKEN) -> str:  # fmt: skip
    return str(RequestValidator(token).compute_signature(url + path, dict(form)))


def snapshot(store: Store) -> dict[str, list[dict[str, Any]]]:
    return tables.snapshot(store, *DATA_TABLES)


def messages(body: str) -> list[str]:
    """The ``<Message>`` texts of a TwiML answer (which must be well-formed XML)."""
    root = ET.fromstring(body)
    assert root.tag == "Response"
    return [message.text or "" for message in root.findall("Message")]


def state(store: Store, address: str = PHONE) -> dict[str, Any] | None:
    return store.load_state("sms", address)


@dataclass
class Ticker:
    """A monotonic clock for the rate limiter that the test moves."""

    value: float = 1000.0

    def __call__(self) -> float:
        return self.value


def intake(
    store: Store, policy: Policy, clock: Clock, limit: int, ticker: Ticker, **options: Any
) -> Intake:
    """The intake with a rate limit of ``limit`` a minute, on the ticker's time."""
    return Intake(
        Engine(store, policy, clock), RateLimit(limit, 60.0),
        clock_us=lambda: int(ticker.value * 1e6), **options,
    )  # fmt: skip


@dataclass
class Answer:
    status: int
    text: str
    content_type: str

    @property
    def twiml(self) -> list[str]:
        assert self.status == 200, (self.status, self.text)
        assert self.content_type == "text/xml"
        return messages(self.text)

    @property
    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class Http:
    client: TestClient[web.Request, web.Application]
    gateway: Gateway
    woken: list[int] = field(default_factory=list)
    sids: int = 0

    def sid(self) -> str:
        self.sids += 1
        return f"SM{self.sids:032x}"

    async def post(
        self, path: str, data: bytes | str | Mapping[str, str], headers: Mapping[str, str]
    ) -> Answer:
        payload: Any = dict(data) if isinstance(data, Mapping) else data
        async with self.client.post(path, data=payload, headers=dict(headers)) as response:
            return Answer(response.status, await response.text(), response.content_type)

    async def twilio(
        self,
        body: str | None,
        sid: str | None = None,
        sender: str = PHONE,
        *,
        extra: Mapping[str, str] | None = None,
        drop: tuple[str, ...] = (),
        sign: Callable[[dict[str, str]], str | None] | None = None,
    ) -> Answer:
        """POST a Twilio inbound SMS (form), signed as Twilio would unless ``sign`` says."""
        form = {
            "ToCountry": "CN",
            "SmsMessageSid": sid or "",
            "NumMedia": "0",
            "From": sender,
            "To": GATEWAY_NUMBER,
            "MessageSid": sid or self.sid(),
            "AccountSid": "AC" + "1" * 32,
            "NumSegments": "1",
            "ApiVersion": "2010-04-01",
        }
        form["SmsMessageSid"] = form["MessageSid"]
        if body is not None:
            form["Body"] = body
        form.update(extra or {})
        for name in drop:
            form.pop(name, None)
        signature = sign(form) if sign else twilio_signature(form)
        headers = {} if signature is None else {"X-Twilio-Signature": signature}
        return await self.post("/sms/twilio", form, headers)

    async def status(self, form: dict[str, str], signature: str | None = None) -> Answer:
        signature = signature or twilio_signature(form, "/sms/twilio/status")
        return await self.post("/sms/twilio/status", form, {"X-Twilio-Signature": signature})

    async def android(
        self,
        body: bytes,
        *,
        skew: int = 0,
        key: str = ANDROID_KEY,
        signature: str | None = None,
    ) -> Answer:
        """POST an event signed with ``key``, stamped ``skew`` seconds off the real clock."""
        moment = str(int(time.time()) + skew)
        headers = {
            "Content-Type": "application/json",
            "X-Timestamp": moment,
            "X-Signature": signature or android_signature(key, body, moment),
        }
        return await self.post("/sms/android", body, headers)

    async def plain(self, body: bytes | dict[str, Any], token: str | None = JSON_TOKEN) -> Answer:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await self.post("/sms/json", raw, headers)


def settings(**changes: Any) -> Settings:
    values: dict[str, Any] = {
        "public_url": PUBLIC_URL,
        "twilio": TwilioSettings(auth_token=TWILIO_TOKEN),
        "android_key": ANDROID_KEY,
        "android_url": None,
        "android_user": "",
        "android_password": "",
        "json_token": JSON_TOKEN,
    }
    values.update(changes)
    return Settings(**values)


Scenario = Callable[[Http], Awaitable[None]]


def serve(
    store: Store,
    policy: Policy,
    clock: Clock,
    scenario: Scenario,
    ticker: Ticker | None = None,
    config: Settings | None = None,
) -> None:
    """Run ``scenario`` against the webhooks served on loopback."""
    config = config or settings()
    gateway = Gateway(intake(store, policy, clock, config.rate_limit, ticker or Ticker()))

    async def main() -> None:
        app = build_app(store, gateway, config)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            http = Http(client, gateway)
            gateway.sent_changed = lambda: http.woken.append(1)
            await scenario(http)

    asyncio.run(main())


WELCOME_ZH = text("zh", "welcome")


def sent_message(store: Store, clock: Clock, sid: str, address: str = PHONE) -> int:
    now = clock()
    store.enqueue("sms", address, "提醒：…", f"reminder:{sid}", now, now)
    row = store.outbox_row(f"reminder:{sid}")
    assert row is not None
    row_id = int(row["id"])
    store.mark_sent(row_id, sid, now)
    return row_id


def android_event(
    message: str = "你好", message_id: str = "a1b2c3", event: str = "sms:received",
    phone: str = PHONE,
) -> bytes:  # fmt: skip
    return json.dumps(
        {
            "deviceId": "ffffffffceb0b1db0000018e937c815b",
            "event": event,
            "id": "Ey6ECgOkVVFjz3CL48B8C",
            "payload": {
                "messageId": message_id,
                "message": message,
                "phoneNumber": phone,
                "simNumber": 1,
                "receivedAt": "2021-06-17T09:00:00.000+08:00",
            },
            "webhookId": "LreFUt-Z3sSq0JufY9uWB",
        },
        ensure_ascii=False,
    ).encode()


def replies_queued(store: Store) -> list[dict[str, Any]]:
    return [row for row in store.outbox_rows() if row["kind"] == "reply"]
