"""The one inbound path (bot/intake.py), on both backends: a redelivery is answered before the
rate limit, the limit is counted in the database (two stores on one database, as two processes
would be, share it), and one sender's messages are taken in the order they arrived.

What several real ``vaxbot serve`` processes do with it is in tests/test_intake_processes.py.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from bot.engine import Engine
from bot.intake import Intake, RateLimit, Receipt
from bot.messages import Inbound
from flows.policy import Policy
from flows.texts import text
from store import Store
from tests.conftest import Clock

BACKENDS = ["sqlite", "postgresql"]
PHONE = "+8613800138000"


@dataclass
class Ticker:
    """The real clock as the intake sees it (microseconds), moved by the test."""

    us: int = 1_700_000_000_000_000

    def __call__(self) -> int:
        return self.us

    def tick(self, seconds: float = 0.5) -> None:
        self.us += int(seconds * 1e6)


def door(store: Store, policy: Policy, clock: Clock, ticker: Ticker, limit: int = 3) -> Intake:
    return Intake(Engine(store, policy, clock), RateLimit(limit, 60.0), clock_us=ticker)


def sms(intake: Intake, ticker: Ticker, body: str, message_id: str, sender: str = PHONE
        ) -> Receipt:  # fmt: skip
    ticker.tick()
    return intake.receive(Inbound("sms", sender, body, message_id))


def test_a_redelivered_message_gets_its_stored_reply_even_when_the_sender_is_rate_limited(
    store: Store, policy: Policy, clock: Clock
) -> None:
    ticker = Ticker()
    intake = door(store, policy, clock, ticker, limit=3)
    first = sms(intake, ticker, "预约", "SM1")
    assert first.outcome == "ok" and first.replies[0].text.startswith("预登记须知")
    assert sms(intake, ticker, "帮助", "SM2").outcome == "ok"
    assert sms(intake, ticker, "帮助", "SM3").outcome == "ok"
    polite = sms(intake, ticker, "帮助", "SM4")
    assert (polite.outcome, [r.text for r in polite.replies]) == (
        "limited", [text("zh", "rate_limited")]
    )  # fmt: skip
    assert sms(intake, ticker, "帮助", "SM5") == Receipt([], "limited")  # then silence
    state = store.state_text("sms", PHONE)

    again = sms(intake, ticker, "预约", "SM1")  # the provider retries the first message
    assert again == Receipt(first.replies, "redelivered")
    assert store.state_text("sms", PHONE) == state  # nothing ran
    assert store.sender_count("sms", PHONE) == 5  # the retry was not counted against them
    assert store.waiting_in_line("sms", PHONE) == []  # nobody left in line


def test_the_rate_limit_is_kept_in_the_database_for_every_process(
    store: Store, db_url: str, policy: Policy, clock: Clock
) -> None:
    """Two stores on one database, as two processes: 20 a minute between them, not 40."""
    ticker = Ticker()
    other = Store.open(db_url)
    try:
        doors = [door(store, policy, clock, ticker, 20), door(other, policy, clock, ticker, 20)]
        receipts = [sms(doors[n % 2], ticker, "帮助", f"SM{n}") for n in range(30)]
        ticker.tick(61)  # a minute after the window began: welcome again
        later = sms(doors[1], ticker, "帮助", "SM-later")
    finally:
        other.close()
    outcomes = [receipt.outcome for receipt in receipts]
    assert outcomes == ["ok"] * 20 + ["limited"] * 10
    assert [len(receipt.replies) for receipt in receipts[20:]] == [1] + [0] * 9
    assert later.outcome == "ok"
    assert store.sender_count("sms", PHONE) == 1


def test_a_sms_sender_is_one_conversation_and_one_limit_however_the_number_is_written(
    store: Store, policy: Policy, clock: Clock
) -> None:
    ticker = Ticker()
    intake = door(store, policy, clock, ticker, limit=2)
    for n, written in enumerate(("+8613800138000", "13800138000", "+86 138 0013 8000")):
        sms(intake, ticker, "帮助", f"SM{n}", sender=written)
    assert store.sender_count("sms", PHONE) == 3
    assert store.load_state("sms", PHONE) is not None
    assert store.load_state("sms", "13800138000") is None


def test_a_turn_waits_for_the_earlier_arrivals_of_its_conversation(
    store: Store, db_url: str, policy: Policy, clock: Clock
) -> None:
    """A message whose conversation has an earlier arrival still in line (another process took
    it and has not answered yet) waits for that one's turn, then runs."""
    ticker = Ticker()
    other = Store.open(db_url)
    try:
        # Another process took "预约" a moment ago and is still working on it.
        taken = other.arrive("sms", PHONE, f"{PHONE} SM1", ticker())
        assert taken.id is not None
        intake = door(store, policy, clock, ticker, limit=20)
        answered = threading.Event()
        later: list[Receipt] = []

        def second() -> None:
            ticker.tick(0.002)
            later.append(intake.receive(Inbound("sms", PHONE, "1", "SM2")))
            answered.set()

        waiting = threading.Thread(target=second)
        waiting.start()
        try:
            assert not answered.wait(0.3), "the later message ran before the earlier one"
            first = Engine(other, policy, clock).turn(
                Inbound("sms", PHONE, "预约", "SM1"), taken.id, None, ticker.us - 2000, 0
            )
            assert first[0][0].text.startswith("预登记须知")
            assert answered.wait(10), "the later message was not answered"
        finally:
            waiting.join(10)
    finally:
        other.close()
    (receipt,) = later
    assert receipt.outcome == "ok"
    assert receipt.replies[0].text.startswith("为谁登记？")  # "1" answered the notice: in order
    assert store.waiting_in_line("sms", PHONE) == []


def test_an_arrival_abandoned_by_a_dead_process_holds_nobody_up_for_long(
    store: Store, policy: Policy, clock: Clock
) -> None:
    ticker = Ticker()
    store.arrive("sms", PHONE, None, ticker())  # its process was killed mid-turn
    ticker.tick(6)  # longer than an arrival is waited for
    receipt = sms(door(store, policy, clock, ticker), ticker, "帮助", "SM1")
    assert receipt.outcome == "ok" and receipt.replies[0].text == text("zh", "help")


def test_a_lone_surrogate_is_answered_like_any_text(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """JSON may carry "\\ud800" (Telegram's updates are not read field by field): no database
    or reply can encode it, so the door makes it U+FFFD and the message is answered."""
    ticker = Ticker()
    receipt = door(store, policy, clock, ticker).receive(
        Inbound("telegram", "1001", "预约\ud800", "message:1001:\udc80")
    )
    assert receipt.outcome == "ok" and receipt.replies[0].text.startswith("预登记须知")
    again = door(store, policy, clock, ticker).receive(
        Inbound("telegram", "1001", "预约\ud800", "message:1001:\udc80")
    )
    assert again == Receipt(receipt.replies, "redelivered")
