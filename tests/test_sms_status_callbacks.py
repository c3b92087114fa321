"""Twilio's delivery status callbacks for sent SMS: the status is recorded on the outbox row,
error 21610 opts the address out, refused callbacks change nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from flows.policy import Policy
from store import Store
from tests.conftest import Clock
from tests.sms_support import (
    OTHER_PHONE,
    PHONE,
    Http,
    sent_message,
    serve,
    snapshot,
)


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
