"""Cancelling every booking on the phone at once (全部取消, 两个都取消, cancel both), or those of
the people named together (我同阿妈都取消, 取消我爸妈的: ``people``, flows/whose.py): the
bookings that go are listed and confirmed (those too late to cancel are said, and stay), and
only those listed are cancelled, each as a single cancellation would be (the place freed)."""

from __future__ import annotations

from flows.dialogue import Answer, Ctx, Done, Outcome, Prompt, Retry, agree_or_not
from flows.places import booking_facts
from store import Booking, BookingNotActive


def _listed(ctx: Ctx) -> tuple[list[tuple[str, Booking]], list[tuple[str, Booking]]]:
    """Every active booking of the phone's people: those that can still be cancelled, and
    those past the cut-off."""
    cutoff = ctx.policy.booking.cancel_cutoff_days
    open_: list[tuple[str, Booking]] = []
    late: list[tuple[str, Booking]] = []
    several = ctx.data.get("people")  # 我同阿妈都取消: theirs alone
    for person in ctx.people():
        if several and person.id not in several:
            continue
        for booking in ctx.bookings(person.id):
            ok = (booking.slot.day - ctx.today).days >= cutoff
            (open_ if ok else late).append((person.name, booking))
    return open_, late


def _line(ctx: Ctx, name: str, booking: Booking) -> str:
    return ctx.t("change.label", **booking_facts(ctx, name, booking))


def confirm_all(ctx: Ctx) -> Prompt:
    open_, late = _listed(ctx)
    ctx.data["cancel_all"] = [booking.id for _, booking in open_]
    said = ctx.t("cancel_all.ask", n=len(open_), lines="\n".join(_line(ctx, *b) for b in open_))
    if late:
        lines = (
            "；".join(_line(ctx, *b) for b in late)
            if ctx.lang == "zh"
            else "; ".join(_line(ctx, *b) for b in late)
        )
        said += "\n" + ctx.t("cancel_all.late", lines=lines)
    return Prompt(said, agree_or_not(ctx.t("cancel_all.yes"), ctx.t("cancel.no")))


def read_confirm_all(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.option is None and answer.intent != "cancel":
        return Retry(ctx.t("pick_number", n=2))
    if answer.option is not None and answer.value != "yes":
        return Done(ctx.t("cancel.kept"))
    listed = set(ctx.data.get("cancel_all") or ())
    open_, _ = _listed(ctx)  # the day may have turned meanwhile: only those still open
    codes = []
    ctx.memo.clear()  # the bookings looked up so far are about to change
    for _, booking in open_:
        if booking.id not in listed:
            continue
        try:
            ctx.store.cancel(booking.id, now=ctx.now, actor=ctx.actor, channel=ctx.channel)
        except BookingNotActive:
            continue
        codes.append(booking.code)
    if not codes:
        return Done(ctx.t("change.gone"))
    separator = "、" if ctx.lang == "zh" else ", "
    return Done(ctx.t("cancel_all.done", n=len(codes), codes=separator.join(codes)))
