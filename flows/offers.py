"""Answering an offer from the pre-registration queue (`vaxbot assign`): accept or decline.

The offer arrives by SMS ("reply 1 to accept, 2 to decline"). The engine starts this flow on a
1/2 (or 接受/放弃, ACCEPT/DECLINE) when the phone has an open offer and no conversation in
progress. One open offer is answered at once. A phone that manages several people can hold an
offer for each: then a bare 1 or 2 cannot say whose, so the flow asks.

```mermaid
stateDiagram-v2
    [*] --> [*]: no open offer (closed), or one (answered)
    [*] --> which: several open offers
    which --> [*]: the chosen one answered (and how many are still open)
```
"""

from __future__ import annotations

from flows.dialogue import Answer, Ctx, Done, Flow, Next, Outcome, Prompt, Step, numbered
from flows.places import booking_facts, site_name
from store import AlreadyBooked, Offer, OfferClosed


def open_offers(ctx: Ctx) -> list[Offer]:
    """The unexpired open offers for the people of the sender's account, oldest first."""
    return ctx.once(("offers",), lambda: ctx.store.open_offers(ctx.account_id, ctx.now))


def _start(ctx: Ctx) -> Outcome:
    offers = open_offers(ctx)
    if not offers:
        return Done(ctx.t("offer.closed"))
    if len(offers) == 1:
        return Done(_answer(ctx, offers[0], bool(ctx.data["accept"])))
    return Next("which")


def _which(ctx: Ctx) -> Prompt:
    offers = open_offers(ctx)
    key = "offer.which.accept" if ctx.data["accept"] else "offer.which.decline"
    return Prompt(ctx.t(key, n=len(offers)), numbered((_label(ctx, o), o.id) for o in offers))


def _read_which(ctx: Ctx, answer: Answer) -> Outcome:
    offer = next((o for o in open_offers(ctx) if o.id == answer.value), None)
    if offer is None:  # expired while the question was read
        return Done(ctx.t("offer.closed"))
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
        booking = ctx.store.accept_offer(
            offer.id, now=ctx.now, actor=ctx.actor, channel=ctx.channel
        )
    except OfferClosed:
        return ctx.t("offer.closed")
    except AlreadyBooked:
        return ctx.t("offer.already", name=resident.name)
    return ctx.t("offer.accepted", **booking_facts(ctx, resident.name, booking))


OFFER = Flow(
    name="offer",
    first="which",
    start=_start,
    steps={"which": Step(_which, _read_which, free_text=False)},
)
