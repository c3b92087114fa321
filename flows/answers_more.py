"""Answers to three more everyday questions (``flows.answers`` dispatches to them): where the
proof of vaccination is (policy ``records``), which sites have the most free places (the
store: released, bookable places in the days a booking lists), and what to do or avoid after
the shot (policy ``aftercare``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flows import answer_parts as parts
from flows.answer_texts import SEPARATORS
from flows.dialogue import Ctx, Option
from flows.entities import Entities
from flows.holidays import holidays_between
from store import Site, SlotFilter


def certificate(ctx: Ctx, entities: Entities) -> list[str]:
    """Where the electronic record is seen, and the paper record the site gives (or, with
    neither configured, the hotline); then how to see the doses on record here."""
    records = ctx.policy.records
    online = ctx.name_of(records.online_zh, records.online_en)
    close = parts.t(ctx, "close.status")
    paper = parts.t(ctx, "certificate.paper") if records.paper else ""
    if online:
        said = parts.t(ctx, "certificate", online=online)
        return [parts.say(ctx, said, paper, close), parts.say(ctx, said, close)]
    if paper:
        return [parts.say(ctx, paper, close)]
    number = ctx.policy.contact.hotline
    return [parts.say(ctx, parts.t(ctx, "certificate.hotline", number=number), close)]


def busiest(ctx: Ctx, entities: Entities) -> list[tuple[Site, int]]:
    """The sites (of the district named, or all) with bookable places in the days a booking
    lists from today, the most places first (then by id); looked up once per turn."""
    district_id = parts.known_district(ctx, entities)

    def look_up() -> list[tuple[Site, int]]:
        first = ctx.today
        last = first + timedelta(days=ctx.policy.booking.days_listed - 1)
        only = SlotFilter(holidays=holidays_between(first, last))
        found = ctx.store.sites_with_places(district_id, first, last, ctx.now, only)
        return sorted(((s, n) for s, n in found if n > 0), key=lambda item: (-item[1], item[0].id))

    return ctx.once(("busiest", district_id), look_up)


def busy(ctx: Ctx, entities: Entities) -> list[str]:
    """The few sites with the most free places (in the district named), with their counts;
    or that none has any, and when places are released."""
    days = ctx.policy.booking.days_listed
    district_id = parts.known_district(ctx, entities)
    district = parts.district_name(ctx, district_id) if district_id else ""
    found = busiest(ctx, entities)
    if not found:
        key = "busy.none.district" if district_id else "busy.none"
        time = ctx.policy.booking.release_time
        said = parts.t(ctx, key, days=days, time=time, district=district)
        return [parts.say(ctx, said, parts.t(ctx, "close.queue"))]
    close = parts.t(ctx, "close.busy")
    candidates = []
    for shown in range(min(len(found), parts.MOST_NAMES), 0, -1):
        for with_district in (district_id is None, False):
            labels = [_label(ctx, site, n, with_district) for site, n in found[:shown]]
            listed = SEPARATORS[ctx.lang].join(labels)
            key = "busy.district" if district_id else "busy"
            said = parts.t(ctx, key, days=days, places=listed, district=district)
            candidates.append(parts.say(ctx, said, close))
    return candidates


def book_at(
    ctx: Ctx, topics: Sequence[str], entities: Entities
) -> tuple[tuple[Option, ...], dict[str, Any]] | None:
    """After the sites with the most places are told (outside a flow): booking at the first,
    offered as option 1 (and 预约), with the site as the booking's wish."""
    found = busiest(ctx, entities) if "busy" in topics else []
    if not found:
        return None
    site = found[0][0]
    option = Option("1", ctx.t("busy.book", site=parts.site_name(ctx, site)), "flow:book")
    return (option,), {"wish": {"site": site.id, "district": site.district_id}}


def _label(ctx: Ctx, site: Site, places: int, with_district: bool) -> str:
    name = parts.site_name(ctx, site)
    if with_district:
        district = parts.district_name(ctx, site.district_id)
        return parts.t(ctx, "busy.label.district", name=name, district=district, n=places)
    return parts.t(ctx, "busy.label", name=name, n=places)


def aftercare(ctx: Ctx, entities: Entities) -> list[str]:
    care = ctx.policy.aftercare
    said = parts.t(ctx, "aftercare", hours=care.keep_dry_hours, days=care.avoid_days)
    return [parts.say(ctx, said, parts.t(ctx, "close.book"))]
