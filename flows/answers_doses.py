"""Answers about doses: the interval between them (by vaccine, by dose) and which maker's
vaccine a later dose takes, with the numbers from the policy's products and the sites that
hold each maker's vaccine from the store."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flows import answer_parts as parts
from flows import answers_mine as mine
from flows.answer_texts import SEPARATORS
from flows.dialogue import Ctx
from flows.entities import Entities
from flows.policy import Interval, Policy
from flows.schedule import NextDose, next_dose

CLAUSES = {"zh": "，", "en": ", "}  # steps of one schedule

Schedule = tuple[int, tuple[tuple[int, int], ...]]  # doses, (min, max) days per later dose


def _schedule(policy: Policy, product_id: str) -> Schedule:
    product = policy.products[product_id]
    return product.doses, tuple((i.min_days, i.max_days) for i in product.intervals)


def _labels(ctx: Ctx, groups: list[list[str]]) -> list[str]:
    """A label per group of products: "2剂次疫苗" when each group is exactly the products with
    its number of doses; else the products' names."""
    products = ctx.policy.products

    def with_doses(doses: int) -> list[str]:
        return sorted(p for p, product in products.items() if product.doses == doses)

    if all(sorted(group) == with_doses(products[group[0]].doses) for group in groups):
        return [
            parts.t(ctx, "interval.label.doses", doses=products[group[0]].doses) for group in groups
        ]
    return [_product_names(ctx, group) for group in groups]


def _product_names(ctx: Ctx, product_ids: list[str]) -> str:
    products = ctx.policy.products
    return SEPARATORS[ctx.lang].join(
        ctx.name_of(products[p].zh, products[p].en) for p in product_ids
    )


def _steps(ctx: Ctx, label: str, intervals: Sequence[tuple[int, int]], first: int = 2) -> str:
    steps = CLAUSES[ctx.lang].join(
        parts.t(ctx, "interval.step", previous=dose - 1, dose=dose, min=low, max=high)
        for dose, (low, high) in enumerate(intervals, first)
    )
    return parts.t(ctx, "interval.steps", label=label, steps=steps)


def _course(ctx: Ctx, label: str, schedule: Schedule) -> str:
    doses, intervals = schedule
    if doses == 1:
        return parts.t(ctx, "interval.one", label=label)
    return _steps(ctx, label, intervals)


def _grouped(product_ids: list[str], key: Callable[[str], object]) -> list[list[str]]:
    """Products grouped by ``key``, the biggest group first (then in policy order)."""
    groups: dict[object, list[str]] = {}
    for product_id in product_ids:
        groups.setdefault(key(product_id), []).append(product_id)
    return sorted(groups.values(), key=lambda group: -len(group))


def _theirs(ctx: Ctx) -> str | None:
    """The sender's own next dose, when one person on their phone has one due (我几时可以打第二
    针): from when, and until when it is on time. Read only: no account is made for asking."""
    account = ctx.store.account_of(ctx.channel, ctx.address)
    if account is None:
        return None
    due: list[tuple[str, NextDose]] = []
    for person in ctx.store.residents_of(account):
        doses = ctx.doses(person.id)
        upcoming = next_dose(doses, ctx.policy)
        if doses and isinstance(upcoming, NextDose) and not ctx.bookings(person.id):
            due.append((person.name, upcoming))
    if len(due) != 1 or due[0][1].earliest is None:
        return None
    name, upcoming = due[0]
    assert upcoming.earliest is not None
    key = (
        "interval.yours_late"
        if upcoming.latest and upcoming.latest < ctx.today
        else "interval.yours"
    )
    return parts.t(
        ctx, key, name=name, dose=upcoming.number, day=ctx.day(upcoming.earliest),
        last=ctx.day(upcoming.latest) if upcoming.latest else "",
    )  # fmt: skip


def interval(ctx: Ctx, entities: Entities) -> list[str]:
    theirs = None
    if entities.maker is None and entities.dose != 1:  # 我阿妈几时打第二针: hers, from the phone
        theirs = mine.when(ctx, entities) or _theirs(ctx)
    general = _interval(ctx, entities)
    if theirs is None:
        return general
    close = parts.t(ctx, "close.book")
    return [parts.say(ctx, theirs, close), *general]


def _interval(ctx: Ctx, entities: Entities) -> list[str]:
    policy = ctx.policy
    close = parts.t(ctx, "close.book")
    if entities.dose is not None and entities.dose < 0:
        entities = Entities(maker=entities.maker)  # not a dose: the general answer
    if entities.dose == 0:
        return [parts.say(ctx, parts.t(ctx, "interval.booster"), parts.t(ctx, "close.status"))]
    if entities.dose == 1:
        return [parts.say(ctx, parts.t(ctx, "interval.first"), close)]
    products = list(policy.products)
    if entities.maker is not None:
        made = [p for p in products if policy.products[p].manufacturer == entities.maker]
        if made:
            first = policy.products[made[0]]
            course = parts.t(
                ctx, "interval.course", label=_product_names(ctx, made), doses=first.doses
            )
            return [
                parts.say(ctx, *(_by_product(ctx, p, entities.dose) for p in made), close),
                parts.say(ctx, _by_product(ctx, made[0], entities.dose), close),
                parts.say(ctx, course, close),
            ]
    overdue = parts.t(ctx, "interval.overdue")
    name_it = parts.t(ctx, "interval.name_it")
    if entities.dose is not None:
        dose = entities.dose
        having = [p for p in products if policy.products[p].doses >= dose]
        if not having:
            return [parts.say(ctx, parts.t(ctx, "interval.none", dose=dose), close)]
        groups = _grouped(having, lambda p: policy.products[p].intervals[dose - 2])
        sentences = [
            _steps(ctx, label, [_pair(policy.products[group[0]].intervals[dose - 2])], dose)
            for label, group in zip(_labels(ctx, groups), groups, strict=True)
        ]
    else:
        groups = _grouped(products, lambda p: _schedule(policy, p))
        sentences = [
            _course(ctx, label, _schedule(policy, group[0]))
            for label, group in zip(_labels(ctx, groups), groups, strict=True)
        ]
    several = len(products) > 1
    candidates = [
        parts.say(ctx, *sentences[:shown], overdue, name_it if several else "", close)
        for shown in range(len(sentences), 0, -1)
    ]
    return [*candidates, parts.say(ctx, overdue, name_it, close)]


def _pair(interval: Interval) -> tuple[int, int]:
    return interval.min_days, interval.max_days


def _by_product(ctx: Ctx, product_id: str, dose: int | None) -> str:
    """One product's schedule, or the interval before ``dose`` of it."""
    product = ctx.policy.products[product_id]
    label = ctx.name_of(product.zh, product.en)
    if dose is None or product.doses == 1:
        return _course(ctx, label, _schedule(ctx.policy, product_id))
    if dose > product.doses:
        return parts.t(ctx, "interval.course", label=label, doses=product.doses)
    return _steps(ctx, label, [_pair(product.intervals[dose - 2])], dose)


def dose_one_maker(ctx: Ctx) -> str | None:
    """The maker of dose 1 on record for the person being booked, or else for everyone on the
    sender's account when they all had the same (None when unknown or mixed)."""
    policy = ctx.policy
    if "resident_id" in ctx.data:
        people = [int(ctx.data["resident_id"])]
    else:
        account = ctx.once(("account_of",), lambda: ctx.store.account_of(ctx.channel, ctx.address))
        people = [p.id for p in ctx.store.residents_of(account)] if account is not None else []
    makers = {
        policy.products[dose.product_id].manufacturer
        for person in people
        for dose in ctx.doses(person)
        if dose.dose == 1 and dose.product_id in policy.products
    }
    return makers.pop() if len(makers) == 1 else None


def maker(ctx: Ctx, entities: Entities) -> list[str]:
    """Which maker a later dose takes. The rule comes first: the same maker as dose 1, named
    when the message (第一针科兴…) or the record says it; then the sites that have it."""
    policy = ctx.policy
    products = policy.products
    first = entities.first_maker or dose_one_maker(ctx)
    wanted = entities.maker
    shown = first if first is not None else wanted
    made = [p for p, product in products.items() if product.manufacturer == shown]
    if not made:  # 可以自己选疫苗牌子吗: the makers the sites have, then the rule
        offered = mine.makers(ctx) if entities.dose is None else None
        close = parts.t(ctx, "close.book")
        return [
            parts.say(ctx, offered or "", parts.t(ctx, "maker"), close),
            parts.say(ctx, offered or "", parts.t(ctx, "maker.own"), close),
            parts.say(ctx, parts.t(ctx, "maker"), close),
        ]
    names = _product_names(ctx, made)
    if first is not None and wanted is not None and wanted != first:
        other = [p for p, product in products.items() if product.manufacturer == wanted]
        rule = parts.t(ctx, "maker.switch", first=names, wanted=_product_names(ctx, other))
    elif first is not None:
        rule = parts.t(ctx, "maker.first", first=names)
    else:
        rule = parts.t(ctx, "maker.same", product=names)
    district_id = parts.known_district(ctx, entities)
    found = ctx.store.sites_stocking(made, ctx.today, district_id)
    if not found:
        if district_id is None:
            none = parts.t(ctx, "maker.none", product=names)
        else:
            district = parts.district_name(ctx, district_id)
            none = parts.t(ctx, "maker.none.district", product=names, district=district)
        return [parts.say(ctx, rule, none, parts.t(ctx, "close.book"))]
    close = parts.t(ctx, "close.site")
    if district_id is None:
        labels = [parts.with_district(ctx, site) for site in found]
        listed_at = [parts.t(ctx, "maker.sites", product=names, sites=listed)
                     for listed in parts.listings(ctx, labels)]  # fmt: skip
    else:
        district = parts.district_name(ctx, district_id)
        listed_at = [
            parts.t(ctx, "maker.sites.district", product=names, district=district, sites=listed)
            for listed in parts.listings(ctx, [parts.site_name(ctx, s) for s in found])
        ]
    return [parts.say(ctx, rule, listed, close) for listed in listed_at] + [
        parts.say(ctx, rule, parts.t(ctx, "close.book"))
    ]
