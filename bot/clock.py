"""Time, injected: the system clock, or one frozen by ``VAXBOT_NOW`` / ``--now``."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


class ClockError(ValueError):
    pass


def parse_moment(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 moment; one without an offset is read in the policy's time zone."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ClockError(f"not an ISO 8601 date-time: {text!r}") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def make_clock(zone: ZoneInfo, frozen: str | None = None) -> Clock:
    """A clock in ``zone``: frozen at ``frozen`` or ``$VAXBOT_NOW`` if set, else the system's."""
    source = "--now" if frozen else "VAXBOT_NOW"
    frozen = frozen or os.environ.get("VAXBOT_NOW") or None
    if frozen:
        try:
            moment = parse_moment(frozen, zone)
        except ClockError as exc:
            raise ClockError(f"{source}: {exc}") from None
        return lambda: moment
    return lambda: datetime.now(zone)
