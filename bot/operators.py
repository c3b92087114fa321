"""Operator accounts: who may use the console and the operators' commands, and as whom.

Roles: ``operator`` (look up, book, cancel, reschedule, mark attended, work the queues) and
``supervisor`` (also lift no-show bars, reveal a full ID or phone number with a typed reason,
manage operators). Passwords are hashed with argon2 (argon2-cffi); a supervisor may enrol a
TOTP second factor (pyotp). Every login, failed or not, is audited; after ``MAX_FAILURES``
failures in a row a name is refused for ``LOCKOUT`` (whether or not it exists), so passwords
cannot be guessed at speed. The messages never say whether a name exists.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from store import Store
from store.operators import Operator, OperatorExists

__all__ = [
    "LOCKOUT",
    "MAX_FAILURES",
    "ROLES",
    "LoginRefused",
    "OperatorExists",
    "Session",
    "add_operator",
    "check_password",
    "disable_operator",
    "list_lines",
    "login",
    "set_password",
]

ROLES = ("operator", "supervisor")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 8
MAX_NAME = 40
_HASHER = PasswordHasher()
_DUMMY: list[str] = []  # a hash to check unknown names against (same time), made when first needed


def _dummy() -> str:
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash("not a password of anyone"))
    return _DUMMY[0]


class LoginRefused(Exception):
    """The login failed; the message is one line for the operator."""


class UsageError(ValueError):
    """A bad name, role or password given to ``vaxbot operators``."""


@dataclass(frozen=True, slots=True)
class Session:
    """An authenticated operator: every change they make is audited as ``actor``."""

    name: str
    role: str

    @property
    def actor(self) -> str:
        return f"operator:{self.name}"

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"


def clean_operator_name(raw: str) -> str:
    name = unicodedata.normalize("NFKC", raw).strip()
    if not name or len(name) > MAX_NAME or any(not ch.isprintable() for ch in name):
        raise UsageError(f"an operator's name is 1 to {MAX_NAME} printable characters")
    return name


def check_password(password: str) -> str:
    """The password, if it is acceptable (at least ``MIN_PASSWORD`` characters)."""
    password = password.rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise UsageError("a password has at most 1024 characters")
    return password


def add_operator(
    store: Store, name: str, role: str, password: str, now: datetime, actor: str,
    *, totp: bool = False,
) -> tuple[Operator, str | None]:  # fmt: skip
    """Register an operator; with ``totp`` (supervisors), also the provisioning URI to enrol
    their authenticator app (shown once)."""
    name = clean_operator_name(name)
    if role not in ROLES:
        raise UsageError(f"--role is one of {', '.join(ROLES)}")
    if totp and role != "supervisor":
        raise UsageError("a second factor (--totp) is for supervisors")
    secret = pyotp.random_base32() if totp else None
    hashed = _HASHER.hash(check_password(password))
    added = store.add_operator(name, role, hashed, secret, now=now, actor=actor, channel="cli")
    uri = pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="vaxbot") if secret else None
    return added, uri


def set_password(store: Store, name: str, password: str, now: datetime, actor: str) -> None:
    if store.operator(name) is None:
        raise UsageError(f"no operator {name!r}")
    hashed = _HASHER.hash(check_password(password))
    store.update_operator(name, now=now, actor=actor, channel="cli", password_hash=hashed)


def disable_operator(store: Store, name: str, now: datetime, actor: str) -> None:
    if store.operator(name) is None:
        raise UsageError(f"no operator {name!r}")
    store.update_operator(name, now=now, actor=actor, channel="cli", disabled=True)


def list_lines(store: Store) -> list[str]:
    lines = []
    for found in store.operator_list():
        state = "disabled" if found.disabled else "active"
        second = " totp" if found.totp_secret else ""
        lines.append(f"{found.name}\t{found.role}\t{state}{second}\tsince {found.created_at[:10]}")
    return lines


def login(
    store: Store, name: str, password: str, now: datetime, channel: str, code: str | None = None
) -> Session:
    """The session of ``name`` if the password (and, if enrolled, the TOTP code) is right;
    ``LoginRefused`` otherwise. Audited either way; rate limited per name."""
    try:
        name = clean_operator_name(name)
    except UsageError:
        raise LoginRefused("unknown operator or wrong password") from None
    failures, last = store.login_failures(name)
    if failures >= MAX_FAILURES and last is not None:
        wait = datetime.fromisoformat(last) + LOCKOUT - now
        if wait > timedelta(0):
            store.record_login(name, False, now=now, channel=channel, why="locked out")
            minutes = max(1, round(wait.total_seconds() / 60))
            raise LoginRefused(f"too many failed logins: try again in {minutes} min")
    found = store.operator(name)
    why = _refusal(found, password, code, now)
    if why is not None:
        store.record_login(name, False, now=now, channel=channel, why=why)
        raise LoginRefused(
            "a second factor code is needed" if why == "no code" else
            "unknown operator or wrong password"
        )  # fmt: skip
    assert found is not None
    store.record_login(name, True, now=now, channel=channel)
    return Session(found.name, found.role)


def _refusal(found: Operator | None, password: str, code: str | None, now: datetime) -> str | None:
    """Why this login fails (for the audit), or None."""
    try:
        _HASHER.verify(found.password_hash if found else _dummy(), password[:1024])
        matched = found is not None
    except (VerificationError, InvalidHashError):
        matched = False
    if found is None:
        return "unknown name"
    if not matched:
        return "wrong password"
    if found.disabled:
        return "disabled"
    if found.totp_secret:
        if not code:
            return "no code"
        if not pyotp.TOTP(found.totp_secret).verify(code.strip(), for_time=now, valid_window=1):
            return "wrong code"
    return None
