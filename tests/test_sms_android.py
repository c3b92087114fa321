"""The SMS Gateway for Android (self-hosted) webhook over real HTTP: signed events queue their
replies in the outbox, redeliveries queue nothing, refused requests and other events store
nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from channels.sms.android import signature as android_signature
from channels.sms.render import segments
from flows.policy import Policy
from flows.texts import text
from store import Store
from tests.conftest import Clock
from tests.sms_support import (
    ANDROID_KEY,
    PHONE,
    WELCOME_ZH,
    Http,
    android_event,
    replies_queued,
    serve,
    snapshot,
    state,
)


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
