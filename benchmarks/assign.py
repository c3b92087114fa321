"""How long `vaxbot assign` takes on a city-sized queue, and how much memory it needs.

    .venv/bin/python benchmarks/assign.py [--people N] [--places N] [--db PATH] [--seed S]

1. Generation (timed apart, not counted): a SQLite file made by ``Store.open`` (the real schema
   and pragmas) holding N queued people (residents, one queue row each; about half queued for
   dose 2 with a dose-1 record of various dates and 2- or 3-dose products, the others for dose
   1; all eleven districts, a fifth asking for another district than their own; a period
   preference for three quarters; born 1941-2006, so some are under 18 and some turn 18 during
   the week; one in five a relative whose account is another person's phone) and slots holding
   ``--places`` places in all (40 sites per district, one or two products each, six periods a
   day from 08:00 to 18:30, 18-24 June 2021, about places/slots places each), released,
   written with executemany in one transaction.
2. The run, in a fresh subprocess: ``bot.assign.run_assign`` end to end at 2021-06-17 20:00
   Asia/Shanghai (the start of the maintenance window) with the default policy: expire offers,
   load the queue and the places, assign, write offers + held places + queue states + the SMS
   (one per offer, and one more to the managing phone for a relative). The seconds are the
   wall time of that call, and its CPU time (the machine may be shared: other processes
   stretch the wall time, not the CPU time); the phases beside it are measured by thin
   wrappers around the functions it calls.
3. Memory: the subprocess's peak resident set (``ru_maxrss``): the interpreter and imported
   modules are included (its resident set just before the run is printed too), generation is
   not (it runs in this process). SQLite's page cache (``Store.bulk``, 128 MB) is included.
4. Checks on the file afterwards: no slot holds more than its capacity, every place taken is an
   open offer, one open offer per person, every offered queue row 'offered', the SMS count.

Aim: under 30 s and 1 GB for 1,000,000 people and 200,000 places on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: import the project's packages
    sys.path.insert(0, str(ROOT))

from bot.demo import sync_reference  # noqa: E402
from flows.policy import load_policy  # noqa: E402
from store import Store  # noqa: E402

NOW = "2021-06-17T20:00:00+08:00"
FIRST_DAY = date(2021, 6, 18)
DAYS = 7
PERIODS = (("08:00", "10:00"), ("10:00", "12:00"), ("12:00", "14:00"), ("14:00", "16:00"),
           ("16:00", "18:00"), ("18:30", "20:30"))  # fmt: skip
SITES_PER_DISTRICT = 40
RELEASED = "2021-06-10T08:00:00+08:00"
AIM_SECONDS, AIM_MB = 30.0, 1024.0


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


# -- generation -------------------------------------------------------------------------------


def generate(path: Path, people: int, places: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    policy = load_policy()
    store = Store.open(path)
    sync_reference(store, policy)
    store.close()  # its keyring (the key file beside the database) seals the ID numbers below
    districts = list(policy.districts)
    products = list(policy.products)
    two_plus = [key for key, product in policy.products.items() if product.doses >= 2]

    conn = __import__("sqlite3").connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("BEGIN")
    sites = [
        (i, district, rng.sample(products, rng.choice((1, 2))))
        for i, district in enumerate(
            (d for d in districts for _ in range(SITES_PER_DISTRICT)), start=1
        )
    ]
    conn.executemany(
        "INSERT INTO sites (id, district_id, name_zh, name_en, address_zh, address_en) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        ((i, d, f"{d}接种点{i}", f"{d} site {i}", f"{d}路{i}号", f"{i} {d} Rd")
         for i, d, _ in sites),
    )  # fmt: skip
    combos = [
        (site_id, product, (FIRST_DAY + timedelta(days=offset)).isoformat(), start, end)
        for site_id, _, stock in sites
        for product in stock
        for offset in range(DAYS)
        for start, end in PERIODS
    ]
    rng.shuffle(combos)
    combos = combos[: max(1, min(len(combos), places))]
    average = max(1, places // len(combos))
    capacities = [rng.randint(max(1, average - 4), average + 4) for _ in combos]
    difference = places - sum(capacities)
    while difference:
        i = rng.randrange(len(capacities))
        if difference > 0:
            capacities[i] += 1
            difference -= 1
        elif capacities[i] > 1:
            capacities[i] -= 1
            difference += 1
    conn.executemany(
        "INSERT INTO slots (site_id, product_id, day, start, end, capacity, released_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((*combo, capacity, RELEASED) for combo, capacity in zip(combos, capacities, strict=True)),
    )

    conn.executemany(
        "INSERT INTO accounts (id, phone, created_at) VALUES (?, ?, ?)",
        ((i, f"+86138{i:08d}", RELEASED) for i in range(1, people + 1)),
    )
    born_first = date(1941, 1, 1).toordinal()
    born_last = date(2006, 6, 1).toordinal()

    def residents() -> Iterator[tuple[Any, ...]]:
        for i in range(1, people + 1):
            born = date.fromordinal(rng.randint(born_first, born_last)).isoformat()
            account = i - 1 if i % 5 == 0 else i  # one in five: a relative, managed by another
            index, sealed = store.sealed_document("passport", f"P{i:09d}")
            yield (i, account, f"R{i:09d}", f"居民{i}", "passport", index, sealed, born,
                   f"+86138{i:08d}", rng.choice(districts), RELEASED)  # fmt: skip

    conn.executemany(
        "INSERT INTO residents (id, account_id, prereg_code, name, id_type, id_index, id_sealed, "
        "birth_date, phone, district_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        residents(),
    )
    second = [i for i in range(1, people + 1) if rng.random() < 0.5]
    dose_first = date(2021, 4, 1).toordinal()
    dose_last = date(2021, 6, 10).toordinal()
    conn.executemany(
        "INSERT INTO doses (resident_id, dose, day, product_id, source) VALUES (?, 1, ?, ?, ?)",
        ((i, date.fromordinal(rng.randint(dose_first, dose_last)).isoformat(),
          rng.choice(two_plus), "import") for i in second),
    )  # fmt: skip
    queued_first = date(2021, 6, 1).toordinal()
    second_set = set(second)
    periods = (None, "morning", "afternoon", "evening")

    def queue() -> Iterator[tuple[Any, ...]]:
        for i in range(1, people + 1):
            day = date.fromordinal(rng.randint(queued_first, queued_first + 15))
            stamp = f"{day.isoformat()}T{rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}:00+08:00"
            district = rng.choice(districts) if rng.random() < 0.2 else None
            yield (i, 2 if i in second_set else 1, district, rng.choice(periods), stamp)

    conn.executemany(
        "INSERT INTO queue (resident_id, dose, district_id, period, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        queue(),
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"slots": len(combos), "doses": len(second)}


# -- the run (in a fresh process) ---------------------------------------------------------------


def timed(phases: dict[str, float], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            result = fn(*args, **kwargs)
            if name == "load queue":
                result = list(result)  # a generator: time its consumption here
            return result
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - began

    return wrapper


def run(path: Path) -> dict[str, Any]:
    import bot.assign as batch
    from bot.clock import parse_moment

    policy = load_policy()
    now = parse_moment(NOW, policy.zone)
    store = Store.open(path)
    phases: dict[str, float] = {}
    wrapped = (
        (batch, "candidates_from_rows", "load queue"),
        (batch, "assign", "algorithm"),
        (store, "expire_offers", "expire"),
        (store, "waiting_candidates", "queue SQL"),
        (store, "assignable_places", "load places"),
        (store, "create_offers", "write offers+outbox"),
    )
    for owner, name, label in wrapped:
        setattr(owner, name, timed(phases, label, getattr(owner, name)))
    before = current_rss_mb()
    cpu_before = cpu_seconds()
    began = time.perf_counter()
    result = batch.run_assign(store, policy, now)
    seconds = time.perf_counter() - began
    cpu = cpu_seconds() - cpu_before
    store.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "phases": phases,
        "peak_mb": rss_mb(),
        "rss_before_mb": before,
        "line": result.line(),
        "offered": result.offered,
        "candidates": result.candidates,
        "places_free": result.places,
    }


def check(path: Path) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(str(path))
    one: Callable[[str], int] = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
    figures = {
        "overbooked slots": one("SELECT COUNT(*) FROM slots WHERE booked > capacity"),
        "places taken": one("SELECT COALESCE(SUM(booked), 0) FROM slots"),
        "offers": one("SELECT COUNT(*) FROM offers WHERE status = 'open'"),
        "people offered": one(
            "SELECT COUNT(DISTINCT resident_id) FROM offers WHERE status = 'open'"
        ),
        "slots used": one("SELECT COUNT(DISTINCT slot_id) FROM offers"),
        "offers to relatives": one(
            "SELECT COUNT(*) FROM offers o JOIN residents r ON r.id = o.resident_id "
            "JOIN accounts a ON a.id = r.account_id WHERE a.phone <> r.phone"
        ),
        "outbox SMS": one("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'offer:%'"),
        "queue offered": one("SELECT COUNT(*) FROM queue WHERE status = 'offered'"),
    }
    conn.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time `vaxbot assign` on a large queue.")
    parser.add_argument("--people", type=int, default=1_000_000, help="queued (default 1000000)")
    parser.add_argument("--places", type=int, default=200_000, help="places (default 200000)")
    parser.add_argument("--seed", type=int, default=2021, help="random seed (default 2021)")
    parser.add_argument("--db", type=Path, help="database file to create and keep")
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)  # the subprocess's part
    args = parser.parse_args(argv)
    if args.run:
        print(json.dumps(run(args.run)))
        return 0
    if min(args.people, args.places) < 1:
        parser.error("--people and --places must be at least 1")

    with tempfile.TemporaryDirectory(prefix="vaxbot-assign-") as tmp:
        path: Path = args.db or Path(tmp) / "assign.db"
        if path.exists():
            parser.error(f"{path} exists; give a new file")
        began = time.perf_counter()
        made = generate(path, args.people, args.places, args.seed)
        print(
            f"generated {args.people:,} queued people ({made['doses']:,} with dose 1 on record) "
            f"and {args.places:,} places in {made['slots']:,} slots "
            f"in {time.perf_counter() - began:.1f} s (not counted)"
        )
        load_before = os.getloadavg()[0]
        child = subprocess.run(
            [sys.executable, __file__, "--run", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode:
            print(child.stderr, file=sys.stderr)
            return 1
        result = json.loads(child.stdout.strip().splitlines()[-1])
        figures = check(path)
    phases = ", ".join(f"{name} {secs:.2f} s" for name, secs in result["phases"].items())
    print(f"vaxbot assign: {result['line']}")
    print(f"time: {result['seconds']:.2f} s end to end ({phases})")
    print(
        f"CPU time of the run: {result['cpu']:.2f} s; load average before/after: "
        f"{load_before:.2f}/{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work on the "
        "machine stretches the wall time, not the CPU time)"
    )
    print(
        f"peak memory: {result['peak_mb']:.0f} MB (ru_maxrss of the run's own process, "
        f"interpreter and imports included: {result['rss_before_mb']:.0f} MB before the run)"
    )
    print(
        f"candidates {result['candidates']:,}, places free {result['places_free']:,}; "
        + ", ".join(f"{name} {value:,}" for name, value in figures.items())
    )
    ok = (
        figures["overbooked slots"] == 0
        and figures["offers"] == figures["people offered"]
        and figures["outbox SMS"] == figures["offers"] + figures["offers to relatives"]
        and figures["places taken"] == figures["offers"]
        and figures["queue offered"] == figures["offers"]
    )
    print("checks: " + ("ok" if ok else "FAILED"))
    fast = result["seconds"] < AIM_SECONDS and result["peak_mb"] < AIM_MB
    print(f"aim (< {AIM_SECONDS:.0f} s, < {AIM_MB:.0f} MB): {'met' if fast else 'missed'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
