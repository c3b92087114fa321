"""The outbox: messages to send, each once per idempotency key, claimed for sending with a
lease, and what became of them; and the addresses that opted out of notices (STOP).

Texts are sealed with the data key (they carry booking, pre-registration and link codes), bound
to their idempotency key; a delivered text is blanked after ``[retention]`` (the row and its key
stay, so nothing is queued twice)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from store.crypto import Keyring
from store.db import Db
from store.models import Outgoing
from store.rows import marks, stamp

_NEW = (
    "INSERT INTO outbox (channel, address, text, idempotency_key, due_at, created_at, kind, "
    "params) VALUES (:channel, :address, :text, :key, :due, :at, :kind, :params)"
)


def _where(key: str) -> str:
    return f"outbox.text:{key}"


def params_where(key: str) -> str:
    """What a notice's sealed template values are bound to (they may hold a link code)."""
    return f"outbox.params:{key}"


class Outbox:
    def __init__(self, db: Db, keys: Keyring) -> None:
        self._db = db
        self._keys = keys

    def _opened(self, row: dict[str, Any]) -> dict[str, Any]:
        row["text"] = self._keys.open(row["text"], _where(row["idempotency_key"]))
        return row

    def enqueue(
        self,
        channel: str,
        address: str,
        text: str,
        key: str,
        due: datetime,
        now: datetime,
        kind: str = "notice",
        params: Mapping[str, object] | None = None,
    ) -> bool:
        """Queue an outbound message once per idempotency ``key``; False if already queued.

        ``kind`` is "notice" (reminders, alerts, offers, confirmations to another phone: held
        back for an opted-out address) or "reply" (an answer to the resident's own message).
        ``params`` are the values the text was written from (for a templated SMS gateway).
        """
        values = None if params is None else json.dumps({k: str(v) for k, v in params.items()},
                                                        ensure_ascii=False)  # fmt: skip
        return self._db.execute(
            _NEW + " ON CONFLICT (idempotency_key) DO NOTHING",
            {"channel": channel, "address": address, "text": self._keys.seal(text, _where(key)),
             "key": key, "due": stamp(due), "at": stamp(now), "kind": kind,
             "params": None if values is None else self._keys.seal(values, params_where(key))},
        ) == 1  # fmt: skip

    def add_notices(self, notices: Iterable[tuple[str, str, str, str, str, str]]) -> int:
        """Queue notices given as (channel, address, text, key, due, created) with their times
        as stored; a key already queued is an error (``UniqueViolation``)."""
        return self._db.execute_many(
            _NEW,
            (
                {"channel": channel, "address": address, "key": key, "due": due, "at": at,
                 "text": self._keys.seal(text, _where(key)), "kind": "notice", "params": None}
                for channel, address, text, key, due, at in notices
            ),
        )  # fmt: skip

    def claim_due(
        self, now: datetime, channels: Sequence[str], limit: int, lease: timedelta
    ) -> list[Outgoing]:
        """Take up to ``limit`` due messages for sending, oldest first.

        A claimed message is not claimed again until ``lease`` has passed: if the sender died
        before recording the outcome, another run sends it again (with the same idempotency
        key, so a channel that honours keys delivers it once). Two workers claiming at once
        never take the same row: rows another worker is claiming are passed over
        (``Db.skip_locked``: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL).
        """
        listed, names = marks("c", channels)
        at = stamp(now)
        with self._db.transaction():
            rows = self._db.all(
                "SELECT id, channel, address, text, idempotency_key, kind, attempts FROM outbox "
                f"WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= :now AND channel IN "
                f"({listed}) AND (claimed_at IS NULL OR claimed_at <= :stale) "
                f"ORDER BY due_at, id LIMIT :limit{self._db.skip_locked()}",
                {**names, "now": at, "stale": stamp(now - lease), "limit": limit},
            )
            self._db.execute_many(
                "UPDATE outbox SET claimed_at = :now WHERE id = :id",
                ({"now": at, "id": row[0]} for row in rows),
            )
        return [
            Outgoing(row[0], row[1], row[2], self._keys.open(row[3], _where(row[4])), *row[4:])
            for row in rows
        ]

    def mark_sent(
        self, message_id: int, provider_id: str | None, now: datetime, route: str | None = None
    ) -> None:
        """Sent; ``route`` is the channel it went through when not its own (a notice to a phone
        sent by WeChat, say)."""
        self._db.execute(
            "UPDATE outbox SET sent_at = :now, provider_id = :provider, attempts = attempts + 1, "
            "last_error = NULL, route = :route WHERE id = :id",
            {"now": stamp(now), "provider": provider_id, "id": message_id, "route": route},
        )

    def mark_retry(self, message_id: int, error: str, due: datetime) -> None:
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = :error, due_at = :due, "
            "claimed_at = NULL WHERE id = :id",
            {"error": error[:500], "due": stamp(due), "id": message_id},
        )

    def mark_failed(self, message_id: int, error: str, now: datetime) -> None:
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = :error, failed_at = :now "
            "WHERE id = :id",
            {"error": error[:500], "now": stamp(now), "id": message_id},
        )

    def delivery_status(
        self, provider_id: str, status: str, error: str | None, opted_out: bool, now: datetime
    ) -> None:
        """What the provider says became of a sent message (a status callback)."""
        with self._db.transaction():
            row = self._db.one(
                "SELECT channel, address FROM outbox WHERE provider_id = :provider",
                {"provider": provider_id},
            )
            self._db.execute(
                "UPDATE outbox SET delivery_status = :status, "
                "last_error = COALESCE(:error, last_error) WHERE provider_id = :provider",
                {"status": status, "error": error, "provider": provider_id},
            )
            if opted_out and row:
                self.set_opt_out(row[0], row[1], True, now)

    def backlog(self, now: datetime) -> tuple[int, float]:
        """Messages due and not yet sent, and how long the oldest has waited (seconds)."""
        row = self._db.one(
            "SELECT count(*), min(due_at) FROM outbox "
            "WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= :now",
            {"now": now.isoformat(timespec="seconds")},
        )
        if row is None or not row[0]:
            return 0, 0.0
        oldest = datetime.fromisoformat(str(row[1]))
        return int(row[0]), max((now - oldest).total_seconds(), 0.0)

    def outbox_rows(self) -> list[dict[str, Any]]:
        """Every outbox row as stored (every column), oldest first: for operators and tests."""
        return [self._opened(row) for row in self._db.dicts("SELECT * FROM outbox ORDER BY id")]

    def outbox_row(self, key: str) -> dict[str, Any] | None:
        """The outbox row of an idempotency key as stored, if there is one."""
        found = self._db.dicts("SELECT * FROM outbox WHERE idempotency_key = :key", {"key": key})
        return self._opened(found[0]) if found else None

    # -- opt-outs ----------------------------------------------------------------------------

    def set_opt_out(self, channel: str, address: str, out: bool, now: datetime) -> bool:
        """Record STOP (``out``) or START for an address; False if it was already so."""
        params = {"channel": channel, "address": address, "at": stamp(now)}
        if out:
            changed = self._db.execute(
                "INSERT INTO optouts (channel, address, at) VALUES (:channel, :address, :at) "
                "ON CONFLICT DO NOTHING",
                params,
            )
        else:
            changed = self._db.execute(
                "DELETE FROM optouts WHERE channel = :channel AND address = :address", params
            )
        return changed == 1

    def opted_out(self, channel: str, address: str) -> bool:
        return bool(
            self._db.one(
                "SELECT 1 FROM optouts WHERE channel = :channel AND address = :address",
                {"channel": channel, "address": address},
            )
        )
