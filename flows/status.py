"""Status (查询): everyone this phone manages — pre-registration code, doses received, active
bookings, a place offered from the queue and how to accept it, when the next dose is due,
place in the queue, and a no-show bar if any.

``status_texts`` is what the status flow says, and what ``bot.turn`` says when 我约了吗 is
asked in the middle of another flow (answered, then that flow's question again)."""

from __future__ import annotations

from datetime import datetime

from flows.dialogue import Ctx, Done, Flow, Outcome
from flows.identity import mask_phone
from flows.minds import people_meant
from flows.missed import missed_lines, missed_of, passed
from flows.offers import offer_deadline, open_offers, short_moment
from flows.places import booking_facts, site_name
from flows.schedule import Complete, next_dose
from flows.whose import absent, chosen, not_here
from store import Offer, Resident


def status_texts(ctx: Ctx, *, in_flow: bool = False) -> list[str]:
    """The status of everyone on the sender's account, one text per person (a family's status
    in one SMS would run to many segments), or that no one is registered on it. Only the
    account's own people are ever told.

    ``in_flow``: asked inside another flow, where a bare 1 or 2 answers that flow's question:
    an open offer is then told with the words that answer it anywhere (接受/放弃)."""
    people = ctx.people()
    if not people:
        return [ctx.t("status.none")]
    note = None
    if not in_flow:  # 我妈明天几点打针, what time is my mum's appointment: hers alone
        if (relation := absent(ctx, people)) is not None:  # 我爸 on a phone without him
            return [not_here(ctx, relation)]
        everyone, people = people, _asked_for(ctx, people)
        if ctx.data.get("whose") == "mine" and len(people) < len(everyone):
            note = ctx.t("whose.others", n=len(everyone) - len(people))  # 我几点打针: mine
    offers = {offer.resident_id: offer for offer in open_offers(ctx)}  # one open per person
    said = ["\n".join(_person(ctx, p, offers.get(p.id), in_flow)) for p in people]
    return said if note is None else [*said[:-1], f"{said[-1]}\n{note}"]


def _asked_for(ctx: Ctx, people: list[Resident]) -> list[Resident]:
    """The people the request named (by name, or the relation they were registered as), or
    said by its words (everyone, my own, the nth), or everyone when it named nobody on this
    phone."""
    named = ctx.data.get("named")
    if named is not None and not ctx.data.get("people"):
        return [p for p in people if p.id == named] or people
    booked = {p.id for p in people if any(not passed(ctx, b) for b in ctx.bookings(p.id))}
    by_words = chosen(ctx, people, booked)
    if by_words is not None:
        return by_words
    relation = (ctx.data.get("wish") or {}).get("relation")
    if relation in (None, "other", "new"):
        return people
    meant, sure = people_meant(people, str(relation))
    return meant if sure and meant else people


def _person(ctx: Ctx, person: Resident, offer: Offer | None, in_flow: bool) -> list[str]:
    lines = [ctx.t("status.person", name=person.name, code=person.prereg_code)]
    doses = ctx.doses(person.id)
    for dose in doses:
        product = ctx.policy.products.get(dose.product_id)
        label = ctx.name_of(product.zh, product.en) if product else dose.product_id
        lines.append(ctx.t("status.dose", dose=dose.dose, day=ctx.day(dose.day), product=label))
    missed = missed_of(ctx, person)  # flows.missed: a past appointment is not a current one
    bookings = [booking for booking in ctx.bookings(person.id) if not passed(ctx, booking)]
    lines.extend(
        ctx.t("status.booking", **booking_facts(ctx, person.name, booking)) for booking in bookings
    )
    if missed is not None:
        lines.extend(missed_lines(ctx, missed, barred_said=person.barred))
    upcoming = next_dose(doses, ctx.policy)
    if isinstance(upcoming, Complete):
        lines.append(ctx.t("status.complete"))
        return lines
    if not bookings:
        if offer is not None:  # told instead of "no booking": it lapses unless answered
            lines.append(_offer(ctx, offer, in_flow))
        elif upcoming.earliest is not None:
            lines.append(
                ctx.t("status.next_due", dose=upcoming.number, day=ctx.day(upcoming.earliest))
            )
        elif missed is None:
            lines.append(ctx.t("status.no_booking"))
    queued = ctx.store.queue_place(person.id, upcoming.number)
    if queued is not None:
        place, since = queued
        day = short_moment(ctx.lang, datetime.fromisoformat(since).astimezone(ctx.policy.zone))
        if ctx.store.opted_out("sms", person.phone):  # the batch offers them nothing
            lines.append(ctx.t("status.queued.off", phone=mask_phone(person.phone)))
        else:
            lines.append(ctx.t("status.queued", dose=upcoming.number, n=place, from_day=day))
    if person.barred:
        lines.append(ctx.t("status.barred", n=ctx.policy.booking.noshow_limit))
    return lines


def _offer(ctx: Ctx, offer: Offer, in_flow: bool) -> str:
    """An open offer: the place, and how and until when to accept it."""
    return ctx.t(
        "status.offer.words" if in_flow else "status.offer",
        day=ctx.day(offer.slot.day),
        period=offer.slot.period,
        site=site_name(ctx.lang, offer.site),
        until=offer_deadline(ctx, offer),
    )


def _report(ctx: Ctx) -> Outcome:
    first, *rest = status_texts(ctx)
    return Done(first, more=tuple(rest))


STATUS = Flow(name="status", first="", steps={}, start=_report)
