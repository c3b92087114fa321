"""The pre-registration queue offered when no place suits: joined with the time of day the
person prefers (automatic assignment offers that first; flows/assignment)."""

from __future__ import annotations

from flows.booking_companion import needs_companion
from flows.booking_state import PART_WORDS, booked_resident
from flows.dialogue import Answer, Ctx, Done, Next, Option, Outcome, Prompt, Step, agree_or_not
from flows.places import PARTS


def _queue(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("queue.ask"), agree_or_not(ctx.t("queue.join"), ctx.t("queue.skip")))


def _read_queue(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value != "yes":
        return Done(ctx.t("queue.declined"))
    if ctx.data.get("part") in PARTS:  # already said (晚上, 明天下午): no need to ask
        return _join_queue(ctx, ctx.data["part"])
    return Next("queue_period")


def _queue_period(ctx: Ctx) -> Prompt:
    """The time of day the person prefers: automatic assignment offers that first."""
    options = tuple(
        Option(str(n), ctx.t(f"part.{part}"), part, words)
        for n, (part, words) in enumerate(PART_WORDS.items(), 1)
    )
    return Prompt(ctx.t("queue.period"), options)


def _read_queue_period(ctx: Ctx, answer: Answer) -> Outcome:
    return _join_queue(ctx, None if answer.value == "any" else str(answer.value))


def _join_queue(ctx: Ctx, period: str | None) -> Outcome:
    resident = booked_resident(ctx)
    district = ctx.data.get("queue_district") or resident.district_id
    added = ctx.store.join_queue(resident.id, int(ctx.data["dose"]), district, period, ctx.now)
    said = ctx.t("queue.joined" if added else "queue.already", name=resident.name)
    if added and needs_companion(ctx, resident.birth_date, ctx.today):  # asked at acceptance
        min_age = ctx.policy.ages.companion
        said += "\n" + ctx.t("queue.companion", name=resident.name, min=min_age)
    return Done(said)


QUEUE_STEPS = {
    "queue": Step(_queue, _read_queue, free_text=False),
    "queue_period": Step(_queue_period, _read_queue_period, free_text=False),
}
