"""Replies as WeChat text: options as numbered lines, and splitting at WeChat's limit.

A text message (passive reply or customer-service message) holds at most 2,048 bytes of UTF-8
(about 680 Chinese characters). A text reply has no buttons, so options are lines ``1. 预约``
(typing the number or the words works, as on SMS). Replies that fit together go in one message;
a longer one is split at line ends (within a line, at a character) so each part fits.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.messages import Reply

LIMIT = 2048  # bytes of UTF-8 in one text message


def render(reply: Reply) -> str:
    return "\n".join([reply.text, *(f"{o.key}. {o.label}" for o in reply.options)])


def _size(text: str) -> int:
    return len(text.encode("utf-8", "replace"))


def split(text: str, limit: int = LIMIT) -> list[str]:
    """``text`` in parts of at most ``limit`` bytes, cut at line ends where possible."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _size(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        current = ""
        while _size(line) > limit:  # one line longer than a message: cut it
            cut, size = 0, 0
            for ch in line:
                size += _size(ch)
                if size > limit:
                    break
                cut += 1
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not parts:
        parts.append(current)
    return parts


def messages(replies: Sequence[Reply], limit: int = LIMIT) -> list[str]:
    """The replies of a turn as WeChat text messages: joined while they fit, split if longer."""
    return split("\n\n".join(render(reply) for reply in replies), limit) if replies else []
