"""SQLite storage for vaxbot: schema, migrations and every atomic operation."""

from store import reports
from store.models import (
    ANY_SLOT,
    AlreadyBooked,
    Booking,
    BookingNotActive,
    Dose,
    DoseExists,
    DuplicateDocument,
    Offer,
    OfferClosed,
    Outgoing,
    Resident,
    Screening,
    Site,
    Slot,
    SlotFilter,
    SlotUnavailable,
    StoreError,
)
from store.store import Store

__all__ = [
    "ANY_SLOT",
    "AlreadyBooked",
    "Booking",
    "BookingNotActive",
    "Dose",
    "DoseExists",
    "DuplicateDocument",
    "Offer",
    "OfferClosed",
    "Outgoing",
    "Resident",
    "Screening",
    "Site",
    "Slot",
    "SlotFilter",
    "SlotUnavailable",
    "Store",
    "StoreError",
    "reports",
]
