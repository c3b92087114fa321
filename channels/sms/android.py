"""SMS Gateway for Android (capcom6/android-sms-gateway): its webhook in, its REST API out.

Inbound: the app posts ``sms:received`` events to ``POST /sms/android`` as JSON
``{"event", "id", "deviceId", "webhookId", "payload": {"messageId", "message", "phoneNumber",
"receivedAt", ...}}``, signed in ``X-Signature``: hex HMAC-SHA256, keyed with the webhook
signing key, of the raw body followed by the ``X-Timestamp`` header (Unix seconds; we refuse
timestamps more than five minutes off, so a captured request cannot be replayed later). The
gateway takes no reply in the response: replies go out through the outbox at once.

``POST {base}/message`` with basic auth and ``{"id", "message", "phoneNumbers",
"withDeliveryReport"}``; the answer is the message state with its ``id``. We derive the message
``id`` from the outbox idempotency key, so sending the same outbox row again (after a crash)
names the same message and the gateway keeps one: a 409 answer means "already accepted".
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable

import aiohttp
from aiohttp import web

from bot.outbox import DeliveryError, Undeliverable
from channels import webjson
from channels.auth import basic_auth
from channels.gateway import Gateway
from channels.sms.render import render
from flows.identity import mask_phone
from store import Outgoing

MAX_SKEW_SECONDS = 300

log = logging.getLogger("vaxbot.sms.android")


def message_id(key: str) -> str:
    """A stable gateway message id for an outbox idempotency key (no phone numbers in it)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class AndroidGatewayDelivery:
    channel = "sms"
    idempotent = True

    def __init__(self, session: aiohttp.ClientSession, base_url: str, user: str, password: str):
        self.session = session
        self.url = base_url.rstrip("/") + "/message"
        self.headers = basic_auth(user, password)

    async def send(self, message: Outgoing) -> str | None:
        body = {
            "id": message_id(message.key),
            "message": message.text,
            "phoneNumbers": [message.address],
            "withDeliveryReport": True,
        }
        try:
            async with self.session.post(self.url, json=body, headers=self.headers) as response:
                if response.status == 409:  # this id was accepted before: it is on its way
                    return str(body["id"])
                if response.status in (400, 422):
                    raise Undeliverable(f"gateway refused the message: HTTP {response.status}")
                if response.status >= 300:
                    raise DeliveryError(f"gateway answered HTTP {response.status}")
                state = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"gateway unreachable: {type(exc).__name__}") from None
        log.debug("sent %s to %s", body["id"], mask_phone(message.address))
        return str(state.get("id", body["id"])) if isinstance(state, dict) else str(body["id"])


def signature(key: str, body: bytes, timestamp: str) -> str:
    return hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


class AndroidWebhook:
    def __init__(
        self, gateway: Gateway, signing_key: str | None, now: Callable[[], float] = time.time
    ) -> None:
        self.gateway = gateway
        self.signing_key = signing_key  # None only with --insecure
        self.now = now

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/sms/android", self.incoming)

    def _verified(self, request: web.Request, body: bytes) -> bool:
        if self.signing_key is None:
            return True
        stamp = request.headers.get("X-Timestamp", "")
        given = request.headers.get("X-Signature", "")
        try:
            fresh = abs(self.now() - int(stamp)) <= MAX_SKEW_SECONDS
        except ValueError:
            return False
        expected = signature(self.signing_key, body, stamp)
        return fresh and hmac.compare_digest(given.lower(), expected)

    async def incoming(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not self._verified(request, body):
            log.warning("sms/android: bad signature from %s", request.remote)
            return web.Response(status=403, text="bad signature")
        try:
            event = webjson.parse(body)
            if isinstance(event, dict) and event.get("event") != "sms:received":
                kind = event.get("event")
                return web.json_response({"ignored": kind if isinstance(kind, str) else None})
            payload = event.get("payload") if isinstance(event, dict) else None
            sender = webjson.text(payload, "phoneNumber")
            text = webjson.text(payload, "message")
            message_id = webjson.text(payload, "messageId")
        except webjson.BadBody as bad:
            return web.Response(status=400, text=f"not an sms:received event: {bad}")
        receipt = await self.gateway.turn_and_queue(
            "sms", sender, text, f"android:{message_id}", message_id, render
        )
        return web.json_response({"replies": len(receipt.replies)})
