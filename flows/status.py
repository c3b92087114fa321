"""Status (查询): everyone this phone manages, their pre-registration codes and bookings."""

from __future__ import annotations

from flows.dialogue import Ctx, Done, Flow, Outcome
from flows.places import site_name


def _report(ctx: Ctx) -> Outcome:
    people = ctx.store.residents_of(ctx.account_id)
    if not people:
        return Done(ctx.t("status.none"))
    lines = []
    for person in people:
        lines.append(ctx.t("status.person", name=person.name, code=person.prereg_code))
        bookings = ctx.store.active_bookings(person.id)
        lines.extend(
            ctx.t(
                "status.booking",
                dose=booking.dose,
                day=ctx.day(booking.slot.day),
                period=booking.slot.period,
                site=site_name(ctx.lang, booking.site),
                code=booking.code,
            )
            for booking in bookings
        )
        if not bookings:
            lines.append(ctx.t("status.no_booking"))
    return Done("\n".join(lines))


STATUS = Flow(name="status", first="", steps={}, start=_report)
