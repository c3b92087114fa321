"""Changing a booking: cancel (取消预约) and reschedule (改期).

```mermaid
stateDiagram-v2
    [*] --> [*]: no active booking on this phone
    [*] --> pick: several bookings
    [*] --> confirm: one booking (cancel)
    pick --> confirm: cancel
    confirm --> [*]: cancelled, place freed / kept
    [*] --> where: one booking (reschedule)
    pick --> where: reschedule, then the booking flow's place steps
    where --> date: a new day or time said (改到下周三下午), no place: the same site
    where --> [*]: moved (new place taken before the old one is freed)
```

Both are refused from the cut-off on (default: on the appointment day itself): a missed
appointment then counts as a no-show.
"""

from __future__ import annotations

from datetime import timedelta

from flows.booking import BOOKING
from flows.booking_place import revise, take_site, to_place
from flows.booking_state import prepare, wish, with_note
from flows.cancel_all import confirm_all, read_confirm_all
from flows.companion import keep_companion
from flows.dialogue import (
    Answer,
    Ctx,
    Done,
    Flow,
    Next,
    Option,
    Outcome,
    Prompt,
    Retry,
    Step,
    agree_or_not,
    numbered,
)
from flows.minds import people_meant
from flows.places import booking_facts
from flows.rules import Bar, may_book, mode_of
from flows.time_valid import no_time_heard
from flows.whose import absent, chosen, not_here, whose_said
from store import Booking, BookingNotActive


def _bookings(ctx: Ctx) -> list[tuple[str, Booking]]:
    """Every active booking of the people this phone manages, with the person's name."""
    found = []
    for person in ctx.people():
        found += [(person.name, booking) for booking in ctx.bookings(person.id)]
    return found


def _meant(
    ctx: Ctx, bookings: list[tuple[str, Booking]], cancelling: bool = False
) -> list[tuple[str, Booking]]:
    """The bookings meant (``_whose``), and of those the one on the day the request rules
    out (明天没空去: the booking tomorrow) or, cancelling, names (取消明天嗰个)."""
    meant = _whose(ctx, bookings)
    wish = ctx.data.get("wish") or {}
    day = wish.get("not_day") or (wish.get("day") if cancelling else None)
    on_day = [(name, b) for name, b in meant if b.slot.day.isoformat() == day]
    return on_day if day and len(meant) > 1 and on_day else meant


def _whose(ctx: Ctx, bookings: list[tuple[str, Booking]]) -> list[tuple[str, Booking]]:
    """The bookings of the person the request names (帮我取消张三的, 我妈也要改, 取消我自己的),
    by name or by a relation that surely means one person on this phone, or by its words
    (取消第二个, 全部取消, cancel my booking: ``flows.whose``); all of them when it names
    nobody, or nobody with a booking."""
    if several := ctx.data.get("people"):  # 我同阿妈都取消, 取消我爸妈的: theirs
        return [(name, b) for name, b in bookings if b.resident_id in several] or bookings
    named = _one_named(ctx)
    if named is None:
        people = ctx.people()
        by_words = chosen(ctx, people, {b.resident_id for _, b in bookings})
        ids = {p.id for p in by_words or people}
        return [(name, b) for name, b in bookings if b.resident_id in ids] or bookings
    return [(name, b) for name, b in bookings if b.resident_id == named] or bookings


def _one_named(ctx: Ctx) -> int | None:
    """The one person on the phone the request names, by name or by a relation that surely
    means them."""
    named = ctx.data.get("named")
    relation = ctx.data.get("relation")
    if named is None and relation is not None:
        meant, sure = people_meant(ctx.people(), str(relation))
        named = meant[0].id if sure and len(meant) == 1 else None
    return int(named) if named is not None else None


def _unbooked(ctx: Ctx, bookings: list[tuple[str, Booking]]) -> Done | None:
    """取消我老婆的预约 when she has none: said so (by her name), never another's offered."""
    named = _one_named(ctx)
    if named is None or not bookings or any(b.resident_id == named for _, b in bookings):
        return None
    person = ctx.resident(named)
    return Done(ctx.t("change.none_of", name=person.name)) if person is not None else None


def _absent_note(ctx: Ctx) -> str | None:
    """取消我爸的 on a phone without him: said so, before the bookings that are here."""
    relation = absent(ctx, ctx.people())
    return not_here(ctx, relation) if relation is not None else None


def _too_late(ctx: Ctx, booking: Booking, key: str) -> Done | None:
    cutoff = ctx.policy.booking.cancel_cutoff_days
    if (booking.slot.day - ctx.today).days >= cutoff:
        return None
    return Done(ctx.t(key, days=cutoff, limit=ctx.policy.booking.noshow_limit))


def _pick(ctx: Ctx) -> Prompt:
    return Prompt(
        ctx.t("change.pick"),
        numbered(
            (ctx.t("change.label", **booking_facts(ctx, name, booking)), booking.id)
            for name, booking in _whose(ctx, _bookings(ctx))  # 帮我爸妈改期: theirs
        ),
    )


def _open(ctx: Ctx) -> tuple[str, Booking] | None:
    """The booking this conversation is about, if it is still active and this phone's."""
    for name, booking in _bookings(ctx):
        if booking.id == ctx.data.get("booking_id"):
            return name, booking
    return None


# -- cancel ---------------------------------------------------------------------------------


def _start_cancel(ctx: Ctx) -> Outcome:
    if (none := _unbooked(ctx, _bookings(ctx))) is not None:
        return none
    bookings = _meant(ctx, _bookings(ctx), cancelling=True)
    note = _absent_note(ctx)
    if not bookings:
        return Done(ctx.t("change.none") if note is None else note)
    if len(bookings) > 1:
        if note is None and (ctx.data.get("whose") == "everyone" or ctx.data.get("people")):
            return Next("confirm_all")  # 全部取消, cancel both: what goes, then confirmed
        return Next("pick", note=note)
    if note is not None:  # never the one booking here for a relative who is not
        return Done(note)
    return _chosen_for_cancel(ctx, bookings[0][1])


def _chosen_for_cancel(ctx: Ctx, booking: Booking) -> Outcome:
    late = _too_late(ctx, booking, "cancel.too_late")
    if late:
        return late
    ctx.data["booking_id"] = booking.id
    return Next("confirm")


def _read_pick_cancel(ctx: Ctx, answer: Answer) -> Outcome:
    ctx.data["booking_id"] = answer.value
    chosen = _open(ctx)
    return _chosen_for_cancel(ctx, chosen[1]) if chosen else Done(ctx.t("change.gone"))


def _confirm_cancel(ctx: Ctx) -> Prompt:
    chosen = _open(ctx)
    assert chosen is not None
    return Prompt(
        ctx.t("cancel.ask", **booking_facts(ctx, *chosen)),
        agree_or_not(ctx.t("cancel.yes"), ctx.t("cancel.no")),
    )


def _read_confirm_cancel(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.option is None and answer.intent != "cancel":
        return Retry(ctx.t("pick_number", n=2))
    if answer.option is None and whose_said(answer.words).get("whose") == "everyone":
        return Next("confirm_all")  # 全部取消 at one booking's question: all of them, listed
    if answer.option is not None and answer.value != "yes":  # 我唔去喇 said again: yes
        return Done(ctx.t("cancel.kept"))
    chosen = _open(ctx)
    if chosen is None:
        return Done(ctx.t("change.gone"))
    late = _too_late(ctx, chosen[1], "cancel.too_late")  # the day may have turned meanwhile
    if late:
        return late
    try:
        ctx.memo.clear()  # the bookings looked up so far are about to change
        booking = ctx.store.cancel(chosen[1].id, now=ctx.now, actor=ctx.actor, channel=ctx.channel)
    except BookingNotActive:
        return Done(ctx.t("change.gone"))
    return Done(ctx.t("cancel.done", code=booking.code))


CANCEL = Flow(
    name="cancel",
    first="pick",
    start=_start_cancel,
    steps={
        "pick": Step(_pick, _read_pick_cancel, free_text=False),
        "confirm": Step(_confirm_cancel, _read_confirm_cancel),
        "confirm_all": Step(confirm_all, read_confirm_all),
    },
)


# -- reschedule -----------------------------------------------------------------------------


def _start_reschedule(ctx: Ctx) -> Outcome:
    if (none := _unbooked(ctx, _bookings(ctx))) is not None:
        return none
    bookings = _meant(ctx, _bookings(ctx))  # 我妈也要改: hers, when she has one
    note = _absent_note(ctx)
    if note is not None:  # 把我爸的改到下周 on a phone without him: nobody's is moved
        return Next("pick", note=note) if len(bookings) > 1 else Done(note)
    if not bookings:
        said = wish(ctx)
        if said.day is None and said.part is None and said.week is None:
            return Done(ctx.t("change.none"))
        # can't do tomorrow, saturday morning: no booking to move, so one for when they said
        book = Option("1", ctx.t("change.book_instead"), "flow:book")
        return Done(ctx.t("change.none"), carry={"wish": said.said()}, offer=(book,))
    if len(bookings) > 1:  # 全部改到下周: one at a time
        every = ctx.data.get("whose") == "everyone" or ctx.data.get("people")
        return Next("pick", note=ctx.t("reschedule.one_at_a_time") if every else None)
    return _chosen_for_reschedule(ctx, bookings[0][1])


def _chosen_for_reschedule(ctx: Ctx, booking: Booking) -> Outcome:
    late = _too_late(ctx, booking, "reschedule.too_late")
    if late:
        return late
    resident = ctx.resident(booking.resident_id)
    assert resident is not None
    decision = may_book(ctx.policy, resident, ctx.doses(resident.id), ctx.bookings(resident.id),
                        ctx.now, mode_of(ctx.channel), moving=booking)  # fmt: skip
    if decision.bar is Bar.BARRED:
        return Done(ctx.t("book.barred", name=resident.name, n=ctx.policy.booking.noshow_limit))
    dose = decision.dose
    if dose is None or dose.number != booking.dose or decision.bar is Bar.ALREADY:
        return Done(ctx.t("change.gone"))
    prepare(ctx, resident, dose)
    ctx.data.update(reschedule=booking.id, booking_id=booking.id)
    keep_companion(ctx, booking)  # asked again only if the resident changes them
    if decision.bar is Bar.MAINTENANCE:
        return Done(ctx.t("book.maintenance", window=ctx.policy.booking.maintenance))
    note = ctx.t(
        "reschedule.intro",
        name=resident.name,
        day=ctx.day(booking.slot.day),
        period=booking.slot.period,
    )
    _shifted(ctx, booking)
    said = wish(ctx)
    timed = said.part or said.hour is not None or said.by_hour or said.from_hour is not None
    days = said.day or said.week or said.from_day or said.by_day  # 改到周五之前: those days
    if said.site is None and said.district is None and (days or timed):
        if not days:  # 改到两点半, 改去下午: that day, another time
            ctx.data["wish"] = {**said.said(), "day": booking.slot.day.isoformat()}
        return with_note(take_site(ctx, booking.site), note)  # 改到下周: the same site
    return to_place(ctx, note)


def _shifted(ctx: Ctx, booking: Booking) -> None:
    """推迟两天 / 提前一日: that day wished for; 提前 / 推迟 alone: the days before / after."""
    shift = ctx.data.pop("shift", None)
    day = booking.slot.day
    if isinstance(shift, int):
        ctx.data["wish"] = {**(ctx.data.get("wish") or {}), "day": str(day + timedelta(shift))}
    elif shift in ("later", "earlier"):
        key, bound = ("from_day", 1) if shift == "later" else ("by_day", -1)
        ctx.data["wish"] = {**(ctx.data.get("wish") or {}), key: str(day + timedelta(bound))}


def _read_pick_reschedule(ctx: Ctx, answer: Answer) -> Outcome:
    ctx.data["booking_id"] = answer.value
    chosen = _open(ctx)
    return _chosen_for_reschedule(ctx, chosen[1]) if chosen else Done(ctx.t("change.gone"))


RESCHEDULE = Flow(
    name="reschedule",
    first="pick",
    start=_start_reschedule,
    revise=revise,
    heard=no_time_heard,  # 改到明天25点: no time
    steps={
        **{
            name: step
            for name, step in BOOKING.steps.items()
            if not name.startswith(("q_", "screening", "declare"))
        },
        "pick": Step(_pick, _read_pick_reschedule, free_text=False),
    },
)
