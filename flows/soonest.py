"""No preference, or the soonest place (随便, 边个都得, 最快, 越早越好, whichever, as soon as
possible) at the place and time steps of a booking: the earliest place available is taken
and said, then the confirmation (or the companion's name) as usual — nothing is booked
without it. Also two days either of which will do (听日或者后日都得: the earlier one that has
places) and a day beyond those released (月底, 下个月: places are released N days ahead, the
soonest days offered).

The words are the lexicon's ``[wishes]``, read here and only at these steps (随便 elsewhere says
nothing); ``flows.minds`` sends every free answer at a booking's steps here first.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache

from flows import lexicon
from flows.booking_day import slot_chosen, take_day
from flows.booking_state import (
    chosen_person,
    listed_days,
    open_days,
    open_sites,
    open_slots,
    site_slots,
    slot_filter,
    window_closed,
)
from flows.dates import When, parse_when
from flows.dialogue import Answer, Ctx, Next, Outcome, Prompt, Retry
from flows.entities import Entities
from flows.places import day_options, site_name
from flows.refusals import allowed, keep_day_limits, without_refused
from flows.time_wanted import describe, drop, has_time, keep, suiting, time_said, wanted
from store import Site, Slot

# The steps where a place or a time is chosen.
STEPS = frozenset({"where", "district", "site", "date", "period"})


def soonest(ctx: Ctx, step: str, answer: Answer) -> Outcome | None:
    """What a wish for no preference, either of two days or a far day means at ``step``;
    None when the message says none of them (or names a place, a day or a time: read as
    usual)."""
    if step not in STEPS:
        return None
    said, text = answer.said, _normalised(answer.words)
    if "site_id" in ctx.data and (two := _two_days(ctx, text)) is not None:
        return _either(ctx, *two)
    named = said.day or said.week or said.site or said.district or said.not_day
    refused = said.not_day or said.not_part or said.weekdays  # remembered first (refusals)
    if said.from_day or said.by_day:  # 周日之后都得: the soonest within those days
        return _within(ctx, step, said) if not refused and _says(text, "earliest") else None
    if time_said(said) and not refused and "day" not in ctx.data and _says(text, "earliest"):
        keep(ctx, said)  # 十点以后边日都得: the soonest within the time said
        return _earliest(ctx, step)
    if named or said.not_part or said.part or said.hour is not None or said.by_hour is not None:
        return None
    if step in ("date", "period") and "site_id" in ctx.data and _says(text, "later"):
        return _later(ctx)
    alone = text.strip(" .!。！~") in lexicon.load().wishes.get("alone", ())
    if not (alone or _says(text, "earliest")):
        return None
    return _earliest(ctx, step)


@cache
def _pattern(kind: str) -> re.Pattern[str]:
    """The lexicon's ``[wishes] kind`` words: Chinese anywhere, Latin words whole."""
    words = sorted(lexicon.load().wishes.get(kind, ()), key=len, reverse=True)
    forms = [rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w.isascii() else re.escape(w) for w in words]
    return re.compile("|".join(forms) or "(?!x)x")


def far_wished(words: str) -> bool:
    """Whether ``words`` ask for a day beyond those released (月底, 下个月, next month)."""
    return _says(_normalised(words), "later")


def _says(text: str, kind: str) -> bool:
    return _pattern(kind).search(text) is not None


def _normalised(words: str) -> str:
    """The text as the lexicon's words are written: NFKC, lower case, its Chinese
    replacements made (听日 → 明天, 后日 → 后天)."""
    text = unicodedata.normalize("NFKC", words).casefold().replace("’", "'")
    for word, instead in lexicon.chinese_replacements():
        text = text.replace(word, instead)
    return text


def _two_days(ctx: Ctx, text: str) -> tuple[date, date] | None:
    """听日或者后日都得: two different days to come joined by an ``either`` word, earlier first."""
    for match in _pattern("either").finditer(text):  # 确定明天或者后天都得: not the 定 of 确定
        left = parse_when(text[: match.start()], ctx.today)
        right = parse_when(text[match.end() :], ctx.today)
        if left is None or right is None or left.day is None or right.day is None:
            continue
        if left.day == right.day or min(left.day, right.day) < ctx.today:
            return None
        return min(left.day, right.day), max(left.day, right.day)
    return None


def _either(ctx: Ctx, first: date, second: date) -> Outcome:
    """听日或者后日都得: the earlier of the two that has places, else the nearest days."""
    for day in (first, second):
        if allowed(ctx, open_slots(ctx, day)) and day >= listed_days(ctx)[0]:
            return take_day(ctx, _when(ctx, day))
    days = without_refused(ctx, open_days(ctx, *listed_days(ctx)))
    note = ctx.t("soonest.either_full", first=ctx.day(first), second=ctx.day(second))
    if not days:
        return take_day(ctx, _when(ctx, first))  # says why there are none
    return Next("date", prompt=Prompt(note, day_options(ctx, days[:3])))


def _later(ctx: Ctx) -> Outcome:
    """月底 / 下个月: places come out only so many days ahead; the soonest days meanwhile."""
    days = without_refused(ctx, open_days(ctx, *listed_days(ctx)))
    note = ctx.t("later.not_yet", n=ctx.policy.booking.release_days_ahead)
    if not days:
        return Retry(note)
    return Next("date", prompt=Prompt(note, day_options(ctx, days[:3])), rewind=True)


def _within(ctx: Ctx, step: str, said: Entities) -> Outcome | None:
    """The earliest place on the days said as a bound (周日之后都得, any day after saturday);
    None when there is none (the booking says so: ``flows.time_wanted.bounded``)."""
    keep_day_limits(ctx, said)
    if said.part is not None or said.hour is not None or said.by_hour or said.from_hour:
        keep(ctx, said)
    for key in ("day", "slot_id"):
        ctx.data.pop(key, None)
    picked = _earliest(ctx, "date" if step == "period" else step)
    if isinstance(picked, Retry):
        keep_day_limits(ctx, None)
        return None
    return picked


def _when(ctx: Ctx, day: date) -> When:
    return When(day, ctx.data.get("part"), ctx.data.get("hour"),
                by_hour=ctx.data.get("by_hour"), from_hour=ctx.data.get("from_hour"))  # fmt: skip


def _candidates(ctx: Ctx, step: str) -> list[Site]:
    """The sites the step chooses among, in the order they are offered."""
    if step in ("date", "period"):
        site = ctx.store.site(int(ctx.data["site_id"]))
        return [site] if site is not None else []
    if step == "site":
        return [site for site, _ in open_sites(ctx, ctx.data["district"])]
    sites: list[Site] = []
    if step == "where":
        previous = ctx.data.get("previous_site")
        site = ctx.store.site(int(previous)) if previous else None
        if site is not None and not ctx.data.get("previous_full"):
            sites.append(site)
    home = chosen_person(ctx).district_id
    districts = [home] if step == "where" else sorted(ctx.policy.districts, key=lambda d: d != home)
    for district in districts:
        if window_closed(ctx, district) is None:
            sites += [site for site, _ in open_sites(ctx, district) if site not in sites]
    return sites


def _days(ctx: Ctx, site: Site) -> list[date]:
    """The days the site has places not ruled out (none when its district cannot be booked
    now)."""
    if window_closed(ctx, site.district_id) is not None:
        return []
    first, last = listed_days(ctx)
    if int(ctx.data.get("site_id") or 0) == site.id:
        days = open_days(ctx, first, last)
    else:
        days = ctx.store.open_days(site.id, first, last, ctx.now, slot_filter(ctx, first, last))
    return [day for day, _ in without_refused(ctx, days)]


def _earliest(ctx: Ctx, step: str) -> Outcome:
    """The earliest place among what the step offers that suits what was said (not ruled
    out, within the time of day wanted): its site, day and period, said, then the
    confirmation as usual. A site whose first day has nothing that suits is looked at on its
    later days too."""
    if step == "period":
        day = date.fromisoformat(ctx.data["day"])
        slots = allowed(ctx, open_slots(ctx, day))
        if slots:
            return _picked(ctx, None, (suiting(ctx, slots) or slots)[0])
        return Retry(ctx.t("soonest.none"))
    found: list[tuple[date, int, Site]] = []
    for order, site in enumerate(_candidates(ctx, step)):
        found += [(day, order, site) for day in _days(ctx, site)]
    for day, _, site in sorted(found, key=lambda item: item[:2]):
        slots = suiting(ctx, site_slots(ctx, site.id, day))
        if slots:
            ctx.data.update(district=site.district_id, site_id=site.id)
            return _picked(ctx, site if step not in ("date", "period") else None, slots[0])
    if found and has_time(ctx):  # none within the time said: told, and it is dropped
        what = describe(ctx, wanted(ctx, None, ctx.data.get("hour")))
        drop(ctx)
        return Retry(ctx.t("time.none", what=what))
    return Retry(ctx.t("soonest.none"))


def _picked(ctx: Ctx, site: Site | None, slot: Slot) -> Outcome:
    what = [site_name(ctx.lang, site)] if site is not None else []
    what += [ctx.day(slot.day), slot.period]
    note = ctx.t("soonest.picked", what=" ".join(what))
    ctx.data["day"] = slot.day.isoformat()
    outcome = slot_chosen(ctx, slot)
    if isinstance(outcome, Next):
        return Next(outcome.step, note=note, rewind=outcome.rewind, prompt=outcome.prompt)
    return outcome
