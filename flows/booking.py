"""Booking a dose: person → screening → where → date → period → confirm.

```mermaid
stateDiagram-v2
    [*] --> register: nobody registered on this phone (then back here)
    [*] --> person: several people on this phone
    [*] --> screening: one person (or the one just registered, or the one the text named)
    [*] --> declare: dose 2+ asked for, no dose on record (flows/declare.py)
    declare --> screening
    person --> screening
    [*] --> [*]: barred, all doses done, already booked, campaign days, too young
    [*] --> queue: maintenance hours (offer the pre-registration queue)
    screening --> [*]: not eligible / deferred (with the reason)
    screening --> district: dose 1
    screening --> where: dose 2+ (previous site, home district, another district)
    screening --> site: a district was named
    screening --> date: a site was named (and on to period/confirm if a day was)
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

The health questions come in one message (``flows.screening``: answered 没有, or the numbers
or words of those that apply), one at a time when the answer is unclear; before dose 1 all of
them, before later doses only those whose answer can change. Dose 2 and later are limited to
the first dose's manufacturer and to days from the minimum interval on (``flows.schedule``).

What the resident said (``wish`` in the flow's data: person, dose, site, district, day, part of
day) fills the steps, which are then skipped; ``flows.booking_place.revise`` reads what is said
later, at any step. The place steps live in ``flows.booking_place``, what the steps share in
``flows.booking_state``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from flows import lexicon
from flows.booking_companion import age_notices, companion_first, companion_of, dose_notices
from flows.booking_day import place_taken
from flows.booking_place import PLACE_STEPS, offer_queue, revise, to_place
from flows.booking_queue import QUEUE_STEPS
from flows.booking_state import (
    Person,
    booked_resident,
    chosen_person,
    dose_said,
    dose_wanted,
    prepare,
    site_of_slot,
    slot_of,
    timing_note,
    window_closed,
    wish,
    with_note,
)
from flows.companion import change_option, kept_notes
from flows.declare import begin as begin_declaring
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
    Value,
    agree_or_not,
    numbered,
)
from flows.documents import calendar, qr_code
from flows.eligibility import BY_KEY, Verdict
from flows.eligibility import verdict as screening_verdict
from flows.minds import other_maker_note, other_site, people_meant
from flows.nicknames import people_called
from flows.places import (
    booking_facts,
    site_address,
    site_name,
)
from flows.policy import Campaign
from flows.rules import Bar, Decision, may_book, mode_of
from flows.schedule import Window, campaign_now, window
from flows.screening import steps as screening_steps
from flows.site_district import SITE_STEP, SWITCH_STEP, district_at_site
from flows.time_valid import no_time_heard
from flows.two_people import heard, then_next
from store import (
    AlreadyBooked,
    Booking,
    BookingNotActive,
    Resident,
    Screening,
    SlotUnavailable,
)


def _start(ctx: Ctx) -> Outcome:
    if "resident_id" in ctx.data:  # just registered: on the way here, or just before (offered)
        resident = booked_resident(ctx)
        closed = window(ctx.policy, resident.district_id, ctx.now) is Window.CLOSED
        note = window_closed(ctx, resident.district_id) if closed else None  # said first
        return with_note(_choose(ctx, resident), note if ctx.data.get("offered") else None)
    note = timing_note(ctx)
    people = ctx.people()
    relation = wish(ctx).relation
    sure = True
    identity = ctx.data.get("identity")  # 帮我妈约，王芳 4401…: the ID number written
    if identity and (known := _by_number(ctx, str(identity[1]))) is not None:
        people, relation = [known], None
    elif identity:  # nobody here with that number: register them first
        return _register_first(ctx, note, relation)
    elif named := [p for p in people if p.id == ctx.data.get("named")]:  # 帮王小妹约
        people, relation = named, None
    elif relation == "new":  # 再帮一个人约: nobody on this phone yet, never who is there
        return _register_first(ctx, note, "other")
    elif people and _someone_named(ctx):  # 我叫李四，想约: nobody here by that name
        return _register_first(ctx, note, relation)
    elif relation is not None:  # 帮我妈妈预约, 本人: the people it can mean
        people, sure = people_meant(people, relation)
        if not people:  # nobody like that here yet: register them first
            return _register_first(ctx, note, relation)
    if not people:
        return _register_first(ctx, note, None)
    if len(people) > 1 and sure and (dose := wish(ctx).dose):  # 打第二针: whose turn is it?
        due = [p for p in people if _next_dose_is(ctx, p, dose)]
        people = due if len(due) == 1 else people
    if len(people) == 1 and sure:
        return with_note(_choose(ctx, people[0]), note)
    ctx.data["people"] = [person.id for person in people]
    if relation is not None and relation != "self":
        ctx.data["new_person"] = relation  # offered too: 爸爸 may not be registered yet
    return Next("person", note=note)


def _register_first(ctx: Ctx, note: str | None, relation: str | None) -> Handoff:
    """Register someone not on this phone yet, with what the request said of them (their
    name, ID, phone and district: ``flows.said_details``), then book."""
    carry = {k: ctx.data[k] for k in ("identity", "details", "wish") if ctx.data.get(k)}
    carry |= {"relation": relation} if relation else {}
    return Handoff("register", after="book", note=note or _campaign_first(ctx), carry=carry)


def _someone_named(ctx: Ctx) -> bool:
    """Whether the request gave the name of someone not on this phone (我叫李四, 她叫王芳)."""
    said = ctx.data.get("details") or {}
    return bool(said.get("name") or said.get("names"))


def _next_dose_is(ctx: Ctx, person: Resident, dose: int) -> bool:
    """Whether ``dose`` (1, 2, 3; 0: a booster) is the one ``person`` would book next."""
    had = max((d.dose for d in ctx.doses(person.id)), default=0)
    return had == dose - 1 if dose else had >= 2


def _person(ctx: Ctx) -> Prompt:
    shown = ctx.data.get("people")
    people = [p for p in ctx.people() if shown is None or p.id in shown]
    options: list[tuple[str, Value]] = [(person.name, person.id) for person in people]
    options.append((ctx.t("book.who.new"), "new"))  # always: someone not registered yet
    own = [i for i, person in enumerate(people) if person.relation == "self"]
    shown = numbered(options)
    if len(own) != 1:
        return Prompt(ctx.t("book.who"), shown)
    mine = replace(shown[own[0]], aliases=lexicon.load().minds.get("oneself", ()))  # 我, 系我
    return Prompt(ctx.t("book.who"), (*shown[: own[0]], mine, *shown[own[0] + 1 :]))


def _by_number(ctx: Ctx, number: str) -> Resident | None:
    """The person on this phone with that resident ID number, if any."""
    found = ctx.store.resident_by_document("resident_id", number.upper())
    return found if found is not None and found.account_id == ctx.account_id else None


def _campaign_note(ctx: Ctx, campaign: Campaign, key: str = "book.campaign") -> str:
    return ctx.t(
        key,
        start=ctx.day(campaign.start),
        end=ctx.day(campaign.end),
        name=ctx.name_of(campaign.name_zh, campaign.name_en),
        dose=campaign.dose,
        days=campaign.more_than_days_since_previous,
        after=ctx.day(campaign.end + timedelta(days=1)),
    )


def _campaign_first(ctx: Ctx) -> str | None:
    """Told before any data is asked, to someone not registered yet: a priority campaign runs
    that only a later dose may book (a first dose must wait), and that they may register now."""
    campaign = campaign_now(ctx.policy, ctx.today)
    if campaign is None or (wish(ctx).dose or 1) == campaign.dose:
        return None
    return _campaign_note(ctx, campaign, "book.campaign_first")


def _read_person(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value == "new":  # someone not registered yet: register them, then book
        relation = ctx.data.pop("new_person", None)  # 帮我爸约: 爸爸; else asked who
        return Handoff("register", after="book", carry={"relation": relation} if relation else None)
    resident = ctx.store.resident(int(answer.value or 0))
    if resident is None or resident.account_id != ctx.account_id:
        return Retry(ctx.t("unknown"))
    return _choose(ctx, resident)


def _choose(ctx: Ctx, resident: Resident) -> Outcome:
    """Settle who and which dose; stop early when the person cannot book now (``flows.rules``)."""
    policy = ctx.policy
    decision = may_book(policy, resident, ctx.doses(resident.id), ctx.bookings(resident.id),
                        ctx.now, mode_of(ctx.channel))  # fmt: skip
    refused = _refusal(ctx, resident, decision)
    dose = decision.dose
    if dose is None or decision.bar is Bar.BARRED:
        assert refused is not None
        return refused
    wanted = wish(ctx).dose
    if wanted is not None and wanted > dose.number and dose.number == 1:
        # 预约第二针 with no dose on record: dose 1 may have been given elsewhere
        ctx.data["resident_id"] = resident.id
        declared, booked = ctx.t("declare.none", name=resident.name, dose=wanted), None
        if decision.bar is Bar.ALREADY and decision.booking is not None:
            # a dose-1 booking here: named, and cancelled if dose 1 was given elsewhere after all
            booked = decision.booking.id
            facts = booking_facts(ctx, resident.name, decision.booking)
            declared = ctx.t("declare.booked", wanted=wanted, **facts)
        return begin_declaring(ctx, _after_declared, declared, booked)
    if refused is not None:
        return refused
    prepare(ctx, resident, dose)
    if decision.bar is Bar.MAINTENANCE:
        return Next("queue", note=window_closed(ctx, resident.district_id))  # and when it opens
    said = (dose_said(ctx, resident.name, dose, wanted), other_maker_note(ctx))  # 第二针想打国药
    return Next("screening", note="\n".join(note for note in said if note) or None)


def _refusal(ctx: Ctx, resident: Resident, decision: Decision) -> Done | None:
    """What the resident is told when the rules keep them from booking (not maintenance)."""
    policy = ctx.policy
    if decision.bar is Bar.BARRED:
        return Done(ctx.t("book.barred", name=resident.name, n=policy.booking.noshow_limit))
    if decision.bar is Bar.COMPLETE:
        return Done(ctx.t("book.done_all", name=resident.name))
    if decision.bar is Bar.ALREADY:  # 帮张伟约后天下午: moving that booking is offered
        assert decision.booking is not None
        move = Option("1", ctx.t("book.move_it"), "flow:reschedule")
        said = wish(ctx).said()
        return Done(
            ctx.t("book.already", **booking_facts(ctx, resident.name, decision.booking)),
            carry={"wish": said, "named": resident.id},  # 改期: this person's booking
            offer=(move,),
        )
    if decision.bar is Bar.CAMPAIGN:
        assert decision.campaign is not None
        return Done(_campaign_note(ctx, decision.campaign))
    if decision.bar is Bar.TOO_YOUNG:
        assert decision.opens is not None
        return Done(ctx.t("age.too_young", name=resident.name, min=policy.ages.minimum,
                          day=ctx.day(decision.opens)))  # fmt: skip
    return None


# -- screening ------------------------------------------------------------------------------


def _conclude(ctx: Ctx) -> Outcome:
    person = chosen_person(ctx)
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
    return companion_first(ctx, note) or to_place(ctx, note)


# -- confirm --------------------------------------------------------------------------------


def _notices(ctx: Ctx, person: Person, day: date) -> list[str]:
    """What the person must know for that day: overdue, dose 1 declared, the maker, the ages."""
    previous = ctx.data.get("previous_day")
    notes = dose_notices(
        ctx,
        dose_wanted(ctx),
        day,
        date.fromisoformat(previous) if previous else None,
        declared=ctx.data.get("previous_source") == "declared",
    )
    wanted = wish(ctx).maker
    first = ctx.policy.products.get(str(ctx.data.get("previous_product")))
    if wanted is not None and first is not None and first.manufacturer != wanted:
        # the product booked (dose 1's maker) is in the confirmation: only what is not
        other = [p for p in ctx.policy.products.values() if p.manufacturer == wanted]
        sep = "、" if ctx.lang == "zh" else ", "
        notes.append(ctx.t("book.same_maker",
                           wanted=sep.join(ctx.name_of(p.zh, p.en) for p in other)))  # fmt: skip
    cutoff = ctx.policy.booking.cancel_cutoff_days
    if (day - ctx.today).days < cutoff:  # booked today for today: said before it is final
        notes.append(ctx.t("book.final", days=cutoff) if cutoff > 1 else ctx.t("book.final_today"))
    return kept_notes(ctx, notes + age_notices(ctx, person.birth_date, day, companion_of(ctx)))


def _confirm(ctx: Ctx) -> Prompt:
    person = chosen_person(ctx)
    slot = slot_of(ctx, int(ctx.data["slot_id"]))
    site = site_of_slot(ctx, slot)
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
    agree, change = agree_or_not(ctx.t("book.confirm.yes"), ctx.t("book.confirm.change"))
    # another day for the booking on screen (改个日子), not a move of one already made
    change = replace(change, aliases=(*change.aliases, *OTHER_DAY))
    return Prompt(text, (agree, change, *change_option(ctx)))


# 改个日子, another day (the lexicon's [minds] other_day); 换个时间 is the same day's periods
# (flows.minds), not another date
OTHER_DAY: tuple[str, ...] = lexicon.load().minds.get("other_day", ())


def _read_confirm(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value == "companion" and ctx.data.pop("companion_kept", None):
        return Next("companion_name")  # the booking's companion, changed
    if answer.value != "yes":
        return Next("date")
    resident = booked_resident(ctx)  # afresh: an operator may have changed or barred them meanwhile
    if resident.barred:  # flows.rules: the bar comes first
        limit = ctx.policy.booking.noshow_limit
        return Done(ctx.t("book.barred", name=resident.name, n=limit))
    slot_id = int(ctx.data["slot_id"])
    district_id = ctx.data.get("district") or site_of_slot(ctx, slot_of(ctx, slot_id)).district_id
    closed = window_closed(ctx, district_id)  # time has passed since the district was chosen
    if closed:
        return offer_queue(ctx, closed, district_id)
    if ctx.data.get("reschedule"):
        return _move(ctx, resident, slot_id)
    companion = companion_of(ctx)
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
        return place_taken(ctx)
    except AlreadyBooked:
        return _choose(ctx, resident)
    return _confirmed(ctx, resident, booking, "book.success", "confirm")


def _move(ctx: Ctx, resident: Resident, slot_id: int) -> Outcome:
    ctx.memo.clear()  # the places looked up so far are about to change
    try:
        booking = ctx.store.reschedule(
            int(ctx.data["reschedule"]), slot_id, now=ctx.now, actor=ctx.actor,
            channel=ctx.channel, companion=companion_of(ctx),
        )  # fmt: skip
    except SlotUnavailable:
        return place_taken(ctx)
    except BookingNotActive:
        return Done(ctx.t("change.gone"))
    return _confirmed(ctx, resident, booking, "reschedule.success", "moved")


def _confirmed(ctx: Ctx, resident: Resident, booking: Booking, key: str, event: str) -> Done:
    """The confirmation, with a calendar entry and the code as a QR code for the channels that
    can carry files."""
    ctx.events.append("booked" if event == "confirm" else event)
    files = (
        calendar(booking, resident.name, ctx.lang, ctx.policy, ctx.now),
        qr_code(booking.code),
    )
    offer, carry = then_next(ctx, "book", resident)  # 帮我同我老公约: the other one next
    text = _confirmation(ctx, resident, booking, key, event)
    return Done(text, attachments=files, carry=carry, offer=offer)


def _confirmation(ctx: Ctx, resident: Resident, booking: Booking, key: str, event: str) -> str:
    """The confirmation text; the person's own phone, if not the one writing, gets it too."""
    facts = booking_facts(ctx, resident.name, booking)
    text = "\n".join([ctx.t(key, **facts), *_notices(ctx, Person.of(resident), booking.slot.day)])
    # Not where the sender reads it already: the person's notices come to this very chat.
    own = (ctx.channel, ctx.address)
    if resident.phone != ctx.sender_phone and ctx.store.notice_routes(resident.phone)[0] != own:
        key = f"booking:{booking.code}:{event}:{booking.slot.id}:person"
        ctx.store.enqueue("sms", resident.phone, text, key, due=ctx.now, now=ctx.now,
                          params=facts)  # fmt: skip
    return text


def _after_declared(ctx: Ctx) -> Outcome:
    resident = booked_resident(ctx)
    ctx.memo.clear()  # the dose just recorded
    return _choose(ctx, resident)


def _revise(ctx: Ctx, answer: Answer) -> Outcome | None:
    """At "为谁预约？", a person called with an honorific or affix (李秀英阿姨, 阿明, 明仔):
    that one, or asked which of several (``flows.nicknames``); else as at every step."""
    if ctx.step == "person" and answer.option is None:
        shown = ctx.data.get("people")
        people = [p for p in ctx.people() if shown is None or p.id in shown]
        called = people_called(people, answer.simple or answer.text)
        if len(called) == 1:  # what else was said (明天上午) is kept for the booking
            kept = {**(ctx.data.get("wish") or {}), **answer.said.said()}
            kept.pop("relation", None)
            ctx.data["wish"] = kept
            return _choose(ctx, called[0])
        if called:
            names = "、".join(person.name for person in called)
            return Retry(ctx.t("book.who.several", names=names))
    return revise(ctx, answer)


def _heard(ctx: Ctx, answer: Answer) -> Outcome | None:
    """A time that is none (13:99, 上午15点), a district at the site question (天河) or two
    people named, before anything else."""
    at_site = district_at_site(ctx, answer) if ctx.step == "site" else None
    return no_time_heard(ctx, answer) or at_site or heard(ctx, answer)


BOOKING = Flow(
    name="book",
    first="district",
    start=_start,
    revise=_revise,
    heard=_heard,
    steps={
        "person": Step(_person, _read_person, free_text=False),
        **screening_steps(_conclude),
        **declare_steps(_after_declared),
        **PLACE_STEPS,
        "site": SITE_STEP,
        "switch_district": SWITCH_STEP,
        "confirm": Step(_confirm, _read_confirm, free_text=False, own=other_site),
        **QUEUE_STEPS,
    },
)
