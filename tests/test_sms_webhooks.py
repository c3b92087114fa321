"""The SMS webhooks over real HTTP: Twilio-compatible, SMS Gateway for Android, plain JSON.

The app is ``channels.server.build_app`` around the seeded demo store and the engine on the
frozen clock, served on loopback by aiohttp's ``TestServer`` and called with a real client. The
Twilio requests are signed with the official ``twilio`` package (``RequestValidator``) over the
configured public URL, as Twilio signs them, not the loopback address the test connects to.

Every refused request (bad signature, malformed, too big, rate-limited) is checked to have left
the database exactly as it was.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from twilio.request_validator import RequestValidator

from bot.engine import Engine
from bot.intake import Intake, RateLimit, Traffic
from bot.messages import Inbound
from channels import logs
from channels.gateway import Gateway
from channels.server import MAX_BODY, ConfigError, Settings, build_app
from channels.sms.android import signature as android_signature
from channels.sms.render import segments
from channels.sms.twilio import TwilioSettings, keyword, twiml
from flows.policy import Policy
from flows.texts import TEXTS, text
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


def register(store: Store, clock: Clock, phone: str = PHONE, name: str = "Li Lei") -> int:
    """A resident already pre-registered on ``phone`` (female, 29, living in Tianhe)."""
    account = store.account_for("sms", phone, phone, clock())
    resident = store.add_resident(
        account_id=account,
        name=name,
        id_type="resident_id",
        id_number="440106199203151244",
        birth_date=date(1992, 3, 15),
        sex="F",
        phone=phone,
        district_id="tianhe",
        now=clock(),
        actor="test",
        channel="test",
    )
    return resident.id


# -- Twilio: table-driven ---------------------------------------------------------------------


@dataclass(frozen=True)
class TwilioCase:
    body: str | None
    status: int
    said: tuple[str, ...] = ()  # fragments the TwiML messages must contain
    stored: bool = True  # whether the turn ran (an inbound row, a conversation)
    drop: tuple[str, ...] = ()
    sign: Callable[[dict[str, str]], str | None] | None = None


def _tampered(form: dict[str, str]) -> str:
    return twilio_signature({**form, "Body": "你好"})  # signed for another body


WELCOME_ZH = text("zh", "welcome")
LOOPBACK = "http://127.0.0.1:8080"
TOO_LONG_ZH = text("zh", "too_long", limit=500)
TOO_LONG_EN = text("en", "too_long", limit=500)

TWILIO_CASES: dict[str, TwilioCase] = {
    "valid": TwilioCase("你好", 200, (WELCOME_ZH, "回复1 预约接种", "回复6 人工服务")),
    "valid-english": TwilioCase("hello", 200, (text("en", "welcome"), "\n1 Book a vaccination")),
    "chinese-body": TwilioCase("预约", 200, (text("zh", "reg.consent"), "回复1 同意")),
    "emoji-body": TwilioCase("👍😀", 200, (WELCOME_ZH,)),
    "emoji-between-words": TwilioCase("你好🙂", 200, (WELCOME_ZH,)),
    "1600-chinese-characters": TwilioCase("预" * 1600, 200, (TOO_LONG_ZH,)),
    "1600-latin-characters": TwilioCase("a" * 1600, 200, (TOO_LONG_EN,)),
    "1600-emoji": TwilioCase("😀" * 1600, 200, (TOO_LONG_ZH,)),
    "empty-body": TwilioCase("", 200, (text("zh", "empty"),)),
    "bad-signature": TwilioCase("你好", 403, stored=False, sign=lambda form: "bm90IGl0"),
    "no-signature": TwilioCase("你好", 403, stored=False, sign=lambda form: None),
    "signed-with-another-token": TwilioCase(
        "你好", 403, stored=False, sign=lambda form: twilio_signature(form, token="wrong")
    ),
    "signed-for-the-loopback-url": TwilioCase(
        "你好", 403, stored=False, sign=lambda form: twilio_signature(form, url=LOOPBACK)
    ),
    "signed-for-another-body": TwilioCase("预约", 403, stored=False, sign=_tampered),
    "missing-From": TwilioCase("你好", 400, stored=False, drop=("From",)),
    "missing-Body": TwilioCase(None, 400, stored=False),
    "missing-MessageSid": TwilioCase("你好", 400, stored=False, drop=("MessageSid",)),
    "missing-fields-and-bad-signature": TwilioCase(
        None, 403, stored=False, drop=("From",), sign=lambda form: "bm90IGl0"
    ),
}


@pytest.mark.parametrize("case", TWILIO_CASES.values(), ids=TWILIO_CASES.keys())
def test_twilio_webhook(store: Store, policy: Policy, clock: Clock, case: TwilioCase) -> None:
    before = snapshot(store)

    async def scenario(http: Http) -> None:
        answer = await http.twilio(case.body, drop=case.drop, sign=case.sign)
        assert answer.status == case.status, answer.text
        if case.status != 200:
            assert "<Message>" not in answer.text
            return
        said = answer.twiml
        assert said, "a message is always answered"
        whole = "\n".join(said)
        for fragment in case.said:
            assert fragment in whole
        assert all(segments(message) <= 3 for message in said), said

    serve(store, policy, clock, scenario)
    after = snapshot(store)
    if case.stored:
        assert len(after["inbound"]) == len(before["inbound"]) + 1
        assert state(store) is not None
    else:
        assert after == before


def test_a_body_over_the_size_limit_is_refused_with_413_and_nothing_stored(
    store: Store, policy: Policy, clock: Clock
) -> None:
    before = snapshot(store)

    async def scenario(http: Http) -> None:
        answer = await http.twilio("x" * (MAX_BODY + 1))
        assert answer.status == 413
        form = json.dumps({"event": "sms:received", "payload": {"message": "x" * MAX_BODY}})
        assert (await http.android(form.encode())).status == 413
        big = {"from": PHONE, "text": "x" * MAX_BODY, "id": "big-1"}
        assert (await http.plain(big)).status == 413

    serve(store, policy, clock, scenario)
    assert snapshot(store) == before


FORM = "application/x-www-form-urlencoded"
MALFORMED_FORMS = {
    "not-utf-8": (b"From=%2B8613800138000&Body=\xff\xfe&MessageSid=SM1", FORM),
    "broken-multipart": (b"--zz\r\nbroken\r\n--zz--\r\n", "multipart/form-data; boundary=zz"),
}


@pytest.mark.parametrize("raw", MALFORMED_FORMS.values(), ids=MALFORMED_FORMS.keys())
def test_a_malformed_twilio_form_is_a_400_and_stores_nothing(
    store: Store, policy: Policy, clock: Clock, raw: tuple[bytes, str]
) -> None:
    before = snapshot(store)
    body, content_type = raw

    async def scenario(http: Http) -> None:
        headers = {"Content-Type": content_type, "X-Twilio-Signature": twilio_signature({})}
        answer = await http.post("/sms/twilio", body, headers)
        assert answer.status == 400, (answer.status, answer.text)

    serve(store, policy, clock, scenario)
    assert snapshot(store) == before


@pytest.mark.backends("sqlite", "postgresql")
def test_a_redelivered_message_sid_gets_the_same_twiml_and_runs_once(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(http: Http) -> None:
        await http.twilio("你好")
        first = await http.twilio("1", sid="SM-book")  # 1 = book: the registration consent
        assert text("zh", "reg.consent") in first.twiml[0]
        conversation = state(store)
        rows = snapshot(store)

        again = await http.twilio("1", sid="SM-book")
        assert again.text == first.text
        assert state(store) == conversation  # the turn did not run again
        assert snapshot(store) == rows

        both = await asyncio.gather(*(http.twilio("1", sid="SM-agree") for _ in range(4)))
        assert len({answer.text for answer in both}) == 1
        assert text("zh", "reg.who") in both[0].twiml[0]  # consent given once: "for whom?"
        inbound = [r["message_id"].split()[-1] for r in snapshot(store)["inbound"]]  # sender sid
        assert inbound.count("SM-agree") == 1 and inbound.count("SM-book") == 1
        assert state(store)["step"] == "who"  # type: ignore[index]

        # The same answer under a new sid is a new turn: "1" now answers "for whom?"
        nxt = await http.twilio("1")
        assert text("zh", "reg.name") in nxt.twiml[0]

    serve(store, policy, clock, scenario)


def test_message_ids_of_different_gateways_never_collide(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """The same id from two gateways is two messages: no one gets a reply meant for another."""

    async def scenario(http: Http) -> None:
        twilio = await http.twilio("hello", sid="shared-1")
        plain = await http.plain({"from": OTHER_PHONE, "text": "你好", "id": "shared-1"})
        assert plain.status == 200
        assert plain.json["replies"][0].startswith(WELCOME_ZH)
        assert twilio.twiml[0].startswith(text("en", "welcome"))

    serve(store, policy, clock, scenario)


# -- Twilio's reserved words ------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "stop", " Stop ", "CANCEL", "END", "QUIT", "UNSUBSCRIBE",
                                  "STOPALL"])  # fmt: skip
def test_twilio_stop_words_opt_the_sender_out(
    store: Store, policy: Policy, clock: Clock, word: str
) -> None:
    async def scenario(http: Http) -> None:
        answer = await http.twilio(word)
        assert answer.twiml == [text("en", "optout.done")]  # Latin words: English

    serve(store, policy, clock, scenario)
    assert store.opted_out("sms", PHONE)
    assert not store.opted_out("sms", OTHER_PHONE)


@pytest.mark.parametrize("word", ["START", "unstop", "Start"])
def test_twilio_start_words_opt_the_sender_back_in(
    store: Store, policy: Policy, clock: Clock, word: str
) -> None:
    async def scenario(http: Http) -> None:
        await http.twilio("STOP")
        assert store.opted_out("sms", PHONE)
        answer = await http.twilio(word)
        assert answer.twiml == [text("en", "optin.done")]

    serve(store, policy, clock, scenario)
    assert not store.opted_out("sms", PHONE)


@pytest.mark.parametrize("word", ["HELP", "help", "INFO"])
def test_twilio_help_words_get_the_help_text(
    store: Store, policy: Policy, clock: Clock, word: str
) -> None:
    async def scenario(http: Http) -> None:
        assert (await http.twilio(word)).twiml == [text("en", "help")]

    serve(store, policy, clock, scenario)
    assert not store.opted_out("sms", PHONE)


def test_keyword_maps_only_whole_reserved_words() -> None:
    assert keyword(" stop\n") == "STOP"
    assert keyword("Stopped by") == "Stopped by"
    assert keyword("取消") == "取消"  # the engine's own cancel command stays as it is
    assert keyword("help me") == "help me"


def test_yes_answers_a_yes_no_question_instead_of_opting_in(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """``yes`` is an answer the English flows offer for every yes/no question (screening,
    confirming a booking); Twilio forwarding it must not turn it into START."""
    register(store, clock)

    async def scenario(http: Http) -> None:
        asked = await http.twilio("book")
        assert asked.twiml[0].startswith(text("en", "screen.all", name="Li Lei"))
        unclear = await http.twilio("yes")  # which one? asked one at a time
        assert unclear.twiml != [text("en", "optin.done")]
        assert text("en", "q.allergy", name="Li Lei") in unclear.twiml[0]
        answered = await http.twilio("yes")
        assert answered.twiml != [text("en", "optin.done")]
        assert answered.twiml[0] == text("en", "verdict.not_eligible.allergy")

    serve(store, policy, clock, scenario)


def test_the_help_text_does_not_tell_residents_to_send_a_twilio_opt_out_word() -> None:
    """On Twilio, STOP/STOPALL/UNSUBSCRIBE/CANCEL/END/QUIT opt the number out at the carrier:
    a resident following the help text must not unsubscribe by accident."""
    reserved = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
    zh, en = TEXTS["help"]
    for help_text in (zh, en):
        words = {word.strip(",.;:") for word in help_text.split()}
        assert not words & reserved, help_text


# -- a place taken at the last moment ------------------------------------------------------------


def last_places(store: Store, clock: Clock) -> int:
    """Tianhe keeps two places: Tianhe Sports Centre on 18 June 14:00 and Shipai on 19 June
    08:00. Zhang San (male, Tianhe) is registered on ``PHONE``. Returns the first slot's id."""
    tables.update(store, "slots", capacity=0)
    sites = store.site_ids()
    tianhe = sites["Tianhe Sports Centre"]
    tables.update(store, "slots", {"day": "2021-06-18", "start": "14:00", "site_id": tianhe},
                  capacity=1)  # fmt: skip
    taken = tables.slot_id(store, tianhe, "2021-06-18", "14:00")
    tables.update(store, "slots", {"day": "2021-06-19", "start": "08:00",
                                   "site_id": sites["Shipai Community Health Centre"]},
                  capacity=1)  # fmt: skip
    account = store.account_for("sms", PHONE, PHONE, clock())
    store.add_resident(
        account_id=account, name="张三", id_type="resident_id", id_number="440106197601011231",
        birth_date=date(1976, 1, 1), sex="M", phone=PHONE, district_id="tianhe", now=clock(),
        actor="test", channel="test",
    )  # fmt: skip
    return int(taken)


async def to_confirmation(http: Http) -> list[str]:
    """预约, 没有 to the health questions, home district, the first site, its only day: the
    confirmation."""
    for body in ["预约", "没有", "1"]:
        said = await http.twilio(body)
    assert "天河体育中心接种点 剩1" in said.twiml[0]
    said = await http.twilio("1")  # the site
    assert "6月18日 周五 剩1" in said.twiml[0]
    return (await http.twilio("1")).twiml  # its only day (and period)


def test_a_place_taken_at_confirmation_leads_to_another_choice_not_a_dead_end(
    store: Store, policy: Policy, clock: Clock
) -> None:
    taken = last_places(store, clock)

    async def scenario(http: Http) -> None:
        confirm = await to_confirmation(http)
        assert confirm[0].startswith("请确认：张三，第1剂，6月18日 周五 14:00-16:00")
        tables.update(store, "slots", {"id": taken}, booked=1)  # someone else
        said = (await http.twilio("1")).twiml[0]
        assert said.startswith(text("zh", "book.taken"))
        # It says "choose another site": the site that still has a place must be offered.
        assert "回复1 " in said and "石牌街社区卫生服务中心" in said, said

    serve(store, policy, clock, scenario)


def test_back_after_a_place_was_taken_does_not_confirm_the_lost_place_again(
    store: Store, policy: Policy, clock: Clock
) -> None:
    taken = last_places(store, clock)

    async def scenario(http: Http) -> None:
        confirm = await to_confirmation(http)
        tables.update(store, "slots", {"id": taken}, booked=1)
        assert (await http.twilio("1")).twiml[0].startswith(text("zh", "book.taken"))
        back = (await http.twilio("返回")).twiml[0]
        assert back != confirm[0], "返回 asks to confirm the place that is gone"

    serve(store, policy, clock, scenario)


# -- rate limit -------------------------------------------------------------------------------


@pytest.mark.backends("sqlite", "postgresql")
def test_the_21st_message_in_a_minute_gets_one_polite_reply_then_silence(
    store: Store, policy: Policy, clock: Clock
) -> None:
    ticker = Ticker()

    async def scenario(http: Http) -> None:
        for n in range(20):
            ticker.value += 1.0
            assert (await http.twilio("帮助")).twiml == [text("zh", "help")], n
        rows = snapshot(store)
        conversation = state(store)

        ticker.value += 1.0
        polite = await http.twilio("帮助")
        assert polite.twiml == [text("zh", "rate_limited")]
        ticker.value += 1.0
        silent = await http.twilio("帮助")
        assert silent.status == 200 and silent.twiml == []
        assert "<Response/>" in silent.text
        assert snapshot(store) == rows and state(store) == conversation

        other = await http.twilio("帮助", sender=OTHER_PHONE)  # others are not limited
        assert other.twiml == [text("zh", "help")]

        ticker.value += 60.0  # a minute later: welcome again
        assert (await http.twilio("帮助")).twiml == [text("zh", "help")]

    serve(store, policy, clock, scenario, ticker)


# -- status callbacks ---------------------------------------------------------------------------


def sent_message(store: Store, clock: Clock, sid: str, address: str = PHONE) -> int:
    now = clock()
    store.enqueue("sms", address, "提醒：…", f"reminder:{sid}", now, now)
    row = store.outbox_row(f"reminder:{sid}")
    assert row is not None
    row_id = int(row["id"])
    store.mark_sent(row_id, sid, now)
    return row_id


def outbox_row(store: Store, row_id: int) -> dict[str, Any]:
    return next(row for row in store.outbox_rows() if row["id"] == row_id)


@pytest.mark.backends("sqlite", "postgresql")
def test_a_status_callback_records_the_delivery_status(
    store: Store, policy: Policy, clock: Clock
) -> None:
    row_id = sent_message(store, clock, "SM" + "a" * 32)

    async def scenario(http: Http) -> None:
        for status in ("sent", "delivered"):
            form = {"MessageSid": "SM" + "a" * 32, "MessageStatus": status, "To": PHONE}
            assert (await http.status(form)).status == 204
            assert outbox_row(store, row_id)["delivery_status"] == status

    serve(store, policy, clock, scenario)
    assert not store.opted_out("sms", PHONE)


def test_a_status_callback_with_error_21610_opts_the_address_out(
    store: Store, policy: Policy, clock: Clock
) -> None:
    sid = "SM" + "b" * 32
    row_id = sent_message(store, clock, sid)
    other = sent_message(store, clock, "SM" + "c" * 32, OTHER_PHONE)

    async def scenario(http: Http) -> None:
        form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "21610"}
        assert (await http.status(form)).status == 204
        form = {"MessageSid": "SM" + "c" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"}
        assert (await http.status(form)).status == 204

    serve(store, policy, clock, scenario)
    row = outbox_row(store, row_id)
    assert row["delivery_status"] == "undelivered" and "21610" in row["last_error"]
    assert store.opted_out("sms", PHONE)
    assert outbox_row(store, other)["last_error"] == "30003"
    assert not store.opted_out("sms", OTHER_PHONE)  # unreachable is not an opt-out


@pytest.mark.parametrize(
    ("form", "signed", "status"),
    [
        ({"MessageSid": "SM" + "d" * 32, "MessageStatus": "delivered"}, False, 403),
        ({"MessageSid": "SM" + "d" * 32}, True, 400),
        ({"MessageStatus": "delivered"}, True, 400),
    ],
    ids=["bad-signature", "missing-MessageStatus", "missing-MessageSid"],
)
def test_a_refused_status_callback_changes_nothing(
    store: Store, policy: Policy, clock: Clock, form: dict[str, str], signed: bool, status: int
) -> None:
    sent_message(store, clock, "SM" + "d" * 32)
    form = {**form, "ErrorCode": "21610"}
    before = snapshot(store)

    async def scenario(http: Http) -> None:
        signature = None if signed else "bm90IGl0"
        assert (await http.status(form, signature)).status == status

    serve(store, policy, clock, scenario)
    assert snapshot(store) == before


# -- SMS Gateway for Android ----------------------------------------------------------------


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


@pytest.mark.backends("sqlite", "postgresql")
def test_android_valid_message_queues_its_replies_and_a_redelivery_queues_nothing(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(http: Http) -> None:
        answer = await http.android(android_event("你好"))
        assert answer.status == 200 and answer.json == {"replies": 1}
        assert http.woken  # the sender is woken to send it now
        queued = replies_queued(store)
        assert len(queued) == 1
        assert queued[0]["address"] == PHONE and queued[0]["channel"] == "sms"
        assert queued[0]["text"].startswith(WELCOME_ZH) and "回复1 预约接种" in queued[0]["text"]
        assert queued[0]["due_at"] == clock().isoformat(timespec="seconds")
        conversation = state(store)

        again = await http.android(android_event("你好"))
        assert again.status == 200 and again.json == {"replies": 1}
        assert replies_queued(store) == queued
        assert state(store) == conversation

        nxt = await http.android(android_event("1", message_id="d4e5f6"))
        assert nxt.status == 200
        assert len(replies_queued(store)) == 2
        assert text("zh", "reg.consent") in replies_queued(store)[1]["text"]

    serve(store, policy, clock, scenario)


ANDROID_REFUSED = {
    "bad-signature": (dict(signature="0" * 64), 403),
    "signed-with-another-key": (dict(key="another-key"), 403),
    "stale-timestamp": (dict(skew=-310), 403),  # more than five minutes either way
    "timestamp-from-the-future": (dict(skew=310), 403),
}


@pytest.mark.parametrize(("how", "status"), ANDROID_REFUSED.values(), ids=ANDROID_REFUSED.keys())
def test_android_refused_requests_store_nothing(
    store: Store, policy: Policy, clock: Clock, how: dict[str, Any], status: int
) -> None:
    before = snapshot(store)

    async def scenario(http: Http) -> None:
        assert (await http.android(android_event(), **how)).status == status

    serve(store, policy, clock, scenario)
    assert snapshot(store) == before


def test_android_timestamp_within_five_minutes_is_accepted(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(http: Http) -> None:
        answer = await http.android(android_event(), skew=-240)
        assert answer.status == 200

    serve(store, policy, clock, scenario)
    assert len(replies_queued(store)) == 1


def test_android_missing_timestamp_is_refused(store: Store, policy: Policy, clock: Clock) -> None:
    before = snapshot(store)
    body = android_event()

    async def scenario(http: Http) -> None:
        headers = {"X-Signature": android_signature(ANDROID_KEY, body, "")}
        assert (await http.post("/sms/android", body, headers)).status == 403

    serve(store, policy, clock, scenario)
    assert snapshot(store) == before


ANDROID_MALFORMED = {
    "not-json": b"event=sms:received",
    "no-payload": json.dumps({"event": "sms:received"}).encode(),
    "no-message": json.dumps(
        {"event": "sms:received", "payload": {"messageId": "x", "phoneNumber": PHONE}}
    ).encode(),
    "payload-not-an-object": json.dumps({"event": "sms:received", "payload": [1]}).encode(),
}


@pytest.mark.parametrize("body", ANDROID_MALFORMED.values(), ids=ANDROID_MALFORMED.keys())
def test_android_malformed_event_is_a_400_and_stores_nothing(
    store: Store, policy: Policy, clock: Clock, body: bytes
) -> None:
    before = snapshot(store)

    async def scenario(http: Http) -> None:
        assert (await http.android(body)).status == 400

    serve(store, policy, clock, scenario)
    assert snapshot(store) == before


# The other events the app sends to the same webhook, with their payloads as documented
# (docs.sms-gate.app, "Webhooks"): none carries a "message".
OTHER_EVENTS = {
    "sms:sent": {"messageId": "m1", "phoneNumber": PHONE, "simNumber": 1,
                 "sentAt": "2021-06-17T09:00:01.000+08:00"},
    "sms:delivered": {"messageId": "m1", "phoneNumber": PHONE, "simNumber": 1,
                      "deliveredAt": "2021-06-17T09:00:05.000+08:00"},
    "sms:failed": {"messageId": "m1", "phoneNumber": PHONE, "simNumber": 1,
                   "failedAt": "2021-06-17T09:00:05.000+08:00", "reason": "Generic failure"},
    "system:ping": {"health": {"status": "pass", "checks": {}}},
}  # fmt: skip


@pytest.mark.parametrize("event", OTHER_EVENTS, ids=OTHER_EVENTS.keys())
def test_android_events_other_than_sms_received_are_ignored_with_200(
    store: Store, policy: Policy, clock: Clock, event: str
) -> None:
    before = snapshot(store)
    body = json.dumps({"deviceId": "d1", "event": event, "id": "e1", "webhookId": "w1",
                       "payload": OTHER_EVENTS[event]}).encode()  # fmt: skip

    async def scenario(http: Http) -> None:
        answer = await http.android(body)
        assert answer.status == 200, (answer.status, answer.text)  # a 4xx makes the app retry

    serve(store, policy, clock, scenario)
    assert snapshot(store) == before


@pytest.mark.parametrize("message", ["预约", "👍", "a" * 1600], ids=["chinese", "emoji", "1600"])
def test_android_bodies(store: Store, policy: Policy, clock: Clock, message: str) -> None:
    async def scenario(http: Http) -> None:
        assert (await http.android(android_event(message))).status == 200

    serve(store, policy, clock, scenario)
    queued = replies_queued(store)
    assert len(queued) == 1 and all(segments(row["text"]) <= 3 for row in queued)


# -- plain JSON -----------------------------------------------------------------------------


@pytest.mark.backends("sqlite", "postgresql")
def test_plain_json_endpoint(store: Store, policy: Policy, clock: Clock) -> None:
    async def scenario(http: Http) -> None:
        answer = await http.plain({"from": PHONE, "text": "你好", "id": "g-1"})
        assert answer.status == 200 and answer.content_type == "application/json"
        assert WELCOME_ZH in answer.text, "sent as UTF-8 text, not \\uXXXX escapes"
        replies = answer.json["replies"]
        assert len(replies) == 1 and replies[0].startswith(WELCOME_ZH)
        assert "回复1 预约接种" in replies[0]
        consent = await http.plain({"from": PHONE, "text": "1", "id": "g-2"})
        again = await http.plain({"from": PHONE, "text": "1", "id": "g-2"})
        assert again.json == consent.json
        assert text("zh", "reg.consent") in consent.json["replies"][0]
        assert state(store)["step"] == "consent"  # type: ignore[index]
        emoji = await http.plain({"from": PHONE, "text": "😀", "id": "g-3"})
        assert emoji.status == 200 and emoji.json["replies"]
        assert replies_queued(store) == []  # the replies went back in the response

    serve(store, policy, clock, scenario)


PLAIN_REFUSED = {
    "no-token": ({"from": PHONE, "text": "你好", "id": "r-1"}, None, 403),
    "wrong-token": ({"from": PHONE, "text": "你好", "id": "r-1"}, "nope", 403),
    "missing-from": ({"text": "你好", "id": "r-1"}, JSON_TOKEN, 400),
    "missing-id": ({"from": PHONE, "text": "你好"}, JSON_TOKEN, 400),
    "empty-from": ({"from": "", "text": "你好", "id": "r-1"}, JSON_TOKEN, 400),
    "not-json": (b"from=me", JSON_TOKEN, 400),
    "a-list": (b"[1, 2]", JSON_TOKEN, 400),
}


@pytest.mark.parametrize(("body", "token", "status"), PLAIN_REFUSED.values(),
                         ids=PLAIN_REFUSED.keys())  # fmt: skip
def test_plain_json_refused_requests_store_nothing(
    store: Store,
    policy: Policy,
    clock: Clock,
    body: dict[str, Any] | bytes,
    token: str | None,
    status: int,
) -> None:
    before = snapshot(store)

    async def scenario(http: Http) -> None:
        assert (await http.plain(body, token)).status == status

    serve(store, policy, clock, scenario)
    assert snapshot(store) == before


# -- TwiML, settings --------------------------------------------------------------------------


def test_twiml_escapes_and_is_well_formed() -> None:
    assert messages(twiml(["a < b & c > d", "第二条"])) == ["a < b & c > d", "第二条"]
    assert messages(twiml([])) == []
    assert twiml([]).endswith("<Response/>")


def test_serving_without_secrets_needs_the_insecure_flag() -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"VAXBOT_TWILIO_AUTH_TOKEN": "t"}, False, "http://127.0.0.1:8080")
    message = str(refused.value)
    assert "VAXBOT_SMSGATE_SIGNING_KEY" in message and "VAXBOT_SMS_JSON_TOKEN" in message
    assert "VAXBOT_TWILIO_AUTH_TOKEN" not in message and "--insecure" in message
    insecure = Settings.from_env({}, True, "http://127.0.0.1:8080")
    assert insecure.twilio.auth_token is None and insecure.public_url == "http://127.0.0.1:8080"
    env = {"VAXBOT_TWILIO_AUTH_TOKEN": "t", "VAXBOT_SMSGATE_SIGNING_KEY": "k",
           "VAXBOT_SMS_JSON_TOKEN": "j", "VAXBOT_PUBLIC_URL": PUBLIC_URL}  # fmt: skip
    assert Settings.from_env(env, False, "http://127.0.0.1:8080").public_url == PUBLIC_URL


def test_insecure_settings_name_each_unauthenticated_endpoint() -> None:
    insecure = Settings.from_env({"VAXBOT_TWILIO_AUTH_TOKEN": "t"}, True, "http://127.0.0.1:8080")
    said = insecure.unauthenticated()
    assert len(said) == 3
    assert "/sms/android" in said[0] and "VAXBOT_SMSGATE_SIGNING_KEY" in said[0]
    assert "/sms/json" in said[1] and "VAXBOT_SMS_JSON_TOKEN" in said[1]
    assert "/sms/tencent" in said[2] and "VAXBOT_TENCENT_SMS_CALLBACK_TOKEN" in said[2]
    env = {"VAXBOT_TWILIO_AUTH_TOKEN": "t", "VAXBOT_SMSGATE_SIGNING_KEY": "k",
           "VAXBOT_SMS_JSON_TOKEN": "j", "VAXBOT_TENCENT_SMS_CALLBACK_TOKEN": "c"}  # fmt: skip
    assert Settings.from_env(env, True, "http://127.0.0.1:8080").unauthenticated() == []
    mail = {**env, "VAXBOT_EMAIL_ADDRESS": "vax@example.org", "VAXBOT_EMAIL_USER": "u",
            "VAXBOT_EMAIL_PASSWORD": "p"}  # fmt: skip
    [plain_auth] = Settings.from_env(mail, True, "http://127.0.0.1:8080").unauthenticated()
    assert "SMTP AUTH" in plain_auth and "without TLS" in plain_auth


def test_insecure_webhooks_accept_unsigned_requests(
    store: Store, policy: Policy, clock: Clock
) -> None:
    config = settings(twilio=TwilioSettings(auth_token=None), android_key=None, json_token=None)

    async def scenario(http: Http) -> None:
        assert (await http.twilio("你好", sign=lambda form: None)).twiml[0].startswith(WELCOME_ZH)
        body = android_event("你好", message_id="x9")
        assert (await http.post("/sms/android", body, {})).status == 200
        unsigned = {"from": OTHER_PHONE, "text": "hi", "id": "p"}
        assert (await http.plain(unsigned, None)).status == 200

    serve(store, policy, clock, scenario, config=config)


def test_build_app_raises_no_warning(store: Store, policy: Policy, clock: Clock) -> None:
    gateway = Gateway(Intake(Engine(store, policy, clock), RateLimit()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build_app(store, gateway, settings())
    assert [str(w.message) for w in caught] == []


def test_healthz(store: Store, policy: Policy, clock: Clock) -> None:
    async def scenario(http: Http) -> None:
        async with http.client.get("/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok"}

    serve(store, policy, clock, scenario)


# -- logs -----------------------------------------------------------------------------------


def test_traffic_is_summed_up_once_a_minute_at_info(
    store: Store, policy: Policy, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A line per message is DEBUG; at INFO, operators get one line a minute per channel."""
    caplog.set_level(logging.INFO)
    ticker = Ticker()
    door = intake(store, policy, clock, 2, ticker, traffic=Traffic(now=ticker))

    def summaries() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "vaxbot.intake"]

    for body in ("你好", "1", "2"):  # the third is over the limit of 2 a minute
        door.receive(Inbound("sms", PHONE, body, f"SM-{body}"))
    assert summaries() == []  # not a minute yet
    ticker.value += 60
    door.receive(Inbound("sms", OTHER_PHONE, "你好", "SM-other"))
    assert summaries() == ["sms: 3 messages in 60 s (0.1/s), 1 over the rate limit"]
    door.receive(Inbound("sms", OTHER_PHONE, "1", "SM-other-2"))  # a new minute: no line yet
    assert len(summaries()) == 1


def test_request_logs_never_show_a_full_phone_number_or_a_secret(
    store: Store, policy: Policy, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def scenario(http: Http) -> None:
        await http.twilio("你好")
        await http.twilio("你好", sign=lambda form: "bm90IGl0")
        await http.twilio("预" * 1600)
        await http.android(android_event("你好"))
        await http.android(android_event("你好"), signature="0" * 64)
        await http.plain({"from": PHONE, "text": "你好", "id": "log-1"})
        await http.status({"MessageSid": "SM" + "e" * 32, "MessageStatus": "delivered",
                           "To": PHONE, "ErrorCode": "21610"})  # fmt: skip

    serve(store, policy, clock, scenario)
    assert any("138****8000" in record.getMessage() for record in caplog.records)
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("13800138000", TWILIO_TOKEN, ANDROID_KEY, JSON_TOKEN):
        assert secret not in logged


REDACTED = {
    "e164-phone": ("sent to +8613800138000 ok", "sent to +86*******8000 ok"),
    "bare-mobile": ("from=13800138000", "from=138****8000"),
    "spaced-mobile": ("call 138 0013 8000 now", "call 138****8000 now"),
    "id-number": ("id 440106199001011235", "id 440***********1235"),
    "id-number-x": ("id 44010619900101123X", "id 440***********123X"),
    "token": ("auth_token=abc123 next", "auth_token=*** next"),
    "password-json": ('{"password": "hunter2"}', '{"password": "***"}'),
    "signature-header": ("X-Twilio-Signature: bm90IGl0=", "X-Twilio-Signature: ***"),
    "authorization": ("Authorization: Basic QUM6dG9r", "Authorization: ***"),
    "short-numbers-kept": ("port 8080, 2021-06-17 09:00, 20 left",) * 2,
    "masked-kept": ("from=138****8000", "from=138****8000"),
}  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), REDACTED.values(), ids=REDACTED.keys())
def test_redact(raw: str, expected: str) -> None:
    assert logs.redact(raw) == expected


def test_log_times_carry_their_zone() -> None:
    """The bot works in +08:00 wherever the server runs: log times say which zone they are in."""
    moment = datetime(2021, 6, 17, 1, 0, 0, 250_000, tzinfo=UTC).timestamp()  # 09:00 in Guangzhou
    record = logging.makeLogRecord(
        {"name": "vaxbot.test", "levelname": "INFO", "msg": "up", "created": moment,
         "msecs": 250.0}
    )  # fmt: skip
    fmt = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
    shanghai = logs.RedactingFormatter(fmt, ZoneInfo("Asia/Shanghai"))
    assert (
        shanghai.format(record) == "2021-06-17T09:00:00.250+08:00 level=INFO logger=vaxbot.test up"
    )
    utc = logs.RedactingFormatter(fmt, ZoneInfo("UTC")).format(record)
    assert utc.startswith("2021-06-17T01:00:00.250+00:00 ")
    local = logs.RedactingFormatter(fmt).format(record)  # the machine's zone: still an offset
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.250[+-]\d\d:\d\d level=INFO", local), local


def test_configured_logs_redact_exception_tracebacks_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The handler ``configure()`` installs is the safety net for exceptions as well."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logs.configure(zone=ZoneInfo("Asia/Shanghai"))
        try:
            raise ValueError(f"no such resident for {PHONE} with token=abc123")
        except ValueError:
            logging.getLogger("vaxbot.test").exception("turn failed for %s", PHONE)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "level=ERROR logger=vaxbot.test" in err and "turn failed for +86*******8000" in err
    assert re.match(r"\S+T\S+\+08:00 level=ERROR", err), err
    assert "13800138000" not in err and "abc123" not in err


@pytest.mark.parametrize(
    "body",
    [
        b'{"event": "sms:received", "payload":' * 800 + b"1" + b"}" * 800,
        android_event("SURROGATE").replace(b"SURROGATE", b"\\ud800"),  # a lone surrogate
        b'{"event": "sms:received", "payload": {"phoneNumber": null, "message": "hi", '
        b'"messageId": "m1"}}',
        b'{"event": "sms:received", "payload": {"phoneNumber": "+8613800138000", "message": 5, '
        b'"messageId": "m1"}}',
        b'{"event": "sms:received", "payload": null}',
    ],
    ids=["deep", "lone surrogate", "null sender", "number text", "null payload"],
)
def test_android_a_malformed_signed_event_is_a_clean_400_and_stores_nothing(
    store: Store, policy: Policy, clock: Clock, body: bytes
) -> None:
    async def scenario(http: Http) -> None:
        answer = await http.android(body)
        assert answer.status == 400 and answer.text.startswith("not an sms:received event")

    before = snapshot(store)
    serve(store, policy, clock, scenario)
    assert snapshot(store) == before
