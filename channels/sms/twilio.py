"""Twilio-compatible SMS: the inbound webhook (TwiML) and outbound delivery (Messages API).

Inbound: ``POST /sms/twilio`` is a form (``From``, ``To``, ``Body``, ``MessageSid``, ...)
signed in ``X-Twilio-Signature``: base64 HMAC-SHA1, keyed with the auth token, of the public URL
followed by every parameter name and value in sorted order (verified with the official
``twilio`` package). The replies go back in the response as TwiML, one ``<Message>`` each.
Twilio's own opt-out words are honoured: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT opt the
sender out (Twilio stops delivery at the carrier for them anyway), START, YES, UNSTOP opt back
in, HELP and INFO get the help text.

Status callbacks (``POST /sms/twilio/status``) record what became of an outbox message.

Outbound: ``POST {base}/2010-04-01/Accounts/{sid}/Messages.json`` (form ``To``, ``From`` or
``MessagingServiceSid``, ``Body``, ``StatusCallback``) with basic auth. Error 21610 means the
recipient has opted out (replied STOP): the resident is marked opted out.

The Messages API takes no idempotency key. An outbox row whose send was in flight when a
process died is first looked for (``reconcile``) in ``GET …/Messages.json?To=…&DateSent>=…``
(newest first, ``PageSize`` a page, following ``next_page_uri``): an outbound message to the
same number with the same text, created since the send began, whose SID no other outbox row
records, is that row's message, and it is not sent again.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, cast
from xml.sax.saxutils import escape

import aiohttp
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDictProxy
from twilio.request_validator import RequestValidator

from bot.outbox import DeliveryError, OptedOut, Undeliverable
from channels.auth import basic_auth
from channels.gateway import Gateway
from channels.sms.render import render
from store import Outgoing

log = logging.getLogger("vaxbot.sms.twilio")

STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
# Twilio also opts in on YES; here "yes" answers the bot's own yes/no questions instead.
START_WORDS = frozenset({"start", "unstop"})
HELP_WORDS = frozenset({"help", "info"})
OPTED_OUT = 21610
PAGE_SIZE = 50
MAX_PAGES = 20  # 1,000 messages to one number in two days is more than any resident gets
SLACK = timedelta(minutes=10)  # the provider's clock against ours
GONE = frozenset({"failed", "undelivered", "canceled"})


@dataclass(frozen=True)
class TwilioSettings:
    auth_token: str | None  # None only with --insecure
    account_sid: str | None = None
    sender: str | None = None  # From: a phone number; or a Messaging Service SID (MG...)
    api_base: str = "https://api.twilio.com"


def twiml(bodies: list[str]) -> str:
    if not bodies:
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    messages = "".join(f"<Message>{escape(body)}</Message>" for body in bodies)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{messages}</Response>'


def keyword(body: str) -> str:
    """Twilio's reserved words, as the engine's own commands; anything else unchanged."""
    word = body.strip().casefold()
    if word in STOP_WORDS:
        return "STOP"
    if word in START_WORDS:
        return "START"
    if word in HELP_WORDS:
        return "HELP"
    return body


class TwilioWebhook:
    def __init__(self, gateway: Gateway, settings: TwilioSettings, public_url: str) -> None:
        self.gateway = gateway
        self.settings = settings
        self.public_url = public_url.rstrip("/")
        self.validator = RequestValidator(settings.auth_token) if settings.auth_token else None

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/sms/twilio", self.incoming)
        app.router.add_post("/sms/twilio/status", self.status)

    def _verified(self, request: web.Request, posted: MultiDictProxy[str]) -> bool:
        if self.validator is None:
            return True
        signature = request.headers.get("X-Twilio-Signature", "")
        # The multidict as posted: every value of a repeated parameter is signed, and the
        # validator reads it with getall() (a plain dict would cost it two exceptions a key).
        expected = self.validator.compute_signature(self.public_url + request.path_qs, posted)
        return bool(signature) and hmac.compare_digest(signature, expected)

    async def _form(self, request: web.Request) -> dict[str, str] | web.Response:
        try:
            posted = await request.post()
        except (ValueError, HttpProcessingError):
            return web.Response(status=400, text="malformed form")
        if not all(isinstance(value, str) for value in posted.values()):  # a file upload
            return web.Response(status=400, text="malformed form")
        fields = cast("MultiDictProxy[str]", posted)
        if not self._verified(request, fields):
            log.warning("sms/twilio: bad signature from %s", request.remote)
            return web.Response(status=403, text="bad signature")
        return dict(fields)

    async def incoming(self, request: web.Request) -> web.Response:
        form = await self._form(request)
        if isinstance(form, web.Response):
            return form
        sender, sid = form.get("From", ""), form.get("MessageSid", "")
        if not sender or not sid or "Body" not in form:
            return web.Response(status=400, text="From, Body and MessageSid are required")
        replies = await self.gateway.turn("sms", sender, keyword(form["Body"]), sid)
        return web.Response(
            text=twiml([render(reply) for reply in replies]), content_type="text/xml"
        )

    async def status(self, request: web.Request) -> web.Response:
        form = await self._form(request)
        if isinstance(form, web.Response):
            return form
        sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
        if not sid or not status:
            return web.Response(status=400, text="MessageSid and MessageStatus are required")
        code = form.get("ErrorCode") or None
        await self.gateway.delivery_status(sid, status, code, opted_out=code == str(OPTED_OUT))
        return web.Response(status=204)


class TwilioDelivery:
    channel = "sms"
    idempotent = False  # the Messages API takes no idempotency key

    def __init__(
        self, session: aiohttp.ClientSession, settings: TwilioSettings, status_url: str | None
    ) -> None:
        assert settings.account_sid and settings.auth_token and settings.sender
        self.session = session
        self.settings = settings
        self.url = (
            f"{settings.api_base.rstrip('/')}/2010-04-01/Accounts/{settings.account_sid}"
            "/Messages.json"
        )
        self.headers = basic_auth(settings.account_sid, settings.auth_token)
        self.status_url = status_url

    async def send(self, message: Outgoing) -> str | None:
        sender = self.settings.sender or ""
        form = {"To": message.address, "Body": message.text}
        form["MessagingServiceSid" if sender.startswith("MG") else "From"] = sender
        if self.status_url:
            form["StatusCallback"] = self.status_url
        try:
            async with self.session.post(self.url, data=form, headers=self.headers) as response:
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise DeliveryError(f"Twilio unreachable: {type(exc).__name__}") from None
        if response.status in (200, 201) and isinstance(answer, dict) and answer.get("sid"):
            return str(answer["sid"])
        code = answer.get("code") if isinstance(answer, dict) else None
        detail = f"HTTP {response.status}, error {code}"
        if code == OPTED_OUT:
            raise OptedOut(detail)
        if response.status == 429 or response.status >= 500:
            raise DeliveryError(detail)
        raise Undeliverable(detail)

    async def reconcile(self, message: Outgoing, since: datetime) -> list[str]:
        """The SIDs of outbound messages to ``message.address`` with its text that Twilio took
        since ``since`` (newest first): what a send in flight at a crash became."""
        day = (since.astimezone(UTC) - timedelta(days=1)).date().isoformat()
        params: dict[str, str] | None = {
            "To": message.address, "DateSent>": day, "PageSize": str(PAGE_SIZE),
        }  # fmt: skip
        url: str | None = self.url
        base = self.settings.api_base.rstrip("/")
        found: list[str] = []
        for _ in range(MAX_PAGES):
            if url is None:
                break
            page = await self._page(url, params)
            for item in page.get("messages") or ():
                if isinstance(item, dict) and _same(item, message, since - SLACK):
                    found.append(str(item["sid"]))
            following = page.get("next_page_uri")
            url, params = (base + following, None) if isinstance(following, str) else (None, None)
        return found

    async def _page(self, url: str, params: dict[str, str] | None) -> dict[str, Any]:
        try:
            async with self.session.get(url, params=params, headers=self.headers) as response:
                page = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise DeliveryError(f"Twilio unreachable: {type(exc).__name__}") from None
        if response.status != 200 or not isinstance(page, dict):
            raise DeliveryError(f"Twilio's message list: HTTP {response.status}")
        return page


def _same(item: dict[str, Any], message: Outgoing, since: datetime) -> bool:
    """Whether a listed message is an outbound one to the same number with the same text,
    created since ``since`` and not known to have failed."""
    if item.get("to") != message.address or item.get("body") != message.text:
        return False
    if not str(item.get("direction", "")).startswith("outbound") or item.get("status") in GONE:
        return False
    try:
        created = parsedate_to_datetime(str(item.get("date_created")))
    except (TypeError, ValueError):
        return False
    return bool(item.get("sid")) and created >= since
