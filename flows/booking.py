"""Booking a dose: person → screening → district → site → date → period → confirm.

```mermaid
stateDiagram-v2
    [*] --> register: nobody registered on this phone (then back here)
    [*] --> person: several people on this phone
    [*] --> screening: one person (or the one just registered)
    person --> screening
    screening --> [*]: not eligible / deferred (with the reason)
    screening --> district: eligible (assessment on site at 60+)
    district --> site: the district has places
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
```

Screening asks one question at a time (``q_allergy`` … ``q_risk_area``), all of them before
dose 1 and only those whose answer can change before later doses; the first "yes" ends it.
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
from flows.eligibility import (
    QUESTIONS,
    Question,
    Verdict,
    age_rules,
    birthday,
    questions_for,
    verdict,
)
from flows.identity import mask_phone
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
from flows.registration import phone_prompt, take_name, take_phone
from store import AlreadyBooked, Resident, Screening, Site, Slot, SlotUnavailable


def _resident(ctx: Ctx) -> Resident:
    """The person being booked for (looked up once per turn, and only if this phone's)."""
    resident: Resident | None = ctx.memo.get("resident")
    if resident is None or resident.id != int(ctx.data["resident_id"]):
        resident = ctx.store.resident(int(ctx.data["resident_id"]))
        assert resident is not None and resident.account_id == ctx.account_id
        ctx.memo["resident"] = resident
    return resident


def _start(ctx: Ctx) -> Outcome:
    if "resident_id" in ctx.data:  # just registered on the way here
        return _choose(ctx, _resident(ctx))
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
    minimum = ctx.policy.ages.minimum
    if age_rules(resident.birth_date, listing_window(ctx)[1], ctx.policy.ages).too_young:
        opens = birthday(resident.birth_date, minimum)
        return Done(ctx.t("age.too_young", name=resident.name, min=minimum, day=ctx.day(opens)))
    ctx.data.update(resident_id=resident.id, dose=dose, answers={})
    return _next_question(ctx, resident)


# -- screening ------------------------------------------------------------------------------


def _next_question(ctx: Ctx, resident: Resident) -> Outcome:
    answers: dict[str, bool] = ctx.data["answers"]
    for question in questions_for(int(ctx.data["dose"]), resident.sex):
        if question.key not in answers:
            return Next(f"q_{question.key}")
    return _conclude(ctx, resident)


def _conclude(ctx: Ctx, resident: Resident) -> Outcome:
    answers: dict[str, bool] = ctx.data["answers"]
    result = verdict(answers, resident.birth_date, ctx.today, ctx.policy.ages)
    first_yes = next((key for key, yes in answers.items() if yes), None)
    ctx.store.add_screening(
        Screening(
            resident_id=resident.id,
            at=ctx.now.isoformat(timespec="seconds"),
            version=ctx.policy.registration.questionnaire_version,
            dose=int(ctx.data["dose"]),
            answers=answers,
            outcome=result.value,
            reason=first_yes,
        )
    )
    if result in (Verdict.NOT_ELIGIBLE, Verdict.DEFERRED):
        return Done(ctx.t(f"verdict.{result.value}.{first_yes}"))
    return Next("district", note=ctx.t(f"verdict.{result.value}", name=resident.name))


def _question_step(question: Question) -> Step:
    def ask(ctx: Ctx) -> Prompt:
        name = _resident(ctx).name
        return Prompt(ctx.t(f"q.{question.key}", name=name), yes_no(ctx.t("yes"), ctx.t("no")))

    def read(ctx: Ctx, answer: Answer) -> Outcome:
        yes = answer.value == "yes"
        ctx.data["answers"][question.key] = yes
        resident = _resident(ctx)
        if yes:  # the first "yes" settles it: no need to ask the rest
            return _conclude(ctx, resident)
        return _next_question(ctx, resident)

    return Step(ask, read, free_text=False)


# -- where and when -------------------------------------------------------------------------


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
    resident = _resident(ctx)
    minimum = ctx.policy.ages.minimum
    if age_rules(resident.birth_date, when.day, ctx.policy.ages).too_young:
        opens = birthday(resident.birth_date, minimum)
        note = ctx.t(
            "age.too_young_on",
            name=resident.name,
            day=ctx.day(when.day),
            min=minimum,
            from_day=ctx.day(opens),
        )
        return Retry(note)
    slots = ctx.store.open_slots(int(ctx.data["site_id"]), when.day, ctx.now)
    if not slots:
        return _alternatives(ctx, when.day, "book.date_full")
    ctx.data.update(day=when.day.isoformat(), part=when.part, hour=when.hour)
    fitting = _fitting(slots, when)
    if len(slots) == 1 or (len(fitting) == 1 and fitting != slots):
        return _slot_chosen(ctx, (fitting or slots)[0])
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
    day = date.fromisoformat(ctx.data["day"])
    if answer.option is not None:
        slot = ctx.store.slot(int(str(answer.value)))
        assert slot is not None
        return _slot_chosen(ctx, slot)
    when = parse_when(answer.text, ctx.today)
    if when is None or (when.part is None and when.hour is None):
        return Retry(ctx.t("pick_number", n=len(_period(ctx).options)))
    if when.day is not None and when.day != day:
        return _read_date(ctx, answer)
    slots = _fitting(ctx.store.open_slots(int(ctx.data["site_id"]), day, ctx.now), when)
    if len(slots) == 1:
        return _slot_chosen(ctx, slots[0])
    ctx.data.update(part=when.part, hour=when.hour)
    return Retry("", _period(ctx))


def _slot_chosen(ctx: Ctx, slot: Slot) -> Outcome:
    ctx.data["slot_id"] = slot.id
    if age_rules(_resident(ctx).birth_date, slot.day, ctx.policy.ages).companion:
        return Next("companion_name")
    ctx.data.pop("companion_phone", None)
    return Next("confirm")


# -- companion (70+) ------------------------------------------------------------------------


def _companion_name(ctx: Ctx) -> Prompt:
    min_age = ctx.policy.ages.companion
    return Prompt(ctx.t("companion.name", name=_resident(ctx).name, min=min_age))


def _read_companion_name(ctx: Ctx, answer: Answer) -> Outcome:
    return take_name(ctx, answer, "companion_name", then="companion_phone")


def _companion_phone(ctx: Ctx) -> Prompt:
    return phone_prompt(ctx, "companion.phone")


def _read_companion_phone(ctx: Ctx, answer: Answer) -> Outcome:
    return take_phone(ctx, answer, "companion_phone", then="confirm")


# -- confirm --------------------------------------------------------------------------------


def _notices(ctx: Ctx, resident: Resident, day: date) -> list[str]:
    """What the person must know for that day: assessment, companion, green channel."""
    ages = ctx.policy.ages
    rules = age_rules(resident.birth_date, day, ages)
    notes = []
    if rules.assessment:
        notes.append(ctx.t("age.assessment", min=ages.assessment))
    if rules.companion and ctx.data.get("companion_phone"):
        name, phone = ctx.data["companion_name"], ctx.data["companion_phone"]
        notes.append(ctx.t("age.companion", companion=name, phone=mask_phone(phone)))
    if rules.green_channel:
        notes.append(ctx.t("age.green_channel", min=ages.green_channel))
    return notes


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
    text = "\n".join([summary, *_notices(ctx, resident, slot.day)])
    return Prompt(text, yes_no(ctx.t("book.confirm.yes"), ctx.t("book.confirm.change")))


def _read_confirm(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value != "yes":
        return Next("date")
    resident = _resident(ctx)
    companion = None
    if ctx.data.get("companion_phone"):
        companion = (ctx.data["companion_name"], ctx.data["companion_phone"])
    try:
        booking = ctx.store.book(
            resident_id=resident.id,
            slot_id=int(ctx.data["slot_id"]),
            dose=int(ctx.data["dose"]),
            now=ctx.now,
            channel=ctx.channel,
            actor=ctx.actor,
            companion=companion,
        )
    except SlotUnavailable:
        return Next("date", note=ctx.t("book.taken"))
    except AlreadyBooked:
        return _choose(ctx, resident)
    confirmation = "\n".join(
        [
            ctx.t(
                "book.success",
                code=booking.code,
                name=resident.name,
                dose=booking.dose,
                day=ctx.day(booking.slot.day),
                period=booking.slot.period,
                site=site_name(ctx.lang, booking.site),
                address=site_address(ctx.lang, booking.site),
            ),
            *_notices(ctx, resident, booking.slot.day),
        ]
    )
    if resident.phone != ctx.sender_phone:  # the person's own phone hears of it too
        ctx.store.enqueue(
            "sms", resident.phone, confirmation, f"booking:{booking.code}:confirm:person",
            due=ctx.now, now=ctx.now,
        )  # fmt: skip
    return Done(confirmation)


BOOKING = Flow(
    name="book",
    first="district",
    start=_start,
    steps={
        "person": Step(_person, _read_person, free_text=False),
        **{f"q_{question.key}": _question_step(question) for question in QUESTIONS},
        "district": Step(_district, _read_district, free_text=False),
        "site": Step(_site, _read_site, free_text=False),
        "date": Step(_date, _read_date),
        "period": Step(_period, _read_period),
        "companion_name": Step(_companion_name, _read_companion_name),
        "companion_phone": Step(_companion_phone, _read_companion_phone),
        "confirm": Step(_confirm, _read_confirm, free_text=False),
    },
)
