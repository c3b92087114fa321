"""Spec for sending the outbox (bot/outbox.py) and the SMS Gateway for Android adapter
(channels/sms/android.py).

The dispatcher is run against ``ScriptedDelivery`` (tests/fakes/delivery.py), a ``Delivery`` that
records what it is given and fails when told to; the adapter against ``FakeSmsGateway``
(tests/fakes/sms_gateway.py), a real aiohttp server on 127.0.0.1 speaking the gateway's wire
format. Time is the ``clock`` fixture (2021-06-17 09:00, Asia/Shanghai), moved by hand.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from bot.outbox import (
    LEASE,
    Delivery,
    DeliveryError,
    OptedOut,
    Report,
    Undeliverable,
    backoff,
    deliver_due,
)
from flows.policy import Policy, load_policy
from store import Store
from tests.conftest import Clock
from tests.fakes.delivery import ScriptedDelivery, outbox_row, outbox_rows
from tests.outbox_support import PHONE, enqueue, stamp

BACKENDS = ("sqlite", "postgresql")
OTHER = "+8613900139000"


def deliver(
    store: Store, policy: Policy, clock: Clock, *deliveries: Delivery, **options: int
) -> Report:
    """One pass of the sender at the clock's time."""
    channels = {delivery.channel: delivery for delivery in deliveries}
    return asyncio.run(deliver_due(store, channels, policy, clock, **options))


# -- the dispatcher -----------------------------------------------------------------------------


def test_a_sent_message_gets_sent_at_and_the_provider_id(
    store: Store, policy: Policy, clock: Clock
) -> None:
    enqueue(store, clock, "reminder:1", "提醒一")
    enqueue(store, clock, "reminder:2", "提醒二", address=OTHER)
    enqueue(store, clock, "reply:m1:0", "已收到", kind="reply")
    sms = ScriptedDelivery()

    report = deliver(store, policy, clock, sms)

    assert (report.sent, report.retried, report.failed, report.held) == (3, 0, 0, 0)
    assert [(m.address, m.text, m.key, m.kind, m.attempts) for m in sms.calls] == [
        (PHONE, "提醒一", "reminder:1", "notice", 0),
        (OTHER, "提醒二", "reminder:2", "notice", 0),
        (PHONE, "已收到", "reply:m1:0", "reply", 0),
    ]
    for row in outbox_rows(store):
        assert row["sent_at"] == "2021-06-17T09:00:00+08:00"
        assert row["provider_id"] == f"prov-{row['idempotency_key']}"
        assert (row["attempts"], row["failed_at"], row["last_error"]) == (1, None, None)

    clock.now += timedelta(hours=1)
    assert not deliver(store, policy, clock, sms)  # sent is sent: nothing goes twice
    assert len(sms.calls) == 3


def test_a_message_is_not_sent_before_it_is_due(store: Store, policy: Policy, clock: Clock) -> None:
    later = clock.now + timedelta(hours=23)  # e.g. the end of the quiet hours
    enqueue(store, clock, "alert:1", due=later)
    sms = ScriptedDelivery()

    clock.now = later - timedelta(seconds=1)
    assert not deliver(store, policy, clock, sms)
    assert sms.calls == []
    clock.now = later
    assert deliver(store, policy, clock, sms).sent == 1
    assert outbox_row(store, "alert:1")["sent_at"] == stamp(later)


def test_a_pass_sends_at_most_limit_messages_oldest_first(
    store: Store, policy: Policy, clock: Clock
) -> None:
    start = clock.now
    for n in range(7):  # queued in one order, due in the reverse one
        enqueue(store, clock, f"n{n}", due=start - timedelta(minutes=n))
    sms = ScriptedDelivery()

    assert deliver(store, policy, clock, sms, limit=3).sent == 3
    assert sms.keys == ["n6", "n5", "n4"]
    assert deliver(store, policy, clock, sms, limit=3).sent == 3
    assert deliver(store, policy, clock, sms, limit=3).sent == 1
    assert sms.keys == ["n6", "n5", "n4", "n3", "n2", "n1", "n0"]


def test_at_most_parallel_messages_are_in_flight(
    store: Store, policy: Policy, clock: Clock
) -> None:
    for n in range(12):
        enqueue(store, clock, f"n{n}")
    sms = ScriptedDelivery(pause=0.01)

    assert deliver(store, policy, clock, sms, parallel=3).sent == 12
    assert sms.most_at_once == 3


def test_a_temporary_failure_is_retried_with_doubling_waits_then_given_up(
    store: Store, policy: Policy, clock: Clock
) -> None:
    assert (policy.outbox.max_attempts, policy.outbox.backoff_seconds) == (8, 30)
    enqueue(store, clock, "alert:7:2:blue")
    sms = ScriptedDelivery()
    sms.always = DeliveryError("gateway down")

    waits = []
    for attempt in range(1, 8):
        failed_at = clock.now
        report = deliver(store, policy, clock, sms)
        assert (report.sent, report.retried, report.failed) == (0, 1, 0)
        row = outbox_row(store, "alert:7:2:blue")
        assert row["attempts"] == attempt
        assert row["last_error"] == "DeliveryError: gateway down"
        assert (row["sent_at"], row["failed_at"], row["claimed_at"]) == (None, None, None)
        due = datetime.fromisoformat(row["due_at"])
        waits.append(int((due - failed_at).total_seconds()))
        clock.now = due - timedelta(seconds=1)  # not a second early
        assert not deliver(store, policy, clock, sms)
        assert len(sms.calls) == attempt
        clock.now = due
    assert waits == [30, 60, 120, 240, 480, 960, 1920]

    report = deliver(store, policy, clock, sms)  # the 8th attempt: the last one
    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    row = outbox_row(store, "alert:7:2:blue")
    assert row["attempts"] == 8
    assert row["failed_at"] == stamp(clock.now)
    assert row["last_error"] == "gave up after 8 attempts: DeliveryError: gateway down"
    assert [m.attempts for m in sms.calls] == list(range(8))

    clock.now += timedelta(days=2)
    assert not deliver(store, policy, clock, sms)  # failed for good
    assert len(sms.calls) == 8


def test_the_wait_between_attempts_is_capped(
    store: Store, clock: Clock, tmp_path: Path, policy: Policy
) -> None:
    assert [int(backoff(policy, n).total_seconds()) for n in range(9)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip
    assert backoff(policy, 10_000) == timedelta(seconds=3600)  # no overflow on absurd counts

    config = tmp_path / "outbox.toml"
    config.write_text("[outbox]\nmax_attempts = 10\nbackoff_cap_seconds = 300\n")
    patient = load_policy(config)
    enqueue(store, clock, "n1")
    sms = ScriptedDelivery()
    sms.always = ConnectionResetError("reset by peer")  # any exception counts as temporary

    waits = []
    while not outbox_row(store, "n1")["failed_at"]:
        before = clock.now
        deliver(store, patient, clock, sms)
        row = outbox_row(store, "n1")
        if not row["failed_at"]:
            clock.now = datetime.fromisoformat(row["due_at"])
            waits.append(int((clock.now - before).total_seconds()))
    assert waits == [30, 60, 120, 240, 300, 300, 300, 300, 300]
    assert len(sms.calls) == 10
    assert outbox_row(store, "n1")["last_error"] == (
        "gave up after 10 attempts: ConnectionResetError: reset by peer"
    )


def test_a_failure_then_success_is_sent_on_the_next_pass(
    store: Store, policy: Policy, clock: Clock
) -> None:
    enqueue(store, clock, "n1")
    sms = ScriptedDelivery()
    sms.errors.append(DeliveryError("HTTP 503"))

    assert deliver(store, policy, clock, sms).retried == 1
    clock.now += timedelta(seconds=30)
    assert deliver(store, policy, clock, sms).sent == 1
    row = outbox_row(store, "n1")
    assert (row["attempts"], row["last_error"], row["sent_at"]) == (2, None, stamp(clock.now))
    assert sms.keys == ["n1", "n1"]


def test_an_undeliverable_message_fails_at_once(store: Store, policy: Policy, clock: Clock) -> None:
    enqueue(store, clock, "bad")
    enqueue(store, clock, "good", address=OTHER)
    sms = ScriptedDelivery()
    sms.errors.append(Undeliverable("not a mobile number"))

    report = deliver(store, policy, clock, sms, parallel=1)
    assert (report.sent, report.retried, report.failed) == (1, 0, 1)
    assert report.errors == ["not a mobile number"]
    bad = outbox_row(store, "bad")
    assert bad["failed_at"] == stamp(clock.now)
    assert (bad["attempts"], bad["last_error"], bad["sent_at"]) == (1, "not a mobile number", None)

    clock.now += timedelta(days=1)
    assert not deliver(store, policy, clock, sms)
    assert sms.keys == ["bad", "good"]


def test_opted_out_at_the_provider_records_the_opt_out_and_fails(
    store: Store, policy: Policy, clock: Clock
) -> None:
    enqueue(store, clock, "first")
    sms = ScriptedDelivery()
    sms.errors.append(OptedOut("21610 unsubscribed recipient"))

    report = deliver(store, policy, clock, sms)
    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    assert store.opted_out("sms", PHONE)
    assert not store.opted_out("sms", OTHER)
    row = outbox_row(store, "first")
    assert row["failed_at"] == stamp(clock.now)
    assert row["last_error"] == "opted out: 21610 unsubscribed recipient"

    # From now on notices to that phone are held without asking the provider; others go.
    enqueue(store, clock, "second")
    enqueue(store, clock, "to-other", address=OTHER)
    enqueue(store, clock, "reply:m9:0", kind="reply")
    report = deliver(store, policy, clock, sms)
    assert (report.sent, report.held) == (2, 1)
    assert sms.keys == ["first", "to-other", "reply:m9:0"]


def test_a_notice_to_an_opted_out_phone_is_held_but_a_reply_goes(
    store: Store, policy: Policy, clock: Clock
) -> None:
    store.set_opt_out("sms", PHONE, True, clock.now)
    enqueue(store, clock, "reminder:B1", "提醒")
    enqueue(store, clock, "reply:m1:0", "张三：预登记码R0000001", kind="reply")
    sms = ScriptedDelivery()

    report = deliver(store, policy, clock, sms)
    assert (report.sent, report.held, report.failed) == (1, 1, 0)
    assert sms.keys == ["reply:m1:0"]
    held = outbox_row(store, "reminder:B1")
    assert (held["failed_at"], held["last_error"]) == (stamp(clock.now), "opted out")
    assert (held["sent_at"], held["provider_id"]) == (None, None)

    # Opting in again lets later notices through; the held one stays held (not sent late).
    store.set_opt_out("sms", PHONE, False, clock.now)
    clock.now += timedelta(hours=2)
    enqueue(store, clock, "reminder:B2", "提醒二")
    assert deliver(store, policy, clock, sms).sent == 1
    assert sms.keys == ["reply:m1:0", "reminder:B2"]
    assert outbox_row(store, "reminder:B1")["sent_at"] is None


def test_a_claim_by_a_sender_that_died_is_sent_again_after_the_lease_with_the_same_key(
    store: Store, policy: Policy, clock: Clock, db_url: str
) -> None:
    assert timedelta(minutes=5) == LEASE
    enqueue(store, clock, "offer:42", "名额")
    claimed_at = clock.now
    dead = Store.open(db_url)  # another worker process: claims, then dies before sending
    (taken,) = dead.claim_due(claimed_at, ["sms"], 10, LEASE)
    dead.close()
    sms = ScriptedDelivery()

    for later in (timedelta(0), timedelta(minutes=1), LEASE - timedelta(seconds=1)):
        clock.now = claimed_at + later
        assert not deliver(store, policy, clock, sms), later
    assert sms.calls == []

    clock.now = claimed_at + LEASE
    assert deliver(store, policy, clock, sms).sent == 1
    (again,) = sms.calls
    assert (again.id, again.key, again.text, again.address) == (
        taken.id, "offer:42", "名额", PHONE,
    )  # fmt: skip
    assert outbox_row(store, "offer:42")["sent_at"] == stamp(clock.now)
    clock.now += LEASE * 3
    assert not deliver(store, policy, clock, sms)
    assert len(sms.calls) == 1


def test_messages_for_channels_without_a_delivery_stay_queued(
    store: Store, policy: Policy, clock: Clock
) -> None:
    enqueue(store, clock, "sms:1")
    enqueue(store, clock, "tg:1", address="tg:12345", channel="telegram")
    enqueue(store, clock, "mail:1", address="a@example.org", channel="email")

    assert not deliver(store, policy, clock)  # no channel configured at all: nothing claimed
    assert all(row["claimed_at"] is None for row in outbox_rows(store))

    sms = ScriptedDelivery()
    assert deliver(store, policy, clock, sms).sent == 1
    clock.now += timedelta(days=1)
    assert not deliver(store, policy, clock, sms)
    for key in ("tg:1", "mail:1"):
        row = outbox_row(store, key)
        assert (row["claimed_at"], row["sent_at"], row["failed_at"], row["attempts"]) == (
            None, None, None, 0,
        )  # fmt: skip

    telegram = ScriptedDelivery(channel="telegram")
    assert deliver(store, policy, clock, sms, telegram).sent == 1
    assert telegram.keys == ["tg:1"]
    assert outbox_row(store, "mail:1")["sent_at"] is None
