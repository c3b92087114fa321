"""``vaxbot followup``: the phone follow-up list of yellow and red dose-2 cases (Hubei's
three-colour warnings), for operators to call and record what came of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flows.identity import mask_phone
from store import Store

# What a call can come to; the first three close the case, the others keep it on the list.
OUTCOMES = {
    "booked": True,  # booked during the call (or had already)
    "will-book": True,  # will book themselves
    "declined": True,  # does not want the next dose
    "no-answer": False,
    "wrong-number": False,
}


def list_lines(store: Store, reveal: bool) -> list[str]:
    """One line per open case, red first; phones masked unless ``reveal`` (for the caller)."""
    rows = store.open_followups()
    if not rows:
        return ["no open follow-ups"]
    return [_line(row, reveal) for row in rows]


def _line(row: dict[str, Any], reveal: bool) -> str:
    phone = row["phone"] if reveal else mask_phone(row["phone"])
    tried = f", last call {row['called_at'][:16]}: {row['outcome']}" if row["called_at"] else ""
    return (
        f"#{row['id']} {row['level'].upper():6} {row['prereg_code']} {row['name']} {phone} "
        f"dose {row['dose']} since {row['created_at'][:10]}{tried}"
    )


def record(store: Store, followup_id: int, outcome: str, operator: str, now: datetime) -> str:
    close = OUTCOMES[outcome]
    store.record_followup(followup_id, outcome, close, now=now, operator=operator)
    return f"#{followup_id}: {outcome}" + (" — closed" if close else " — stays on the list")
