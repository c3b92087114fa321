"""Scheduled work: reminders, dose-2 alerts, and the daily jobs' bookkeeping.

Each job only *queues* messages in the outbox, to the person's phone, under idempotency keys
that name what they are about (``reminder:<booking code>``, ``alert:<resident>:<dose>:<level>``):
running a job twice, or after a crash, queues nothing twice. The outbox sender does the sending,
where the person talks (``bot.outbox.routes``), with the values each text was written from (for
templated SMS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from flows.policy import Policy, in_range, parse_hhmm, time_range
from flows.schedule import Complete, next_dose
from flows.texts import Lang, format_day, text
from store import Store


def send_time(policy: Policy, now: datetime) -> datetime:
    """``now``, or the end of the quiet hours if ``now`` falls in them."""
    quiet = policy.followup.quiet_hours
    if not in_range(now.time(), quiet):
        return now
    end = time_range(quiet)[1]
    wake = now.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return wake if wake > now else wake + timedelta(days=1)


def _lang(store: Store, phone: str) -> Lang:
    return "en" if store.language_of("sms", phone) == "en" else "zh"


def _recipients(store: Store, person_phone: str, account_id: int) -> list[str]:
    """The person's own phone, and the phone managing them if that is another."""
    phones = [person_phone]
    manager = store.account_phone(account_id)
    if manager and manager not in phones:
        phones.append(manager)
    return phones


def send_reminders(store: Store, policy: Policy, now: datetime) -> int:
    """Queue a reminder for every active booking tomorrow; returns how many were queued."""
    tomorrow = now.date() + timedelta(days=1)
    due = send_time(policy, now)
    queued = 0
    with store.transaction():
        for booking, person in store.bookings_on(tomorrow):
            for phone in _recipients(store, person.phone, person.account_id):
                lang = _lang(store, phone)
                site = booking.site.name_zh if lang == "zh" else booking.site.name_en
                key_text = "reminder.today" if due.date() == tomorrow else "reminder"  # held
                values = {"name": person.name, "day": format_day(lang, tomorrow, now.date()),
                          "period": booking.slot.period, "site": site, "dose": booking.dose,
                          "code": booking.code}  # fmt: skip
                body = text(lang, key_text, **values)
                key = f"reminder:{booking.code}:{booking.slot.day}:{phone}"
                queued += store.enqueue("sms", phone, body, key, due, now, params=values)
    return queued


class Level(StrEnum):
    BLUE = "blue"  # the next dose is due
    YELLOW = "yellow"  # overdue
    RED = "red"  # close to the maximum interval


@dataclass(frozen=True, slots=True)
class Alert:
    resident_id: int
    dose: int
    level: Level
    limit: date


def alert_level(policy: Policy, earliest: date, latest: date, today: date) -> Level | None:
    """The colour for a next dose allowed from ``earliest`` and on time until ``latest``."""
    settings = policy.followup
    if today >= latest - timedelta(days=settings.red_before_limit_days):
        return Level.RED
    if today >= earliest + timedelta(days=settings.yellow_after_due_days):
        return Level.YELLOW
    if today >= earliest:
        return Level.BLUE
    return None


def send_alerts(store: Store, policy: Policy, now: datetime) -> list[Alert]:
    """Queue the dose-2 (and later) alerts due today, each colour once per person and dose;
    yellow and red cases also go on the operators' phone follow-up list."""
    today = now.date()
    due = send_time(policy, now)
    alerts: list[Alert] = []
    with store.transaction():
        for person in store.awaiting_next_dose():
            upcoming = next_dose(store.doses_of(person.id), policy)
            if isinstance(upcoming, Complete) or upcoming.earliest is None:
                continue
            assert upcoming.latest is not None
            level = alert_level(policy, upcoming.earliest, upcoming.latest, today)
            if level is None:
                continue
            for phone in _recipients(store, person.phone, person.account_id):
                lang = _lang(store, phone)
                values = {"name": person.name, "dose": upcoming.number,
                          "day": format_day(lang, upcoming.latest, today)}  # fmt: skip
                body = text(lang, f"alert.{level.value}", **values)
                key = f"alert:{person.id}:{upcoming.number}:{level.value}:{phone}"
                store.enqueue("sms", phone, body, key, due, now, params=values)
            if level is not Level.BLUE:
                store.add_followup(person.id, upcoming.number, level.value, now)
            alerts.append(Alert(person.id, upcoming.number, level, upcoming.latest))
    return alerts


def daily_due(store: Store, name: str, at: str, now: datetime) -> bool:
    """Whether daily job ``name`` (at ``at``, HH:MM) is due now and has not run today.

    The caller marks it done (``store.job_done``) after it ran: a worker killed half-way runs it
    again, which its idempotency keys make harmless.
    """
    return now.time() >= parse_hhmm(at) and store.last_job_key(name) != now.date().isoformat()
