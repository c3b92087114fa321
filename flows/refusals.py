"""A day or a part of day ruled out while booking (星期六不行, 除咗星期六，边日都得, 唔要朝早, not
saturday, anything but the morning): removed from what is offered, and asked again — never
taken as the choice. The interpreter reads them (``Entities.not_day``/``not_part``, from the
lexicon's ``[refusals]``); with an alternative said (上午不行，下午吧) the booking takes the
alternative as usual, and the refused one is only remembered.

Kept in the flow's data: ``not_days`` (ISO days) and ``not_part``. Naming the refused thing
again later (还是星期六吧) wants it after all: it is no longer excluded. Nothing here books.
"""

from __future__ import annotations

from datetime import date

from flows.booking_state import open_slots
from flows.dialogue import Ctx, Next, Outcome, Retry
from flows.entities import Entities
from flows.places import in_part
from store import Slot


def excluded_days(ctx: Ctx) -> frozenset[str]:
    """The days ruled out, here or in the request that started the flow (约第二针，星期六不行)."""
    first = (ctx.data.get("wish") or {}).get("not_day")
    return frozenset([*(ctx.data.get("not_days") or ()), *([first] if first else [])])


def part_refused(ctx: Ctx) -> str | None:
    return ctx.data.get("not_part") or (ctx.data.get("wish") or {}).get("not_part")


def weekdays_only(ctx: Ctx) -> bool:
    """Whether the weekend is ruled out (平日, 周末唔得, weekdays only)."""
    return bool(ctx.data.get("weekdays") or (ctx.data.get("wish") or {}).get("weekdays"))


def day_limits(ctx: Ctx) -> tuple[str, str]:
    """The first and last day wanted (周三之后, before friday: ``flows.day_bounds``), as ISO
    days ("" and "9999-12-31" when there is no bound): said at a step, or in the request."""
    wish = ctx.data.get("wish") or {}
    first = ctx.data["from_day"] if "from_day" in ctx.data else wish.get("from_day")
    last = ctx.data["by_day"] if "by_day" in ctx.data else wish.get("by_day")
    return first or "", last or "9999-12-31"


def keep_day_limits(ctx: Ctx, said: Entities | None) -> None:
    """Keep the days said as a bound (``said`` None: no bound any more)."""
    first = said.from_day.isoformat() if said and said.from_day else None
    last = said.by_day.isoformat() if said and said.by_day else None
    ctx.data.update(from_day=first, by_day=last)


def without_refused(ctx: Ctx, days: list[tuple[date, int]]) -> list[tuple[date, int]]:
    """The open days without those ruled out, within the days said as a bound."""
    refused = excluded_days(ctx)
    weekend = weekdays_only(ctx)
    first, last = day_limits(ctx)
    return [
        (day, left)
        for day, left in days
        if day.isoformat() not in refused
        and not (weekend and day.weekday() >= 5)
        and first <= day.isoformat() <= last
    ]


def allowed(ctx: Ctx, slots: list[Slot]) -> list[Slot]:
    """The periods without those of the part of day ruled out, nor the one of the booking
    being moved (改到上午 while booked 08:00-10:00: that period is no new one)."""
    part = part_refused(ctx)
    moving = _moving_slot(ctx)
    return [s for s in slots if s.id != moving and (not part or not in_part(s, part))]


def _moving_slot(ctx: Ctx) -> int | None:
    """The period of the booking a reschedule moves (``booking_id``), if any."""
    booking_id = str(ctx.data.get("booking_id", ""))
    if not booking_id.isdigit():
        return None
    booking = ctx.once(("moving", booking_id), lambda: ctx.store.booking(int(booking_id)))
    return booking.slot.id if booking is not None else None


def _forgive(ctx: Ctx, said: Entities) -> None:
    """A day or part of day asked for now is no longer ruled out (还是星期六吧)."""
    wish = ctx.data.get("wish") or {}
    if said.day is not None and said.day.isoformat() in excluded_days(ctx):
        wish.pop("not_day", None)
        ctx.data["not_days"] = sorted(excluded_days(ctx) - {said.day.isoformat()})
    if said.weekend or (said.day is not None and said.day.weekday() >= 5):
        wish.pop("weekdays", None)  # 还是周末吧: the weekend is wanted after all
        ctx.data.pop("weekdays", None)
    if said.part is not None and part_refused(ctx) == said.part:
        wish.pop("not_part", None)
        ctx.data.pop("not_part", None)


def _remember(ctx: Ctx, said: Entities) -> None:
    """Keep what is ruled out, and drop it from what was wished (约星期六上午 … 星期六不行)."""
    wish = dict(ctx.data.get("wish") or {})
    if said.not_day is not None:
        refused = said.not_day.isoformat()
        ctx.data["not_days"] = sorted(excluded_days(ctx) | {refused})
        if wish.get("day") == refused:
            wish.pop("day")
    if said.not_part is not None:
        ctx.data["not_part"] = said.not_part
        if wish.get("part") == said.not_part:
            wish.pop("part", None)
            wish.pop("hour", None)
        if ctx.data.get("part") == said.not_part:
            ctx.data.update(part=None, hour=None)
    if said.weekdays:  # 周末唔得, weekdays only
        ctx.data["weekdays"] = True
        ctx.data.pop("weekend", None)
        wish.pop("weekend", None)
    for key in ("not_day", "not_part", "weekdays"):
        wish.pop(key, None)
    ctx.data["wish"] = wish


def refusal_note(ctx: Ctx, said: Entities) -> str:
    notes = []
    if said.not_day is not None:
        notes.append(ctx.t("refuse.day", day=ctx.day(said.not_day)))
    if said.not_part is not None:
        notes.append(ctx.t("refuse.part", part=_part(ctx, said.not_part)))
    if said.weekdays:
        notes.append(ctx.t("refuse.weekend"))
    return ("" if ctx.lang == "zh" else " ").join(notes)


def _part(ctx: Ctx, part: str) -> str:
    name = ctx.t(f"part.{part}")
    return name if ctx.lang == "zh" else name.lower()


def refusal(ctx: Ctx, said: Entities) -> Outcome | None:
    """What a day or part of day ruled out at a booking step does: None when nothing is
    ruled out, or an alternative is said with it (the booking reads that as usual)."""
    _forgive(ctx, said)
    if said.not_day is None and said.not_part is None and not said.weekdays:
        return None
    _remember(ctx, said)
    other_day = said.day is not None and said.day != said.not_day  # 星期六我去不了: no other
    timed = said.part is not None or said.hour is not None or said.by_hour is not None
    if other_day or timed or said.from_hour is not None or said.week is not None:
        return None  # 星期六唔得，星期日啦: Sunday, as any day said
    if said.site is not None or said.district is not None:
        return None
    note = refusal_note(ctx, said)
    if "site_id" not in ctx.data:  # screening or place still to come: kept for the days
        return Retry(note)
    chosen = ctx.data.get("day")
    weekend_chosen = chosen is not None and date.fromisoformat(chosen).weekday() >= 5
    if (said.weekdays and (chosen is None or weekend_chosen)) or (
        said.not_day is not None and chosen in (None, said.not_day.isoformat())
    ):
        bounds = ("by_hour", "from_hour") if chosen is not None else ()  # said with the day
        for key in ("day", "hour", "slot_id", *bounds):
            ctx.data.pop(key, None)
        return Next("date", note=note, rewind=True)
    if said.not_part is not None and chosen is not None:
        if allowed(ctx, open_slots(ctx, date.fromisoformat(chosen))):
            ctx.data.pop("slot_id", None)
            return Next("period", note=note, rewind=True)
        for key in ("day", "slot_id"):
            ctx.data.pop(key, None)
        day = ctx.day(date.fromisoformat(chosen))
        full = ctx.t("refuse.part_full", part=_part(ctx, said.not_part), day=day)
        return Next("date", note=full, rewind=True)
    return Next("date", note=note, rewind=True) if chosen is None else Retry(note)
