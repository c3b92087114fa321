"""Answering an offer from the pre-registration queue (`vaxbot assign`): accept or decline.

The offer arrives by SMS ("reply 1 to accept, 2 to decline"). The engine hands a 1/2 (or
接受/放弃, ACCEPT/DECLINE) here when the phone has an open offer and no conversation in progress.
"""

from __future__ import annotations

from flows.dialogue import Ctx
from flows.places import booking_facts
from store import AlreadyBooked, OfferClosed


def answer_offer(ctx: Ctx, accept: bool) -> str | None:
    """Accept or decline the phone's oldest open offer; None if it has none."""
    offers = ctx.store.open_offers(ctx.account_id, ctx.now)
    if not offers:
        return None
    offer = offers[0]
    resident = ctx.store.resident(offer.resident_id)
    assert resident is not None
    try:
        if not accept:
            ctx.store.decline_offer(offer.id, now=ctx.now, actor=ctx.actor, channel=ctx.channel)
            return ctx.t("offer.declined")
        booking = ctx.store.accept_offer(
            offer.id, now=ctx.now, actor=ctx.actor, channel=ctx.channel
        )
    except OfferClosed:
        return ctx.t("offer.closed")
    except AlreadyBooked:
        return ctx.t("offer.already", name=resident.name)
    return ctx.t("offer.accepted", **booking_facts(ctx, resident.name, booking))
