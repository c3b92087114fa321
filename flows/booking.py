"""Booking a dose: person → screening → where → date → period → confirm.

```mermaid
stateDiagram-v2
    [*] --> register: nobody registered on this phone (then back here)
    [*] --> person: several people on this phone
    [*] --> screening: one person (or the one just registered)
    person --> screening
    [*] --> [*]: barred, all doses done, already booked, campaign days, too young
    [*] --> queue: maintenance hours (offer the pre-registration queue)
    screening --> [*]: not eligible / deferred (with the reason)
    screening --> district: dose 1
    screening --> where: dose 2+ (previous site, home district, another district)
    where --> date: previous site
    where --> site: home district
    where --> district: another district
    district --> site: the district's window is open and it has places
    district --> queue: window closed, resident picks the queue
    site --> date
    date --> period: the day has several periods left
    date --> companion_name: one period fits and the person is 70+ that day
    date --> confirm: one period fits (or the text named it, e.g. 明天下午)
    period --> companion_name: 70+ on that day
    period --> confirm
    companion_name --> companion_phone
    companion_phone --> confirm
    confirm --> [*]: booked (code and confirmation)
    confirm --> date: change, or the place was just taken
    confirm --> queue: the district's window closed meanwhile
    queue --> queue_period: joining, the time of day not yet said
    queue --> [*]: declined, or joined (time of day said while choosing)
    queue_period --> [*]: joined
```

Screening asks one question at a time (``q_allergy`` … ``q_risk_area``), all of them before
dose 1 and only those whose answer can change before later doses; the first "yes" ends it.
Dose 2 and later are limited to the first dose's manufacturer and to days from the minimum
interval on (``flows.schedule``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from flows.dates import When, parse_when
from flows.declare import steps as declare_steps
from flows.dialogue import (
    Answer,
    Ctx,
    Done,
    Flow,
    Handoff,
    Next,
    Option,
    Outcome,
    Prompt,
    Retry,
    Step,
    numbered,
    yes_no,
)
from flows.documents import calendar, qr_code
from flows.eligibility import BY_KEY, Verdict, age_rules, birthday, questions_for
from flows.eligibility import verdict as screening_verdict
from flows.entities import Entities
from flows.holidays import holidays_between
from flows.identity import mask_phone
from flows.places import (
    PARTS,
    booking_facts,
    covers_hour,
    day_options,
    district_name,
    district_options,
    in_part,
    nearest,
    site_address,
    site_name,
    site_options,
    slot_options,
)
from flows.registration import phone_prompt, take_name, take_phone
from flows.schedule import (
    Complete,
    NextDose,
    Timing,
    Window,
    admitted,
    campaign_now,
    next_dose,
    opening,
    release_moment,
    timing,
    window,
)
from flows.screening import steps as screening_steps
from store import (
    AlreadyBooked,
    Booking,
    BookingNotActive,
    Resident,
    Screening,
    Site,
    Slot,
    SlotFilter,
    SlotUnavailable,
)

# What residents ask of a site while choosing one: the words, and which sites answer them.
SITE_WISHES: dict[str, tuple[tuple[str, ...], Callable[[Site], bool]]] = {
    "evening": (("晚上", "夜场", "夜间", "evening", "night"), lambda site: site.evening),
    "accessible": (
        ("无障碍", "轮椅", "accessible", "wheelchair"),
        lambda site: site.accessible,
    ),
}
WEEKEND_WORDS = ("周末", "双休日", "weekend")
# The times of day a queued person may prefer (``flows.places.PARTS``), or any: words for each.
PART_WORDS: dict[str, tuple[str, ...]] = {
    "morning": ("上午", "早上", "morning", "am"),
    "afternoon": ("下午", "afternoon", "pm"),
    "evening": ("晚上", "夜间", "evening", "night"),
    "any": ("都可以", "都行", "随便", "any", "anytime"),
}


@dataclass(frozen=True, slots=True)
class Person:
    """What the steps between choosing a person and confirming say and check of them.

    Kept in the flow's data from the moment the person is chosen, so the screening questions
    and the place steps do not read the person again each turn. The steps that write (confirm,
    joining the queue) read the person afresh.
    """

    id: int
    name: str
    sex: str | None
    birth_date: date
    district_id: str

    @classmethod
    def of(cls, resident: Resident) -> Person:
        return cls(
            resident.id, resident.name, resident.sex, resident.birth_date, resident.district_id
        )


def _resident(ctx: Ctx) -> Resident:
    """The person being booked for, as stored now (and only if this phone's)."""
    resident = ctx.resident(int(ctx.data["resident_id"]))
    assert resident is not None and resident.account_id == ctx.account_id
    return resident


def _chosen(ctx: Ctx) -> Person:
    """The person being booked for, as they were when chosen (see ``Person``)."""
    name, sex, born, district_id = ctx.data["person"]
    return Person(int(ctx.data["resident_id"]), name, sex, date.fromisoformat(born), district_id)


def _slot(ctx: Ctx, slot_id: int) -> Slot:
    slot = ctx.once(("slot", slot_id), lambda: ctx.store.slot(slot_id))
    assert slot is not None
    return slot


def _site_of(ctx: Ctx, slot: Slot) -> Site:
    site = ctx.once(("site", slot.site_id), lambda: ctx.store.site(slot.site_id))
    assert site is not None
    return site


def _dose(ctx: Ctx) -> NextDose:
    data = ctx.data
    return NextDose(
        number=int(data["dose"]),
        products=tuple(data["products"]) if data.get("products") else None,
        earliest=date.fromisoformat(data["earliest"]) if data.get("earliest") else None,
        latest=date.fromisoformat(data["latest"]) if data.get("latest") else None,
    )


def wish(ctx: Ctx) -> Entities:
    """What the resident's messages said they want (filled in as they say more)."""
    return Entities.load(ctx.data.get("wish") or {})


def _with_note(outcome: Outcome, note: str | None) -> Outcome:
    """``outcome`` with ``note`` said before its own."""
    if not note:
        return outcome
    if isinstance(outcome, Retry):
        return Retry(f"{note}\n{outcome.note}" if outcome.note else note, outcome.prompt)
    own = outcome.note
    return replace(outcome, note=f"{note}\n{own}" if own else note)


def _timing(ctx: Ctx) -> str | None:
    """Told before any data is asked: booking is closed now (maintenance, or the wanted
    district's hours), and when it opens."""
    said = wish(ctx)
    district = said.district
    if said.site is not None:
        site = ctx.store.site(said.site)
        district = site.district_id if site else district
    if district is None:
        people = ctx.people()
        district = people[0].district_id if len(people) == 1 else next(iter(ctx.policy.districts))
    return _window_closed(ctx, district)


def _start(ctx: Ctx) -> Outcome:
    if "resident_id" in ctx.data:  # just registered on the way here
        return _choose(ctx, _resident(ctx))
    note = _timing(ctx)
    people = ctx.people()
    relation = wish(ctx).relation
    if relation is not None:  # 帮我妈妈预约, 本人: the people it can mean
        people = [p for p in people if (p.relation == "self") == (relation == "self")]
        if not people:  # nobody like that here yet: register them first
            carry = {"relation": relation}
            return Handoff("register", after="book", note=note, carry=carry)
    if not people:
        return Handoff("register", after="book", note=note)
    if len(people) == 1:
        return _with_note(_choose(ctx, people[0]), note)
    ctx.data["people"] = [person.id for person in people]
    return Next("person", note=note)


def _person(ctx: Ctx) -> Prompt:
    shown = ctx.data.get("people")
    people = [p for p in ctx.people() if shown is None or p.id in shown]
    return Prompt(ctx.t("book.who"), numbered((person.name, person.id) for person in people))


def _read_person(ctx: Ctx, answer: Answer) -> Outcome:
    resident = ctx.store.resident(int(answer.value or 0))
    if resident is None or resident.account_id != ctx.account_id:
        return Retry(ctx.t("unknown"))
    return _choose(ctx, resident)


def _choose(ctx: Ctx, resident: Resident) -> Outcome:
    """Settle who and which dose; stop early when the person cannot book now."""
    policy = ctx.policy
    if resident.barred:
        return Done(ctx.t("book.barred", name=resident.name, n=policy.booking.noshow_limit))
    dose = next_dose(ctx.doses(resident.id), policy)
    if isinstance(dose, Complete):
        return Done(ctx.t("book.done_all", name=resident.name))
    wanted = wish(ctx).dose
    if wanted is not None and wanted > dose.number and dose.number == 1:
        # 预约第二针 with no dose on record: dose 1 may have been given elsewhere
        ctx.data.update(resident_id=resident.id, declare={})
        return Next("declare", note=ctx.t("declare.none", name=resident.name, dose=wanted))
    for booking in ctx.bookings(resident.id):
        if booking.dose == dose.number:
            return Done(ctx.t("book.already", **booking_facts(ctx, resident.name, booking)))
    campaign = campaign_now(policy, ctx.today)
    if campaign is not None and not admitted(campaign, dose, ctx.today):
        return Done(
            ctx.t(
                "book.campaign",
                start=ctx.day(campaign.start),
                end=ctx.day(campaign.end),
                name=ctx.name_of(campaign.name_zh, campaign.name_en),
                dose=campaign.dose,
                days=campaign.more_than_days_since_previous,
                after=ctx.day(campaign.end + timedelta(days=1)),
            )
        )
    last_day = ctx.today + timedelta(days=policy.booking.days_listed - 1)
    if age_rules(resident.birth_date, last_day, policy.ages).too_young:
        opens = birthday(resident.birth_date, policy.ages.minimum)
        return Done(
            ctx.t("age.too_young", name=resident.name, min=policy.ages.minimum, day=ctx.day(opens))
        )
    prepare(ctx, resident, dose)
    if window(policy, resident.district_id, ctx.now) is Window.MAINTENANCE:
        return Next("queue", note=ctx.t("book.maintenance", window=policy.booking.maintenance))
    note = None
    if wanted is not None and wanted not in (0, dose.number):
        note = ctx.t("book.dose_is", name=resident.name, dose=dose.number, wanted=wanted)
    return Next("screening", note=note)


def prepare(ctx: Ctx, resident: Resident, dose: NextDose) -> None:
    """Remember, for the steps that follow, who is booked for which dose under which limits."""
    ctx.data.update(
        resident_id=resident.id,
        person=[resident.name, resident.sex, resident.birth_date.isoformat(), resident.district_id],
        dose=dose.number,
        products=list(dose.products) if dose.products else None,
        earliest=dose.earliest.isoformat() if dose.earliest else None,
        latest=dose.latest.isoformat() if dose.latest else None,
        previous_site=dose.previous.site_id if dose.previous else None,
        previous_day=dose.previous.day.isoformat() if dose.previous else None,
        previous_source=dose.previous.source if dose.previous else None,
        relation=resident.relation,
        previous_product=dose.previous.product_id if dose.previous else None,
        answers={},
    )
    part = wish(ctx).part
    if part is not None:
        ctx.data["part"] = part
    if wish(ctx).weekend:
        ctx.data["weekend"] = True


def first_place_step(ctx: Ctx) -> str:
    """Where choosing a place starts: the dose-2 choice of site, or the district list."""
    return "where" if int(ctx.data["dose"]) > 1 else "district"


# -- screening ------------------------------------------------------------------------------


def _conclude(ctx: Ctx) -> Outcome:
    person = _chosen(ctx)
    answers: dict[str, bool] = ctx.data["answers"]
    result = screening_verdict(answers, person.birth_date, ctx.today, ctx.policy.ages)
    reason = next(
        (key for key, yes in answers.items() if yes and BY_KEY[key].if_yes == result), None
    )
    ctx.store.add_screening(
        Screening(
            resident_id=person.id,
            at=ctx.now.isoformat(timespec="seconds"),
            version=ctx.policy.registration.questionnaire_version,
            dose=int(ctx.data["dose"]),
            answers=answers,
            outcome=result.value,
            reason=reason,
        )
    )
    if result in (Verdict.NOT_ELIGIBLE, Verdict.DEFERRED):
        return Done(ctx.t(f"verdict.{result.value}.{reason}"))
    note = ctx.t(f"verdict.{result.value}", name=person.name)
    return _to_place(ctx, note)


def _to_place(ctx: Ctx, note: str | None = None) -> Outcome:
    """On to choosing the place, skipping what the resident already said: a site, else a
    district; else the usual first place step."""
    said = wish(ctx)
    if said.site is not None:
        site = ctx.store.site(said.site)
        if site is not None:
            return _with_note(_take_site(ctx, site), note)
    if said.district is not None:
        return _with_note(_go_district(ctx, said.district), note)
    return Next(first_place_step(ctx), note=note)


def _take_site(ctx: Ctx, site: Site) -> Outcome:
    """The site the resident named: its district's hours, then its days (or the wanted one)."""
    closed = _window_closed(ctx, site.district_id)
    if closed:
        return _offer_queue(ctx, closed, site.district_id)
    ctx.data["district"] = site.district_id
    if not any(s.id == site.id for s, _ in _open_sites(ctx, site.district_id)):
        products = _dose(ctx).products
        stocking = (
            ctx.store.sites_stocking(products, ctx.today, site.district_id) if products else []
        )
        if products and all(s.id != site.id for s in stocking):  # not this dose's maker
            product = ctx.policy.products[products[0]]
            note = ctx.t(
                "book.site_other_maker",
                site=site_name(ctx.lang, site),
                product=ctx.name_of(product.zh, product.en),
                dose=ctx.data["dose"],
            )
        else:
            note = ctx.t("book.site_full", site=site_name(ctx.lang, site))
        return _elsewhere(ctx, note)
    ctx.data["site_id"] = site.id
    return _to_day(ctx)


def _to_day(ctx: Ctx) -> Outcome:
    """The site is chosen: the day the resident named, or the list of days."""
    said = wish(ctx)
    if said.day is not None:
        return _take_day(ctx, When(said.day, said.part, said.hour))
    return Next("date")


# Steps whose free text is theirs alone (a name, a phone, the day of an earlier dose).
OWN_WORDS_STEPS = frozenset({"declare_date", "declare_where", "companion_name", "companion_phone"})


def revise(ctx: Ctx, answer: Answer) -> Outcome | None:
    """Free text at any step of a booking that names what the booking needs: kept, and the
    steps it settles are taken again (算了，改成后天 / 不是我，是给我妈约 / 换去石牌)."""
    said = answer.said
    if not said or ctx.step in OWN_WORDS_STEPS:
        return None
    kept = {**(ctx.data.get("wish") or {}), **said.said()}
    if said.relation is not None and not ctx.data.get("reschedule"):
        chosen = ctx.data.get("person")
        is_self = ctx.data.get("relation") == "self"
        if chosen is None or (said.relation == "self") != is_self:
            return Done("", then="book", carry={"wish": kept})  # start again for them
    ctx.data["wish"] = kept
    if "answers" not in ctx.data or not _screened(ctx):
        return None  # the screening comes first; what was said is kept for later
    if said.site is not None or said.district is not None:
        for key in ("site_id", "district"):
            ctx.data.pop(key, None)
        if said.day is None:
            kept.pop("day", None)
        return _to_place(ctx)
    if said.day is not None and "site_id" in ctx.data:
        return _take_day(ctx, When(said.day, said.part, said.hour))
    if said.part is not None and "day" in ctx.data:
        day = date.fromisoformat(ctx.data["day"])
        return _take_day(ctx, When(day, said.part, said.hour))
    return None


def _screened(ctx: Ctx) -> bool:
    if ctx.data.get("reschedule"):
        return True  # the booking being moved was screened
    person = _chosen(ctx)
    answers = ctx.data["answers"]
    return all(q.key in answers for q in questions_for(int(ctx.data["dose"]), person.sex))


# -- where ----------------------------------------------------------------------------------


def _days(ctx: Ctx) -> tuple[date, date]:
    """The days offered: from today, or the earliest day the dose allows, for days_listed."""
    earliest = _dose(ctx).earliest
    first = max(ctx.today, earliest) if earliest else ctx.today
    return first, first + timedelta(days=ctx.policy.booking.days_listed - 1)


def _filter(ctx: Ctx, first: date, last: date) -> SlotFilter:
    return SlotFilter(_dose(ctx).products, holidays_between(first, last))


def _open_sites(ctx: Ctx, district_id: str) -> list[tuple[Site, int]]:
    def look_up() -> list[tuple[Site, int]]:
        first, last = _days(ctx)
        sites = ctx.store.sites_with_places(
            district_id, first, last, ctx.now, _filter(ctx, first, last)
        )
        return [(site, left) for site, left in sites if left > 0]

    return ctx.once(("open_sites", district_id), look_up)


def _window_closed(ctx: Ctx, district_id: str) -> str | None:
    """Why the district cannot be booked now, or None if it can."""
    state = window(ctx.policy, district_id, ctx.now)
    if state is Window.MAINTENANCE:
        return ctx.t("book.maintenance", window=ctx.policy.booking.maintenance)
    if state is Window.CLOSED:
        return ctx.t(
            "book.closed",
            district=district_name(ctx, district_id),
            window=opening(ctx.policy, district_id),
        )
    return None


def _queue_option(ctx: Ctx, key: str) -> Option:
    return Option(key, ctx.t("queue.offer"), "queue", ("排队", "queue"))


def _where(ctx: Ctx) -> Prompt:
    person = _chosen(ctx)
    options: list[tuple[str, str]] = []
    previous = ctx.store.site(int(ctx.data["previous_site"])) if ctx.data["previous_site"] else None
    if previous is not None:
        options.append((ctx.t("book.where.same", site=site_name(ctx.lang, previous)), "same"))
    home = district_name(ctx, person.district_id)
    options += [
        (ctx.t("book.where.home", district=home), "home"),
        (ctx.t("book.where.other"), "other"),
    ]
    return Prompt(ctx.t("book.where", dose=ctx.data["dose"]), numbered(options))


def _read_where(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value == "other":
        return Next("district")
    if answer.value == "home":
        return _go_district(ctx, _chosen(ctx).district_id)
    site = ctx.store.site(int(ctx.data["previous_site"]))
    assert site is not None
    closed = _window_closed(ctx, site.district_id)
    if closed:
        return _offer_queue(ctx, closed, site.district_id)
    ctx.data.update(district=site.district_id, site_id=site.id)
    first, last = _days(ctx)
    if not _open_days(ctx, first, last):
        return _not_yet(ctx) or Retry(ctx.t("book.no_dates"))
    return _to_day(ctx)


def _not_yet(ctx: Ctx) -> Outcome | None:
    """For a later dose whose first day has no places out yet: say from when, offer the queue."""
    earliest = _dose(ctx).earliest
    if earliest is None or earliest <= ctx.today:
        return None
    note = ctx.t(
        "book.not_yet", name=_chosen(ctx).name, dose=ctx.data["dose"], day=ctx.day(earliest)
    )
    return Next("queue", note=note)


def _offer_queue(ctx: Ctx, note: str, district_id: str) -> Outcome:
    if ctx.data.get("reschedule"):  # the booking stands; there is nothing to queue for
        return Done(note)
    ctx.data["queue_district"] = district_id
    return Next("queue", note=note)


def _district(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("book.district"), district_options(ctx, _chosen(ctx).district_id))


def _go_district(ctx: Ctx, district_id: str) -> Outcome:
    closed = _window_closed(ctx, district_id)
    if closed:
        return _other_districts(ctx, closed, district_id)
    if not _open_sites(ctx, district_id):
        full = ctx.t("book.no_sites", district=district_name(ctx, district_id))
        return _not_yet(ctx) or _other_districts(ctx, full, district_id)
    ctx.data["district"] = district_id
    return Next("site")


def _other_districts(ctx: Ctx, note: str, district_id: str) -> Outcome:
    """The district cannot be booked now: the districts again, and the queue for this one
    (never a dead end)."""
    options = (*district_options(ctx, _chosen(ctx).district_id),)
    if not ctx.data.get("reschedule"):
        options += (_queue_option(ctx, str(len(options) + 1)),)
    ctx.data["queue_district"] = district_id
    return Retry(note, Prompt(ctx.t("book.district"), options))


def _read_district(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value == "queue":
        return Next("queue")
    return _go_district(ctx, str(answer.value))


def _site_label_tags(ctx: Ctx, site: Site) -> str:
    tags = [ctx.t("book.tag.evening")] * site.evening + [ctx.t("book.tag.mobile")] * site.mobile
    return f" ({', '.join(tags)})" if tags and ctx.lang == "en" else "".join(f"·{t}" for t in tags)


def _site_prompt(ctx: Ctx, wish: str | None = None) -> Prompt:
    sites = _open_sites(ctx, ctx.data["district"])
    intro = ctx.t("book.site")
    if wish is not None:
        fits = SITE_WISHES[wish][1]
        wanted = [(site, left) for site, left in sites if fits(site)]
        intro = ctx.t(f"book.wish.{wish}") if wanted else ctx.t("book.wish_none")
        sites = wanted or sites
    options = site_options(ctx, sites)
    labelled = tuple(
        Option(o.key, o.label + _site_label_tags(ctx, site), o.value, o.aliases)
        for o, (site, _) in zip(options, sites, strict=True)
    )
    return Prompt(intro, labelled)


def _site(ctx: Ctx) -> Prompt:
    return _site_prompt(ctx)


def _read_site(ctx: Ctx, answer: Answer) -> Outcome:
    said = answer.text.casefold()
    for wish, (words, _) in SITE_WISHES.items():  # before the option: a label may say 夜场
        if any(word in said for word in words):
            if wish == "evening":
                ctx.data["part"] = "evening"
            return Retry("", _site_prompt(ctx, wish))
    if answer.option is None:
        return Retry(ctx.t("pick_number", n=len(_site_prompt(ctx).options)))
    ctx.data["site_id"] = answer.value
    if not _open_days(ctx, *_days(ctx)):  # its last places went while the list was read
        del ctx.data["site_id"]
        return _elsewhere(ctx, ctx.t("book.no_dates"))
    return _to_day(ctx)


# -- when -----------------------------------------------------------------------------------


def _open_days(ctx: Ctx, first: date, last: date) -> list[tuple[date, int]]:
    site_id = int(ctx.data["site_id"])
    return ctx.once(
        ("open_days", site_id, first, last),
        lambda: ctx.store.open_days(site_id, first, last, ctx.now, _filter(ctx, first, last)),
    )


def _open_slots(ctx: Ctx, day: date) -> list[Slot]:
    site_id = int(ctx.data["site_id"])
    return ctx.once(
        ("open_slots", site_id, day),
        lambda: ctx.store.open_slots(site_id, day, ctx.now, _filter(ctx, day, day)),
    )


def _taken(ctx: Ctx) -> Outcome:
    """The place went to someone else between choosing and confirming: back to the latest
    choice that still has places (the day, else the site, else the district)."""
    note = ctx.t("book.taken")
    if _open_days(ctx, *_days(ctx)):
        return Next("date", note=note, rewind=True)
    return _elsewhere(ctx, note)


def _elsewhere(ctx: Ctx, note: str) -> Outcome:
    """Nothing is left at the chosen site: back to the district's sites, else the districts."""
    if "district" in ctx.data and _open_sites(ctx, ctx.data["district"]):
        return Next("site", note=note, rewind=True)
    return Next("district", note=note, rewind=True)


def _date(ctx: Ctx) -> Prompt:
    days = _open_days(ctx, *_days(ctx))
    if ctx.data.get("weekend"):
        weekend = [(day, left) for day, left in days if day.weekday() >= 5]
        intro = ctx.t("book.weekend_days") if weekend else ctx.t("book.no_weekend")
        return Prompt(intro, day_options(ctx, weekend or days))
    if not days:  # nothing left here: the only way on is another site
        return Prompt(ctx.t("book.no_dates"), numbered([(ctx.t("book.other_site"), "site")]))
    return Prompt(ctx.t("book.date"), day_options(ctx, days))


def _alternatives(ctx: Ctx, wanted: date, note: str) -> Outcome:
    """Say the wanted day cannot be had, offering the open days nearest to it (or, when the
    site has none left, the other sites)."""
    first, last = _days(ctx)
    days = _open_days(ctx, first, max(last, wanted + timedelta(days=7)))
    if not days:
        return _elsewhere(ctx, ctx.t("book.no_dates"))
    return Retry(note, Prompt(note, day_options(ctx, nearest(days, wanted))))


def _fitting(slots: list[Slot], when: When) -> list[Slot]:
    if when.hour is not None:
        return [slot for slot in slots if covers_hour(slot, when.hour)]
    if when.part is not None:
        return [slot for slot in slots if in_part(slot, when.part)]
    return slots


def _read_date(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value == "site":
        return Next("site", rewind=True)
    if answer.option is not None:
        when = When(date.fromisoformat(str(answer.value)), ctx.data.get("part"))
    else:
        if any(word in answer.text.casefold() for word in WEEKEND_WORDS):
            ctx.data["weekend"] = True
            return Retry("", _date(ctx))
        parsed = parse_when(answer.text, ctx.today)
        if parsed is not None and parsed.too_far is not None:  # 9999-12-31: refused at once
            return Retry(ctx.t("book.date_too_far", day=ctx.day(parsed.too_far)))
        if parsed is None or parsed.day is None:
            return Retry(ctx.t("book.date_unknown"))
        when = parsed
    return _take_day(ctx, when)


def _take_day(ctx: Ctx, when: When) -> Outcome:
    """A day (and maybe a time of day) wanted at the chosen site: its place, or why not."""
    assert when.day is not None
    if when.day < ctx.today:
        return _alternatives(ctx, when.day, ctx.t("book.date_past", day=ctx.day(when.day)))
    dose = _dose(ctx)
    if timing(dose, when.day) is Timing.EARLY:
        assert dose.earliest is not None
        days = _days_after_previous(ctx, dose.earliest)
        note = ctx.t("book.too_early", dose=dose.number, min=days, day=ctx.day(dose.earliest))
        return _alternatives(ctx, dose.earliest, note)
    person = _chosen(ctx)
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
    slots = _open_slots(ctx, when.day)
    if not slots:
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
    ctx.data.update(day=when.day.isoformat(), part=when.part, hour=when.hour)
    fitting = _fitting(slots, when)
    if len(slots) == 1 or (len(fitting) == 1 and fitting != slots):
        return _slot_chosen(ctx, (fitting or slots)[0])
    return Next("period")


def _days_after_previous(ctx: Ctx, day: date) -> int:
    return (day - date.fromisoformat(ctx.data["previous_day"])).days


def _period(ctx: Ctx) -> Prompt:
    day = date.fromisoformat(ctx.data["day"])
    slots = _open_slots(ctx, day)
    wanted = When(day, ctx.data.get("part"), ctx.data.get("hour"))
    fitting = _fitting(slots, wanted)
    if fitting:
        return Prompt(ctx.t("book.period", day=ctx.day(day)), slot_options(ctx, fitting))
    return Prompt(ctx.t("book.period_none", day=ctx.day(day)), slot_options(ctx, slots))


def _read_period(ctx: Ctx, answer: Answer) -> Outcome:
    day = date.fromisoformat(ctx.data["day"])
    if answer.option is not None:
        return _slot_chosen(ctx, _slot(ctx, int(str(answer.value))))
    when = parse_when(answer.text, ctx.today)
    if when is None or (when.part is None and when.hour is None):
        return Retry(ctx.t("pick_number", n=len(_period(ctx).options)))
    if when.day is not None and when.day != day:
        return _read_date(ctx, answer)
    slots = _fitting(_open_slots(ctx, day), when)
    if len(slots) == 1:
        return _slot_chosen(ctx, slots[0])
    ctx.data.update(part=when.part, hour=when.hour)
    return Retry("", _period(ctx))


def _slot_chosen(ctx: Ctx, slot: Slot) -> Outcome:
    ctx.data["slot_id"] = slot.id
    if age_rules(_chosen(ctx).birth_date, slot.day, ctx.policy.ages).companion:
        return Next("companion_name")
    ctx.data.pop("companion_phone", None)
    return Next("confirm")


# -- companion (70+) ------------------------------------------------------------------------


def _companion_name(ctx: Ctx) -> Prompt:
    min_age = ctx.policy.ages.companion
    return Prompt(ctx.t("companion.name", name=_chosen(ctx).name, min=min_age))


def _read_companion_name(ctx: Ctx, answer: Answer) -> Outcome:
    return take_name(ctx, answer, "companion_name", then="companion_phone")


def _companion_phone(ctx: Ctx) -> Prompt:
    return phone_prompt(ctx, "companion.phone")


def _read_companion_phone(ctx: Ctx, answer: Answer) -> Outcome:
    return take_phone(ctx, answer, "companion_phone", then="confirm")


# -- confirm --------------------------------------------------------------------------------


def _notices(ctx: Ctx, person: Person, day: date) -> list[str]:
    """What the person must know for that day: overdue, assessment, companion, green channel."""
    ages = ctx.policy.ages
    rules = age_rules(person.birth_date, day, ages)
    notes = []
    dose = _dose(ctx)
    if timing(dose, day) is Timing.OVERDUE:
        assert dose.latest is not None
        notes.append(ctx.t("book.overdue", max=_days_after_previous(ctx, dose.latest)))
    if ctx.data.get("previous_source") == "declared":
        product = ctx.policy.products[ctx.data["previous_product"]]
        previous = date.fromisoformat(ctx.data["previous_day"])
        maker = ctx.name_of(product.zh, product.en)
        notes.append(ctx.t("declare.check", day=ctx.day(previous), product=maker))
    if rules.assessment:
        notes.append(ctx.t("age.assessment", min=ages.assessment))
    if rules.companion and ctx.data.get("companion_phone"):
        name, phone = ctx.data["companion_name"], ctx.data["companion_phone"]
        notes.append(ctx.t("age.companion", companion=name, phone=mask_phone(phone)))
    if rules.green_channel:
        notes.append(ctx.t("age.green_channel", min=ages.green_channel))
    return notes


def _confirm(ctx: Ctx) -> Prompt:
    person = _chosen(ctx)
    slot = _slot(ctx, int(ctx.data["slot_id"]))
    site = _site_of(ctx, slot)
    product = ctx.policy.products[slot.product_id]
    summary = ctx.t(
        "book.confirm",
        name=person.name,
        dose=ctx.data["dose"],
        day=ctx.day(slot.day),
        period=slot.period,
        site=site_name(ctx.lang, site),
        address=site_address(ctx.lang, site),
        product=ctx.name_of(product.zh, product.en),
    )
    text = "\n".join([summary, *_notices(ctx, person, slot.day)])
    return Prompt(text, yes_no(ctx.t("book.confirm.yes"), ctx.t("book.confirm.change")))


def _read_confirm(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value != "yes":
        return Next("date")
    resident = _resident(ctx)  # afresh: an operator may have changed or barred them meanwhile
    if resident.barred:
        limit = ctx.policy.booking.noshow_limit
        return Done(ctx.t("book.barred", name=resident.name, n=limit))
    slot_id = int(ctx.data["slot_id"])
    district_id = ctx.data.get("district") or _site_of(ctx, _slot(ctx, slot_id)).district_id
    closed = _window_closed(ctx, district_id)  # time has passed since the district was chosen
    if closed:
        return _offer_queue(ctx, closed, district_id)
    if ctx.data.get("reschedule"):
        return _move(ctx, resident, slot_id)
    companion = None
    if ctx.data.get("companion_phone"):
        companion = (ctx.data["companion_name"], ctx.data["companion_phone"])
    ctx.memo.clear()  # the places looked up so far are about to change
    try:
        booking = ctx.store.book(
            resident_id=resident.id,
            slot_id=slot_id,
            dose=int(ctx.data["dose"]),
            now=ctx.now,
            channel=ctx.channel,
            actor=ctx.actor,
            companion=companion,
        )
    except SlotUnavailable:
        return _taken(ctx)
    except AlreadyBooked:
        return _choose(ctx, resident)
    return _confirmed(ctx, resident, booking, "book.success", "confirm")


def _move(ctx: Ctx, resident: Resident, slot_id: int) -> Outcome:
    ctx.memo.clear()  # the places looked up so far are about to change
    try:
        booking = ctx.store.reschedule(
            int(ctx.data["reschedule"]), slot_id, now=ctx.now, actor=ctx.actor, channel=ctx.channel
        )
    except SlotUnavailable:
        return _taken(ctx)
    except BookingNotActive:
        return Done(ctx.t("change.gone"))
    return _confirmed(ctx, resident, booking, "reschedule.success", "moved")


def _confirmed(ctx: Ctx, resident: Resident, booking: Booking, key: str, event: str) -> Done:
    """The confirmation, with a calendar entry and the code as a QR code for the channels that
    can carry files."""
    files = (
        calendar(booking, resident.name, ctx.lang, ctx.policy.zone, ctx.now),
        qr_code(booking.code),
    )
    return Done(_confirmation(ctx, resident, booking, key, event), attachments=files)


def _confirmation(ctx: Ctx, resident: Resident, booking: Booking, key: str, event: str) -> str:
    """The confirmation text; the person's own phone, if not the one writing, gets it too."""
    facts = booking_facts(ctx, resident.name, booking)
    text = "\n".join([ctx.t(key, **facts), *_notices(ctx, Person.of(resident), booking.slot.day)])
    if resident.phone != ctx.sender_phone:
        key = f"booking:{booking.code}:{event}:{booking.slot.id}:person"
        ctx.store.enqueue("sms", resident.phone, text, key, due=ctx.now, now=ctx.now)
    return text


# -- the pre-registration queue ---------------------------------------------------------------


def _queue(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("queue.ask"), yes_no(ctx.t("queue.join"), ctx.t("queue.skip")))


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
    resident = _resident(ctx)
    district = ctx.data.get("queue_district") or resident.district_id
    added = ctx.store.join_queue(resident.id, int(ctx.data["dose"]), district, period, ctx.now)
    return Done(ctx.t("queue.joined" if added else "queue.already", name=resident.name))


def _after_declared(ctx: Ctx) -> Outcome:
    resident = _resident(ctx)
    ctx.memo.clear()  # the dose just recorded
    return _choose(ctx, resident)


BOOKING = Flow(
    name="book",
    first="district",
    start=_start,
    revise=revise,
    steps={
        "person": Step(_person, _read_person, free_text=False),
        **screening_steps(_conclude),
        **declare_steps(_after_declared),
        "where": Step(_where, _read_where, free_text=False),
        "district": Step(_district, _read_district, free_text=False),
        "site": Step(_site, _read_site),
        "date": Step(_date, _read_date),
        "period": Step(_period, _read_period),
        "companion_name": Step(_companion_name, _read_companion_name),
        "companion_phone": Step(_companion_phone, _read_companion_phone),
        "confirm": Step(_confirm, _read_confirm, free_text=False),
        "queue": Step(_queue, _read_queue, free_text=False),
        "queue_period": Step(_queue_period, _read_queue_period, free_text=False),
    },
)
