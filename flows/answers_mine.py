"""Answers about the sender's own people, from this phone's bookings and doses: where a
booking or a dose is (地址在哪 after booking, 我第一针在哪里打的), when a relative's next dose is
(我阿妈几时打第二针), the bookings again when no SMS came (我收唔到短信); and two questions
answered from the store: the makers the sites offer (可以自己选疫苗牌子吗) and the weekend days
with places (周末可以打吗).

Read only: no account is made for asking, and only the people registered on the sender's own
account are ever named (a stranger is told how to look, nothing else)."""

from __future__ import annotations

from datetime import timedelta

from flows import answer_parts as parts
from flows.answer_texts import SEPARATORS
from flows.booking_state import open_sites
from flows.dialogue import Ctx
from flows.entities import Entities
from flows.holidays import holidays_between
from flows.minds import people_meant
from flows.missed import passed
from flows.places import booking_facts
from flows.schedule import NextDose, next_dose
from flows.whose import not_here
from store import Booking, Resident, Site, SlotFilter

SOMEONE = frozenset({"other", "new"})  # relations that name nobody on the phone
WEEKEND_DAYS = 4  # weekend days named at most in the weekend answer


def people(ctx: Ctx) -> list[Resident]:
    """Everyone on the sender's account; nobody when the sender has none (none is made)."""
    account = ctx.once(("account_of",), lambda: ctx.store.account_of(ctx.channel, ctx.address))
    if account is None:
        return []
    return ctx.once(("people", account), lambda: ctx.store.residents_of(account))


def meant(ctx: Ctx, entities: Entities) -> list[Resident]:
    """The people on the phone a question is about: those registered as the relation named
    (我妈: the one registered as mother; 自己: oneself), else everyone; inside a booking, the
    person being booked (地址在哪 at the site question is not about another's booking)."""
    everyone = people(ctx)
    relation = entities.relation
    if relation is None or relation in SOMEONE:
        if "resident_id" in ctx.data:
            return [p for p in everyone if p.id == int(ctx.data["resident_id"])]
        return everyone
    return [p for p in everyone if p.relation == relation]


def _upcoming(ctx: Ctx, person: Resident) -> list[Booking]:
    return [b for b in ctx.bookings(person.id) if not passed(ctx, b)]


def booked_site(ctx: Ctx, entities: Entities) -> tuple[str, int | None] | None:
    """Where the site question without a site (地址在哪, where is it) is about: the booking on
    this phone (or the relation's, or the dose's named), or the site a dose was given at
    (我第一针在哪里打的): a sentence saying whose it is, and the site's id (None: not on
    record, or several sites, each named in the sentence)."""
    chosen = meant(ctx, entities)
    dose = entities.dose
    if dose is not None:
        given = [(p, d) for p in chosen for d in ctx.doses(p.id) if d.dose == dose]
        if len(given) == 1 and not any(b.dose == dose for p in chosen for b in _upcoming(ctx, p)):
            person, record = given[0]
            site = ctx.store.site(record.site_id) if record.site_id is not None else None
            if site is None:
                said = parts.t(ctx, "mine.dose.nowhere", name=person.name, dose=dose,
                               day=ctx.day(record.day))  # fmt: skip
                return said, None
            said = parts.t(ctx, "mine.dose", name=person.name, dose=dose, day=ctx.day(record.day))
            return said, site.id
    booked = [(p, b) for p in chosen for b in _upcoming(ctx, p) if dose is None or b.dose == dose]
    if not booked:
        return None
    booked.sort(key=lambda pair: (pair[1].slot.day, pair[1].slot.start))
    if len({b.site.id for _, b in booked}) == 1:
        person, booking = booked[0]
        said = parts.t(ctx, "mine.booked", **booking_facts(ctx, person.name, booking))
        return said, booking.site.id
    each = [
        parts.t(ctx, "mine.booked.each", **booking_facts(ctx, p.name, b)) for p, b in booked[:3]
    ]
    return SEPARATORS[ctx.lang].join(each), None


def sites_here(ctx: Ctx) -> list[Site]:
    """The sites a booking under way shows, which 地址在哪 / where are they asks about: the one
    chosen (at the date or time question), or those listed at the site question of the
    district chosen; none outside a booking."""
    if ctx.data.get("site_id") is not None:
        site = ctx.store.site(int(ctx.data["site_id"]))
        return [site] if site is not None else []
    district = ctx.data.get("district")
    if not isinstance(district, str):
        return []
    return [site for site, _ in open_sites(ctx, district)]


def when(ctx: Ctx, entities: Entities) -> str | None:
    """When the relative named (我阿妈几时打第二针) has the dose asked (or the next): booked
    for it, or from when it can be booked after the dose before it (given, or booked)."""
    if entities.relation is None or entities.relation in SOMEONE:
        return None
    chosen = meant(ctx, entities)
    everyone = people(ctx)
    if (
        everyone
        and entities.relation != "self"
        and not people_meant(everyone, entities.relation)[0]
    ):
        return not_here(ctx, entities.relation)  # 我爸几时打第二针 with no father here: nobody's
    if len(chosen) != 1:
        return None
    person = chosen[0]
    doses = ctx.doses(person.id)
    upcoming = _upcoming(ctx, person)
    dose = entities.dose if entities.dose else len(doses) + 1
    for booking in upcoming:
        if booking.dose == dose:
            return parts.t(ctx, "mine.when.booked", **booking_facts(ctx, person.name, booking))
    following = next_dose(doses, ctx.policy)
    if isinstance(following, NextDose) and following.number == dose and following.earliest:
        return parts.t(
            ctx, "interval.yours", name=person.name, dose=dose,
            day=ctx.day(following.earliest),
            last=ctx.day(following.latest) if following.latest else "",
        )  # fmt: skip
    before = [b for b in upcoming if b.dose == dose - 1]
    product = ctx.policy.products.get(before[0].slot.product_id) if before else None
    if product is None or product.doses < dose or dose < 2:
        return None
    interval = product.intervals[dose - 2]
    day = before[0].slot.day
    return parts.t(
        ctx, "mine.when.after", name=person.name, before=dose - 1, day=ctx.day(day), dose=dose,
        first=ctx.day(day + timedelta(days=interval.min_days)),
        last=ctx.day(day + timedelta(days=interval.max_days)),
    )  # fmt: skip


def sms(ctx: Ctx, entities: Entities) -> list[str]:
    """No SMS came (我收唔到短信): how to look (回复 查询), and this phone's bookings again."""
    note = parts.t(ctx, "sms")
    close = parts.t(ctx, "close.sms")
    said = [
        f"{p.name} " + ctx.t("status.booking", **booking_facts(ctx, p.name, b))
        for p in people(ctx)
        for b in _upcoming(ctx, p)
    ]
    if not said:
        return [parts.say(ctx, note, parts.t(ctx, "sms.none"), close)]
    joined = SEPARATORS[ctx.lang]
    return [
        parts.say(ctx, note, parts.t(ctx, "sms.yours", bookings=joined.join(said[:shown])), close)
        for shown in range(len(said), 0, -1)
    ] + [parts.say(ctx, note, close)]


def makers(ctx: Ctx) -> str | None:
    """The makers whose vaccine the sites have from today (可以自己选疫苗牌子吗), or None."""
    policy = ctx.policy
    offered: list[str] = []
    for maker in dict.fromkeys(p.manufacturer for p in policy.products.values()):
        made = [key for key, p in policy.products.items() if p.manufacturer == maker]
        if ctx.store.sites_stocking(made, ctx.today):
            product = policy.products[made[0]]
            offered.append(ctx.name_of(product.zh, product.en))
    if not offered:
        return None
    return parts.t(ctx, "maker.offered", makers=SEPARATORS[ctx.lang].join(offered))


def weekend(ctx: Ctx, entities: Entities) -> list[str]:
    """Whether the sites vaccinate at the weekend: the Saturdays and Sundays, among the days a
    booking lists, with places (of the district named), or when places are released."""
    booking = ctx.policy.booking
    district_id = parts.known_district(ctx, entities)
    first = ctx.today
    last = first + timedelta(days=max(booking.days_listed, 7) - 1)
    only = SlotFilter(holidays=holidays_between(first, last))
    days: list[str] = []
    day = first
    while day <= last and len(days) < WEEKEND_DAYS:
        if day.weekday() >= 5:
            found = ctx.store.sites_with_places(district_id, day, day, ctx.now, only)
            if any(n > 0 for _, n in found):
                days.append(ctx.day(day))
        day += timedelta(days=1)
    rule = parts.t(ctx, "weekend")
    if not days:
        none = parts.t(ctx, "weekend.none", time=booking.release_time)
        return [parts.say(ctx, rule, none, parts.t(ctx, "close.book"))]
    listed = parts.t(ctx, "weekend.days", days=SEPARATORS[ctx.lang].join(days))
    return [parts.say(ctx, rule, listed, parts.t(ctx, "close.book"))]
