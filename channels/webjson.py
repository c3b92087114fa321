"""Reading a webhook's JSON body strictly: anything malformed is a clean 400, never a 500.

Too deep (``[[[[…`` 1,500 levels: Python's parser gives up with RecursionError), not UTF-8, not
JSON, a field missing, ``null`` or not a string, or a string with a lone surrogate (``"\\ud800"``,
which no reply or database can encode) — each is ``BadBody``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class BadBody(ValueError):
    """The body is not what the webhook takes; the message says why (for the 400)."""


def parse(body: bytes) -> Any:
    try:
        return json.loads(body)
    except RecursionError:
        raise BadBody("JSON nested too deep") from None
    except (ValueError, UnicodeDecodeError):
        raise BadBody("not JSON") from None


def text(data: Any, key: str) -> str:
    """``data[key]`` as a string that can be stored and answered."""
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, str):
        raise BadBody(f"{key} must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadBody(f"{key} is not valid Unicode") from None
    return value
