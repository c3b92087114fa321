"""The Official Account API: one access token for the process, and the calls we make.

The access token comes from ``POST /cgi-bin/stable_token`` (``grant_type=client_credential``,
``appid``, ``secret``): unlike the older ``GET /cgi-bin/token``, asking again while a token is
valid returns the same token, so several processes (or a restart) do not invalidate each
other's. ``Tokens`` keeps it until five minutes before ``expires_in`` runs out, and one lock
makes concurrent callers share one request. A call answered 40001 (invalid credential), 40014
(invalid token) or 42001 (token expired) gets a forced refresh and is retried once.

Every answer is JSON with ``errcode`` (0 or absent: success) and ``errmsg``; ``WeChatError``
carries them. The secret and tokens never appear in logs or errors.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp

log = logging.getLogger("vaxbot.wechat.api")

STALE = {40001, 40014, 42001}  # the access token is invalid or expired: refresh, retry once
OUT_OF_WINDOW = 45015  # no message from the user in the last 48 hours
TOO_MANY_REPLIES = 45047  # customer-service messages over the limit since the user last wrote
NOT_FOLLOWING = 43004  # the user does not follow the account (unsubscribed)
BAD_OPENID = 40003
BUSY = {-1, 45009, 45011}  # system busy, API quota, API frequency: later
MARGIN = 300.0  # seconds: refresh this long before the token expires


class WeChatError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat error {errcode}: {errmsg[:120]}")
        self.errcode = errcode
        self.errmsg = errmsg


class Unreachable(Exception):
    """The API did not answer (network, timeout, not JSON)."""


class WeChatApi:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        appid: str,
        secret: str,
        base: str = "https://api.weixin.qq.com",
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.appid = appid
        self.secret = secret
        self.base = base.rstrip("/")
        self.now = now
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.refreshes = 0  # how many tokens were fetched (for logs and tests)

    async def _post(self, path: str, body: dict[str, Any], token: str | None) -> dict[str, Any]:
        params = {"access_token": token} if token else None
        data = json.dumps(body, ensure_ascii=False).encode()  # UTF-8, as WeChat's menus need
        headers = {"Content-Type": "application/json; charset=utf-8"}
        try:
            async with self.session.post(
                self.base + path, data=data, params=params, headers=headers
            ) as response:
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise Unreachable(f"{path}: {type(exc).__name__}") from None
        if not isinstance(answer, dict):
            raise Unreachable(f"{path}: HTTP {response.status}, not a JSON object")
        code = answer.get("errcode", 0)
        if code:
            raise WeChatError(int(code), str(answer.get("errmsg", "")))
        return answer

    async def token(self, force: bool = False) -> str:
        """A valid access token; ``force`` fetches a new one (after 40001/42001)."""
        async with self._lock:
            if self._token and not force and self.now() < self._expires:
                return self._token
            answer = await self._post(
                "/cgi-bin/stable_token",
                {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
                 "force_refresh": force},
                None,
            )  # fmt: skip
            token, lifetime = answer.get("access_token"), answer.get("expires_in", 7200)
            if not isinstance(token, str) or not token or not isinstance(lifetime, int):
                raise Unreachable("stable_token: no access_token in the answer")
            self._token, self._expires = token, self.now() + max(lifetime - MARGIN, 1.0)
            self.refreshes += 1
            log.info("access token refreshed (valid %d s)", lifetime)
            return token

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``path`` with the access token; a stale token is refreshed once."""
        token = await self.token()
        try:
            return await self._post(path, body, token)
        except WeChatError as error:
            if error.errcode not in STALE:
                raise
            log.info("access token refused (%d): refreshing", error.errcode)
            return await self._post(path, body, await self.token(force=True))

    async def send_text(self, openid: str, content: str) -> dict[str, Any]:
        """A customer-service message (客服消息): within 48 hours of the user's last message."""
        return await self.call(
            "/cgi-bin/message/custom/send",
            {"touser": openid, "msgtype": "text", "text": {"content": content}},
        )

    async def send_template(
        self, openid: str, template_id: str, data: dict[str, str]
    ) -> dict[str, Any]:
        """A template message (模板消息): any time, with an approved template's fields."""
        return await self.call(
            "/cgi-bin/message/template/send",
            {"touser": openid, "template_id": template_id,
             "data": {name: {"value": value} for name, value in data.items()}},
        )  # fmt: skip

    async def create_menu(self, buttons: list[dict[str, Any]]) -> dict[str, Any]:
        return await self.call("/cgi-bin/menu/create", {"button": buttons})
