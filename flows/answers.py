"""Answers to the questions residents ask all day (DESIGN.md §1 "Questions").

``answer(ctx, topic, entities)`` gives one reply in the resident's language for each topic of
``flows.entities.TOPICS``. Every number and name in it comes from the policy (ages, intervals,
windows, release, cut-off, no-show limit, observation time, district and product names) or from
the store (sites and their flags, which sites have a maker's vaccine), so an answer changes when
they do. The wording is in ``flows.answer_texts``.

Each answer fits two SMS segments (``answer_texts.LIMITS``) and ends with the next step (回复 预约
…). An answer never grows with the store or the policy: lists are cut to a few names ("等N处"),
and where even that is too long a shorter candidate is said instead (the count, or how to ask
about one district or one vaccine).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flows.answer_texts import LIMITS, SEPARATORS, SPACES, answer_text
from flows.dialogue import Ctx
from flows.entities import TOPICS, Entities
from flows.policy import Interval, Policy, time_range
from flows.schedule import Window, opening, window
from store import Site

MOST_NAMES = 3  # sites named in a list before "等N处"
CLAUSES = {"zh": "，", "en": ", "}  # steps of one schedule
GROUPS = {"zh": "；", "en": "; "}  # districts' windows, in the hours answer
MAX_AGE = 130  # an age beyond this is not a person's: the general answer is given
CLOSINGS = tuple(f"close.{name}" for name in ("book", "site", "queue", "cancel", "code", "status"))


def answer(ctx: Ctx, topic: str, entities: Entities, closing: bool = True) -> str:
    """The answer to a question about ``topic`` (one of ``TOPICS``), as specific as
    ``entities`` allow: an age, a district, a site, a maker, a dose.

    Raises ``ValueError`` for a topic not in ``TOPICS``.
    """
    build = _BUILDERS.get(topic)
    if build is None:
        raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}")
    said = _fit(ctx, build(ctx, entities))
    if not closing:  # inside a flow: its own question follows instead of the next step
        for key in CLOSINGS:
            end = _t(ctx, key)
            if said.endswith(end):
                return said[: -len(end)].rstrip()
    return said


# -- helpers ----------------------------------------------------------------------------------


def _t(ctx: Ctx, key: str, **values: object) -> str:
    return answer_text(ctx.lang, key, **values)


def _say(ctx: Ctx, *sentences: str) -> str:
    return SPACES[ctx.lang].join(sentence for sentence in sentences if sentence)


def _fits(ctx: Ctx, message: str) -> bool:
    return len(message) <= LIMITS[ctx.lang]


def _fit(ctx: Ctx, candidates: Sequence[str]) -> str:
    """The first candidate (most detailed first) that fits two SMS; the last one otherwise."""
    return next((c for c in candidates if _fits(ctx, c)), candidates[-1])


def _district(ctx: Ctx, district_id: str) -> str:
    district = ctx.policy.districts.get(district_id)
    return ctx.name_of(district.zh, district.en) if district else district_id


def _known_district(ctx: Ctx, entities: Entities) -> str | None:
    """The district named, if the policy has it."""
    return entities.district if entities.district in ctx.policy.districts else None


def _site_name(ctx: Ctx, site: Site) -> str:
    return ctx.name_of(site.name_zh, site.name_en)


def _labelled(ctx: Ctx, site: Site, note: str) -> str:
    """A site's name with a note in brackets (its district, hours, address), if any."""
    name = _site_name(ctx, site)
    return _t(ctx, "site.labelled", name=name, note=note) if note else name


def _with_district(ctx: Ctx, site: Site) -> str:
    return _labelled(ctx, site, _district(ctx, site.district_id))


def _listings(ctx: Ctx, labels: list[str]) -> list[str]:
    """``labels`` as lists of at most ``MOST_NAMES`` names ("A、B、C等5处"), then fewer names,
    then only the count: candidates from the longest to the shortest."""
    total = len(labels)
    out = []
    for shown in range(min(total, MOST_NAMES), 0, -1):
        names = SEPARATORS[ctx.lang].join(labels[:shown])
        out.append(names if shown == total else _t(ctx, "list.more", names=names, n=total))
    out.append(_t(ctx, "list.count", n=total))
    return out


def _sites(ctx: Ctx, district_id: str | None) -> list[Site]:
    """Every site (of a district), looked up once per turn."""
    return ctx.once(("answer_sites", district_id), lambda: ctx.store.sites(district_id))


def _site_list(
    ctx: Ctx,
    entities: Entities,
    topic: str,
    keep: Callable[[Site], bool],
    label: Callable[[Site], str],
    close: str,
) -> list[str]:
    """The sites (of the district named, or all) for which ``keep`` holds, named by ``label``
    in a district's list and with their district in the whole city's; or an honest "none"."""
    district_id = _known_district(ctx, entities)
    found = [site for site in _sites(ctx, district_id) if keep(site)]
    after = [_t(ctx, f"{topic}.help")] if topic == "accessible" else []
    if district_id is not None:
        name = _district(ctx, district_id)
        if not found:
            return [_say(ctx, _t(ctx, f"{topic}.none.district", district=name), *after, close)]
        labels = [label(site) for site in found]
        return [
            _say(ctx, _t(ctx, f"{topic}.district", district=name, sites=listed), *after, close)
            for listed in _listings(ctx, labels)
        ]
    if not found:
        return [_say(ctx, _t(ctx, f"{topic}.none"), *after, close)]
    labels = [_with_district(ctx, site) for site in found]
    hint = [_t(ctx, "list.by_district")] if len(found) > MOST_NAMES else []
    candidates = []
    for listed in _listings(ctx, labels):
        candidates.append(_say(ctx, _t(ctx, topic, sites=listed), *after, *hint, close))
        candidates.append(_say(ctx, _t(ctx, topic, sites=listed), *after, close))
    return candidates


# -- health -----------------------------------------------------------------------------------


def _pregnancy(ctx: Ctx, entities: Entities) -> list[str]:
    return [_say(ctx, _t(ctx, "pregnancy"), _t(ctx, "close.book"))]


def _allergy(ctx: Ctx, entities: Entities) -> list[str]:
    return [_say(ctx, _t(ctx, "allergy"), _t(ctx, "close.book"))]


def _chronic(ctx: Ctx, entities: Entities) -> list[str]:
    ages = ctx.policy.ages
    return [_say(ctx, _t(ctx, "chronic", assessment=ages.assessment), _t(ctx, "close.book"))]


def _age(ctx: Ctx, entities: Entities) -> list[str]:
    ages = ctx.policy.ages
    age = entities.age
    if age is None or not 0 <= age <= MAX_AGE:
        general = _t(
            ctx,
            "age",
            minimum=ages.minimum,
            assessment=ages.assessment,
            companion=ages.companion,
            green=ages.green_channel,
        )
        return [_say(ctx, general, _t(ctx, "close.book"))]
    if age < ages.minimum:
        return [_t(ctx, "age.too_young", age=age, minimum=ages.minimum)]
    notices = [
        _t(ctx, key)
        for key, from_age in (
            ("age.assessment", ages.assessment),
            ("age.companion", ages.companion),
            ("age.green_channel", ages.green_channel),
        )
        if age >= from_age
    ]
    return [_say(ctx, _t(ctx, "age.ok", age=age), *notices, _t(ctx, "close.book"))]


# -- doses ------------------------------------------------------------------------------------

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
        return [_t(ctx, "interval.label.doses", doses=products[group[0]].doses) for group in groups]
    return [_product_names(ctx, group) for group in groups]


def _product_names(ctx: Ctx, product_ids: list[str]) -> str:
    products = ctx.policy.products
    return SEPARATORS[ctx.lang].join(
        ctx.name_of(products[p].zh, products[p].en) for p in product_ids
    )


def _steps(ctx: Ctx, label: str, intervals: Sequence[tuple[int, int]], first: int = 2) -> str:
    steps = CLAUSES[ctx.lang].join(
        _t(ctx, "interval.step", previous=dose - 1, dose=dose, min=low, max=high)
        for dose, (low, high) in enumerate(intervals, first)
    )
    return _t(ctx, "interval.steps", label=label, steps=steps)


def _course(ctx: Ctx, label: str, schedule: Schedule) -> str:
    doses, intervals = schedule
    if doses == 1:
        return _t(ctx, "interval.one", label=label)
    return _steps(ctx, label, intervals)


def _grouped(product_ids: list[str], key: Callable[[str], object]) -> list[list[str]]:
    """Products grouped by ``key``, the biggest group first (then in policy order)."""
    groups: dict[object, list[str]] = {}
    for product_id in product_ids:
        groups.setdefault(key(product_id), []).append(product_id)
    return sorted(groups.values(), key=lambda group: -len(group))


def _interval(ctx: Ctx, entities: Entities) -> list[str]:
    policy = ctx.policy
    close = _t(ctx, "close.book")
    if entities.dose is not None and entities.dose < 0:
        entities = Entities(maker=entities.maker)  # not a dose: the general answer
    if entities.dose == 0:
        return [_say(ctx, _t(ctx, "interval.booster"), _t(ctx, "close.status"))]
    if entities.dose == 1:
        return [_say(ctx, _t(ctx, "interval.first"), close)]
    products = list(policy.products)
    if entities.maker is not None:
        made = [p for p in products if policy.products[p].manufacturer == entities.maker]
        if made:
            first = policy.products[made[0]]
            course = _t(ctx, "interval.course", label=_product_names(ctx, made), doses=first.doses)
            return [
                _say(ctx, *(_by_product(ctx, p, entities.dose) for p in made), close),
                _say(ctx, _by_product(ctx, made[0], entities.dose), close),
                _say(ctx, course, close),
            ]
    overdue = _t(ctx, "interval.overdue")
    name_it = _t(ctx, "interval.name_it")
    if entities.dose is not None:
        dose = entities.dose
        having = [p for p in products if policy.products[p].doses >= dose]
        if not having:
            return [_say(ctx, _t(ctx, "interval.none", dose=dose), close)]
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
        _say(ctx, *sentences[:shown], overdue, name_it if several else "", close)
        for shown in range(len(sentences), 0, -1)
    ]
    return [*candidates, _say(ctx, overdue, name_it, close)]


def _pair(interval: Interval) -> tuple[int, int]:
    return interval.min_days, interval.max_days


def _by_product(ctx: Ctx, product_id: str, dose: int | None) -> str:
    """One product's schedule, or the interval before ``dose`` of it."""
    product = ctx.policy.products[product_id]
    label = ctx.name_of(product.zh, product.en)
    if dose is None or product.doses == 1:
        return _course(ctx, label, _schedule(ctx.policy, product_id))
    if dose > product.doses:
        return _t(ctx, "interval.course", label=label, doses=product.doses)
    return _steps(ctx, label, [_pair(product.intervals[dose - 2])], dose)


def _maker(ctx: Ctx, entities: Entities) -> list[str]:
    policy = ctx.policy
    made = [p for p, product in policy.products.items() if product.manufacturer == entities.maker]
    if not made:
        return [_say(ctx, _t(ctx, "maker"), _t(ctx, "close.book"))]
    district_id = _known_district(ctx, entities)
    names = _product_names(ctx, made)
    found = ctx.store.sites_stocking(made, ctx.today, district_id)
    same = _t(ctx, "maker.same")
    if not found:
        if district_id is None:
            return [_say(ctx, _t(ctx, "maker.none", product=names), same, _t(ctx, "close.book"))]
        none = _t(ctx, "maker.none.district", product=names, district=_district(ctx, district_id))
        return [_say(ctx, none, same, _t(ctx, "close.book"))]
    close = _t(ctx, "close.site")
    if district_id is None:
        labels = [_with_district(ctx, site) for site in found]
        return [
            _say(ctx, _t(ctx, "maker.sites", product=names, sites=listed), same, close)
            for listed in _listings(ctx, labels)
        ]
    district = _district(ctx, district_id)
    return [
        _say(
            ctx,
            _t(ctx, "maker.sites.district", product=names, district=district, sites=listed),
            same,
            close,
        )
        for listed in _listings(ctx, [_site_name(ctx, s) for s in found])
    ]


# -- the appointment --------------------------------------------------------------------------


def _bring(ctx: Ctx, entities: Entities) -> list[str]:
    companion = ctx.policy.ages.companion
    return [_say(ctx, _t(ctx, "bring", companion=companion), _t(ctx, "close.code"))]


def _observation(ctx: Ctx, entities: Entities) -> list[str]:
    minutes = ctx.policy.booking.observation_minutes
    return [_say(ctx, _t(ctx, "observation", minutes=minutes), _t(ctx, "close.book"))]


def _cost(ctx: Ctx, entities: Entities) -> list[str]:
    return [_say(ctx, _t(ctx, "cost"), _t(ctx, "close.book"))]


def _walkin(ctx: Ctx, entities: Entities) -> list[str]:
    return [_say(ctx, _t(ctx, "walkin"), _t(ctx, "close.book"))]


def _noshow(ctx: Ctx, entities: Entities) -> list[str]:
    booking = ctx.policy.booking
    days = booking.cancel_cutoff_days
    cutoff = _t(ctx, "noshow", days=days) if days else _t(ctx, "noshow.same_day")
    count = _t(ctx, "noshow.count", nth=booking.noshow_limit + 1)
    return [_say(ctx, cutoff, count, _t(ctx, "close.cancel"))]


# -- booking hours and release ----------------------------------------------------------------


def _hours(ctx: Ctx, entities: Entities) -> list[str]:
    policy = ctx.policy
    maintenance = _t(ctx, "hours.maintenance", window=policy.booking.maintenance)
    district_id = _known_district(ctx, entities)
    if district_id is not None:
        window_text = opening(policy, district_id)
        said = _t(ctx, "hours.district", district=_district(ctx, district_id), window=window_text)
        if window(policy, district_id, ctx.now) is Window.OPEN:
            return [_say(ctx, said, maintenance, _t(ctx, "hours.open"), _t(ctx, "close.book"))]
        return [
            _say(ctx, said, maintenance, _closed_until(ctx, district_id), _t(ctx, "close.queue"))
        ]
    close = _t(ctx, "close.book")
    example = _district(ctx, next(iter(policy.districts)))
    return [
        *(
            _say(ctx, _t(ctx, "hours", windows=_windows(ctx, short)), maintenance, close)
            for short in (False, True)
        ),
        _say(ctx, _t(ctx, "hours.ask_district", district=example), maintenance, close),
    ]


def _windows(ctx: Ctx, short: bool) -> str:
    """Every district's window, districts of the same window together (in policy order);
    ``short``: Chinese names without the final 区 (天河、白云 08:00-12:00)."""
    by_window: dict[str, list[str]] = {}
    for key in ctx.policy.districts:
        name = _district(ctx, key)
        if short and ctx.lang == "zh" and len(name) > 2:
            name = name.removesuffix("区")
        by_window.setdefault(opening(ctx.policy, key), []).append(name)
    return GROUPS[ctx.lang].join(
        _t(ctx, "hours.group", districts=SEPARATORS[ctx.lang].join(names), window=span)
        for span, names in by_window.items()
    )


def _closed_until(ctx: Ctx, district_id: str) -> str:
    start, _ = time_range(ctx.policy.districts[district_id].window)
    key = "hours.closed.today" if ctx.now.time() < start else "hours.closed.tomorrow"
    return _t(ctx, key, start=f"{start:%H:%M}")


def _release(ctx: Ctx, entities: Entities) -> list[str]:
    booking = ctx.policy.booking
    days = booking.release_days_ahead
    if days:
        said = _t(ctx, "release", time=booking.release_time, days=days)
    else:
        said = _t(ctx, "release.same_day", time=booking.release_time)
    return [_say(ctx, said, _t(ctx, "close.book"))]


# -- sites ------------------------------------------------------------------------------------


def _evening(ctx: Ctx, entities: Entities) -> list[str]:
    def label(site: Site) -> str:
        return _labelled(ctx, site, site.hours)

    return _site_list(ctx, entities, "evening", lambda s: s.evening, label, _t(ctx, "close.site"))


def _mobile(ctx: Ctx, entities: Entities) -> list[str]:
    def label(site: Site) -> str:
        return _labelled(ctx, site, ctx.name_of(site.address_zh, site.address_en))

    return _site_list(ctx, entities, "mobile", lambda s: s.mobile, label, _t(ctx, "close.site"))


def _accessible(ctx: Ctx, entities: Entities) -> list[str]:
    return _site_list(
        ctx,
        entities,
        "accessible",
        lambda s: s.accessible,
        lambda s: _site_name(ctx, s),
        _t(ctx, "close.site"),
    )


def _site(ctx: Ctx, entities: Entities) -> list[str]:
    close = _t(ctx, "close.site")
    site = ctx.store.site(entities.site) if entities.site is not None else None
    if site is not None:
        said = _t(
            ctx,
            "site" if site.hours else "site.no_hours",
            name=_site_name(ctx, site),
            district=_district(ctx, site.district_id),
            address=ctx.name_of(site.address_zh, site.address_en),
            **({"hours": site.hours} if site.hours else {}),
        )
        flags = [
            _t(ctx, key)
            for key, on in (
                ("site.evening", site.evening),
                ("site.mobile", site.mobile),
                ("site.accessible", site.accessible),
            )
            if on
        ]
        return [_say(ctx, said, *flags, close), _say(ctx, said, close)]
    district_id = _known_district(ctx, entities)
    if district_id is not None:
        names = [_site_name(ctx, s) for s in _sites(ctx, district_id)]
        if names:
            district = _district(ctx, district_id)
            return [
                _say(ctx, _t(ctx, "site.ask.district", district=district, sites=listed), close)
                for listed in _listings(ctx, names)
            ]
    every = _sites(ctx, None)
    if not every:
        return [_say(ctx, _t(ctx, "site.none"), _t(ctx, "close.book"))]
    return [
        _say(ctx, _t(ctx, "site.ask", example=_site_name(ctx, every[0])), close),
        _say(ctx, _t(ctx, "site.ask.plain"), close),
    ]


_BUILDERS: dict[str, Callable[[Ctx, Entities], list[str]]] = {
    "pregnancy": _pregnancy,
    "allergy": _allergy,
    "chronic": _chronic,
    "age": _age,
    "interval": _interval,
    "maker": _maker,
    "bring": _bring,
    "observation": _observation,
    "cost": _cost,
    "hours": _hours,
    "release": _release,
    "walkin": _walkin,
    "evening": _evening,
    "mobile": _mobile,
    "accessible": _accessible,
    "site": _site,
    "noshow": _noshow,
}
