"""Choosing the place of a booking: where (dose 2+), district, site, and the companion of a
70+ person; filled from what the resident said (``revise``). The day and time steps are
flows/booking_day.py; every step of both is in ``PLACE_STEPS``.
"""

from __future__ import annotations

from datetime import date

from flows.booking_companion import companion_name, companion_phone, read_companion_name
from flows.booking_day import (
    date_prompt,
    elsewhere,
    period_prompt,
    read_date,
    read_period,
    take_day,
)
from flows.booking_state import (
    SITE_WISHES,
    chosen_person,
    dose_wanted,
    first_place_step,
    kept_note,
    listed_days,
    open_days,
    open_sites,
    window_closed,
    wish,
    with_note,
)
from flows.dates import When
from flows.dialogue import (
    Answer,
    Ctx,
    Done,
    Next,
    Option,
    Outcome,
    Prompt,
    Retry,
    Step,
    numbered,
)
from flows.entities import Entities
from flows.minds import other_site, says
from flows.places import (
    district_name,
    district_options,
    site_address,
    site_name,
    site_options,
)
from flows.refusals import refusal
from flows.screening import conditions_said, health_said, read_all
from flows.screening import questions as screening_questions
from flows.time_wanted import at_date, before_site, bounded, time_said
from flows.time_words import said_bounds, time_wish
from flows.typed_fields import take_phone
from store import (
    Site,
)


def to_place(ctx: Ctx, note: str | None = None) -> Outcome:
    """On to choosing the place, skipping what the resident already said: a site, else a
    district; else the usual first place step."""
    said = wish(ctx)
    if said.site is not None:
        site = ctx.store.site(said.site)
        if site is not None and said.district not in (None, site.district_id):
            # 海珠的石牌: the site is in another district — asked, never guessed
            ctx.data["wish"] = {k: v for k, v in ctx.data["wish"].items() if k != "site"}
            mixed = ctx.t(
                "book.site_elsewhere",
                site=site_name(ctx.lang, site),
                district=district_name(ctx, site.district_id),
                said=district_name(ctx, str(said.district)),
            )
            return Next("district", note=f"{note}\n{mixed}" if note else mixed)
        if site is not None:
            return with_note(take_site(ctx, site), note)
    if said.district is not None:
        return with_note(_go_district(ctx, said.district), note)
    previous = ctx.data.get("previous_site")
    if said.same_site and previous and int(ctx.data["dose"]) > 1:  # 第二针，原来嘅地方
        site = ctx.store.site(int(previous))
        if site is not None and other_maker(ctx, site) is None:
            return with_note(_previous_site(ctx, site), note)
    return Next(first_place_step(ctx), note=note)


def take_site(ctx: Ctx, site: Site) -> Outcome:
    """The site the resident named: its district's hours, then its days (or the wanted one)."""
    closed = window_closed(ctx, site.district_id)
    if closed:
        return offer_queue(ctx, closed, site.district_id)
    ctx.data["district"] = site.district_id
    if not any(s.id == site.id for s, _ in open_sites(ctx, site.district_id)):
        note = other_maker(ctx, site) or ctx.t("book.site_full", site=site_name(ctx.lang, site))
        return elsewhere(ctx, note)
    ctx.data["site_id"] = site.id
    return _to_day(ctx)


def other_maker(ctx: Ctx, site: Site) -> str | None:
    """Why ``site`` cannot give this dose, if it stocks none of the maker of dose 1 (or, for
    dose 1, of the maker asked for)."""
    products = dose_wanted(ctx).products
    if not products:
        return None
    stocking = ctx.once(
        ("stocking", tuple(products), site.district_id),
        lambda: ctx.store.sites_stocking(products, ctx.today, site.district_id),
    )
    if any(s.id == site.id for s in stocking):
        return None
    product = ctx.policy.products[products[0]]
    if int(ctx.data["dose"]) == 1:  # the maker the resident asked for (第一针想打国药)
        name = ctx.name_of(product.zh, product.en)
        return ctx.t("book.site_no_maker", site=site_name(ctx.lang, site), product=name)
    return ctx.t(
        "book.site_other_maker",
        site=site_name(ctx.lang, site),
        product=ctx.name_of(product.zh, product.en),
        dose=ctx.data["dose"],
    )


def _to_day(ctx: Ctx) -> Outcome:
    """The site is chosen: the day the resident named, or the list of days."""
    said = wish(ctx)
    if said.day is not None:
        when = When(said.day, said.part, said.hour, by_hour=said.by_hour, from_hour=said.from_hour)
        return take_day(ctx, when)
    if said.too_far is not None:  # 9999年12月31日 in the first sentence: said with the days
        return Next("date", note=ctx.t("book.date_too_far", day=ctx.day(said.too_far)))
    return Next("date")


# Steps whose free text is theirs alone (a name, a phone, the day, site or maker of an earlier
# dose): not what the booking itself wants.
OWN_WORDS_STEPS = frozenset(
    {"declare", "declare_date", "declare_maker", "declare_where"}
    | {"companion_name", "companion_phone"}
)


# The steps after a site is chosen, where "another site" means another for this booking.
AFTER_SITE = frozenset({"date", "period", "confirm"})


def _other_site(ctx: Ctx) -> Outcome:
    """The sites of the booking's district again (the one said before forgotten)."""
    ctx.data.pop("site_id", None)
    if wished := ctx.data.get("wish"):
        ctx.data["wish"] = {k: v for k, v in wished.items() if k != "site"}
    district = ctx.data.get("district")
    return _go_district(ctx, str(district)) if district else Next(first_place_step(ctx))


def revise(ctx: Ctx, answer: Answer) -> Outcome | None:
    """Free text at any step of a booking that names what the booking needs: kept, and the
    steps it settles are taken again (算了，改成后天 / 不是我，是给我妈约 / 换去石牌)."""
    said = answer.said
    if ctx.step in OWN_WORDS_STEPS:
        return None
    health = conditions_said(answer.words)  # 我今日发紧烧: asked again, whatever the step
    if ctx.step is not None and ctx.step.removeprefix("q_") in health:
        return None  # 严重过敏 at the severe-reaction question: that question's own answer
    if health and (again := _health_again(ctx, health)) is not None:
        return again
    if ctx.step == "screening" and read_all(answer.words, screening_questions(ctx)) is not None:
        return None  # a health answer (没有。我太太说我去过高风险区): read as one, whoever it names
    if (
        answer.intent == "book"
        and not ctx.data.get("reschedule")
        and (other := _other_person(ctx, answer))
    ):
        # 不是我，是给王秀兰约: start again for her, with what was said
        kept = {**(ctx.data.get("wish") or {}), **said.said()}
        kept.pop("relation", None)
        return Done("", then="book", carry={"wish": kept, "named": other})
    if (
        said.site is None
        and said.district is None
        and "site_id" in ctx.data
        and ctx.step in AFTER_SITE
        and says(answer, "other_site")
    ):
        return _other_site(ctx)  # 换个地方 at the confirmation: this booking's site again
    if ctx.step == "date" and "day" not in ctx.data and (ranged := said_bounds(answer.words, said)):
        return at_date(ctx, ranged)  # 8-10, pm, 8点到10点, 唔好太早: kept, and the day asked
    if not said:
        return None
    if said.too_far is not None:  # 9999年12月31日: refused at once, whatever else was said
        return Retry(ctx.t("book.date_too_far", day=ctx.day(said.too_far)))
    if (refused := refusal(ctx, said)) is not None:  # 星期六不行, 唔要朝早: asked again
        return refused
    kept = {**(ctx.data.get("wish") or {}), **said.said()}
    if said.relation is not None and answer.intent == "book" and not ctx.data.get("reschedule"):
        # 帮我妈约 starts again for her; 我太太说… in a health answer names nobody to book
        chosen = ctx.data.get("person")
        is_self = ctx.data.get("relation") == "self"
        if chosen is None or (said.relation == "self") != is_self:
            return Done("", then="book", carry={"wish": kept})  # start again for them
    ctx.data["wish"] = kept
    if "answers" not in ctx.data or not _screened(ctx):
        # The screening comes first; what was said is kept for later, and said to be kept
        # when it changes the booking (算了，改成后天: no move of a booking there is not).
        note = kept_note(ctx, said) if answer.intent == "reschedule" else None
        return Retry(note) if note else None
    if said.site is not None or said.district is not None:
        for key in ("site_id", "district"):
            ctx.data.pop(key, None)
        return to_place(ctx)  # 换去白云: the day and time said before still hold
    if said.from_day is not None or said.by_day is not None:
        return bounded(ctx, said)  # 周三之后, before friday: the days within it
    if said.week is not None and said.day is None and "site_id" in ctx.data:  # 改到下周
        ctx.data["week"] = said.week.isoformat()
        if said.part is not None:
            ctx.data["part"] = said.part
        ctx.data["weekend"] = said.weekend  # 下周末, next weekend: that week's Sat and Sun
        return Next("date", rewind=True)
    if ctx.step == "date" and "day" not in ctx.data and time_said(said):
        return at_date(ctx, said)  # 10点以前, after 2pm: kept, and the day asked
    if ctx.step in ("where", "district", "site") and time_said(said):
        return before_site(ctx, said)  # kept for the days; the place asked again
    if ctx.step in ("where", "district", "site") and (said.day or said.week) is not None:
        # 明天上午 / tmrw morning pls at the district or site: kept for the days, said back
        if said.day is None and said.week is not None:
            ctx.data["week"] = said.week.isoformat()
        return Retry(kept_note(ctx, said, "book.noted") or "")
    if said.day is not None:
        ctx.data.pop("week", None)
    timed = said.part is not None or said.hour is not None
    at = said if timed else Entities.load(kept)  # 改成后天: the part of day said stays
    at = said_bounds(answer.words, said, with_day=True) or at  # 明天8-10, 后天pm
    if said.day is not None and "site_id" in ctx.data:
        return take_day(ctx, When(said.day, at.part, at.hour, by_hour=at.by_hour,
                                  from_hour=at.from_hour))  # fmt: skip
    if said.part is not None and "day" in ctx.data:
        day = date.fromisoformat(ctx.data["day"])
        return take_day(ctx, When(day, said.part, said.hour, by_hour=said.by_hour,
                                  from_hour=said.from_hour))  # fmt: skip
    return None


def _health_again(ctx: Ctx, health: list[str]) -> Outcome | None:
    """Conditions stated in a booking (kept for the health questions); once those were
    answered "no", the first of them asked again (its answer decides as at the screening)."""
    ctx.data["wish"] = {
        **(ctx.data.get("wish") or {}),
        "health": sorted({*health_said(ctx), *health}),
    }
    answers: dict[str, bool] = ctx.data.get("answers") or {}
    denied = [key for key in health if answers.get(key) is False]
    if not denied or ctx.data.get("reschedule"):
        return None
    for key in denied:
        del answers[key]
    what = "、".join(ctx.t(f"screen.{key}") for key in denied)
    return Next(f"q_{denied[0]}", note=ctx.t("screen.said_now", what=what))


def _other_person(ctx: Ctx, answer: Answer) -> int | None:
    """Someone on this phone other than the person being booked, named in a booking request
    (不是我，是给王秀兰约). Only asked of a request: a health answer reads no people."""
    chosen = ctx.data.get("resident_id")
    if answer.intent != "book" or chosen is None or ctx.data.get("reschedule"):
        return None
    named = ctx.person_named(answer.text)
    return named if named != chosen else None


def _screened(ctx: Ctx) -> bool:
    if ctx.data.get("reschedule"):
        return True  # the booking being moved was screened
    answers = ctx.data["answers"]
    return all(q.key in answers for q in screening_questions(ctx))


def _queue_option(ctx: Ctx, key: str) -> Option:
    return Option(key, ctx.t("queue.offer"), "queue", ("排队", "queue"))


def _where(ctx: Ctx) -> Prompt:
    person = chosen_person(ctx)
    options: list[tuple[str, str]] = []
    intro = ctx.t("book.where", dose=ctx.data["dose"])
    previous = ctx.store.site(int(ctx.data["previous_site"])) if ctx.data["previous_site"] else None
    missing = other_maker(ctx, previous) if previous is not None else None
    if missing:  # dose 1's site has none of its maker now: said, and not offered
        intro = f"{missing}\n{ctx.t('book.where.pick')}"
    elif previous is not None and not ctx.data.get("previous_full"):
        options.append((ctx.t("book.where.same", site=site_name(ctx.lang, previous)), "same"))
    home = district_name(ctx, person.district_id)
    resident = ctx.resident(person.id)
    own = resident is None or resident.relation == "self"
    home_key = "book.where.home" if own else "book.where.home.their"
    options += [
        (ctx.t(home_key, district=home, name=person.name), "home"),
        (ctx.t("book.where.other"), "other"),
    ]
    return Prompt(intro, numbered(options))


def _read_where(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value == "other":
        return Next("district")
    if answer.value == "home":
        return _go_district(ctx, chosen_person(ctx).district_id)
    site = ctx.store.site(int(ctx.data["previous_site"]))
    assert site is not None
    return _previous_site(ctx, site)


def _previous_site(ctx: Ctx, site: Site) -> Outcome:
    """The site of the last dose, chosen: its district's hours, then its days."""
    closed = window_closed(ctx, site.district_id)
    if closed:
        return offer_queue(ctx, closed, site.district_id)
    ctx.data.update(district=site.district_id, site_id=site.id)
    first, last = listed_days(ctx)
    if not open_days(ctx, first, last):
        for key in ("district", "site_id"):
            ctx.data.pop(key)
        ctx.data["previous_full"] = True  # not offered again
        full = ctx.t("book.site_full", site=site_name(ctx.lang, site))
        return _not_yet(ctx) or Retry(full)
    return _to_day(ctx)


def _not_yet(ctx: Ctx) -> Outcome | None:
    """For a later dose whose first day has no places out yet: say from when, offer the queue."""
    earliest = dose_wanted(ctx).earliest
    if earliest is None or earliest <= ctx.today:
        return None
    note = ctx.t(
        "book.not_yet", name=chosen_person(ctx).name, dose=ctx.data["dose"], day=ctx.day(earliest)
    )
    return Next("queue", note=note)


def offer_queue(ctx: Ctx, note: str, district_id: str) -> Outcome:
    if ctx.data.get("reschedule"):  # the booking stands; there is nothing to queue for
        return Done(note)
    ctx.data["queue_district"] = district_id
    return Next("queue", note=note)


def _district(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("book.district"), district_options(ctx, chosen_person(ctx).district_id))


def _go_district(ctx: Ctx, district_id: str) -> Outcome:
    closed = window_closed(ctx, district_id)
    if closed:
        return _other_districts(ctx, closed, district_id)
    if not open_sites(ctx, district_id):
        full = ctx.t("book.no_sites", district=district_name(ctx, district_id))
        return _not_yet(ctx) or _other_districts(ctx, full, district_id)
    ctx.data["district"] = district_id
    return Next("site")


go_district = _go_district  # near home (flows/near.py), a district at the site question


def _other_districts(ctx: Ctx, note: str, district_id: str) -> Outcome:
    """The district cannot be booked now: the districts again, and the queue for this one
    (never a dead end)."""
    options = (*district_options(ctx, chosen_person(ctx).district_id),)
    if not ctx.data.get("reschedule"):
        options += (_queue_option(ctx, str(len(options) + 1)),)
    ctx.data["queue_district"] = district_id
    return Next("district", note, prompt=Prompt(ctx.t("book.district"), options))


def _read_district(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value == "queue":
        return Next("queue")
    return _go_district(ctx, str(answer.value))


def _site_label_tags(ctx: Ctx, site: Site) -> str:
    tags = [ctx.t("book.tag.evening")] * site.evening + [ctx.t("book.tag.mobile")] * site.mobile
    return f" ({', '.join(tags)})" if tags and ctx.lang == "en" else "".join(f"·{t}" for t in tags)


def _site_address(ctx: Ctx, site: Site) -> str:
    """The address, for an operator answering "which is near me" (SMS stays short)."""
    return f" — {site_address(ctx.lang, site)}" if ctx.channel == "operator" else ""


def _site_prompt(ctx: Ctx, wish: str | None = None) -> Prompt:
    sites = open_sites(ctx, ctx.data["district"])
    intro = ctx.t("book.site")
    if wish is not None:
        fits = SITE_WISHES[wish][1]
        wanted = [(site, left) for site, left in sites if fits(site)]
        intro = ctx.t(f"book.wish.{wish}") if wanted else ctx.t("book.wish_none")
        sites = wanted or sites
    options = site_options(ctx, sites)
    labelled = tuple(
        Option(
            o.key,
            o.label + _site_label_tags(ctx, site) + _site_address(ctx, site),
            o.value,
            o.aliases,
        )
        for o, (site, _) in zip(options, sites, strict=True)
    )
    return Prompt(intro, labelled)


def _site(ctx: Ctx) -> Prompt:
    return _site_prompt(ctx)


site_prompt = _site_prompt  # a district typed at the site question (flows/site_district.py)


def _read_site(ctx: Ctx, answer: Answer) -> Outcome:
    said = answer.text.casefold()
    for wanted, (words, _) in SITE_WISHES.items():  # before the option: a label may say 夜场
        if any(word in said for word in words):
            if wanted == "evening":
                ctx.data["part"] = "evening"
            return Retry("", _site_prompt(ctx, wanted))
    if answer.option is None:
        return Retry(ctx.t("pick_number", n=len(_site_prompt(ctx).options)))
    ctx.data["site_id"] = answer.value
    if not open_days(ctx, *listed_days(ctx)):  # its last places went while the list was read
        del ctx.data["site_id"]
        return elsewhere(ctx, ctx.t("book.no_dates"))
    return _to_day(ctx)


def _read_companion_phone(ctx: Ctx, answer: Answer) -> Outcome:
    taken = take_phone(ctx, answer, "companion_phone", then="confirm")
    if isinstance(taken, Next) and taken.step == "confirm" and "slot_id" not in ctx.data:
        return to_place(ctx)  # asked first (70+ already): now the place
    return taken


PLACE_STEPS: dict[str, Step] = {
    "where": Step(_where, _read_where, free_text=False),
    "district": Step(_district, _read_district, free_text=False),
    "site": Step(_site, _read_site),
    "date": Step(date_prompt, read_date, own=other_site),
    "period": Step(
        period_prompt,
        read_period,
        own=lambda words: time_wish(words) is not None or other_site(words),
    ),
    "companion_name": Step(companion_name, read_companion_name),
    "companion_phone": Step(companion_phone, _read_companion_phone),
}
