"""Group booking from a roster: a neighbourhood committee's or an employer's list of people.

A CSV file (UTF-8, with or without BOM) with the header ``name,id_number,phone,district`` and,
optionally, ``site``, ``date`` and ``period`` (Chinese headers ``姓名,身份证号,手机号`` etc. as in
``bot.records``). Each row is handled on its own and whole or not at all:

- the person is found by ID number (the name must match), or registered on the account of the
  row's phone (created if needed), within ``registration.max_people_per_phone``;
- under ``ages.minimum`` on the appointment day (18) is refused; a barred person is refused;
- the next dose comes from ``flows.schedule.next_dose``: dose 2 only of the same manufacturer
  and not before the minimum interval; a person with an active booking for it is skipped;
- screening: the organisation that sends the roster vouches for the answers. A screening with
  every question answered "no" is recorded with a note naming the operator (``reason``), so
  the person's record shows how it was screened; staff on site still assess 60+.
- the place: the row's site (which must be in the row's district) or, without one, the site of
  the district with the most places; the row's date or, without one, the first day with a
  place, from today (or the dose's earliest day) to the last released day; the row's period
  (``08:00`` or ``08:00-10:00``) or the first period with a place.
- booking windows are a self-service rule (they spread the load of people booking at once)
  and do not apply: an operator books at any hour, like at the hotline. Campaign priorities
  do not apply either. Public-holiday closures do.

Nothing here prints a full ID number or phone number: results carry them masked.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from bot.records import (
    ID_PROBLEMS,
    Row,
    _column,
    district_names,
    find_site,
    parse_day,
    read_table,
    same_name,
)
from flows.eligibility import age_rules, questions_for, verdict
from flows.holidays import holidays_between
from flows.identity import IdProblem, mask_id, mask_phone, normalise_phone, parse_resident_id
from flows.names import clean_name, valid_name
from flows.policy import Policy
from flows.rules import Bar, Mode, may_book
from flows.schedule import NextDose, last_released_day
from store import (
    AlreadyBooked,
    Booking,
    DuplicateDocument,
    Resident,
    Screening,
    Site,
    Slot,
    SlotFilter,
    SlotUnavailable,
    Store,
)

REQUIRED = ("name", "id_number", "phone", "district")
OPTIONAL = ("site", "date", "period")
RESULT_COLUMNS = (
    "row", "status", "name", "id_number", "phone", "code", "site", "date", "period", "reason",
)  # fmt: skip
CHANNEL = "roster"
_PERIOD = re.compile(r"([0-9]{1,2}):([0-9]{2})(?:\s*-\s*([0-9]{1,2}):([0-9]{2}))?")


class Outcome(StrEnum):
    BOOKED = "booked"
    SKIPPED = "skipped"  # nothing to do: already booked, all doses done
    REJECTED = "rejected"  # the row cannot be booked: the reason says why


@dataclass(frozen=True, slots=True)
class RosterResult:
    row: int
    outcome: Outcome
    reason: str
    name: str = ""
    id_masked: str = ""
    phone_masked: str = ""
    code: str = ""
    site: str = ""
    day: str = ""
    period: str = ""

    def cells(self) -> list[str]:
        return [
            str(self.row), str(self.outcome), self.name, self.id_masked, self.phone_masked,
            self.code, self.site, self.day, self.period, self.reason,
        ]  # fmt: skip


class RowRefused(Exception):
    """The row cannot be booked (or needs nothing); the message is the reason."""

    def __init__(self, reason: str, outcome: Outcome = Outcome.REJECTED) -> None:
        super().__init__(reason)
        self.outcome = outcome


def read_roster(path: str | Path) -> list[Row]:
    """The rows of a roster file; ``TableError`` (``bot.records``) if unreadable or short."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as stream:
            header = next(csv.reader(stream), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        header = []  # read_table says what is wrong with the file
    names = {_column(cell) for cell in header}
    present = tuple(name for name in OPTIONAL if name in names)
    return read_table(path, REQUIRED + present)


@dataclass(frozen=True, slots=True)
class _Wanted:
    name: str
    id_number: str
    birth_date: date
    sex: str
    phone: str
    district_id: str
    site: Site | None
    day: date | None
    start: str | None
    end: str | None


def _parse(store: Store, policy: Policy, values: dict[str, str], today: date) -> _Wanted:
    problems: list[str] = []
    name = clean_name(values.get("name", ""))
    if not valid_name(name):
        problems.append(f"name {values.get('name', '')!r} is not a name")
    parsed = parse_resident_id(values.get("id_number", ""), today)
    if isinstance(parsed, IdProblem):
        problems.append(f"ID number: {ID_PROBLEMS[parsed]}")
    phone = normalise_phone(values.get("phone", ""))
    if phone is None:
        problems.append(f"phone {mask_phone(values.get('phone', ''))!r} is not a mobile number")
    district_id = district_names(policy).get(values.get("district", "").strip().casefold())
    if district_id is None:
        problems.append(f"unknown district {values.get('district', '')!r}")
    site = None
    if values.get("site"):
        site = find_site(store, values["site"])
        if site is None:
            problems.append(f"unknown site {values['site']!r}")
        elif district_id is not None and site.district_id != district_id:
            problems.append(f"site {site.name_zh} is not in district {values['district']}")
    day = None
    if values.get("date"):
        try:
            day = parse_day(values["date"])
        except ValueError as exc:
            problems.append(str(exc))
    start = end = None
    if values.get("period"):
        match = _PERIOD.fullmatch(values["period"].strip())
        if match is None:
            problems.append(f"period {values['period']!r} is not HH:MM or HH:MM-HH:MM")
        else:
            start = f"{int(match[1]):02d}:{match[2]}"
            end = f"{int(match[3]):02d}:{match[4]}" if match[3] else None
    if problems or isinstance(parsed, IdProblem) or phone is None or district_id is None:
        raise RowRefused("; ".join(problems))
    return _Wanted(
        name, parsed.number, parsed.birth_date, parsed.sex, phone, district_id, site, day, start,
        end,
    )  # fmt: skip


def _person(store: Store, policy: Policy, wanted: _Wanted, now: datetime, actor: str) -> Resident:
    known = store.resident_by_document("resident_id", wanted.id_number)
    if known is not None:
        if not same_name(known.name, wanted.name):
            raise RowRefused("this ID number is registered under another name")
        return known
    account = store.account_for("sms", wanted.phone, wanted.phone, now)
    if len(store.residents_of(account)) >= policy.registration.max_people_per_phone:
        raise RowRefused(
            f"phone {mask_phone(wanted.phone)} already manages "
            f"{policy.registration.max_people_per_phone} people"
        )
    try:
        return store.add_resident(
            account_id=account, name=wanted.name, id_type="resident_id",
            id_number=wanted.id_number, birth_date=wanted.birth_date, sex=wanted.sex,
            phone=wanted.phone, district_id=wanted.district_id, now=now, actor=actor,
            channel=CHANNEL, relation="self",
        )  # fmt: skip
    except DuplicateDocument:  # registered meanwhile, by another process
        raise RowRefused("this ID number was registered meanwhile: import the row again") from None


def _candidates(
    store: Store, policy: Policy, wanted: _Wanted, dose: NextDose, now: datetime
) -> Iterator[Slot]:
    """Bookable slots fitting the row, best first."""
    today = now.date()
    first = max(today, dose.earliest) if dose.earliest else today
    last = last_released_day(policy, now)
    if wanted.day is not None:
        if wanted.day < first:
            why = "in the past" if wanted.day < today else f"before {first} (dose interval)"
            raise RowRefused(f"date {wanted.day} is {why}")
        first = last = wanted.day
    if first > last:
        raise RowRefused(f"no released days yet from {first}")
    only = SlotFilter(dose.products, holidays_between(first, last))
    if wanted.site is not None:
        sites = [wanted.site]
    else:
        listed = store.sites_with_places(wanted.district_id, first, last, now, only)
        sites = [site for site, left in sorted(listed, key=lambda s: -s[1]) if left > 0]
    day = first
    while day <= last:
        for site in sites:
            for slot in store.open_slots(site.id, day, now, only):
                if wanted.start and slot.start != wanted.start:
                    continue
                if wanted.end and slot.end != wanted.end:
                    continue
                yield slot
        day += timedelta(days=1)


def _book(
    store: Store, policy: Policy, values: dict[str, str], now: datetime, actor: str, note: str
) -> tuple[Resident, Booking, list[str]]:
    wanted = _parse(store, policy, values, now.date())
    resident = _person(store, policy, wanted, now, actor)
    decision = may_book(policy, resident, store.doses_of(resident.id),
                        store.active_bookings(resident.id), now, Mode.ROSTER)  # fmt: skip
    if decision.bar is Bar.BARRED:
        raise RowRefused(f"barred after {resident.noshows} no-shows: lift the bar first")
    if decision.bar is Bar.COMPLETE:
        raise RowRefused(f"all {decision.done} doses on record", Outcome.SKIPPED)
    if decision.bar is Bar.ALREADY:
        assert decision.booking is not None
        booking = decision.booking
        raise RowRefused(
            f"already booked: {booking.code} {booking.slot.day} {booking.slot.period}",
            Outcome.SKIPPED,
        )
    if decision.bar is Bar.CAMPAIGN:
        assert decision.campaign is not None
        raise RowRefused(f"priority campaign until {decision.campaign.end}: "
                         f"not in its group for dose {decision.campaign.dose}")  # fmt: skip
    if decision.bar is Bar.TOO_YOUNG:
        raise RowRefused(f"under {policy.ages.minimum} until {decision.opens}: not eligible")
    dose = decision.dose
    assert dose is not None
    notes: list[str] = []
    for slot in _candidates(store, policy, wanted, dose, now):
        rules = age_rules(resident.birth_date, slot.day, policy.ages)
        if rules.too_young:
            raise RowRefused(f"under {policy.ages.minimum} on {slot.day}: not eligible")
        try:
            with store.transaction():
                screened = store.screened_before(resident.id, dose.number)
                questions = questions_for(dose.number, resident.sex, screened_before=screened)
                answers = {question.key: False for question in questions}
                outcome = verdict(answers, resident.birth_date, slot.day, policy.ages)
                store.add_screening(
                    Screening(
                        resident.id, now.isoformat(timespec="seconds"),
                        policy.registration.questionnaire_version, dose.number, answers,
                        str(outcome), note,
                    )
                )  # fmt: skip
                booking = store.book(
                    resident_id=resident.id, slot_id=slot.id, dose=dose.number, now=now,
                    channel=CHANNEL, actor=actor,
                )  # fmt: skip
        except SlotUnavailable:
            continue  # taken meanwhile: the next place
        except AlreadyBooked:
            raise RowRefused(f"dose {dose.number} already booked", Outcome.SKIPPED) from None
        if rules.companion:
            notes.append(f"{rules.age}: must come with a companion")
        if rules.assessment:
            notes.append("health assessment on site")
        return resident, booking, notes
    where = wanted.site.name_zh if wanted.site else f"district {wanted.district_id}"
    when = f" on {wanted.day}" if wanted.day else ""
    period = f" at {wanted.start}" if wanted.start else ""
    raise RowRefused(f"no place left at {where}{when}{period}")


def book_row(
    store: Store, policy: Policy, number: int, values: dict[str, str], now: datetime,
    actor: str, source: str = "roster",
) -> RosterResult:  # fmt: skip
    """Register (if needed), screen and book one roster row; its result, never an exception
    for a bad row. Writes are all or nothing for the row."""
    note = f"roster import ({source}) by {actor}: screening vouched for by the organisation"
    name = clean_name(values.get("name", ""))
    masked_id = mask_id(values.get("id_number", "").strip())
    phone = normalise_phone(values.get("phone", ""))
    masked_phone = mask_phone(phone or values.get("phone", ""))
    if values.get(""):
        return RosterResult(number, Outcome.REJECTED, f"extra values: {values['']}", name,
                            masked_id, masked_phone)  # fmt: skip
    try:
        with store.transaction():
            resident, booking, notes = _book(store, policy, values, now, actor, note)
    except RowRefused as refused:
        return RosterResult(number, refused.outcome, str(refused), name, masked_id, masked_phone)
    slot = booking.slot
    reason = f"dose {booking.dose}" + "".join(f"; {n}" for n in notes)
    return RosterResult(
        number, Outcome.BOOKED, reason, resident.name, mask_id(resident.id_number),
        mask_phone(resident.phone), booking.code, booking.site.name_zh, slot.day.isoformat(),
        slot.period,
    )  # fmt: skip


def import_roster(
    store: Store,
    policy: Policy,
    rows: Sequence[Row],
    now: datetime,
    actor: str,
    progress: Callable[[int, int], None] | None = None,
    source: str = "roster",
) -> list[RosterResult]:
    """Every row booked or refused on its own; ``progress(done, total)`` after each."""
    results = []
    for done, (number, values) in enumerate(rows, start=1):
        results.append(book_row(store, policy, number, values, now, actor, source))
        if progress is not None:
            progress(done, len(rows))
    return results


def write_results(results: Sequence[RosterResult], out: TextIO) -> None:
    """The results as CSV, one line per row of the roster (IDs and phones masked)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    for result in results:
        writer.writerow(result.cells())


def summary(results: Sequence[RosterResult]) -> dict[Outcome, int]:
    return {outcome: sum(r.outcome is outcome for r in results) for outcome in Outcome}
