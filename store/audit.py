"""The audit trail: who changed or revealed what, when, through which channel, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from store.db import Db
from store.rows import compact_json, stamp


class Audit:
    def __init__(self, db: Db) -> None:
        self._db = db

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
    ) -> None:
        self._db.execute(
            "INSERT INTO audit (at, actor, channel, action, entity, entity_id, before, after) "
            "VALUES (:at, :actor, :channel, :action, :entity, :entity_id, :before, :after)",
            {
                "at": stamp(now),
                "actor": actor,
                "channel": channel,
                "action": action,
                "entity": entity,
                "entity_id": str(entity_id),
                "before": compact_json(before) if before is not None else None,
                "after": compact_json(after) if after is not None else None,
            },
        )

    def rows(
        self,
        action: str | None = None,
        entity_id: int | str | None = None,
        actor: str | None = None,
    ) -> list[dict[str, Any]]:
        """Audit rows in order (of an action, an entity id, an actor, where given): at, actor,
        channel, action, entity, entity_id, before and after (JSON text)."""
        given = {"action": action, "entity_id": entity_id, "actor": actor}
        params = {name: str(value) for name, value in given.items() if value is not None}
        where = " AND ".join(f"{name} = :{name}" for name in params) or "1 = 1"
        return self._db.dicts(
            "SELECT at, actor, channel, action, entity, entity_id, before, after FROM audit "
            f"WHERE {where} ORDER BY id",
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
