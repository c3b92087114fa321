"""A fake of Twilio's Messages REST API: a real aiohttp server on 127.0.0.1.

It implements ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` the way Twilio does:
HTTP basic auth (account SID, auth token), a form with ``To``, ``From`` or
``MessagingServiceSid``, ``Body`` and an optional ``StatusCallback``, and a ``201`` answer with
the message resource (``{"sid": "SM...", "status": "queued", ...}``). Errors have Twilio's shape:
``{"code": 21211, "message": "...", "more_info": "...", "status": 400}``.

Tests script what the next requests get with ``answer_next`` (a status and a JSON body, or a
raw text body), and read what was sent in ``requests``::

    async with FakeTwilioApi("AC123", "token") as api:
        api.answer_next(500)           # the next request fails, the one after succeeds
        ... TwilioSettings(api_base=api.base_url, ...) ...
        assert api.requests[-1].form["Body"] == "..."
"""

from __future__ import annotations

import base64
import itertools
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fakes.loopback import Loopback

OPTED_OUT = 21610
INVALID_TO = 21211


def error_body(status: int, code: int, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


UNSUBSCRIBED = error_body(400, OPTED_OUT, "Attempt to send to unsubscribed recipient")
NOT_A_NUMBER = error_body(400, INVALID_TO, "The 'To' number 12345 is not a valid phone number.")


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any] | None = None  # JSON; None: the normal 201 message resource
    text: str | None = None  # a raw, non-JSON body (a proxy's HTML error page)


@dataclass(frozen=True)
class Received:
    account_sid: str
    authorized: bool
    form: dict[str, str]
    status: int  # what it was answered
    sid: str | None  # the message SID given, if accepted


@dataclass
class FakeTwilioApi:
    account_sid: str
    auth_token: str
    requests: list[Received] = field(default_factory=list)
    script: deque[Answer] = field(default_factory=deque)
    _server: Loopback = field(default_factory=Loopback)
    _sids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- scripting -------------------------------------------------------------------------

    def answer_next(
        self, status: int, body: dict[str, Any] | None = None, text: str | None = None
    ) -> None:
        """What the next unanswered request gets (queued in order; then 201 again)."""
        if body is None and text is None and status >= 300:
            body = error_body(status, 20500 if status >= 500 else 20001, "Internal error")
        self.script.append(Answer(status, body, text))

    @property
    def base_url(self) -> str:
        return self._server.url

    @property
    def sent(self) -> list[Received]:
        """The requests that were accepted (201), in order."""
        return [r for r in self.requests if r.sid is not None]

    # -- the server ------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self._messages)
        await self._server.start(app)

    async def close(self) -> None:
        await self._server.stop()

    async def __aenter__(self) -> FakeTwilioApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    def _authorized(self, request: web.Request, account: str) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == self.account_sid == account and password == self.auth_token

    async def _messages(self, request: web.Request) -> web.Response:
        account = request.match_info["account"]
        form = {key: str(value) for key, value in (await request.post()).items()}
        authorized = self._authorized(request, account)

        def log(status: int, sid: str | None = None) -> None:
            self.requests.append(Received(account, authorized, form, status, sid))

        if not authorized:
            log(401)
            return web.json_response(error_body(401, 20003, "Authenticate"), status=401)
        answer = self.script.popleft() if self.script else None
        if answer is not None and (answer.body is not None or answer.text is not None):
            log(answer.status)
            if answer.text is not None:
                return web.Response(status=answer.status, text=answer.text)
            return web.json_response(answer.body, status=answer.status)
        problem = self._invalid(form)
        if problem is not None:
            log(400)
            return web.json_response(problem, status=400)
        sid = f"SM{next(self._sids):032x}"
        log(201, sid)
        return web.json_response(self._resource(sid, account, form), status=201)

    @staticmethod
    def _invalid(form: dict[str, str]) -> dict[str, Any] | None:
        if not form.get("To"):
            return error_body(400, 21604, "A 'To' phone number is required.")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return error_body(400, 21603, "A 'From' phone number is required.")
        if not form.get("Body"):
            return error_body(400, 21602, "Message body is required.")
        if len(form["Body"]) > 1600:
            return error_body(400, 21617, "The concatenated message body exceeds the 1600 limit.")
        return None

    @staticmethod
    def _resource(sid: str, account: str, form: dict[str, str]) -> dict[str, Any]:
        return {
            "sid": sid,
            "account_sid": account,
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "to": form["To"],
            "from": form.get("From"),
            "body": form["Body"],
            "status": "queued",
            "num_segments": "1",
            "num_media": "0",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "date_created": "Thu, 17 Jun 2021 01:00:00 +0000",
            "date_updated": "Thu, 17 Jun 2021 01:00:00 +0000",
            "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        }
