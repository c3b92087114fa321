"""Status (查询): everyone this phone manages — pre-registration code, doses received, active
bookings, when the next dose is due, place in the queue, and a no-show bar if any."""

from __future__ import annotations

from flows.dialogue import Ctx, Done, Flow, Outcome
from flows.places import booking_facts
from flows.schedule import Complete, next_dose
from store import Resident


def _person(ctx: Ctx, person: Resident) -> list[str]:
    lines = [ctx.t("status.person", name=person.name, code=person.prereg_code)]
    doses = ctx.store.doses_of(person.id)
    for dose in doses:
        product = ctx.policy.products.get(dose.product_id)
        label = ctx.name_of(product.zh, product.en) if product else dose.product_id
        lines.append(ctx.t("status.dose", dose=dose.dose, day=ctx.day(dose.day), product=label))
    bookings = ctx.store.active_bookings(person.id)
    lines.extend(
        ctx.t("status.booking", **booking_facts(ctx, person.name, booking)) for booking in bookings
    )
    upcoming = next_dose(doses, ctx.policy)
    if isinstance(upcoming, Complete):
        lines.append(ctx.t("status.complete"))
        return lines
    if not bookings:
        if upcoming.earliest is not None:
            lines.append(
                ctx.t("status.next_due", dose=upcoming.number, day=ctx.day(upcoming.earliest))
            )
        else:
            lines.append(ctx.t("status.no_booking"))
    place = ctx.store.queue_position(person.id, upcoming.number)
    if place is not None:
        lines.append(ctx.t("status.queued", dose=upcoming.number, n=place))
    if person.barred:
        lines.append(ctx.t("status.barred", n=ctx.policy.booking.noshow_limit))
    return lines


def _report(ctx: Ctx) -> Outcome:
    people = ctx.people()
    if not people:
        return Done(ctx.t("status.none"))
    # One message per person: a family's status in one SMS would run to many segments.
    first, *rest = ("\n".join(_person(ctx, person)) for person in people)
    return Done(first, more=tuple(rest))


STATUS = Flow(name="status", first="", steps={}, start=_report)
