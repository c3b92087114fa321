"""A plain JSON endpoint for any other SMS gateway: ``POST /sms/json``.

Request (``Authorization: Bearer <VAXBOT_SMS_JSON_TOKEN>``)::

    {"from": "+8613800138000", "text": "预约", "id": "gateway-message-id"}

Response: ``{"replies": ["...SMS text...", ...]}`` — the gateway sends each as an SMS. A
repeated ``id`` gets the same replies and runs nothing twice.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging

from aiohttp import web

from channels import webjson
from channels.gateway import Gateway
from channels.sms.render import render

log = logging.getLogger("vaxbot.sms.json")
_dumps = functools.partial(json.dumps, ensure_ascii=False)  # UTF-8, not \uXXXX escapes


class PlainWebhook:
    def __init__(self, gateway: Gateway, token: str | None) -> None:
        self.gateway = gateway
        self.token = token  # None only with --insecure

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/sms/json", self.incoming)

    async def incoming(self, request: web.Request) -> web.Response:
        if self.token is not None:
            given = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return web.Response(status=403, text="bad token")
        try:
            data = webjson.parse(await request.read())
            sender, text = webjson.text(data, "from"), webjson.text(data, "text")
            message_id = webjson.text(data, "id")
        except webjson.BadBody as bad:
            return web.Response(status=400, text=f'expected {{"from", "text", "id"}}: {bad}')
        if not sender or not message_id:
            return web.Response(status=400, text="from and id must not be empty")
        replies = await self.gateway.turn("sms", sender, text, f"json:{message_id}")
        return web.json_response({"replies": [render(reply) for reply in replies]}, dumps=_dumps)
