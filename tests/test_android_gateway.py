"""Spec for the SMS Gateway for Android adapter (channels/sms/android.py), sending the outbox
(bot/outbox.py) against ``FakeSmsGateway`` (tests/fakes/sms_gateway.py), a real aiohttp server
on 127.0.0.1 speaking the gateway's wire format. Time is the ``clock`` fixture (2021-06-17 09:00,
Asia/Shanghai), moved by hand.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import aiohttp
import pytest

from bot.outbox import Report, deliver_due
from channels.sms.android import AndroidGatewayDelivery, message_id
from flows.policy import Policy
from store import Store
from tests.conftest import Clock
from tests.fakes.delivery import outbox_row
from tests.fakes.sms_gateway import PASSWORD, USER, FakeSmsGateway, basic_auth, closed_url
from tests.outbox_support import PHONE, enqueue, stamp

BACKENDS = ("sqlite", "postgresql")


# -- SMS Gateway for Android, against a fake gateway --------------------------------------------

# ``AndroidGatewayDelivery`` uses ``aiohttp.BasicAuth`` and the ``auth=`` request parameter, both
# deprecated since aiohttp 3.14: with warnings as errors it cannot send at all. That is reported
# by ``test_android_delivery_sends_without_deprecated_aiohttp_api``; the other tests of the
# adapter let those two warnings pass so that they still say something meanwhile.


@asynccontextmanager
async def android(
    url: str, user: str = USER, password: str = PASSWORD, timeout: float = 5.0
) -> AsyncIterator[AndroidGatewayDelivery]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        yield AndroidGatewayDelivery(session, url, user, password)


async def pass_async(
    store: Store, policy: Policy, clock: Clock, delivery: AndroidGatewayDelivery
) -> Report:
    return await deliver_due(store, {"sms": delivery}, policy, clock)


def test_android_gateway_request_and_success(store: Store, policy: Policy, clock: Clock) -> None:
    key = "reminder:B1:2021-06-18:+8613800138000"
    text = "提醒：张三明天（6月18日 周五）10:00-12:00在天河体育中心接种点接种第1剂，预约码B1。"
    enqueue(store, clock, key, text)

    async def scenario() -> tuple[Report, FakeSmsGateway]:
        async with FakeSmsGateway() as gateway, android(gateway.url + "/") as sms:
            assert (sms.channel, sms.idempotent) == ("sms", True)
            return await pass_async(store, policy, clock, sms), gateway

    report, gateway = asyncio.run(scenario())

    assert report.sent == 1
    (request,) = gateway.requests
    assert (request.method, request.path, request.status) == ("POST", "/message", 202)
    assert request.headers["Authorization"] == basic_auth(USER, PASSWORD)
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.body == {
        "id": message_id(key),
        "message": text,
        "phoneNumbers": [PHONE],
        "withDeliveryReport": True,
    }
    assert gateway.sms == [(PHONE, text)]
    row = outbox_row(store, key)
    assert row["sent_at"] == stamp(clock.now)
    assert row["provider_id"] == message_id(key)


def test_android_delivery_sends_without_deprecated_aiohttp_api(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """Warnings are errors in this test (pyproject): a deprecated aiohttp call either fails the
    construction or, inside ``send``, turns every message into a temporary failure."""
    enqueue(store, clock, "n1", "通知")

    async def scenario() -> tuple[Report, FakeSmsGateway]:
        async with FakeSmsGateway() as gateway, android(gateway.url) as sms:
            return await pass_async(store, policy, clock, sms), gateway

    report, gateway = asyncio.run(scenario())
    assert (report.sent, report.errors) == (1, [])
    assert gateway.sms == [(PHONE, "通知")]


def test_android_message_ids_are_stable_and_carry_no_phone_number() -> None:
    key = "reminder:B0000001:2021-06-18:+8613800138000"
    assert message_id(key) == message_id(key)
    assert message_id(key) != message_id(key.replace("B0000001", "B0000002"))
    assert len(message_id(key)) == 32
    assert int(message_id(key), 16) >= 0  # hexadecimal
    assert "13800138000" not in message_id(key)
    assert json.dumps(message_id(key)).isascii()


def test_android_gateway_500_then_sent_on_the_next_pass(
    store: Store, policy: Policy, clock: Clock
) -> None:
    enqueue(store, clock, "n1", "通知")

    async def scenario() -> FakeSmsGateway:
        async with FakeSmsGateway() as gateway, android(gateway.url) as sms:
            gateway.script.append(500)
            first = await pass_async(store, policy, clock, sms)
            assert (first.sent, first.retried) == (0, 1)
            row = outbox_row(store, "n1")
            assert row["last_error"] == "DeliveryError: gateway answered HTTP 500"
            assert row["due_at"] == stamp(clock.now + timedelta(seconds=30))
            assert gateway.messages == {}
            clock.now += timedelta(seconds=30)
            assert (await pass_async(store, policy, clock, sms)).sent == 1
            return gateway

    gateway = asyncio.run(scenario())
    assert [r.status for r in gateway.requests] == [500, 202]
    assert gateway.requests[0].body == gateway.requests[1].body  # the same message id again
    assert gateway.sms == [(PHONE, "通知")]
    row = outbox_row(store, "n1")
    assert (row["sent_at"], row["attempts"]) == (stamp(clock.now), 2)


def test_android_gateway_409_counts_as_sent(store: Store, policy: Policy, clock: Clock) -> None:
    enqueue(store, clock, "offer:7", "名额")

    async def scenario() -> tuple[Report, FakeSmsGateway]:
        async with FakeSmsGateway() as gateway, android(gateway.url) as sms:
            # accepted before the sender crashed, without the outcome being recorded
            gateway.messages[message_id("offer:7")] = {"message": "名额", "phoneNumbers": [PHONE]}
            return await pass_async(store, policy, clock, sms), gateway

    report, gateway = asyncio.run(scenario())
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert [r.status for r in gateway.requests] == [409]
    assert gateway.sms == [(PHONE, "名额")]  # still one SMS
    row = outbox_row(store, "offer:7")
    assert (row["sent_at"], row["provider_id"]) == (stamp(clock.now), message_id("offer:7"))


@pytest.mark.parametrize("status", [400, 422])
def test_android_gateway_refusal_fails_at_once(
    store: Store, policy: Policy, clock: Clock, status: int
) -> None:
    enqueue(store, clock, "n1")

    async def scenario() -> FakeSmsGateway:
        async with FakeSmsGateway() as gateway, android(gateway.url) as sms:
            gateway.script.append(status)
            report = await pass_async(store, policy, clock, sms)
            assert (report.sent, report.retried, report.failed) == (0, 0, 1)
            clock.now += timedelta(hours=3)
            assert not await pass_async(store, policy, clock, sms)
            return gateway

    gateway = asyncio.run(scenario())
    assert len(gateway.requests) == 1
    row = outbox_row(store, "n1")
    assert row["failed_at"] is not None and row["sent_at"] is None
    assert row["last_error"] == f"gateway refused the message: HTTP {status}"


def test_android_gateway_wrong_password_is_retried_not_sent(
    store: Store, policy: Policy, clock: Clock
) -> None:
    enqueue(store, clock, "n1")

    async def scenario() -> tuple[Report, FakeSmsGateway]:
        async with FakeSmsGateway() as gateway, android(gateway.url, password="wrong") as sms:
            return await pass_async(store, policy, clock, sms), gateway

    report, gateway = asyncio.run(scenario())
    assert (report.sent, report.retried) == (0, 1)
    assert [r.status for r in gateway.requests] == [401]
    assert gateway.messages == {}
    assert outbox_row(store, "n1")["last_error"] == "DeliveryError: gateway answered HTTP 401"


def test_android_gateway_unreachable_is_retried_then_sent(
    store: Store, policy: Policy, clock: Clock
) -> None:
    enqueue(store, clock, "n1", "通知")
    url = closed_url()

    async def scenario() -> FakeSmsGateway:
        async with android(url) as sms:
            report = await pass_async(store, policy, clock, sms)
            assert (report.sent, report.retried, report.failed) == (0, 1, 0)
            row = outbox_row(store, "n1")
            assert row["last_error"].startswith("DeliveryError: gateway unreachable: ")
            assert (row["attempts"], row["failed_at"]) == (1, None)
            # the phone comes back on the same address
            async with FakeSmsGateway(port=int(url.rsplit(":", 1)[1])) as gateway:
                clock.now += timedelta(seconds=30)
                assert (await pass_async(store, policy, clock, sms)).sent == 1
                return gateway

    gateway = asyncio.run(scenario())
    assert gateway.sms == [(PHONE, "通知")]


def test_android_gateway_answer_lost_after_acceptance_is_sent_once(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """The gateway took the message but its answer never came (timeout): the next pass names
    the same message id, the gateway answers 409, and the phone sends one SMS."""
    enqueue(store, clock, "n1", "通知")

    async def scenario() -> FakeSmsGateway:
        async with FakeSmsGateway(delay=1.0) as gateway:
            async with android(gateway.url, timeout=0.2) as sms:
                assert (await pass_async(store, policy, clock, sms)).retried == 1
            assert outbox_row(store, "n1")["last_error"].startswith(
                "DeliveryError: gateway unreachable: "
            )
            gateway.delay = 0.0
            clock.now += timedelta(seconds=30)
            async with android(gateway.url) as sms:
                assert (await pass_async(store, policy, clock, sms)).sent == 1
            return gateway

    gateway = asyncio.run(scenario())
    assert [r.status for r in gateway.requests] == [202, 409]
    assert gateway.sms == [(PHONE, "通知")]
    assert outbox_row(store, "n1")["provider_id"] == message_id("n1")
