"""Malformed and oversized requests to the SMS webhooks (Twilio, SMS Gateway for Android, plain
JSON): each is a clean 4xx, and the database is left exactly as it was.
"""

from __future__ import annotations

import json

import pytest

from channels.server import MAX_BODY
from flows.policy import Policy
from store import Store
from tests.conftest import Clock
from tests.sms_support import (
    PHONE,
    Http,
    android_event,
    serve,
    snapshot,
    twilio_signature,
)


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
