"""``vaxbot serve``: the HTTP server for the SMS webhooks, and the worker, on one event loop.

Configuration comes from the environment (secrets never on the command line); the README lists
every variable. ``VAXBOT_PUBLIC_URL`` is the URL the providers call: Twilio's signatures
cover it.

An endpoint whose secret is not set is refused at start-up unless ``--insecure`` is given.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import aiohttp
import prometheus_client
from aiohttp import web

from bot import metrics as bot_metrics
from bot.assign import run_assign
from bot.clock import Clock
from bot.engine import Engine
from bot.intake import Intake, RateLimit
from bot.outbox import Delivery
from bot.peers import Peers
from bot.worker import Worker
from channels.gateway import Gateway
from channels.mail import CHANNEL as EMAIL
from channels.mail import EmailChannel, EmailConfigError, EmailSettings
from channels.sms.android import AndroidGatewayDelivery, AndroidWebhook
from channels.sms.plain import PlainWebhook
from channels.sms.tencent import TencentConfigError, TencentSettings, TencentWebhook
from channels.sms.tencent_api import TencentSmsDelivery
from channels.sms.twilio import TwilioDelivery, TwilioSettings, TwilioWebhook
from channels.telegram import (
    TelegramChannel,
    TelegramConfigError,
    TelegramSettings,
)
from channels.wechat.api import WeChatApi
from channels.wechat.delivery import WeChatDelivery
from channels.wechat.settings import WeChatConfigError, WeChatSettings
from channels.wechat.webhook import WeChatWebhook
from flows.policy import Policy
from store import Store

log = logging.getLogger("vaxbot.serve")
T = TypeVar("T")

STORE = web.AppKey("store", Store)
STOPPING = web.AppKey("stopping", asyncio.Event)
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
MAX_BODY = 32 * 1024  # bytes: a 1,600-character SMS and its form fields fit many times over


class ListenError(OSError):
    """``serve`` cannot listen where it was told to (the port is taken, say)."""


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    public_url: str
    twilio: TwilioSettings
    android_key: str | None
    android_url: str | None
    android_user: str
    android_password: str
    json_token: str | None
    rate_limit: int = 20  # messages per sender per minute
    threads: int = 8  # turns at once, off the event loop
    telegram: TelegramSettings = field(default_factory=TelegramSettings)  # no token: no bot
    email: EmailSettings | None = None  # no VAXBOT_EMAIL_ADDRESS: no email
    wechat: WeChatSettings = field(default_factory=WeChatSettings)  # no token: no /wechat
    tencent: TencentSettings = field(default_factory=TencentSettings)  # no token: 403

    @classmethod
    def from_env(cls, env: Mapping[str, str], insecure: bool, default_url: str) -> Settings:
        settings = cls(
            public_url=env.get("VAXBOT_PUBLIC_URL", default_url),
            twilio=TwilioSettings(
                auth_token=env.get("VAXBOT_TWILIO_AUTH_TOKEN"),
                account_sid=env.get("VAXBOT_TWILIO_ACCOUNT_SID"),
                sender=env.get("VAXBOT_TWILIO_FROM"),
                api_base=env.get("VAXBOT_TWILIO_API_BASE", "https://api.twilio.com"),
            ),
            android_key=env.get("VAXBOT_SMSGATE_SIGNING_KEY"),
            android_url=env.get("VAXBOT_SMSGATE_URL"),
            android_user=env.get("VAXBOT_SMSGATE_USER", ""),
            android_password=env.get("VAXBOT_SMSGATE_PASSWORD", ""),
            json_token=env.get("VAXBOT_SMS_JSON_TOKEN"),
            telegram=_telegram_settings(env),
            email=_email_settings(env, insecure),
            wechat=_wechat_settings(env),
            tencent=_tencent_settings(env, insecure),
        )
        missing = [
            name
            for name, value in (
                ("VAXBOT_TWILIO_AUTH_TOKEN", settings.twilio.auth_token),
                ("VAXBOT_SMSGATE_SIGNING_KEY", settings.android_key),
                ("VAXBOT_SMS_JSON_TOKEN", settings.json_token),
            )
            if not value
        ]
        if missing and not insecure:
            raise ConfigError(
                f"{', '.join(missing)} not set: webhooks would accept unsigned requests. "
                "Set them, or pass --insecure (for local testing only)."
            )
        return settings

    def unauthenticated(self) -> list[str]:
        """What accepts requests nobody signed (only with ``--insecure``), and why."""
        email, twilio = self.email, "POST /sms/twilio and /sms/twilio/status"
        return [
            f"{what} accepts unauthenticated requests ({name} unset)"
            for what, name, value in (
                (twilio, "VAXBOT_TWILIO_AUTH_TOKEN", self.twilio.auth_token),
                ("POST /sms/android", "VAXBOT_SMSGATE_SIGNING_KEY", self.android_key),
                ("POST /sms/json", "VAXBOT_SMS_JSON_TOKEN", self.json_token),
                (
                    "POST /sms/tencent",
                    "VAXBOT_TENCENT_SMS_CALLBACK_TOKEN",
                    self.tencent.callback_token if self.tencent.insecure else "refused",
                ),
            )
            if not value
        ] + (
            ["email: SMTP AUTH is offered without TLS (VAXBOT_EMAIL_TLS_CERT unset)"]
            if email is not None and email.user and email.insecure_auth and not email.tls_cert
            else []
        )


def _telegram_settings(env: Mapping[str, str]) -> TelegramSettings:
    try:
        return TelegramSettings.from_env(env)
    except TelegramConfigError as exc:
        raise ConfigError(str(exc)) from None


def _tencent_settings(env: Mapping[str, str], insecure: bool) -> TencentSettings:
    try:
        return TencentSettings.from_env(env, insecure)
    except TencentConfigError as exc:
        raise ConfigError(str(exc)) from None


def _wechat_settings(env: Mapping[str, str]) -> WeChatSettings:
    try:
        return WeChatSettings.from_env(env)
    except WeChatConfigError as exc:
        raise ConfigError(str(exc)) from None


def _email_settings(env: Mapping[str, str], insecure: bool) -> EmailSettings | None:
    try:
        return EmailSettings.from_env(env, insecure)
    except EmailConfigError as exc:
        raise ConfigError(str(exc)) from None


def telegram_channel(gateway: Gateway, settings: Settings) -> TelegramChannel | None:
    """The Telegram bot, if a token is configured (polling, or webhook with a secret); its
    messages go through the gateway like the SMS webhooks' (one rate limit)."""
    telegram = settings.telegram
    if not telegram.token:
        return None
    webhook = telegram.webhook(settings.public_url)
    return TelegramChannel(
        gateway.intake, telegram.token, base_url=telegram.base_url, webhook=webhook
    )


def deliveries(session: aiohttp.ClientSession, settings: Settings) -> dict[str, Delivery]:
    """The outbound channels: WeChat if it can send; SMS by Twilio if its account is
    configured, else the Android gateway."""
    found = wechat_deliveries(session, settings.wechat)
    found.update(sms_deliveries(session, settings))
    return found


def wechat_deliveries(
    session: aiohttp.ClientSession, wechat: WeChatSettings
) -> dict[str, Delivery]:
    if not (wechat.appid and wechat.secret):
        return {}
    api = WeChatApi(session, wechat.appid, wechat.secret, wechat.api_base)
    return {"wechat": WeChatDelivery(api, wechat)}


def sms_deliveries(session: aiohttp.ClientSession, settings: Settings) -> dict[str, Delivery]:
    if settings.tencent.can_send:
        return {"sms": TencentSmsDelivery(session, settings.tencent)}
    twilio = settings.twilio
    if twilio.account_sid and twilio.auth_token and twilio.sender:
        status = settings.public_url.rstrip("/") + "/sms/twilio/status"
        return {"sms": TwilioDelivery(session, twilio, status)}
    if settings.android_url:
        return {
            "sms": AndroidGatewayDelivery(
                session, settings.android_url, settings.android_user, settings.android_password
            )
        }
    log.warning("no outbound SMS configured: notifications stay in the outbox")
    return {}


async def _off_loop(work: Callable[..., T], *args: object) -> T:
    """A database call in a thread (with a connection of its own): a slow round trip or a lock
    held elsewhere never stalls the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, work, *args)


async def healthz(request: web.Request) -> web.Response:
    """Alive: the database takes a write now (a full disk fails every turn while reads work)."""
    try:
        await _off_loop(request.app[STORE].write_probe, datetime.now(UTC))
    except Exception as error:  # any database error means: unhealthy
        log.error("healthz: writes fail: %s: %.200s", type(error).__name__, error)
        return web.json_response({"status": "writes fail"}, status=503)
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready for traffic: the database answers and the process is not shutting down (a load
    balancer takes it out of rotation as soon as SIGTERM arrives)."""
    if request.app[STOPPING].is_set():
        return web.json_response({"status": "stopping"}, status=503)
    try:
        await _off_loop(request.app[STORE].ping)
    except Exception as error:  # any database error means: not ready
        log.warning("not ready: %s: %.200s", type(error).__name__, error)
        return web.json_response({"status": "database unavailable"}, status=503)
    return web.json_response({"status": "ready"})


async def metrics(request: web.Request) -> web.Response:
    """Prometheus metrics (bot/metrics.py) in the text exposition format, with the outbox's
    backlog read at scrape time."""
    try:
        # The engine's clock, in the policy's zone as the outbox's times are written (a UTC
        # time compared with them as text would miss every message due in the last 8 hours).
        now = request.app[CLOCK]()
        waiting, oldest = await _off_loop(request.app[STORE].outbox_backlog, now)
        bot_metrics.outbox(waiting, oldest)
    except Exception as error:  # the other metrics are still worth serving
        log.warning("metrics: outbox backlog not read: %s", type(error).__name__)
    body = prometheus_client.generate_latest()
    return web.Response(body=body, headers={"Content-Type": prometheus_client.CONTENT_TYPE_LATEST})


def build_app(
    store: Store, gateway: Gateway, settings: Settings, stopping: asyncio.Event | None = None
) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app[STORE] = store
    app[STOPPING] = stopping or asyncio.Event()
    app[CLOCK] = gateway.engine.clock
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    TwilioWebhook(gateway, settings.twilio, settings.public_url).routes(app)
    AndroidWebhook(gateway, settings.android_key).routes(app)
    PlainWebhook(gateway, settings.json_token).routes(app)
    TencentWebhook(gateway, settings.tencent).routes(app)
    if settings.wechat.token:
        WeChatWebhook(gateway, settings.wechat).routes(app)
    return app


async def serve(
    store: Store,
    policy: Policy,
    clock: Clock,
    settings: Settings,
    host: str,
    port: int,
    ready: asyncio.Event | None = None,
) -> None:
    """Run the webhooks and the worker until SIGTERM or SIGINT, then shut down cleanly."""
    for channel in settings.unauthenticated():
        log.warning("--insecure: %s", channel)
    engine = Engine(store, policy, clock)
    intake = Intake(engine, RateLimit(settings.rate_limit, 60.0), threads=settings.threads)
    gateway = Gateway(intake)
    wake = asyncio.Event()
    gateway.sent_changed = wake.set
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    telegram = telegram_channel(gateway, settings)
    email = (
        EmailChannel(intake, settings.email, queued=wake.set)
        if settings.email is not None
        else None
    )
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        outbound = deliveries(session, settings)
        if telegram is not None:
            outbound["telegram"] = telegram.delivery()
        if email is not None:
            if (mail_out := email.delivery()) is not None:
                outbound[EMAIL] = mail_out
            else:
                log.warning("no VAXBOT_SMTP_RELAY_HOST: email replies stay in the outbox")
        worker = Worker(store, policy, clock, outbound, assign=run_assign)
        app = build_app(store, gateway, settings, stopping=stop)
        if telegram is not None:
            telegram.routes(app)  # its webhook route, in webhook mode
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await asyncio.to_thread(engine.warm)  # before the first message, not during it
        # Listed among the serve processes before taking any message (bot/peers.py), and
        # listed until the last one is answered.
        peers, gone = Peers(store, intake), asyncio.Event()
        await peers.join()
        counting = asyncio.create_task(peers.run(gone))
        try:
            site = web.TCPSite(runner, host, port)
            try:
                await site.start()
            except OSError as error:  # one line, not a traceback: the port is taken, say
                raise ListenError(f"cannot listen on {host}:{port}: {error.strerror}") from None
            if telegram is not None:
                await telegram.start()  # after the site: Telegram may call the webhook at once
            if email is not None:
                await email.start()
            # the port bound, which --port 0 leaves to the system (the line said :0 before)
            bound = next((a[1] for a in runner.addresses if isinstance(a, tuple)), port)
            log.info("serving on http://%s:%d (public %s)", host, bound, settings.public_url)
            # What start-up loaded (modules, policy, the date parser's tables) lives as long as
            # the process: keep the collector from walking it again in every full collection.
            gc.freeze()
            if ready is not None:
                ready.set()
            working = asyncio.create_task(worker.run(stop, wake=wake))
            await stop.wait()
            log.info("stopping: finishing requests in flight")
            await working
        finally:
            try:
                if email is not None:
                    await email.stop()  # mail accepted until now is in the outbox
                await runner.cleanup()
                if telegram is not None:
                    await telegram.stop()  # last: the worker sends through its bot
                intake.close()  # no turn is in hand any more: its threads go
            finally:
                gone.set()
                await counting  # off the list of serve processes
    log.info("stopped")
