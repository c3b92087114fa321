"""The companion (70+) of a booking being moved: kept, said on the confirmation, changeable.

A reschedule keeps the booking's companion (nobody is asked their name again); the
confirmation says it is the same one and offers to change it (option 3), which asks the
companion's name and phone as a new booking would.
"""

from __future__ import annotations

from flows.dialogue import Ctx, Option
from flows.identity import mask_phone
from store import Booking


def keep_companion(ctx: Ctx, booking: Booking) -> None:
    """Take the companion of ``booking`` (if it has one) for the booking's new place."""
    if booking.companion_name and booking.companion_phone:
        ctx.data.update(
            companion_name=booking.companion_name,
            companion_phone=booking.companion_phone,
            companion_kept=True,
        )


def kept_notes(ctx: Ctx, notes: list[str]) -> list[str]:
    """``notes`` with the companion line saying it is the booking's own (kept, not asked)."""
    if not ctx.data.get("companion_kept") or not ctx.data.get("companion_phone"):
        return notes
    name, phone = str(ctx.data["companion_name"]), str(ctx.data["companion_phone"])
    said = ctx.t("age.companion", companion=name, phone=mask_phone(phone))
    kept = ctx.t("reschedule.companion_kept", companion=name, phone=mask_phone(phone))
    return [kept if note == said else note for note in notes]


def change_option(ctx: Ctx) -> tuple[Option, ...]:
    """Option 3 on the confirmation of a move that kept the companion: change them."""
    if not ctx.data.get("companion_kept") or not ctx.data.get("companion_phone"):
        return ()
    return (Option("3", ctx.t("reschedule.companion_change"), "companion"),)
