"""SMS Gateway for Android (capcom6/android-sms-gateway): sending through its REST API.

``POST {base}/message`` with basic auth and ``{"id", "message", "phoneNumbers",
"withDeliveryReport"}``; the answer is the message state with its ``id``. We derive the message
``id`` from the outbox idempotency key, so sending the same outbox row again (after a crash)
names the same message and the gateway keeps one: a 409 answer means "already accepted".
"""

from __future__ import annotations

import hashlib
import logging

import aiohttp

from bot.outbox import DeliveryError, Undeliverable
from flows.identity import mask_phone
from store import Outgoing

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
        self.auth = aiohttp.BasicAuth(user, password)

    async def send(self, message: Outgoing) -> str | None:
        body = {
            "id": message_id(message.key),
            "message": message.text,
            "phoneNumbers": [message.address],
            "withDeliveryReport": True,
        }
        try:
            async with self.session.post(self.url, json=body, auth=self.auth) as response:
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
