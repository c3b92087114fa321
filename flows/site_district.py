"""A district's name typed where a site is asked (天河, 白云区, Haizhu at 请选择接种点): read as
the district, never as the site whose name starts with it. The district of the sites on
screen: its sites again, said to be its; another: switching to it offered (1 its sites, 2 the
sites on screen), nothing else changed (``flows.booking``)."""

from __future__ import annotations

from dataclasses import replace

from flows.booking_place import PLACE_STEPS, go_district, site_prompt
from flows.dialogue import Answer, Ctx, Next, Outcome, Prompt, Retry, Step, agree_or_not
from flows.places import district_name, district_spelled


def district_at_site(ctx: Ctx, answer: Answer) -> Outcome | None:
    """At the site question, a message that only names a district: its sites again (the
    district listed), or switching offered (another); None for anything else."""
    if "district" not in ctx.data:
        return None
    district = district_spelled(ctx, answer.words)
    if district is None:
        return None
    current = str(ctx.data["district"])
    if district == current:
        note = ctx.t("book.site.district_same", district=district_name(ctx, current))
        return Retry(note, site_prompt(ctx), sure=True)
    ctx.data["switch_district"] = district
    return Next("switch_district")


def _switch(ctx: Ctx) -> Prompt:
    names = {
        "district": district_name(ctx, str(ctx.data["switch_district"])),
        "current": district_name(ctx, str(ctx.data["district"])),
    }
    switch, stay = agree_or_not(
        ctx.t("book.site.district_switch", **names), ctx.t("book.site.district_stay", **names)
    )
    return Prompt(ctx.t("book.site.district_other", **names), (switch, stay))


def _read_switch(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.option is None:
        return Retry(ctx.t("pick_number", n=2))
    district = str(ctx.data.pop("switch_district"))
    if answer.value == "yes":
        return go_district(ctx, district)
    return Next("site")


def _read_site(ctx: Ctx, answer: Answer) -> Outcome:
    """The site question's own reading, after a district's name (天河: matched to 天河体育中心
    as an option's words, it is still the district)."""
    return district_at_site(ctx, answer) or PLACE_STEPS["site"].answer(ctx, answer)


SITE_STEP = replace(PLACE_STEPS["site"], answer=_read_site)
SWITCH_STEP = Step(_switch, _read_switch, free_text=False)
