"""The email channel's settings, from the environment (README, "Email"; docs/email.md): the
address and port the SMTP server listens on, its TLS certificate, the users who may log in (a
bridge from another mail system), the peers trusted without a login, and the relay the outbox
sends through."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

from channels.mail.delivery import RelaySettings
from channels.mail.reading import valid_address

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_BYTES = 5 * 1024 * 1024  # a mail with a photo or two; the text is all the bot reads


class EmailConfigError(ValueError):
    """The email settings cannot work."""


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _int(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise EmailConfigError(f"{name} must be a whole number") from None
    if number <= 0:
        raise EmailConfigError(f"{name} must be positive")
    return number


def _pair(env: Mapping[str, str], user: str, password: str) -> tuple[str | None, str | None]:
    pair = (env.get(user) or None, env.get(password) or None)
    if bool(pair[0]) != bool(pair[1]):
        raise EmailConfigError(f"set both {user} and {password}, or neither")
    return pair


@dataclass(frozen=True)
class EmailSettings:
    """From the environment: see ``from_env`` (no ``VAXBOT_EMAIL_ADDRESS``, no email)."""

    addresses: tuple[str, ...]  # the bot's own addresses; the first is the sender of replies
    host: str = "127.0.0.1"
    port: int = 2525
    hostname: str | None = None  # in the greeting and Message-IDs; default the address' domain
    max_bytes: int = MAX_BYTES
    user: str | None = None  # AUTH required when set
    password: str | None = None
    tls_cert: str | None = None  # STARTTLS offered when set (with tls_key)
    tls_key: str | None = None
    require_tls: bool = False  # refuse mail before STARTTLS
    insecure_auth: bool = False  # offer AUTH without TLS (local testing only)
    bridge_domain: str | None = None
    bridge_peers: tuple[IPNetwork, ...] = ()
    relay: RelaySettings | None = None
    timeout: float = 300.0  # seconds of silence before a session is dropped (RFC 5321)

    def __post_init__(self) -> None:
        if not self.addresses:
            raise EmailConfigError("the bot needs a mail address")
        for address in self.addresses:
            if not valid_address(address):
                raise EmailConfigError(f"not a mail address: {address!r}")
        if bool(self.user) != bool(self.password):
            raise EmailConfigError("set both the AUTH user and password, or neither")
        if bool(self.tls_cert) != bool(self.tls_key):
            raise EmailConfigError("set both the STARTTLS certificate and key, or neither")
        if self.require_tls and not self.tls_cert:
            raise EmailConfigError("requiring STARTTLS needs a certificate and key")
        if self.user and not self.tls_cert and not self.insecure_auth:
            raise EmailConfigError(
                "AUTH without STARTTLS would send passwords in the clear: set "
                "VAXBOT_EMAIL_TLS_CERT and VAXBOT_EMAIL_TLS_KEY (or --insecure, for local testing)"
            )
        self.tls_context()  # a missing or bad certificate fails now, not at the first STARTTLS

    @property
    def sender(self) -> str:
        return self.addresses[0]

    @property
    def domain(self) -> str:
        return self.hostname or self.sender.rpartition("@")[2]

    def tls_context(self) -> ssl.SSLContext | None:
        if not (self.tls_cert and self.tls_key):
            return None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            context.load_cert_chain(self.tls_cert, self.tls_key)
        except (OSError, ssl.SSLError) as exc:
            raise EmailConfigError(f"cannot load the STARTTLS certificate: {exc}") from None
        return context

    @classmethod
    def from_env(cls, env: Mapping[str, str], insecure: bool = False) -> EmailSettings | None:
        """``VAXBOT_EMAIL_*`` (the server) and ``VAXBOT_SMTP_RELAY_*`` (the way out); None if
        ``VAXBOT_EMAIL_ADDRESS`` is not set."""
        given = env.get("VAXBOT_EMAIL_ADDRESS", "")
        addresses = tuple(a.strip().lower() for a in given.split(",") if a.strip())
        if not addresses:
            return None
        user, password = _pair(env, "VAXBOT_EMAIL_USER", "VAXBOT_EMAIL_PASSWORD")
        peers: list[IPNetwork] = []
        for peer in env.get("VAXBOT_EMAIL_SMS_BRIDGE_PEERS", "").split(","):
            if peer.strip():
                try:
                    peers.append(ipaddress.ip_network(peer.strip(), strict=False))
                except ValueError:
                    raise EmailConfigError(f"not an IP address or network: {peer!r}") from None
        relay = None
        if relay_host := env.get("VAXBOT_SMTP_RELAY_HOST", "").strip():
            relay_user, relay_password = _pair(
                env, "VAXBOT_SMTP_RELAY_USER", "VAXBOT_SMTP_RELAY_PASSWORD"
            )
            starttls_word = env.get("VAXBOT_SMTP_RELAY_STARTTLS", "auto").strip().lower()
            starttls: dict[str, bool | None] = {
                "auto": None, "": None,
                "require": True, "1": True, "true": True, "yes": True,
                "off": False, "0": False, "false": False, "no": False,
            }  # fmt: skip
            if starttls_word not in starttls:
                raise EmailConfigError("VAXBOT_SMTP_RELAY_STARTTLS must be auto, require or off")
            relay = RelaySettings(
                host=relay_host,
                port=_int(env, "VAXBOT_SMTP_RELAY_PORT", None),
                user=relay_user,
                password=relay_password,
                starttls=starttls[starttls_word],
                tls=_flag(env, "VAXBOT_SMTP_RELAY_TLS"),
                ca_file=env.get("VAXBOT_SMTP_RELAY_CA") or None,
            )
        bridge = env.get("VAXBOT_EMAIL_SMS_BRIDGE_DOMAIN", "").strip().lower() or None
        return cls(
            addresses=addresses,
            host=env.get("VAXBOT_EMAIL_HOST", "").strip() or "127.0.0.1",
            port=_int(env, "VAXBOT_EMAIL_PORT", 2525) or 2525,
            hostname=env.get("VAXBOT_EMAIL_HOSTNAME", "").strip() or None,
            max_bytes=_int(env, "VAXBOT_EMAIL_MAX_BYTES", MAX_BYTES) or MAX_BYTES,
            user=user,
            password=password,
            tls_cert=env.get("VAXBOT_EMAIL_TLS_CERT") or None,
            tls_key=env.get("VAXBOT_EMAIL_TLS_KEY") or None,
            require_tls=_flag(env, "VAXBOT_EMAIL_REQUIRE_TLS"),
            insecure_auth=insecure,
            bridge_domain=bridge,
            bridge_peers=tuple(peers),
            relay=relay,
        )
