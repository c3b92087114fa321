"""Email: an SMTP server (aiosmtpd) on serve's event loop, one conversation per sender address.

``EmailChannel.start()`` listens with ``loop.create_server`` (aiosmtpd's ``SMTP`` protocol, no
``Controller`` thread). What happens to a mail:

- ``RCPT TO`` must be one of the bot's addresses, else ``550 5.1.1``;
- more than ``max_bytes``: ``552`` (at ``MAIL FROM ... SIZE=`` or after ``DATA``);
- ``From:`` missing, several, or not an address: ``550 5.1.7``; no text at all (no text part and
  no subject): ``554 5.6.0``; unreadable: ``554 5.6.0``;
- bounces (empty envelope sender, ``multipart/report``), auto-replies (``Auto-Submitted`` other
  than ``no``, ``Precedence: bulk/junk/list``) and the bot's own address as sender are accepted
  (``250``) and dropped: answering them is how mail loops start;
- otherwise the first line of new text (``channels.mail.reading``; the subject if the body has
  none) goes through the intake (bot/intake.py, in one of its threads: the SMTP server's loop
  goes on) as ``Inbound("email", <from address, lower-cased>, ...)``;
- a sender over the rate limit: ``451 4.7.1`` (their server tries again later; nothing lost);
  a turn that failed: ``451 4.3.0`` (likewise).

The reply's outbox row is written inside the turn's own transaction (the intake's ``then``),
committed before the ``250``: once the resident's server hears "accepted", the reply is stored,
whole (``writing.compose``: threading headers and attachments included), and goes out through
``EmailDelivery`` when the worker runs (``queued`` wakes it at once) or, if the relay is down,
on the outbox's retries.

A redelivered mail (same sender, same Message-ID) runs nothing and queues nothing: the engine's
message id is ``<sender> <Message-ID>`` (scoped by sender: anyone can write any Message-ID, and
the engine would otherwise return another sender's stored replies), the outbox key
``email:<that>``. Without a Message-ID, a digest of sender, date, subject and text stands in.

SMS bridges: with ``bridge_domain`` set, mail from ``<mobile number>@<bridge domain>`` is that
phone's (``Inbound.phone``: the engine offers the number and links the account by it), but only
from a trusted bridge: a session that logged in (AUTH), or a peer in ``bridge_peers``. Anyone
can write a ``From:`` line; from anywhere else the address is an ordinary mail address.

Optional AUTH (``user``/``password``: required for every mail, LOGIN and PLAIN, offered only
after STARTTLS unless ``insecure_auth``) and STARTTLS (``tls_cert``/``tls_key``, optionally
required). Logs show addresses as ``z***@example.com``, never mail text; aiosmtpd's own
``mail.log`` (which logs every command, addresses included) is held to warnings while the channel
runs.
"""

from __future__ import annotations

import asyncio
import email.policy
import hashlib
import hmac
import ipaddress
import logging
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from bot.intake import Intake
from bot.messages import Inbound, Reply
from channels.mail.delivery import CHANNEL, KEY_PREFIX, EmailDelivery
from channels.mail.reading import (
    body_text,
    first_line,
    header_text,
    mask_address,
    message_ids,
    raw_header,
    strip_reply_prefix,
    valid_address,
)
from channels.mail.settings import EmailSettings, IPNetwork
from channels.mail.writing import compose
from flows.identity import normalise_phone

log = logging.getLogger("vaxbot.email")

COMMAND_LIMITS = {"AUTH": 3, "*": 200}  # per connection: three password guesses
IDENT = "vaxbot ESMTP"

OK = "250 2.0.0 OK"
DROPPED = "250 2.0.0 OK: not answered"  # bounces, auto-replies, loops
NO_SUCH_USER = "550 5.1.1 No such user here"
BAD_SENDER = "550 5.1.7 The From: line must hold one mail address"
NO_TEXT = "554 5.6.0 No text found: write your message in the mail body"
UNREADABLE = "554 5.6.0 Unreadable message"
SLOW_DOWN = "451 4.7.1 Too many messages: try again later"
TRY_LATER = "451 4.3.0 Temporary failure: try again later"

_BRIDGE = re.compile(r"\+?(\d{5,15})")


@dataclass(frozen=True)
class Mail:
    """What the bot takes from one incoming mail."""

    sender: str  # the From address as written (replies go there)
    text: str  # the first line of new text
    subject: str
    message_id: str | None  # their Message-ID, ``<...>``, if well-formed
    earlier: tuple[str, ...] = field(default=())  # their References (or In-Reply-To)
    key: str = ""  # what makes a redelivery the same message

    @property
    def address(self) -> str:
        return self.sender.lower()


class Refused(Exception):
    """A mail the bot does not take, with the SMTP status to say so."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


def _auto_or_bounce(message: EmailMessage, envelope_sender: str | None) -> bool:
    if not envelope_sender or envelope_sender == "<>":
        return True
    if message.get_content_type() == "multipart/report":
        return True
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and not auto.startswith("no"):
        return True
    precedence = str(message.get("Precedence", "")).strip().lower()
    return precedence in ("bulk", "junk", "list")


# Parts that are themselves multipart, at most: mail clients use three or four (mixed,
# alternative, related). The standard parser's work grows with the square of the nesting
# (a 67 KB mail of 1,000 nested parts took 4 s), so deeper mail is refused unparsed.
MAX_MULTIPARTS = 32
_BOUNDARY = re.compile(rb"boundary\s*=", re.IGNORECASE)


def read_mail(raw: bytes, envelope_sender: str | None) -> Mail | None:
    """The mail's sender and text; None for mail not to answer; ``Refused`` for junk."""
    if len(_BOUNDARY.findall(raw)) > MAX_MULTIPARTS:
        raise Refused(UNREADABLE)
    try:
        message = BytesParser(_class=EmailMessage, policy=email.policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        senders = message.get_all("From") or []
        addresses = [a for header in senders for a in getattr(header, "addresses", ())]
    except Exception:
        raise Refused(UNREADABLE) from None
    if _auto_or_bounce(message, envelope_sender):  # whatever its From: line (MAILER-DAEMON)
        return None
    if len(senders) != 1 or len(addresses) != 1 or not valid_address(addresses[0].addr_spec):
        raise Refused(BAD_SENDER)
    sender = str(addresses[0].addr_spec)
    subject = header_text(raw_header(raw, "Subject"))
    try:
        body = body_text(message)
    except Exception:
        raise Refused(UNREADABLE) from None
    ids = message_ids(str(message.get("Message-ID", "")))
    message_id = ids[0] if ids else None
    earlier = message_ids(str(message.get("References", ""))) or message_ids(
        str(message.get("In-Reply-To", ""))
    )
    text = first_line(body or "")
    if not text and not earlier:  # a new mail with its message in the subject line
        text = strip_reply_prefix(subject)
    if body is None and not text:
        raise Refused(NO_TEXT)
    if message_id:
        key = f"{sender.lower()} {message_id}"
    else:
        date = str(message.get("Date", ""))
        digest = hashlib.sha256("\0".join((sender.lower(), date, subject, text)).encode())
        key = f"{sender.lower()} sha256:{digest.hexdigest()[:32]}"
    return Mail(sender, text, subject, message_id, tuple(earlier), key)


class _QuietMailLog(logging.Filter):
    """aiosmtpd logs every command (mail addresses included) at INFO, and a deprecation warning
    on every login: keep its warnings and errors only."""

    NOISE = ("Session.login_data is deprecated", "auth_required == True but auth_require_tls")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        return not any(noise in str(record.msg) for noise in self.NOISE)


_MAIL_LOG = logging.getLogger("mail.log")


class _Session(SMTP):
    """aiosmtpd's protocol, remembered by the channel while the connection is open."""

    def __init__(self, channel: EmailChannel, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._channel = channel

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._channel._open.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        try:
            super().connection_lost(error)
        finally:
            self._channel._open.discard(self)
            if not self._channel._open:
                self._channel._idle.set()


class EmailChannel:
    """The SMTP server: start it on serve's loop, stop it before the loop ends."""

    def __init__(
        self,
        intake: Intake,
        settings: EmailSettings,
        queued: Callable[[], None] = lambda: None,
    ) -> None:
        self.intake = intake  # the one way in: dedupe, rate limit, order, off the event loop
        self.settings = settings
        self.queued = queued  # wakes the outbox sender
        self._tls = settings.tls_context()
        self._server: asyncio.Server | None = None
        self._open: set[_Session] = set()
        self._idle = asyncio.Event()
        self._quiet = _QuietMailLog()
        self.bots = frozenset(settings.addresses)

    def delivery(self) -> EmailDelivery | None:
        """The outbox's sender for email, if a relay is configured."""
        relay = self.settings.relay
        if relay is None:
            return None
        return EmailDelivery(relay, self.settings.sender, self.settings.domain)

    @property
    def port(self) -> int:
        """The port listened on (the one chosen, if the settings said 0)."""
        assert self._server is not None and self._server.sockets
        return int(self._server.sockets[0].getsockname()[1])

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        settings = self.settings
        _MAIL_LOG.addFilter(self._quiet)
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                lambda: self._session(loop), settings.host, settings.port
            )
        except BaseException:
            _MAIL_LOG.removeFilter(self._quiet)
            raise
        log.info(
            "email listening on %s:%d for %s (STARTTLS %s, AUTH %s)",
            settings.host, self.port, ", ".join(mask_address(a) for a in settings.addresses),
            "required" if settings.require_tls else "offered" if self._tls else "off",
            "required" if settings.user else "off",
        )  # fmt: skip
        if settings.bridge_domain and not settings.bridge_peers and not settings.user:
            log.warning(
                "email: no trusted SMS bridge (VAXBOT_EMAIL_SMS_BRIDGE_PEERS or AUTH): mail "
                "from the bridge domain is answered as ordinary mail"
            )

    async def stop(self, grace: float = 5.0) -> None:
        """Stop listening, close the open sessions, wait for them to go."""
        server, self._server = self._server, None
        try:
            if server is not None:
                server.close()
                for session in list(self._open):
                    if session.transport is not None:
                        session.transport.close()
                if self._open:
                    self._idle.clear()
                    await asyncio.wait_for(self._idle.wait(), grace)
                await server.wait_closed()
        except TimeoutError:
            log.warning("email: %d sessions did not close in time", len(self._open))
        finally:
            _MAIL_LOG.removeFilter(self._quiet)
        log.info("email stopped")

    def _session(self, loop: asyncio.AbstractEventLoop) -> _Session:
        settings = self.settings
        with warnings.catch_warnings():  # AUTH without TLS was allowed on purpose (insecure)
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return _Session(
                self,
                _Handler(self),
                data_size_limit=settings.max_bytes,
                hostname=settings.domain,  # else getfqdn(): a DNS lookup per connection
                ident=IDENT,
                tls_context=self._tls,
                require_starttls=settings.require_tls,
                timeout=settings.timeout,
                auth_required=bool(settings.user),
                auth_require_tls=not settings.insecure_auth,
                authenticator=self._authenticate if settings.user else None,
                command_call_limit=COMMAND_LIMITS,
                loop=loop,
            )

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        user, password = self.settings.user, self.settings.password
        ok = (
            isinstance(data, LoginPassword)
            and user is not None
            and password is not None
            and hmac.compare_digest(data.login, user.encode())
            & hmac.compare_digest(data.password, password.encode())
        )
        if not ok:
            log.warning("email: failed login from %s", _peer(session))
        return AuthResult(success=bool(ok), handled=False)  # aiosmtpd says 535 on failure

    # -- a mail ------------------------------------------------------------------------------

    async def receive(self, raw: bytes, envelope_sender: str | None, session: Session) -> str:
        """Answer one mail (its reply queued in the outbox); the SMTP status to return."""
        try:  # off the event loop: a 5 MB mail takes a while to parse
            mail = await asyncio.to_thread(read_mail, raw, envelope_sender)
        except Refused as refused:
            log.info("email refused from %s: %s", _peer(session), refused.status[:3])
            return refused.status
        if mail is None:
            log.info("email: bounce or auto-reply from %s not answered", _peer(session))
            return DROPPED
        if mail.address in self.bots:
            log.warning("email: mail from the bot's own address not answered (a loop?)")
            return DROPPED
        who = mask_address(mail.address)
        settings, engine = self.settings, self.intake.engine
        queued: list[bool] = []

        def queue(replies: list[Reply]) -> None:  # inside the turn's transaction
            if not replies:
                return
            reply = compose(
                sender=settings.sender,
                to=mail.sender,
                subject=mail.subject,
                replies=replies,
                in_reply_to=mail.message_id,
                earlier=mail.earlier,
                domain=settings.domain,
            )
            now = engine.clock()
            queued.append(
                engine.store.enqueue(
                    CHANNEL, mail.sender, reply.as_string(), KEY_PREFIX + mail.key, now, now,
                    "reply",
                )
            )  # fmt: skip

        inbound = Inbound(
            CHANNEL, mail.address, mail.text, message_id=mail.key,
            phone=self._bridge_phone(mail.address, session),
        )  # fmt: skip
        receipt = await self.intake.take(inbound, then=queue)
        if receipt.limited:
            log.info("email: %s over the rate limit", who)
            return SLOW_DOWN
        if receipt.outcome == "failed":
            log.warning("email from %s: turn failed, reply not queued", who)
            return TRY_LATER
        log.info("email in from=%s replies=%d queued=%s", who, len(receipt.replies), any(queued))
        if any(queued):
            self.queued()
        return OK

    def _bridge_phone(self, address: str, session: Session) -> str | None:
        """The sender's phone, for mail from a trusted SMS bridge."""
        domain = self.settings.bridge_domain
        local, _, at = address.rpartition("@")
        if not domain or at != domain or not (match := _BRIDGE.fullmatch(local)):
            return None
        if not (session.authenticated or _trusted(session, self.settings.bridge_peers)):
            log.info("email: bridge address from an untrusted peer %s", _peer(session))
            return None
        return normalise_phone(match.group(1))


class _Handler:
    """aiosmtpd's handler for one session: the hooks, passing the mail on to the channel."""

    def __init__(self, channel: EmailChannel) -> None:
        self.channel = channel

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        if self.channel.settings.user:
            return responses
        return [line for line in responses if not line.startswith("250-AUTH")]  # none to offer

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() not in self.channel.bots:
            return NO_SUCH_USER
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        return await self.channel.receive(raw, envelope.mail_from, session)

    async def handle_exception(self, error: Exception) -> str:
        log.error("email: session failed: %s", type(error).__name__, exc_info=error)
        return TRY_LATER


def _peer_ip(session: Session) -> str | None:
    peer = session.peer
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return None


def _peer(session: Session) -> str:
    return _peer_ip(session) or "?"


def _trusted(session: Session, networks: tuple[IPNetwork, ...]) -> bool:
    ip = _peer_ip(session)
    if ip is None:
        return False
    try:
        address = ipaddress.ip_address(ip.partition("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)
