"""vaxbot's storage: repositories per aggregate over a narrow database interface (``Db``), behind
one facade (``Store``); ``open_store(url)`` picks the backend from the ``--db`` value."""

from store import reports
from store.db import Db, IntegrityViolation, UniqueViolation
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
from store.store import DatabaseUnavailable, Store, backend_of, masked, open_store

__all__ = [
    "ANY_SLOT",
    "AlreadyBooked",
    "Booking",
    "BookingNotActive",
    "DatabaseUnavailable",
    "Db",
    "Dose",
    "DoseExists",
    "DuplicateDocument",
    "IntegrityViolation",
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
    "UniqueViolation",
    "backend_of",
    "masked",
    "open_store",
    "reports",
]
