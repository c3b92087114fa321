"""Attendance, the end-of-day no-show job and lifting a bar (DESIGN.md §1, "Cancellation,
no-shows"): ``vaxbot attendance mark``, ``vaxbot noshow run`` and ``vaxbot residents unbar``.

- Attending a booking records the dose it gave (day of the appointment, its site and product), so
  the person's next booking is for the next dose. Only a booking whose day has come can be marked.
- The no-show job, run at the end of each day, marks every booking whose period is over and which
  was neither attended nor cancelled as a no-show; more than ``booking.noshow_limit`` no-shows
  bar the person from self-service booking (they are told to call the hotline).
- An operator lifts a bar by the person's ID number or pre-registration code; that resets the
  count to zero.

Every change is audited by the store, with the operator's name (``operator:NAME``) or
``system:noshow`` as the actor. Output never contains a full ID number or phone number, nor a name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flows.identity import clean_id, mask_id, mask_phone
from flows.policy import Policy
from flows.rules import bar_rule
from store import Booking, BookingNotActive, DoseExists, Resident, Store

NOSHOW_ACTOR = "system:noshow"
OPERATOR_LIMIT = 64  # characters of an operator's name in the audit
_PREREG_SHAPE = re.compile(r"R[0-9A-Z]{7}")


class UsageError(ValueError):
    """The command cannot run as given (exit status 2); the message says why."""


class NotDone(Exception):
    """The command ran but could not do what was asked (exit status 1)."""


def operator_actor(name: str) -> str:
    """``operator:NAME`` for the audit, from an ``--operator`` option."""
    clean = " ".join(unicodedata.normalize("NFKC", name).split())
    if not clean:
        raise UsageError("--operator: give the operator's name")
    if len(clean) > OPERATOR_LIMIT or not clean.isprintable():
        raise UsageError(f"--operator: at most {OPERATOR_LIMIT} printable characters")
    return f"operator:{clean}"


# -- attendance ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Marked:
    """What happened to one booking code."""

    code: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{self.code}: {self.detail}"


def mark_attended(
    store: Store,
    codes: Iterable[str],
    now: datetime,
    actor: str,
    channel: str = "cli",
    bars: Callable[[int], bool] | None = None,
) -> list[Marked]:
    """Mark each booking attended, each on its own; one result per code, in order.

    A booking already marked a no-show is corrected (attendance entered late)."""
    return [_mark(store, code, now, actor, channel, bars) for code in codes]


def _mark(
    store: Store,
    raw: str,
    now: datetime,
    actor: str,
    channel: str,
    bars: Callable[[int], bool] | None,
) -> Marked:
    code = unicodedata.normalize("NFKC", raw).strip().upper()
    if not code:
        return Marked(repr(raw), False, "not a booking code")
    with store.transaction():  # the checks and the change see the same booking
        booking = store.booking_by_code(code)
        if booking is None:
            hint = " (a pre-registration code? give the booking code B…)" if code[0] == "R" else ""
            return Marked(code, False, f"not found{hint}")
        if booking.status not in ("active", "noshow"):
            return Marked(code, False, f"already {booking.status}")
        if booking.slot.day > now.date():
            return Marked(
                code,
                False,
                f"not attended: the appointment is on {booking.slot.day} "
                f"{booking.slot.period}, after today ({now.date()})",
            )
        try:
            store.attend(booking.id, now=now, actor=actor, channel=channel, bars=bars)
        except DoseExists:
            return Marked(
                code,
                False,
                f"not attended: dose {booking.dose} is already on record for this person "
                "(imported?): cancel this booking instead",
            )
        except BookingNotActive:  # unreachable under the write lock; kept for safety
            return Marked(code, False, "not active any more")
    return Marked(code, True, f"attended — dose {booking.dose} recorded ({_describe(booking)})")


def _describe(booking: Booking) -> str:
    slot = booking.slot
    return f"{slot.product_id}, {slot.day} {slot.period} at {booking.site.name_zh}"


# -- the end-of-day no-show job -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoshowRun:
    marked: list[Booking]  # the bookings marked no-show by this run
    barred: list[Resident]  # the people this run barred, as they are now


def run_noshows(store: Store, policy: Policy, now: datetime) -> NoshowRun:
    """Mark every past, unattended, uncancelled booking a no-show. Idempotent."""
    with store.transaction():
        marked, barred_ids = store.mark_noshows(now, bar_rule(policy), NOSHOW_ACTOR)
        barred = [store.resident(resident_id) for resident_id in barred_ids]
    return NoshowRun(marked, [resident for resident in barred if resident is not None])


def noshow_lines(run: NoshowRun, policy: Policy, now: datetime) -> list[str]:
    limit = policy.booking.noshow_limit
    lines = [
        f"marked {len(run.marked)} booking(s) as no-shows "
        f"(appointments over by {now:%Y-%m-%d %H:%M})",
        f"barred {len(run.barred)} person(s) from self-service booking "
        f"(more than {limit} no-shows)",
    ]
    lines += [
        f"  {person.prereg_code} phone {mask_phone(person.phone)}: {person.noshows} no-shows"
        for person in run.barred
    ]
    return lines


# -- lifting a bar ------------------------------------------------------------------------------


def find_resident(store: Store, who: str) -> Resident | None:
    """A person by pre-registration code, resident ID number, passport or permit number.

    ``NotDone`` if the text names two different people (a passport number that is also someone's
    pre-registration code).
    """
    text = clean_id(who)
    found = {
        resident.id: resident
        for resident in (
            store.resident_by_prereg_code(text),
            store.resident_by_document("resident_id", text),
            store.resident_by_document("passport", text),
            store.resident_by_document("permit", text),
        )
        if resident is not None
    }
    if len(found) > 1:
        raise NotDone(f"{_shown(who)} names several people: give the ID number")
    return next(iter(found.values()), None)


def lift_bar(store: Store, who: str, now: datetime, actor: str, channel: str = "cli") -> Resident:
    """Unbar the person named by ``who``; the person as they were. ``NotDone`` if not possible."""
    if not clean_id(who):
        raise UsageError("give an ID number or a pre-registration code")
    with store.transaction():  # found, checked and unbarred under one write lock
        resident = find_resident(store, who)
        if resident is None:
            raise NotDone(f"no resident with ID number or pre-registration code {_shown(who)}")
        if not resident.barred:
            raise NotDone(
                f"{_person(resident)} is not barred ({resident.noshows} no-show(s)): nothing to do"
            )
        store.unbar(resident.id, now=now, actor=actor, channel=channel)
    return resident


def unbar_line(before: Resident) -> str:
    return (
        f"unbarred {_person(before)}: {before.noshows} no-show(s) cleared; "
        "self-service booking is open again"
    )


def _shown(who: str) -> str:
    """What the operator typed, fit to print: a pre-registration code, or a masked number."""
    text = clean_id(who)
    return text if _PREREG_SHAPE.fullmatch(text) else mask_id(text)


def _person(resident: Resident) -> str:
    return (
        f"{resident.prereg_code} ({mask_id(resident.id_number)}, "
        f"phone {mask_phone(resident.phone)})"
    )
