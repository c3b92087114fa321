"""When a person may book: dose schedules, booking windows, daily release and campaigns.

Pure rules over the policy (DESIGN.md §1 "Vaccines and doses", "Booking"). Day counting is
explicit: a dose on day D with ``min_days = 21`` allows the next dose from D + 21 (day 20
refused, day 21 allowed); up to D + ``max_days`` it is on time, later it is overdue (still
allowed, with a notice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from flows.policy import Campaign, Policy, in_range, parse_hhmm, time_range
from store import Dose


@dataclass(frozen=True, slots=True)
class NextDose:
    """The dose a person may book next, and under which constraints."""

    number: int
    products: tuple[str, ...] | None  # None: any product (a first dose)
    earliest: date | None = None  # the first allowed day
    latest: date | None = None  # the last on-time day; after it the dose is overdue
    previous: Dose | None = None


@dataclass(frozen=True, slots=True)
class Complete:
    """Every dose of the person's product is on record."""

    doses: int


def next_dose(doses: list[Dose], policy: Policy) -> NextDose | Complete:
    """The next dose after ``doses`` (in order), by the schedule of the first dose's product."""
    if not doses:
        return NextDose(1, None)
    first = policy.products.get(doses[0].product_id)
    previous = doses[-1]
    if first is None:  # a product no longer in the policy: only an operator can judge
        return Complete(len(doses))
    if len(doses) >= first.doses:
        return Complete(len(doses))
    interval = first.intervals[len(doses) - 1]
    same_maker = tuple(
        key for key, product in policy.products.items()
        if product.manufacturer == first.manufacturer
    )  # fmt: skip
    return NextDose(
        number=len(doses) + 1,
        products=same_maker,
        earliest=previous.day + timedelta(days=interval.min_days),
        latest=previous.day + timedelta(days=interval.max_days),
        previous=previous,
    )


class Timing(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    OVERDUE = "overdue"


def timing(dose: NextDose, day: date) -> Timing:
    """Whether an appointment on ``day`` is too early, on time, or overdue for ``dose``."""
    if dose.earliest is not None and day < dose.earliest:
        return Timing.EARLY
    if dose.latest is not None and day > dose.latest:
        return Timing.OVERDUE
    return Timing.ON_TIME


# -- booking windows ------------------------------------------------------------------------


class Window(StrEnum):
    OPEN = "open"
    MAINTENANCE = "maintenance"  # nobody can book
    CLOSED = "closed"  # this district's window is not now


def window(policy: Policy, district_id: str, now: datetime) -> Window:
    """Whether sites of ``district_id`` can be booked at ``now`` (local time)."""
    moment = now.time()
    if in_range(moment, policy.booking.maintenance):
        return Window.MAINTENANCE
    if not in_range(moment, policy.districts[district_id].window):
        return Window.CLOSED
    return Window.OPEN


def opening(policy: Policy, district_id: str) -> str:
    """The district's window as people read it, e.g. ``08:00-12:00``."""
    start, end = time_range(policy.districts[district_id].window)
    return f"{start:%H:%M}-{end:%H:%M}"


def opens_next(policy: Policy, district_id: str, now: datetime) -> tuple[bool, str]:
    """When the district next opens for booking: (today?, ``08:00``)."""
    start, _ = time_range(policy.districts[district_id].window)
    return now.time() < start, f"{start:%H:%M}"


# -- daily release --------------------------------------------------------------------------


def last_released_day(policy: Policy, now: datetime) -> date:
    """The last appointment day whose slots are released at ``now``.

    Slots for day D are released together at ``release_time`` on D - ``release_days_ahead``.
    """
    release_at = parse_hhmm(policy.booking.release_time)
    ahead = policy.booking.release_days_ahead
    if now.time() < release_at:
        ahead -= 1
    return now.date() + timedelta(days=ahead)


def release_moment(policy: Policy, day: date) -> datetime:
    """When the places for appointment ``day`` are (or were) released."""
    release_at = parse_hhmm(policy.booking.release_time)
    released = day - timedelta(days=policy.booking.release_days_ahead)
    return datetime.combine(released, release_at, tzinfo=policy.zone)


# -- campaigns ------------------------------------------------------------------------------


def campaign_now(policy: Policy, today: date) -> Campaign | None:
    """The priority campaign running today, if any."""
    return next((c for c in policy.campaigns if c.start <= today <= c.end), None)


def admitted(campaign: Campaign, dose: NextDose, today: date) -> bool:
    """Whether a campaign lets this person book ``dose`` today."""
    if dose.number != campaign.dose or dose.previous is None:
        return False
    return (today - dose.previous.day).days > campaign.more_than_days_since_previous
