"""Replies as SMS: numbered options as short lines, and segment counting.

A message that fits the GSM 03.38 alphabet travels as 7-bit septets: 160 in one segment, 153
per segment when split (the rest carries the concatenation header); characters of the
extension table (``€[]{}|^~\\``) take two septets. Anything else — one Chinese character is
enough — makes the whole message UCS-2: 70 code units in one segment, 67 per segment when split,
and a character outside the Basic Multilingual Plane (most emoji) takes two units.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

from bot.messages import Reply
from bot.nlu.normalise import in_traditional_script

_CJK = re.compile(r"[\u3400-\u9fff]")


def render(reply: Reply) -> str:
    """One reply as one SMS body: the text, then one line per option (``回复1 …``; ``回覆1 …``
    when the engine wrote the reply in Traditional characters, as it does for a resident who
    writes them)."""
    words = [reply.text, *(o.label for o in reply.options)]
    chinese = any(_CJK.search(w) for w in words)
    prefix = ("回覆" if any(map(in_traditional_script, words)) else "回复") if chinese else ""
    return "\n".join([reply.text, *(f"{prefix}{o.key} {o.label}" for o in reply.options)])


def render_all(replies: Sequence[Reply]) -> list[str]:
    return [render(reply) for reply in replies]


def segments(text: str) -> int:
    """How many SMS segments ``text`` takes."""
    if not text:
        return 1
    try:
        septets = len(text.encode("gsm03.38"))
    except UnicodeEncodeError:
        units = len(text.encode("utf-16-le")) // 2
        return 1 if units <= 70 else math.ceil(units / 67)
    return 1 if septets <= 160 else math.ceil(septets / 153)
