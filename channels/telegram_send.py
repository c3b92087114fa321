"""What vaxbot sends to Telegram: a reply rendered as messages, its options as buttons (a row
when few and short, else a column; keys too long for ``callback_data`` listed in the text as the
SMS does), long texts cut at line ends, attachments after the text; and the outbox's delivery to
Telegram chats (reminders, offers), its errors sorted into opted out, undeliverable and later.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.messages import Reply, ReplyOption
from bot.outbox import DeliveryError, OptedOut, Undeliverable
from store import Outgoing

CHANNEL = "telegram"
MAX_CALLBACK = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # bytes of callback_data
MAX_MESSAGE = int(MessageLimit.MAX_TEXT_LENGTH)  # characters of one message
ROW_OPTIONS = 3  # up to this many short options share one row of buttons
ROW_CHARS = 24  # ... if their button texts have at most this many characters together
_CHAT_ID = re.compile(r"-?[0-9]{1,20}")


def fits(key: str) -> bool:
    return 0 < len(key.encode("utf-8")) <= MAX_CALLBACK


def button_text(option: ReplyOption) -> str:
    return f"{option.key}. {option.label}"


def keyboard(options: Sequence[ReplyOption]) -> InlineKeyboardMarkup | None:
    """One button per option (whose key fits in callback_data): a row if few and short, else
    one column."""
    buttons = [
        InlineKeyboardButton(button_text(option), callback_data=option.key)
        for option in options
        if fits(option.key)
    ]
    if not buttons:
        return None
    if len(buttons) <= ROW_OPTIONS and sum(len(b.text) for b in buttons) <= ROW_CHARS:
        return InlineKeyboardMarkup([buttons])
    return InlineKeyboardMarkup([[button] for button in buttons])


def split(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text or not pieces:
        pieces.append(text)
    return pieces


def render(reply: Reply) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """A reply as message texts (the keyboard goes with the last one)."""
    text = reply.text
    unfit = [option for option in reply.options if not fits(option.key)]
    if unfit:  # no button can carry these keys: list them as the SMS does
        text += "".join(f"\n{option.key}. {option.label}" for option in unfit)
    return split(text.strip() or "…"), keyboard(reply.options)


async def send_replies(bot: Bot, chat_id: int, replies: Sequence[Reply]) -> int:
    """Each reply as a message (its options as buttons), then its attachments; the id of the
    message whose buttons are the current ones (the last text sent, if it has any), or 0."""
    live = 0
    for reply in replies:
        pieces, markup = render(reply)
        for n, piece in enumerate(pieces, 1):
            last = n == len(pieces)
            sent = await bot.send_message(chat_id, piece, reply_markup=markup if last else None)
            live = sent.message_id if last and markup is not None else 0
        # Images first: the QR code shows right under the confirmation, then the files.
        for attachment in sorted(reply.attachments, key=lambda a: not a.mime.startswith("image/")):
            file = InputFile(attachment.data, filename=attachment.name)
            if attachment.mime.startswith("image/"):
                await bot.send_photo(chat_id, file)
            else:
                await bot.send_document(chat_id, file)
    return live


class TelegramDelivery:
    """Outbox messages (reminders, offers) to Telegram chats."""

    channel = CHANNEL
    idempotent = False  # the Bot API takes no idempotency key

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, message: Outgoing) -> str | None:
        if not _CHAT_ID.fullmatch(message.address):  # int() would take "+8613800138000"
            raise Undeliverable("not a Telegram chat id")
        chat_id = int(message.address)
        sent = None
        try:
            for piece in split(message.text):
                sent = await self.bot.send_message(chat_id, piece)
        except Forbidden as exc:  # blocked by the user, or the account was deleted
            raise OptedOut(f"Telegram 403: {exc.message}") from None
        except BadRequest as exc:  # chat not found, text rejected: never going to work
            raise Undeliverable(f"Telegram 400: {exc.message}") from None
        except TelegramError as exc:  # NetworkError, TimedOut, RetryAfter, ...: later
            raise DeliveryError(f"Telegram {type(exc).__name__}: {exc.message}") from None
        return f"{chat_id}:{sent.message_id}" if sent is not None else None
