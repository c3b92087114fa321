"""Booking a dose: person → district → site → date → period → confirm → booking code.

```mermaid
stateDiagram-v2
    [*] --> register: nobody registered on this phone (then back here)
    [*] --> person: several people on this phone
    [*] --> district: one person
    person --> district
    district --> site: the district has places
    site --> date
    date --> period: the day has several periods left
    date --> confirm: one period fits (or the text named it, e.g. 明天下午)
    period --> confirm
    confirm --> [*]: booked (code and confirmation)
    confirm --> date: change, or the place was just taken
```
"""

from __future__ import annotations

from datetime import date, timedelta

from flows.dates import When, parse_when
from flows.dialogue import (
    Answer,
    Ctx,
    Done,
    Flow,
    Handoff,
    Next,
    Outcome,
    Prompt,
    Retry,
    Step,
    numbered,
    yes_no,
)
from flows.places import (
    covers_hour,
    day_options,
    district_name,
    district_options,
    in_part,
    listing_window,
    nearest,
    site_address,
    site_name,
    site_options,
    slot_options,
)
from store import AlreadyBooked, Resident, Site, Slot, SlotUnavailable


def _resident(ctx: Ctx) -> Resident:
    resident = ctx.store.resident(int(ctx.data["resident_id"]))
    assert resident is not None and resident.account_id == ctx.account_id
    return resident


def _choose(ctx: Ctx, resident: Resident) -> Outcome:
    """Settle who and which dose; stop early when there is nothing to book."""
    dose = ctx.store.dose_count(resident.id) + 1
    for booking in ctx.store.active_bookings(resident.id):
        if booking.dose == dose:
            return Done(
                ctx.t(
                    "book.already",
                    name=resident.name,
                    dose=dose,
                    day=ctx.day(booking.slot.day),
                    period=booking.slot.period,
                    site=site_name(ctx.lang, booking.site),
                    code=booking.code,
                )
            )
    ctx.data.update(resident_id=resident.id, dose=dose)
    return Next("district")


def _start(ctx: Ctx) -> Outcome:
    people = ctx.store.residents_of(ctx.account_id)
    if not people:
        return Handoff("register", after="book")
    if len(people) == 1:
        return _choose(ctx, people[0])
    return Next("person")


def _person(ctx: Ctx) -> Prompt:
    people = ctx.store.residents_of(ctx.account_id)
    return Prompt(ctx.t("book.who"), numbered((person.name, person.id) for person in people))


def _read_person(ctx: Ctx, answer: Answer) -> Outcome:
    resident = ctx.store.resident(int(answer.value or 0))
    if resident is None or resident.account_id != ctx.account_id:
        return Retry(ctx.t("unknown"))
    return _choose(ctx, resident)


def _district(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("book.district"), district_options(ctx, _resident(ctx).district_id))


def _open_sites(ctx: Ctx, district_id: str) -> list[tuple[Site, int]]:
    first, last = listing_window(ctx)
    return [
        (site, left)
        for site, left in ctx.store.sites_with_places(district_id, first, last, ctx.now)
        if left > 0
    ]


def _read_district(ctx: Ctx, answer: Answer) -> Outcome:
    district_id = str(answer.value)
    if not _open_sites(ctx, district_id):
        return Retry(ctx.t("book.no_sites", district=district_name(ctx, district_id)))
    ctx.data["district"] = district_id
    return Next("site")


def _site(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("book.site"), site_options(ctx, _open_sites(ctx, ctx.data["district"])))


def _read_site(ctx: Ctx, answer: Answer) -> Outcome:
    ctx.data["site_id"] = answer.value
    return Next("date")


def _date(ctx: Ctx) -> Prompt:
    first, last = listing_window(ctx)
    days = ctx.store.open_days(int(ctx.data["site_id"]), first, last, ctx.now)
    if not days:
        return Prompt(ctx.t("book.no_dates"))
    return Prompt(ctx.t("book.date"), day_options(ctx, days))


def _alternatives(ctx: Ctx, wanted: date, key: str) -> Retry:
    """Say the wanted day cannot be had, offering the open days nearest to it."""
    last = max(listing_window(ctx)[1], wanted + timedelta(days=7))
    days = ctx.store.open_days(int(ctx.data["site_id"]), ctx.today, last, ctx.now)
    note = ctx.t(key, day=ctx.day(wanted))
    return Retry(note, Prompt(note, day_options(ctx, nearest(days, wanted))))


def _fitting(slots: list[Slot], when: When) -> list[Slot]:
    if when.hour is not None:
        return [slot for slot in slots if covers_hour(slot, when.hour)]
    if when.part is not None:
        return [slot for slot in slots if in_part(slot, when.part)]
    return slots


def _read_date(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.option is not None:
        when = When(date.fromisoformat(str(answer.value)))
    else:
        parsed = parse_when(answer.text, ctx.today)
        if parsed is None or parsed.day is None:
            return Retry(ctx.t("book.date_unknown"))
        when = parsed
    assert when.day is not None
    if when.day < ctx.today:
        return _alternatives(ctx, when.day, "book.date_past")
    slots = ctx.store.open_slots(int(ctx.data["site_id"]), when.day, ctx.now)
    if not slots:
        return _alternatives(ctx, when.day, "book.date_full")
    ctx.data.update(day=when.day.isoformat(), part=when.part, hour=when.hour)
    fitting = _fitting(slots, when)
    if len(slots) == 1 or (len(fitting) == 1 and fitting != slots):
        ctx.data["slot_id"] = fitting[0].id if fitting else slots[0].id
        return Next("confirm")
    return Next("period")


def _period(ctx: Ctx) -> Prompt:
    day = date.fromisoformat(ctx.data["day"])
    slots = ctx.store.open_slots(int(ctx.data["site_id"]), day, ctx.now)
    wanted = When(day, ctx.data.get("part"), ctx.data.get("hour"))
    fitting = _fitting(slots, wanted)
    if fitting:
        return Prompt(ctx.t("book.period", day=ctx.day(day)), slot_options(ctx, fitting))
    return Prompt(ctx.t("book.period_none", day=ctx.day(day)), slot_options(ctx, slots))


def _read_period(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.option is not None:
        ctx.data["slot_id"] = answer.value
        return Next("confirm")
    day = date.fromisoformat(ctx.data["day"])
    when = parse_when(answer.text, ctx.today)
    if when is None or (when.part is None and when.hour is None):
        return Retry(ctx.t("pick_number", n=len(_period(ctx).options)))
    if when.day is not None and when.day != day:
        return _read_date(ctx, answer)
    slots = _fitting(ctx.store.open_slots(int(ctx.data["site_id"]), day, ctx.now), when)
    if len(slots) == 1:
        ctx.data["slot_id"] = slots[0].id
        return Next("confirm")
    ctx.data.update(part=when.part, hour=when.hour)
    return Retry("", _period(ctx))


def _confirm(ctx: Ctx) -> Prompt:
    resident = _resident(ctx)
    slot = ctx.store.slot(int(ctx.data["slot_id"]))
    assert slot is not None
    site = ctx.store.site(slot.site_id)
    assert site is not None
    product = ctx.policy.products[slot.product_id]
    summary = ctx.t(
        "book.confirm",
        name=resident.name,
        dose=ctx.data["dose"],
        day=ctx.day(slot.day),
        period=slot.period,
        site=site_name(ctx.lang, site),
        address=site_address(ctx.lang, site),
        product=ctx.name_of(product.zh, product.en),
    )
    return Prompt(summary, yes_no(ctx.t("book.confirm.yes"), ctx.t("book.confirm.change")))


def _read_confirm(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value != "yes":
        return Next("date")
    resident = _resident(ctx)
    try:
        booking = ctx.store.book(
            resident_id=resident.id,
            slot_id=int(ctx.data["slot_id"]),
            dose=int(ctx.data["dose"]),
            now=ctx.now,
            channel=ctx.channel,
            actor=ctx.actor,
        )
    except SlotUnavailable:
        return Next("date", note=ctx.t("book.taken"))
    except AlreadyBooked:
        return _choose(ctx, resident)
    return Done(
        ctx.t(
            "book.success",
            code=booking.code,
            name=resident.name,
            dose=booking.dose,
            day=ctx.day(booking.slot.day),
            period=booking.slot.period,
            site=site_name(ctx.lang, booking.site),
            address=site_address(ctx.lang, booking.site),
        )
    )


BOOKING = Flow(
    name="book",
    first="district",
    start=_start,
    steps={
        "person": Step(_person, _read_person, free_text=False),
        "district": Step(_district, _read_district, free_text=False),
        "site": Step(_site, _read_site, free_text=False),
        "date": Step(_date, _read_date),
        "period": Step(_period, _read_period),
        "confirm": Step(_confirm, _read_confirm, free_text=False),
    },
)
