"""Choosing the day and time of a booking at the chosen site: the date (a day typed, the days
of next week, the weekend's, or the nearest open days to one that cannot be had), the period,
and what happens when the place is taken meanwhile (back to the day, the site or the district).
"""

from __future__ import annotations

from datetime import date, timedelta

from flows.booking_state import (
    WEEKEND_WORDS,
    chosen_person,
    days_after_previous,
    dose_wanted,
    listed_days,
    open_days,
    open_sites,
    open_slots,
    slot_of,
)
from flows.dates import When, parse_when
from flows.dialogue import Answer, Ctx, Next, Outcome, Prompt, Retry, numbered
from flows.eligibility import age_rules, birthday
from flows.holidays import holiday_name, holiday_span, holidays_between
from flows.places import day_options, nearest, slot_options
from flows.refusals import allowed, without_refused
from flows.schedule import Timing, release_moment, timing
from flows.texts import MONTHS_EN, Lang, format_week
from flows.time_wanted import fitting, suiting_days, unbounded_note, wanted
from flows.time_words import TimeWish, time_wish
from store import Slot

# A day this far beyond the last day out (12月25日 in June) is answered with the soonest open
# days: the three nearest to it would be the last three, as arbitrary as any.
FAR_DAYS = 28


def place_taken(ctx: Ctx) -> Outcome:
    """The place went to someone else between choosing and confirming: back to the latest
    choice that still has places (the day, else the site, else the district)."""
    note = ctx.t("book.taken")
    if open_days(ctx, *listed_days(ctx)):
        return Next("date", note=note, rewind=True)
    return elsewhere(ctx, note)


def elsewhere(ctx: Ctx, note: str) -> Outcome:
    """Nothing is left at the chosen site: back to the district's sites, else the districts."""
    if "district" in ctx.data and open_sites(ctx, ctx.data["district"]):
        return Next("site", note=note, rewind=True)
    return Next("district", note=note, rewind=True)


def date_prompt(ctx: Ctx) -> Prompt:
    days = without_refused(ctx, open_days(ctx, *listed_days(ctx)))  # 星期六不行: not offered
    if not days and (beyond := unbounded_note(ctx)):  # 帮我约下下周三之后: none out yet
        prompt = date_prompt(ctx)
        return Prompt(f"{beyond}\n{prompt.text}", prompt.options)
    days = suiting_days(ctx, days) or days  # 10点以前: the days with a period before 10
    if ctx.data.get("week"):
        return _week_days(ctx, date.fromisoformat(ctx.data["week"]), days)
    if ctx.data.get("weekend"):
        weekend = [(day, left) for day, left in days if day.weekday() >= 5]
        intro = ctx.t("book.weekend_days") if weekend else ctx.t("book.no_weekend")
        return Prompt(intro, day_options(ctx, weekend or days))
    if not days:  # nothing left here: the only way on is another site
        return Prompt(ctx.t("book.no_dates"), numbered([(ctx.t("book.other_site"), "site")]))
    return Prompt(ctx.t("book.date"), day_options(ctx, days))


def _week_days(ctx: Ctx, monday: date, listed: list[tuple[date, int]]) -> Prompt:
    """改到下周: the open days of that week (the weekend's if asked), or why there are none and
    the nearest open days."""
    sunday = monday + timedelta(days=6)
    week_name = format_week(ctx.lang, monday, ctx.today)  # 下周, 下下周
    days = [(d, n) for d, n in open_days(ctx, monday, sunday) if d >= ctx.today]
    weekend = bool(ctx.data.get("weekend"))
    if weekend:  # 下周末: that week's Saturday and Sunday, named by their days
        days = [(d, n) for d, n in days if d.weekday() >= 5]
        saturday = monday + timedelta(days=5)
        week_name = ctx.t("book.weekend_of", sat=short_day(ctx.lang, saturday),
                          sun=short_day(ctx.lang, sunday))  # fmt: skip
    closed = _holiday_in(ctx, monday, sunday)  # the days it leaves out are said, not skipped
    if days:
        return Prompt(closed + ctx.t("book.week_days", week=week_name), day_options(ctx, days))
    week = [monday + timedelta(days=n) for n in (range(5, 7) if weekend else range(7))]
    coming = [release_moment(ctx.policy, day) for day in week]
    unreleased = [moment for moment in coming if moment > ctx.now]
    if unreleased:  # not (all) out yet: say when, not "full"
        note = ctx.t(
            "book.week_not_released",
            week=week_name,
            release=ctx.day(unreleased[0].date()),
            time=ctx.policy.booking.release_time,
        )
    else:
        note = ctx.t("book.week_full", week=week_name)
    note = closed + note
    if not listed:
        return Prompt(ctx.t("book.no_dates"), numbered([(ctx.t("book.other_site"), "site")]))
    return Prompt(note, day_options(ctx, nearest(listed, monday)))


def _alternatives(ctx: Ctx, wanted: date, note: str) -> Outcome:
    """Say the wanted day cannot be had, offering the open days nearest to it (or, when the
    site has none left, the other sites)."""
    first, last = listed_days(ctx)
    far = wanted > last + timedelta(days=FAR_DAYS)
    days = open_days(ctx, first, last if far else max(last, wanted + timedelta(days=7)))
    days = without_refused(ctx, days)
    if not days:
        return elsewhere(ctx, ctx.t("book.no_dates"))
    # a day far beyond the days out (12月25日 in June): the soonest ones, not the last three
    offered = days[:3] if far else nearest(days, wanted)
    return Next("date", prompt=Prompt(note, day_options(ctx, offered)))


def _closing_holiday(ctx: Ctx, day: date) -> tuple[str, date, date] | None:
    """The public holiday on ``day`` (its name, first and last day) when the chosen site
    closes on public holidays; None otherwise."""
    name = holiday_name(day)
    if name is None:
        return None
    site_id = int(ctx.data["site_id"])
    site = ctx.once(("site", site_id), lambda: ctx.store.site(site_id))
    if site is None or not site.closed_on_holidays:
        return None
    first, last = holiday_span(day) or (day, day)
    return ctx.t(f"holiday.{name}"), first, last


def _holiday_closed(ctx: Ctx, day: date) -> str | None:
    """Why the site has no places on ``day``, if a public holiday is why:
    9月21日 周二中秋节放假（9月19日至9月21日），接种点不开."""
    found = _closing_holiday(ctx, day)
    if found is None:
        return None
    holiday, first, last = found
    if first == last:
        return ctx.t("book.holiday_closed_day", day=ctx.day(day), holiday=holiday)
    return ctx.t("book.holiday_closed", day=ctx.day(day), holiday=holiday,
                 first=short_day(ctx.lang, first), last=short_day(ctx.lang, last))  # fmt: skip


def _holiday_in(ctx: Ctx, first: date, last: date) -> str:
    """The public holiday from ``first`` to ``last`` that closes the site, as a sentence
    (中秋节放假（9月19日至9月21日），接种点不开。), or ""."""
    days = holidays_between(max(first, ctx.today), last)
    found = _closing_holiday(ctx, days[0]) if days else None
    if found is None:
        return ""
    holiday, start, end = found
    return ctx.t("book.holiday_in_week", holiday=holiday,
                 first=short_day(ctx.lang, start), last=short_day(ctx.lang, end))  # fmt: skip


def short_day(lang: Lang, day: date) -> str:
    """A day without its weekday or year: ``9月19日`` / ``19 Sep``."""
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {MONTHS_EN[day.month - 1]}"


def read_date(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value == "site":
        return Next("site", rewind=True)
    if answer.option is not None:
        when = wanted(ctx, date.fromisoformat(str(answer.value)))
    else:
        if answer.said.weekend or any(w in answer.text.casefold() for w in WEEKEND_WORDS):
            ctx.data["weekend"] = True
            return Retry("", date_prompt(ctx))
        parsed = parse_when(answer.text, ctx.today)
        if parsed is not None and parsed.too_far is not None:  # 9999-12-31: refused at once
            return Retry(ctx.t("book.date_too_far", day=ctx.day(parsed.too_far)))
        if parsed is None or parsed.day is None:
            return Retry(ctx.t("book.date_unknown"))
        when = parsed
    return take_day(ctx, when)


def take_day(ctx: Ctx, when: When) -> Outcome:
    """A day (and maybe a time of day) wanted at the chosen site: its place, or why not."""
    assert when.day is not None
    if when.day < ctx.today:
        return _alternatives(ctx, when.day, ctx.t("book.date_past", day=ctx.day(when.day)))
    dose = dose_wanted(ctx)
    if timing(dose, when.day) is Timing.EARLY:
        assert dose.earliest is not None
        days = days_after_previous(ctx, dose.earliest)
        note = ctx.t("book.too_early", dose=dose.number, min=days, day=ctx.day(dose.earliest))
        return _alternatives(ctx, dose.earliest, note)
    person = chosen_person(ctx)
    minimum = ctx.policy.ages.minimum
    if age_rules(person.birth_date, when.day, ctx.policy.ages).too_young:
        opens = birthday(person.birth_date, minimum)
        note = ctx.t(
            "age.too_young_on",
            name=person.name,
            day=ctx.day(when.day),
            min=minimum,
            from_day=ctx.day(opens),
        )
        return Retry(note)
    slots = allowed(ctx, open_slots(ctx, when.day))  # without a part of day ruled out
    if not slots:
        if (closed := _holiday_closed(ctx, when.day)) is not None:  # closed, released or not
            return _alternatives(ctx, when.day, closed)
        release = release_moment(ctx.policy, when.day)
        if release > ctx.now:  # not out yet: say when it will be, not "no places"
            note = ctx.t(
                "book.not_released",
                day=ctx.day(when.day),
                release=ctx.day(release.date()),
                time=ctx.policy.booking.release_time,
            )
            return _alternatives(ctx, when.day, note)
        return _alternatives(ctx, when.day, ctx.t("book.date_full", day=ctx.day(when.day)))
    ctx.data.update(day=when.day.isoformat(), part=when.part, hour=when.hour,
                    by_hour=when.by_hour, from_hour=when.from_hour)  # fmt: skip
    fits = fitting(slots, when)
    if len(slots) == 1 or (len(fits) == 1 and fits != slots):
        return slot_chosen(ctx, (fits or slots)[0])
    return Next("period")


def period_prompt(ctx: Ctx) -> Prompt:
    day = date.fromisoformat(ctx.data["day"])
    slots = allowed(ctx, open_slots(ctx, day))
    fits = fitting(slots, wanted(ctx, day, ctx.data.get("hour")))
    if fits:
        return Prompt(ctx.t("book.period", day=ctx.day(day)), slot_options(ctx, fits))
    return Prompt(ctx.t("book.period_none", day=ctx.day(day)), slot_options(ctx, slots))


def read_period(ctx: Ctx, answer: Answer) -> Outcome:
    day = date.fromisoformat(ctx.data["day"])
    if answer.option is not None:
        return slot_chosen(ctx, slot_of(ctx, int(str(answer.value))))
    when = parse_when(answer.text, ctx.today)
    if when is not None and when.too_far is not None:
        return Retry(ctx.t("book.date_too_far", day=ctx.day(when.too_far)))
    bound = when is not None and (when.by_hour is not None or when.from_hour is not None)
    timed = when is not None and (when.part is not None or when.hour is not None or bound)
    if when is None or when.day is None:  # pm, 8-10, 中午, 唔好太早, 越晏越好
        wish = time_wish(answer.words)
        if wish is not None and (not timed or wish.touching or None not in (wish.start, wish.end)):
            return _periods_wished(ctx, day, wish)
    if when is None or not timed:
        return Retry(ctx.t("pick_number", n=len(period_prompt(ctx).options)))
    if when.day is not None and when.day != day:
        return read_date(ctx, answer)
    slots = fitting(allowed(ctx, open_slots(ctx, day)), when)
    if len(slots) == 1:
        return slot_chosen(ctx, slots[0])
    ctx.data.update(part=when.part, hour=when.hour, by_hour=when.by_hour,
                    from_hour=when.from_hour)  # fmt: skip
    return Retry("", period_prompt(ctx))


def _periods_wished(ctx: Ctx, day: date, wish: TimeWish) -> Outcome:
    """The periods of ``day`` a time of day said in words asks for: one, its confirmation;
    several, offered; none, said so and every period offered."""
    slots = allowed(ctx, open_slots(ctx, day))
    fits = wish.pick(slots)
    if len(fits) == 1:
        return slot_chosen(ctx, fits[0])
    if fits:
        return Retry("", Prompt(ctx.t("book.period", day=ctx.day(day)), slot_options(ctx, fits)))
    return Retry("", Prompt(ctx.t("book.period_none", day=ctx.day(day)), slot_options(ctx, slots)))


def slot_chosen(ctx: Ctx, slot: Slot) -> Outcome:
    ctx.data["slot_id"] = slot.id
    if age_rules(chosen_person(ctx).birth_date, slot.day, ctx.policy.ages).companion:
        kept = ctx.data.get("companion_first") or ctx.data.get("companion_kept")
        if kept and ctx.data.get("companion_phone"):
            return Next("confirm")  # asked when the person was chosen, or the booking's own
        return Next("companion_name")
    ctx.data.pop("companion_phone", None)
    return Next("confirm")
