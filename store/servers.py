"""The ``vaxbot serve`` processes taking messages on one database, so that each knows whether
it is alone.

A message's place in its conversation's line (store/arrivals.py) and the pause before its turn
(``SETTLE`` in bot/intake.py) keep one sender's messages in order when several processes take
them. A process alone on its database needs neither: its event loop already holds its
messages in the order they came. So each ``serve`` joins here when it starts, says it is alive
every few seconds, and leaves when it stops; one not heard from for ``stale_us`` (killed) no
longer counts. Times are microseconds of the real clock, as the arrivals' (the hosts' clocks
must agree within a second or so: NTP). Ids are never reused (SQLite's AUTOINCREMENT, a
PostgreSQL identity; a process forgotten joins again under a new one), so two processes never
share a row.
"""

from __future__ import annotations

from store.db import Db

FORGET_US = 3_600_000_000  # rows of processes silent this long are removed


class Servers:
    def __init__(self, db: Db) -> None:
        self._db = db

    def join(self, host: str, pid: int, now_us: int) -> int:
        """This process, taking messages from now on; its id here."""
        with self._db.transaction():
            return self._db.insert(
                "INSERT INTO servers (host, pid, started_us, seen_us) "
                "VALUES (:host, :pid, :now, :now)",
                {"host": host, "pid": pid, "now": now_us},
            )

    def beat(self, server: int, now_us: int, stale_us: int) -> int | None:
        """``server`` is alive at ``now_us``; how many other processes were heard from within
        ``stale_us``. None if ``server`` is no longer listed (silent for ``FORGET_US``): it
        joins again, under a new id."""
        db = self._db
        params = {"id": server, "now": now_us, "fresh": now_us - stale_us,
                  "forget": now_us - FORGET_US}  # fmt: skip
        with db.transaction():
            if not db.execute("UPDATE servers SET seen_us = :now WHERE id = :id", params):
                return None
            db.execute("DELETE FROM servers WHERE seen_us < :forget", params)
            row = db.one(
                "SELECT count(*) FROM servers WHERE id <> :id AND seen_us >= :fresh", params
            )
        return int(row[0]) if row else 0

    def unaware(self, server: int, since_us: int, now_us: int, stale_us: int) -> int:
        """How many other live processes have not said they are alive since ``since_us`` (so
        may not know yet that ``server`` joined then)."""
        row = self._db.one(
            "SELECT count(*) FROM servers WHERE id <> :id AND seen_us >= :fresh "
            "AND seen_us < :since",
            {"id": server, "fresh": now_us - stale_us, "since": since_us},
        )
        return int(row[0]) if row else 0

    def leave(self, server: int) -> None:
        """This process takes no more messages."""
        with self._db.transaction():
            self._db.execute("DELETE FROM servers WHERE id = :id", {"id": server})
