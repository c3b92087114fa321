"""The one way in: every channel's messages reach the engine through an ``Intake``.

SMS webhooks, Telegram, email, the operator console and ``vaxbot chat`` all hand their
``Inbound`` messages to ``Intake.receive`` (or ``await Intake.take``, which runs it in one of the
intake's threads, off the event loop). What every message goes through, once, here:

1. Normalised: an SMS sender as one E.164 number (one conversation, one rate limit per
   number), the text cut to ``max_text`` characters.
2. At the door (``Store.arrive``, one short transaction): a message id already answered gets
   the replies it was given, before any rate limit (a provider's retry is not the sender's
   doing); else the sender's message is counted in the database (``rate_limits``: every process
   shares the limit) and one over ``rate.limit`` a window gets one polite reply, then silence;
   the message's place in its conversation's line (``arrivals``), written first, is by the
   moment it was received (taken on the event loop, before the hand-off to a thread). A
   process alone on its database (``keep_company``) writes nothing here: it counts the sender
   in memory (bot/counts.py) and keeps its messages in order itself.
3. The turn (``Engine.turn``) under the conversation's lock: if earlier arrivals of the
   conversation are still in line, it lets go and tries again shortly (``Behind``), so one
   sender's messages are handled in the order they arrived whichever process or thread took
   them; the turn takes its place out of the line in its own transaction.
4. Logged without personal data: the channel, the sender masked, the outcome and the number of
   replies (DEBUG), and a summary line a minute (``Traffic``); never the text or the message
   id (an email's holds the sender's address).

``Store`` gives each thread its own connection (SQLite: one per thread; PostgreSQL: borrowed
from a pool), so a slow database round trip in one turn stalls neither the event loop nor the
other turns. See docs/architecture.md, "The inbound path".
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import orjson

from bot import metrics
from bot.conversation import guess_language
from bot.counts import SenderCounts
from bot.engine import Engine
from bot.messages import Behind, Inbound, Reply, Then
from flows.identity import mask_address, normalise_phone
from flows.texts import text

log = logging.getLogger("vaxbot.intake")

STALE_US = 5_000_000  # an arrival in line this long was abandoned (its process died mid-turn)
PURGE_EVERY = 300.0  # seconds between sweeps of abandoned arrivals and old rate windows
MAX_WAIT = 0.05  # seconds: the longest pause before looking at the line again
SETTLE = 0.05  # seconds from reception before a served message's turn looks at the line
DOOR_THREADS = 2  # threads (and database connections) for the door, apart from the turns


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _backoff() -> Iterator[float]:
    """Pauses before looking at the line again: 1 ms, 2 ms … up to ``MAX_WAIT``, for ever."""
    wait = 0.001
    while True:
        yield wait
        wait = min(wait * 2, MAX_WAIT)


def _sender(message: Inbound) -> str:
    """Whose messages the rate limit counts together (as ``rate_limits.sender``)."""
    return f"{message.channel} {message.address}"


def wall_us() -> int:
    """Microseconds of the real clock (the arrivals' and rate limit's time, whatever
    ``VAXBOT_NOW`` says)."""
    return time.time_ns() // 1_000


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` messages per sender in a window of ``window`` seconds (begun by the
    sender's first message after the previous window)."""

    limit: int = 20
    window: float = 60.0


@dataclass(frozen=True)
class Receipt:
    """What became of a message: the replies to send, and the outcome ("ok", "redelivered",
    "failed", or "limited": over the rate limit, its first refusal in a window answered)."""

    replies: list[Reply]
    outcome: str

    @property
    def limited(self) -> bool:
        return self.outcome == "limited"


@dataclass
class Traffic:
    """Counts the messages taken and logs a summary line every ``every`` seconds.

    In a rush a line per message would be thousands a second: those are DEBUG (``--log-level
    debug``); operators watch this line, and the database keeps every message id anyway.
    """

    every: float = 60.0
    now: Callable[[], float] = time.monotonic
    since: float = field(default=0.0)
    messages: Counter[str] = field(default_factory=Counter)
    limited: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.since = self.now()

    def count(self, channel: str, limited: bool) -> None:
        (self.limited if limited else self.messages)[channel] += 1
        moment = self.now()
        if moment - self.since >= self.every:
            self.report(moment)

    def report(self, moment: float) -> None:
        seconds = moment - self.since
        for channel in sorted(self.messages.keys() | self.limited.keys()):
            log.info(
                "%s: %d messages in %.0f s (%.1f/s), %d over the rate limit",
                channel, self.messages[channel], seconds, self.messages[channel] / seconds,
                self.limited[channel],
            )  # fmt: skip
        self.messages.clear()
        self.limited.clear()
        self.since = moment


class Intake:
    """The engine's one door. ``rate`` None: no rate limit (an operator's console, a local
    chat). ``threads``: how many turns run at once in ``take``."""

    def __init__(
        self,
        engine: Engine,
        rate: RateLimit | None = None,
        threads: int = 4,
        max_text: int = 1600,
        traffic: Traffic | None = None,
        clock_us: Callable[[], int] = wall_us,
        settle: float = SETTLE,
    ) -> None:
        self.engine = engine
        self.rate = rate
        self.threads = threads
        self.max_text = max_text
        self.traffic = traffic or Traffic()
        self.clock_us = clock_us
        self.settle = settle
        self._executor: ThreadPoolExecutor | None = None
        self._doors: ThreadPoolExecutor | None = None  # the door's threads: never behind turns
        self._purged = time.monotonic()
        # True while this process is the only one taking messages on its database (``serve``
        # keeps it: bot/peers.py): its messages need no place in line and no settling pause.
        self.alone = False
        # Alone, the rate limit's counts are kept here rather than in the database (bot/counts.py)
        self.counts = SenderCounts(int(rate.window * 1e6) if rate else 0)
        # Per conversation, the last message ``take`` has in hand: the next waits for it.
        self._in_hand: dict[tuple[str, str], asyncio.Future[None]] = {}
        self._working: set[asyncio.Task[Receipt]] = set()  # messages in hand, cancelled or not

    # -- the door ----------------------------------------------------------------------------

    def receive(
        self, message: Inbound, then: Then | None = None, received_us: int | None = None
    ) -> Receipt:
        """Take one message and answer it (in this thread). ``then`` runs with the replies
        inside the turn's transaction (and with the stored replies of a redelivery): a channel
        that queues its replies in the outbox does it there, so they are stored with the turn.
        ``received_us``: when the message came in (default: now)."""
        message = self.normalised(message)
        received = self.clock_us() if received_us is None else received_us
        at_door = self._door(message, then, received)
        if isinstance(at_door, Receipt):
            return self._done(message, at_door)
        return self._done(message, self._turn(message, then, received, at_door))

    async def take(self, message: Inbound, then: Then | None = None) -> Receipt:
        """``receive`` in the intake's threads: the event loop goes on meanwhile. The moment of
        reception is taken here, before the hand-off: it places the message in line.

        One conversation's messages taken here keep the order they came in. Alone on the
        database (``alone``), a message takes no place in line: its door and turn are one call
        in a turn thread, after the conversation's previous message is answered. Else the door
        runs at once in threads of its own (the place in line is written as soon as the message
        comes in, not once a busy turn thread is free), and before its turn the message waits
        for the previous message's door and lets ``settle`` seconds pass since it came in (on
        the loop, holding no thread), so that a message of the same sender another process took
        a moment earlier, but wrote a little later, is in line before this one's turn looks.

        A turn behind another's gives its thread back while it waits. A request cancelled
        meanwhile (a client gone) still has its message answered, and the next message of the
        conversation waits for exactly that."""
        received = self.clock_us()
        message = self.normalised(message)
        if self._executor is None or self._doors is None:
            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="vaxbot-turn")
            self._doors = ThreadPoolExecutor(DOOR_THREADS, thread_name_prefix="vaxbot-door")
        loop = asyncio.get_running_loop()
        key = (message.channel, message.address)
        before = self._in_hand.get(key)
        self._in_hand[key] = mine = loop.create_future()
        work = loop.create_task(self._take(loop, message, then, received, before, mine))
        self._working.add(work)
        work.add_done_callback(self._working.discard)
        work.add_done_callback(lambda _: self._let_go(key, mine))
        return self._done(message, await asyncio.shield(work))

    def _let_go(self, key: tuple[str, str], mine: asyncio.Future[None]) -> None:
        if not mine.done():
            mine.set_result(None)
        if self._in_hand.get(key) is mine:
            del self._in_hand[key]

    async def _take(
        self, loop: asyncio.AbstractEventLoop, message: Inbound, then: Then | None,
        received: int, before: asyncio.Future[None] | None, mine: asyncio.Future[None],
    ) -> Receipt:  # fmt: skip
        alone = self.alone
        if alone and before is None:  # the usual case: door and turn in one call
            done = await loop.run_in_executor(
                self._executor, self._door_and_turn, message, then, received
            )
            if isinstance(done, Receipt):
                return done
            receipt = await self._turn_async(loop, message, then, received, done)
            return self._uncounted(message, receipt)
        try:
            at_door = await loop.run_in_executor(
                self._doors, self._door, message, then, received, not alone
            )
        finally:
            if not alone and not mine.done():
                mine.set_result(None)  # in line now (or no turn): the next may look
        if isinstance(at_door, Receipt):  # refused or redelivered: no need to wait
            return at_door
        if before is not None:
            await asyncio.wait([before])
        pause = 0.0 if alone else self.settle - (self.clock_us() - received) / 1e6
        if pause > 0:
            await asyncio.sleep(pause)
        return await self._turn_async(loop, message, then, received, at_door)

    def _door_and_turn(self, message: Inbound, then: Then | None, received: int) -> Receipt | int:
        """Door and turn of a process alone on its database, in one thread: the receipt, or
        the message's place (0) if its turn is behind another process's message."""
        at_door = self._door_alone(message, then, received)
        if isinstance(at_door, Receipt):
            return at_door
        receipt = self._try_turn(message, then, received, at_door)
        return at_door if receipt is None else self._uncounted(message, receipt)

    def _door_alone(self, message: Inbound, then: Then | None, received: int) -> Receipt | int:
        """The door of a process alone on its database: the sender's message counted here
        (``counts``), not in the database; the database is asked only about a message over
        the limit, which may be a provider's retry of one answered before."""
        rate = self.rate
        count = self.counts.add(_sender(message), received) if rate is not None else None
        if rate is None or count is None:  # no limit, or counted in the database now
            return self._door(message, then, received, line=False)
        self._sweep(received)
        if count <= rate.limit:
            return 0
        answered = self._door(message, then, received, line=False, counted=True)
        if isinstance(answered, Receipt):  # answered before: not the sender's doing
            self.counts.take_back(_sender(message))
            return answered
        return self._limited(message, count)

    def _uncounted(self, message: Inbound, receipt: Receipt) -> Receipt:
        """A message counted here whose turn found it answered before is uncounted."""
        if receipt.outcome == "redelivered" and self.rate is not None:
            self.counts.take_back(_sender(message))
        return receipt

    def keep_company(self, alone: bool) -> None:
        """Whether this process is alone on its database (bot/peers.py, after each beat, in a
        store thread). The rate limit's counts move with it: alone, they are taken out of the
        database and kept here; in company, they are handed back before anyone counts there
        again."""
        rate, store = self.rate, self.engine.store
        if rate is None:
            self.alone = alone
            return
        now = self.clock_us()
        expired = now - int(rate.window * 1e6)
        if alone and self.alone and self.counts.is_open:
            return
        self.alone = False  # meanwhile counted at the door, in the database
        running = self.counts.close(now)
        if running:
            store.give_rate_windows(running, expired)
        if alone:
            self.counts.open(store.take_rate_windows(expired))
            self.alone = True

    async def _turn_async(
        self, loop: asyncio.AbstractEventLoop, message: Inbound, then: Then | None,
        received: int, place: int,
    ) -> Receipt:  # fmt: skip
        """The turn in a turn thread; while it is behind, the thread is given back."""
        waits, turn = _backoff(), self._try_turn
        while (
            receipt := await loop.run_in_executor(
                self._executor, turn, message, then, received, place
            )
        ) is None:
            await asyncio.sleep(next(waits))
        return receipt

    def close(self) -> None:
        """Wait for the turns in hand, then let the threads go."""
        for pool in (self._doors, self._executor):
            if pool is not None:
                pool.shutdown(wait=True)
        self._executor = self._doors = None

    def normalised(self, message: Inbound) -> Inbound:
        """One conversation per SMS number, however it was written; text within bounds and
        storable (a lone surrogate, which no database or reply can encode, becomes U+FFFD)."""
        changes: dict[str, object] = {}
        if message.channel == "sms":
            phone = normalise_phone(message.address)
            if phone:
                changes.update(address=phone, phone=message.phone or phone)
        if len(message.text) > self.max_text:
            changes["text"] = message.text[: self.max_text]
        for name in ("text", "address", "message_id"):
            value = changes.get(name, getattr(message, name))
            if isinstance(value, str) and not _encodable(value):  # a lone surrogate (Telegram)
                changes[name] = _LONE_SURROGATE.sub("\ufffd", value)
        return replace(message, **changes) if changes else message  # type: ignore[arg-type]

    def _done(self, message: Inbound, receipt: Receipt) -> Receipt:
        self.traffic.count(message.channel, limited=receipt.limited)
        log.debug(
            "%s in from=%s %s replies=%d", message.channel, mask_address(message.address),
            receipt.outcome, len(receipt.replies),
        )  # fmt: skip
        return receipt

    def _door(
        self, message: Inbound, then: Then | None, received: int, line: bool = True,
        counted: bool = False,
    ) -> Receipt | int:  # fmt: skip
        """The message's place in line (0: none taken, ``line`` False); or, if no turn is to
        run, its receipt. ``counted``: the sender's message was counted already (alone)."""
        engine, rate = self.engine, None if counted else self.rate
        store = engine.store
        seen = f"{message.address} {message.message_id}" if message.message_id else None
        self._sweep(received)
        try:
            arrival = store.arrive(
                message.channel, message.address, seen, received,
                rate.limit if rate else None, int(rate.window * 1e6) if rate else 0, line,
            )  # fmt: skip
        except Exception as error:  # the database cannot take it: as a failed turn
            log.error(
                "message on %s from %s not taken: %s: %.200s", message.channel,
                mask_address(message.address), type(error).__name__, error,
            )  # fmt: skip
            return Receipt([self._say(message, "error")], "failed")
        if arrival.replies is not None:
            replies = [Reply.from_json(r) for r in orjson.loads(arrival.replies)]
            if then is not None:
                with store.transaction():
                    then(replies)
            return Receipt(replies, "redelivered")
        if arrival.id is None:
            return self._limited(message, arrival.count)
        return arrival.id

    def _limited(self, message: Inbound, count: int) -> Receipt:
        """Over the rate limit: the first refusal in a window is answered, the rest not."""
        metrics.rate_limited(message.channel)
        first = self.rate is not None and count == self.rate.limit + 1
        return Receipt([self._say(message, "rate_limited")] if first else [], "limited")

    def _turn(self, message: Inbound, then: Then | None, received: int, place: int) -> Receipt:
        """The message's turn, once the earlier arrivals of its conversation have had theirs
        (waiting in this thread)."""
        waits = _backoff()
        while (receipt := self._try_turn(message, then, received, place)) is None:
            time.sleep(next(waits))
        return receipt

    def _try_turn(
        self, message: Inbound, then: Then | None, received: int, place: int
    ) -> Receipt | None:
        """The message's turn; None if an earlier message of its conversation is still being
        answered (``Behind``)."""
        try:
            fresh = self.clock_us() - STALE_US
            replies, outcome = self.engine.turn(message, place, then, received, fresh)
        except Behind:
            return None
        if outcome == "failed" and place:  # rolled back, its place in line included
            store = self.engine.store
            try:
                with store.transaction():
                    store.leave_line(place)
            except Exception as error:  # left for the sweep: stale in STALE_US anyway
                log.warning("arrival not cleared: %s", type(error).__name__)
        return Receipt(replies, outcome)

    def _say(self, message: Inbound, key: str) -> Reply:
        said = message.lang if message.lang in ("zh", "en") else guess_language(message.text)
        return Reply(text("zh" if said == "zh" else "en", key))

    def _sweep(self, now_us: int) -> None:
        """Now and then: forget abandoned arrivals and rate windows long over (those counted
        here too)."""
        moment = time.monotonic()
        if moment - self._purged < PURGE_EVERY:
            return
        self._purged = moment
        self.counts.forget_ended(now_us)
        window_us = int(self.rate.window * 1e6) if self.rate else 0
        try:
            self.engine.store.purge_arrivals(now_us - max(window_us, STALE_US) - 60_000_000)
        except Exception as error:
            log.warning("arrivals not swept: %s", type(error).__name__)
