"""The SMS webhook server itself: TwiML rendering, settings and the ``--insecure`` flag, building
the app without warnings, and ``/healthz``.
"""

from __future__ import annotations

import warnings

import pytest

from bot.engine import Engine
from bot.intake import Intake, RateLimit
from channels.gateway import Gateway
from channels.server import ConfigError, Settings, build_app
from channels.sms.twilio import TwilioSettings, twiml
from flows.policy import Policy
from store import Store
from tests.conftest import Clock
from tests.sms_support import (
    OTHER_PHONE,
    PUBLIC_URL,
    WELCOME_ZH,
    Http,
    android_event,
    messages,
    serve,
    settings,
)


def test_twiml_escapes_and_is_well_formed() -> None:
    assert messages(twiml(["a < b & c > d", "第二条"])) == ["a < b & c > d", "第二条"]
    assert messages(twiml([])) == []
    assert twiml([]).endswith("<Response/>")


def test_serving_without_secrets_needs_the_insecure_flag() -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"VAXBOT_TWILIO_AUTH_TOKEN": "t"}, False, "http://127.0.0.1:8080")
    message = str(refused.value)
    assert "VAXBOT_SMSGATE_SIGNING_KEY" in message and "VAXBOT_SMS_JSON_TOKEN" in message
    assert "VAXBOT_TWILIO_AUTH_TOKEN" not in message and "--insecure" in message
    insecure = Settings.from_env({}, True, "http://127.0.0.1:8080")
    assert insecure.twilio.auth_token is None and insecure.public_url == "http://127.0.0.1:8080"
    env = {"VAXBOT_TWILIO_AUTH_TOKEN": "t", "VAXBOT_SMSGATE_SIGNING_KEY": "k",
           "VAXBOT_SMS_JSON_TOKEN": "j", "VAXBOT_PUBLIC_URL": PUBLIC_URL}  # fmt: skip
    assert Settings.from_env(env, False, "http://127.0.0.1:8080").public_url == PUBLIC_URL


def test_insecure_settings_name_each_unauthenticated_endpoint() -> None:
    insecure = Settings.from_env({"VAXBOT_TWILIO_AUTH_TOKEN": "t"}, True, "http://127.0.0.1:8080")
    said = insecure.unauthenticated()
    assert len(said) == 3
    assert "/sms/android" in said[0] and "VAXBOT_SMSGATE_SIGNING_KEY" in said[0]
    assert "/sms/json" in said[1] and "VAXBOT_SMS_JSON_TOKEN" in said[1]
    assert "/sms/tencent" in said[2] and "VAXBOT_TENCENT_SMS_CALLBACK_TOKEN" in said[2]
    env = {"VAXBOT_TWILIO_AUTH_TOKEN": "t", "VAXBOT_SMSGATE_SIGNING_KEY": "k",
           "VAXBOT_SMS_JSON_TOKEN": "j", "VAXBOT_TENCENT_SMS_CALLBACK_TOKEN": "c"}  # fmt: skip
    assert Settings.from_env(env, True, "http://127.0.0.1:8080").unauthenticated() == []
    mail = {**env, "VAXBOT_EMAIL_ADDRESS": "vax@example.org", "VAXBOT_EMAIL_USER": "u",
            "VAXBOT_EMAIL_PASSWORD": "p"}  # fmt: skip
    [plain_auth] = Settings.from_env(mail, True, "http://127.0.0.1:8080").unauthenticated()
    assert "SMTP AUTH" in plain_auth and "without TLS" in plain_auth


def test_insecure_webhooks_accept_unsigned_requests(
    store: Store, policy: Policy, clock: Clock
) -> None:
    config = settings(twilio=TwilioSettings(auth_token=None), android_key=None, json_token=None)

    async def scenario(http: Http) -> None:
        assert (await http.twilio("你好", sign=lambda form: None)).twiml[0].startswith(WELCOME_ZH)
        body = android_event("你好", message_id="x9")
        assert (await http.post("/sms/android", body, {})).status == 200
        unsigned = {"from": OTHER_PHONE, "text": "hi", "id": "p"}
        assert (await http.plain(unsigned, None)).status == 200

    serve(store, policy, clock, scenario, config=config)


def test_build_app_raises_no_warning(store: Store, policy: Policy, clock: Clock) -> None:
    gateway = Gateway(Intake(Engine(store, policy, clock), RateLimit()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build_app(store, gateway, settings())
    assert [str(w.message) for w in caught] == []


def test_healthz(store: Store, policy: Policy, clock: Clock) -> None:
    async def scenario(http: Http) -> None:
        async with http.client.get("/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok"}

    serve(store, policy, clock, scenario)
