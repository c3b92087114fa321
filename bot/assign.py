"""``vaxbot assign``: the pre-registration batch (DESIGN.md §1, seed 001).

People who could not get a place join the queue; this batch offers them the released places
(``flows.assignment``: by priority, preferring their district and period) and texts each an
offer to accept (reply 1) or decline (2) within ``assignment.offer_hours``. One run:

1. expires the open offers past their time: their places go back to the pool, and those people
   leave the queue as 'expired';
2. loads the people waiting and the places free from today to the last released day;
3. assigns, and writes the offers, the held places, the queue states and the SMS (outbox) in
   one transaction.

The SMS go out at once, or at the end of the quiet hours (``followup.quiet_hours``, like every
notification) if the run is in them; an offer lasts ``offer_hours`` from when its SMS goes
out. A place is only offered if its period starts after the offer expires, so an offer can
always be accepted before the appointment (sooner places stay for real-time booking).
Idempotent: people with an open offer are no longer waiting, so a second run offers nothing
new unless places were freed or people joined.

Reads happen without the write lock; if the places or the queue changed meanwhile (a booking
took the last place of a slot, another run), the write fails as a whole and the run reads
again, up to ``ATTEMPTS`` times.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.jobs import send_time
from flows.assignment import Place, assign, candidates_from_rows
from flows.holidays import holidays_between
from flows.offers import short_moment
from flows.places import site_name
from flows.policy import Policy
from flows.schedule import last_released_day
from flows.texts import Lang, format_day, text
from store import Offer, Store, StoreError

ATTEMPTS = 3

# Progress: given the number of people to go through, returns what to call after each step
# (with the number of people done in it) and what to call at the end.
Progress = Callable[[int], tuple[Callable[[int], object], Callable[[], object]]]


@dataclass(frozen=True, slots=True)
class Assigned:
    """What one run did."""

    expired: int  # open offers past their time, closed before assigning
    offered: int  # offers made (one place each, one per person)
    waiting: int  # queue rows still waiting afterwards
    candidates: int  # people who could be offered a place this run (0: no place was free)
    places: int  # places free (sum over slots) before assigning
    sent_at: datetime  # when the SMS go out
    expires_at: datetime  # when the offers expire

    def line(self) -> str:
        return (
            f"offered {self.offered} places to {self.offered} people; "
            f"{self.waiting} still waiting; {self.expired} offers expired"
        )


class OfferTexts:
    """The offer SMS (``offer.sms``) in the receiving phone's language (Chinese unless its SMS
    conversation is in English), for offers that all expire at ``expires_at``: each slot's text
    is made once per language, and only the name changes from one person to the next."""

    _NAME = "\x00"  # stands for the name in a slot's text; never in a name

    def __init__(self, expires_at: datetime) -> None:
        self.expires_at = expires_at
        self.texts: dict[tuple[int, Lang], str] = {}

    def _template(self, offer: Offer, lang: Lang) -> str:
        until = self.expires_at
        today = until.date()
        return text(
            lang,
            "offer.sms",
            name=self._NAME,
            day=format_day(lang, offer.slot.day, today),
            period=offer.slot.period,
            site=site_name(lang, offer.site),
            until=short_moment(lang, until),
        )

    def __call__(self, offer: Offer, name: str, lang: str | None) -> str:
        language: Lang = "en" if lang == "en" else "zh"
        key = (offer.slot.id, language)
        template = self.texts.get(key)
        if template is None:
            template = self.texts[key] = self._template(offer, language)
        return template.replace(self._NAME, name)


def expire_offers(store: Store, policy: Policy, now: datetime) -> int:
    """Expire the offers past their time, telling each person (after the quiet hours) in the
    language of the receiving phone's SMS conversation."""

    def expired(offer: Offer, name: str, lang: str | None) -> str:
        language: Lang = "en" if lang == "en" else "zh"
        until = datetime.fromisoformat(offer.expires_at).astimezone(policy.zone)
        day = format_day(language, offer.slot.day, until.date())
        return text(language, "offer.expired", name=name, day=day, period=offer.slot.period,
                    until=short_moment(language, until))  # fmt: skip

    return store.expire_offers(now, expired, send_time(policy, now))


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
    expired = expire_offers(store, policy, now)
    sent_at = send_time(policy, now)
    expires_at = sent_at + timedelta(hours=policy.assignment.offer_hours)
    today = now.date()
    last_day = last_released_day(policy, now)
    holidays = holidays_between(today, last_day)
    texts = OfferTexts(expires_at)
    # A million queued people are a few million objects that all live until the end: the
    # cyclic garbage collector would walk them again and again for nothing (they hold no
    # cycles), so it rests during the run.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with store.bulk():
            for attempt in range(1, ATTEMPTS + 1):
                rows = store.assignable_places(today, last_day, now, holidays)
                places = _places(rows, expires_at)
                free = sum(place.remaining for place in places)
                queued = store.waiting_candidates() if free else iter(())  # no place: no need
                candidates = list(candidates_from_rows(queued, policy))
                count = len(candidates)
                step, done = progress(count) if progress else (None, None)
                try:
                    assignments = assign(candidates, places, policy, today, step)
                finally:
                    if done is not None:
                        done()
                del candidates, places, rows  # before writing: a lower peak
                try:
                    offered = store.create_offers(assignments, now, expires_at, texts, sent_at)
                except StoreError:
                    if attempt == ATTEMPTS:
                        raise
                    continue  # the places or the queue changed while we were reading: again
                waiting = store.waiting_count()
                return Assigned(expired, offered, waiting, count, free, sent_at, expires_at)
    finally:
        if collecting:
            gc.enable()
    raise AssertionError("unreachable")


def tqdm_progress(quiet: bool) -> Progress:
    """A progress bar on standard error; none with ``quiet`` or when stderr is not a TTY."""

    def start(total: int) -> tuple[Callable[[int], object], Callable[[], object]]:
        from tqdm import tqdm  # here: every other command starts without it (0.1 s)

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
