"""The far side of WeChat: its API server on 127.0.0.1, and its way of pushing messages to us.

``FakeWeChatApi`` answers as ``api.weixin.qq.com`` does (JSON with ``errcode``/``errmsg``):

- ``POST /cgi-bin/stable_token`` — checks appid and secret (40013, 40125), issues a token with
  ``expires_in``; ``expire_tokens()`` makes every issued token stale (42001 afterwards);
- ``POST /cgi-bin/message/custom/send`` — customer-service text: 40001 for an unknown token,
  45015 for a user outside the 48-hour window (``out_of_window``), 43004 for one who unfollowed;
  more than 2,048 bytes of content: 45002;
- ``POST /cgi-bin/message/template/send`` — a template message, answered with a ``msgid``;
- ``POST /cgi-bin/menu/create`` — at most 3 buttons with names and keys.

``Pusher`` builds what WeChat posts to the server URL: signed query strings, plaintext XML or
the safe-mode envelope (its own AES code here, on ``cryptography``'s PKCS#7 padder, not the
channel's), and opens encrypted replies.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from aiohttp import web
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.fakes.loopback import Loopback, LoopbackServer


@dataclass
class Sent:
    kind: str  # "custom", "template", "menu"
    body: dict[str, Any]


@dataclass
class FakeWeChatApi(LoopbackServer):
    appid: str
    secret: str
    expires_in: int = 7200
    tokens: dict[str, bool] = field(default_factory=dict)  # token → still valid
    out_of_window: set[str] = field(default_factory=set)
    unfollowed: set[str] = field(default_factory=set)
    sent: list[Sent] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)  # errcodes answered, in order
    issued: int = 0

    def __post_init__(self) -> None:
        self.loop = Loopback()
        self._ids = itertools.count(200228332)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/cgi-bin/stable_token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom)
        app.router.add_post("/cgi-bin/message/template/send", self._template)
        app.router.add_post("/cgi-bin/menu/create", self._menu)

    def expire_tokens(self) -> None:
        self.tokens = dict.fromkeys(self.tokens, False)

    def texts_to(self, openid: str) -> list[str]:
        return [s.body["text"]["content"] for s in self.sent if s.kind == "custom"
                and s.body["touser"] == openid]  # fmt: skip

    def templates_to(self, openid: str) -> list[dict[str, Any]]:
        return [s.body for s in self.sent if s.kind == "template" and s.body["touser"] == openid]

    def _error(self, code: int, message: str) -> web.Response:
        self.refused.append(code)
        return web.json_response({"errcode": code, "errmsg": message})

    async def _json(self, request: web.Request) -> dict[str, Any] | web.Response:
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self._error(47001, "data format error")
        return body if isinstance(body, dict) else self._error(47001, "data format error")

    def _check_token(self, request: web.Request) -> web.Response | None:
        valid = self.tokens.get(request.query.get("access_token", ""))
        if valid is None:
            return self._error(40001, "invalid credential, access_token is invalid")
        if not valid:
            return self._error(42001, "access_token expired")
        return None

    async def _token(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        if isinstance(body, web.Response):
            return body
        if body.get("grant_type") != "client_credential":
            return self._error(40002, "invalid grant_type")
        if body.get("appid") != self.appid:
            return self._error(40013, "invalid appid")
        if body.get("secret") != self.secret:
            return self._error(40125, "invalid appsecret")
        current = [token for token, valid in self.tokens.items() if valid]
        if current and not body.get("force_refresh"):  # stable: the same token while valid
            return web.json_response({"access_token": current[0], "expires_in": self.expires_in})
        self.issued += 1
        token = f"TOKEN{self.issued}-{os.urandom(4).hex()}"
        self.tokens = {**dict.fromkeys(self.tokens, False), token: True}
        return web.json_response({"access_token": token, "expires_in": self.expires_in})

    async def _custom(self, request: web.Request) -> web.Response:
        if (refused := self._check_token(request)) is not None:
            return refused
        body = await self._json(request)
        if isinstance(body, web.Response):
            return body
        user, content = body.get("touser"), (body.get("text") or {}).get("content")
        if body.get("msgtype") != "text" or not isinstance(content, str):
            return self._error(40008, "invalid message type")
        if len(content.encode()) > 2048:
            return self._error(45002, "content size out of limit")
        if user in self.unfollowed:
            return self._error(43004, "require subscribe")
        if user in self.out_of_window:
            return self._error(45015, "response out of time limit or subscription is canceled")
        self.sent.append(Sent("custom", body))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _template(self, request: web.Request) -> web.Response:
        if (refused := self._check_token(request)) is not None:
            return refused
        body = await self._json(request)
        if isinstance(body, web.Response):
            return body
        if not body.get("template_id") or not isinstance(body.get("data"), dict):
            return self._error(40037, "invalid template_id")
        if body.get("touser") in self.unfollowed:
            return self._error(43004, "require subscribe")
        self.sent.append(Sent("template", body))
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": next(self._ids)})

    async def _menu(self, request: web.Request) -> web.Response:
        if (refused := self._check_token(request)) is not None:
            return refused
        body = await self._json(request)
        if isinstance(body, web.Response):
            return body
        buttons = body.get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            return self._error(40016, "invalid button size")
        if not all(b.get("name") and b.get("key") and b.get("type") == "click" for b in buttons):
            return self._error(40017, "invalid button type")
        self.sent.append(Sent("menu", body))
        return web.json_response({"errcode": 0, "errmsg": "ok"})


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


@dataclass
class Pusher:
    """What WeChat's servers post to the account's server URL."""

    token: str
    account: str = "gh_10f6c3c3ac5a"
    aes_key: str | None = None  # safe mode
    appid: str = ""
    stamp: int = 1_623_900_000
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(6054768590064713728))

    def _key(self) -> bytes:
        assert self.aes_key
        return base64.b64decode(self.aes_key + "=")

    def seal(self, xml: str) -> str:
        body = xml.encode()
        plain = os.urandom(16) + struct.pack(">I", len(body)) + body + self.appid.encode()
        padder = padding.PKCS7(256).padder()  # 32-byte blocks, as WeChat pads
        padded = padder.update(plain) + padder.finalize()
        key = self._key()
        coder = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(coder.update(padded) + coder.finalize()).decode()

    def open(self, reply: str) -> dict[str, str]:
        """An encrypted reply's inner message (after checking its msg_signature)."""
        outer = fields(reply)
        expected = sha1_signature(self.token, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
        assert outer["MsgSignature"] == expected, "reply msg_signature does not match"
        key = self._key()
        coder = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        data = coder.update(base64.b64decode(outer["Encrypt"])) + coder.finalize()
        unpadder = padding.PKCS7(256).unpadder()
        plain = unpadder.update(data) + unpadder.finalize()
        (length,) = struct.unpack(">I", plain[16:20])
        assert plain[20 + length :] == self.appid.encode(), "reply sealed for another AppID"
        return fields(plain[20 : 20 + length].decode())

    def query(self, timestamp: str | None = None, nonce: str = "1320562132") -> dict[str, str]:
        stamp = timestamp or str(self.stamp)
        return {"signature": sha1_signature(self.token, stamp, nonce), "timestamp": stamp,
                "nonce": nonce}  # fmt: skip

    def text(self, openid: str, content: str, msg_id: int | None = None) -> str:
        self.stamp += 1
        return (
            f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{self.stamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content>"
            f"<MsgId>{msg_id or next(self._ids)}</MsgId></xml>"
        )

    def event(self, openid: str, event: str, key: str = "", kind: str = "event") -> str:
        self.stamp += 1
        return (
            f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{self.stamp}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>"
        )

    def request(self, xml: str) -> tuple[dict[str, str], str]:
        """The query string and body WeChat posts for ``xml`` (in safe mode: the envelope)."""
        query = self.query()
        if not self.aes_key:
            return query, xml
        encrypted = self.seal(xml)
        query |= {"encrypt_type": "aes", "msg_signature": sha1_signature(
            self.token, query["timestamp"], query["nonce"], encrypted)}  # fmt: skip
        body = (
            f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        )
        return query, body


def fields(xml: str) -> dict[str, str]:
    return {child.tag: child.text or "" for child in ElementTree.fromstring(xml)}
