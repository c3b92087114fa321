"""What the booking steps share: the person and dose being booked, what the resident
said they want, and the places open for them (looked up once per turn).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from flows import lexicon
from flows.dialogue import (
    Ctx,
    Outcome,
    Retry,
)
from flows.entities import Entities
from flows.holidays import holidays_between
from flows.places import (
    district_name,
    site_name,
)
from flows.schedule import (
    NextDose,
    Window,
    opening,
    opens_next,
    window,
)
from flows.texts import format_week
from store import (
    Resident,
    Site,
    Slot,
    SlotFilter,
)

# What residents ask of a site while choosing one: the words, and which sites answer them.
# What residents ask of a site while choosing one: the words (from the lexicon), and which
# sites answer them.
SITE_WISHES: dict[str, tuple[tuple[str, ...], Callable[[Site], bool]]] = {
    "evening": (lexicon.load().parts["evening"], lambda site: site.evening),
    "accessible": (lexicon.load().site_wishes["accessible"], lambda site: site.accessible),
}
WEEKEND_WORDS = lexicon.load().weekend
# The times of day a queued person may prefer (``flows.places.PARTS``), or any: words for each.
PART_WORDS: dict[str, tuple[str, ...]] = lexicon.part_words()


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


def booked_resident(ctx: Ctx) -> Resident:
    """The person being booked for, as stored now (and only if this phone's)."""
    resident = ctx.resident(int(ctx.data["resident_id"]))
    assert resident is not None and resident.account_id == ctx.account_id
    return resident


def chosen_person(ctx: Ctx) -> Person:
    """The person being booked for, as they were when chosen (see ``Person``)."""
    name, sex, born, district_id = ctx.data["person"]
    return Person(int(ctx.data["resident_id"]), name, sex, date.fromisoformat(born), district_id)


def slot_of(ctx: Ctx, slot_id: int) -> Slot:
    slot = ctx.once(("slot", slot_id), lambda: ctx.store.slot(slot_id))
    assert slot is not None
    return slot


def site_of_slot(ctx: Ctx, slot: Slot) -> Site:
    site = ctx.once(("site", slot.site_id), lambda: ctx.store.site(slot.site_id))
    assert site is not None
    return site


def dose_wanted(ctx: Ctx) -> NextDose:
    data = ctx.data
    return NextDose(
        number=int(data["dose"]),
        products=tuple(data["products"]) if data.get("products") else None,
        earliest=date.fromisoformat(data["earliest"]) if data.get("earliest") else None,
        latest=date.fromisoformat(data["latest"]) if data.get("latest") else None,
    )


def dose_said(ctx: Ctx, name: str, dose: NextDose, wanted: int | None) -> str | None:
    """What the booking says when the dose asked for (``wanted``; 0: a booster) is not the
    one due: 本次应打第2针（不是第1针）, or（还不是加强针）while the course is not complete."""
    if wanted is None or wanted == dose.number:
        return None
    if wanted:
        return ctx.t("book.dose_is", name=name, dose=dose.number, wanted=wanted)
    previous = dose.previous
    product = ctx.policy.products.get(previous.product_id) if previous else None
    if product is not None and dose.number > product.doses:
        return None  # the course is complete: this is the booster
    return ctx.t("book.booster_not_yet", name=name, dose=dose.number)


def wish(ctx: Ctx) -> Entities:
    """What the resident's messages said they want (filled in as they say more)."""
    return Entities.load(ctx.data.get("wish") or {})


def with_note(outcome: Outcome, note: str | None) -> Outcome:
    """``outcome`` with ``note`` said before its own (once: not when it says it already)."""
    if not note or note in (outcome.note or ""):
        return outcome
    if isinstance(outcome, Retry):
        return Retry(f"{note}\n{outcome.note}" if outcome.note else note, outcome.prompt)
    own = outcome.note
    return replace(outcome, note=f"{note}\n{own}" if own else note)


def timing_note(ctx: Ctx) -> str | None:
    """Told before any data is asked: booking is closed now (maintenance, or the wanted
    district's hours), and when it opens."""
    said = wish(ctx)
    district = said.district
    if said.site is not None:
        site = ctx.store.site(said.site)
        district = site.district_id if site else district
    if district is None:
        people = ctx.people()
        if len(people) != 1:  # no district known yet: only maintenance closes them all
            any_district = next(iter(ctx.policy.districts))
            if window(ctx.policy, any_district, ctx.now) is not Window.MAINTENANCE:
                return None
            return window_closed(ctx, any_district, known=False)
        district = people[0].district_id
    return window_closed(ctx, district)


def prepare(ctx: Ctx, resident: Resident, dose: NextDose) -> None:
    """Remember, for the steps that follow, who is booked for which dose under which limits."""
    ctx.data.pop("companion_first", None)  # a companion asked for someone else does not count
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
    said = wish(ctx)
    if said.maker is not None and not dose.products:  # 第一针想打国药: that maker's sites only
        made = [key for key, p in ctx.policy.products.items() if p.manufacturer == said.maker]
        ctx.data["products"] = made or None
    for key in ("part", "hour", "by_hour", "from_hour"):  # 约第一针，下午3点后
        if getattr(said, key) is not None and said.day is None:
            ctx.data[key] = getattr(said, key)
    if said.part is not None:
        ctx.data["part"] = said.part
    if wish(ctx).weekend:
        ctx.data["weekend"] = True
    week = wish(ctx).week
    if week is not None:
        ctx.data["week"] = week.isoformat()


def first_place_step(ctx: Ctx) -> str:
    """Where choosing a place starts: the dose-2 choice of site, or the district list."""
    return "where" if int(ctx.data["dose"]) > 1 else "district"


# -- where ----------------------------------------------------------------------------------


def listed_days(ctx: Ctx) -> tuple[date, date]:
    """The days offered: from today, or the earliest day the dose allows, for days_listed."""
    earliest = dose_wanted(ctx).earliest
    first = max(ctx.today, earliest) if earliest else ctx.today
    return first, first + timedelta(days=ctx.policy.booking.days_listed - 1)


def slot_filter(ctx: Ctx, first: date, last: date) -> SlotFilter:
    return SlotFilter(dose_wanted(ctx).products, holidays_between(first, last))


def open_sites(ctx: Ctx, district_id: str) -> list[tuple[Site, int]]:
    def look_up() -> list[tuple[Site, int]]:
        first, last = listed_days(ctx)
        sites = ctx.store.sites_with_places(
            district_id, first, last, ctx.now, slot_filter(ctx, first, last)
        )
        return [(site, left) for site, left in sites if left > 0]

    return ctx.once(("open_sites", district_id), look_up)


def window_closed(ctx: Ctx, district_id: str, known: bool = True) -> str | None:
    """Why the district cannot be booked now, or None if it can; in maintenance, when the
    district opens next (``known`` False: no district is known yet, so none is named)."""
    state = window(ctx.policy, district_id, ctx.now)
    if state is Window.MAINTENANCE:
        closed = ctx.t("book.maintenance", window=ctx.policy.booking.maintenance)
        if not known:
            return closed
        today, start = opens_next(ctx.policy, district_id, ctx.now)
        district = district_name(ctx, district_id)
        return closed + ctx.t("book.opens_today" if today else "book.opens_tomorrow",
                              district=district, start=start)  # fmt: skip
    if state is Window.CLOSED:
        today, start = opens_next(ctx.policy, district_id, ctx.now)
        closed = ctx.t(
            "book.closed",
            district=district_name(ctx, district_id),
            window=opening(ctx.policy, district_id),
        )
        return closed + ctx.t("book.next_today" if today else "book.next_tomorrow", start=start)
    return None


# -- when -----------------------------------------------------------------------------------


def open_days(ctx: Ctx, first: date, last: date) -> list[tuple[date, int]]:
    site_id = int(ctx.data["site_id"])
    return ctx.once(
        ("open_days", site_id, first, last),
        lambda: ctx.store.open_days(site_id, first, last, ctx.now, slot_filter(ctx, first, last)),
    )


def open_slots(ctx: Ctx, day: date) -> list[Slot]:
    return site_slots(ctx, int(ctx.data["site_id"]), day)


def site_slots(ctx: Ctx, site_id: int, day: date) -> list[Slot]:
    """The open periods of a site on a day (looked up once per turn)."""
    return ctx.once(
        ("open_slots", site_id, day),
        lambda: ctx.store.open_slots(site_id, day, ctx.now, slot_filter(ctx, day, day)),
    )


def days_after_previous(ctx: Ctx, day: date) -> int:
    return (day - date.fromisoformat(ctx.data["previous_day"])).days


def kept_note(ctx: Ctx, said: Entities, key: str = "book.kept") -> str | None:
    """What a change of mind (算了，改成后天下午) names of the booking's day, time and place, as
    the resident is told it is kept (``key``: 好的，改为：…; book.noted: 好的，明天 上午。); None
    if it names none of them."""
    what: list[str] = []
    if said.day is not None:
        what.append(ctx.day(said.day))
    elif said.week is not None and key != "book.kept":
        what.append(format_week(ctx.lang, said.week, ctx.today))
    if said.part is not None:
        part = ctx.t(f"part.{said.part}")
        english = ctx.lang == "en" and key != "book.kept"
        what.append(f"in the {part.lower()}" if english else part)
    if said.site is not None and (site := ctx.store.site(said.site)) is not None:
        what.append(site_name(ctx.lang, site))
    elif said.district is not None:
        what.append(district_name(ctx, said.district))
    if not what:
        return None
    return ctx.t(key, what=(" " if ctx.lang == "zh" else ", ").join(what))
