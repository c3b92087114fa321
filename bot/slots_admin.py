"""Slot administration: ``vaxbot slots add``, ``slots import`` and ``slots release``.

Slots are created unreleased (``released_at`` NULL): nobody sees them until ``slots release``
releases them at the policy's daily release time (定时集中放号, DESIGN.md §1): at
``release_time`` on day D, every slot up to D + ``release_days_ahead`` becomes bookable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise

from bot.demo import sync_reference
from bot.records import (
    Rejected,
    Row,
    RowResult,
    Status,
    attempt,
    find_product,
    find_site,
    parse_day,
)
from flows.policy import Policy, parse_hhmm
from flows.schedule import last_released_day
from store import Site, Store

SLOT_COLUMNS = ("site", "product", "date", "start", "end", "capacity")
MAX_CAPACITY = 10_000
MAX_DAYS = 366  # one ``slots add`` covers at most this many days: a typo'd year is an error


class AdminError(ValueError):
    """A slot command that cannot run as given; the message says which option and why."""


@dataclass(frozen=True, slots=True)
class Added:
    """What ``add_slots`` did."""

    site: Site
    product_id: str
    first: date
    last: date
    periods: tuple[str, ...]  # "08:00-10:00", ...
    capacity: int
    added: int
    kept: list[tuple[date, str]] = field(default_factory=list)  # (day, start) already there


@dataclass(frozen=True, slots=True)
class Released:
    count: int
    last_day: date


def parse_period(text: str) -> tuple[str, str]:
    """``HH:MM-HH:MM`` with the start before the end, as ``(start, end)``."""
    parts = text.strip().split("-")
    try:
        if len(parts) != 2:
            raise ValueError
        start, end = (parse_hhmm(part.strip()) for part in parts)
    except ValueError:
        raise ValueError(f"period {text!r} is not HH:MM-HH:MM") from None
    if start >= end:
        raise ValueError(f"period {text!r} does not end after it starts")
    return f"{start:%H:%M}", f"{end:%H:%M}"


def parse_capacity(text: str) -> int:
    value = text.strip()
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_CAPACITY:
        raise ValueError(f"capacity {text!r} is not a whole number from 1 to {MAX_CAPACITY}")
    return int(value)


def release_moment(policy: Policy, day: date) -> datetime:
    """When the slots of ``day`` are released."""
    released_on = day - timedelta(days=policy.booking.release_days_ahead)
    return datetime.combine(released_on, parse_hhmm(policy.booking.release_time), policy.zone)


def _site(store: Store, text: str) -> Site:
    site = find_site(store, text)
    if site is None:
        raise ValueError(f"unknown site {text!r} (give its id, Chinese or English name)")
    return site


def add_slots(
    store: Store,
    policy: Policy,
    *,
    site: str,
    product: str,
    first: str,
    last: str | None,
    periods: Sequence[str],
    capacity: int,
    now: datetime,
) -> Added:
    """Unreleased slots at ``site`` for each day from ``first`` to ``last`` and each period.

    All or nothing: any bad option raises ``AdminError`` before anything is written. Slots that
    already exist (same site, product, day and start) are kept as they are and listed.
    """
    try:
        where = _site(store, site)
        product_id = find_product(policy, product)
        start_day = parse_day(first, "--from")
        end_day = parse_day(last, "--to") if last else start_day
        spans = sorted(parse_period(period) for period in periods)
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    if start_day < now.date():
        raise AdminError(f"--from {start_day} is in the past (today is {now.date()})")
    if end_day < start_day:
        raise AdminError(f"--to {end_day} is before --from {start_day}")
    days = (end_day - start_day).days + 1
    if days > MAX_DAYS:
        raise AdminError(f"--from {start_day} --to {end_day} is {days} days; at most {MAX_DAYS}")
    if not spans:
        raise AdminError("give at least one --period HH:MM-HH:MM")
    for (start, end), (next_start, next_end) in pairwise(spans):
        if next_start < end:
            raise AdminError(f"periods {start}-{end} and {next_start}-{next_end} overlap")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise AdminError(f"--capacity {capacity} is not from 1 to {MAX_CAPACITY}")

    sync_reference(store, policy)
    added, kept = 0, list[tuple[date, str]]()
    with store.transaction():
        for offset in range(days):
            day = start_day + timedelta(days=offset)
            for start, end in spans:
                row = _slot_row(where.id, product_id, day, start, end, capacity)
                if store.add_slots([row], skip_existing=True):
                    added += 1
                else:
                    kept.append((day, start))
    periods = tuple(f"{start}-{end}" for start, end in spans)
    return Added(where, product_id, start_day, end_day, periods, capacity, added, kept)


def _slot_row(
    site_id: int, product_id: str, day: date, start: str, end: str, capacity: int
) -> dict[str, object]:
    return {
        "site_id": site_id,
        "product_id": product_id,
        "day": day.isoformat(),
        "start": start,
        "end": end,
        "capacity": capacity,
        "released_at": None,
    }


def import_slots(
    store: Store, policy: Policy, rows: Iterable[Row], now: datetime
) -> list[RowResult]:
    """Unreleased slots from the rows of a file, each row on its own; one result per row."""
    sync_reference(store, policy)
    results = []
    for number, values in rows:
        period = f"{values['start']}-{values['end']}" if values["start"] else ""
        subject = " ".join(
            v for v in (values["site"], values["product"], values["date"], period) if v
        )
        try:
            status, reason = _import_slot(store, policy, values, now)
        except Rejected as exc:
            status, reason = Status.REJECTED, str(exc)
        results.append(RowResult(number, status, reason, subject))
    return results


def _import_slot(
    store: Store, policy: Policy, values: dict[str, str], now: datetime
) -> tuple[Status, str]:
    problems: list[str] = []
    if values.get(""):
        problems.append(f"more values than columns ({values['']!r})")
    for name in SLOT_COLUMNS:
        if not values[name]:
            problems.append(f"no {name}")
    if problems:
        raise Rejected("; ".join(problems))
    site = attempt(problems, lambda: _site(store, values["site"]))
    product_id = attempt(problems, lambda: find_product(policy, values["product"]))
    day = attempt(problems, lambda: parse_day(values["date"]))
    if day is not None and day < now.date():
        problems.append(f"date {day} is in the past")
    times = attempt(problems, lambda: parse_period(f"{values['start']}-{values['end']}"))
    capacity = attempt(problems, lambda: parse_capacity(values["capacity"]))
    if problems:
        raise Rejected("; ".join(problems))
    assert site and product_id and day and times and capacity
    start, end = times
    row = _slot_row(site.id, product_id, day, start, end, capacity)
    if not store.add_slots([row], skip_existing=True):
        return Status.SKIPPED, "already exists (same site, product, date and start): kept unchanged"
    return Status.IMPORTED, f"capacity {capacity}, not released yet"


def release(store: Store, policy: Policy, now: datetime) -> Released:
    """Release every unreleased slot whose day is due at ``now``. Idempotent."""
    last_day = last_released_day(policy, now)
    return Released(store.release_due(last_day, now), last_day)
