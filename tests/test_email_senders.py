"""Email: who the bot's SMTP server takes mail from: junk refused with the right SMTP codes,
robots and bounces dropped, the rate limit, and SMS bridge addresses trusted only from the
bridge's peers.
"""

from __future__ import annotations

import asyncio
import smtplib
from email import policy
from email.message import EmailMessage

import pytest

from bot.engine import Engine
from store import Store
from tests.email_support import BOT, BRIDGED, ZHANG, Relayed, Rig, mail, outbox, rig

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
