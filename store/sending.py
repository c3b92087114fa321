"""Sends in flight: the outbox rows whose send through a gateway that takes no idempotency key
(Twilio) began and has no known outcome yet. A row still here when the outbox claims it again
was in flight when a process died: ``bot/outbox.py`` looks for it in the gateway's own list of
messages before sending it again."""

from __future__ import annotations

from datetime import datetime

from store.db import Db
from store.rows import stamp


class Sending:
    def __init__(self, db: Db) -> None:
        self._db = db

    def begin(self, outbox_id: int, now: datetime) -> None:
        """The send of an outbox row begins (kept from an earlier attempt if there was one)."""
        self._db.execute(
            "INSERT INTO sending (outbox_id, since) VALUES (:id, :since) "
            "ON CONFLICT (outbox_id) DO NOTHING",
            {"id": outbox_id, "since": stamp(now)},
        )

    def since(self, outbox_id: int) -> datetime | None:
        """When the send of an outbox row began, if its outcome is not known."""
        row = self._db.one("SELECT since FROM sending WHERE outbox_id = :id", {"id": outbox_id})
        return datetime.fromisoformat(str(row[0])) if row else None

    def end(self, outbox_id: int) -> None:
        """The outcome of the send is known (sent, or refused for good)."""
        self._db.execute("DELETE FROM sending WHERE outbox_id = :id", {"id": outbox_id})

    def provider_id_taken(self, provider_id: str) -> bool:
        """Whether an outbox row already records this provider id as its message."""
        row = self._db.one(
            "SELECT 1 FROM outbox WHERE provider_id = :provider", {"provider": provider_id}
        )
        return row is not None
