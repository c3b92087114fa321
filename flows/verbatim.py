"""Values a reply must show exactly as stored, whatever script the reply is written in.

A reply to a resident who writes Traditional characters is converted to them; a person's name,
a site's name, a booking code are not: 刘一 stays 刘一 (as on the ID card shown at the site),
never 劉一. While a turn runs (``collecting``), every value filled into a sentence for a
placeholder that holds such a thing (``{name}``, ``{site}``, ``{code}``…) is noted here, and
the engine converts the replies around them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Placeholders whose values are names, places or codes as stored (never sentences of ours).
VERBATIM_PLACEHOLDERS = frozenset(
    {"name", "names", "companion", "site", "sites", "code", "phone", "address", "said"}
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_noted: ContextVar[set[str] | None] = ContextVar("verbatim", default=None)


@contextmanager
def collecting() -> Iterator[set[str]]:
    """Note the verbatim values filled in while the block runs; the set is yielded."""
    noted: set[str] = set()
    token = _noted.set(noted)
    try:
        yield noted
    finally:
        _noted.reset(token)


def note(*values: object) -> None:
    """Keep ``values`` (those with a Chinese character) as they are in this turn's replies."""
    noted = _noted.get()
    if noted is None:
        return
    for value in values:
        if isinstance(value, str) and _CJK.search(value):
            noted.add(value)


def note_filled(values: dict[str, object]) -> None:
    """Note the values of ``values`` given for verbatim placeholders (``fill``'s)."""
    if _noted.get() is None:
        return
    note(*(values[key] for key in VERBATIM_PLACEHOLDERS.intersection(values)))
