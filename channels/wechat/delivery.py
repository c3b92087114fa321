"""The outbox's way to WeChat: customer-service messages, template messages outside the window.

A message to an OpenID goes as a customer-service text message (split at 2,048 bytes). WeChat
accepts those only within 48 hours of the user's last message (45015) and up to a count since
then (45047); a notice refused so is sent as the template message configured for its kind
(``VAXBOT_WECHAT_TEMPLATES``: the kind is the first part of the outbox key: booking, reminder,
alert, offer), its text in the template's ``content`` field. Without a template it is
undeliverable here (the outbox then tries the person's phone by SMS). A user who unfollowed
(43004) is opted out; a bad OpenID (40003) is undeliverable; busy, quota and network trouble
are tried again later.
"""

from __future__ import annotations

import logging

from bot.outbox import DeliveryError, OptedOut, Undeliverable
from channels.wechat.api import (
    BAD_OPENID,
    NOT_FOLLOWING,
    OUT_OF_WINDOW,
    TOO_MANY_REPLIES,
    Unreachable,
    WeChatApi,
    WeChatError,
)
from channels.wechat.render import split
from channels.wechat.settings import WeChatSettings
from store import Outgoing

CHANNEL = "wechat"
log = logging.getLogger("vaxbot.wechat.delivery")


def notice_kind(key: str) -> str:
    """``reminder:ABC123:2021-06-20:+86…`` → ``reminder``."""
    return key.partition(":")[0]


class WeChatDelivery:
    channel = CHANNEL
    idempotent = False  # neither API takes an idempotency key

    def __init__(self, api: WeChatApi, settings: WeChatSettings) -> None:
        self.api = api
        self.templates = dict(settings.templates)
        self.field = settings.template_field

    async def send(self, message: Outgoing) -> str | None:
        try:
            return await self._send(message)
        except Unreachable as exc:
            raise DeliveryError(str(exc)) from None
        except WeChatError as error:
            if error.errcode == NOT_FOLLOWING:
                raise OptedOut(str(error)) from None
            if error.errcode == BAD_OPENID:
                raise Undeliverable(str(error)) from None
            raise DeliveryError(str(error)) from None

    async def _send(self, message: Outgoing) -> str | None:
        try:
            for part in split(message.text):
                await self.api.send_text(message.address, part)
            return "custom"
        except WeChatError as error:
            if error.errcode not in (OUT_OF_WINDOW, TOO_MANY_REPLIES):
                raise
            kind = notice_kind(message.key)
            template = self.templates.get(kind) if message.kind == "notice" else None
            if template is None:
                raise Undeliverable(
                    f"outside the customer-service window ({error.errcode}), no template for "
                    f"{kind if message.kind == 'notice' else 'a reply'}"
                ) from None
        answer = await self.api.send_template(message.address, template, {self.field: message.text})
        log.debug("template %s sent for %s", template, kind)
        return f"template:{answer.get('msgid', '')}"
