"""Choosing where and when: districts, sites, dates and periods as options."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from flows import lexicon
from flows.dialogue import Ctx, Option, numbered
from flows.texts import Lang
from store import Booking, Site, Slot

PARTS = {
    "morning": ("00:00", "12:00"),
    "afternoon": ("12:00", "18:00"),
    "evening": ("18:00", "24:00"),
}


def district_options(ctx: Ctx, home: str | None = None) -> tuple[Option, ...]:
    """Every district of the policy, the resident's home district first."""
    key = ("district_options", ctx.lang, home)
    options: tuple[Option, ...] | None = ctx.policy.derived.get(key)
    if options is None:  # the same for every resident of a district: made once per language
        made = []
        districts = ctx.policy.districts
        for i, district_id in enumerate(sorted(districts, key=lambda d: d != home), 1):
            district = districts[district_id]
            label = ctx.name_of(district.zh, district.en)
            if district_id == home:
                label += ctx.t("book.home")
            aliases = (district.zh, district.zh.removesuffix("区"), district.en, district_id)
            made.append(Option(str(i), label, district_id, aliases))
        options = ctx.policy.derived[key] = tuple(made)
    return options


_SPELLING = re.compile(r"[\s\-_'’.·]+")
_DISTRICT_WORD = re.compile(r"(?:district|dist|qu|区|區)$")


def _squeezed(text: str) -> str:
    """A district's name as it may be spelled: Tian He, tian-he qu, TIANHE DISTRICT, 天河区."""
    folded = _SPELLING.sub("", unicodedata.normalize("NFKC", text).casefold())
    return _DISTRICT_WORD.sub("", folded.strip("!！。,，?？")) or folded


def district_spelled(ctx: Ctx, text: str) -> str | None:
    """The district a short answer spells (Tian He, tian he qu, 天河區, haizhu district), or
    None. Read only at the steps asking for a district, on their answers."""
    said = _squeezed(text[:40])
    if len(said) < 2:
        return None
    for option in district_options(ctx):
        if any(said == _squeezed(word) for word in (option.label, *option.aliases)):
            return str(option.value)
    return None


def district_name(ctx: Ctx, district_id: str) -> str:
    district = ctx.policy.districts[district_id]
    return ctx.name_of(district.zh, district.en)


def site_name(lang: Lang, site: Site) -> str:
    return site.name_zh if lang == "zh" else site.name_en


def site_address(lang: Lang, site: Site) -> str:
    return site.address_zh if lang == "zh" else site.address_en


def booking_facts(ctx: Ctx, name: str, booking: Booking) -> dict[str, object]:
    """What confirmations say about a booking, as text placeholders."""
    return {
        "code": booking.code,
        "name": name,
        "dose": booking.dose,
        "day": ctx.day(booking.slot.day),
        "period": booking.slot.period,
        "site": site_name(ctx.lang, booking.site),
        "address": site_address(ctx.lang, booking.site),
    }


def site_options(ctx: Ctx, sites: list[tuple[Site, int]]) -> tuple[Option, ...]:
    """The sites to choose from, each also chosen by its address (天河路299号, part of it: 天河路)
    and what residents call it (``[sites] nicknames``: 天体)."""
    return tuple(
        Option(
            str(i),
            f"{site_name(ctx.lang, site)} {ctx.t('book.left', n=left)}",
            site.id,
            (site.name_zh, site.name_en, site.address_zh, site.address_en, *site_nicknames(site)),
        )
        for i, (site, left) in enumerate(sites, 1)
    )


def site_nicknames(site: Site) -> tuple[str, ...]:
    """What residents call ``site`` (``[sites] nicknames`` whose part of a name it holds)."""
    called = lexicon.load().site_nicknames
    return tuple(nick for nick, part in called.items() if part in site.name_zh)


def day_options(ctx: Ctx, days: list[tuple[date, int]]) -> tuple[Option, ...]:
    return numbered(
        (f"{ctx.day(day)} {ctx.t('book.left', n=left)}", day.isoformat()) for day, left in days
    )


def nearest(days: list[tuple[date, int]], wanted: date, count: int = 3) -> list[tuple[date, int]]:
    """The ``count`` open days closest to ``wanted``, in date order (later wins a tie)."""
    ranked = sorted(days, key=lambda item: (abs((item[0] - wanted).days), -item[0].toordinal()))
    return sorted(ranked[:count])


def in_part(slot: Slot, part: str) -> bool:
    start, end = PARTS[part]
    return start <= slot.start < end


def covers_hour(slot: Slot, hour: int) -> bool:
    moment = f"{hour:02d}:00"
    return slot.start <= moment < slot.end


def slot_options(ctx: Ctx, slots: list[Slot]) -> tuple[Option, ...]:
    several_products = len({slot.product_id for slot in slots}) > 1
    options = []
    for slot in slots:
        label = f"{slot.period} {ctx.t('book.left', n=slot.remaining)}"
        if several_products:
            product = ctx.policy.products[slot.product_id]
            label = f"{slot.period} {ctx.name_of(product.zh, product.en)} "
            label += ctx.t("book.left", n=slot.remaining)
        options.append((label, slot.id))
    return numbered(options)
