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
from itertools import product

from flows import answer_parts as parts
from flows import answers_doses as doses
from flows import answers_mine as mine
from flows import answers_more as more
from flows.answer_texts import LIMITS3, SEPARATORS, SPACES
from flows.answers_more import book_at as book_at  # for the engine: booking where it is said
from flows.dialogue import Ctx
from flows.entities import TOPICS, Entities
from flows.missed import missed_answer
from flows.policy import time_range
from flows.schedule import Window, opening, window
from flows.verbatim import note
from store import Site

GROUPS = {"zh": "；", "en": "; "}  # districts' windows, in the hours answer
MAX_AGE = 130  # an age beyond this is not a person's: the general answer is given
CLOSINGS = tuple(
    f"close.{name}" for name in ("book", "site", "queue", "cancel", "code", "status", "busy", "sms")
)


def answer(ctx: Ctx, topic: str, entities: Entities, closing: bool = True) -> str:
    """The answer to a question about ``topic`` (one of ``TOPICS``), as specific as
    ``entities`` allow: an age, a district, a site, a maker, a dose.

    Raises ``ValueError`` for a topic not in ``TOPICS``.
    """
    build = _BUILDERS.get(topic)
    if build is None:
        raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}")
    said = parts.fit(ctx, build(ctx, entities))
    return said if closing else _unclosed(ctx, said)


def _unclosed(ctx: Ctx, said: str) -> str:
    """An answer without its closing next step (inside a flow, or before another answer)."""
    for key in CLOSINGS:
        end = parts.t(ctx, key)
        if said.endswith(end):
            return said[: -len(end)].rstrip()
    return said


def answer_all(ctx: Ctx, topics: Sequence[str], entities: Entities, closing: bool = True) -> str:
    """The answers to several questions asked in one message (孕妇可以打吗？要带什么？), in the
    order asked, in one reply of at most three SMS (``LIMITS3``), the last answer's next step
    closing it: each as detailed as the others leave room for. When even the shortest do not
    fit, the first is answered and the others are named, to be asked one at a time."""
    if len(topics) < 2:
        return answer(ctx, topics[0], entities, closing)
    built = []
    for n, topic in enumerate(topics):
        build = _BUILDERS.get(topic)
        if build is None:
            raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}")
        last = n == len(topics) - 1
        built.append([c if last and closing else _unclosed(ctx, c) for c in build(ctx, entities)])
    limit = LIMITS3[ctx.lang]
    # the most detailed together: the fewest steps down each answer's candidates, in all
    choices = sorted(
        product(*(list(enumerate(c)) for c in built)), key=lambda c: sum(i for i, _ in c)
    )
    for choice in choices:
        said = SPACES[ctx.lang].join(text for _, text in choice)
        if len(said) <= limit:
            return said
    first = answer(ctx, topics[0], entities, closing=False)
    names = SEPARATORS[ctx.lang].join(ctx.t(f"intent.ask.{topic}") for topic in topics[1:])
    return parts.say(ctx, first, parts.t(ctx, "asked.later", topics=names))


# -- health -----------------------------------------------------------------------------------


def _pregnancy(ctx: Ctx, entities: Entities) -> list[str]:
    return [parts.say(ctx, parts.t(ctx, "pregnancy"), parts.t(ctx, "close.book"))]


def _allergy(ctx: Ctx, entities: Entities) -> list[str]:
    return [parts.say(ctx, parts.t(ctx, "allergy"), parts.t(ctx, "close.book"))]


def _after(ctx: Ctx, entities: Entities) -> list[str]:
    minutes = ctx.policy.booking.observation_minutes
    return [parts.say(ctx, parts.t(ctx, "after", minutes=minutes), parts.t(ctx, "close.book"))]


def _doctor(ctx: Ctx, entities: Entities) -> list[str]:
    return [parts.say(ctx, parts.t(ctx, "doctor"), parts.t(ctx, "close.book"))]


def _neuro(ctx: Ctx, entities: Entities) -> list[str]:
    return [parts.say(ctx, parts.t(ctx, "neuro"), parts.t(ctx, "close.book"))]


def _chronic(ctx: Ctx, entities: Entities) -> list[str]:
    ages = ctx.policy.ages
    return [
        parts.say(
            ctx, parts.t(ctx, "chronic", assessment=ages.assessment), parts.t(ctx, "close.book")
        )
    ]


def _age(ctx: Ctx, entities: Entities) -> list[str]:
    ages = ctx.policy.ages
    age = entities.age
    if age is None or not 0 <= age <= MAX_AGE:
        general = parts.t(
            ctx,
            "age",
            minimum=ages.minimum,
            assessment=ages.assessment,
            companion=ages.companion,
            green=ages.green_channel,
        )
        return [parts.say(ctx, general, parts.t(ctx, "close.book"))]
    if age < ages.minimum:
        return [parts.t(ctx, "age.too_young", age=age, minimum=ages.minimum)]
    return [parts.say(ctx, *_age_ok(ctx, age), parts.t(ctx, "close.book"))]


def _age_ok(ctx: Ctx, age: int) -> list[str]:
    """What is said of an age that may book: that it may, and the notices from its age on."""
    return [parts.t(ctx, "age.ok", age=age), *parts.age_notices(ctx, age)]


def _residency(ctx: Ctx, entities: Entities) -> list[str]:
    """Who may book here whatever their hukou or nationality: the policy's minimum age, and a
    passport for those without a mainland resident ID card (the two documents registration
    takes). With an age stated (我70岁外地人可以打吗) the age decides: under the minimum the
    age answer; otherwise that age's notices, hukou not mattering."""
    ages = ctx.policy.ages
    age = entities.age
    close = parts.t(ctx, "close.book")
    passport = parts.t(ctx, "residency.passport")
    if age is None or not 0 <= age <= MAX_AGE:
        return [parts.say(ctx, parts.t(ctx, "residency", minimum=ages.minimum), passport, close)]
    if age < ages.minimum:
        return _age(ctx, entities)
    said = [parts.t(ctx, "residency.any"), *_age_ok(ctx, age)]
    return [parts.say(ctx, *said, passport, close), parts.say(ctx, *said, close)]


# -- the appointment --------------------------------------------------------------------------


def _bring(ctx: Ctx, entities: Entities) -> list[str]:
    companion = ctx.policy.ages.companion
    said, close = parts.t(ctx, "bring", companion=companion), parts.t(ctx, "close.code")
    # the documents registration takes (身份证丢了怎么办: the other one)
    documents = SEPARATORS[ctx.lang].join(
        ctx.t(f"reg.document.{kind}") for kind in ("id", "passport", "hmt")
    )
    accepted = parts.t(ctx, "bring.documents", documents=documents)
    return [parts.say(ctx, said, accepted, close), parts.say(ctx, said, close)]


def _observation(ctx: Ctx, entities: Entities) -> list[str]:
    minutes = ctx.policy.booking.observation_minutes
    return [
        parts.say(ctx, parts.t(ctx, "observation", minutes=minutes), parts.t(ctx, "close.book"))
    ]


def _cost(ctx: Ctx, entities: Entities) -> list[str]:
    return [parts.say(ctx, parts.t(ctx, "cost"), parts.t(ctx, "close.book"))]


def _reminder(ctx: Ctx, entities: Entities) -> list[str]:
    quiet = ctx.policy.followup.quiet_hours
    said = parts.t(ctx, "reminder", time=ctx.policy.jobs.reminders_at, quiet=quiet)
    return [parts.say(ctx, said, parts.t(ctx, "close.code"))]


def _walkin(ctx: Ctx, entities: Entities) -> list[str]:
    return [parts.say(ctx, parts.t(ctx, "walkin"), parts.t(ctx, "close.book"))]


def _noshow(ctx: Ctx, entities: Entities) -> list[str]:
    told = missed_answer(ctx)  # 我琴日冇去打针: their own missed appointment, not the rule
    if told is not None:
        return [told]
    booking = ctx.policy.booking
    days = booking.cancel_cutoff_days
    cutoff = parts.t(ctx, "noshow", days=days) if days else parts.t(ctx, "noshow.same_day")
    count = parts.t(ctx, "noshow.count", nth=booking.noshow_limit + 1)
    return [parts.say(ctx, cutoff, count, parts.t(ctx, "close.cancel"))]


# -- booking hours and release ----------------------------------------------------------------


def _hours(ctx: Ctx, entities: Entities) -> list[str]:
    policy = ctx.policy
    maintenance = parts.t(ctx, "hours.maintenance", window=policy.booking.maintenance)
    district_id = parts.known_district(ctx, entities)
    if district_id is not None:
        window_text = opening(policy, district_id)
        said = parts.t(
            ctx,
            "hours.district",
            district=parts.district_name(ctx, district_id),
            window=window_text,
        )
        if window(policy, district_id, ctx.now) is Window.OPEN:
            return [
                parts.say(
                    ctx, said, maintenance, parts.t(ctx, "hours.open"), parts.t(ctx, "close.book")
                )
            ]
        return [
            parts.say(
                ctx, said, maintenance, _closed_until(ctx, district_id), parts.t(ctx, "close.queue")
            )
        ]
    close = parts.t(ctx, "close.book")
    example = parts.district_name(ctx, next(iter(policy.districts)))
    return [
        *(
            parts.say(ctx, parts.t(ctx, "hours", windows=_windows(ctx, short)), maintenance, close)
            for short in (False, True)
        ),
        parts.say(ctx, parts.t(ctx, "hours.ask_district", district=example), maintenance, close),
    ]


def _windows(ctx: Ctx, short: bool) -> str:
    """Every district's window, districts of the same window together (in policy order);
    ``short``: Chinese names without the final 区 (天河、白云 08:00-12:00)."""
    by_window: dict[str, list[str]] = {}
    for key in ctx.policy.districts:
        name = parts.district_name(ctx, key)
        if short and ctx.lang == "zh" and len(name) > 2:
            name = name.removesuffix("区")
        by_window.setdefault(opening(ctx.policy, key), []).append(name)
    return GROUPS[ctx.lang].join(
        parts.t(ctx, "hours.group", districts=SEPARATORS[ctx.lang].join(names), window=span)
        for span, names in by_window.items()
    )


def _closed_until(ctx: Ctx, district_id: str) -> str:
    start, _ = time_range(ctx.policy.districts[district_id].window)
    key = "hours.closed.today" if ctx.now.time() < start else "hours.closed.tomorrow"
    return parts.t(ctx, key, start=f"{start:%H:%M}")


def _release(ctx: Ctx, entities: Entities) -> list[str]:
    booking = ctx.policy.booking
    days = booking.release_days_ahead
    if days:
        said = parts.t(ctx, "release", time=booking.release_time, days=days)
    else:
        said = parts.t(ctx, "release.same_day", time=booking.release_time)
    return [parts.say(ctx, said, parts.t(ctx, "close.book"))]


# -- sites ------------------------------------------------------------------------------------


def _evening(ctx: Ctx, entities: Entities) -> list[str]:
    def label(site: Site) -> str:
        return parts.labelled(ctx, site, site.hours)

    return parts.site_list(
        ctx, entities, "evening", lambda s: s.evening, label, parts.t(ctx, "close.site")
    )


def _mobile(ctx: Ctx, entities: Entities) -> list[str]:
    def label(site: Site) -> str:
        return parts.labelled(ctx, site, ctx.name_of(site.address_zh, site.address_en))

    return parts.site_list(
        ctx, entities, "mobile", lambda s: s.mobile, label, parts.t(ctx, "close.site")
    )


def _accessible(ctx: Ctx, entities: Entities) -> list[str]:
    return parts.site_list(
        ctx,
        entities,
        "accessible",
        lambda s: s.accessible,
        lambda s: parts.site_name(ctx, s),
        parts.t(ctx, "close.site"),
    )


def _site(ctx: Ctx, entities: Entities) -> list[str]:
    close = parts.t(ctx, "close.site")
    site = ctx.store.site(entities.site) if entities.site is not None else None
    if site is not None:
        said = parts.t(
            ctx,
            "site" if site.hours else "site.no_hours",
            name=parts.site_name(ctx, site),
            district=parts.district_name(ctx, site.district_id),
            address=ctx.name_of(site.address_zh, site.address_en),
            **({"hours": site.hours} if site.hours else {}),
        )
        flags = [
            parts.t(ctx, key)
            for key, on in (
                ("site.evening", site.evening),
                ("site.mobile", site.mobile),
                ("site.accessible", site.accessible),
            )
            if on
        ]
        return [parts.say(ctx, said, *flags, close), parts.say(ctx, said, close)]
    here = mine.sites_here(ctx) if entities.district is None else []
    if len(here) == 1:  # 地址在哪 at the date question: the site chosen
        return _site(ctx, Entities(site=here[0].id))
    if here:  # 地址在哪 at the site question: the addresses of the sites listed
        addresses = [ctx.name_of(s.address_zh, s.address_en) for s in here]
        note(*addresses)  # as stored in any script, as wherever an address is shown
        labels = [parts.labelled(ctx, s, a) for s, a in zip(here, addresses, strict=True)]
        return [parts.say(ctx, listed, close) for listed in parts.listings(ctx, labels)]
    district_id = parts.known_district(ctx, entities)
    if district_id is None and (booked := mine.booked_site(ctx, entities)) is not None:
        said, site_id = booked  # 地址在哪 after booking, 我第一针在哪里打的: this phone's own
        if site_id is None:
            return [parts.say(ctx, said, close)]
        return [parts.say(ctx, said, c) for c in _site(ctx, Entities(site=site_id))]
    if district_id is not None:
        names = [parts.site_name(ctx, s) for s in parts.sites(ctx, district_id)]
        if names:
            district = parts.district_name(ctx, district_id)
            return [
                parts.say(
                    ctx, parts.t(ctx, "site.ask.district", district=district, sites=listed), close
                )
                for listed in parts.listings(ctx, names)
            ]
    every = parts.sites(ctx, None)
    if not every:
        return [parts.say(ctx, parts.t(ctx, "site.none"), parts.t(ctx, "close.book"))]
    return [
        parts.say(ctx, parts.t(ctx, "site.ask", example=parts.site_name(ctx, every[0])), close),
        parts.say(ctx, parts.t(ctx, "site.ask.plain"), close),
    ]


def _hotline(ctx: Ctx, entities: Entities) -> list[str]:
    return [parts.t(ctx, "hotline", number=ctx.policy.contact.hotline)]


def _full(ctx: Ctx, entities: Entities) -> list[str]:
    """A complaint (成日都冇位, 系统又崩了): sorry, how places come, the queue and 人工."""
    booking = ctx.policy.booking
    return [
        parts.t(ctx, "full", time=booking.release_time, days=max(booking.release_days_ahead, 1))
    ]


_BUILDERS: dict[str, Callable[[Ctx, Entities], list[str]]] = {
    "pregnancy": _pregnancy,
    "allergy": _allergy,
    "chronic": _chronic,
    "neuro": _neuro,
    "after": _after,
    "doctor": _doctor,
    "age": _age,
    "interval": doses.interval,
    "maker": doses.maker,
    "bring": _bring,
    "observation": _observation,
    "cost": _cost,
    "reminder": _reminder,
    "hours": _hours,
    "release": _release,
    "walkin": _walkin,
    "evening": _evening,
    "mobile": _mobile,
    "accessible": _accessible,
    "site": _site,
    "noshow": _noshow,
    "residency": _residency,
    "hotline": _hotline,
    "full": _full,
    "certificate": more.certificate,
    "busy": more.busy,
    "aftercare": more.aftercare,
    "sms": mine.sms,
    "weekend": mine.weekend,
}
