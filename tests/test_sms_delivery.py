"""Outbound SMS through Twilio's Messages API: ``TwilioDelivery`` driven by ``deliver_due``.

The outbox is a real store; Twilio is ``tests.fakes.twilio_api``, a real HTTP server on
loopback that answers like Twilio (201 with the message resource, or Twilio's error bodies), so
what is tested is the wire: the URL, basic auth, the form, and what each answer does to the row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.outbox import Report, deliver_due
from channels.sms.twilio import TwilioDelivery, TwilioSettings
from flows.policy import Policy
from store import Store
from tests.conftest import Clock
from tests.fakes.twilio_api import NOT_A_NUMBER, UNSUBSCRIBED, FakeTwilioApi

ACCOUNT = "AC" + "0123456789abcdef" * 2
TOKEN = "twilio-auth-token-for-tests"
SENDER = "+15005550006"
SERVICE = "MG" + "fedcba9876543210" * 2
STATUS_URL = "https://vaxbot.example.org/sms/twilio/status"
PHONE = "+8613800138000"
TEXT = "提醒：张三明天（6月18日 周五）14:00-16:00在天河体育中心接种点接种第1剂，预约码B2345678。"


def queue(store: Store, clock: Clock, key: str = "reminder:1", kind: str = "notice") -> int:
    now = clock()
    store.enqueue("sms", PHONE, TEXT, key, now, now, kind)
    row = store.outbox_row(key)
    assert row is not None
    return int(row["id"])


def outbox_row(store: Store, row_id: int) -> dict[str, Any]:
    (row,) = [row for row in store.outbox_rows() if row["id"] == row_id]
    return row


Scenario = Callable[[FakeTwilioApi, Callable[[], Awaitable[Report]]], Awaitable[None]]


def run(
    store: Store, policy: Policy, clock: Clock, scenario: Scenario, sender: str = SENDER
) -> None:
    """Start the fake Twilio, give ``scenario`` the fake and a one-pass sender, clean up."""

    async def main() -> None:
        async with (
            FakeTwilioApi(ACCOUNT, TOKEN) as api,
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
        ):
            settings = TwilioSettings(TOKEN, ACCOUNT, sender, api_base=api.base_url)
            deliveries = {"sms": TwilioDelivery(session, settings, STATUS_URL)}

            async def one_pass() -> Report:
                return await deliver_due(store, deliveries, policy, clock)

            await scenario(api, one_pass)

    asyncio.run(main())


# -- success ----------------------------------------------------------------------------------


def test_twilio_delivery_uses_no_deprecated_aiohttp_api(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """Warnings are errors here: building the adapter and sending must not warn."""
    queue(store, clock)

    async def scenario(api: FakeTwilioApi, one_pass: Callable[[], Awaitable[Report]]) -> None:
        assert (await one_pass()).sent == 1
        assert api.sent[0].authorized

    run(store, policy, clock, scenario)


def test_a_message_is_sent_with_basic_auth_and_the_provider_sid_is_recorded(
    store: Store, policy: Policy, clock: Clock
) -> None:
    row_id = queue(store, clock)

    async def scenario(api: FakeTwilioApi, one_pass: Callable[[], Awaitable[Report]]) -> None:
        report = await one_pass()
        assert (report.sent, report.retried, report.failed) == (1, 0, 0)
        assert len(api.requests) == 1
        request = api.requests[0]
        assert request.authorized and request.account_sid == ACCOUNT
        assert request.form == {
            "To": PHONE,
            "From": SENDER,
            "Body": TEXT,
            "StatusCallback": STATUS_URL,
        }
        row = outbox_row(store, row_id)
        assert row["provider_id"] == request.sid and row["provider_id"].startswith("SM")
        assert row["sent_at"] == clock().isoformat(timespec="seconds")
        assert row["failed_at"] is None and row["attempts"] == 1 and row["last_error"] is None
        assert (await one_pass()).sent == 0  # sent once, never again
        assert len(api.requests) == 1

    run(store, policy, clock, scenario)


def test_a_messaging_service_sender_goes_as_messaging_service_sid(
    store: Store, policy: Policy, clock: Clock
) -> None:
    queue(store, clock)

    async def scenario(api: FakeTwilioApi, one_pass: Callable[[], Awaitable[Report]]) -> None:
        assert (await one_pass()).sent == 1
        form = api.sent[0].form
        assert form["MessagingServiceSid"] == SERVICE and "From" not in form

    run(store, policy, clock, scenario, sender=SERVICE)


# -- temporary failures: retried after the backoff ------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "text"),
    [
        (500, None, None),
        (429, {"code": 20429, "message": "Too Many Requests", "status": 429}, None),
        (503, None, "<html><body>Service Unavailable</body></html>"),
    ],
    ids=["500", "429-too-many-requests", "503-html-from-a-proxy"],
)
def test_a_temporary_failure_is_retried_after_the_backoff_then_sent(
    store: Store,
    policy: Policy,
    clock: Clock,
    status: int,
    body: dict[str, Any] | None,
    text: str | None,
) -> None:
    row_id = queue(store, clock)
    wait = timedelta(seconds=policy.outbox.backoff_seconds)

    async def scenario(api: FakeTwilioApi, one_pass: Callable[[], Awaitable[Report]]) -> None:
        api.answer_next(status, body, text)
        first = await one_pass()
        assert (first.sent, first.retried, first.failed) == (0, 1, 0)
        row = outbox_row(store, row_id)
        assert row["sent_at"] is None and row["failed_at"] is None and row["attempts"] == 1
        assert f"HTTP {status}" in row["last_error"] or "Twilio unreachable" in row["last_error"]
        assert row["due_at"] == (clock() + wait).isoformat(timespec="seconds")

        assert not await one_pass()  # not due yet: nothing is sent
        assert len(api.requests) == 1

        clock.now += wait
        second = await one_pass()
        assert (second.sent, second.retried, second.failed) == (1, 0, 0)
        assert len(api.requests) == 2 and len(api.sent) == 1
        row = outbox_row(store, row_id)
        assert row["provider_id"] == api.sent[0].sid and row["attempts"] == 2
        assert row["last_error"] is None and row["failed_at"] is None

    run(store, policy, clock, scenario)


def test_twilio_unreachable_is_a_temporary_failure(
    store: Store, policy: Policy, clock: Clock
) -> None:
    row_id = queue(store, clock)

    async def main() -> None:
        async with FakeTwilioApi(ACCOUNT, TOKEN) as api:
            base = api.base_url  # a port that was listening a moment ago: now nothing is there
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            settings = TwilioSettings(TOKEN, ACCOUNT, SENDER, api_base=base)
            report = await deliver_due(
                store, {"sms": TwilioDelivery(session, settings, None)}, policy, clock
            )
        assert (report.sent, report.retried, report.failed) == (0, 1, 0)

    asyncio.run(main())
    row = outbox_row(store, row_id)
    assert row["failed_at"] is None and "unreachable" in row["last_error"]


# -- permanent failures -----------------------------------------------------------------------


def test_error_21610_fails_the_message_and_opts_the_address_out(
    store: Store, policy: Policy, clock: Clock
) -> None:
    row_id = queue(store, clock)
    assert not store.opted_out("sms", PHONE)

    async def scenario(api: FakeTwilioApi, one_pass: Callable[[], Awaitable[Report]]) -> None:
        api.answer_next(400, UNSUBSCRIBED)
        report = await one_pass()
        assert (report.sent, report.retried, report.failed) == (0, 0, 1)
        row = outbox_row(store, row_id)
        assert row["failed_at"] == clock().isoformat(timespec="seconds")
        assert "21610" in row["last_error"] and row["sent_at"] is None
        assert store.opted_out("sms", PHONE)

        # Later notices to that address are held back without calling Twilio again.
        clock.now += timedelta(hours=1)
        queue(store, clock, key="reminder:2")
        later = await one_pass()
        assert (later.sent, later.held) == (0, 1)
        assert len(api.requests) == 1

    run(store, policy, clock, scenario)


def test_error_21211_fails_at_once_and_is_not_retried(
    store: Store, policy: Policy, clock: Clock
) -> None:
    row_id = queue(store, clock)

    async def scenario(api: FakeTwilioApi, one_pass: Callable[[], Awaitable[Report]]) -> None:
        api.answer_next(400, NOT_A_NUMBER)
        report = await one_pass()
        assert (report.sent, report.retried, report.failed) == (0, 0, 1)
        row = outbox_row(store, row_id)
        assert row["failed_at"] is not None and "21211" in row["last_error"]
        assert not store.opted_out("sms", PHONE)
        clock.now += timedelta(hours=2)
        assert not await one_pass()
        assert len(api.requests) == 1

    run(store, policy, clock, scenario)


def test_several_due_messages_each_get_their_own_sid(
    store: Store, policy: Policy, clock: Clock
) -> None:
    ids = [queue(store, clock, key=f"reminder:{n}") for n in range(5)]

    async def scenario(api: FakeTwilioApi, one_pass: Callable[[], Awaitable[Report]]) -> None:
        api.answer_next(500)  # one of them fails this pass
        report = await one_pass()
        assert (report.sent, report.retried) == (4, 1)
        clock.now += timedelta(seconds=policy.outbox.backoff_seconds)
        assert (await one_pass()).sent == 1
        sids = [outbox_row(store, row_id)["provider_id"] for row_id in ids]
        assert sorted(sids) == sorted(str(r.sid) for r in api.sent)
        assert len(set(sids)) == 5

    run(store, policy, clock, scenario)
