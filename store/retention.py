"""Retention: what is deleted, or blanked, once the policy's ``[retention]`` days have passed.

Each rule counts (``dry_run``) or purges one kind of data; none touches what a booking still
needs: a person with an active booking keeps their screening answers, an account that manages
anyone is kept, an outbox row keeps its idempotency key (only its delivered text is blanked),
so nothing is ever queued twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from store.db import Db
from store.rows import stamp


@dataclass(frozen=True)
class Ages:
    """How many days each kind of data is kept (``[retention]`` in the policy)."""

    message_ids_days: int
    idle_conversation_days: int
    stranger_account_days: int
    delivered_outbox_days: int
    screening_after_appointment_days: int
    attempts_days: int = 2  # link codes and ID numbers tried: the limits look back a day


_STRANGERS = (
    "FROM accounts WHERE created_at < :cutoff "
    "AND NOT EXISTS (SELECT 1 FROM residents r WHERE r.account_id = accounts.id) "
    "AND NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.account_id = accounts.id) "
    "AND NOT EXISTS (SELECT 1 FROM consents n WHERE n.account_id = accounts.id) "
    "AND NOT EXISTS (SELECT 1 FROM addresses a JOIN conversations v ON v.channel = a.channel "
    "AND v.address = a.address WHERE a.account_id = accounts.id)"
)

# Screenings of people with no booking still to come (active) whose last appointment (or the
# screening itself, if never booked) is older than the cutoff.
_SCREENINGS = (
    "FROM screenings WHERE answers <> '' AND at < :cutoff AND NOT EXISTS ("
    "SELECT 1 FROM bookings b JOIN slots t ON t.id = b.slot_id "
    "WHERE b.resident_id = screenings.resident_id "
    "AND (b.status = 'active' OR t.day >= :cutoff_day))"
)


class Retention:
    def __init__(self, db: Db) -> None:
        self._db = db

    def _rules(self, now: datetime, ages: Ages) -> list[tuple[str, str, str, dict[str, str]]]:
        """(name, what it counts, what purges it, parameters) for each rule."""

        def cutoff(days: int) -> dict[str, str]:
            moment = now - timedelta(days=days)
            return {"cutoff": stamp(moment), "cutoff_day": moment.date().isoformat()}

        strangers = cutoff(ages.stranger_account_days)
        return [
            ("message ids and stored replies", "FROM inbound WHERE received_at < :cutoff",
             "DELETE FROM inbound WHERE received_at < :cutoff", cutoff(ages.message_ids_days)),
            ("idle conversations", "FROM conversations WHERE updated_at < :cutoff",
             "DELETE FROM conversations WHERE updated_at < :cutoff",
             cutoff(ages.idle_conversation_days)),
            ("delivered outbox texts",
             "FROM outbox WHERE sent_at IS NOT NULL AND sent_at < :cutoff AND text <> ''",
             "UPDATE outbox SET text = '' WHERE sent_at IS NOT NULL AND sent_at < :cutoff "
             "AND text <> ''", cutoff(ages.delivered_outbox_days)),
            ("screening answers after the appointment", _SCREENINGS,
             "UPDATE screenings SET answers = '' WHERE id IN (SELECT id " + _SCREENINGS + ")",
             cutoff(ages.screening_after_appointment_days)),
            ("link codes and ID numbers tried",
             "FROM link_codes WHERE created_at < :cutoff",
             "DELETE FROM link_codes WHERE created_at < :cutoff", cutoff(ages.attempts_days)),
            ("ID attempt counts", "FROM id_attempts WHERE day < :cutoff_day",
             "DELETE FROM id_attempts WHERE day < :cutoff_day", cutoff(ages.attempts_days)),
            ("addresses of accounts that never registered anyone",
             "FROM addresses WHERE account_id IN (SELECT id " + _STRANGERS + ")",
             "DELETE FROM addresses WHERE account_id IN (SELECT id " + _STRANGERS + ")",
             strangers),
            ("accounts that never registered anyone", _STRANGERS,
             "DELETE " + _STRANGERS, strangers),
        ]  # fmt: skip

    def purge(self, now: datetime, ages: Ages, dry_run: bool = False) -> dict[str, int]:
        """Purge (or with ``dry_run`` only count) what is past its retention; counts by kind."""
        counts: dict[str, int] = {}
        with self._db.transaction():
            for name, counted, purging, params in self._rules(now, ages):
                if dry_run:
                    row = self._db.one(f"SELECT COUNT(*) {counted}", params)
                    counts[name] = int(row[0]) if row else 0
                else:
                    counts[name] = self._db.execute(purging, params)
        return counts
