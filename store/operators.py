"""Operator accounts (the console's logins) and failed logins, per name, for rate limiting.

The store keeps what it is given: a password *hash* (``bot.operators`` hashes with argon2),
an optional TOTP secret (sealed under the data key, as ID numbers are: docs/privacy.md), the role
and whether the account is disabled. Every change is audited
(entity ``operator``); no hash or secret ever goes into the audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store.audit import Audit
from store.crypto import Keyring
from store.db import Db, UniqueViolation
from store.models import StoreError
from store.rows import stamp


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    role: str  # "operator" or "supervisor"
    password_hash: str
    totp_secret: str | None
    disabled: bool
    created_at: str


class OperatorExists(StoreError):
    """An operator of that name is already registered."""


_COLUMNS = "name, role, password_hash, totp_secret, disabled, created_at"


def _totp_where(name: str) -> str:
    return f"operators.totp_secret:{name}"  # as store/sealing.py re-seals it


class Operators:
    def __init__(self, db: Db, audit: Audit, keys: Keyring) -> None:
        self._db = db
        self._audit = audit
        self._keys = keys

    def _operator(self, row: tuple[object, ...]) -> Operator:
        name, secret = str(row[0]), row[3]
        totp = None if secret is None else self._keys.open(str(secret), _totp_where(name))
        return Operator(name, str(row[1]), str(row[2]), totp, bool(row[4]), str(row[5]))

    def _sealed(self, name: str, secret: str | None) -> str | None:
        return None if secret is None else self._keys.seal(secret, _totp_where(name))

    def operator(self, name: str) -> Operator | None:
        row = self._db.one(f"SELECT {_COLUMNS} FROM operators WHERE name = :name", {"name": name})
        return None if row is None else self._operator(row)

    def operators(self) -> list[Operator]:
        rows = self._db.all(f"SELECT {_COLUMNS} FROM operators ORDER BY name")
        return [self._operator(row) for row in rows]

    def add_operator(
        self, name: str, role: str, password_hash: str, totp_secret: str | None, *,
        now: datetime, actor: str, channel: str,
    ) -> Operator:  # fmt: skip
        with self._db.transaction():
            try:
                self._db.execute(
                    "INSERT INTO operators (name, role, password_hash, totp_secret, disabled, "
                    "created_at) VALUES (:name, :role, :hash, :totp, 0, :at)",
                    {"name": name, "role": role, "hash": password_hash,
                     "totp": self._sealed(name, totp_secret), "at": stamp(now)},
                )  # fmt: skip
            except UniqueViolation:
                raise OperatorExists(name) from None
            self._audit.record(now, actor, channel, "add", "operator", name, None,
                               {"role": role, "totp": totp_secret is not None})  # fmt: skip
        found = self.operator(name)
        assert found is not None
        return found

    def update_operator(
        self, name: str, *, now: datetime, actor: str, channel: str,
        password_hash: str | None = None, totp_secret: str | None = None,
        disabled: bool | None = None,
    ) -> Operator:  # fmt: skip
        """Change an operator's password, TOTP secret or disabled flag (those given)."""
        with self._db.transaction():
            before = self.operator(name)
            if before is None:
                raise StoreError(f"no operator {name!r}")
            changes: dict[str, object] = {}
            if password_hash is not None:
                changes["password_hash"] = password_hash
            if totp_secret is not None:
                changes["totp_secret"] = self._sealed(name, totp_secret)
            if disabled is not None:
                changes["disabled"] = int(disabled)
            if changes:
                sets = ", ".join(f"{column} = :{column}" for column in changes)
                self._db.execute(
                    f"UPDATE operators SET {sets} WHERE name = :name", {**changes, "name": name}
                )
            what = {
                "password": password_hash is not None,
                "totp": totp_secret is not None,
                **({"disabled": disabled} if disabled is not None else {}),
            }
            action = "disable" if disabled else "enable" if disabled is False else "passwd"
            self._audit.record(now, actor, channel, action, "operator", name,
                               {"disabled": before.disabled}, what)  # fmt: skip
        after = self.operator(name)
        assert after is not None
        return after

    # -- logins --------------------------------------------------------------------------------

    def login_failures(self, name: str) -> tuple[int, str | None]:
        """How many logins as ``name`` failed in a row, and when the last did."""
        row = self._db.one(
            "SELECT count, last_at FROM login_failures WHERE name = :name", {"name": name}
        )
        return (int(row[0]), str(row[1])) if row else (0, None)

    def record_login(
        self, name: str, ok: bool, *, now: datetime, channel: str, why: str = ""
    ) -> None:
        """Audit a login (``login`` or ``login-failed``) and count failures in a row."""
        with self._db.transaction():
            if ok:
                self._db.execute("DELETE FROM login_failures WHERE name = :name", {"name": name})
            else:
                self._db.execute(
                    "INSERT INTO login_failures (name, count, last_at) VALUES (:name, 1, :at) "
                    "ON CONFLICT (name) DO UPDATE SET count = login_failures.count + 1, "
                    "last_at = excluded.last_at",
                    {"name": name, "at": stamp(now)},
                )
            actor = f"operator:{name}"
            action = "login" if ok else "login-failed"
            self._audit.record(now, actor, channel, action, "operator", name, None,
                               {"reason": why} if why else None)  # fmt: skip
