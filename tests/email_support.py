"""Email: the real SMTP server (``EmailChannel``, aiosmtpd on the test's event loop) on loopback.

Residents' mail goes in with ``smtplib`` (in a thread, as a mail server would send it); the bot's
replies go out through the outbox and the real worker to a second aiosmtpd instance, the relay,
which keeps what it received for the checks. The engine is the real one on the seeded demo store
with the frozen clock.

Shared by the ``test_email_*`` modules: the addresses, the relay (a second aiosmtpd
instance), ``post``/``mail`` to send as a resident, the ``rig`` and the outbox reader.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from bot.engine import Engine
from bot.intake import Intake, RateLimit
from bot.messages import Inbound, Reply
from bot.worker import Worker
from channels.mail import EmailChannel, EmailSettings, RelaySettings
from store import Store

BOT = "bot@vax.example.org"
ZHANG = "Zhang.San@example.com"


BRIDGED = "13800138000@sms.example.com"


# -- the relay: a second aiosmtpd instance -----------------------------------------------------


@dataclass
class Relayed:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())


@dataclass
class Relay:
    """An SMTP server that keeps what it is sent; ``refuse`` maps recipients to a status."""

    refuse: dict[str, str] = field(default_factory=dict)
    tls: ssl.SSLContext | None = None
    login: tuple[str, str] | None = None
    port: int = 0
    received: asyncio.Queue[Relayed] = field(default_factory=asyncio.Queue)
    server: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: SMTP(
                self,
                hostname="relay.example.org",
                tls_context=self.tls,
                auth_required=self.login is not None,
                authenticator=self.authenticate,
                loop=loop,
            ),
            "127.0.0.1",
            self.port,
        )
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    def authenticate(self, *args: Any) -> AuthResult:
        data = args[-1]
        ok = isinstance(data, LoginPassword) and self.login == (
            data.login.decode(),
            data.password.decode(),
        )
        return AuthResult(success=ok, handled=False)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        message = message_from_bytes(envelope.content, _class=EmailMessage, policy=policy.default)
        assert isinstance(message, EmailMessage) and envelope.mail_from is not None
        await self.received.put(Relayed(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Ok: queued as 12345"

    async def next(self, timeout: float = 5.0) -> Relayed:
        return await asyncio.wait_for(self.received.get(), timeout)


# -- the rig: bot server, worker, relay ----------------------------------------------------


def post(
    port: int,
    raw: bytes | EmailMessage,
    sender: str = ZHANG,
    to: str = BOT,
    starttls: Path | None = None,
    login: tuple[str, str] | None = None,
) -> None:
    """Send one mail as a resident's mail server would (blocking: run it in a thread)."""
    with smtplib.SMTP("127.0.0.1", port, local_hostname="mx.example.com", timeout=5) as client:
        if starttls is not None:
            client.starttls(context=ssl.create_default_context(cafile=str(starttls)))
        if login is not None:
            client.login(*login)
        data = raw.as_bytes(policy=policy.SMTP) if isinstance(raw, EmailMessage) else raw
        client.sendmail(sender, [to], data)


def mail(
    text: str,
    sender: str = ZHANG,
    subject: str = "预约",
    message_id: str | None = "<m1@example.com>",
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Zhang San <{sender}>"
    message["To"] = BOT
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


@dataclass
class Rig:
    channel: EmailChannel
    relay: Relay
    wake: asyncio.Event
    seen: list[Inbound]

    @property
    def port(self) -> int:
        return self.channel.port

    async def post(self, raw: bytes | EmailMessage, **kwargs: Any) -> None:
        await asyncio.to_thread(post, self.port, raw, **kwargs)

    async def ask(self, raw: bytes | EmailMessage, **kwargs: Any) -> Relayed:
        """Send a mail, and return the bot's answer as the relay got it."""
        await self.post(raw, **kwargs)
        return await self.relay.next()


@asynccontextmanager
async def rig(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, limit: int = 100, **settings: Any
) -> AsyncIterator[Rig]:
    seen: list[Inbound] = []
    turn = engine.turn

    def recording(message: Inbound, *args: Any) -> tuple[list[Reply], str]:
        seen.append(message)
        return turn(message, *args)

    monkeypatch.setattr(engine, "turn", recording)
    relay = Relay()
    await relay.start()
    relay_settings = RelaySettings("127.0.0.1", relay.port, timeout=5)
    options: dict[str, Any] = {"port": 0, "relay": relay_settings, **settings}
    wake, stop = asyncio.Event(), asyncio.Event()
    channel = EmailChannel(
        Intake(engine, RateLimit(limit, 60.0)), EmailSettings((BOT,), **options), queued=wake.set
    )
    await channel.start()
    delivery = channel.delivery()
    assert delivery is not None
    worker = Worker(engine.store, engine.policy, engine.clock, {"email": delivery})
    working = asyncio.create_task(worker.run(stop, interval=5.0, wake=wake))
    try:
        yield Rig(channel, relay, wake, seen)
    finally:
        stop.set()
        await working
        await channel.stop()
        await relay.stop()


def outbox(store: Store) -> list[tuple[Any, ...]]:
    return [
        (r["address"], r["idempotency_key"], r["kind"], int(r["sent_at"] is not None),
         r["attempts"], r["last_error"])
        for r in store.outbox_rows()
        if r["channel"] == "email"
    ]  # fmt: skip
