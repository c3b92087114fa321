"""The engine's contract with the channels: one inbound message in, replies out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flows.dialogue import Attachment
from flows.identity import normalise_phone

PHONE_CHANNELS = frozenset({"sms"})  # channels whose address is the sender's own phone


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a resident (or an operator acting for one), channel-neutral."""

    channel: str  # "sms", "telegram", "email", "terminal", "operator", ...
    address: str  # the sender on that channel: a phone number, chat id, mail address
    text: str
    message_id: str | None = None  # the provider's id; a redelivery gets the same replies
    time: datetime | None = None  # when it was received; the engine's clock if None
    actor: str | None = None  # who typed it, when not the resident (an operator's name)
    phone: str | None = None  # the sender's own number, where the channel vouches for it
    lang: str | None = None  # the sender's language as the channel knows it ("zh", "en")

    def own_phone(self) -> str | None:
        """The sender's own number: given by the channel, or the address of an SMS."""
        if self.phone:
            return self.phone
        return normalise_phone(self.address) if self.channel in PHONE_CHANNELS else None


@dataclass(frozen=True, slots=True)
class ReplyOption:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    options: tuple[ReplyOption, ...] = field(default=())
    # Files for channels that carry them (a booking's calendar entry and QR code); not stored
    # with the replies kept for redeliveries, and not part of the `chat --jsonl` output.
    attachments: tuple[Attachment, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "options": [{"key": o.key, "label": o.label} for o in self.options],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        return cls(data["text"], tuple(ReplyOption(o["key"], o["label"]) for o in data["options"]))


Then = Callable[[list[Reply]], object]  # run with a turn's replies inside its transaction


class Behind(Exception):
    """Earlier messages of the conversation are still in line: try the turn again shortly."""


def noted(note: str | None, replies: list[Reply]) -> list[Reply]:
    """``replies`` with ``note`` said first, in the first reply; not when that reply says it
    already (我妈76岁能打吗 while registering: the age answer is the note about her age)."""
    if not note or not replies or note in replies[0].text:
        return replies
    first = replies[0]
    return [Reply(f"{note}\n{first.text}", first.options, first.attachments), *replies[1:]]
