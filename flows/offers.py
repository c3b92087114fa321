"""Answering an offer from the pre-registration queue (`vaxbot assign`): accept or decline.

The offer arrives by SMS ("reply 1 to accept, 2 to decline"). The engine starts this flow on a
1/2 (or 接受/放弃, ACCEPT/DECLINE) when the phone has an open offer and no conversation in
progress. One open offer is answered at once. A phone that manages several people can hold an
offer for each: then a bare 1 or 2 cannot say whose, so the flow asks.

A person 70+ on the day offered must come with a family member (DESIGN.md §1): accepting
asks for the companion's name and phone first, as a direct booking does, and the booking is
made with them; the acceptance states the age notices of a direct booking's confirmation.

```mermaid
stateDiagram-v2
    [*] --> [*]: no open offer (closed), or one (answered)
    [*] --> which: several open offers
    [*] --> companion_name: one offer accepted, the person 70+ that day
    which --> companion_name: the chosen one accepted, the person 70+ that day
    which --> [*]: the chosen one answered (and how many are still open)
    companion_name --> companion_phone
    companion_phone --> [*]: accepted with the companion (or closed meanwhile)
```
"""

from __future__ import annotations

from datetime import datetime

from flows.booking_companion import (
    age_notices,
    companion_name_prompt,
    companion_of,
    companion_phone,
    dose_notices,
    needs_companion,
    read_companion_name,
)
from flows.dialogue import Answer, Ctx, Done, Flow, Next, Outcome, Prompt, Step, numbered
from flows.places import booking_facts, site_name
from flows.schedule import NextDose, next_dose
from flows.texts import MONTHS_EN, Lang
from flows.typed_fields import take_phone
from store import AlreadyBooked, Booking, Offer, OfferClosed, Resident


def short_moment(lang: Lang, moment: datetime) -> str:
    """A deadline in few characters (an SMS segment holds 70 Chinese ones): ``6月18日 08:00`` /
    ``18 Jun 08:00``, without the weekday."""
    if lang == "zh":
        return f"{moment.month}月{moment.day}日 {moment:%H:%M}"
    return f"{moment.day} {MONTHS_EN[moment.month - 1]} {moment:%H:%M}"


def offer_deadline(ctx: Ctx, offer: Offer) -> str:
    """Until when ``offer`` can be accepted, as the offer SMS says it, in the policy's zone."""
    until = datetime.fromisoformat(offer.expires_at).astimezone(ctx.policy.zone)
    return short_moment(ctx.lang, until)


def open_offers(ctx: Ctx) -> list[Offer]:
    """The unexpired open offers for the people of the sender's account, and for the people
    whose own phone is the sender's (the offer SMS went there too), oldest first."""
    return ctx.once(
        ("offers",), lambda: ctx.store.open_offers(ctx.account_id, ctx.now, ctx.sender_phone)
    )


def _start(ctx: Ctx) -> Outcome:
    offers = open_offers(ctx)
    if not offers:
        return Done(ctx.t("offer.closed"))
    if len(offers) == 1:
        return _companion_first(ctx, offers[0]) or Done(
            _answer(ctx, offers[0], bool(ctx.data["accept"]))
        )
    return Next("which")


def _companion_first(ctx: Ctx, offer: Offer) -> Outcome | None:
    """Accepting a place for someone 70+ that day: their companion is asked before booking."""
    resident = ctx.resident(offer.resident_id)
    assert resident is not None
    if not ctx.data["accept"] or not needs_companion(ctx, resident.birth_date, offer.slot.day):
        return None
    ctx.data["offer_id"] = offer.id
    return Next("companion_name")


def _chosen(ctx: Ctx) -> Offer | None:
    """The offer being accepted, while still open."""
    return next((o for o in open_offers(ctx) if o.id == ctx.data["offer_id"]), None)


def _companion_name(ctx: Ctx) -> Prompt:
    offer = _chosen(ctx)
    resident = ctx.resident(offer.resident_id) if offer is not None else None
    return companion_name_prompt(ctx, resident.name if resident is not None else "")


def _read_companion_phone(ctx: Ctx, answer: Answer) -> Outcome:
    taken = take_phone(ctx, answer, "companion_phone", then="")
    if not isinstance(taken, Next):
        return taken
    offer = _chosen(ctx)
    if offer is None:  # expired while the companion was asked
        return Done(ctx.t("offer.closed"))
    return _answered(ctx, offer)


def _which(ctx: Ctx) -> Prompt:
    offers = open_offers(ctx)
    key = "offer.which.accept" if ctx.data["accept"] else "offer.which.decline"
    return Prompt(ctx.t(key, n=len(offers)), numbered((_label(ctx, o), o.id) for o in offers))


def _read_which(ctx: Ctx, answer: Answer) -> Outcome:
    offer = next((o for o in open_offers(ctx) if o.id == answer.value), None)
    if offer is None:  # expired while the question was read
        return Done(ctx.t("offer.closed"))
    return _companion_first(ctx, offer) or _answered(ctx, offer)


def _answered(ctx: Ctx, offer: Offer) -> Done:
    """``offer`` answered, and how many are still open."""
    said = _answer(ctx, offer, bool(ctx.data["accept"]))
    left = len(open_offers(ctx))
    return Done(said, more=(ctx.t("offer.more", n=left),) if left else ())


def _label(ctx: Ctx, offer: Offer) -> str:
    resident = ctx.resident(offer.resident_id)
    assert resident is not None
    slot = offer.slot
    return f"{resident.name} {ctx.day(slot.day)} {slot.period} {site_name(ctx.lang, offer.site)}"


def _answer(ctx: Ctx, offer: Offer, accept: bool) -> str:
    """Accept or decline ``offer``; what to tell the resident."""
    resident = ctx.resident(offer.resident_id)
    assert resident is not None
    ctx.memo.clear()  # the open offers are about to change
    try:
        if not accept:
            ctx.store.decline_offer(offer.id, now=ctx.now, actor=ctx.actor, channel=ctx.channel)
            return ctx.t("offer.declined")
        companion = companion_of(ctx)
        booking = ctx.store.accept_offer(
            offer.id, now=ctx.now, actor=ctx.actor, channel=ctx.channel, companion=companion
        )
    except OfferClosed:
        return ctx.t("offer.closed")
    except AlreadyBooked:
        return ctx.t("offer.already", name=resident.name)
    accepted = ctx.t("offer.accepted", **booking_facts(ctx, resident.name, booking))
    return "\n".join([accepted, *_notices(ctx, resident, booking, companion)])


def _notices(
    ctx: Ctx, resident: Resident, booking: Booking, companion: tuple[str, str] | None
) -> list[str]:
    """The notices of a direct booking's confirmation: overdue, dose 1 declared, the ages."""
    day = booking.slot.day
    notes = age_notices(ctx, resident.birth_date, day, companion)
    due = next_dose(ctx.doses(resident.id), ctx.policy)
    if isinstance(due, NextDose) and due.number == booking.dose and due.previous is not None:
        previous = due.previous
        declared = previous.source == "declared"
        notes = dose_notices(ctx, due, day, previous.day, declared=declared) + notes
    return notes


OFFER = Flow(
    name="offer",
    first="which",
    start=_start,
    steps={
        "which": Step(_which, _read_which, free_text=False),
        "companion_name": Step(_companion_name, read_companion_name),
        "companion_phone": Step(companion_phone, _read_companion_phone),
    },
)
