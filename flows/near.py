"""Near home (就近啦, 离家近的, 近啲嘅, near my home, same as home) at a booking's place steps
(where, district, site): the district of residence of the person booked for, and its sites
listed with their addresses. vaxbot knows no distances, so the resident picks from the
addresses; a place named with the words (天河就近) is read as usual.

The words are the lexicon's ``[wishes] near``, read only at these steps (``flows.minds``)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from flows import lexicon
from flows.booking_state import chosen_person, open_sites
from flows.dialogue import Answer, Ctx, Next, Option, Outcome, Prompt, Retry
from flows.places import district_name, site_address, site_options
from flows.verbatim import note

STEPS = frozenset({"where", "district", "site"})


@cache
def _pattern() -> re.Pattern[str]:
    words = sorted(lexicon.load().wishes.get("near", ()), key=len, reverse=True)
    forms = [rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w.isascii() else re.escape(w) for w in words]
    return re.compile("|".join(forms) or "(?!x)x")


def says_near(words: str) -> bool:
    """Whether a message asks for a place near home (the lexicon's ``[wishes] near``)."""
    text = unicodedata.normalize("NFKC", words).casefold().replace("’", "'")
    return _pattern().search(text) is not None


def near(ctx: Ctx, step: str, answer: Answer) -> Outcome | None:
    """The home district's sites, with their addresses, for "near home" at ``step``; None
    when the message does not ask for it, or names a place itself."""
    if step not in STEPS or answer.said.site or answer.said.district:
        return None
    if not says_near(answer.words):
        return None
    from flows.booking_place import go_district  # booking_place imports this module's caller

    home = chosen_person(ctx).district_id
    note = ctx.t("book.near", district=district_name(ctx, home))
    if step == "site" and ctx.data.get("district") == home:
        return Retry(note, _with_addresses(ctx, home))
    went = go_district(ctx, home)
    if isinstance(went, Next) and went.step == "site":
        return Next("site", prompt=_with_addresses(ctx, home), note=note)
    return went  # closed now, or no places: said by the district step as usual


def _with_addresses(ctx: Ctx, district_id: str) -> Prompt:
    """The district's sites with places, each with its address."""
    sites = open_sites(ctx, district_id)
    note(*(site_address(ctx.lang, site) for site, _ in sites))  # as stored, in any script
    options = tuple(
        Option(o.key, f"{o.label} {site_address(ctx.lang, site)}", o.value, o.aliases)
        for o, (site, _) in zip(site_options(ctx, sites), sites, strict=True)
    )
    return Prompt(ctx.t("book.site"), options)
