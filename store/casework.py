"""Casework for operators: call-back requests, the phone follow-up list of overdue second
doses, and the bookkeeping of the daily jobs (which ran for which day)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from store.audit import Audit
from store.db import Db
from store.models import StoreError
from store.rows import stamp

_CALLBACK_COLUMNS = (
    "id, channel, address, account_id, reason, status, created_at, closed_at, outcome"
)
_FOLLOWUP_COLUMNS = "id, resident_id, dose, level, created_at, status, called_at, operator, outcome"


class Casework:
    def __init__(self, db: Db, audit: Audit) -> None:
        self._db = db
        self._audit = audit

    # -- call-back requests ------------------------------------------------------------------

    def add_callback(
        self, channel: str, address: str, account_id: int | None, reason: str, now: datetime
    ) -> int:
        return self._db.insert(
            "INSERT INTO callbacks (channel, address, account_id, reason, created_at) "
            "VALUES (:channel, :address, :account, :reason, :at)",
            {"channel": channel, "address": address, "account": account_id, "reason": reason,
             "at": stamp(now)},
        )  # fmt: skip

    def close_callback(
        self, callback_id: int, outcome: str, close: bool, *, now: datetime, actor: str,
        channel: str,
    ) -> None:  # fmt: skip
        """Record what came of calling back; ``close`` takes it off the open list."""
        with self._db.transaction():
            row = self._db.one(
                "SELECT status, outcome FROM callbacks WHERE id = :id", {"id": callback_id}
            )
            if row is None:
                raise StoreError(f"no callback {callback_id}")
            status = "closed" if close else "open"
            self._db.execute(
                "UPDATE callbacks SET status = :status, outcome = :outcome, closed_at = :at "
                "WHERE id = :id",
                {"status": status, "outcome": outcome, "at": stamp(now) if close else None,
                 "id": callback_id},
            )  # fmt: skip
            self._audit.record(now, actor, channel, "callback", "callback", callback_id,
                               {"status": row[0], "outcome": row[1]},
                               {"status": status, "outcome": outcome})  # fmt: skip

    def open_callbacks(self) -> list[dict[str, Any]]:
        return self._db.dicts(
            f"SELECT {_CALLBACK_COLUMNS} FROM callbacks WHERE status = 'open' ORDER BY id"
        )

    def callback(self, callback_id: int) -> dict[str, Any] | None:
        """A call-back request as stored, open or closed."""
        found = self._db.dicts(
            f"SELECT {_CALLBACK_COLUMNS} FROM callbacks WHERE id = :id", {"id": callback_id}
        )
        return found[0] if found else None

    def callback_count(self) -> int:
        """How many call-back requests are open."""
        row = self._db.one("SELECT COUNT(*) FROM callbacks WHERE status = 'open'")
        return int(row[0]) if row else 0

    def contact(self, kind: str, case_id: int) -> str | None:
        """The number to call for a call-back request (``kind`` "cb") or a follow-up case."""
        if kind == "cb":
            row = self._db.one("SELECT address FROM callbacks WHERE id = :id", {"id": case_id})
        else:
            row = self._db.one(
                "SELECT r.phone FROM followups f JOIN residents r ON r.id = f.resident_id "
                "WHERE f.id = :id",
                {"id": case_id},
            )
        return str(row[0]) if row and row[0] else None

    # -- follow-ups of overdue doses ---------------------------------------------------------

    def add_followup(self, resident_id: int, dose: int, level: str, now: datetime) -> bool:
        return (
            self._db.execute(
                "INSERT INTO followups (resident_id, dose, level, created_at) "
                "VALUES (:resident, :dose, :level, :at) ON CONFLICT DO NOTHING",
                {"resident": resident_id, "dose": dose, "level": level, "at": stamp(now)},
            )
            == 1
        )

    def open_followups(self) -> list[dict[str, Any]]:
        """Yellow and red cases still to call, red first, then oldest."""
        return self._db.dicts(
            "SELECT f.id, f.resident_id, f.dose, f.level, f.created_at, f.called_at, f.outcome, "
            "r.name, r.phone, r.prereg_code FROM followups f JOIN residents r "
            "ON r.id = f.resident_id WHERE f.status = 'open' "
            "ORDER BY CASE WHEN f.level = 'red' THEN 0 ELSE 1 END, f.created_at, f.id"
        )

    def followup(self, followup_id: int) -> dict[str, Any] | None:
        """A follow-up case as stored, open or closed."""
        found = self._db.dicts(
            f"SELECT {_FOLLOWUP_COLUMNS} FROM followups WHERE id = :id", {"id": followup_id}
        )
        return found[0] if found else None

    def followups(self) -> list[dict[str, Any]]:
        """Every follow-up case as stored, open or closed, in order."""
        return self._db.dicts(f"SELECT {_FOLLOWUP_COLUMNS} FROM followups ORDER BY id")

    def followup_count(self) -> int:
        """How many follow-up cases are open."""
        row = self._db.one("SELECT COUNT(*) FROM followups WHERE status = 'open'")
        return int(row[0]) if row else 0

    def record_followup(
        self,
        followup_id: int,
        outcome: str,
        close: bool,
        *,
        now: datetime,
        operator: str,
        channel: str = "cli",
    ) -> None:
        with self._db.transaction():
            row = self._db.one(
                "SELECT status, outcome FROM followups WHERE id = :id", {"id": followup_id}
            )
            if row is None:
                raise StoreError(f"no follow-up {followup_id}")
            status = "closed" if close else "open"
            self._db.execute(
                "UPDATE followups SET outcome = :outcome, called_at = :at, operator = :operator, "
                "status = :status WHERE id = :id",
                {"outcome": outcome, "at": stamp(now), "operator": operator, "status": status,
                 "id": followup_id},
            )  # fmt: skip
            self._audit.record(now, f"operator:{operator}", channel, "followup", "followup",
                               followup_id, {"status": row[0], "outcome": row[1]},
                               {"status": status, "outcome": outcome})  # fmt: skip

    # -- daily jobs --------------------------------------------------------------------------

    def claim_job(
        self, name: str, period: str, now: datetime, lease: timedelta, worker: str
    ) -> bool:
        """Claim the run of daily job ``name`` for ``period`` (a date) for ``worker``: True for
        exactly one of any number of workers claiming at once; later, True again only if the
        run was never marked done (``finish_job``) and its claim is older than ``lease`` (the
        worker that claimed it died)."""
        params = {"name": name, "period": period, "at": stamp(now), "by": worker[:200],
                  "stale": stamp(now - lease)}  # fmt: skip
        with self._db.transaction():
            if self._db.execute(
                "INSERT INTO job_runs (name, period, claimed_at, claimed_by) "
                "VALUES (:name, :period, :at, :by) ON CONFLICT (name, period) DO NOTHING",
                params,
            ):
                return True
            return self._db.execute(
                "UPDATE job_runs SET claimed_at = :at, claimed_by = :by WHERE name = :name "
                "AND period = :period AND done_at IS NULL AND claimed_at <= :stale",
                params,
            ) == 1  # fmt: skip

    def finish_job(self, name: str, period: str, now: datetime) -> None:
        """Mark the claimed run of ``name`` for ``period`` done (and the job's last key)."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE job_runs SET done_at = :at WHERE name = :name AND period = :period",
                {"name": name, "period": period, "at": stamp(now)},
            )
            self.job_done(name, period, now)

    def release_job(self, name: str, period: str, worker: str) -> None:
        """Give up ``worker``'s unfinished claim of ``name`` for ``period`` (the job failed):
        the next worker to find it due claims it."""
        self._db.execute(
            "DELETE FROM job_runs WHERE name = :name AND period = :period "
            "AND claimed_by = :by AND done_at IS NULL",
            {"name": name, "period": period, "by": worker[:200]},
        )

    def job_runs(self, name: str | None = None) -> list[dict[str, Any]]:
        """Claimed runs of daily jobs (of one, or all): name, period, claimed_at, claimed_by,
        done_at; in order of claim."""
        where = "WHERE name = :name " if name is not None else ""
        return self._db.dicts(
            "SELECT name, period, claimed_at, claimed_by, done_at FROM job_runs "
            f"{where}ORDER BY claimed_at, name",
            {"name": name},
        )

    def job_done(self, name: str, key: str, now: datetime) -> bool:
        """Record that job ``name`` ran for ``key`` (e.g. a date); False if it already had."""
        return self._db.execute(
            "INSERT INTO jobs (name, last_key, ran_at) VALUES (:name, :key, :at) "
            "ON CONFLICT (name) DO UPDATE SET last_key = excluded.last_key, "
            "ran_at = excluded.ran_at WHERE jobs.last_key <> excluded.last_key",
            {"name": name, "key": key, "at": stamp(now)},
        ) == 1  # fmt: skip

    def last_job_key(self, name: str) -> str | None:
        row = self._db.one("SELECT last_key FROM jobs WHERE name = :name", {"name": name})
        return str(row[0]) if row else None
