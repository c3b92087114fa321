"""Rows of the store as plain, immutable values handed to the flows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Site:
    id: int
    district_id: str
    name_zh: str
    name_en: str
    address_zh: str
    address_en: str
    hours: str
    evening: bool
    mobile: bool
    accessible: bool
    closed_on_holidays: bool = False


@dataclass(frozen=True, slots=True)
class Slot:
    id: int
    site_id: int
    product_id: str
    day: date
    start: str
    end: str
    capacity: int
    booked: int

    @property
    def remaining(self) -> int:
        return self.capacity - self.booked

    @property
    def period(self) -> str:
        return f"{self.start}-{self.end}"


@dataclass(frozen=True, slots=True)
class Resident:
    id: int
    account_id: int
    prereg_code: str
    name: str
    id_type: str
    id_number: str
    birth_date: date
    sex: str | None
    phone: str
    district_id: str
    noshows: int
    barred: bool
    # "self": the managing phone's owner; "mother", "father"… (flows/lexicon.toml [relations])
    # when said at registration; "other": family or a friend, unnamed
    relation: str = "self"
    nationality: str | None = None  # passports only


@dataclass(frozen=True, slots=True)
class Booking:
    id: int
    code: str
    resident_id: int
    dose: int
    status: str
    slot: Slot
    site: Site
    companion_name: str | None = None
    companion_phone: str | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An outbox message taken for sending."""

    id: int
    channel: str
    address: str
    text: str
    key: str  # the idempotency key, passed to channels that honour one
    kind: str  # "notice" or "reply"
    attempts: int
    # The values the notice was written from (a templated SMS gateway's parameters); read for
    # the channels that need them, at sending.
    params: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    """A place held for someone from the pre-registration queue, until accepted or expired."""

    id: int
    queue_id: int
    resident_id: int
    dose: int
    status: str  # "open", "accepted", "declined", "expired", "void"
    expires_at: str
    slot: Slot
    site: Site


@dataclass(frozen=True, slots=True)
class Screening:
    resident_id: int
    at: str
    version: str
    dose: int
    answers: dict[str, bool]
    outcome: str  # "eligible", "assess", "deferred", "not_eligible"
    reason: str | None


@dataclass(frozen=True, slots=True)
class Dose:
    """A dose received: from an attended booking or imported from another system."""

    resident_id: int
    dose: int
    day: date
    product_id: str
    site_id: int | None
    source: str


@dataclass(frozen=True, slots=True)
class SlotFilter:
    """Which slots a listing may offer, beyond being released, open and not started."""

    products: tuple[str, ...] | None = None  # only these vaccine products (same manufacturer)
    holidays: tuple[date, ...] = ()  # public holidays: sites closed on them offer nothing


ANY_SLOT = SlotFilter()


class StoreError(Exception):
    """A domain operation the store refused; the flows turn it into a reply."""


class SlotUnavailable(StoreError):
    """The slot is full, not released, or gone."""


class AlreadyBooked(StoreError):
    """The person already holds an active booking for this dose."""


class BookingNotActive(StoreError):
    """The booking is unknown, or already cancelled, attended or missed."""


class OfferClosed(StoreError):
    """The offer was already answered, or expired."""


class DoseExists(StoreError):
    """That dose number is already on record for the person."""


class DuplicateDocument(StoreError):
    """An identity document that is already registered."""

    def __init__(self, existing: Resident) -> None:
        super().__init__(existing.id_type)
        self.existing = existing
