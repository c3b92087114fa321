"""A dose given elsewhere, declared in the conversation (预约第二针 with nothing on record).

```mermaid
stateDiagram-v2
    [*] --> declare: dose 2+ wanted, no dose on record
    declare --> declare_date: yes, dose 1 was given elsewhere
    declare --> [*]: no: book dose 1 instead
    declare_date --> declare_maker
    declare_maker --> declare_where
    declare_where --> [*]: recorded (source "declared", audited); the booking goes on
```

The dose is recorded as self-declared: the audit says who declared it, and the booking's
confirmation tells the site to check the vaccination record.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date, timedelta

from flows.dates import parse_when
from flows.dialogue import Answer, Ctx, Done, Next, Option, Outcome, Prompt, Retry, Step, numbered
from store import Dose, DoseExists

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


def _name(ctx: Ctx) -> str:
    resident = ctx.resident(int(ctx.data["resident_id"]))
    assert resident is not None
    return resident.name


def steps(then: Then) -> dict[str, Step]:
    """The declaration steps; ``then`` continues the booking once the dose is recorded."""

    def ask(ctx: Ctx) -> Prompt:
        options = numbered([(ctx.t("declare.yes"), "yes"), (ctx.t("declare.no"), "no")])
        return Prompt(ctx.t("declare.ask", name=_name(ctx)), options)

    def read(ctx: Ctx, answer: Answer) -> Outcome:
        if answer.value == "yes":
            return Next("declare_date")
        ctx.data.get("wish", {}).pop("dose", None)  # book dose 1 after all
        ctx.data.pop("declare", None)
        return then(ctx)

    def ask_date(ctx: Ctx) -> Prompt:
        return Prompt(ctx.t("declare.date"))

    def read_date(ctx: Ctx, answer: Answer) -> Outcome:
        when = parse_when(answer.text, ctx.today)
        day = when.day if when is not None else None
        if day is None or day > ctx.today or day < ctx.today - timedelta(days=LOOK_BACK_DAYS):
            return Retry(ctx.t("declare.date_bad"))
        ctx.data["declare"]["day"] = day.isoformat()
        return Next("declare_maker")

    def ask_maker(ctx: Ctx) -> Prompt:
        products = [(key, p) for key, p in ctx.policy.products.items() if p.doses > 1]
        options = tuple(
            Option(str(n), ctx.name_of(p.zh, p.en), key, (p.manufacturer,))
            for n, (key, p) in enumerate(products, 1)
        )
        return Prompt(ctx.t("declare.maker"), options)

    def read_maker(ctx: Ctx, answer: Answer) -> Outcome:
        if answer.option is None:
            if any(word in answer.text.casefold() for word in FORGOT):
                return Done(ctx.t("declare.maker_unknown"))
            said = answer.said.maker
            chosen = next(
                (
                    k
                    for k, p in ctx.policy.products.items()
                    if p.manufacturer == said and p.doses > 1
                ),
                None,
            )
            if chosen is None:
                return Retry(ctx.t("pick_number", n=len(ask_maker(ctx).options)))
            ctx.data["declare"]["product"] = chosen
        else:
            ctx.data["declare"]["product"] = answer.value
        return Next("declare_where")

    def ask_where(ctx: Ctx) -> Prompt:
        return Prompt(ctx.t("declare.where"))

    def read_where(ctx: Ctx, answer: Answer) -> Outcome:
        said = answer.said
        forgot = any(word in answer.text.casefold() for word in FORGOT)
        if said.site is None and said.district is None and not forgot:
            return Retry(ctx.t("declare.where_bad"))
        declared = ctx.data.pop("declare")
        dose = Dose(
            resident_id=int(ctx.data["resident_id"]),
            dose=1,
            day=date.fromisoformat(declared["day"]),
            product_id=str(declared["product"]),
            site_id=said.site,
            source="declared",
        )
        with suppress(DoseExists):  # recorded meanwhile (an import, an operator): go on
            ctx.store.add_dose(dose, ctx.now, ctx.actor, ctx.channel)
        return then(ctx)

    return {
        "declare": Step(ask, read, free_text=False),
        "declare_date": Step(ask_date, read_date),
        "declare_maker": Step(ask_maker, read_maker),
        "declare_where": Step(ask_where, read_where),
    }
