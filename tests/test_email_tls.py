"""Email: STARTTLS and login both ways (AUTH on the bot's server, the relay with STARTTLS and a
password) and the settings from the environment that configure them.
"""

from __future__ import annotations

import asyncio
import shutil
import smtplib
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.outbox import DeliveryError, Undeliverable
from channels.mail import EmailConfigError, EmailDelivery, EmailSettings, RelaySettings
from store import Outgoing
from tests.email_support import BOT, BRIDGED, ZHANG, Relay, mail, rig

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
