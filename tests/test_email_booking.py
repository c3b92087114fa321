"""Email: a resident's conversation over SMTP and the bot's replies through the relay: a whole
booking with threaded replies and attachments, redeliveries answered once, and logs that
never show addresses.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections.abc import Callable
from email.message import EmailMessage

import icalendar
import pytest

from bot.engine import Engine
from flows.documents import qr_code
from store import Store
from tests.conftest import Clock
from tests.email_support import BOT, ZHANG, Relayed, mail, outbox, rig


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


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
