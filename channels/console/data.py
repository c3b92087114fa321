"""What the console reads: caller lookup, history and dashboard figures (read-only SQL)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flows.identity import clean_id, normalise_phone
from store import Resident, Store, reports
from store.reports import Figures, figures, history

__all__ = ["Figures", "Lookup", "figures", "history", "lookup"]

_BOOKING_CODE = re.compile(r"B[0-9A-Z]{7}")
_PREREG_CODE = re.compile(r"R[0-9A-Z]{7}")
_DOCUMENT = re.compile(r"[0-9A-Z]{6,20}")


@dataclass
class Lookup:
    """Who is calling: the phone the conversation runs on, their people, the one asked for."""

    phone: str | None
    people: list[Resident] = field(default_factory=list)
    focus: int | None = None  # the resident id the query named, if it named one


def _household(store: Store, resident: Resident) -> Lookup:
    """Everyone on the account managing ``resident``; the call runs on the account's phone."""
    phone = store.account_phone(resident.account_id) or resident.phone
    return Lookup(phone, store.residents_of(resident.account_id), resident.id)


def lookup(store: Store, query: str) -> Lookup | None:
    """A caller by phone, ID number, booking code, pre-registration code or name — or by any
    part of a phone number, ID number or name (several matches: a list to choose from)."""
    text = unicodedata.normalize("NFKC", query).strip()
    if not text:
        return None
    code = text.upper()
    if _BOOKING_CODE.fullmatch(code):
        booking = store.booking_by_code(code)
        person = store.resident(booking.resident_id) if booking else None
        return _household(store, person) if person else None
    if _PREREG_CODE.fullmatch(code):
        person = store.resident_by_prereg_code(code)
        return _household(store, person) if person else None
    phone = normalise_phone(text)
    if phone is not None:
        account = reports.account_by_phone(store, phone)
        people = store.residents_of(account) if account is not None else []
        known = {p.id for p in people}
        people += [p for p in reports.residents_with_phone(store, phone) if p.id not in known]
        return Lookup(phone, people)
    document = clean_id(text)
    if _DOCUMENT.fullmatch(document) and any(ch.isdigit() for ch in document):
        found = reports.residents_with_document(store, document)
        if found:
            return _household(store, found[0])
    fragment = re.sub(r"[\s-]", "", text).upper()
    if re.fullmatch(r"[0-9X]{3,17}", fragment):  # part of a phone or ID number
        found = reports.residents_containing(store, fragment, limit=20)
    else:
        found = reports.residents_named(store, text, limit=20)
    if len(found) == 1:
        return _household(store, found[0])
    return Lookup(None, found) if found else None
