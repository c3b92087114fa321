"""``GET/POST /wechat``: the Official Account's server URL (服务器地址).

- ``GET``: server URL verification — ``signature`` is SHA-1 of the sorted token, ``timestamp``
  and ``nonce``; when it matches, ``echostr`` is returned as sent.
- ``POST``: a pushed message. The same ``signature`` is checked on every request (403
  otherwise, nothing run). In safe mode (``encrypt_type=aes``) the body is an envelope whose
  ``Encrypt`` field is checked against ``msg_signature`` and decrypted; the reply is encrypted
  and signed the same way.

What is pushed:

- ``text``: the words go to the engine as the user's message (through the gateway: rate limit,
  dedupe by ``MsgId``); the replies come back as one passive text reply;
- events: ``subscribe`` greets with the menu and resumes notices, ``unsubscribe`` holds notices
  (WeChat lets us send nothing to someone who unfollowed), ``CLICK`` runs the menu button's
  words (``预约``, ``查询``, ``帮助``); events are deduplicated by sender and ``CreateTime``
  (seconds); other events are acknowledged;
- anything else (image, voice, location ...): a short answer that only text is read.

WeChat waits 5 seconds for the answer and retries three times. A turn takes milliseconds; if it
ever ends after ``reply_seconds`` (default 4), the request is acknowledged with ``success``
and the replies go out as customer-service messages through the outbox; a retry of a message
whose replies are on their way that way gets ``success`` too. A passive reply holds one
message of 2,048 bytes: what does not fit goes out by customer-service message after it.
A retry reaches the engine with the same message id and gets the same replies.

Bodies are capped by the server (32 KB); XML with a DTD, not XML, or a message without a sender
is a 400.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable

from aiohttp import web

from bot.messages import Reply
from channels.gateway import Gateway
from channels.wechat.crypto import CryptoError, Envelope, signature, signed
from channels.wechat.render import LIMIT, messages
from channels.wechat.settings import WeChatSettings
from channels.wechat.texts import CLICKS, say
from channels.wechat.wire import BadXml, envelope, parse, text_reply
from flows.identity import mask_address

CHANNEL = "wechat"
SUCCESS = "success"  # WeChat's "received, nothing to say"
_OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")
REMEMBERED = 10_000  # message ids whose replies went by customer-service message

log = logging.getLogger("vaxbot.wechat")


class WeChatWebhook:
    def __init__(
        self, gateway: Gateway, settings: WeChatSettings, now: Callable[[], float] = time.time
    ) -> None:
        assert settings.token, "no token, no /wechat"
        self.gateway = gateway
        self.token = settings.token
        self.envelope: Envelope | None = settings.envelope()
        self.deadline = settings.reply_seconds
        self.limit = LIMIT  # bytes in one text message
        self.now = now
        self.later: OrderedDict[str, None] = OrderedDict()
        self._pending: set[asyncio.Future[None]] = set()  # replies being queued late

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/wechat", self.verify)
        app.router.add_post("/wechat", self.incoming)

    def _signed(self, request: web.Request) -> bool:
        query = request.query
        return signed(
            query.get("signature", ""), self.token, query.get("timestamp", ""),
            query.get("nonce", ""),
        )  # fmt: skip

    async def verify(self, request: web.Request) -> web.Response:
        if not self._signed(request):
            log.warning("wechat: bad signature on verification from %s", request.remote)
            return web.Response(status=403, text="bad signature")
        return web.Response(text=request.query.get("echostr", ""))

    async def incoming(self, request: web.Request) -> web.Response:
        if not self._signed(request):
            log.warning("wechat: bad signature from %s", request.remote)
            return web.Response(status=403, text="bad signature")
        encrypted = request.query.get("encrypt_type", "raw") == "aes"
        try:
            fields = parse(await request.read())
            if encrypted:
                fields = self._open(request, fields)
        except BadXml as bad:
            return web.Response(status=400, text=str(bad))
        except CryptoError:
            log.warning("wechat: bad msg_signature or envelope from %s", request.remote)
            return web.Response(status=403, text="bad msg_signature or envelope")
        openid = fields.get("FromUserName", "")
        if not _OPENID.fullmatch(openid):
            return web.Response(status=400, text="FromUserName missing or malformed")
        replies = await self._answer(openid, fields)
        if replies is None:
            return web.Response(text=SUCCESS)
        reply = text_reply(openid, fields.get("ToUserName", ""), int(self.now()), replies)
        if encrypted:
            reply = self._seal(reply)
        return web.Response(text=reply, content_type="application/xml")

    def _open(self, request: web.Request, outer: dict[str, str]) -> dict[str, str]:
        if self.envelope is None:
            raise BadXml("safe mode is not configured (VAXBOT_WECHAT_AES_KEY)")
        inner, query = outer.get("Encrypt", ""), request.query
        given = query.get("msg_signature", "")
        if not signed(given, self.token, query.get("timestamp", ""), query.get("nonce", ""),
                      inner):  # fmt: skip
            raise CryptoError("bad msg_signature")
        return parse(self.envelope.decrypt(inner).encode())

    def _seal(self, reply: str) -> str:
        assert self.envelope is not None
        encrypted = self.envelope.encrypt(reply)
        stamp, nonce = str(int(self.now())), str(secrets.randbelow(10**10))
        return envelope(encrypted, signature(self.token, stamp, nonce, encrypted), stamp, nonce)

    async def _answer(self, openid: str, fields: dict[str, str]) -> str | None:
        """The passive reply's text, or None for ``success``."""
        kind = fields.get("MsgType", "")
        if kind == "text":
            message_id = fields.get("MsgId") or f"{fields.get('CreateTime', '')}:text"
            return await self._turn(openid, fields.get("Content", ""), f"msg:{message_id}")
        store = self.gateway.engine.store
        if kind != "event":
            english = await asyncio.to_thread(store.language_of, CHANNEL, openid) == "en"
            return say("en" if english else "zh", "unsupported")
        event, stamp = fields.get("Event", "").lower(), fields.get("CreateTime", "")
        message_id = f"event:{stamp}:{event}"
        now = self.gateway.engine.clock()
        if event == "subscribe":
            await asyncio.to_thread(store.set_opt_out, CHANNEL, openid, False, now)
            return await self._turn(openid, "你好", message_id)
        if event == "unsubscribe":
            await asyncio.to_thread(store.set_opt_out, CHANNEL, openid, True, now)
            log.debug("wechat: %s unfollowed", mask_address(openid))
            return None
        if event == "click":
            words = CLICKS.get(fields.get("EventKey", ""), "菜单")
            return await self._turn(openid, words, message_id)
        return None  # VIEW, LOCATION, SCAN, TEMPLATESENDJOBFINISH ...: nothing to say

    async def _turn(self, openid: str, text: str, message_id: str) -> str | None:
        key = f"{openid} {message_id}"
        if key in self.later:  # a retry: the replies are on their way by customer-service
            return None
        loop = asyncio.get_running_loop()
        started = loop.time()
        task = asyncio.ensure_future(self._run(openid, text, message_id))
        done, _ = await asyncio.wait({task}, timeout=self.deadline)
        if not done or loop.time() - started > self.deadline:
            self._remember(key)
            task.add_done_callback(lambda ended: self._send_later(openid, message_id, ended))
            return None
        parts = messages(task.result(), self.limit)
        if len(parts) > 1:  # what the passive reply cannot hold follows by customer-service
            await self.gateway.send_replies(CHANNEL, openid, parts[1:], f"wechat:{message_id}:more")
        return parts[0] if parts else None

    async def _run(self, openid: str, text: str, message_id: str) -> list[Reply]:
        return await self.gateway.turn(CHANNEL, openid, text, message_id)

    def _send_later(self, openid: str, message_id: str, ended: asyncio.Future[list[Reply]]) -> None:
        if ended.cancelled() or ended.exception() is not None:
            return
        log.info("wechat: a turn missed the reply deadline; replies go by customer-service")
        queued = self.gateway.send_replies(
            CHANNEL, openid, messages(ended.result(), self.limit), f"wechat:{message_id}"
        )
        self._pending.add(task := asyncio.ensure_future(queued))
        task.add_done_callback(self._pending.discard)

    def _remember(self, key: str) -> None:
        self.later[key] = None
        while len(self.later) > REMEMBERED:
            self.later.popitem(last=False)
