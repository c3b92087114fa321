"""Arrivals: each inbound message recorded as it arrives, so that one sender's messages are
handled in the order they arrived, whichever process (or thread) took them; and the per-sender
rate limit, counted in the database so that every process shares it.

An arrival row holds a conversation and a moment, never the message's text: the process that
took a message runs its turn, after the turns of the conversation's earlier arrivals
(``Conversations.turn_start`` counts those still pending). The turn deletes its row. A row left
by a process that died mid-turn is ignored once it is ``stale`` and purged later.

Times are milliseconds of the real clock (``time.time()``), not the engine's clock, which
``VAXBOT_NOW`` may freeze.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.db import Db


@dataclass(frozen=True, slots=True)
class Arrival:
    """What became of a message at the door."""

    id: int | None  # its place in its conversation's line (None: no turn to run)
    replies: str | None = None  # a message id already answered: the replies given (JSON)
    count: int = 0  # the sender's messages in the current window, this one included


class Arrivals:
    def __init__(self, db: Db) -> None:
        self._db = db

    def arrive(
        self,
        channel: str,
        address: str,
        message_id: str | None,
        now_ms: int,
        limit: int | None = None,
        window_ms: int = 60_000,
    ) -> Arrival:
        """One message at the door, in one transaction: the replies already given if
        ``message_id`` was answered before (before any rate limit: a provider's retry is not
        the sender's doing); else counted against the sender's ``limit`` per ``window_ms``
        (over it: no place in line); else given its place in the conversation's line."""
        db = self._db
        with db.transaction():
            if message_id is not None:
                row = db.one(
                    "SELECT replies FROM inbound WHERE channel = :channel "
                    "AND message_id = :message_id",
                    {"channel": channel, "message_id": message_id},
                )
                if row is not None:
                    return Arrival(None, str(row[0]))
            count = 0
            if limit is not None:
                count = self._count(f"{channel} {address}", now_ms, window_ms)
                if count > limit:
                    return Arrival(None, None, count)
            place = db.insert(
                "INSERT INTO arrivals (channel, address, at_ms) VALUES (:channel, :address, :at)",
                {"channel": channel, "address": address, "at": now_ms},
            )
        return Arrival(place, None, count)

    def _count(self, sender: str, now_ms: int, window_ms: int) -> int:
        """Count one message of ``sender``; how many in the window that began with their first
        message more than ``window_ms`` after the previous window began."""
        row = self._db.one(
            "INSERT INTO rate_limits (sender, started_ms, count) VALUES (:sender, :now, 1) "
            "ON CONFLICT (sender) DO UPDATE SET "
            "count = CASE WHEN rate_limits.started_ms <= :expired THEN 1 "
            "ELSE rate_limits.count + 1 END, "
            "started_ms = CASE WHEN rate_limits.started_ms <= :expired THEN :now "
            "ELSE rate_limits.started_ms END "
            "RETURNING count",
            {"sender": sender, "now": now_ms, "expired": now_ms - window_ms},
        )
        assert row is not None
        return int(row[0])

    def leave(self, place: int) -> None:
        """The arrival's turn is over (or abandoned): out of the line."""
        self._db.execute("DELETE FROM arrivals WHERE id = :id", {"id": place})

    def waiting(self, channel: str, address: str) -> list[int]:
        """The places of a conversation's arrivals still in line, in order."""
        return [
            int(row[0])
            for row in self._db.all(
                "SELECT id FROM arrivals WHERE channel = :channel AND address = :address "
                "ORDER BY id",
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

    def purge(self, before_ms: int) -> int:
        """Forget arrivals left in line (a process died mid-turn) and rate-limit windows that
        began before ``before_ms``; the number of rows removed."""
        with self._db.transaction():
            gone = self._db.execute(
                "DELETE FROM arrivals WHERE at_ms < :before", {"before": before_ms}
            )
            gone += self._db.execute(
                "DELETE FROM rate_limits WHERE started_ms < :before", {"before": before_ms}
            )
        return gone
