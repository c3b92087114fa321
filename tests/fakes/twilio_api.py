"""A fake of Twilio's Messages REST API: a real aiohttp server on 127.0.0.1.

It implements ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` the way Twilio does:
HTTP basic auth (account SID, auth token), a form with ``To``, ``From`` or
``MessagingServiceSid``, ``Body`` and an optional ``StatusCallback``, and a ``201`` answer with
the message resource (``{"sid": "SM...", "status": "queued", ...}``). Errors have Twilio's shape:
``{"code": 21211, "message": "...", "more_info": "...", "status": 400}``.

It also lists messages as Twilio does: ``GET …/Messages.json`` filtered by ``To``, ``From`` and
``DateSent`` (``DateSent>``/``DateSent<`` on or after / before a day, GMT), newest first,
``PageSize`` at a time, each page ``{"messages": [...], "page", "page_size", "uri",
"first_page_uri", "next_page_uri", "previous_page_uri", "start", "end"}`` with
``next_page_uri`` null on the last. An accepted message is listed as sent (``date_sent`` now).

``hold_after``: past that many accepted messages, the next are accepted (and listed) but never
answered, as when the sender dies mid-send; ``release()`` answers again.

Tests script what the next requests get with ``answer_next`` (a status and a JSON body, or a
raw text body), and read what was sent in ``requests``::

    async with FakeTwilioApi("AC123", "token") as api:
        api.answer_next(500)           # the next request fails, the one after succeeds
        ... TwilioSettings(api_base=api.base_url, ...) ...
        assert api.requests[-1].form["Body"] == "..."
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

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
    listed: list[dict[str, Any]] = field(default_factory=list)  # accepted, oldest first
    hold_after: int | None = None
    _server: Loopback = field(default_factory=Loopback)
    _sids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _released: asyncio.Event | None = None

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
    def sms(self) -> list[tuple[str, str]]:
        """(To, Body) of every message accepted, in order."""
        return [(m["to"], m["body"]) for m in self.listed]

    def release(self) -> None:
        """Answer the held requests, and every one after."""
        self.hold_after = None
        if self._released is not None:
            self._released.set()

    @property
    def sent(self) -> list[Received]:
        """The requests that were accepted (201), in order."""
        return [r for r in self.requests if r.sid is not None]

    # -- the server ------------------------------------------------------------------------

    async def start(self) -> None:
        self._released = asyncio.Event()
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self._messages)
        app.router.add_get("/2010-04-01/Accounts/{account}/Messages.json", self._list)
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
        resource = self._resource(sid, account, form)
        now = format_datetime(datetime.now(UTC), usegmt=False)
        self.listed.append({**resource, "status": "sent", "date_created": now,
                            "date_updated": now, "date_sent": now})  # fmt: skip
        if self.hold_after is not None and len(self.listed) > self.hold_after:
            assert self._released is not None
            await self._released.wait()
        return web.json_response(resource, status=201)

    async def _list(self, request: web.Request) -> web.Response:
        account = request.match_info["account"]
        if not self._authorized(request, account):
            return web.json_response(error_body(401, 20003, "Authenticate"), status=401)
        query = request.query
        wanted = [m for m in reversed(self.listed) if self._matches(m, query)]
        size = min(max(int(query.get("PageSize", "50")), 1), 1000)
        page = int(query.get("Page", "0"))
        chunk = wanted[page * size : (page + 1) * size]
        path = request.path
        kept = {k: v for k, v in query.items() if k not in ("Page", "PageToken", "PageSize")}

        def uri(number: int) -> str:
            return f"{path}?{urlencode({**kept, 'PageSize': size, 'Page': number})}"

        more = (page + 1) * size < len(wanted)
        return web.json_response({
            "messages": chunk,
            "page": page,
            "page_size": size,
            "start": page * size,
            "end": page * size + max(len(chunk) - 1, 0),
            "uri": uri(page),
            "first_page_uri": uri(0),
            "next_page_uri": (uri(page + 1) + f"&PageToken=PASM{page + 1}") if more else None,
            "previous_page_uri": uri(page - 1) if page else None,
        })  # fmt: skip

    @staticmethod
    def _matches(message: dict[str, Any], query: Any) -> bool:
        if "To" in query and message["to"] != query["To"]:
            return False
        if "From" in query and message["from"] != query["From"]:
            return False
        sent = datetime.now(UTC).date().isoformat()  # listed messages were sent just now
        day = {k: str(query[k])[:10] for k in ("DateSent", "DateSent>", "DateSent<") if k in query}
        return (
            day.get("DateSent", sent) == sent
            and day.get("DateSent>", sent) <= sent
            and day.get("DateSent<", "9999") > sent
        )

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


class TwilioThread:
    """Runs a ``FakeTwilioApi`` on an event loop in a background thread (for tests that run
    vaxbot as a process)."""

    def __init__(self, api: FakeTwilioApi) -> None:
        self.api = api
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self.api:
            self._ready.set()
            await self._stop.wait()
            self.api.release()

    def release(self) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self.api.release)

    def __enter__(self) -> TwilioThread:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake Twilio API did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
