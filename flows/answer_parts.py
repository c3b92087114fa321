"""The parts every answer of ``flows.answers`` is made of: its sentences in the resident's
language, joined and fitted to two SMS (the most detailed candidate that fits), names of
districts and sites, and lists of sites cut to a few names ("等N处")."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flows.answer_texts import LIMITS, SEPARATORS, SPACES, answer_text
from flows.dialogue import Ctx
from flows.entities import Entities
from store import Site

MOST_NAMES = 3  # sites named in a list before "等N处"


def t(ctx: Ctx, key: str, **values: object) -> str:
    return answer_text(ctx.lang, key, **values)


def say(ctx: Ctx, *sentences: str) -> str:
    return SPACES[ctx.lang].join(sentence for sentence in sentences if sentence)


def fits(ctx: Ctx, message: str) -> bool:
    return len(message) <= LIMITS[ctx.lang]


def fit(ctx: Ctx, candidates: Sequence[str]) -> str:
    """The first candidate (most detailed first) that fits two SMS; the last one otherwise."""
    return next((c for c in candidates if fits(ctx, c)), candidates[-1])


def district_name(ctx: Ctx, district_id: str) -> str:
    district = ctx.policy.districts.get(district_id)
    return ctx.name_of(district.zh, district.en) if district else district_id


def known_district(ctx: Ctx, entities: Entities) -> str | None:
    """The district named, if the policy has it."""
    return entities.district if entities.district in ctx.policy.districts else None


def site_name(ctx: Ctx, site: Site) -> str:
    return ctx.name_of(site.name_zh, site.name_en)


def age_notices(ctx: Ctx, age: int) -> list[str]:
    """What applies from ``age`` on: the health assessment, a companion, the green channel."""
    ages = ctx.policy.ages
    return [
        t(ctx, key)
        for key, from_age in (
            ("age.assessment", ages.assessment),
            ("age.companion", ages.companion),
            ("age.green_channel", ages.green_channel),
        )
        if age >= from_age
    ]


def labelled(ctx: Ctx, site: Site, note: str) -> str:
    """A site's name with a note in brackets (its district, hours, address), if any."""
    name = site_name(ctx, site)
    return t(ctx, "site.labelled", name=name, note=note) if note else name


def with_district(ctx: Ctx, site: Site) -> str:
    return labelled(ctx, site, district_name(ctx, site.district_id))


def listings(ctx: Ctx, labels: list[str]) -> list[str]:
    """``labels`` as lists of at most ``MOST_NAMES`` names ("A、B、C等5处"), then fewer names,
    then only the count: candidates from the longest to the shortest."""
    total = len(labels)
    out = []
    for shown in range(min(total, MOST_NAMES), 0, -1):
        names = SEPARATORS[ctx.lang].join(labels[:shown])
        out.append(names if shown == total else t(ctx, "list.more", names=names, n=total))
    out.append(t(ctx, "list.count", n=total))
    return out


def sites(ctx: Ctx, district_id: str | None) -> list[Site]:
    """Every site (of a district), looked up once per turn."""
    return ctx.once(("answer_sites", district_id), lambda: ctx.store.sites(district_id))


def site_list(
    ctx: Ctx,
    entities: Entities,
    topic: str,
    keep: Callable[[Site], bool],
    label: Callable[[Site], str],
    close: str,
) -> list[str]:
    """The sites (of the district named, or all) for which ``keep`` holds, named by ``label``
    in a district's list and with their district in the whole city's; or an honest "none"."""
    district_id = known_district(ctx, entities)
    found = [site for site in sites(ctx, district_id) if keep(site)]
    after = [t(ctx, f"{topic}.help")] if topic == "accessible" else []
    if district_id is not None:
        name = district_name(ctx, district_id)
        if not found:
            return [say(ctx, t(ctx, f"{topic}.none.district", district=name), *after, close)]
        labels = [label(site) for site in found]
        return [
            say(ctx, t(ctx, f"{topic}.district", district=name, sites=listed), *after, close)
            for listed in listings(ctx, labels)
        ]
    if not found:
        return [say(ctx, t(ctx, f"{topic}.none"), *after, close)]
    labels = [with_district(ctx, site) for site in found]
    hint = [t(ctx, "list.by_district")] if len(found) > MOST_NAMES else []
    candidates = []
    for listed in listings(ctx, labels):
        candidates.append(say(ctx, t(ctx, topic, sites=listed), *after, *hint, close))
        candidates.append(say(ctx, t(ctx, topic, sites=listed), *after, close))
    return candidates
