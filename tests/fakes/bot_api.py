"""A fake of the Telegram Bot API: a real aiohttp server on 127.0.0.1.

It speaks the wire format the way ``api.telegram.org`` does, closely enough for
python-telegram-bot: ``POST /bot<token>/<method>`` (or GET) with the parameters as JSON, as a
urlencoded form or as multipart (files), answered ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": 4xx, "description": "...", "parameters": {...}}`` with the same
HTTP status. A wrong token gets 401, an unknown method 404.

Methods: ``getMe``, ``getUpdates`` (long polling: updates with ``update_id >= offset`` are served
until a later ``offset`` confirms them; with none pending it waits up to ``min(timeout,
long_poll)`` seconds for one), ``deleteWebhook``, ``setWebhook``, ``getWebhookInfo``,
``sendMessage``, ``sendPhoto``, ``sendDocument`` (multipart: the file's name, type and bytes are
kept), ``answerCallbackQuery`` (a query answered twice gets Telegram's 400), ``close``,
``logOut``. Sending to a chat that never wrote to the bot is 400 "chat not found"; to a user who
``block``-ed the bot, 403.

Tests act as users and read what the bot did::

    async with FakeBotApi(TOKEN) as api:
        ana = api.user(1001, "Ana", "en")
        api.push(api.text(ana, "/start"))             # a private message (commands get entities)
        ...
        menu = api.sent_to(ana)[-1]                    # what the bot sent to her, in order
        api.push(api.press(ana, menu, "1"))            # she taps the button with callback_data "1"
        api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fakes.loopback import Loopback

JSONDict = dict[str, Any]

# Parameters the Bot API reads as JSON when they come as form fields.
JSON_PARAMS = frozenset({"reply_markup", "allowed_updates", "entities", "reply_parameters",
                         "link_preview_options", "caption_entities"})  # fmt: skip
INT_PARAMS = frozenset({"chat_id", "offset", "limit", "timeout", "message_id", "cache_time"})
BOOL_PARAMS = frozenset({"drop_pending_updates", "show_alert", "disable_notification"})


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Call:
    """One request the bot made, decoded, with what it was answered."""

    method: str
    params: JSONDict
    files: dict[str, Upload]
    ok: bool
    result: Any


@dataclass(frozen=True)
class Sent:
    """One message the bot sent to a chat (``sendMessage``, ``sendPhoto``, ``sendDocument``)."""

    method: str
    message: JSONDict  # the Message object the fake answered with
    upload: Upload | None = None

    @property
    def text(self) -> str:
        return str(self.message.get("text") or self.message.get("caption") or "")

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """The inline keyboard as rows of ``(text, callback_data)``."""
        markup = self.message.get("reply_markup") or {}
        return [
            [(button["text"], button.get("callback_data", "")) for button in row]
            for row in markup.get("inline_keyboard", [])
        ]

    @property
    def keys(self) -> list[str]:
        return [key for row in self.buttons for _, key in row]


@dataclass
class FakeBotApi:
    token: str
    bot_id: int = 7000001
    username: str = "vaxbot_test_bot"
    long_poll: float = 0.3  # seconds getUpdates waits at most when nothing is pending
    calls: list[Call] = field(default_factory=list)
    webhook: JSONDict = field(default_factory=dict)  # what setWebhook was given
    _pending: list[JSONDict] = field(default_factory=list)
    _offsets: list[int] = field(default_factory=list)
    _script: deque[tuple[str, ApiError]] = field(default_factory=deque)
    _users: dict[int, JSONDict] = field(default_factory=dict)
    _blocked: set[int] = field(default_factory=set)
    _answered: set[str] = field(default_factory=set)
    _chat_messages: dict[int, itertools.count[int]] = field(default_factory=dict)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(500001))
    _query_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(9000001))
    _files: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _arrived: asyncio.Event | None = None
    _closing: bool = False
    _server: Loopback = field(default_factory=Loopback)

    # -- the server ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """For PTB's ``base_url`` (the token is appended)."""
        return f"{self._server.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self._server.url}/file/bot"

    async def start(self) -> None:
        self._arrived = asyncio.Event()
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        await self._server.start(app)

    async def close(self) -> None:
        self._closing = True
        if self._arrived is not None:
            self._arrived.set()  # lets a waiting getUpdates answer now
        await self._server.stop()

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    # -- users and their updates -----------------------------------------------------------

    def user(self, user_id: int, first_name: str, language_code: str | None = "en") -> JSONDict:
        """A Telegram user (their private chat with the bot has the same id)."""
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def chat(self, user: JSONDict) -> JSONDict:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._chat_messages.setdefault(chat_id, itertools.count(1)))

    def text(self, user: JSONDict, text: str) -> JSONDict:
        """An update: ``user`` writes ``text`` to the bot (a leading /command gets its entity)."""
        message: JSONDict = {
            "message_id": self._next_message_id(user["id"]),
            "from": user,
            "chat": self.chat(user),
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": next(self._update_ids), "message": message}

    def sticker(self, user: JSONDict) -> JSONDict:
        """An update: ``user`` sends a sticker (no text)."""
        message: JSONDict = {
            "message_id": self._next_message_id(user["id"]),
            "from": user,
            "chat": self.chat(user),
            "date": int(time.time()),
            "sticker": {"file_id": "sticker1", "file_unique_id": "s1", "type": "regular",
                        "width": 512, "height": 512, "is_animated": False, "is_video": False},
        }  # fmt: skip
        return {"update_id": next(self._update_ids), "message": message}

    def press(self, user: JSONDict, sent: Sent, key: str) -> JSONDict:
        """An update: ``user`` taps the button with callback_data ``key`` under ``sent``."""
        assert key in sent.keys, f"no button {key!r} under that message: {sent.buttons}"
        assert sent.message["chat"]["id"] == user["id"], "that message went to someone else"
        query = {
            "id": str(next(self._query_ids)),
            "from": user,
            "message": sent.message,
            "chat_instance": f"ci{user['id']}",
            "data": key,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    def push(self, update: JSONDict) -> JSONDict:
        """Queue ``update`` for getUpdates (pushing one twice delivers it twice)."""
        self._pending.append(update)
        if self._arrived is not None:
            self._arrived.set()
        return update

    def block(self, user: JSONDict) -> None:
        """The user blocks the bot: sending to them is 403 from now on."""
        self._blocked.add(user["id"])

    def fail_next(
        self, method: str, code: int, description: str, retry_after: int | None = None
    ) -> None:
        """The next call of ``method`` fails with this Bot API error (queued in order)."""
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        self._script.append((method, ApiError(code, description, parameters)))

    # -- reading what the bot did ----------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def sent_to(self, user: JSONDict) -> list[Sent]:
        """What the bot sent to the user's chat, in order."""
        found = []
        for call in self.calls:
            sending = call.method in ("sendMessage", "sendPhoto", "sendDocument")
            if call.ok and sending and call.result["chat"]["id"] == user["id"]:
                upload = next(iter(call.files.values()), None)
                found.append(Sent(call.method, call.result, upload))
        return found

    def confirmed(self, update_id: int) -> bool:
        """Whether the bot has confirmed ``update_id`` (asked getUpdates with a later offset)."""
        return any(offset > update_id for offset in self._offsets)

    async def wait_confirmed(self, update_id: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.confirmed(update_id):
            assert time.monotonic() < deadline, f"update {update_id} was never fetched"
            await asyncio.sleep(0.005)

    # -- requests --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await self._params(request)
        if request.match_info["token"] != self.token:
            return self._answer(method, params, files, ApiError(401, "Unauthorized"))
        for n, (scripted, error) in enumerate(self._script):
            if scripted == method:
                del self._script[n]
                return self._answer(method, params, files, error)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._answer(method, params, files, ApiError(404, "Not Found"))
        try:
            result = await handler(params, files)
        except ApiError as error:
            return self._answer(method, params, files, error)
        return self._answer(method, params, files, result)

    def _answer(
        self, method: str, params: JSONDict, files: dict[str, Upload], outcome: Any
    ) -> web.Response:
        if isinstance(outcome, ApiError):
            self.calls.append(Call(method, params, files, False, outcome.body()))
            return web.json_response(outcome.body(), status=outcome.code)
        self.calls.append(Call(method, params, files, True, outcome))
        return web.json_response({"ok": True, "result": outcome})

    async def _params(self, request: web.Request) -> tuple[JSONDict, dict[str, Upload]]:
        params: JSONDict = {key: _decode(key, value) for key, value in request.query.items()}
        files: dict[str, Upload] = {}
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body if isinstance(body, dict) else {})
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    files[key] = Upload(key, value.filename, value.content_type, data)
                else:
                    params[key] = _decode(key, str(value))
        return params, files

    def _chat_of(self, params: JSONDict) -> JSONDict:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or chat_id not in self._users:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return self.chat(self._users[chat_id])

    def _bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "VaxBot",
            "username": self.username,
        }

    def _message(self, chat: JSONDict, params: JSONDict, **content: Any) -> JSONDict:
        message: JSONDict = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self._bot_user(),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _file(self, params: JSONDict, files: dict[str, Upload], name: str) -> Upload:
        upload = files.get(name)
        if upload is None:
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        return upload

    # -- methods ---------------------------------------------------------------------------

    async def _m_getMe(self, params: JSONDict, files: dict[str, Upload]) -> JSONDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getUpdates(self, params: JSONDict, files: dict[str, Upload]) -> list[JSONDict]:
        offset = params.get("offset")
        if isinstance(offset, int) and offset:
            self._offsets.append(offset)
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        if not self._pending and timeout > 0 and not self._closing:
            assert self._arrived is not None
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), min(timeout, self.long_poll))
        limit = int(params.get("limit") or 100)
        return list(self._pending[:limit])

    async def _m_deleteWebhook(self, params: JSONDict, files: dict[str, Upload]) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _m_setWebhook(self, params: JSONDict, files: dict[str, Upload]) -> bool:
        if not str(params.get("url", "")).startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self.webhook = dict(params)
        return True

    async def _m_getWebhookInfo(self, params: JSONDict, files: dict[str, Upload]) -> JSONDict:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    async def _m_sendMessage(self, params: JSONDict, files: dict[str, Upload]) -> JSONDict:
        chat = self._chat_of(params)
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return self._message(chat, params, text=text)

    async def _m_sendPhoto(self, params: JSONDict, files: dict[str, Upload]) -> JSONDict:
        chat = self._chat_of(params)
        upload = self._file(params, files, "photo")
        n = next(self._files)
        photo = {"file_id": f"photo{n}", "file_unique_id": f"p{n}", "width": 296,
                 "height": 296, "file_size": len(upload.data)}  # fmt: skip
        content: JSONDict = {"photo": [photo]}
        if params.get("caption"):
            content["caption"] = params["caption"]
        return self._message(chat, params, **content)

    async def _m_sendDocument(self, params: JSONDict, files: dict[str, Upload]) -> JSONDict:
        chat = self._chat_of(params)
        upload = self._file(params, files, "document")
        n = next(self._files)
        document = {"file_id": f"doc{n}", "file_unique_id": f"d{n}",
                    "file_name": upload.filename, "mime_type": upload.content_type,
                    "file_size": len(upload.data)}  # fmt: skip
        content: JSONDict = {"document": document}
        if params.get("caption"):
            content["caption"] = params["caption"]
        return self._message(chat, params, **content)

    async def _m_answerCallbackQuery(self, params: JSONDict, files: dict[str, Upload]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if not query_id or query_id in self._answered:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._answered.add(query_id)
        return True

    async def _m_close(self, params: JSONDict, files: dict[str, Upload]) -> bool:
        return True

    async def _m_logOut(self, params: JSONDict, files: dict[str, Upload]) -> bool:
        return True


def _decode(name: str, value: str) -> Any:
    """A form field as the Bot API reads it: JSON for objects, numbers for ids and counts."""
    if name in JSON_PARAMS:
        return json.loads(value)
    if name in INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value  # a @channelusername
    if name in BOOL_PARAMS:
        return value.lower() == "true"
    return value
