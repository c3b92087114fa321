"""The plain JSON SMS webhook over real HTTP: replies in the response, bearer token, refused
requests store nothing; and message ids of different gateways never collide.
"""

from __future__ import annotations

from typing import Any

import pytest

from flows.policy import Policy
from flows.texts import text
from store import Store
from tests.conftest import Clock
from tests.sms_support import (
    JSON_TOKEN,
    OTHER_PHONE,
    PHONE,
    WELCOME_ZH,
    Http,
    replies_queued,
    serve,
    snapshot,
    state,
)


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
