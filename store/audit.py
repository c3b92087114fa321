"""The audit trail: who changed or revealed what, when, through which channel, before and after,
and why (a reason, where one is asked: an operator revealing a full number).

Tamper-evident: each row holds the SHA-256 of its own fields and of the row before it
(``prev_hash``, ``hash``), so changing or deleting a row breaks the chain where it was
(``verify``). Rows are chained under a lock (``audit``), so two writers never both link to the
same row. With ``VAXBOT_AUDIT_KEY`` set (a key the database does not hold) each hash is also
signed (HMAC-SHA256, ``sig``): then a row rewritten with a recomputed hash is caught too.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from store.db import Db
from store.rows import compact_json, stamp

GENESIS = "0" * 64
FIELDS = ("at", "actor", "channel", "action", "entity", "entity_id", "before", "after", "reason")
ENV_SIGNING_KEY = "VAXBOT_AUDIT_KEY"
_COLUMNS = (
    "INSERT INTO audit (at, actor, channel, action, entity, entity_id, before, after, reason, "
    "prev_hash, hash, sig) "
)
_VALUES = (
    ":at, :actor, :channel, :action, :entity, :entity_id, :before, :after, :reason, "
    ":prev, :hash, :sig"
)
INSERT_LINKED = _COLUMNS + "VALUES (" + _VALUES + ")"
# … only if the row :prev is the hash of is still the last one (else nothing is written)
INSERT_IF_LAST = (
    _COLUMNS + "SELECT " + _VALUES + " WHERE (SELECT hash FROM audit ORDER BY id DESC LIMIT 1) "
    "= :prev"
)


def row_hash(values: dict[str, Any], prev: str) -> str:
    """The hash of an audit row: its fields as stored and the previous row's hash."""
    return hashlib.sha256(orjson.dumps([*(values[f] for f in FIELDS), prev])).hexdigest()


def signing_key() -> bytes | None:
    key = os.environ.get(ENV_SIGNING_KEY)
    return key.encode() if key else None


def sign(key: bytes, digest: str) -> str:
    return hmac.new(key, digest.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """What ``Audit.verify`` found: rows checked, the first broken row (None if intact) and
    why, and the last row's hash (to keep elsewhere: a check against it finds rows cut off at
    the end)."""

    rows: int
    broken_id: int | None
    problem: str
    head: str

    @property
    def intact(self) -> bool:
        return self.broken_id is None


class Audit:
    def __init__(self, db: Db) -> None:
        self._db = db
        self._key = signing_key()
        self._head: str | None = None  # the hash of the row this process linked last

    def _last_hash(self) -> str:
        row = self._db.one("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")
        return str(row[0]) if row and row[0] else GENESIS

    def record(
        self,
        now: datetime,
        actor: str,
        channel: str,
        action: str,
        entity: str,
        entity_id: int | str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        reason: str | None = None,
    ) -> None:
        """Add a row to the chain (``reason``: why, where it was asked)."""
        values: dict[str, Any] = {
            "at": stamp(now),
            "actor": actor,
            "channel": channel,
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "before": compact_json(before) if before is not None else None,
            "after": compact_json(after) if after is not None else None,
            "reason": reason,
        }
        try:
            self._link(values)  # inside the caller's transaction, as nearly always
        except RuntimeError:  # none: the row is a transaction of its own
            with self._db.transaction():
                self._link(values)

    def _link(self, values: dict[str, Any]) -> None:
        self._db.lock("audit")  # one writer links at a time: the chain never forks
        # Linked first to the row this process linked last, in one statement that writes only
        # if that row is still the last (else nothing: the last hash is then read, as always).
        if (prev := self._head) is not None and self._db.execute(
            INSERT_IF_LAST, self._params(values, prev)
        ):
            return
        prev = self._last_hash()
        self._db.execute(INSERT_LINKED, self._params(values, prev))

    def _params(self, values: dict[str, Any], prev: str) -> dict[str, Any]:
        digest = row_hash(values, prev)
        self._head = digest  # if the caller's transaction is undone, the check above fails
        return {**values, "prev": prev, "hash": digest,
                "sig": sign(self._key, digest) if self._key else None}  # fmt: skip

    def _stream(self, where: str = "1 = 1") -> Iterator[tuple[int, dict[str, Any], Any, Any, Any]]:
        for row in self._db.stream(
            f"SELECT id, {', '.join(FIELDS)}, prev_hash, hash, sig FROM audit WHERE {where} "
            "ORDER BY id"
        ):
            values = dict(zip(FIELDS, row[1:-3], strict=True))
            yield int(row[0]), values, row[-3], row[-2], row[-1]

    def chain_unchained(self) -> int:
        """Chain the rows written before the chain existed (migration 0011b), in order."""
        with self._db.transaction():
            self._db.lock("audit")
            rows = list(self._stream("hash IS NULL"))
            if not rows:
                return 0
            first = rows[0][0]
            row = self._db.one(
                "SELECT hash FROM audit WHERE id < :id ORDER BY id DESC LIMIT 1", {"id": first}
            )
            prev = str(row[0]) if row and row[0] else GENESIS
            for row_id, values, *_ in rows:
                digest = row_hash(values, prev)
                self._db.execute(
                    "UPDATE audit SET prev_hash = :prev, hash = :hash, sig = :sig WHERE id = :id",
                    {"prev": prev, "hash": digest, "id": row_id,
                     "sig": sign(self._key, digest) if self._key else None},
                )  # fmt: skip
                prev = digest
        return len(rows)

    def verify(self) -> Verdict:
        """Walk the chain from the first row: the first row altered, or after a missing one."""
        prev, count = GENESIS, 0
        for row_id, values, prev_hash, digest, sig in self._stream():
            count += 1
            if prev_hash != prev:
                problem = (
                    f"audit row {row_id}: the row before it is missing or was altered "
                    "(its link to the previous row does not match)"
                )
                return Verdict(count, row_id, problem, prev)
            if digest != row_hash(values, prev_hash):
                return Verdict(count, row_id, f"audit row {row_id} was altered", prev)
            if self._key is not None and not (
                sig and hmac.compare_digest(str(sig), sign(self._key, str(digest)))
            ):
                problem = f"audit row {row_id}: its signature does not match (altered or forged)"
                return Verdict(count, row_id, problem, prev)
            prev = str(digest)
        return Verdict(count, None, "", prev)

    def rows(
        self,
        action: str | None = None,
        entity_id: int | str | None = None,
        actor: str | None = None,
    ) -> list[dict[str, Any]]:
        """Audit rows in order (of an action, an entity id, an actor, where given): at, actor,
        channel, action, entity, entity_id, before and after (JSON text), and reason."""
        given = {"action": action, "entity_id": entity_id, "actor": actor}
        params = {name: str(value) for name, value in given.items() if value is not None}
        where = " AND ".join(f"{name} = :{name}" for name in params) or "1 = 1"
        return self._db.dicts(
            "SELECT at, actor, channel, action, entity, entity_id, before, after, reason "
            f"FROM audit WHERE {where} ORDER BY id",
            params,
        )

    def history(self, resident_id: int, limit: int = 50) -> list[dict[str, Any]]:
        """The audit trail of a person and their bookings, newest first."""
        return self._db.dicts(
            "SELECT at, actor, channel, action, entity, entity_id FROM audit "
            "WHERE (entity = 'resident' AND entity_id = :entity) OR (entity = 'booking' AND "
            "entity_id IN (SELECT CAST(id AS TEXT) FROM bookings WHERE resident_id = :id)) "
            "ORDER BY id DESC LIMIT :limit",
            {"entity": str(resident_id), "id": resident_id, "limit": limit},
        )
