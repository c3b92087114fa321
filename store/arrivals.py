"""Arrivals: each inbound message recorded as it arrives, so that one sender's messages are
handled in the order they arrived, whichever process (or thread) took them; and the per-sender
rate limit, counted in the database so that every process shares it.

An arrival row holds a conversation and the moment its process received the message, never
the message's text. The row is written at the door, in the statement that opens it (committed
before the turn begins, so others see it as soon as they can); the process that took a
message runs its turn after those of the conversation's earlier arrivals
(``Conversations.turn_start`` counts those still in line, by moment received, then id). The
turn deletes its row. A row left by a process that died mid-turn is ignored once it is stale,
and purged later.

Times are microseconds of the real clock (``time.time_ns()``), not the engine's clock, which
``VAXBOT_NOW`` may freeze; the processes of one machine share it.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.crypto import Keyring
from store.db import Db


@dataclass(frozen=True, slots=True)
class Arrival:
    """What became of a message at the door."""

    id: int | None  # its place in its conversation's line (0: none taken; None: no turn to run)
    replies: str | None = None  # a message id already answered: the replies given (JSON)
    count: int = 0  # the sender's messages in the current window, this one included


_ARRIVE = (
    "INSERT INTO arrivals (channel, address, received_us) "
    "VALUES (:channel, :address, :now) RETURNING id"
)
_ANSWERED = "SELECT replies FROM inbound WHERE channel = :channel AND message_id = :message_id"
_UNANSWERED = (
    "NOT EXISTS (SELECT 1 FROM inbound WHERE channel = :channel AND message_id = :message_id)"
)
# The sender's count in its window (a new window once the last began ``window_us`` ago); no
# row when the message was answered before. (SQLite needs the WHERE to read ON CONFLICT.)
_COUNT = (
    "INSERT INTO rate_limits (sender, started_us, count) SELECT :sender, :now, 1 "
    "WHERE {unanswered} ON CONFLICT (sender) DO UPDATE SET "
    "count = CASE WHEN rate_limits.started_us <= :expired THEN 1 "
    "ELSE rate_limits.count + 1 END, "
    "started_us = CASE WHEN rate_limits.started_us <= :expired THEN :now "
    "ELSE rate_limits.started_us END "
    "RETURNING count"
)

_GIVE = (
    "INSERT INTO rate_limits (sender, started_us, count) VALUES (:sender, :began, :count) "
    "ON CONFLICT (sender) DO UPDATE SET "
    "count = CASE WHEN rate_limits.started_us <= :expired THEN excluded.count "
    "ELSE rate_limits.count + excluded.count END, "
    "started_us = CASE WHEN rate_limits.started_us <= :expired "
    "OR excluded.started_us < rate_limits.started_us THEN excluded.started_us "
    "ELSE rate_limits.started_us END"
)


class Arrivals:
    def __init__(self, db: Db, keys: Keyring) -> None:
        self._db = db
        self._keys = keys

    def arrive(
        self,
        channel: str,
        address: str,
        message_id: str | None,
        received_us: int,
        limit: int | None = None,
        window_us: int = 60_000_000,
        line: bool = True,
    ) -> Arrival:
        """One message at the door, in one round trip where the backend can (``Db.batch``):
        its place in the conversation's line (unless ``line`` is False: a process alone on the
        database keeps its messages in order itself), and the message counted against the
        sender's ``limit`` per ``window_us`` unless ``message_id`` was answered before (a
        provider's retry is not the sender's doing: the replies already given are returned,
        before any rate limit). A message that gets no turn leaves the line."""
        db = self._db
        params = {"channel": channel, "address": address, "message_id": message_id,
                  "sender": f"{channel} {address}", "now": received_us,
                  "expired": received_us - window_us}  # fmt: skip
        statements = [(_ARRIVE, params)] if line else []
        if limit is not None:
            unanswered = _UNANSWERED if message_id is not None else "1 = 1"
            statements.append((_COUNT.format(unanswered=unanswered), params))
        elif message_id is not None:
            statements.append((_ANSWERED, params))
        if not statements:
            return Arrival(0)  # nothing to ask: a turn, without a place in line
        results = db.batch(statements)
        place = int(results[0][0][0]) if line else 0
        said = results[-1] if len(results) > int(line) else []
        if limit is not None and said:  # counted: a new message
            count = int(said[0][0])
            if count > limit:
                self.leave(place)
                return Arrival(None, None, count)
            return Arrival(place, None, count)
        if limit is not None:  # not counted: answered before
            said = db.all(_ANSWERED, params)
        if not said:  # new (or its stored replies purged a moment ago: answered anew)
            return Arrival(place)
        self.leave(place)
        where = f"inbound.replies:{channel}:{message_id}"  # as Conversations seals them
        return Arrival(None, self._keys.open(str(said[0][0]), where))

    def leave(self, place: int) -> None:
        """The arrival's turn is over (or abandoned): out of the line (with the transaction's
        next statement, inside one). Place 0 was never in line."""
        if place:
            self._db.defer("DELETE FROM arrivals WHERE id = :id", {"id": place})

    def waiting(self, channel: str, address: str) -> list[int]:
        """The places of a conversation's arrivals still in line, in order."""
        return [
            int(row[0])
            for row in self._db.all(
                "SELECT id FROM arrivals WHERE channel = :channel AND address = :address "
                "ORDER BY received_us, id",
                {"channel": channel, "address": address},
            )
        ]

    def sender_count(self, channel: str, address: str) -> int:
        """The sender's messages counted in their current rate-limit window (0: none)."""
        row = self._db.one(
            "SELECT count FROM rate_limits WHERE sender = :sender",
            {"sender": f"{channel} {address}"},
        )
        return int(row[0]) if row else 0

    def take_rate_windows(self, since_us: int) -> list[tuple[str, int, int]]:
        """Take the rate-limit windows begun after ``since_us`` out of the database, as
        (sender, began, count): a process alone on the database counts them itself from now
        on (bot/counts.py), until it hands them back (``give_rate_windows``)."""
        with self._db.transaction():
            rows = self._db.all(
                "DELETE FROM rate_limits WHERE started_us > :since "
                "RETURNING sender, started_us, count",
                {"since": since_us},
            )
        return [(str(row[0]), int(row[1]), int(row[2])) for row in rows]

    def give_rate_windows(self, windows: list[tuple[str, int, int]], expired_us: int) -> None:
        """Add windows counted in a process (sender, began, count) to the database's: to a
        window there still running (begun after ``expired_us``: a message counted here
        meanwhile) the count is added, from the earlier beginning; an ended one is
        replaced."""
        with self._db.transaction():
            for sender, began, count in windows:
                self._db.execute(_GIVE, {"sender": sender, "began": began, "count": count,
                                         "expired": expired_us})  # fmt: skip

    def purge(self, before_us: int) -> int:
        """Forget arrivals left in line (a process died mid-turn) and rate-limit windows that
        began before ``before_us``; the number of rows removed."""
        with self._db.transaction():
            gone = self._db.execute(
                "DELETE FROM arrivals WHERE received_us < :before", {"before": before_us}
            )
            gone += self._db.execute(
                "DELETE FROM rate_limits WHERE started_us < :before", {"before": before_us}
            )
        return gone
