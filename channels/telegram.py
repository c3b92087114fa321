"""Telegram: a bot through python-telegram-bot, inside ``vaxbot serve`` on its event loop.

``TelegramChannel`` builds a PTB ``Application`` (with ``AIORateLimiter``) and runs it by hand
on the running loop (``initialize``/``start`` ... ``stop``/``shutdown``, never ``run_polling``):

- polling (the default): PTB's ``Updater`` long-polls ``getUpdates`` (after ``deleteWebhook``);
- webhook (``Webhook(public_url, secret, path)``): ``setWebhook`` at start, and ``routes(app)``
  adds ``POST <path>`` to serve's aiohttp app. A request without the right
  ``X-Telegram-Bot-Api-Secret-Token`` header gets 403 and runs nothing.

Only private chats are served. Text goes to the engine as typed, in one ``Inbound`` per update:
address the chat id, ``message_id`` ``message:<chat>:<message id>`` (Telegram never reuses a
message id within a chat, while update ids may restart at random after a week without updates),
language from the user's ``language_code`` (``zh*`` Chinese, any other English, none: guessed
from the text; it only matters for a new conversation). ``/start`` greets with the menu,
``/help`` is HELP, ``/menu`` MENU, ``/cancel`` is QUIT (leave the current step; cancelling a
booking is the menu's "Cancel a booking"). A message without text (a sticker, a photo) is
answered like an empty SMS.

Each reply is one message (split at 4,096 characters) with its options as an inline keyboard:
one button per option, ``"<key>. <label>"`` as its text (the engine's texts say "reply with a
number"; typing the number or a word still works), the option key as ``callback_data``. A
button press is answered at once (``answerCallbackQuery``, stops the spinner), then its key goes
to the engine as if typed, with ``message_id`` ``callback:<query id>``. A key longer than
Telegram's 64 bytes gets no button: it is listed in the text instead. Only the buttons of the
latest message with buttons count: a tap on an older one gets a short "out of date" notice and
runs nothing (else "1" from an old menu would answer today's question); the channel keeps this
in memory, so after a restart any tap is taken. Attachments follow their
reply: images first with ``sendPhoto`` (the booking's QR code), then other files with
``sendDocument`` (the ``.ics`` calendar entry).

A redelivered update reaches the engine with the same message id, so it runs nothing and is
answered with the replies already given (without their attachments).

``TelegramDelivery`` is the outbox's way to Telegram (reminders, offers): a message to a chat
id, through the same bot and rate limiter. A user who blocked the bot (403 Forbidden) is opted
out; 400 Bad Request (chat not found, ...) is undeliverable; network trouble, timeouts and
429 Retry After are tried again later.

Logs show chat ids masked and never message text; the bot token is removed from every log line
of PTB and httpx while the channel runs (httpx logs request URLs, which contain the token).
"""

from __future__ import annotations

import hmac
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram import Bot, Update, User
from telegram.constants import ChatType
from telegram.error import Forbidden, InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.intake import Intake
from bot.messages import Inbound
from channels import webjson
from channels.telegram_send import CHANNEL, TelegramDelivery, send_replies
from flows.texts import Lang, text

log = logging.getLogger("vaxbot.telegram")

# PTB 22 warns (PTBDeprecationWarning) each time it builds a RetryAfter, i.e. on every 429 from
# Telegram, unless the program opts in to time periods as ``timedelta`` (PTB 23's behaviour).
# vaxbot reads no time-period attribute of PTB objects, and PTB itself reads only the timedelta:
# opt in (a deployer's own setting wins).
os.environ.setdefault("PTB_TIMEDELTA", "true")

API_BASE = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE = 1024 * 1024  # bytes of one webhook body: updates are a few kB
ALLOWED_UPDATES = ("message", "callback_query")
MEMORY = 100_000  # chats (and tapped queries) remembered for the out-of-date-buttons check
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a webhook secret

# Bot commands, as the engine's own command words (bot/matching.py).
COMMANDS: Mapping[str, str] = {
    "start": "/start",  # the greeting and the menu
    "help": "/help",
    "menu": "/menu",  # slash words: no language of their own (menu would be English)
    "cancel": "/quit",  # leave what is in progress ("cancel" alone cancels a booking)
}

# The toast for a tap on buttons that are no longer the current question's.
# Loggers that may print request URLs, or errors, with the token in them.
_TOKEN_LOGGERS = (
    "vaxbot.telegram",
    "httpx",
    "telegram",
    "telegram.Bot",
    "telegram.BaseRequest",
    "telegram.HTTPXRequest",
    "telegram.ext",
    "telegram.ext.AIORateLimiter",
    "telegram.ext.Application",
    "telegram.ext.ExtBot",
    "telegram.ext.Updater",
)

TelegramApp = Application[Any, Any, Any, Any, Any, Any]


class TelegramConfigError(ValueError):
    """The Telegram settings cannot work (a wrong token, a malformed webhook secret)."""


class TelegramStartError(RuntimeError):
    """Telegram could not be reached at start-up."""


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: Telegram POSTs updates to ``public_url + path`` with ``secret``."""

    public_url: str  # what Telegram calls (https, port 443, 80, 88 or 8443)
    secret: str  # sent back in X-Telegram-Bot-Api-Secret-Token: 1-256 of A-Z a-z 0-9 _ -
    path: str = "/telegram/webhook"  # the route on serve's own app

    def __post_init__(self) -> None:
        if not _SECRET.fullmatch(self.secret):
            raise TelegramConfigError(
                "the Telegram webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
            )
        if not self.path.startswith("/"):
            raise TelegramConfigError("the Telegram webhook path must start with /")

    @property
    def url(self) -> str:
        return self.public_url.rstrip("/") + self.path


@dataclass(frozen=True)
class TelegramSettings:
    """From the environment: ``VAXBOT_TELEGRAM_TOKEN`` (no token, no Telegram),
    ``VAXBOT_TELEGRAM_API_BASE`` (a Bot API server or proxy; default Telegram's),
    ``VAXBOT_TELEGRAM_WEBHOOK_SECRET`` (webhook mode instead of polling) and
    ``VAXBOT_TELEGRAM_WEBHOOK_PATH`` (default ``/telegram/webhook``)."""

    token: str | None = None
    api_base: str = API_BASE
    webhook_secret: str | None = None
    webhook_path: str = "/telegram/webhook"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TelegramSettings:
        settings = cls(
            token=env.get("VAXBOT_TELEGRAM_TOKEN") or None,
            api_base=env.get("VAXBOT_TELEGRAM_API_BASE") or API_BASE,
            webhook_secret=env.get("VAXBOT_TELEGRAM_WEBHOOK_SECRET") or None,
            webhook_path=env.get("VAXBOT_TELEGRAM_WEBHOOK_PATH") or "/telegram/webhook",
        )
        if settings.webhook_secret and not settings.token:
            raise TelegramConfigError(
                "VAXBOT_TELEGRAM_WEBHOOK_SECRET is set but VAXBOT_TELEGRAM_TOKEN is not"
            )
        if settings.token and settings.webhook_secret:
            settings.webhook("https://check.invalid")  # validates secret and path now
        return settings

    @property
    def base_url(self) -> str:
        return self.api_base.rstrip("/") + "/bot"

    def webhook(self, public_url: str) -> Webhook | None:
        if not self.webhook_secret:
            return None
        return Webhook(public_url, self.webhook_secret, self.webhook_path)


def mask_chat(chat_id: int | str) -> str:
    """A chat id for the logs: its last three digits."""
    digits = str(chat_id)
    return "*" * max(len(digits) - 3, 3) + digits[-3:]


def language(user: User | None) -> str | None:
    """The user's language for a new conversation: ``zh`` for any ``zh*`` code, else ``en``;
    None if Telegram does not say (the engine then guesses from the text)."""
    if user is None or not user.language_code:
        return None
    return "zh" if user.language_code.lower().startswith("zh") else "en"


class _HideToken(logging.Filter):
    """Replaces the bot token in log records: httpx logs every request URL, token included, and
    PTB's InvalidToken says "The token `...` was rejected"."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def hide(self, text: str) -> str:
        return text.replace(self.token, "<token>")

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler
            return True
        if self.token in message:
            record.msg = self.hide(message)
            record.args = None
        if record.exc_info and not record.exc_text:  # formatters reuse exc_text
            trace = logging.Formatter().formatException(record.exc_info)
            if self.token in trace:
                record.exc_text = self.hide(trace)
        return True


class TelegramChannel:
    """The Telegram bot: start it on serve's loop, stop it before the loop ends."""

    def __init__(
        self,
        intake: Intake,
        token: str,
        base_url: str | None = None,
        webhook: Webhook | None = None,
        poll_timeout: int = 10,  # seconds of each getUpdates long poll
    ) -> None:
        if not token:
            raise TelegramConfigError("a Telegram bot token is required")
        self.intake = intake  # the one way in (rate limit, order, turns off the event loop)
        self.webhook = webhook
        self.poll_timeout = poll_timeout
        self._hide_token = _HideToken(token)
        for name in _TOKEN_LOGGERS:  # before build(): PTB logs its URLs, token included
            logging.getLogger(name).addFilter(self._hide_token)
        base = (base_url or API_BASE + "/bot").rstrip("/")
        file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base
        builder = (
            Application.builder()
            .token(token)
            .base_url(base)
            .base_file_url(file_base)
            .rate_limiter(AIORateLimiter())
        )
        if webhook is not None:
            builder = builder.updater(None)  # updates come through routes(), not getUpdates
        self.app: TelegramApp = builder.build()
        self._initialized = False
        # Per chat, the message whose buttons answer the current question (0: none): a tap on an
        # older message would answer this question with another's key. In memory only: after a
        # restart every tap is taken, as it then always was.
        self._live: OrderedDict[int, int] = OrderedDict()
        self._tapped: OrderedDict[str, None] = OrderedDict()  # callback queries already run
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        for command in COMMANDS:
            self.app.add_handler(CommandHandler(command, self._on_command, filters=private))
        self.app.add_handler(MessageHandler(private & filters.TEXT, self._on_text))
        self.app.add_handler(MessageHandler(private & ~filters.TEXT, self._on_other))
        self.app.add_handler(CallbackQueryHandler(self._on_button))
        self.app.add_error_handler(self._on_error)

    @property
    def bot(self) -> Bot:
        return self.app.bot  # type: ignore[no-any-return]

    @property
    def running(self) -> bool:
        return bool(self.app.running)

    def delivery(self) -> TelegramDelivery:
        """The outbox's sender through this bot (usable once the channel has started)."""
        return TelegramDelivery(self.bot)

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect (getMe), then poll or set the webhook, then handle updates."""
        for name in _TOKEN_LOGGERS:  # again, after a stop() (adding twice is a no-op)
            logging.getLogger(name).addFilter(self._hide_token)
        try:
            await self.app.initialize()
            self._initialized = True
            if self.webhook is not None:
                await self.bot.set_webhook(
                    self.webhook.url,
                    secret_token=self.webhook.secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            else:
                assert self.app.updater is not None
                await self.app.updater.start_polling(
                    timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES
                )
            await self.app.start()
        except InvalidToken:
            await self.stop()
            raise TelegramConfigError("Telegram rejected the bot token") from None
        except TelegramError as exc:  # unreachable, ...: its message may hold the URL
            await self.stop()
            detail = self._hide_token.hide(f"{type(exc).__name__}: {exc.message}")
            raise TelegramStartError(f"Telegram unavailable: {detail}") from None
        except BaseException:
            await self.stop()
            raise
        me = self.bot.username
        mode = f"webhook {self.webhook.path}" if self.webhook else "polling"
        log.info("telegram started as @%s (%s)", me, mode)

    async def stop(self) -> None:
        """Stop fetching updates, finish the ones in hand, close the connections; each step
        even if one before failed (polling ends with an error if the token was revoked)."""
        app = self.app
        try:
            if app.updater is not None and app.updater.running:
                await self._carry_on(app.updater.stop())
            if app.running:
                await self._carry_on(app.stop())
            if self._initialized:
                self._initialized = False
                await self._carry_on(app.shutdown())
            await self._carry_on(app.bot.shutdown())  # after a failed start: its connections
            log.info("telegram stopped")
        finally:
            for name in _TOKEN_LOGGERS:
                logging.getLogger(name).removeFilter(self._hide_token)

    async def _carry_on(self, step: Awaitable[None]) -> None:
        try:
            await step
        except Exception as exc:
            log.error("telegram: while stopping: %s", type(exc).__name__)

    # -- webhook ---------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        """Add the webhook route to serve's app (nothing in polling mode)."""
        if self.webhook is not None:
            app.router.add_post(self.webhook.path, self._incoming)

    async def _incoming(self, request: web.Request) -> web.Response:
        assert self.webhook is not None
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.webhook.secret.encode()):
            log.warning("telegram webhook: bad secret token from %s", request.remote)
            return web.Response(status=403, text="bad secret token")
        if not self.running:  # Telegram tries again later
            return web.Response(status=503, text="not running")
        body = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > MAX_UPDATE:
                return web.Response(status=413, text="too large")
        try:
            data = webjson.parse(bytes(body))
            update = Update.de_json(data, self.bot) if isinstance(data, dict) else None
        except (webjson.BadBody, ValueError, TypeError, KeyError, AttributeError):
            update = None
        if update is None:
            return web.Response(status=400, text="not an update")
        await self.app.update_queue.put(update)
        return web.Response(status=200)

    # -- updates ---------------------------------------------------------------------------

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or not message.text:
            return
        command = message.text.split()[0].lstrip("/").partition("@")[0].lower()
        text = COMMANDS.get(command, message.text)
        key = f"message:{message.chat.id}:{message.message_id}"
        await self._turn(update.update_id, message.chat.id, text, key, message.from_user)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.text is None:
            return
        key = f"message:{message.chat.id}:{message.message_id}"
        await self._turn(update.update_id, message.chat.id, message.text, key, message.from_user)

    async def _on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A sticker, photo, contact ...: the engine answers it like an empty message."""
        message = update.message
        if message is None:
            return
        key = f"message:{message.chat.id}:{message.message_id}"
        await self._turn(update.update_id, message.chat.id, "", key, message.from_user)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        chat = query.message.chat if query.message is not None else None
        chat_id = chat.id if chat is not None else query.from_user.id
        tapped = query.message.message_id if query.message is not None else None
        live = self._live.get(chat_id)
        stale = query.id not in self._tapped and live is not None and tapped != live
        lang: Lang = "en" if language(query.from_user) == "en" else "zh"
        toast = text(lang, "telegram.stale") if stale else None
        try:
            await query.answer(toast)
        except TelegramError as exc:  # too old, or already answered (a redelivery)
            log.info("telegram: callback query not answered: %s", type(exc).__name__)
        if (chat is not None and chat.type != ChatType.PRIVATE) or not query.data:
            return
        if stale:
            log.info("telegram: out-of-date button in chat=%s", mask_chat(chat_id))
            return
        _remember(self._tapped, query.id, None)
        key = f"callback:{query.id}"
        await self._turn(update.update_id, chat_id, query.data, key, query.from_user)

    async def _turn(
        self, update_id: int, chat_id: int, text: str, message_id: str, user: User | None
    ) -> None:
        inbound = Inbound(CHANNEL, str(chat_id), text, message_id=message_id, lang=language(user))
        replies = (await self.intake.take(inbound)).replies
        _remember(self._live, chat_id, 0)  # until the new buttons are out
        try:
            _remember(self._live, chat_id, await send_replies(self.bot, chat_id, replies))
        except Forbidden:
            log.info("telegram: chat %s has blocked the bot", mask_chat(chat_id))
        except TelegramError as exc:
            log.warning(
                "telegram: replies to update=%d chat=%s not sent: %s",
                update_id, mask_chat(chat_id), type(exc).__name__,
            )  # fmt: skip

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        where = update.update_id if isinstance(update, Update) else "-"
        log.error("telegram: update=%s failed: %s", where, type(error).__name__, exc_info=error)


def _remember(memory: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    memory[key] = value
    memory.move_to_end(key)
    while len(memory) > MEMORY:
        memory.popitem(last=False)
