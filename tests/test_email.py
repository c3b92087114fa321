"""Email: the real SMTP server (``EmailChannel``, aiosmtpd on the test's event loop) on loopback.

Residents' mail goes in with ``smtplib`` (in a thread, as a mail server would send it); the bot's
replies go out through the outbox and the real worker to a second aiosmtpd instance, the relay,
which keeps what it received for the checks. The engine is the real one on the seeded demo store
with the frozen clock.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import shutil
import smtplib
import ssl
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import icalendar
import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from bot.engine import Engine
from bot.intake import Intake, RateLimit
from bot.messages import Inbound, Reply, ReplyOption
from bot.outbox import DeliveryError, Undeliverable
from bot.worker import Worker
from channels.mail import (
    EmailChannel,
    EmailConfigError,
    EmailDelivery,
    EmailSettings,
    RelaySettings,
)
from channels.mail.channel import read_mail
from channels.mail.reading import (
    decode,
    first_line,
    header_text,
    html_text,
    mask_address,
)
from channels.mail.writing import compose, reply_subject
from flows.documents import qr_code
from store import Outgoing, Store
from tests.conftest import Clock

BOT = "bot@vax.example.org"
ZHANG = "Zhang.San@example.com"


# -- reading a mail ----------------------------------------------------------------------------


def test_charsets_are_decoded_by_their_supersets() -> None:
    # 镕 is GBK, not GB2312: clients still label such mail "gb2312"
    assert decode("朱镕基 预约".encode("gbk"), "gb2312") == "朱镕基 预约"
    assert decode("朱镕基".encode("gb18030"), "GBK") == "朱镕基"
    assert decode("預約 張三".encode("big5"), "big5") == "預約 張三"
    assert decode("€ 預約".encode("cp950"), "big5") == "€ 預約"  # Microsoft's Big5
    assert decode("预约".encode(), None) == "预约"
    assert decode("我要预约接种".encode("gbk"), "utf-8") == "我要预约接种"  # mislabelled: guessed
    assert decode("预约".encode(), "x-unknown-charset") == "预约"
    # an RFC 2047 subject labelled gb2312 holding a GBK character, and raw 8-bit UTF-8
    word = base64.b64encode("朱镕基的预约".encode("gbk")).decode()
    assert header_text(f"=?gb2312?B?{word}?=".encode()) == "朱镕基的预约"
    assert header_text("Re: 预约".encode()) == "Re: 预约"
    assert header_text(b"=?utf-8?Q?=E9=A2=84=E7=BA=A6?= now") == "预约 now"
    two = base64.b64encode("预约".encode("gbk")).decode()  # adjacent words: no space between
    assert header_text(f"Re: =?utf-8?Q?=E6=88=91?= =?gbk?B?{two}?=".encode()) == "Re: 我预约"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("1\n\nOn Thu, 17 Jun 2021 at 09:00, vaxbot <bot@vax.example.org> wrote:\n> 1 预约", "1"),
        ("\n\n  预约  \nZhang San\n", "预约"),
        ("> 您好！\n> 回复1 预约接种\n\n2\n", "2"),  # answered below the quote
        ("On Thu, 17 Jun 2021 at 09:00, vaxbot <bot@vax.example.org>\nwrote:\n> old\n3", "3"),
        ('在 2021-06-17 09:00:00，"vaxbot" <bot@vax.example.org> 写道：\n> 旧\n改期', "改期"),
        ("vaxbot <bot@vax.example.org> 于2021年6月17日周四 09:00写道：\n> 旧\n\n查询", "查询"),
        ("-----Original Message-----\nFrom: vaxbot\n1", ""),
        ("------------------ 原始邮件 ------------------\n发件人: vaxbot\n1", ""),
        ("发件人: vaxbot <bot@vax.example.org>\n发送时间: 2021年6月17日\n1", ""),
        ("________________________________\nFrom: vaxbot\n1", ""),
        ("-- \nZhang San\n13800138000", ""),
        ("发自我的iPhone\n\n> 1", ""),
        ("On Thu, 17 Jun 2021 vaxbot <bot@vax.example.org> wrote:\nunquoted old text", ""),
        ("在吗？\n在 2021-06-17 09:00，vaxbot <bot@vax.example.org> 写道：\n> 旧", "在吗？"),
        ("I wrote: 1", "I wrote: 1"),
    ],
)
def test_the_first_line_of_new_text_is_read(text: str, line: str) -> None:
    assert first_line(text) == line


def test_html_becomes_text_without_the_quoted_mail() -> None:
    html = (
        "<html><head><style>p {color: red}</style><title>t</title></head><body>"
        "<div dir='ltr'>预约&nbsp;<b>接种</b></div><div><br></div>"
        "<div class='gmail_quote'><div>On Thu, 17 Jun 2021 vaxbot &lt;bot@x.org&gt; wrote:<br>"
        "</div><blockquote>您好！<br>回复1 预约接种</blockquote></div><script>x()</script>"
        "</body></html>"
    )
    text = html_text(html)
    assert first_line(text) == "预约 接种"
    assert "您好" not in text and "x()" not in text and "color" not in text


def test_addresses_are_masked_for_the_logs() -> None:
    assert mask_address("zhang.san@example.com") == "z***@example.com"
    assert mask_address("13800138000@sms.example.com") == "1***@sms.example.com"
    assert mask_address("nobody") == "***"


def test_reply_subject() -> None:
    assert reply_subject("预约") == "Re: 预约"
    assert reply_subject("RE: Re: 预约") == "Re: 预约"
    assert reply_subject("回复：Re: 预约") == "Re: 预约"
    assert reply_subject(" \n ") == "疫苗接种预约 / Vaccination booking"
    assert reply_subject("a\r\nBcc: x@y.org") == "Re: a Bcc: x@y.org"  # no header injection


def test_junk_is_refused_and_robots_are_not_answered() -> None:
    def raw(headers: str, body: str = "1") -> bytes:
        return f"{headers}\r\nMessage-ID: <r@example.com>\r\n\r\n{body}\r\n".encode()

    ok = read_mail(raw(f"From: {ZHANG}\r\nSubject: hi"), ZHANG)
    assert ok is not None and ok.text == "1" and ok.address == ZHANG.lower()
    assert ok.key == f"{ZHANG.lower()} <r@example.com>"
    for bad in ("Subject: no sender", f"From: {ZHANG}, li@example.com", "From: not an address"):
        with pytest.raises(Exception, match=r"550 5\.1\.7"):
            read_mail(raw(bad), ZHANG)
    assert read_mail(raw(f"From: {ZHANG}"), "") is None  # a bounce
    assert read_mail(raw(f"From: {ZHANG}\r\nAuto-Submitted: auto-replied"), ZHANG) is None
    assert read_mail(raw(f"From: {ZHANG}\r\nPrecedence: bulk"), ZHANG) is None
    assert read_mail(raw(f"From: {ZHANG}\r\nAuto-Submitted: no"), ZHANG) is not None
    # no body text: the subject of a new mail is the message; of a reply, nothing is
    subject_only = read_mail(raw(f"From: {ZHANG}\r\nSubject: Re: 预约", ""), ZHANG)
    assert subject_only is not None and subject_only.text == "预约"
    reply = read_mail(raw(f"From: {ZHANG}\r\nSubject: Re: x\r\nIn-Reply-To: <a@b>", ""), ZHANG)
    assert reply is not None and reply.text == "" and reply.earlier == ("<a@b>",)


def test_flowed_quoted_printable_text_is_joined() -> None:
    raw = (
        f"From: {ZHANG}\r\nMessage-ID: <f@x>\r\n"
        "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "=E6=88=91=E8=A6=81 \r\n=E9=A2=84=E7=BA=A6\r\n\r\n> old \r\n> text\r\n"
    ).encode()
    read = read_mail(raw, ZHANG)
    assert read is not None and read.text == "我要预约"  # soft break, its space deleted


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


def raw_mail(
    body: bytes, content_type: str, subject: str = "", sender: str = ZHANG, mid: str = "<r@x>"
) -> bytes:
    head = (
        f"From: {sender}\r\nTo: {BOT}\r\nSubject: {subject}\r\nMessage-ID: {mid}\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode() + body + b"\r\n"


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


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


def outbox(store: Store) -> list[tuple[Any, ...]]:
    return [
        (r["address"], r["idempotency_key"], r["kind"], int(r["sent_at"] is not None),
         r["attempts"], r["last_error"])
        for r in store.outbox_rows()
        if r["channel"] == "email"
    ]  # fmt: skip


# -- a whole booking by mail -------------------------------------------------------------------

# (what the resident writes, a phrase of the bot's answer)
BOOKING: list[tuple[str, str]] = [
    ("1", "为谁登记？"),
    ("1", "请输入接种人姓名"),
    ("张三", "请选择证件类型"),
    ("1", "请输入18位居民身份证号码"),
    ("440106199001011235", "请输入接种人手机号"),  # no phone known for a mail address
    ("13800138000", "您住在天河区吗？"),  # from the ID (440106)
    ("1", "张三有以下情况吗？\n1 对疫苗成分过敏"),
    ("都没有", "请选择接种点所在区"),
    ("1", "请选择接种点"),
    ("1", "请选择日期"),
    ("1", "请选择时段"),
    ("1", "请确认：张三，第1剂，6月17日 周四 10:00-12:00"),
]


def answer(to: Relayed, text: str, n: int) -> EmailMessage:
    """The resident's reply to the bot's mail ``to``: top-posted, the bot's mail quoted below."""
    earlier = to.message
    quoted = "\n".join(f"> {line}" for line in to.text.splitlines())
    message = EmailMessage()
    message["From"] = f"Zhang San <{ZHANG}>"
    message["To"] = BOT
    message["Subject"] = f"Re: {earlier['Subject']}"
    message["Message-ID"] = f"<answer-{n}@example.com>"
    message["In-Reply-To"] = str(earlier["Message-ID"])
    message["References"] = f"{earlier['References']} {earlier['Message-ID']}"
    message.set_content(
        f"{text}\n\n在 2021年6月17日 09:00，vaxbot <{BOT}> 写道：\n{quoted}\n", charset="utf-8"
    )
    return message


@pytest.mark.backends("sqlite", "postgresql")
def test_a_whole_booking_by_mail(
    engine: Engine, store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def run() -> None:
        async with rig(engine, monkeypatch) as bot:
            first = await bot.ask(mail("预约\n\n-- \n张三", subject="我要打疫苗"))
            assert first.mail_from == BOT and first.rcpt_tos == [ZHANG]
            message = first.message
            assert message["From"] == BOT and message["To"] == ZHANG
            assert message["Subject"] == "Re: 我要打疫苗"
            assert message["In-Reply-To"] == "<m1@example.com>"
            assert message["References"] == "<m1@example.com>"
            assert message["Auto-Submitted"] == "auto-replied"
            assert message.get_content_charset() == "utf-8"
            assert first.text.startswith("预登记须知")
            assert "回复1 同意\n回复2 不同意" in first.text  # options as numbered lines

            last, said = first, []
            for n, (text, expected) in enumerate(BOOKING, 2):
                reply = await bot.ask(answer(last, text, n))
                said.append(reply.text)
                assert expected in reply.text, (text, reply.text)
                assert bot.seen[-1].text == text  # only the new line was read
                assert reply.message["In-Reply-To"] == f"<answer-{n}@example.com>"
                refs = str(reply.message["References"]).split()
                assert refs[0] == "<m1@example.com>" and refs[-1] == f"<answer-{n}@example.com>"
                assert not list(reply.message.iter_attachments())
                last = reply
            # registered, and the booking's first question in the same mail
            assert "预登记成功！张三的预登记码：R0000001。\n\n张三有以下情况吗？" in said[6]

            # The relay is down when the resident confirms: the reply waits in the outbox,
            # whole, and goes out later with its threading headers and attachments.
            await bot.relay.stop()
            await bot.post(answer(last, "1", 99))
            await until(lambda: outbox(store)[-1][4] == 1)  # one attempt made
            address, key, kind, sent, attempts, error = outbox(store)[-1]
            assert (address, kind, sent, attempts) == (ZHANG, "reply", 0, 1)
            assert key == f"email:{ZHANG.lower()} <answer-99@example.com>"
            assert "relay unreachable" in error and ZHANG not in error
            await bot.relay.start()  # on the same port
            clock.set("2021-06-17T09:01:00+08:00")  # past the first back-off (30 s)
            bot.wake.set()
            confirmed = await bot.relay.next()

            assert confirmed.text.startswith("预约成功！预约码B0000001。张三，第1剂，6月17日 周四")
            assert confirmed.message["In-Reply-To"] == "<answer-99@example.com>"
            assert confirmed.message["Subject"] == "Re: 我要打疫苗"
            files = {a.get_filename(): a for a in confirmed.message.iter_attachments()}
            assert set(files) == {"B0000001.ics", "B0000001.png"}
            ics, png = files["B0000001.ics"], files["B0000001.png"]
            assert ics.get_content_type() == "text/calendar"
            assert png.get_content_type() == "image/png"
            assert png.get_content() == qr_code("B0000001").data
            data = ics.get_payload(decode=True)
            assert isinstance(data, bytes)
            event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
            assert str(event["UID"]) == "B0000001@vaxbot"
            assert event.decoded("DTSTART").isoformat() == "2021-06-17T10:00:00+08:00"
            assert "天河体育中心接种点" in str(event["LOCATION"])
            await until(lambda: all(row[3] for row in outbox(store)))  # all sent in the end

        booking = store.booking_by_code("B0000001")
        assert booking is not None
        assert store.account_of("email", ZHANG.lower()) is not None

    asyncio.run(run())


# -- charsets, HTML, quotes ------------------------------------------------------------------


def test_chinese_subjects_gbk_big5_html_and_quoted_replies(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def run() -> None:
        async with rig(engine, monkeypatch) as bot:
            # A GB2312-labelled subject (RFC 2047) and a GBK body, 8-bit
            word = base64.b64encode("朱镕基的疫苗预约".encode("gbk")).decode()
            raw = raw_mail(
                "预约\r\n\r\n朱镕基".encode("gbk"),
                "text/plain; charset=gb2312",
                subject=f"=?gb2312?B?{word}?=",
                sender="zhu@example.com",
                mid="<gbk@example.com>",
            )
            reply = await bot.ask(raw, sender="zhu@example.com")
            assert bot.seen[-1].text == "预约"
            assert bot.seen[-1].address == "zhu@example.com"
            assert reply.message["Subject"] == "Re: 朱镕基的疫苗预约"
            assert reply.text.startswith("预登记须知")

            # Big5 (traditional characters, as CP950)
            raw = raw_mail(
                "預約 張三\r\n".encode("cp950"),
                'text/plain; charset="big5"',
                subject="=?big5?B?" + base64.b64encode("預約".encode("big5")).decode() + "?=",
                sender="chan@example.com.tw",
                mid="<big5@example.com>",
            )
            reply = await bot.ask(raw, sender="chan@example.com.tw")
            assert bot.seen[-1].text == "預約 張三"
            assert reply.message["Subject"] == "Re: 預約"

            # HTML only, with the earlier mail in a blockquote
            html = (
                "<html><body><div>查询&nbsp;</div><br><div class=gmail_quote>"
                "<blockquote>回复1 预约接种</blockquote></div></body></html>"
            )
            raw = raw_mail(
                html.encode(), "text/html; charset=utf-8", subject="q", mid="<html@example.com>"
            )
            await bot.ask(raw)
            assert bot.seen[-1].text == "查询"

            # A bottom-posted answer under an English attribution and quoted lines
            text = (
                "On Thu, 17 Jun 2021 at 09:00, vaxbot <bot@vax.example.org> wrote:\n"
                "> Hello! This is COVID-19 vaccination booking.\n> 1 Book a vaccination\n\n"
                "menu\n\nZhang\n"
            )
            await bot.ask(mail(text, message_id="<bottom@example.com>"))
            assert bot.seen[-1].text == "menu"

            # multipart/alternative: the plain text wins
            message = mail("status", message_id="<alt@example.com>")
            message.add_alternative("<p>ignored</p>", subtype="html")
            await bot.ask(message)
            assert bot.seen[-1].text == "status"

    asyncio.run(run())


# -- redeliveries ----------------------------------------------------------------------------


@pytest.mark.backends("sqlite", "postgresql")
def test_a_redelivered_mail_runs_once_and_is_answered_once(
    engine: Engine, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def run() -> None:
        async with rig(engine, monkeypatch) as bot:
            first = await bot.ask(mail("预约", message_id="<first@example.com>"))
            assert first.text.startswith("预登记须知")
            agreed = await bot.ask(mail("1", message_id="<same@example.com>"))
            assert agreed.text.startswith("为谁登记？")
            await bot.post(mail("1", message_id="<same@example.com>"))  # redelivered
            # Someone else using the same Message-ID gets their own turn, not Zhang's replies.
            other = await bot.ask(
                mail("help", sender="li@example.com", message_id="<same@example.com>")
            )
            assert other.rcpt_tos == ["li@example.com"]
            assert not other.text.startswith("为谁登记？")
            # Had the redelivery run, "1" would have answered "who" (yourself) already.
            second = await bot.ask(mail("1", message_id="<next@example.com>"))
            assert second.text.startswith("请输入接种人姓名"), second.text
            assert [row[0] for row in outbox(store)] == [ZHANG, ZHANG, "li@example.com", ZHANG]
            assert bot.relay.received.empty()
            redelivered = [
                m for m in bot.seen if m.message_id == f"{ZHANG.lower()} <same@example.com>"
            ]
            assert len(redelivered) == 1  # the redelivery answered at the door: no turn

    asyncio.run(run())


# -- refusals --------------------------------------------------------------------------------


def test_junk_gets_the_right_smtp_codes(
    engine: Engine, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def run() -> None:
        async with rig(engine, monkeypatch, limit=3, max_bytes=20_000) as bot:
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                await bot.post(mail("1"), to="someone@vax.example.org")
            assert refused.value.recipients["someone@vax.example.org"][0] == 550

            big = mail("1", message_id="<big@example.com>")
            big.add_attachment(b"\0" * 30_000, maintype="application", subtype="octet-stream")
            with pytest.raises(smtplib.SMTPSenderRefused) as too_big:  # SIZE= at MAIL FROM
                await bot.post(big)
            assert too_big.value.smtp_code == 552

            def without_size() -> None:  # a client that does not declare the size
                with smtplib.SMTP("127.0.0.1", bot.port) as client:
                    client.helo("mx.example.com")
                    client.mail(ZHANG)
                    client.rcpt(BOT)
                    code, _ = client.data(big.as_bytes(policy=policy.SMTP))
                    assert code == 552

            await asyncio.to_thread(without_size)

            picture = EmailMessage()
            picture["From"], picture["To"], picture["Message-ID"] = ZHANG, BOT, "<p@example.com>"
            picture.set_content(b"\x89PNG...", maintype="image", subtype="png")
            with pytest.raises(smtplib.SMTPDataError) as no_text:
                await bot.post(picture)
            assert no_text.value.smtp_code == 554

            anonymous = mail("1", message_id="<anon@example.com>")
            del anonymous["From"]
            with pytest.raises(smtplib.SMTPDataError) as no_sender:
                await bot.post(anonymous)
            assert no_sender.value.smtp_code == 550

            # Accepted and dropped: a bounce, an auto-reply, the bot's own address
            await bot.post(mail("1", message_id="<dsn@example.com>"), sender="")
            await bot.post(mail("1", message_id="<ooo@example.com>", Auto_Submitted="auto-replied"))
            await bot.post(mail("1", sender=BOT, message_id="<loop@example.com>"))
            assert bot.seen == []

            # Three mails a minute from one sender, then "try again later"
            for n in range(3):
                await bot.ask(mail("help", message_id=f"<rate-{n}@example.com>"))
            with pytest.raises(smtplib.SMTPDataError) as slow:
                await bot.post(mail("help", message_id="<rate-3@example.com>"))
            assert slow.value.smtp_code == 451
            assert len(bot.seen) == 3 and len(outbox(store)) == 3

    asyncio.run(run())


# -- SMS bridge ------------------------------------------------------------------------------

BRIDGED = "13800138000@sms.example.com"
TO_PHONE_STEP = ["预约", "1", "1", "张三", "1", "440106199001011235"]


async def registration(bot: Rig, sender: str) -> Relayed:
    """Walk to the phone number question; its mail."""
    reply = None
    for n, text in enumerate(TO_PHONE_STEP):
        reply = await bot.ask(mail(text, sender=sender, message_id=f"<b{n}@x>"), sender=sender)
    assert reply is not None
    return reply


def test_sms_bridge_addresses_are_the_phone_from_a_trusted_bridge(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ipaddress

    async def run() -> None:
        trusted = (ipaddress.ip_network("127.0.0.0/8"),)
        async with rig(
            engine, monkeypatch, bridge_domain="sms.example.com", bridge_peers=trusted
        ) as bot:
            asked = await registration(bot, BRIDGED)
            assert "1 使用本机号码 138****8000" in asked.text
            assert asked.rcpt_tos == [BRIDGED]
            assert {m.phone for m in bot.seen} == {"+8613800138000"}
            assert {m.address for m in bot.seen} == {BRIDGED}

        async with rig(engine, monkeypatch, bridge_domain="sms.example.com") as untrusted:
            asked = await registration(untrusted, "13900139000@sms.example.com")
            assert "本机号码" not in asked.text and "请输入接种人手机号" in asked.text
            assert {m.phone for m in untrusted.seen} == {None}

    asyncio.run(run())


# -- AUTH and STARTTLS -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A self-signed certificate for 127.0.0.1 (and localhost)."""
    openssl = shutil.which("openssl")
    assert openssl is not None, "the STARTTLS tests need the openssl command to make a certificate"
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    yield cert, key


def test_auth_over_starttls(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate

    async def run() -> None:
        async with rig(
            engine,
            monkeypatch,
            user="mx",
            password="s3cret-pw",
            tls_cert=str(cert),
            tls_key=str(key),
            bridge_domain="sms.example.com",
        ) as bot:
            with pytest.raises(smtplib.SMTPSenderRefused) as anonymous:
                await bot.post(mail("1"))
            assert anonymous.value.smtp_code == 530

            with pytest.raises(smtplib.SMTPNotSupportedError):  # no AUTH before STARTTLS
                await bot.post(mail("1"), login=("mx", "s3cret-pw"))

            with pytest.raises(smtplib.SMTPAuthenticationError) as wrong:
                await bot.post(mail("1"), starttls=cert, login=("mx", "wrong"))
            assert wrong.value.smtp_code == 535

            reply = await bot.ask(mail("预约"), starttls=cert, login=("mx", "s3cret-pw"))
            assert reply.text.startswith("预登记须知")
            # a logged-in relay is trusted as the SMS bridge
            await bot.ask(mail("help", sender=BRIDGED), sender=BRIDGED, starttls=cert,
                          login=("mx", "s3cret-pw"))  # fmt: skip
            assert bot.seen[-1].phone == "+8613800138000"

    asyncio.run(run())


def test_the_relay_with_starttls_and_login(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def run() -> None:
        relay = Relay(tls=context, login=("vaxbot", "relay-pw"))
        await relay.start()
        try:
            settings = RelaySettings(
                "127.0.0.1", relay.port, "vaxbot", "relay-pw", starttls=True, ca_file=str(cert)
            )
            delivery = EmailDelivery(settings, BOT, "vax.example.org")
            sent = await delivery.send(
                Outgoing(1, "email", ZHANG, "明天10:00接种", "remind:1", "notice", 0)
            )
            got = await relay.next()
            assert sent == got.message["Message-ID"]
            assert got.text == "明天10:00接种\n"
            assert got.message["Subject"] == "疫苗接种预约 / Vaccination booking"
            assert got.message["Auto-Submitted"] == "auto-generated"

            wrong = EmailDelivery(replace(settings, password="nope"), BOT, "vax.example.org")
            with pytest.raises(DeliveryError) as refused:  # configuration: worth retrying
                await wrong.send(Outgoing(2, "email", ZHANG, "x", "remind:2", "notice", 0))
            assert not isinstance(refused.value, Undeliverable)
        finally:
            await relay.stop()

    asyncio.run(run())


# -- delivery outcomes ---------------------------------------------------------------------


def test_delivery_outcomes() -> None:
    async def run() -> None:
        relay = Relay(
            refuse={
                "gone@example.com": "550 5.1.1 <gone@example.com>: Recipient address rejected",
                "full@example.com": "452 4.2.2 <full@example.com>: Mailbox full",
            }
        )
        await relay.start()
        delivery = EmailDelivery(RelaySettings("127.0.0.1", relay.port), BOT, "vax.example.org")

        def row(address: str, key: str = "reminder:1") -> Outgoing:
            return Outgoing(1, "email", address, "text", key, "notice", 0)

        try:
            with pytest.raises(Undeliverable) as gone:
                await delivery.send(row("gone@example.com"))
            assert "gone@example.com" not in str(gone.value) and "g***@example.com" in str(
                gone.value
            )
            with pytest.raises(DeliveryError) as full:
                await delivery.send(row("full@example.com"))
            assert not isinstance(full.value, Undeliverable)
            with pytest.raises(Undeliverable):
                await delivery.send(row("+8613800138000"))

            stored = compose(
                sender=BOT, to=ZHANG, subject="预约",
                replies=[Reply("您好", (ReplyOption("1", "预约接种"),))],
                in_reply_to="<m@example.com>", domain="vax.example.org",
            )  # fmt: skip
            key = "email:x <m@example.com>"
            await delivery.send(Outgoing(1, "email", ZHANG, stored.as_string(), key, "reply", 0))
            got = await relay.next()
            assert got.message["Message-ID"] == stored["Message-ID"]
            assert got.message["In-Reply-To"] == "<m@example.com>"
            assert got.text == "您好\n回复1 预约接种\n"
        finally:
            await relay.stop()
        with pytest.raises(DeliveryError):  # nobody listening
            await delivery.send(row(ZHANG))

    asyncio.run(run())


# -- settings --------------------------------------------------------------------------------


def test_settings_from_the_environment(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    assert EmailSettings.from_env({}) is None
    env = {
        "VAXBOT_EMAIL_ADDRESS": "Bot@Vax.example.org, yuyue@vax.example.org",
        "VAXBOT_EMAIL_PORT": "2526",
        "VAXBOT_EMAIL_SMS_BRIDGE_DOMAIN": "SMS.example.com",
        "VAXBOT_EMAIL_SMS_BRIDGE_PEERS": "10.0.0.0/8, ::1",
        "VAXBOT_SMTP_RELAY_HOST": "smtp.example.org",
        "VAXBOT_SMTP_RELAY_PORT": "587",
        "VAXBOT_SMTP_RELAY_USER": "bot",
        "VAXBOT_SMTP_RELAY_PASSWORD": "pw",
        "VAXBOT_SMTP_RELAY_STARTTLS": "require",
    }
    settings = EmailSettings.from_env(env)
    assert settings is not None
    assert settings.addresses == ("bot@vax.example.org", "yuyue@vax.example.org")
    assert settings.sender == "bot@vax.example.org" and settings.domain == "vax.example.org"
    assert settings.port == 2526 and settings.host == "127.0.0.1"
    assert settings.bridge_domain == "sms.example.com" and len(settings.bridge_peers) == 2
    assert settings.relay == RelaySettings("smtp.example.org", 587, "bot", "pw", starttls=True)

    auth = {"VAXBOT_EMAIL_USER": "mx", "VAXBOT_EMAIL_PASSWORD": "pw"}
    with pytest.raises(EmailConfigError, match="in the clear"):
        EmailSettings.from_env({**env, **auth})
    assert EmailSettings.from_env({**env, **auth}, insecure=True) is not None
    tls = {"VAXBOT_EMAIL_TLS_CERT": str(cert), "VAXBOT_EMAIL_TLS_KEY": str(key)}
    assert EmailSettings.from_env({**env, **auth, **tls}) is not None
    for bad in (
        {"VAXBOT_EMAIL_ADDRESS": "not-an-address"},
        {"VAXBOT_EMAIL_PORT": "smtp"},
        {"VAXBOT_EMAIL_USER": "mx"},
        {"VAXBOT_EMAIL_TLS_CERT": str(cert), "VAXBOT_EMAIL_TLS_KEY": "/nonexistent.pem"},
        {"VAXBOT_EMAIL_REQUIRE_TLS": "1"},
        {"VAXBOT_EMAIL_SMS_BRIDGE_PEERS": "the bridge"},
        {"VAXBOT_SMTP_RELAY_STARTTLS": "maybe"},
        {"VAXBOT_SMTP_RELAY_PASSWORD": ""},
    ):
        with pytest.raises(EmailConfigError):
            EmailSettings.from_env({**env, **bad})


# -- logs ------------------------------------------------------------------------------------


def test_logs_never_show_addresses(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def run() -> None:
        async with rig(engine, monkeypatch) as bot:
            await bot.ask(mail("预约"))
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                await bot.post(mail("1"), to="someone@vax.example.org")

    asyncio.run(run())
    messages = [record.getMessage() for record in caplog.records]
    assert any("email in from=z***@example.com replies=1 queued=True" in m for m in messages)
    for address in (ZHANG, ZHANG.lower(), "someone@vax.example.org", BOT):
        assert not [m for m in messages if address in m], address
    assert not [r for r in caplog.records if r.name == "mail.log" and r.levelno < logging.WARNING]
