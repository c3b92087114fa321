"""Where a person's notices go: the channels of the account behind a phone, in the order to try.

An account (a phone, and the chats and mail addresses linked to it; or a chat alone, that
registered people with this phone) either chose a channel for
notices (``accounts.notify_channel``, "通知方式") or gets them where it last talked (the
conversation updated most recently). SMS to the phone itself comes last, as the fallback.
"""

from __future__ import annotations

import json
from typing import Any

from store.crypto import Keyring
from store.db import Db
from store.outbox import params_where

CHANNELS = ("sms", "wechat", "telegram", "email")


class Routes:
    def __init__(self, db: Db, keys: Keyring) -> None:
        self._keys = keys
        self._db = db

    def notice_routes(self, phone: str) -> list[tuple[str, str]]:
        """(channel, address) to try for a notice to ``phone``, best first; SMS to the phone
        itself is always among them (last, unless chosen or last used)."""
        rows = self._db.all(
            "SELECT a.channel, a.address, acc.notify_channel, c.updated_at "
            "FROM accounts acc JOIN addresses a ON a.account_id = acc.id "
            "LEFT JOIN conversations c ON c.channel = a.channel AND c.address = a.address "
            "WHERE acc.phone = :phone OR (acc.phone IS NULL AND acc.id IN "
            "(SELECT account_id FROM residents WHERE phone = :phone))",
            {"phone": phone},
        )
        chosen = rows[0][2] if rows else None
        # most recent conversation first (never-talked addresses last; at the same moment, a
        # chat before SMS, the fallback), the chosen channel ahead
        ordered = sorted(rows, key=lambda row: (str(row[3] or ""), row[0] != "sms"), reverse=True)
        ordered.sort(key=lambda row: row[0] != chosen)
        routes: list[tuple[str, str]] = []
        for channel, address, _, _ in ordered:
            pair = (str(channel), phone if channel == "sms" else str(address))
            if pair not in routes and (channel != "sms" or address == phone):
                routes.append(pair)
        if ("sms", phone) not in routes:
            routes.append(("sms", phone))
        return routes

    def notify_channel(self, account_id: int) -> str | None:
        row = self._db.one("SELECT notify_channel FROM accounts WHERE id = :id", {"id": account_id})
        return str(row[0]) if row and row[0] else None

    def set_notify_channel(self, account_id: int, channel: str | None) -> None:
        """The channel the account wants notices on; None: the one it last used."""
        assert channel is None or channel in CHANNELS
        self._db.execute(
            "UPDATE accounts SET notify_channel = :channel WHERE id = :id",
            {"channel": channel, "id": account_id},
        )

    def account_channels(self, account_id: int) -> list[str]:
        """The channels the account can be reached on (where it has an address), plus SMS when
        it has a phone."""
        rows = self._db.all(
            "SELECT DISTINCT channel FROM addresses WHERE account_id = :id", {"id": account_id}
        )
        found = {str(row[0]) for row in rows}
        phone = self._db.one("SELECT phone FROM accounts WHERE id = :id", {"id": account_id})
        if phone and phone[0]:
            found.add("sms")
        return [channel for channel in CHANNELS if channel in found]

    def outbox_params(self, message_id: int) -> dict[str, Any] | None:
        row = self._db.one(
            "SELECT params, idempotency_key FROM outbox WHERE id = :id", {"id": message_id}
        )
        if not row or row[0] is None:
            return None
        values = json.loads(self._keys.open(str(row[0]), params_where(str(row[1]))))
        return values if isinstance(values, dict) else None
