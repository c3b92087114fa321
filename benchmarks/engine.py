"""How fast the engine answers, against what SQLite alone can do for the same booking.

    .venv/bin/python benchmarks/engine.py [--conversations N] [--db PATH] [--profile]

1. Engine: N residents, each texting from their own phone, run a whole numbered booking
   conversation (预约 → consent → name → ID → own phone → home district → booking district →
   site → date → period → confirm) through ``Engine.handle`` on a file database, clock frozen at
   2021-06-17 09:00 Asia/Shanghai. Turns per second, turn latency p50/p99.
2. Raw: the booking transaction done with the sqlite3 module alone on a similar file with the
   pragmas of ``Store.open``: ``BEGIN IMMEDIATE; UPDATE slots ... WHERE booked < capacity ...;
   INSERT INTO bookings ...; COMMIT``. Transactions per second (also with the already-booked
   check and the audit row that ``Store.book`` adds).
3. The ratio engine turns/s ÷ raw booking tx/s; the aim is at least 0.3.

``--profile`` then runs the engine part again under cProfile and prints the top functions by
cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: import the project's packages
    sys.path.insert(0, str(ROOT))

from bot.clock import parse_moment  # noqa: E402
from bot.demo import seed_demo  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.messages import Inbound  # noqa: E402
from flows.identity import check_character  # noqa: E402
from flows.policy import Policy, load_policy  # noqa: E402
from store import Store  # noqa: E402
from store.store import BUSY_TIMEOUT_MS  # noqa: E402

NOW = "2021-06-17T09:00:00+08:00"
DAYS = 7
BIG_CAPACITY = 1_000_000  # so no conversation ever meets a full slot
AIM = 0.3


def resident_number(i: int) -> str:
    """A valid 18-character resident ID: Tianhe area code, an adult birth date, sequence ``i``."""
    born = date(1985, 1, 1) + timedelta(days=i % 3650)
    first17 = f"440106{born:%Y%m%d}{i % 1000:03d}"
    return first17 + check_character(first17)


def name(i: int) -> str:
    """A Chinese name, distinct per ``i`` (names must be letters: no digits)."""
    return "张" + "".join("甲乙丙丁戊己庚辛壬癸"[int(d)] for d in str(i))


def sender(i: int) -> str:
    return f"+86139{i:08d}"


def conversation(i: int) -> list[str]:
    """Everything resident ``i`` sends, from 预约 to confirming; dates spread over the week."""
    return [
        "预约",  # book: nobody registered on this phone yet, so registration first
        "1",  # consent
        name(i),
        resident_number(i),
        "1",  # this phone
        "1",  # home district (Tianhe)
        "1",  # booking district (Tianhe, listed first as home)
        "1",  # site
        str(i % DAYS + 1),  # date
        "1",  # period
        "1",  # confirm
    ]


def seeded(path: Path, policy: Policy, moment: datetime) -> None:
    """Create ``path`` with the demo sites and slots, every slot made practically unlimited."""
    store = Store.open(path)
    try:
        seed_demo(store, policy, moment.date(), DAYS, moment)
        store.db.execute("UPDATE slots SET capacity = ?", [BIG_CAPACITY])
    finally:
        store.close()


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


class EngineRun:
    """The engine part: returns turn latencies in seconds."""

    def __init__(self, path: Path, policy: Policy, moment: datetime, conversations: int) -> None:
        self.path = path
        self.policy = policy
        self.moment = moment
        self.conversations = conversations
        self.latencies: list[float] = []
        self.wall = 0.0
        self.booked_replies = 0

    def prepare(self) -> None:
        seeded(self.path, self.policy, self.moment)

    def run(self) -> None:
        store = Store.open(self.path)
        moment = self.moment
        engine = Engine(store, self.policy, lambda: moment)
        scripts = [(sender(i), conversation(i)) for i in range(self.conversations)]
        clock = time.perf_counter
        latencies = self.latencies
        try:
            started = clock()
            for address, texts in scripts:
                replies = []
                for body in texts:
                    before = clock()
                    replies = engine.handle(Inbound("sms", address, body))
                    latencies.append(clock() - before)
                if replies and replies[0].text.startswith("预约成功"):
                    self.booked_replies += 1
            self.wall = clock() - started
        finally:
            store.close()

    def bookings(self) -> int:
        conn = sqlite3.connect(self.path)
        try:
            (count,) = conn.execute(
                "SELECT COUNT(*) FROM bookings WHERE status = 'active'"
            ).fetchone()
        finally:
            conn.close()
        return int(count)


def raw_connection(path: Path) -> sqlite3.Connection:
    """A connection set up as ``Store.open`` sets up its own."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def raw_people(conn: sqlite3.Connection, count: int, offset: int, stamp: str) -> list[int]:
    """``count`` accounts and residents inserted directly; their resident ids."""
    conn.execute("BEGIN IMMEDIATE")
    ids: list[int] = []
    for i in range(offset, offset + count):
        account = conn.execute(
            "INSERT INTO accounts (phone, created_at) VALUES (?, ?)", [sender(i), stamp]
        ).lastrowid
        number = resident_number(i)
        cursor = conn.execute(
            "INSERT INTO residents (account_id, prereg_code, name, id_type, id_number, "
            "birth_date, sex, phone, district_id, created_at) "
            "VALUES (?, ?, ?, 'resident_id', ?, ?, 'M', ?, 'tianhe', ?)",
            [account, f"R{i:07d}", name(i), number,
             f"{number[6:10]}-{number[10:12]}-{number[12:14]}", sender(i), stamp],
        )  # fmt: skip
        assert cursor.lastrowid is not None
        ids.append(cursor.lastrowid)
    conn.execute("COMMIT")
    return ids


UPDATE_SLOT = (
    "UPDATE slots AS t SET booked = booked + 1 WHERE t.id = :slot AND t.released_at <= :now "
    "AND t.booked < t.capacity AND (t.day > :today OR t.start > :time)"
)
INSERT_BOOKING = (
    "INSERT INTO bookings (resident_id, slot_id, dose, status, channel, actor, created_at, "
    "updated_at, code) VALUES (?, ?, 1, 'active', 'sms', 'self:sms', ?, ?, ?)"
)
CHECK_BOOKED = "SELECT 1 FROM bookings WHERE resident_id = ? AND dose = 1 AND status = 'active'"
INSERT_AUDIT = (
    "INSERT INTO audit (at, actor, channel, action, entity, entity_id, before, after) "
    "VALUES (?, 'self:sms', 'sms', 'book', 'booking', ?, NULL, ?)"
)


def raw_bookings(
    conn: sqlite3.Connection, people: list[int], slots: list[int], moment: datetime, full: bool
) -> float:
    """Book every person (round-robin over ``slots``), one transaction each; seconds taken."""
    stamp = moment.isoformat(timespec="seconds")
    when = {"now": stamp, "today": moment.date().isoformat(), "time": moment.strftime("%H:%M")}
    prefix = "F" if full else "B"
    started = time.perf_counter()
    for n, resident_id in enumerate(people):
        slot_id = slots[n % len(slots)]
        conn.execute("BEGIN IMMEDIATE")
        if full and conn.execute(CHECK_BOOKED, [resident_id]).fetchone():
            raise AssertionError("already booked")
        if not conn.execute(UPDATE_SLOT, {**when, "slot": slot_id}).rowcount:
            raise AssertionError(f"slot {slot_id} unavailable")
        booking_id = conn.execute(
            INSERT_BOOKING, [resident_id, slot_id, stamp, stamp, f"{prefix}{resident_id:07d}"]
        ).lastrowid
        if full:
            conn.execute(
                INSERT_AUDIT,
                [stamp, str(booking_id), f'{{"resident_id": {resident_id}, "slot_id": {slot_id}}}'],
            )
        conn.execute("COMMIT")
    return time.perf_counter() - started


def raw_run(path: Path, policy: Policy, moment: datetime, count: int) -> tuple[float, float]:
    """Raw booking tx/s: (UPDATE + INSERT), and (check + UPDATE + INSERT + audit)."""
    seeded(path, policy, moment)
    conn = raw_connection(path)
    try:
        stamp = moment.isoformat(timespec="seconds")
        slots = [
            int(row[0])
            for row in conn.execute(
                "SELECT id FROM slots WHERE day > ? ORDER BY id", [moment.date().isoformat()]
            )
        ]
        bare = raw_bookings(conn, raw_people(conn, count, 0, stamp), slots, moment, full=False)
        full = raw_bookings(conn, raw_people(conn, count, count, stamp), slots, moment, full=True)
    finally:
        conn.close()
    return count / bare, count / full


def profile_engine(run: Callable[[], None], top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats(pstats.SortKey.CUMULATIVE).print_stats(top)
    out.write("\nby own (internal) time:\n")
    stats.sort_stats(pstats.SortKey.TIME).print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--conversations", type=int, default=300, help="residents (default 300)")
    parser.add_argument(
        "--db", type=Path, help="engine database file to create (default: in a temporary dir)"
    )
    parser.add_argument("--profile", action="store_true", help="also profile the engine part")
    parser.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    args = parser.parse_args(argv)
    if args.conversations < 1:
        parser.error("--conversations must be at least 1")

    policy = load_policy()
    moment = parse_moment(NOW, policy.zone)
    with tempfile.TemporaryDirectory(prefix="vaxbot-bench-") as tmp:
        engine_path: Path = args.db or Path(tmp) / "engine.db"
        for path in (engine_path, engine_path.with_name(engine_path.name + ".raw")):
            if path.exists():
                parser.error(f"{path} exists; give a new file")
        raw_path = engine_path.with_name(engine_path.name + ".raw")
        print(f"engine database: {engine_path}")

        run = EngineRun(engine_path, policy, moment, args.conversations)
        run.prepare()
        run.run()
        turns = len(run.latencies)
        engine_rate = turns / run.wall
        latencies = sorted(run.latencies)
        bookings = run.bookings()
        print(
            f"engine: {engine_rate:,.0f} turns/s over {turns} turns "
            f"({args.conversations} conversations, {run.wall:.2f} s)"
        )
        print(
            f"engine turn latency: p50 {percentile(latencies, 0.5) * 1000:.2f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.2f} ms, "
            f"max {latencies[-1] * 1000:.2f} ms, first {run.latencies[0] * 1000:.2f} ms, "
            f"mean {statistics.fmean(latencies) * 1000:.2f} ms"
        )
        print(
            f"engine bookings: {bookings} active bookings for {args.conversations} conversations "
            f"({run.booked_replies} ended with 预约成功)"
        )

        raw_count = max(turns, 2000)
        bare_rate, full_rate = raw_run(raw_path, policy, moment, raw_count)
        print(
            f"raw booking transaction: {bare_rate:,.0f} tx/s over {raw_count} tx "
            "(BEGIN IMMEDIATE; UPDATE slots; INSERT bookings; COMMIT)"
        )
        print(
            f"raw booking transaction as Store.book: {full_rate:,.0f} tx/s "
            "(with the already-booked check and the audit row)"
        )
        ratio = engine_rate / bare_rate
        verdict = "met" if ratio >= AIM else "NOT met"
        print(f"ratio: {ratio:.3f} (aim >= {AIM}: {verdict})")
        print(f"ratio against Store.book-like transaction: {engine_rate / full_rate:.3f}")

        ok = bookings == args.conversations
        if not ok:
            print(f"ERROR: expected {args.conversations} bookings, found {bookings}")

        if args.profile:
            profiled = EngineRun(Path(tmp) / "profile.db", policy, moment, args.conversations)
            profiled.prepare()
            print(f"\nprofile of the engine part ({args.conversations} conversations again):")
            print(profile_engine(profiled.run, args.top))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
