"""A ``serve`` alone on its database (bot/peers.py, store/servers.py), on both backends: it
learns whether other serve processes take messages on the same database, and while alone its
messages take no place in line and no settling pause, yet one sender's messages are still
answered in the order they came."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client import REGISTRY

from bot.engine import Engine
from bot.intake import Intake, RateLimit, Receipt
from bot.messages import Inbound
from bot.peers import Peers
from flows.policy import Policy
from store import Store
from store.arrivals import Arrival
from tests.conftest import Clock

BACKENDS = ["sqlite", "postgresql"]
PHONE = "+8613800138000"


def metric(name: str) -> float | None:
    return REGISTRY.get_sample_value(name)


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.01)


def test_serve_processes_on_one_database_know_whether_they_are_alone(
    store: Store, db_url: str, policy: Policy, clock: Clock
) -> None:
    other = Store.open(db_url)
    first = Intake(Engine(store, policy, clock))
    second = Intake(Engine(other, policy, clock))

    async def scenario() -> None:
        stop_first, stop_second = asyncio.Event(), asyncio.Event()
        running = asyncio.create_task(Peers(store, first, every=0.02).run(stop_first))
        await until(lambda: first.alone, "the only process does not know it is alone")
        assert metric("vaxbot_serve_processes") == 1.0
        joined = asyncio.create_task(Peers(other, second, every=0.02).run(stop_second))
        await until(lambda: not first.alone, "the first process missed the second")
        assert not second.alone
        assert metric("vaxbot_serve_processes") == 2.0  # both in this test's one registry
        await asyncio.sleep(0.1)  # several beats: the second never takes itself for alone
        assert not second.alone and not first.alone
        stop_second.set()
        await joined
        await until(lambda: first.alone, "the first process is not alone again")
        stop_first.set()
        await running
        assert not first.alone  # stopped: the careful way

    try:
        asyncio.run(scenario())
    finally:
        other.close()


def test_a_killed_process_stops_counting_once_it_is_silent(store: Store) -> None:
    now = 1_700_000_000_000_000
    killed = store.server_join("host-a", 4242, now)
    mine = store.server_join("host-b", 4343, now)
    assert store.server_beat(mine, now + 1_000_000, 10_000_000) == 1
    assert store.server_beat(mine, now + 11_000_000, 10_000_000) == 0  # silent for 11 s
    store.server_leave(mine)
    assert store.server_beat(killed, now + 12_000_000, 10_000_000) == 0


@pytest.mark.parametrize("alone", [True, False])
def test_alone_a_message_takes_no_place_in_line_and_no_pause(
    store: Store, policy: Policy, clock: Clock, monkeypatch: pytest.MonkeyPatch, alone: bool
) -> None:
    places: list[int | None] = []
    arrive = store.arrive

    def noted(*args: object) -> Arrival:
        arrival = arrive(*args)  # type: ignore[arg-type]
        places.append(arrival.id)
        return arrival

    monkeypatch.setattr(store, "arrive", noted)
    # A pause of a minute would fail the test (wait_for) if a lone process still paused.
    intake = Intake(Engine(store, policy, clock), RateLimit(20), settle=60.0 if alone else 0.0)
    intake.alone = alone

    async def scenario() -> Receipt:
        return await asyncio.wait_for(intake.take(Inbound("sms", PHONE, "预约", "SM1")), 20)

    try:
        receipt = asyncio.run(scenario())
    finally:
        intake.close()
    assert receipt.outcome == "ok" and receipt.replies[0].text.startswith("预登记须知")
    assert len(places) == 1 and (places[0] == 0) is alone  # 0: no place taken in line
    assert store.waiting_in_line("sms", PHONE) == []
    assert store.sender_count("sms", PHONE) == 1  # counted against the rate limit either way


@pytest.mark.parametrize("alone", [True, False])
def test_one_senders_messages_taken_at_once_are_answered_in_the_order_they_came(
    store: Store, policy: Policy, clock: Clock, monkeypatch: pytest.MonkeyPatch, alone: bool
) -> None:
    """The first message is slow at the door; the second, in another thread, waits for it."""
    arrive = store.arrive

    def slow_first(channel: str, address: str, seen: str | None, *rest: object) -> Arrival:
        if seen is not None and seen.endswith("SM1"):
            time.sleep(0.3)
        return arrive(channel, address, seen, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "arrive", slow_first)
    intake = Intake(Engine(store, policy, clock), RateLimit(20), threads=2, settle=0.0)
    intake.alone = alone

    async def scenario() -> list[Receipt]:
        first = asyncio.create_task(intake.take(Inbound("sms", PHONE, "预约", "SM1")))
        await asyncio.sleep(0.01)  # taken a moment later
        second = asyncio.create_task(intake.take(Inbound("sms", PHONE, "1", "SM2")))
        return list(await asyncio.gather(first, second))

    try:
        first, second = asyncio.run(scenario())
    finally:
        intake.close()
    assert first.replies[0].text.startswith("预登记须知")
    assert second.replies[0].text.startswith("为谁登记？")  # "1" answered the notice: in order


def test_a_process_listed_again_after_being_forgotten_never_shares_another_ones_row(
    store: Store,
) -> None:
    now, hour, stale = 1_700_000_000_000_000, 3_600_000_000, 10_000_000
    first = store.server_join("host-x", 1, now)
    silent = store.server_join("host-y", 2, now)
    store.server_beat(first, now + hour + 1, stale)  # host-y silent an hour: forgotten
    newcomer = store.server_join("host-z", 3, now + hour + 2)
    store.server_leave(first)
    assert newcomer not in (first, silent)  # ids are never reused
    assert store.server_beat(silent, now + hour + 3, stale) is None  # must join again
    again = store.server_join("host-y", 2, now + hour + 3)
    assert store.server_beat(again, now + hour + 4, stale) == 1  # sees host-z
    assert store.server_beat(newcomer, now + hour + 5, stale) == 1  # and host-z sees it


def test_a_newcomer_waits_until_the_running_process_knows_of_it(
    store: Store, db_url: str, policy: Policy, clock: Clock
) -> None:
    """Before a second process takes messages, the first has stopped keeping its own order
    (it takes a place in line from then on)."""
    other = Store.open(db_url)
    running = Intake(Engine(store, policy, clock))
    newcomer = Intake(Engine(other, policy, clock))

    async def scenario() -> None:
        gone = asyncio.Event()
        first = Peers(store, running, every=0.2)
        await first.join()
        beating = asyncio.create_task(first.run(gone))
        assert running.alone
        await Peers(other, newcomer, every=0.2).join()  # returns once the first knows
        assert not running.alone and not newcomer.alone
        gone.set()
        await beating

    try:
        asyncio.run(scenario())
    finally:
        other.close()


def test_across_processes_a_slow_turn_keeps_the_order_of_the_messages_behind_it(
    store: Store, db_url: str, policy: Policy, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SM1 and SM2 taken by one process, SM3 a moment later by another, one turn thread
    each: SM2's place in line is written at once (not after SM1's turn), so SM3 waits for
    it; and a turn behind another gives its thread back."""
    other = Store.open(db_url)
    first = Intake(Engine(store, policy, clock), RateLimit(20), threads=1, settle=0.0)
    second = Intake(Engine(other, policy, clock), RateLimit(20), threads=1, settle=0.0)
    answered: list[str] = []
    for engine in (first.engine, second.engine):
        turn = engine.turn

        def noted(message: Inbound, *rest: Any, turn: Any = turn) -> Any:
            if message.message_id == "SM1":
                time.sleep(1.0)  # a slow turn
            done = turn(message, *rest)
            answered.append(str(message.message_id))
            return done

        monkeypatch.setattr(engine, "turn", noted)

    async def scenario() -> None:
        one = asyncio.create_task(first.take(Inbound("sms", PHONE, "预约", "SM1")))
        await asyncio.sleep(0.02)
        two = asyncio.create_task(first.take(Inbound("sms", PHONE, "1", "SM2")))
        # SM2's place in line is written at once, while SM1's slow turn still runs (a fixed
        # pause here raced the door's write on a loaded machine: SM3 then came first, rightly)
        deadline = time.monotonic() + 0.8
        while len(other.waiting_in_line("sms", PHONE)) < 2:
            assert time.monotonic() < deadline, "SM2's place in line was not written at once"
            await asyncio.sleep(0.01)
        assert answered == []
        three = asyncio.create_task(second.take(Inbound("sms", PHONE, "2", "SM3")))
        await asyncio.wait_for(asyncio.gather(one, two, three), 20)

    try:
        asyncio.run(scenario())
    finally:
        first.close()
        second.close()
        other.close()
    assert answered == ["SM1", "SM2", "SM3"]
    assert store.waiting_in_line("sms", PHONE) == []


def test_a_cancelled_request_still_has_its_message_answered_before_the_next(
    store: Store, policy: Policy, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake = Intake(Engine(store, policy, clock), RateLimit(20), threads=2, settle=0.0)
    intake.alone = True
    answered: list[str] = []
    turn = intake.engine.turn

    def noted(message: Inbound, *rest: Any) -> Any:
        if message.message_id == "SM1":
            time.sleep(0.3)
        done = turn(message, *rest)
        answered.append(str(message.message_id))
        return done

    monkeypatch.setattr(intake.engine, "turn", noted)

    async def scenario() -> Receipt:
        one = asyncio.create_task(intake.take(Inbound("sms", PHONE, "预约", "SM1")))
        await asyncio.sleep(0.05)
        one.cancel()  # the client went away while its message was being answered
        two = await asyncio.wait_for(intake.take(Inbound("sms", PHONE, "1", "SM2")), 20)
        return two

    try:
        second = asyncio.run(scenario())
    finally:
        intake.close()
    assert answered == ["SM1", "SM2"]
    assert second.replies[0].text.startswith("为谁登记？")  # "1" answered SM1's notice


def test_alone_a_redelivered_message_is_answered_before_the_rate_limit(
    store: Store, policy: Policy, clock: Clock
) -> None:
    intake = Intake(Engine(store, policy, clock), RateLimit(2), settle=0.0)
    intake.alone = True

    async def scenario() -> list[Receipt]:
        texts = [
            ("预约", "SM1"),
            ("帮助", "SM2"),
            ("帮助", "SM3"),
            ("帮助", "SM4"),
            ("预约", "SM1"),
        ]
        return [await intake.take(Inbound("sms", PHONE, body, mid)) for body, mid in texts]

    try:
        receipts = asyncio.run(scenario())
    finally:
        intake.close()
    assert [r.outcome for r in receipts] == ["ok", "ok", "limited", "limited", "redelivered"]
    assert len(receipts[2].replies) == 1 and receipts[3].replies == []  # polite once, then silence
    assert receipts[4].replies == receipts[0].replies
