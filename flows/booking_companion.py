"""The companion a person of 70 or more must come with (DESIGN.md §1): asked during a booking
(its name, then its phone), and the notices every booking of a person that age carries."""

from __future__ import annotations

from datetime import date

from flows.booking_state import chosen_person
from flows.dialogue import Answer, Ctx, Next, Outcome, Prompt
from flows.eligibility import age_rules
from flows.identity import mask_phone
from flows.schedule import NextDose, Timing, timing
from flows.typed_fields import phone_prompt, take_name


def needs_companion(ctx: Ctx, birth: date, day: date) -> bool:
    """Whether a person born on ``birth`` must come with a family member on ``day`` (70+)."""
    return age_rules(birth, day, ctx.policy.ages).companion


def companion_of(ctx: Ctx) -> tuple[str, str] | None:
    """The companion's name and phone given in this conversation, if any."""
    if not ctx.data.get("companion_phone"):
        return None
    return str(ctx.data["companion_name"]), str(ctx.data["companion_phone"])


def age_notices(ctx: Ctx, birth: date, day: date, companion: tuple[str, str] | None) -> list[str]:
    """What a person of that age must know for ``day``, said with every booking however it
    was made (booked, moved, a queue place accepted): the on-site health check (60+), the
    companion (70+) and the green channel (76+)."""
    ages = ctx.policy.ages
    rules = age_rules(birth, day, ages)
    notes = []
    if rules.assessment:
        notes.append(ctx.t("age.assessment", min=ages.assessment))
    if rules.companion and companion is not None:
        name, phone = companion
        notes.append(ctx.t("age.companion", companion=name, phone=mask_phone(phone)))
    if rules.green_channel:
        notes.append(ctx.t("age.green_channel", min=ages.green_channel))
    return notes


def dose_notices(
    ctx: Ctx, dose: NextDose, day: date, previous: date | None, *, declared: bool
) -> list[str]:
    """What a booking of ``dose`` on ``day`` must say of the dose before it (given on
    ``previous``): overdue, and a dose 1 declared in the chat (the site checks the record)."""
    notes = []
    if timing(dose, day) is Timing.OVERDUE and previous is not None:
        assert dose.latest is not None
        notes.append(ctx.t("book.overdue", max=(dose.latest - previous).days))
    if declared:
        notes.append(ctx.t("declare.check"))
    return notes


def companion_name_prompt(ctx: Ctx, name: str) -> Prompt:
    """The companion's name, asked for the 70+ person called ``name``."""
    return Prompt(ctx.t("companion.name", name=name, min=ctx.policy.ages.companion))


def companion_name(ctx: Ctx) -> Prompt:
    return companion_name_prompt(ctx, chosen_person(ctx).name)


def read_companion_name(ctx: Ctx, answer: Answer) -> Outcome:
    """The companion's name (a booking's or an accepted queue place's), then their phone."""
    return take_name(ctx, answer, "companion_name", then="companion_phone")


def companion_phone(ctx: Ctx) -> Prompt:
    return phone_prompt(ctx, "companion.phone")


def companion_first(ctx: Ctx, note: str | None) -> Outcome | None:
    """On the operator's line, a 70+ caller's companion is asked as soon as the person is
    settled (the operator asks the family member on the phone before choosing a place)."""
    person = chosen_person(ctx)
    if ctx.channel != "operator":
        return None
    if not age_rules(person.birth_date, ctx.today, ctx.policy.ages).companion:
        return None
    ctx.data["companion_first"] = True
    return Next("companion_name", note=note)
