"""Field encryption at rest: sealing values with the data key, and the keyed index that finds them.

A *data key* is a secret string held outside the database (``VAXBOT_DATA_KEY``, a key file;
``store/keys.py`` finds it). From each key two keys are derived with HKDF-SHA256: one for
AES-256-GCM (the sealed values) and one for HMAC-SHA256 (the *blind index*: a value's keyed hash,
so that equality lookups and uniqueness work without the value being stored), plus a short key
id. A sealed value is text: ``enc1:<key id>:<base64 of a random 96-bit nonce and the
ciphertext with its tag>``; the associated data binds it to where it is stored (table, column,
and the row's index or owner), so a value copied into another row does not open.

A ``Keyring`` holds the current key (used to seal) and older ones (still opened, and asked for
the blind index during a rotation). Made from a key file, it re-reads the file when it changed
(checked at most every few seconds, and at once when a value sealed under an unknown key id is
met), so running processes follow a ``vaxbot keys rotate``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a key is made: `vaxbot --help` need not load OpenSSL
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc1:"
NONCE_BYTES = 12
MIN_KEY_CHARS = 16
RELOAD_EVERY = 2.0  # seconds between checks of a key file for a new key
OPENED_KEPT = 4096  # places whose value was sealed or opened lately, kept to open it again cheaply


class DataKeyError(Exception):
    """A data key is missing, malformed, or does not open a value (one clear line)."""


def _derive(secret: bytes, purpose: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


@dataclass(frozen=True, slots=True)
class DataKey:
    """One data key and what is derived from it."""

    kid: str
    aead: AESGCM
    index_key: bytes
    index_mac: hmac.HMAC

    @classmethod
    def from_text(cls, text: str) -> DataKey:
        secret = text.strip()
        if len(secret) < MIN_KEY_CHARS:
            raise DataKeyError(f"a data key must have at least {MIN_KEY_CHARS} characters")
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        raw = secret.encode()
        index_key = _derive(raw, b"vaxbot blind index v1")
        return cls(
            kid=_derive(raw, b"vaxbot key id v1")[:4].hex(),
            aead=AESGCM(_derive(raw, b"vaxbot field encryption v1")),
            index_key=index_key,
            index_mac=hmac.new(index_key, digestmod=hashlib.sha256),
        )


def new_key_text() -> str:
    """A fresh random data key (256 bits, URL-safe base64)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def parse_keys(text: str) -> list[str]:
    """The keys in a key file or variable: one per line (or separated by commas), newest
    first; ``#`` starts a comment."""
    keys = []
    for line in text.splitlines():
        for key in line.split("#", 1)[0].split(","):
            if key.strip():
                keys.append(key.strip())
    return keys


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id_of(sealed: str) -> str:
    return sealed[len(PREFIX) : len(PREFIX) + 8]


class Keyring:
    """The data keys: the first seals, all open. ``reload`` (if given) reads them again."""

    def __init__(
        self, keys: Sequence[str], reload: Callable[[], Sequence[str]] | None = None
    ) -> None:
        self._reload = reload
        self._checked = time.monotonic()
        # where -> (sealed, plain), the value last sealed or opened there: a conversation's
        # state, sealed at the end of one turn, is not decrypted again at the start of the
        # next, nor a person read each turn each time. Oldest first; the value itself must
        # match, so a row changed by anyone else is decrypted (and authenticated) as usual.
        self._opened: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._set(keys)

    def _set(self, keys: Sequence[str]) -> None:
        if not keys:
            raise DataKeyError("no data key given")
        made = [DataKey.from_text(text) for text in keys]
        self._texts = list(keys)
        from cryptography.exceptions import InvalidTag

        self._invalid_tag = InvalidTag  # imported once, not at each value opened
        known = {key.kid: key for key in reversed(made)}
        if known.keys() != getattr(self, "keys", known).keys():
            # A key dropped: what it sealed no longer opens, cached or not.
            self._opened = OrderedDict()
        self.current = made[0]
        self.keys = known
        self._prefix = f"{PREFIX}{self.current.kid}:"

    @classmethod
    def ephemeral(cls) -> Keyring:
        """A key that lives as long as the process (a ``:memory:`` database)."""
        return cls([new_key_text()])

    @property
    def kid(self) -> str:
        return self.current.kid

    def refresh(self, force: bool = False) -> bool:
        """Read the keys again if they come from a file that changed; whether they did."""
        if self._reload is None:
            return False
        now = time.monotonic()
        if not force and now - self._checked < RELOAD_EVERY:
            return False
        self._checked = now
        keys = list(self._reload())
        if keys == self._texts:
            return False  # as before: nothing derived again
        before = list(self.keys)
        self._set(keys)
        return list(self.keys) != before

    # -- sealing -------------------------------------------------------------------------------

    def seal(self, plain: str, where: str) -> str:
        """``plain`` sealed under the current key, bound to ``where`` (table.column:row)."""
        if self._reload is not None:
            self.refresh()
        nonce = os.urandom(NONCE_BYTES)
        body = self.current.aead.encrypt(nonce, plain.encode(), where.encode())
        sealed = self._prefix + binascii.b2a_base64(nonce + body, newline=False).decode()
        self._remember(where, sealed, plain)
        return sealed

    def _remember(self, where: str, sealed: str, plain: str) -> None:
        opened = self._opened
        opened[where] = (sealed, plain)
        # An OrderedDict: the oldest place is dropped at once (a plain dict finds its first
        # key by skipping every slot freed before it: thousands, once full).
        with contextlib.suppress(KeyError):  # another thread's change meanwhile
            opened.move_to_end(where)
            if len(opened) > OPENED_KEPT:
                opened.popitem(last=False)

    def open(self, sealed: str, where: str) -> str:
        """The plain text of a sealed value (a value never sealed is returned as it is: a row
        written before encryption, until the migration or a rotation seals it)."""
        if not sealed.startswith(PREFIX):
            return sealed
        if (known := self._opened.get(where)) is not None and known[0] == sealed:
            return known[1]
        kid = key_id_of(sealed)
        key = self.keys.get(kid)
        if key is None and self.refresh(force=True):
            key = self.keys.get(kid)
        if key is None:
            raise DataKeyError(
                f"a value is sealed under data key {kid}, which is not given (set "
                "VAXBOT_DATA_KEY_FILE to this database's key file, or VAXBOT_DATA_KEY)"
            )
        try:
            raw = binascii.a2b_base64(sealed[len(PREFIX) + 9 :], strict_mode=True)
            plain = key.aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], where.encode()).decode()
        except (self._invalid_tag, binascii.Error):
            raise DataKeyError(f"a sealed value in {where.split(':')[0]} does not open") from None
        self._remember(where, sealed, plain)
        return plain

    def open_or_none(self, sealed: str | None, where: str) -> str | None:
        return None if sealed is None else self.open(sealed, where)

    def is_current(self, sealed: str) -> bool:
        return sealed.startswith(self._prefix)

    # -- blind index ---------------------------------------------------------------------------

    def index(self, value: str, key: DataKey | None = None) -> str:
        """The keyed hash of ``value`` under the current key (or ``key``): ``<kid>:<hex>``."""
        key = key or self.current
        mac = key.index_mac.copy()
        mac.update(value.encode())
        return f"{key.kid}:{mac.hexdigest()}"

    def indexes(self, value: str) -> list[str]:
        """The keyed hash of ``value`` under every key (the current one first): a lookup
        during a rotation finds rows not yet re-indexed."""
        if self._reload is not None:
            self.refresh()
        return [self.index(value)] + [
            self.index(value, key) for key in self.keys.values() if key is not self.current
        ]

    def same(self, index: str, value: str) -> bool:
        """Whether ``index`` (as stored) is the keyed hash of ``value``, under its own key."""
        key = self.keys.get(index.split(":", 1)[0])
        return key is not None and hmac.compare_digest(index, self.index(value, key))
