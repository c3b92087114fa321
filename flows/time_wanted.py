"""The time of day wanted before a day is chosen (10点以前, 下昼三点后, after 2pm, 最好夜晚,
我只得朝早九点前得闲, 放工後，6點之後): kept in the flow's data (``part``, ``hour``, ``by_hour``,
``from_hour``), the days listed are those with a period that fits it, and the day is asked;
the periods offered then are those within it (``flows.booking_day``), and the soonest place
(``flows.soonest``) is one within it. A time no period of the site can meet is said plainly,
with the hours its periods run, and dropped: the days are asked as usual.

What fits: not ruled out (``flows.refusals``), and within the bounds (a period starting at or
after ``from_hour`` and over by ``by_hour``; ``by_hour`` alone, 九点前 / before 9, is the time
one arrives by: a period starting before it), in the part of day, covering the hour.
"""

from __future__ import annotations

from datetime import date

from flows.booking_state import listed_days, open_days, open_slots, with_note
from flows.dates import When
from flows.dialogue import Ctx, Next, Outcome, Retry
from flows.entities import Entities
from flows.places import covers_hour, in_part
from flows.refusals import (
    allowed,
    day_limits,
    keep_day_limits,
    part_refused,
    refusal_note,
    without_refused,
)
from store import Slot

# What the flow's data keeps of the time of day wanted.
TIME_KEYS = ("part", "hour", "by_hour", "from_hour")


def fitting(slots: list[Slot], when: When) -> list[Slot]:
    """The periods within what ``when`` says of the time of day (all of them if nothing)."""
    if when.by_hour is not None or when.from_hour is not None:  # 10点以前, 下午4点后
        by, start = f"{when.by_hour or 24:02d}:00", f"{when.from_hour or 0:02d}:00"
        # 九点前, before 9 alone: arriving before 9 (a period starting before it); a range
        # (8点到10点, 2-4pm): a period within it
        slots = [
            slot
            for slot in slots
            if slot.start >= start and (slot.end <= by if when.from_hour else slot.start < by)
        ]
        return [slot for slot in slots if when.part is None or in_part(slot, when.part)]
    if when.hour is not None:
        return [slot for slot in slots if covers_hour(slot, when.hour)]
    if when.part is not None:
        return [slot for slot in slots if in_part(slot, when.part)]
    return slots


def wanted(ctx: Ctx, day: date | None, hour: int | None = None) -> When:
    """``day`` with the time of day and the hour bounds said before."""
    return When(day, ctx.data.get("part"), hour, by_hour=ctx.data.get("by_hour"),
                from_hour=ctx.data.get("from_hour"))  # fmt: skip


def has_time(ctx: Ctx) -> bool:
    """Whether a time of day is wanted (a part, an hour or a bound)."""
    return any(ctx.data.get(key) is not None for key in TIME_KEYS)


def suiting(ctx: Ctx, slots: list[Slot]) -> list[Slot]:
    """The periods not ruled out and within the time of day wanted."""
    return fitting(allowed(ctx, slots), wanted(ctx, None, ctx.data.get("hour")))


def suiting_days(ctx: Ctx, days: list[tuple[date, int]]) -> list[tuple[date, int]]:
    """The days (of the chosen site) with a period that suits, when a time of day is wanted
    or a part of day ruled out; else ``days`` as they are."""
    if not has_time(ctx) and part_refused(ctx) is None:
        return days
    return [(day, left) for day, left in days if suiting(ctx, open_slots(ctx, day))]


def time_said(said: Entities) -> bool:
    """Whether the message names a time of day (and no day, week or place with it)."""
    timed = said.part is not None or said.hour is not None
    timed = timed or said.by_hour is not None or said.from_hour is not None
    other = said.day or said.week or said.site or said.district  # a day refused may be said
    return timed and not other


def keep(ctx: Ctx, said: Entities) -> None:
    """Keep the time of day said (what it does not say is no longer wanted)."""
    ctx.data.update(part=said.part, hour=said.hour, by_hour=said.by_hour,
                    from_hour=said.from_hour)  # fmt: skip


def drop(ctx: Ctx) -> None:
    for key in TIME_KEYS:
        ctx.data[key] = None


def describe(ctx: Ctx, said: When | Entities) -> str:
    """下午、15:00后开始 / in the afternoon, starting from 15:00."""
    what = []
    zh = ctx.lang == "zh"
    if said.part is not None:
        part = ctx.t(f"part.{said.part}")
        what.append(part if zh else f"in the {part.lower()}")
    if said.from_hour is not None:
        what.append(ctx.t("time.from", time=f"{said.from_hour:02d}:00"))
    if said.by_hour is not None:
        by = "time.by" if said.from_hour is not None else "time.by.start"
        what.append(ctx.t(by, time=f"{said.by_hour:02d}:00"))
    if said.hour is not None and said.from_hour is None and said.by_hour is None:
        what.append(ctx.t("time.at", time=f"{said.hour:02d}:00"))
    return ("、" if zh else ", ").join(what)


def run_of(ctx: Ctx, days: list[tuple[date, int]]) -> tuple[str, str] | None:
    """The first start and last end of the periods open on ``days`` not ruled out."""
    slots = [slot for day, _ in days for slot in allowed(ctx, open_slots(ctx, day))]
    if not slots:
        return None
    return min(slot.start for slot in slots), max(slot.end for slot in slots)


def at_date(ctx: Ctx, said: Entities) -> Outcome:
    """A time of day said at the date step (no day chosen yet): kept, and the days that have
    a period within it asked; if none has, said so with the hours there are, and dropped."""
    return with_note(_at_date(ctx, said), refusal_note(ctx, said) or None)


def _at_date(ctx: Ctx, said: Entities) -> Outcome:
    keep(ctx, said)
    days = without_refused(ctx, open_days(ctx, *listed_days(ctx)))
    what = describe(ctx, said)
    if suiting_days(ctx, days) or not days:
        return Retry(ctx.t("time.kept", what=what))
    drop(ctx)
    hours = run_of(ctx, days)
    if hours is None:
        return Retry(ctx.t("time.none", what=what))
    return Retry(ctx.t("time.none_here", what=what, first=hours[0], last=hours[1]))


def before_site(ctx: Ctx, said: Entities) -> Outcome | None:
    """A time of day said before the site is chosen: kept for the days, the step asked again
    (晚上 alone at the site step asks for the sites with evening sessions: read there)."""
    if ctx.step == "site" and said.hour is None and said.by_hour is None and said.from_hour is None:
        return None
    keep(ctx, said)
    kept = Retry(ctx.t("time.kept", what=describe(ctx, said)))
    return with_note(kept, refusal_note(ctx, said) or None)


def limits_text(ctx: Ctx) -> str:
    """The days said as a bound, as the resident is told: 6月24日 周四起 / from Thu 24 Jun."""
    first, last = day_limits(ctx)
    what = []
    if first:
        what.append(ctx.t("bound.from", day=ctx.day(date.fromisoformat(first))))
    if last != "9999-12-31":
        what.append(ctx.t("bound.by", day=ctx.day(date.fromisoformat(last))))
    return ("、" if ctx.lang == "zh" else ", ").join(what)


def bounded(ctx: Ctx, said: Entities) -> Outcome:
    """A day said as a bound (周三之后, before friday): kept, the day chosen so far forgotten,
    and the days within it asked; said back. None within the days out: said so (places come
    out so many days ahead), the bound dropped and the soonest days asked."""
    keep_day_limits(ctx, said)
    if said.part is not None or said.hour is not None or said.by_hour or said.from_hour:
        keep(ctx, said)  # 周三之后上午: the morning too
    what = limits_text(ctx)
    if "site_id" not in ctx.data:  # the place still to choose: kept for the days
        return Retry(ctx.t("bound.kept", what=what))
    for key in ("day", "slot_id"):
        ctx.data.pop(key, None)
    if without_refused(ctx, open_days(ctx, *listed_days(ctx))):
        return Next("date", note=ctx.t("bound.kept", what=what), rewind=True)
    keep_day_limits(ctx, None)
    ahead = ctx.policy.booking.release_days_ahead
    return Next("date", note=ctx.t("bound.none", what=what, n=ahead), rewind=True)


def unbounded_note(ctx: Ctx) -> str | None:
    """When no open day is within the days said as a bound in the request (帮我约下周三之后):
    said so, and the bound dropped; None when there is no bound or a day within it."""
    if day_limits(ctx) == ("", "9999-12-31"):
        return None
    what = limits_text(ctx)
    keep_day_limits(ctx, None)
    return ctx.t("bound.none", what=what, n=ctx.policy.booking.release_days_ahead)
