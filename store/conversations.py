"""Conversations: each one's state by (channel, address), the message ids already answered (with
the replies given, for redeliveries), and the messages the interpreter did not understand.

States and stored replies are sealed with the data key (they hold ID numbers, health answers
and codes while a conversation goes on); the language a conversation is in is kept beside the
state in plain text, for the notices other parts send (docs/privacy.md)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import orjson

from store.crypto import Keyring
from store.db import Db
from store.rows import compact_json, stamp

_LANG = re.compile(r'"lang":"(\w+)"')


def _state_where(channel: str, address: str) -> str:
    return f"conversations.state:{channel}:{address}"


class Conversations:
    def __init__(self, db: Db, keys: Keyring) -> None:
        self._db = db
        self._keys = keys

    def lock(self, channel: str, address: str) -> None:
        """Inside the turn's transaction: one turn of this conversation at a time, across every
        process on the database."""
        self._db.lock(f"conversation {channel} {address}")

    def load_state(self, channel: str, address: str) -> dict[str, Any] | None:
        text = self.state_text(channel, address)
        state: dict[str, Any] | None = orjson.loads(text) if text is not None else None
        return state

    def state_text(self, channel: str, address: str) -> str | None:
        """A conversation's state as stored (JSON text)."""
        row = self._db.one(
            "SELECT state FROM conversations WHERE channel = :channel AND address = :address",
            {"channel": channel, "address": address},
        )
        return self._keys.open(str(row[0]), _state_where(channel, address)) if row else None

    def state_updated_at(self, channel: str, address: str) -> str | None:
        """When a conversation's state was last stored (the stamp as stored)."""
        row = self._db.one(
            "SELECT updated_at FROM conversations WHERE channel = :channel AND address = :address",
            {"channel": channel, "address": address},
        )
        return str(row[0]) if row else None

    def save_state(
        self, channel: str, address: str, state: dict[str, Any] | str, now: datetime
    ) -> None:
        """Store a conversation's state (a dict, or JSON text already made), sealed."""
        text = state if isinstance(state, str) else compact_json(state)
        lang = _LANG.search(text)
        self._db.defer(
            "INSERT INTO conversations (channel, address, state, updated_at, lang) "
            "VALUES (:channel, :address, :state, :at, :lang) "
            "ON CONFLICT (channel, address) DO UPDATE SET state = excluded.state, "
            "updated_at = excluded.updated_at, lang = excluded.lang",
            {
                "channel": channel,
                "address": address,
                "state": self._keys.seal(text, _state_where(channel, address)),
                "at": stamp(now),
                "lang": lang.group(1) if lang else None,
            },
        )

    def turn_start(
        self,
        channel: str,
        address: str,
        message_id: str | None,
        place: int | None = None,
        received_us: int = 0,
        fresh_us: int = 0,
    ) -> tuple[str | None, str | None, int]:
        """What a turn starts from, in one read: the replies already given to ``message_id``
        (if it was processed: a redelivery), the conversation's state (JSON text), and how many
        of the conversation's arrivals are in line before ``place``, received at ``received_us``
        (store/arrivals.py; those received before ``fresh_us`` are taken as abandoned)."""
        row = self._db.one(
            "SELECT (SELECT replies FROM inbound WHERE channel = :channel "
            "AND message_id = :message_id), "
            "(SELECT state FROM conversations WHERE channel = :channel AND address = :address), "
            "(SELECT count(*) FROM arrivals WHERE channel = :channel AND address = :address "
            "AND (received_us < :received OR (received_us = :received AND id < :place)) "
            "AND received_us >= :fresh)",
            {"channel": channel, "message_id": message_id, "address": address,
             "place": place, "received": received_us, "fresh": fresh_us},
        )  # fmt: skip
        assert row is not None
        replies, state, status = row
        if replies is not None:
            replies = self._keys.open(replies, f"inbound.replies:{channel}:{message_id}")
        if state is not None:
            state = self._keys.open(state, _state_where(channel, address))
        return replies, state, int(status)

    def record_inbound(self, channel: str, message_id: str, replies: str, now: datetime) -> None:
        """Remember the replies given to a message id (a second time fails the transaction:
        a turn holds its conversation's lock, and reads the replies first)."""
        self._db.defer(
            "INSERT INTO inbound (channel, message_id, replies, received_at) "
            "VALUES (:channel, :message_id, :replies, :at)",
            {
                "channel": channel,
                "message_id": message_id,
                "at": stamp(now),
                "replies": self._keys.seal(replies, f"inbound.replies:{channel}:{message_id}"),
            },
        )

    def language_of(self, channel: str, address: str) -> str | None:
        """The language a conversation was last in, if there is one."""
        row = self._db.one(
            "SELECT lang, state FROM conversations WHERE channel = :channel AND address = :address",
            {"channel": channel, "address": address},
        )
        if row is None:
            return None
        if row[0]:
            return str(row[0])
        state = self.load_state(channel, address)
        return str(state["lang"]) if state else None

    # -- messages not understood (bot/nlu) --------------------------------------------------

    def record_miss(self, text: str, now: datetime) -> None:
        """Count a message the interpreter did not understand (already masked)."""
        at = now.isoformat(timespec="seconds")
        self._db.execute(
            "INSERT INTO nlu_misses (text, count, first_at, last_at) VALUES (:text, 1, :at, :at) "
            "ON CONFLICT (text) DO UPDATE SET count = nlu_misses.count + 1, "
            "last_at = excluded.last_at",
            {"text": text, "at": at},
        )

    def misses(self, limit: int) -> list[tuple[str, int, str]]:
        """The most frequent messages not understood: (text, count, last seen)."""
        return [
            (str(text), int(count), str(last))
            for text, count, last in self._db.all(
                "SELECT text, count, last_at FROM nlu_misses ORDER BY count DESC, last_at DESC "
                "LIMIT :limit",
                {"limit": limit},
            )
        ]
