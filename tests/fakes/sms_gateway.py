"""A fake SMS Gateway for Android (capcom6/android-sms-gateway), local-server mode, on 127.0.0.1.

It speaks the wire format ``channels.sms.android`` relies on: ``POST /message`` with basic auth
and a JSON body ``{"id", "message", "phoneNumbers", "withDeliveryReport"}``, answered ``202``
with the message state ``{"id", "state": "Pending", "recipients": [...]}``. Like the real
gateway it keeps one message per id: the same id again is answered ``409`` and sends nothing.

Every request is recorded (``requests``); every message accepted is one SMS (``messages``). It
can be scripted: ``script`` holds statuses to answer the next requests with instead (500, 400,
...), ``delay`` slows every accepted answer, and once more than ``hold_after`` messages are
accepted, the answers not given yet wait until ``release()`` (those messages are accepted, i.e.
"on the phone", but the sender does not hear so). ``closed_url()`` is an address where nothing
listens.

Run it in the test's event loop (``async with FakeSmsGateway() as gateway``) or in a thread of
its own (``with GatewayThread(FakeSmsGateway()) as gateway``) for a sender in another process.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import web

from tests.fakes.loopback import Loopback

USER = "vaxbot"
PASSWORD = "s3cret:pass"  # a colon in the password: basic auth splits on the first one only


@dataclass(frozen=True, slots=True)
class Received:
    """One request as the gateway saw it, and the status it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def closed_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FakeSmsGateway:
    def __init__(
        self, user: str = USER, password: str = PASSWORD, delay: float = 0.0, port: int = 0
    ) -> None:
        self.auth = basic_auth(user, password)
        self.delay = delay
        self.port = port
        self.requests: list[Received] = []
        self.messages: dict[str, dict[str, Any]] = {}  # accepted, by id: one SMS each
        self.script: deque[int] = deque()
        self.hold_after: int | None = None
        self.conflicts = 0  # repeated ids answered 409
        self.url = ""
        self._server = Loopback()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release = asyncio.Event()

    @property
    def sms(self) -> list[tuple[str, str]]:
        """Every SMS the phone would send: (number, text), in the order accepted."""
        return [
            (number, str(body["message"]))
            for body in list(self.messages.values())
            for number in body["phoneNumbers"]
        ]

    async def start(self) -> str:
        self._loop = asyncio.get_running_loop()
        app = web.Application()
        app.router.add_post("/message", self._message)
        self.url = await self._server.start(app, self.port, shutdown=2.0)
        return self.url

    def release(self) -> None:
        """Answer the held messages, and hold no more."""
        self.hold_after = None
        self._release.set()

    def release_from_thread(self) -> None:
        """``release``, from a thread other than the gateway's (``GatewayThread``)."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self.release)

    async def stop(self) -> None:
        self.release()
        await self._server.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _message(self, request: web.Request) -> web.Response:
        try:
            body: Any = await request.json()
        except ValueError:
            body = None

        def answer(status: int, payload: dict[str, Any]) -> web.Response:
            self.requests.append(
                Received(request.method, request.path, dict(request.headers), body, status)
            )
            return web.json_response(payload, status=status)

        if request.headers.get("Authorization") != self.auth:
            return answer(401, {"message": "Unauthorized"})
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("message"), str)
            or not isinstance(body.get("phoneNumbers"), list)
            or not body["phoneNumbers"]
        ):
            return answer(400, {"message": "invalid request"})
        if self.script:
            status = self.script.popleft()
            if status >= 300:
                return answer(status, {"message": f"scripted HTTP {status}"})
        message_id = str(body.get("id") or uuid.uuid4().hex)
        if message_id in self.messages:
            self.conflicts += 1
            return answer(409, {"message": f"message with id {message_id} already exists"})
        self.messages[message_id] = body
        response = answer(
            202,
            {
                "id": message_id,
                "state": "Pending",
                "recipients": [
                    {"phoneNumber": number, "state": "Pending"} for number in body["phoneNumbers"]
                ],
            },
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold_after is not None and len(self.messages) > self.hold_after:
            await self._release.wait()
        return response


class GatewayThread:
    """Runs a ``FakeSmsGateway`` on an event loop in a background thread."""

    def __init__(self, gateway: FakeSmsGateway) -> None:
        self.gateway = gateway
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fake-sms-gateway", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to the test thread
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self.gateway:
            self._ready.set()
            await self._stop.wait()

    def call(self, fn: Any) -> None:
        """Run ``fn()`` on the gateway's loop (e.g. ``gateway.release``)."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(fn)

    def __enter__(self) -> FakeSmsGateway:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake SMS gateway did not start")
        if self._error is not None:
            raise RuntimeError("the fake SMS gateway failed to start") from self._error
        return self.gateway

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        assert not self._thread.is_alive(), "the fake SMS gateway did not stop"
        if self._error is not None:
            raise self._error
