"""Safeguards around identity: link codes (NIST SP 800-63B out-of-band codes), the daily cap on
distinct ID numbers a sender tries, undoing links, and consents with their wording version.

Link codes are kept only as keyed hashes (bound to the phone), with their expiry, tries and use;
the per-phone limit counts every code texted to a phone, whatever address asked for it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from store.audit import Audit
from store.crypto import Keyring
from store.db import Db
from store.rows import stamp


@dataclass(frozen=True)
class CodeCheck:
    """What checking a link code came to: "ok" (with the phone), "wrong" or "void"."""

    outcome: str
    phone: str | None = None


class Safeguards:
    def __init__(self, db: Db, keys: Keyring, audit: Audit) -> None:
        self._db = db
        self._keys = keys
        self._audit = audit

    # -- link codes -----------------------------------------------------------------------------

    def issue_link_code(
        self,
        phone: str,
        channel: str,
        address: str,
        now: datetime,
        valid: timedelta,
        per_hour: int,
    ) -> tuple[str, int] | None:
        """A fresh 6-digit code for linking ``(channel, address)`` to ``phone`` and its number
        (for the SMS's idempotency key), or None if the phone was sent ``per_hour`` codes in
        the last hour. Voids the address's earlier code."""
        with self._db.transaction():
            self._db.lock(f"link codes {phone}")
            row = self._db.one(
                "SELECT COUNT(*) FROM link_codes WHERE phone = :phone AND created_at > :since",
                {"phone": phone, "since": stamp(now - timedelta(hours=1))},
            )
            if row and int(row[0]) >= per_hour:
                return None
            self._db.execute(
                "UPDATE link_codes SET used_at = :now WHERE channel = :channel "
                "AND address = :address AND used_at IS NULL",
                {"now": stamp(now), "channel": channel, "address": address},
            )
            code = f"{secrets.randbelow(1_000_000):06d}"
            code_id = self._db.insert(
                "INSERT INTO link_codes (phone, channel, address, code_hash, created_at, "
                "expires_at) VALUES (:phone, :channel, :address, :hash, :now, :until)",
                {"phone": phone, "channel": channel, "address": address,
                 "hash": self._keys.index(f"link:{phone}:{code}"), "now": stamp(now),
                 "until": stamp(now + valid)},
            )  # fmt: skip
        return code, code_id

    def check_link_code(
        self, channel: str, address: str, given: str, now: datetime, max_tries: int
    ) -> CodeCheck:
        """Check a code typed at ``(channel, address)``: single use, void when expired or after
        ``max_tries`` wrong tries."""
        with self._db.transaction():
            self._db.lock(f"link address {channel} {address}")
            row = self._db.one(
                "SELECT id, phone, code_hash, expires_at, tries FROM link_codes "
                "WHERE channel = :channel AND address = :address AND used_at IS NULL "
                "ORDER BY id DESC LIMIT 1",
                {"channel": channel, "address": address},
            )
            if row is None:
                return CodeCheck("void")
            code_id, phone, code_hash, expires_at, tries = row
            if stamp(now) > str(expires_at) or int(tries) >= max_tries:
                self._db.execute(
                    "UPDATE link_codes SET used_at = :now WHERE id = :id",
                    {"now": stamp(now), "id": code_id},
                )
                return CodeCheck("void")
            if self._keys.same(str(code_hash), f"link:{phone}:{given}"):
                self._db.execute(
                    "UPDATE link_codes SET used_at = :now WHERE id = :id",
                    {"now": stamp(now), "id": code_id},
                )
                return CodeCheck("ok", str(phone))
            self._db.execute(
                "UPDATE link_codes SET tries = tries + 1 WHERE id = :id", {"id": code_id}
            )
            return CodeCheck("void" if int(tries) + 1 >= max_tries else "wrong")

    def unlink_others(self, account_id: int, keep_channel: str, now: datetime, actor: str) -> int:
        """Remove every address of the account not on ``keep_channel`` (and their conversation
        states, which remember the account); how many."""
        with self._db.transaction():
            rows = self._db.all(
                "SELECT channel, address FROM addresses WHERE account_id = :account "
                "AND channel <> :keep",
                {"account": account_id, "keep": keep_channel},
            )
            for channel, address in rows:
                params = {"channel": channel, "address": address}
                self._db.execute(
                    "DELETE FROM addresses WHERE channel = :channel AND address = :address", params
                )
                self._db.execute(
                    "DELETE FROM conversations WHERE channel = :channel AND address = :address",
                    params,
                )
            if rows:
                self._audit.record(now, actor, keep_channel, "unlink", "account", account_id,
                                   {"addresses": len(rows)}, {"addresses": 0})  # fmt: skip
        return len(rows)

    # -- ID numbers tried ----------------------------------------------------------------------

    def note_id_attempt(
        self, channel: str, address: str, index: str, now: datetime, cap: int
    ) -> bool:
        """Count a document (its keyed ``index``) tried by a sender today; False if this is a
        new one past ``cap`` distinct documents today (then it is not counted)."""
        params = {"channel": channel, "address": address, "day": now.date().isoformat(),
                  "index": index, "cap": cap}  # fmt: skip
        # One statement in the usual case (a new document, under the cap).
        if self._db.execute(
            "INSERT INTO id_attempts (channel, address, day, id_index) "
            "SELECT :channel, :address, :day, :index WHERE (SELECT COUNT(*) FROM id_attempts "
            "WHERE channel = :channel AND address = :address AND day = :day) < :cap "
            "ON CONFLICT DO NOTHING",
            params,
        ):
            return True
        return bool(  # tried already today (fine), or a new one past the cap
            self._db.one(
                "SELECT 1 FROM id_attempts WHERE channel = :channel AND address = :address "
                "AND day = :day AND id_index = :index",
                params,
            )
        )

    def id_registered(self, channel: str, address: str, index: str, now: datetime) -> None:
        """A document the sender tried today was registered by them: it no longer counts
        against ``note_id_attempt``'s cap, which stops probing, not a family or a neighbourhood
        committee registering its people (the people per phone have a cap of their own)."""
        self._db.execute(
            "DELETE FROM id_attempts WHERE channel = :channel AND address = :address "
            "AND day = :day AND id_index = :index",
            {"channel": channel, "address": address, "day": now.date().isoformat(),
             "index": index},
        )  # fmt: skip

    # -- consents ------------------------------------------------------------------------------

    def record_consents(
        self,
        account_id: int,
        resident_id: int,
        given: list[tuple[str, str]],
        version: str,
        channel: str,
    ) -> None:
        """Record consents ``given`` as (kind, when, as stored) for a person just registered."""
        self._db.execute_many(
            "INSERT INTO consents (account_id, resident_id, kind, version, at, channel) "
            "VALUES (:account, :resident, :kind, :version, :at, :channel)",
            [
                {"account": account_id, "resident": resident_id, "kind": kind,
                 "version": version, "at": at, "channel": channel}
                for kind, at in given
            ],
        )  # fmt: skip

    def consents_of(self, resident_id: int) -> list[tuple[str, str, str]]:
        """A person's consents: (kind, wording version, when), in order."""
        return [
            (str(kind), str(version), str(at))
            for kind, version, at in self._db.all(
                "SELECT kind, version, at FROM consents WHERE resident_id = :id ORDER BY id",
                {"id": resident_id},
            )
        ]
