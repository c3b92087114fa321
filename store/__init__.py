"""SQLite storage for vaxbot: schema, migrations and every atomic operation."""

from store.models import (
    AlreadyBooked,
    Booking,
    DuplicateDocument,
    Resident,
    Screening,
    Site,
    Slot,
    SlotUnavailable,
    StoreError,
)
from store.store import Store

__all__ = [
    "AlreadyBooked",
    "Booking",
    "DuplicateDocument",
    "Resident",
    "Screening",
    "Site",
    "Slot",
    "SlotUnavailable",
    "Store",
    "StoreError",
]
