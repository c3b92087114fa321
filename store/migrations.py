"""Numbered schema migrations, recorded in the database itself.

Each backend has its list of ``(name, script)`` in order, written once for both in
``store/schema.py`` (the same names, each in its backend's dialect).
``migrate`` applies those not yet listed in the ``_migrations`` table, each in its own
transaction, under a lock so that two processes starting at once do not both apply one (the
``_migrations`` table itself is made under that lock too). A
database made before this runner (same names, same table) upgrades as it always did.
"""

from __future__ import annotations

from datetime import UTC, datetime

from store import schema
from store.crypto import DataKeyError, Keyring
from store.db import Db

MIGRATIONS: dict[str, list[tuple[str, str]]] = {
    dialect: schema.migrations(dialect) for dialect in schema.DIALECTS
}


def statements(script: str) -> list[str]:
    """The statements of a migration script, one by one (run singly, they stay in the
    migration's transaction)."""
    return [statement for statement in script.split(";") if statement.strip()]


def _data_step(db: Db, name: str, keys: Keyring | None) -> None:
    from store.audit import Audit
    from store.sealing import reseal_all

    if keys is None:
        from store.sealing import remaining

        if sum(remaining(db, Keyring.ephemeral()).values()):
            raise DataKeyError(f"migration {name} needs the data key")
        keys = Keyring.ephemeral()  # nothing to seal: no key needed
    reseal_all(db, keys)
    Audit(db).chain_unchained()


def migrate(db: Db, keys: Keyring | None = None) -> list[str]:
    """Apply pending migrations; return the names applied. ``keys``: the data key, for the
    migration that seals existing plain text."""
    steps = MIGRATIONS[db.dialect]
    with db.schema_lock():
        # Two processes starting at once on an empty PostgreSQL database would both create the
        # table otherwise, and one of them fail (IF NOT EXISTS is no lock).
        db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations "
            "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in db.all("SELECT name FROM _migrations")}
    applied: list[str] = []
    for name, script in steps:
        if name in done:
            continue
        with db.transaction():
            db.lock("migrations")
            # Another process may have migrated while we waited for the lock.
            if db.one("SELECT 1 FROM _migrations WHERE name = :name", {"name": name}):
                continue
            if script == schema.SEAL_EXISTING:
                _data_step(db, name, keys)
            else:
                for statement in statements(script):
                    db.execute(statement)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (:name, :at)",
                {"name": name, "at": datetime.now(UTC).isoformat(timespec="seconds")},
            )
        applied.append(name)
    return applied


def applied(db: Db) -> list[str]:
    """The names of the migrations applied to ``db``, in name order."""
    return [str(row[0]) for row in db.all("SELECT name FROM _migrations ORDER BY name")]
