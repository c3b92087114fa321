"""The rate limit of a ``serve`` alone on its database, on both backends: counted in the
process (bot/counts.py) instead of a write transaction at the door, with the same limit a
sender meets; and the counts handed over when another process joins or when the process stops,
so a sender gets no fresh allowance from a change of company."""

from __future__ import annotations

import asyncio

import pytest

from bot.counts import SenderCounts
from bot.engine import Engine
from bot.intake import Intake, RateLimit, Receipt
from bot.messages import Inbound
from flows.policy import Policy
from flows.texts import text
from store import Store
from tests.conftest import Clock
from tests.test_intake import PHONE, Ticker

BACKENDS = ["sqlite", "postgresql"]
OTHER = "+8613900139000"


def intake_on(store: Store, policy: Policy, clock: Clock, ticker: Ticker, limit: int) -> Intake:
    return Intake(Engine(store, policy, clock), RateLimit(limit, 60.0), clock_us=ticker, settle=0)


def take_all(
    intake: Intake, ticker: Ticker, messages: list[tuple[str, str]], sender: str = PHONE
) -> list[Receipt]:
    """The messages (body, message id) one after another, as webhooks hand them over."""

    async def scenario() -> list[Receipt]:
        receipts = []
        for body, message_id in messages:
            ticker.tick()
            receipts.append(await intake.take(Inbound("sms", sender, body, message_id)))
        return receipts

    try:
        return asyncio.run(scenario())
    finally:
        intake.close()


def helps(first: int, last: int) -> list[tuple[str, str]]:
    return [("帮助", f"SM{n}") for n in range(first, last)]


def test_alone_a_sender_meets_the_same_limit_and_the_database_is_not_written(
    store: Store, policy: Policy, clock: Clock
) -> None:
    ticker = Ticker()
    intake = intake_on(store, policy, clock, ticker, limit=3)
    intake.keep_company(True)
    receipts = take_all(intake, ticker, helps(0, 6))
    assert [r.outcome for r in receipts] == ["ok"] * 3 + ["limited"] * 3
    assert receipts[3].replies == [receipts[3].replies[0]]
    assert text("zh", "rate_limited") in receipts[3].replies[0].text  # polite, once
    assert receipts[4].replies == [] and receipts[5].replies == []  # then silence
    assert store.sender_count("sms", PHONE) == 0  # counted in the process alone
    ticker.tick(61)  # a new window: welcome again
    again = take_all(intake, ticker, helps(6, 7))
    assert [r.outcome for r in again] == ["ok"]


def test_alone_a_provider_retry_is_answered_again_and_takes_no_allowance(
    store: Store, policy: Policy, clock: Clock
) -> None:
    ticker = Ticker()
    intake = intake_on(store, policy, clock, ticker, limit=3)
    intake.keep_company(True)
    messages = [
        ("预约", "SM1"),
        ("预约", "SM1"),  # a retry under the limit: the turn finds it answered
        ("帮助", "SM2"),
        ("帮助", "SM3"),
        ("预约", "SM1"),  # a retry over the limit: still answered
        ("帮助", "SM4"),
        ("帮助", "SM5"),
    ]
    receipts = take_all(intake, ticker, messages)
    assert [r.outcome for r in receipts] == [
        "ok", "redelivered", "ok", "ok", "redelivered", "limited", "limited",
    ]  # fmt: skip
    assert receipts[1].replies == receipts[0].replies == receipts[4].replies
    assert len(receipts[5].replies) == 1 and receipts[6].replies == []


def test_a_joining_process_gets_the_counts_of_the_one_that_was_alone(
    store: Store, db_url: str, policy: Policy, clock: Clock
) -> None:
    ticker = Ticker()
    first = intake_on(store, policy, clock, ticker, limit=5)
    first.keep_company(True)
    early = take_all(first, ticker, helps(0, 3))
    take_all(first, ticker, helps(100, 104), sender=OTHER)
    first.keep_company(False)  # a second process joined: the counts go to the database
    other = Store.open(db_url)
    try:
        second = intake_on(other, policy, clock, ticker, limit=5)
        later = [second.receive(Inbound("sms", PHONE, body, mid)) for body, mid in helps(3, 6)]
    finally:
        other.close()
    assert [r.outcome for r in early + later] == ["ok"] * 5 + ["limited"]
    assert store.sender_count("sms", OTHER) == 4


def test_alone_again_the_counts_made_in_company_go_on(
    store: Store, policy: Policy, clock: Clock
) -> None:
    ticker = Ticker()
    intake = intake_on(store, policy, clock, ticker, limit=4)
    in_company = [intake.receive(Inbound("sms", PHONE, body, mid)) for body, mid in helps(0, 3)]
    assert store.sender_count("sms", PHONE) == 3
    intake.keep_company(True)  # the other process stopped
    alone = take_all(intake, ticker, helps(3, 6))
    assert [r.outcome for r in in_company + alone] == ["ok"] * 4 + ["limited"] * 2
    intake.keep_company(False)  # stopping, or company again: the count is in the database
    assert store.sender_count("sms", PHONE) == 6


def test_counts_still_in_the_database_from_a_message_in_flight_are_added_not_lost(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """A message the database counted while the process was handing its counts over (another
    process's, a moment before it knew) adds to the window handed back."""
    ticker = Ticker()
    intake = intake_on(store, policy, clock, ticker, limit=10)
    intake.keep_company(True)
    take_all(intake, ticker, helps(0, 4))
    other = intake_on(store, policy, clock, ticker, limit=10)
    other.receive(Inbound("sms", PHONE, "帮助", "SM-other"))  # counted in the database
    intake.keep_company(False)
    assert store.sender_count("sms", PHONE) == 5


@pytest.mark.parametrize("alone", [True, False], ids=["alone", "in-company"])
def test_a_window_over_is_forgotten_and_begins_anew(
    store: Store, policy: Policy, clock: Clock, alone: bool
) -> None:
    ticker = Ticker()
    intake = intake_on(store, policy, clock, ticker, limit=2)
    intake.keep_company(alone)
    first = take_all(intake, ticker, helps(0, 3))
    ticker.tick(120)
    intake.keep_company(alone)  # a beat later: nothing moves while nothing changed
    second = take_all(intake, ticker, helps(3, 6))
    assert [r.outcome for r in first] == ["ok", "ok", "limited"]
    assert [r.outcome for r in second] == ["ok", "ok", "limited"]


def test_windows_over_are_forgotten_so_the_counts_do_not_grow_without_bound() -> None:
    counts = SenderCounts(window_us=60_000_000)
    counts.open([])
    start = 1_700_000_000_000_000
    for n in range(3):
        counts.add(f"sms +861380013800{n}", start)
    counts.add("sms +8613800138009", start + 50_000_000)
    assert counts.forget_ended(start + 61_000_000) == 3  # the one begun later still runs
    assert counts.close(start + 61_000_000) == [("sms +8613800138009", start + 50_000_000, 1)]
