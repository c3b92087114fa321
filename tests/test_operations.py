"""What a deployer watches: /metrics (Prometheus), /readyz, and one log line per failed turn."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import make_clock
from bot.engine import Engine
from bot.intake import Intake, RateLimit
from bot.messages import Inbound
from channels.gateway import Gateway
from channels.server import Settings, build_app
from channels.sms.twilio import TwilioSettings
from flows.policy import Policy
from store import Store
from store.sqlite import SqliteDb
from tests.conftest import Clock

TOKEN = "json-token"
PHONE = "+8613800138000"


def sample(body: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    match = re.search(rf"^{name}{{{re.escape(wanted)}}} ([0-9.e+]+)$", body, re.M)
    return float(match.group(1)) if match else 0.0


def settings() -> Settings:
    return Settings(
        public_url="http://vaxbot.test", twilio=TwilioSettings(auth_token="t"),
        android_key="k", android_url=None, android_user="", android_password="",
        json_token=TOKEN, rate_limit=3,
    )  # fmt: skip


def run(store: Store, policy: Policy, clock: Callable[[], datetime], scenario: Any) -> None:
    gateway = Gateway(Intake(Engine(store, policy, clock), RateLimit(3, 60.0)))
    stopping = asyncio.Event()

    async def main() -> None:
        app = build_app(store, gateway, settings(), stopping)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await scenario(client, stopping)

    asyncio.run(main())


async def text_in(client: TestClient[web.Request, web.Application], n: int, body: str) -> int:
    response = await client.post(
        "/sms/json",
        json={"from": PHONE, "text": body, "id": f"m{n}"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    return response.status


@pytest.mark.backends("sqlite", "postgresql")
def test_metrics_count_turns_replies_and_senders_over_the_limit(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(client: TestClient[web.Request, web.Application], _: asyncio.Event) -> None:
        before = await (await client.get("/metrics")).text()
        for n, body in enumerate(["你好", "孕妇可以打吗", "1", "2"]):  # the 4th is over 3/min
            assert await text_in(client, n, body) == 200
        response = await client.get("/metrics")
        assert response.status == 200 and response.content_type == "text/plain"
        after = await response.text()
        turns = sample(after, "vaxbot_turns_total", channel="sms", outcome="ok")
        assert turns - sample(before, "vaxbot_turns_total", channel="sms", outcome="ok") == 3
        replies = sample(after, "vaxbot_replies_total", channel="sms")
        assert replies - sample(before, "vaxbot_replies_total", channel="sms") >= 3
        limited = sample(after, "vaxbot_rate_limited_total", channel="sms")
        assert limited - sample(before, "vaxbot_rate_limited_total", channel="sms") == 1
        assert 'vaxbot_turn_seconds_bucket{channel="sms",le="0.25"}' in after

    run(store, policy, clock, scenario)


def test_readyz_says_ready_then_stopping_once_shutdown_begins(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(
        client: TestClient[web.Request, web.Application], stopping: asyncio.Event
    ) -> None:
        ready = await client.get("/readyz")
        assert ready.status == 200 and (await ready.json()) == {"status": "ready"}
        stopping.set()
        assert (await client.get("/readyz")).status == 503

    run(store, policy, clock, scenario)


@pytest.mark.backends("sqlite", "postgresql")
def test_readyz_is_503_when_the_database_cannot_answer(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(client: TestClient[web.Request, web.Application], _: asyncio.Event) -> None:
        store.close()
        assert (await client.get("/readyz")).status == 503

    run(store, policy, clock, scenario)


def test_a_failing_turn_logs_one_line_with_a_count_and_books_are_counted(
    store: Store, policy: Policy, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    engine = Engine(store, policy, clock)
    store.close()  # every turn now fails, as on a full disk
    with caplog.at_level(logging.INFO, logger="vaxbot.engine"):
        for _ in range(2):
            [reply] = engine.handle(Inbound("sms", PHONE, "预约"))
            assert "稍后再试" in reply.text or "try again" in reply.text.lower()
    lines = [r for r in caplog.records if r.name == "vaxbot.engine"]
    assert [r.levelname for r in lines] == ["ERROR", "ERROR"]
    assert "(1 failed in this process)" in lines[0].getMessage()
    assert "(2 failed in this process)" in lines[1].getMessage()
    assert all(r.exc_info is None for r in lines) and "13800138000" not in caplog.text


def test_a_booking_made_in_a_conversation_is_counted(
    store: Store, policy: Policy, clock: Clock
) -> None:
    from prometheus_client import REGISTRY

    def booked() -> float:
        value = REGISTRY.get_sample_value(
            "vaxbot_bookings_total", {"channel": "sms", "kind": "booked"}
        )
        return value or 0.0

    engine = Engine(store, policy, clock)
    before = booked()
    said = ""
    for body in ("登记", "1", "1", "张三", "440106199001011235", "1", "1",
                 "预约", "没有", "1", "1", "1", "1", "1"):  # fmt: skip
        said = "\n".join(r.text for r in engine.handle(Inbound("sms", PHONE, body)))
    assert "预约成功" in said
    assert booked() - before == 1


BAD_BODIES = {
    "deep": b"[" * 1500 + b"]" * 1500,
    "deep object": b'{"a":' * 1500 + b"1" + b"}" * 1500,
    "lone surrogate": b'{"from": "+8613800138000", "text": "\\ud800", "id": "x"}',
    "null text": b'{"from": "+8613800138000", "text": null, "id": "x"}',
    "number id": b'{"from": "+8613800138000", "text": "hi", "id": 7}',
    "list": b'["+8613800138000", "hi", "x"]',
    "not json": b"from=+8613800138000&text=hi",
    "not utf-8": b'{"from": "\xff\xfe", "text": "hi", "id": "x"}',
}


@pytest.mark.parametrize("body", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
def test_a_malformed_json_body_is_a_clean_400_and_changes_nothing(
    store: Store, policy: Policy, clock: Clock, body: bytes
) -> None:
    async def scenario(client: TestClient[web.Request, web.Application], _: asyncio.Event) -> None:
        response = await client.post(
            "/sms/json",
            data=body,
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        assert response.status == 400
        assert (await response.text()).startswith('expected {"from", "text", "id"}')

    run(store, policy, clock, scenario)
    assert store.account_of("sms", PHONE) is None
    assert store.state_text("sms", PHONE) is None


def test_metrics_count_a_message_due_a_moment_ago_on_the_real_clock(
    store: Store, policy: Policy
) -> None:
    # The outbox's times are written in the policy's zone (+08:00): the scrape compares in it
    # too, so a message due a minute ago is waiting, not hidden for 8 hours.
    real = make_clock(policy.zone)
    store.enqueue("sms", PHONE, "提醒", "reminder:real", real() - timedelta(minutes=1), real())

    async def scenario(client: TestClient[web.Request, web.Application], _: asyncio.Event) -> None:
        body = await (await client.get("/metrics")).text()
        assert re.search(r"^vaxbot_outbox_waiting 1\.0$", body, re.M), body
        oldest = re.search(r"^vaxbot_outbox_oldest_seconds ([0-9.e+]+)$", body, re.M)
        assert oldest and 50 < float(oldest.group(1)) < 600

    run(store, policy, real, scenario)


def test_healthz_fails_when_the_database_takes_no_writes_and_metrics_show_the_outbox(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(client: TestClient[web.Request, web.Application], _: asyncio.Event) -> None:
        assert (await client.get("/healthz")).status == 200
        store.enqueue("sms", PHONE, "提醒", "reminder:1", clock.now, clock.now)
        body = await (await client.get("/metrics")).text()
        assert re.search(r"^vaxbot_outbox_waiting 1\.0$", body, re.M)

        # The connection the process's transactions share is made read-only, as on a
        # read-only or full disk (SQLite's pragma is per connection): reads outside any
        # transaction go on.
        def query_only(on: bool) -> None:
            assert isinstance(store.db, SqliteDb)
            store.db.pragma("query_only", int(on))

        query_only(True)
        try:
            failing = await client.get("/healthz")
            assert failing.status == 503 and (await failing.json()) == {"status": "writes fail"}
            assert (await client.get("/readyz")).status == 200  # reads still work
        finally:
            query_only(False)
        assert (await client.get("/healthz")).status == 200

    run(store, policy, clock, scenario)
