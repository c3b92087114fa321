"""Sending mail: the outbox's way out through an SMTP relay (``aiosmtplib``).

Every mail the bot sends is an outbox row first (``bot.outbox``). A reply to a resident's mail
is stored as the whole message (RFC 5322 text, 7-bit clean: headers, threading, attachments),
under an idempotency key starting with ``email:``; any other row (a notice queued by a job) is
plain text, sent as a new message with the default subject.

Outcomes, for the outbox's retries:

- the relay refuses the recipient or the content with a 5xx code: ``Undeliverable``;
- anything else is worth trying again (``DeliveryError``): no connection, time-outs, 4xx codes,
  and also a refused login or sender, which are the relay's configuration, not the message's
  (fix the settings and the queued mail goes out).

Relays do not take idempotency keys: a crash between sending and recording it may send a mail
twice (never lose it). Error texts are stored and logged with mail addresses masked.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from bot.outbox import DeliveryError, Undeliverable
from channels.mail.reading import mask_address, valid_address
from channels.mail.writing import POLICY, notice
from store import Outgoing

CHANNEL = "email"
KEY_PREFIX = "email:"  # outbox rows whose text is a whole message
_ANY_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"']+@[A-Za-z0-9.-]+")


@dataclass(frozen=True)
class RelaySettings:
    """Where outgoing mail goes: an SMTP relay (the organisation's mail server, or a provider's
    submission service)."""

    host: str
    port: int | None = None  # default: 465 with ``tls``, 587 with ``starttls``, else 25
    user: str | None = None
    password: str | None = None
    starttls: bool | None = None  # None: upgrade if the relay offers it; True: required
    tls: bool = False  # implicit TLS from the start (port 465)
    ca_file: str | None = None  # CA bundle for a relay with a private certificate
    timeout: float = 30.0


def scrub(text: str) -> str:
    """``text`` with every mail address masked (relay messages quote the recipient)."""
    return _ANY_ADDRESS.sub(lambda m: mask_address(m.group(0)), text)


def stored(text: str) -> EmailMessage:
    """A whole message as stored in the outbox."""
    message = email.message_from_string(text, _class=EmailMessage, policy=POLICY)
    assert isinstance(message, EmailMessage)
    return message


class EmailDelivery:
    """The outbox's sender for channel ``email``."""

    channel = CHANNEL
    idempotent = False  # SMTP has no idempotency key

    def __init__(self, relay: RelaySettings, sender: str, domain: str) -> None:
        self.relay = relay
        self.sender = sender  # the envelope sender (bounces come back to the bot)
        self.domain = domain  # for Message-IDs and EHLO

    def message(self, outgoing: Outgoing) -> EmailMessage:
        if outgoing.key.startswith(KEY_PREFIX):
            return stored(outgoing.text)
        return notice(
            sender=self.sender, to=outgoing.address, text=outgoing.text, domain=self.domain
        )

    async def send(self, message: Outgoing) -> str | None:
        if not valid_address(message.address):
            raise Undeliverable("not a mail address")
        mail = self.message(message)
        relay = self.relay
        try:
            await aiosmtplib.send(
                mail,
                sender=self.sender,
                recipients=[message.address],
                hostname=relay.host,
                port=relay.port,
                username=relay.user,
                password=relay.password,
                use_tls=relay.tls,
                start_tls=False if relay.tls else relay.starttls,
                cert_bundle=relay.ca_file,
                timeout=relay.timeout,
                local_hostname=self.domain,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            error = Undeliverable if codes and all(c >= 500 for c in codes) else DeliveryError
            raise error(scrub(f"recipient refused: {detail}")) from None
        except aiosmtplib.SMTPDataError as exc:
            error = Undeliverable if exc.code >= 500 else DeliveryError
            raise error(scrub(f"message refused: {exc.code} {exc.message}")) from None
        except aiosmtplib.SMTPResponseException as exc:  # login, sender, HELO: configuration
            raise DeliveryError(scrub(f"relay said {exc.code} {exc.message}")) from None
        except (aiosmtplib.SMTPException, OSError) as exc:  # connection, time-out, TLS
            raise DeliveryError(scrub(f"relay unreachable: {type(exc).__name__}: {exc}")) from None
        return str(mail["Message-ID"])
