"""May this person book now? The one answer for SMS, the console, rosters and rescheduling.

Pure rules over the policy and what is on record (DESIGN.md §1 "Booking", "Cancellation,
no-shows"): the dialogue (``flows.booking``, ``flows.changes``), group booking
(``bot.roster``) and the operator console all call :func:`may_book`, so they cannot disagree.

Three modes, one set of rules:

- ``self``: a resident on their own channel (SMS, Telegram, email, WeChat);
- ``operator``: a hotline operator booking for a caller — the same rules; a *supervisor* may
  lift a no-show bar (:data:`OVERRIDES`), which the store audits as that supervisor;
- ``roster``: a neighbourhood committee's or employer's list — booking windows and the
  maintenance hours (self-service rules) do not apply; everything else does.

The no-show bar is decided here too (:func:`bars`): more than ``booking.noshow_limit``
no-shows bar a person; the store only counts them and records the decision it is given.

```mermaid
stateDiagram-v2
    [*] --> barred: more than noshow_limit no-shows
    [*] --> complete: every dose of the product on record
    [*] --> already: an active booking for the next dose
    [*] --> campaign: a priority campaign runs and the person is not in its group
    [*] --> too_young: under ages.minimum on every day that can be booked
    [*] --> maintenance: 20:00-08:00 (self and operator only)
    [*] --> allowed
```
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from flows.eligibility import age_rules, birthday
from flows.policy import Campaign, Policy
from flows.schedule import (
    Complete,
    NextDose,
    Window,
    admitted,
    campaign_now,
    next_dose,
    window,
)
from store import Booking, Dose, Resident


class Mode(StrEnum):
    SELF = "self"
    OPERATOR = "operator"
    ROSTER = "roster"


class Bar(StrEnum):
    """Why a person may not book now, in the order the rules are applied."""

    BARRED = "barred"
    COMPLETE = "complete"
    ALREADY = "already"
    CAMPAIGN = "campaign"
    TOO_YOUNG = "too_young"
    MAINTENANCE = "maintenance"


# What a role may lift, and only by a deliberate, audited action (``Store.unbar``).
OVERRIDES: dict[Bar, str] = {Bar.BARRED: "supervisor"}


def may_override(role: str, bar: Bar) -> bool:
    """Whether an operator of ``role`` may lift ``bar`` for a caller."""
    return OVERRIDES.get(bar) == role


def mode_of(channel: str) -> Mode:
    """The mode a channel books in: the console's chat is ``operator``, rosters ``roster``."""
    if channel == "operator":
        return Mode.OPERATOR
    if channel == "roster":
        return Mode.ROSTER
    return Mode.SELF


def bars(noshows: int, policy: Policy) -> bool:
    """Whether ``noshows`` missed appointments bar self-service booking (the third, by default)."""
    return noshows > policy.booking.noshow_limit


def bar_rule(policy: Policy) -> Callable[[int], bool]:
    """:func:`bars` for ``policy``, as the store takes it (it counts; the rule decides)."""
    return lambda noshows: bars(noshows, policy)


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer of :func:`may_book`: ``bar`` is None when the person may book ``dose``."""

    bar: Bar | None
    dose: NextDose | None = None  # the dose to book (None when all are done)
    booking: Booking | None = None  # the active booking of that dose (``already``)
    campaign: Campaign | None = None  # the campaign keeping them out (``campaign``)
    opens: date | None = None  # when they turn old enough (``too_young``)
    done: int = 0  # doses on record (``complete``)

    @property
    def allowed(self) -> bool:
        return self.bar is None


def may_book(
    policy: Policy,
    resident: Resident,
    doses: list[Dose],
    bookings: Sequence[Booking],
    now: datetime,
    mode: Mode,
    *,
    moving: Booking | None = None,
) -> Decision:
    """May ``resident`` book their next dose at ``now``, in ``mode``?

    ``bookings`` are the person's active bookings; ``moving`` is the one being rescheduled
    (it does not count as "already booked")."""
    if resident.barred:
        return Decision(Bar.BARRED)
    dose = next_dose(doses, policy)
    if isinstance(dose, Complete):
        return Decision(Bar.COMPLETE, done=dose.doses)
    moved = moving.id if moving is not None else None
    for booking in bookings:
        if booking.status == "active" and booking.dose == dose.number and booking.id != moved:
            return Decision(Bar.ALREADY, dose, booking=booking)
    today = now.date()
    campaign = campaign_now(policy, today)
    if campaign is not None and not admitted(campaign, dose, today):
        return Decision(Bar.CAMPAIGN, dose, campaign=campaign)
    last_day = today + timedelta(days=policy.booking.days_listed - 1)
    if age_rules(resident.birth_date, last_day, policy.ages).too_young:
        opens = birthday(resident.birth_date, policy.ages.minimum)
        return Decision(Bar.TOO_YOUNG, dose, opens=opens)
    if mode is not Mode.ROSTER and window(policy, resident.district_id, now) is Window.MAINTENANCE:
        return Decision(Bar.MAINTENANCE, dose)
    return Decision(None, dose)


class Misfit(StrEnum):
    """Why a given slot does not fit the dose (rescheduling, rosters, the console's pickers)."""

    PRODUCT = "product"
    EARLY = "early"
    TOO_YOUNG = "too_young"


def misfit(policy: Policy, resident: Resident, dose: NextDose, product_id: str,
           day: date) -> Misfit | None:  # fmt: skip
    """Whether an appointment of ``product_id`` on ``day`` fits ``dose`` for ``resident``."""
    if dose.products is not None and product_id not in dose.products:
        return Misfit.PRODUCT
    if dose.earliest is not None and day < dose.earliest:
        return Misfit.EARLY
    if age_rules(resident.birth_date, day, policy.ages).too_young:
        return Misfit.TOO_YOUNG
    return None
