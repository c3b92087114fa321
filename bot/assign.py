"""``vaxbot assign``: the pre-registration batch (DESIGN.md §1, seed 001).

People who could not get a place join the queue; this batch, run in the maintenance window,
offers them the released places (``flows.assignment``: by priority, preferring their district
and period) and texts each an offer to accept (reply 1) or decline (2) within
``assignment.offer_hours``. One run:

1. expires the open offers past their time (their places go back to the pool; those people
   leave the queue as 'expired');
2. loads the people waiting and the places free from today to the last released day;
3. assigns, and writes the offers, the held places, the queue states and the SMS (outbox) in one
   transaction.

A place is only offered if its period starts after the offer expires: an offer can always be
accepted before the appointment. Idempotent: people with an open offer are no longer waiting,
so a second run offers nothing new unless places were freed or people joined.

Reads happen without the write lock; if the places or the queue changed meanwhile (a booking
took the last place of a slot, another run), writing fails as a whole and the run starts again
from the reading, up to ``ATTEMPTS`` times.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tqdm import tqdm

from flows.assignment import Candidate, Place, assign, candidates_from_rows
from flows.holidays import holidays_between
from flows.places import site_name
from flows.policy import Policy
from flows.schedule import last_released_day
from flows.texts import MONTHS_EN, WEEKDAYS, Lang, text
from store import Offer, Store, StoreError

ATTEMPTS = 3

# Progress: given the number of people to go through, returns what to call with each step and
# what to call at the end.
Progress = Callable[[int], tuple[Callable[[int], object], Callable[[], object]]]


@dataclass(frozen=True, slots=True)
class Assigned:
    """What one run did."""

    expired: int  # open offers past their time, closed before assigning
    offered: int  # offers made (one place each, one per person)
    waiting: int  # queue rows still waiting afterwards
    candidates: int  # people who could be offered a place this run
    places: int  # places free (sum over slots) before assigning

    def line(self) -> str:
        return (
            f"offered {self.offered} places to {self.offered} people; "
            f"{self.waiting} still waiting; {self.expired} offers expired"
        )


def format_day(day: date, lang: Lang, today: date) -> str:
    """A date as residents read it (as ``flows.dialogue.Ctx.day``): ``6月20日 周日`` /
    ``Sun 20 Jun``, with the year when it is not this year's."""
    weekday = WEEKDAYS[lang][day.weekday()]
    other_year = day.year != today.year
    if lang == "zh":
        year = f"{day.year}年" if other_year else ""
        return f"{year}{day.month}月{day.day}日 {weekday}"
    year = f" {day.year}" if other_year else ""
    return f"{weekday} {day.day} {MONTHS_EN[day.month - 1]}{year}"


def offer_text(offer: Offer, name: str, lang: str | None, expires_at: datetime) -> str:
    """The offer SMS (``offer.sms``) in the person's language, Chinese unless they wrote in
    English."""
    language: Lang = "en" if lang == "en" else "zh"
    today = expires_at.date()
    return text(
        language,
        "offer.sms",
        name=name,
        day=format_day(offer.slot.day, language, today),
        period=offer.slot.period,
        site=site_name(language, offer.site),
        until=f"{format_day(expires_at.date(), language, today)} {expires_at:%H:%M}",
    )


def _places(rows: list[tuple[int, str, str, str, str, int]], not_before: datetime) -> list[Place]:
    """Places from the store's rows, leaving out those starting before ``not_before``."""
    first_day = not_before.date()
    first_time = not_before.time()
    days: dict[str, date] = {}
    places = []
    for slot_id, district, product, day_text, start, left in rows:
        day = days.get(day_text)
        if day is None:
            day = days[day_text] = date.fromisoformat(day_text)
        if day < first_day or (day == first_day and time.fromisoformat(start) < first_time):
            continue
        places.append(Place(slot_id, district, product, day, start, left))
    return places


def run_assign(
    store: Store, policy: Policy, now: datetime, progress: Progress | None = None
) -> Assigned:
    """Expire, assign and offer: one run of the batch."""
    expired = store.expire_offers(now)
    expires_at = now + timedelta(hours=policy.assignment.offer_hours)
    today = now.date()
    last_day = last_released_day(policy, now)
    for attempt in range(1, ATTEMPTS + 1):
        candidates: list[Candidate] = list(candidates_from_rows(store.waiting_candidates(), policy))
        rows = store.assignable_places(today, last_day, now, holidays_between(today, last_day))
        places = _places(rows, expires_at)
        step, done = progress(len(candidates)) if progress else (None, None)
        try:
            assignments = assign(candidates, places, policy, today, step)
        finally:
            if done is not None:
                done()
        try:
            offered = store.create_offers(
                assignments,
                now,
                expires_at,
                lambda offer, name, lang: offer_text(offer, name, lang, expires_at),
            )
        except StoreError:
            if attempt == ATTEMPTS:
                raise
            continue  # the places or the queue changed while we were reading: again
        free = sum(place.remaining for place in places)
        return Assigned(expired, offered, store.waiting_count(), len(candidates), free)
    raise AssertionError("unreachable")


def tqdm_progress(quiet: bool) -> Progress:
    """A progress bar on standard error; silent with ``quiet`` or when stderr is not a TTY."""

    def start(total: int) -> tuple[Callable[[int], object], Callable[[], object]]:
        bar = tqdm(
            total=total,
            desc="assigning",
            unit=" people",
            unit_scale=True,
            file=sys.stderr,
            disable=quiet or not sys.stderr.isatty(),
            leave=False,
        )
        return bar.update, bar.close

    return start
