"""A missed appointment, told: "6月19日的预约已过（未接种）", the no-show count, how to book again.

An appointment whose day has passed with neither a shot nor a cancellation is a no-show
(DESIGN.md §1). The end-of-day job (``vaxbot noshow run``, the worker at ``jobs.noshow_at``)
marks it; if the resident writes on a later day before the job has run (a worker that was
down), the same rule is applied to their own booking then (``flows.rules.bars`` decides a
bar, as the job's does), so that the booking is no longer shown as current and a new one can
be made at once. An attendance recorded late still turns the no-show into a shot
(``Store.attend``).

Told on the status (我的预约, my booking) and as the answer to "I missed my appointment, can I
rebook?" (``ask.noshow``) when the sender's person has a missed appointment with nothing after
it (no booking, no dose from that day on); otherwise that answer is the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.booking_day import short_day
from flows.dialogue import Ctx
from flows.rules import bar_rule
from store import Booking, BookingNotActive, Resident

NOSHOW_ACTOR = "system:noshow"  # as the end-of-day job (bot.attendance)


@dataclass(frozen=True, slots=True)
class Missed:
    booking: Booking
    noshows: int  # the person's no-shows, this one counted
    barred: bool  # barred from self-service booking now
    newly_barred: bool  # by this one


def passed(ctx: Ctx, booking: Booking) -> bool:
    """An active booking whose day is over: missed, whatever the job has done yet."""
    return booking.status == "active" and booking.slot.day < ctx.today


def missed_of(ctx: Ctx, person: Resident) -> Missed | None:
    """The person's last appointment, if it passed without a shot and nothing came after it;
    a past booking still active is marked a no-show now (the end-of-day job's rule)."""
    late = [b for b in ctx.bookings(person.id) if passed(ctx, b)]
    if late:
        noshows, barred, newly = person.noshows, person.barred, False
        for booking in late:
            try:
                bars = ctx.store.mark_noshow(
                    booking.id, now=ctx.now, bars=bar_rule(ctx.policy), actor=NOSHOW_ACTOR,
                    channel=ctx.channel,
                )  # fmt: skip
            except BookingNotActive:  # marked (or attended) meanwhile
                continue
            noshows += 1
            newly = newly or bars
            barred = barred or bars
        return Missed(late[-1], noshows, barred, newly)
    if any(b.status == "active" for b in ctx.bookings(person.id)):
        return None
    history = ctx.store.bookings_of(person.id)  # newest first
    if not history or history[0].status != "noshow":
        return None
    last = history[0]
    if any(dose.day >= last.slot.day for dose in ctx.doses(person.id)):
        return None  # vaccinated since (a dose imported or declared)
    return Missed(last, person.noshows, person.barred, False)


def missed_lines(ctx: Ctx, missed: Missed, *, barred_said: bool = False) -> list[str]:
    """What is said of ``missed``: the day, the count, and booking again (or the hotline once
    barred; ``barred_said``: the status says the bar itself)."""
    limit = ctx.policy.booking.noshow_limit
    day = missed.booking.slot.day
    lines = [ctx.t("missed.booking", day=short_day(ctx.lang, day))]
    if missed.barred:
        if not barred_said or missed.newly_barred:
            lines.append(ctx.t("missed.barred", limit=limit, hotline=ctx.policy.contact.hotline))
        return lines
    lines.append(ctx.t("missed.count", n=missed.noshows, nth=limit + 1))
    lines.append(ctx.t("missed.rebook"))
    return lines


def missed_answer(ctx: Ctx) -> str | None:
    """The answer to "I missed my appointment, can I rebook?" for the sender's people: each
    one's missed appointment, or None when none has one (the rule is said instead). Never
    creates an account."""
    account = ctx.store.account_of(ctx.channel, ctx.address)
    if account is None:
        return None
    told = []
    for person in ctx.store.residents_of(account):
        missed = missed_of(ctx, person)
        if missed is not None:
            told.append((person, missed))
    if not told:
        return None
    space, colon = (" ", ": ") if ctx.lang == "en" else ("", "：")
    parts = [
        person.name + colon + space.join(missed_lines(ctx, missed))
        for person, missed in told[:2]  # two SMS segments at most
    ]
    return "\n".join(parts)
