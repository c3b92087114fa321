"""Dose records from other systems: ``vaxbot doses import FILE.csv``.

A CSV file (UTF-8, with or without BOM) with the header
``id_number,name,phone,dose,date,site,product`` (or its Chinese form
``身份证号,姓名,手机号,剂次,接种日期,接种点,疫苗``). Each row is checked and recorded on its own:
a bad row is reported and never stops the good ones, and a row is recorded whole or not at all
(a new person is registered only together with their dose).

Row numbers are as a spreadsheet shows them: the header is row 1. Reports never contain a full ID
number or phone number (``mask_id``/``mask_phone``). The CSV reading and per-row results here are
shared with ``bot/slots_admin.py``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TextIO, TypeVar

from bot.demo import sync_reference
from flows.identity import (
    IdProblem,
    ResidentId,
    clean_id,
    mask_id,
    mask_phone,
    normalise_phone,
    parse_resident_id,
)
from flows.names import NAME_LIMIT, clean_name, valid_name
from flows.policy import Policy
from flows.schedule import Complete, next_dose
from store import Dose, Resident, Site, Store

DOSE_COLUMNS = ("id_number", "name", "phone", "dose", "date", "site", "product")

# Column names as operators' spreadsheets spell them, mapped to ours (one table for every file).
HEADER_ALIASES: Mapping[str, str] = {
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "姓名": "name",
    "手机号": "phone",
    "手机号码": "phone",
    "剂次": "dose",
    "接种日期": "date",
    "日期": "date",
    "接种点": "site",
    "疫苗": "product",
    "开始": "start",
    "结束": "end",
    "容量": "capacity",
}

ID_PROBLEMS: Mapping[IdProblem, str] = {
    IdProblem.LENGTH: "wrong length",
    IdProblem.CHARACTERS: "only digits and a final X are allowed",
    IdProblem.BIRTH_DATE: "the birth date in it is not a real date",
    IdProblem.CHECKSUM: "the check character does not match (a typo?)",
}

T = TypeVar("T")

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class TableError(Exception):
    """The file cannot be used at all: missing, unreadable, not UTF-8, wrong header."""


class Rejected(Exception):
    """One row cannot be used; the message is the reason, for the report."""


Row = tuple[int, dict[str, str]]  # spreadsheet row number, values by column


class Status(StrEnum):
    IMPORTED = "imported"
    SKIPPED = "skipped"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class RowResult:
    row: int
    status: Status
    reason: str
    subject: str = ""  # who or what the row is about, masked: "4401**********1234"

    def line(self) -> str:
        tail = f" [{self.subject}]" if self.subject else ""
        return f"row {self.row}: {self.status}: {self.reason}{tail}"


# -- reading a CSV file -----------------------------------------------------------------------


def read_table(path: str | Path, columns: Sequence[str]) -> list[Row]:
    """The data rows of a CSV file whose header names ``columns`` (any order, any alias).

    Raises ``TableError`` if the file cannot be read or lacks a column. Rows that are entirely
    empty are left out; a row with values beyond the header gets them under ``""``.
    """
    source = Path(path)
    try:
        with source.open(encoding="utf-8-sig", newline="") as stream:
            text = stream.read()
    except FileNotFoundError:
        raise TableError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise TableError(f"{source}: is a directory, not a CSV file") from None
    except UnicodeDecodeError as exc:
        raise TableError(
            f'{source}: not UTF-8 text (byte {exc.start}); save it as "CSV UTF-8"'
        ) from None
    except OSError as exc:
        raise TableError(f"{source}: cannot read: {exc.strerror}") from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise TableError(f"{source}: not a valid CSV file: {exc}") from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise TableError(f"{source}: empty: expected a header line: {','.join(columns)}")
    header = [_column(cell) for cell in records[0]]
    missing = [name for name in columns if name not in header]
    if missing:
        raise TableError(
            f"{source}: missing column(s): {', '.join(missing)} "
            f"(the header must name: {','.join(columns)})"
        )
    twice = sorted({name for name in header if name and header.count(name) > 1})
    if twice:
        raise TableError(f"{source}: column(s) given twice: {', '.join(twice)}")
    rows: list[Row] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        values = {name: "" for name in columns}
        extra: list[str] = []
        for i, cell in enumerate(record):
            if i < len(header) and header[i] in values:
                values[header[i]] = cell.strip()
            elif i >= len(header) and cell.strip():
                extra.append(cell.strip())
        if extra:
            values[""] = ",".join(extra)
        rows.append((number, values))
    return rows


def _column(cell: str) -> str:
    name = cell.strip().lstrip("\ufeff")
    return HEADER_ALIASES.get(name, name.lower())


def write_report(results: Iterable[RowResult], out: TextIO, subject: str) -> None:
    """The per-row results as CSV: ``row,status,reason,<subject>``."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["row", "status", "reason", subject])
    for result in results:
        writer.writerow([result.row, result.status, result.reason, result.subject])


def summary(results: Sequence[RowResult]) -> str:
    counts = {status: sum(r.status == status for r in results) for status in Status}
    return ", ".join(f"{status} {counts[status]}" for status in Status)


# -- shared field parsers ---------------------------------------------------------------------


def attempt(problems: list[str], parse: Callable[[], T]) -> T | None:
    """``parse()``, or None with its ``ValueError`` message added to ``problems``."""
    try:
        return parse()
    except ValueError as exc:
        problems.append(str(exc))
        return None


def parse_day(text: str, what: str = "date") -> date:
    """A day written ``YYYY-MM-DD`` exactly; ``ValueError`` naming ``what`` otherwise."""
    if not _ISO_DAY.fullmatch(text.strip()):
        raise ValueError(f"{what} {text!r} is not YYYY-MM-DD")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a real day") from None


def find_product(policy: Policy, text: str) -> str:
    """The policy key of a product given by its key (any case); ``ValueError`` if unknown."""
    key = text.strip().lower()
    if key not in policy.products:
        known = ", ".join(policy.products)
        raise ValueError(f"unknown product {text!r} (known: {known})")
    return key


def find_site(store: Store, text: str) -> Site | None:
    """A site by its id, Chinese name or English name (any case)."""
    name = " ".join(text.split())
    if name.isdigit():
        return store.site(int(name))
    return store.site_named(name)


def district_names(policy: Policy) -> dict[str, str]:
    """Every way of naming a district (``tianhe``, ``天河区``, ``天河``, ``Tianhe``) → its id."""
    names: dict[str, str] = {}
    for key, district in policy.districts.items():
        for name in (key, district.zh, district.zh.removesuffix("区"), district.en):
            names[name.casefold()] = key
    return names


# -- importing doses ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DoseRow:
    """A row whose fields are each valid on their own."""

    id_number: str
    birth_date: date
    sex: str
    name: str
    phone: str
    dose: int
    day: date
    product_id: str
    site: Site | None
    district_id: str


def import_doses(
    store: Store,
    policy: Policy,
    rows: Iterable[Row],
    now: datetime,
    actor: str = "import",
    channel: str = "cli",
) -> list[RowResult]:
    """Record the dose rows of a file, each in its own transaction; one result per row."""
    sync_reference(store, policy)  # products and districts the rows refer to
    districts = district_names(policy)
    results = []
    for number, values in rows:
        subject = mask_id(clean_id(values.get("id_number", "")))
        try:
            row = _parse_dose_row(store, policy, districts, values, now)
            with store.transaction():
                status, reason = _record_dose(store, policy, row, now, actor, channel)
        except Rejected as exc:
            status, reason = Status.REJECTED, str(exc)
        results.append(RowResult(number, status, reason, subject))
    return results


def _parse_dose_row(
    store: Store, policy: Policy, districts: Mapping[str, str], values: Mapping[str, str],
    now: datetime,
) -> DoseRow:  # fmt: skip
    """Check each field on its own; ``Rejected`` lists every problem found."""
    problems: list[str] = []
    if values.get(""):
        problems.append(f"more values than columns ({values['']!r})")

    raw_id = values["id_number"]
    parsed = parse_resident_id(raw_id, now.date()) if raw_id else None
    if parsed is None:
        problems.append("no ID number")
    elif isinstance(parsed, IdProblem):
        detail = ID_PROBLEMS[parsed]
        if parsed is IdProblem.LENGTH:
            detail += f" ({len(clean_id(raw_id))} characters, need 18)"
        problems.append(f"bad ID number: {detail}")

    name = clean_name(values["name"])
    if not name:
        problems.append("no name")
    elif not valid_name(name):
        problems.append(f"name must be letters only (at most {NAME_LIMIT})")

    phone = normalise_phone(values["phone"]) if values["phone"] else None
    if not values["phone"]:
        problems.append("no phone number")
    elif phone is None:
        problems.append(f"bad phone number {mask_phone(values['phone'])}: not a mobile number")

    product_id: str | None = None
    if not values["product"]:
        problems.append("no product")
    else:
        product_id = attempt(problems, lambda: find_product(policy, values["product"]))
    product = policy.products[product_id] if product_id else None

    dose = 0
    raw_dose = unicodedata.normalize("NFKC", values["dose"])
    if not raw_dose:
        problems.append("no dose number")
    elif not raw_dose.isascii() or not raw_dose.isdigit() or int(raw_dose) < 1:
        problems.append(f"dose {raw_dose!r} is not a dose number (1, 2, ...)")
    else:
        dose = int(raw_dose)
        if product is not None and dose > product.doses:
            problems.append(f"dose {dose} is beyond the {product.doses} dose(s) of {product_id}")

    day: date | None = None
    if not values["date"]:
        problems.append("no date")
    else:
        day = attempt(problems, lambda: parse_day(values["date"]))
    if day is not None and day > now.date():
        problems.append(f"date {day} is in the future")
    elif day is not None and isinstance(parsed, ResidentId) and day < parsed.birth_date:
        problems.append(f"date {day} is before the person's birth date")

    site: Site | None = None
    district_id = ""
    place = values["site"]
    if not place:
        problems.append("no site or district")
    else:
        site = find_site(store, place)
        if site is not None:
            district_id = site.district_id
        elif place.casefold() in districts:
            district_id = districts[place.casefold()]
        else:
            problems.append(f"unknown site or district {place!r}")

    if problems:
        raise Rejected("; ".join(problems))
    assert isinstance(parsed, ResidentId) and phone and product_id and day
    return DoseRow(
        parsed.number, parsed.birth_date, parsed.sex, name, phone, dose, day, product_id, site,
        district_id,
    )  # fmt: skip


def _record_dose(
    store: Store, policy: Policy, row: DoseRow, now: datetime, actor: str, channel: str
) -> tuple[Status, str]:
    """Check the row against what is on record and record it; ``Rejected`` rolls it back."""
    resident = store.resident_by_document("resident_id", row.id_number)
    if resident is not None and not same_name(resident.name, row.name):
        raise Rejected("ID registered under another name")
    doses = store.doses_of(resident.id) if resident else []
    site_id = row.site.id if row.site else None

    recorded = next((d for d in doses if d.dose == row.dose), None)
    if recorded is not None:
        if (recorded.day, recorded.product_id, recorded.site_id) == (
            row.day, row.product_id, site_id,
        ):  # fmt: skip
            return Status.SKIPPED, "already recorded"
        raise Rejected(
            f"dose {row.dose} is already recorded differently: {_describe(store, recorded)}"
        )
    earlier = [d for d in doses if d.dose < row.dose]
    if row.dose > 1 and not any(d.dose == row.dose - 1 for d in earlier):
        raise Rejected(f"dose {row.dose} without dose {row.dose - 1} on record")
    if earlier:
        _check_schedule(policy, row, earlier)

    registered = ""
    if resident is None:
        resident = _register(store, row, now, actor, channel)
        registered = f"; registered a new resident, phone {mask_phone(row.phone)}"
    store.add_dose(
        Dose(resident.id, row.dose, row.day, row.product_id, site_id, "import"),
        now, actor, channel,
    )  # fmt: skip
    where = f" at {row.site.name_zh}" if row.site else f" in {policy.districts[row.district_id].zh}"
    note = "".join(
        f"; note: booking {booking.code} for this dose is still active"
        for booking in store.active_bookings(resident.id)
        if booking.dose == row.dose
    )
    return Status.IMPORTED, (
        f"dose {row.dose} ({row.product_id}, {row.day}{where}){registered}{note}"
    )


def _check_schedule(policy: Policy, row: DoseRow, earlier: list[Dose]) -> None:
    first = earlier[0]
    first_product = policy.products.get(first.product_id)
    if first_product is None:
        raise Rejected(f"dose 1 was {first.product_id}, which the policy no longer lists")
    maker = policy.products[row.product_id].manufacturer
    if maker != first_product.manufacturer:
        raise Rejected(
            f"{row.product_id} is made by {maker}, but dose 1 was {first.product_id} "
            f"({first_product.manufacturer}): every dose must be the same manufacturer"
        )
    following = next_dose(earlier, policy)
    if isinstance(following, Complete):
        raise Rejected(
            f"dose {row.dose} is beyond the {first_product.doses} dose(s) of {first.product_id}"
        )
    previous = earlier[-1]
    gap = (row.day - previous.day).days
    minimum = first_product.intervals[previous.dose - 1].min_days
    if gap < 0:
        raise Rejected(
            f"dose {row.dose} recorded on {row.day} is before dose {previous.dose} ({previous.day})"
        )
    if gap < minimum:
        raise Rejected(
            f"dose {row.dose} recorded on {row.day} is only {gap} days after dose "
            f"{previous.dose} (minimum {minimum})"
        )


def _register(store: Store, row: DoseRow, now: datetime, actor: str, channel: str) -> Resident:
    account = store.account_for("sms", row.phone, row.phone, now)
    # the phone's owner is whoever came first; anyone after is family, relation unknown
    owner_known = any(p.relation == "self" for p in store.residents_of(account))
    return store.add_resident(
        account_id=account,
        name=row.name,
        id_type="resident_id",
        id_number=row.id_number,
        birth_date=row.birth_date,
        sex=row.sex,
        phone=row.phone,
        district_id=row.district_id,
        now=now,
        actor=actor,
        channel=channel,
        relation="other" if owner_known else "self",
    )


def same_name(registered: str, given: str) -> bool:
    """Names compared without case or spaces: "张 三" is "张三", "LI Wei" is "Li wei"."""
    return (
        "".join(clean_name(registered).split()).casefold()
        == "".join(clean_name(given).split()).casefold()
    )


def _describe(store: Store, dose: Dose) -> str:
    site = store.site(dose.site_id) if dose.site_id is not None else None
    where = f" at {site.name_zh}" if site else ""
    return f"{dose.product_id} on {dose.day}{where}"
