"""A dose given elsewhere, declared in the conversation (预约第二针 with nothing on record).

```mermaid
stateDiagram-v2
    [*] --> declare: dose 2+ wanted, no dose on record
    declare --> declare_date: yes, dose 1 was given elsewhere
    declare --> [*]: no: book dose 1 instead (or keep the dose-1 booking made here)
    declare_date --> declare_maker
    declare_maker --> declare_where
    declare_where --> [*]: recorded (source "declared", audited); the booking goes on
```

A message at any of these steps fills every detail it states (5月20号在白云国际会议中心打的国药:
the day, the site and the maker; at the first question it also means yes); only what is still
missing is asked.

When the person has an active dose-1 booking here, it is named first, and the declaration
cancels it (dose 1 was given elsewhere after all); "no" keeps it, and dose 2 waits for it.

The dose is recorded as self-declared: the audit says who declared it, and the booking's
confirmation tells the site to check the vaccination record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from datetime import date, timedelta

from flows.booking_state import with_note
from flows.dates import parse_when
from flows.dialogue import Answer, Ctx, Done, Next, Option, Outcome, Prompt, Retry, Step, yes_no
from flows.entities import Entities
from store import BookingNotActive, Dose, DoseExists

Then = Callable[[Ctx], Outcome]
LOOK_BACK_DAYS = 366  # a first dose further back than this is not declared in a chat
FORGOT = (
    "不记得",
    "唔记得",
    "忘了",
    "不知道",
    "唔知",
    "don't know",
    "dont know",
    "forgot",
    "not sure",
)


# Dose 1 told as given (打过了, 打咗, 在别处打的, 老家打的, had it, got it elsewhere), or not given
# (没打过, 冇打, 还没打, 未打, not yet, never had, haven't had): the first reading wins.
_NOT_GIVEN = re.compile(
    r"^(?:不是|唔系|no\b|nope)|(?:没|冇|未|唔|不)(?:有)?(?:曾)?(?:打|接种|种)|还没|仲未|未曾|从来没"
    r"|never|not yet"
    r"|\b(?:haven't|hasn't|have not|has not|didn't|did not|not) (?:had|have|got|get|been)"
)
_GIVEN = re.compile(
    r"打过|打咗|打了|打左|打的|打嘅|已经打|已打|接种过|接种了|种过|在别处|喺别处|别的地方|其他地方|外地|外省|老家"
    r"|\b(?:had|got|received|took|taken|done)\b|already|elsewhere|another (?:place|city)"
)


def _name(ctx: Ctx) -> str:
    resident = ctx.resident(int(ctx.data["resident_id"]))
    assert resident is not None
    return resident.name


def _product_of(ctx: Ctx, maker: str | None) -> str | None:
    """The product of ``maker`` a dose 2 follows (one of those with more than one dose)."""
    if maker is None:
        return None
    products = ctx.policy.products.items()
    return next((k for k, p in products if p.manufacturer == maker and p.doses > 1), None)


def _take(ctx: Ctx, answer: Answer) -> str | None:
    """Fill whatever ``answer`` says of dose 1 — its day, maker, site or district — wherever it
    is said (5月20号在白云国际会议中心打的国药); a note if it named a day that cannot be."""
    declared: dict[str, object] = ctx.data["declare"]
    note = None
    if "day" not in declared:
        when = parse_when(answer.text, ctx.today, past=True)  # 4月1日: this April's
        day = when.day if when is not None else None
        if day is not None:
            if ctx.today - timedelta(days=LOOK_BACK_DAYS) <= day <= ctx.today:
                declared["day"] = day.isoformat()
            else:
                note = ctx.t("declare.date_bad")
    product = _product_of(ctx, answer.said.maker)
    if "product" not in declared and product is not None:
        declared["product"] = product
    said = answer.said
    if "where" not in declared and (said.first_site or said.first_district):
        declared["where"] = said.first_site  # a district alone is not stored: no site
    elif "where" not in declared and (said.site or said.district):
        declared["where"] = said.site  # asked where dose 1 was given: any place named
    return note


def _cancel_booked(ctx: Ctx, booking_id: object) -> str | None:
    """Dose 1 was given elsewhere: the dose-1 booking made here is cancelled (what to say)."""
    if not isinstance(booking_id, int):
        return None
    ctx.memo.clear()  # the bookings looked up so far are about to change
    try:
        booking = ctx.store.cancel(booking_id, now=ctx.now, actor=ctx.actor, channel=ctx.channel)
    except BookingNotActive:  # cancelled meanwhile: nothing to say
        return None
    return ctx.t("declare.cancelled", code=booking.code)


def given_elsewhere(text: str) -> bool | None:
    """What an answer in words says to "was dose 1 given elsewhere?": True for 打过了, 在外地打
    的, 係啊打咗, already had it; False for 没打过, 冇打, 未打, not yet, never had it; None if
    neither."""
    folded = text.casefold()
    if _NOT_GIVEN.search(folded):
        return False
    return True if _GIVEN.search(folded) else None


def _said_any(answer: Answer) -> bool:
    said = answer.said
    places = (said.site, said.district, said.first_site, said.first_district)
    return said.day is not None or said.maker is not None or any(places)


def _go_on(ctx: Ctx, then: Then, note: str | None = None) -> Outcome:
    """Ask what is still missing (day, maker, where), or record the dose."""
    declared = ctx.data["declare"]
    for key, step in (("day", "declare_date"), ("product", "declare_maker")):
        if key not in declared:
            return Next(step, note=note)
    if "where" not in declared:
        return Next("declare_where", note=note)
    ctx.data.pop("declare")
    cancelled = _cancel_booked(ctx, declared.get("booked"))
    dose = Dose(
        resident_id=int(ctx.data["resident_id"]),
        dose=1,
        day=date.fromisoformat(str(declared["day"])),
        product_id=str(declared["product"]),
        site_id=declared["where"],
        source="declared",
    )
    with suppress(DoseExists):  # recorded meanwhile (an import, an operator): go on
        ctx.store.add_dose(dose, ctx.now, ctx.actor, ctx.channel)
    return with_note(with_note(then(ctx), cancelled), note)


def begin(ctx: Ctx, then: Then, note: str, booked: int | None) -> Outcome:
    """Declaring dose 1 for the person chosen (``ctx.data["resident_id"]``), after ``note``:
    what the booking request said of dose 1 is taken (我第一针5月20日在白云打的国药，想约第二针:
    its day, maker and site; the day is then no day wanted for dose 2) and only the rest is
    asked. The first question, whether dose 1 was given elsewhere, is skipped when the request
    said when (saying so is saying yes), unless a dose-1 booking here is to be cancelled."""
    wish = ctx.data.get("wish") or {}
    said = Entities.load(wish)
    declared: dict[str, object] = {} if booked is None else {"booked": booked}
    ctx.data["declare"] = declared
    site, district = said.first_site, said.first_district  # 佢第一针喺白云打嘅
    if said.day is not None and said.day <= ctx.today:
        if ctx.today - timedelta(days=LOOK_BACK_DAYS) <= said.day:
            declared["day"] = said.day.isoformat()
        ctx.data["wish"] = {k: v for k, v in wish.items() if k not in ("day", "part", "hour")}
        if (maker_product := _product_of(ctx, said.first_maker or said.maker)) is not None:
            declared["product"] = maker_product
        if site is None and district is None:  # the day was dose 1's: the place too
            site, district = said.site, said.district
    if site is not None or district is not None:
        declared["where"] = site  # as _take: a district alone is no site to store
    if site is None and district is not None and ctx.data["wish"].get("district") == district:
        # Where dose 1 was given is no wish to have dose 2 only in that district: the usual
        # choice (home district or another) is offered.
        ctx.data["wish"] = {k: v for k, v in ctx.data["wish"].items() if k != "district"}
    if "day" not in declared or booked is not None:
        return Next("declare", note=note)
    if {"product", "where"} <= declared.keys():  # all said: told what is recorded
        given = ctx.policy.products[str(declared["product"])]
        day = ctx.day(date.fromisoformat(str(declared["day"])))
        note = ctx.t("declare.taken", day=day, product=ctx.name_of(given.zh, given.en))
    return _go_on(ctx, then, note)


def steps(then: Then) -> dict[str, Step]:
    """The declaration steps; ``then`` continues the booking once the dose is recorded."""

    def go_on(ctx: Ctx, note: str | None = None) -> Outcome:
        return _go_on(ctx, then, note)

    def ask(ctx: Ctx) -> Prompt:
        # a question of fact: 是/係/yes and 冇/不是/no answer it, 好 does not
        if ctx.data["declare"].get("booked"):  # a dose-1 booking here: cancelled if yes
            options = yes_no(ctx.t("declare.yes"), ctx.t("declare.keep"), approving=False)
            return Prompt(ctx.t("declare.ask.booked", name=_name(ctx)), options)
        options = yes_no(ctx.t("declare.yes"), ctx.t("declare.no"), approving=False)
        return Prompt(ctx.t("declare.ask", name=_name(ctx)), options)

    def read(ctx: Ctx, answer: Answer) -> Outcome:
        given = given_elsewhere(answer.words) if answer.option is None else None
        if answer.option is None and given is not False:
            # saying when, where or which (or that it was given: 打过了, 喺外地打咗) is yes
            said = _said_any(answer) or parse_when(answer.text, ctx.today, past=True) is not None
            if not said and given is None:
                return Retry(ctx.t("pick_number", n=2))
            return go_on(ctx, _take(ctx, answer) if said else None)
        if answer.value == "yes":
            return go_on(ctx)
        ctx.data.get("wish", {}).pop("dose", None)  # book dose 1 after all
        ctx.data.pop("declare", None)
        return then(ctx)

    def ask_date(ctx: Ctx) -> Prompt:
        return Prompt(ctx.t("declare.date"))

    def read_date(ctx: Ctx, answer: Answer) -> Outcome:
        note = _take(ctx, answer)
        if "day" not in ctx.data["declare"]:
            return Retry(note or ctx.t("declare.date_bad"))
        return go_on(ctx)

    def ask_maker(ctx: Ctx) -> Prompt:
        products = [(key, p) for key, p in ctx.policy.products.items() if p.doses > 1]
        options = tuple(
            Option(str(n), ctx.name_of(p.zh, p.en), key, (p.manufacturer,))
            for n, (key, p) in enumerate(products, 1)
        )
        return Prompt(ctx.t("declare.maker"), options)

    def read_maker(ctx: Ctx, answer: Answer) -> Outcome:
        if answer.option is not None:
            ctx.data["declare"]["product"] = answer.value
            return go_on(ctx)
        if any(word in answer.text.casefold() for word in FORGOT):
            return Done(ctx.t("declare.maker_unknown"))
        _take(ctx, answer)
        if "product" not in ctx.data["declare"]:
            return Retry(ctx.t("pick_number", n=len(ask_maker(ctx).options)))
        return go_on(ctx)

    def ask_where(ctx: Ctx) -> Prompt:
        return Prompt(ctx.t("declare.where"))

    def read_where(ctx: Ctx, answer: Answer) -> Outcome:
        _take(ctx, answer)
        if any(word in answer.text.casefold() for word in FORGOT):
            ctx.data["declare"].setdefault("where", None)
        if "where" not in ctx.data["declare"]:
            return Retry(ctx.t("declare.where_bad"))
        return go_on(ctx)

    return {
        "declare": Step(ask, read),
        "declare_date": Step(ask_date, read_date),
        "declare_maker": Step(ask_maker, read_maker),
        "declare_where": Step(ask_where, read_where),
    }
