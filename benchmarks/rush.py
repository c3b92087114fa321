"""The rush: N residents race for M places through the Twilio webhook of a real ``vaxbot serve``.

    .venv/bin/python benchmarks/rush.py [--residents 20000] [--places 5000] [--concurrency 32]
                                        [--db PATH|URL|postgresql] [--processes N]
                                        [--bare-requests 50000]

``--db postgresql://…`` runs the rush on a PostgreSQL server (a database ``vaxbot_bench_rush``
is made there), ``--db postgresql`` on a throwaway server started for the run
(``benchmarks/pg.py``). ``--processes N`` starts N ``vaxbot serve`` processes on the same
database and spreads the requests over them, round-robin request by request (so one
resident's messages go to different processes); the bare server runs as N processes too.

1. A database is seeded with the demo (clock frozen at 2021-06-17 09:00 Asia/Shanghai), the
   residents are pre-registered directly in it (one phone each, men of 41, living in the
   districts whose booking window is open at 09:00: Tianhe, Baiyun, Huangpu), and the slot
   capacities are set so that exactly M places exist: spread over every slot of those districts
   that can still be booked; every other slot has none.
2. ``vaxbot serve`` is started on loopback (a subprocess, with ``VAXBOT_TWILIO_AUTH_TOKEN`` set:
   every request is signed with the official ``twilio`` package, as Twilio signs them).
3. The residents race: each sends 预约, answers the five screening questions (否), picks a
   district (home first), a site, a date and a period at random among those offered, and
   confirms; when the place was just taken it picks again (at a dead end without options,
   which should not happen and is counted, it sends 预约 to start again), when a district is
   sold out it tries the next one, and when all three are sold out it gives up; after 20
   messages (the rate limit per minute) it gives up too. Each resident's messages are sent one
   after the other (the next after the reply), and all residents are interleaved over
   ``--concurrency`` connections, round-robin, so they reach the booking step together.
4. The same client drives a bare aiohttp server (another subprocess) whose handler parses the
   same form and returns fixed TwiML, at the same concurrency: half of ``--bare-requests``
   before the rush, half after; the faster run counts (the machine may be shared).

Printed: requests per second and p50/p99 latency of both, the ratio (aim: at least 0.5, p99
under 250 ms), bookings made, places overbooked (must be 0: no slot booked past capacity, and
each slot's ``booked`` equals its active bookings), messages lost (must be 0: every request got
a 200 with TwiML carrying a message, and every booking in the database was confirmed to its
resident in a reply). Exit status 1 if overbooked or lost is not 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: import the project's packages
    sys.path.insert(0, str(ROOT))

from benchmarks import pg  # noqa: E402
from benchmarks.rush_residents import Resident, residents  # noqa: E402
from benchmarks.servers import free_port, start, stop, wait_healthy  # noqa: E402
from bot.clock import parse_moment  # noqa: E402
from bot.demo import seed_demo  # noqa: E402
from flows.policy import Policy, load_policy  # noqa: E402
from flows.schedule import Window, window  # noqa: E402
from store import Store  # noqa: E402
from store.sealing import resident_where  # noqa: E402
from store.store import masked  # noqa: E402

NOW = "2021-06-17T09:00:00+08:00"
TOKEN = "rush-benchmark-twilio-token"
SECRETS = {
    "VAXBOT_TWILIO_AUTH_TOKEN": TOKEN,
    "VAXBOT_SMSGATE_SIGNING_KEY": "rush-benchmark-android-key",
    "VAXBOT_SMS_JSON_TOKEN": "rush-benchmark-json-token",
}
GATEWAY_NUMBER = "+8610690000001"
ACCOUNT_SID = "AC" + "0" * 32
FIXED_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>收到</Message></Response>'
AIM_RATIO = 0.5  # SQLite, one process; PostgreSQL: 0.3 (issue 14)
AIM_P99_MS = 250.0

# -- the database -----------------------------------------------------------------------------


def phone(i: int) -> str:
    return f"+86139{i:08d}"


def prepare(db: Path | str, policy: Policy, residents: int, places: int) -> list[str]:
    """Seed ``db``: demo sites, exactly ``places`` places, ``residents`` people. Returns the
    districts whose window is open at ``NOW`` (where the places are)."""
    now = parse_moment(NOW, policy.zone)
    store = Store.open(db)
    try:
        seed_demo(store, policy, now.date(), 7, now)
        open_districts = [d for d in policy.districts if window(policy, d, now) is Window.OPEN]
        sql = store.db  # the store's own database interface: the same SQL on every backend
        with store.transaction():
            sql.execute("UPDATE slots SET capacity = 0")
            marks = ", ".join(f":d{i}" for i in range(len(open_districts)))
            slot_ids = [
                row[0]
                for row in sql.all(
                    "SELECT t.id FROM slots t JOIN sites s ON s.id = t.site_id WHERE "
                    f"s.district_id IN ({marks}) AND (t.day > :today OR (t.day = :today "
                    "AND t.start > :time)) ORDER BY t.day, t.start, t.site_id",
                    {**{f"d{i}": d for i, d in enumerate(open_districts)},
                     "today": now.date().isoformat(), "time": now.strftime("%H:%M")},
                )
            ]  # fmt: skip
            base, extra = divmod(places, len(slot_ids))
            sql.execute_many(
                "UPDATE slots SET capacity = :capacity WHERE id = :id",
                [{"capacity": base + (n < extra), "id": slot_id}
                 for n, slot_id in enumerate(slot_ids)],
            )  # fmt: skip
            stamp = now.isoformat(timespec="seconds")
            sql.execute_many(
                "INSERT INTO accounts (id, phone, created_at) VALUES (:id, :phone, :at)",
                [{"id": i + 1, "phone": phone(i), "at": stamp} for i in range(residents)],
            )
            sql.advance_ids("accounts")  # ids given: later accounts are drawn after them
            people = store.people  # ID numbers sealed and indexed as registration does
            indexes = [people.document_indexes("resident_id", f"4401{i:013d}X")[0]
                       for i in range(residents)]  # fmt: skip
            sql.execute_many(
                "INSERT INTO residents (account_id, prereg_code, name, id_type, id_index, "
                "id_sealed, birth_date, sex, phone, district_id, created_at) VALUES (:account, "
                ":code, :name, 'resident_id', :index, :sealed, :born, 'M', :phone, :district, "
                ":at)",
                [
                    {"account": i + 1, "code": f"R{i:07d}", "name": f"居民{i}",
                     "index": index, "sealed": store.keys.seal(f"4401{i:013d}X",
                                                              resident_where(index)),
                     "born": date(1980, 1, 1).isoformat(), "phone": phone(i),
                     "district": open_districts[i % len(open_districts)], "at": stamp}
                    for i, index in enumerate(indexes)
                ],
            )  # fmt: skip
        row = sql.one("SELECT SUM(capacity) FROM slots")
        total = row[0] if row else 0
        assert total == places, (total, places)
        return open_districts
    finally:
        store.close()


@dataclass
class Outcome:
    bookings: int
    booked_sum: int
    capacity: int
    overbooked_slots: int
    overbooked_places: int
    mismatched_slots: int
    people_booked_twice: int
    codes: set[str]


def verify(url: Path | str) -> Outcome:
    with closing(Store.open(url)) as store:
        conn = store.db

        def one(sql: str) -> tuple[Any, ...]:
            row = conn.one(sql)
            assert row is not None
            return row

        bookings = one("SELECT COUNT(*) FROM bookings WHERE status = 'active'")[0]
        booked_sum, capacity = one("SELECT SUM(booked), SUM(capacity) FROM slots")
        over = one("SELECT COUNT(*), COALESCE(SUM(booked - capacity), 0) FROM slots "
                   "WHERE booked > capacity")  # fmt: skip
        mismatched = one(
            "SELECT COUNT(*) FROM slots t LEFT JOIN (SELECT slot_id, COUNT(*) AS n FROM bookings "
            "WHERE status = 'active' GROUP BY slot_id) b ON b.slot_id = t.id "
            "WHERE t.booked != COALESCE(b.n, 0)"
        )[0]
        twice = one(
            "SELECT COUNT(*) FROM (SELECT resident_id FROM bookings WHERE status = 'active' "
            "GROUP BY resident_id, dose HAVING COUNT(*) > 1) AS twice"
        )[0]
        codes = {row[0] for row in conn.all("SELECT code FROM bookings")}
    return Outcome(bookings, booked_sum, capacity, over[0], over[1], mismatched, twice, codes)


# -- the client -------------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    lost: int = 0  # not a 200 with TwiML carrying a message
    started: float = 0.0
    ended: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / (self.ended - self.started)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def twilio_form(sender: str, body: str, sid: str) -> dict[str, str]:
    return {"AccountSid": ACCOUNT_SID, "Body": body, "From": sender, "MessageSid": sid,
            "NumMedia": "0", "NumSegments": "1", "To": GATEWAY_NUMBER}  # fmt: skip


async def post(
    session: aiohttp.ClientSession, url: str, public: str, form: dict[str, str], stats: Stats,
    validator: RequestValidator,
) -> list[str] | None:  # fmt: skip
    headers = {"X-Twilio-Signature": validator.compute_signature(public, form)}
    began = time.perf_counter()
    try:
        async with session.post(url, data=form, headers=headers) as response:
            body = await response.text()
            status = response.status
    except (aiohttp.ClientError, TimeoutError):
        status, body = 0, ""
    stats.latencies.append(time.perf_counter() - began)
    stats.statuses[status] += 1
    said: list[str] | None = None
    if status == 200:
        try:
            root = ET.fromstring(body)
            said = [message.text or "" for message in root.findall("Message")]
        except ET.ParseError:
            said = None
    if not said:
        stats.lost += 1
    return said


async def timed(
    worker: Callable[[aiohttp.ClientSession], Awaitable[None]], concurrency: int, stats: Stats
) -> Stats:
    """Run ``concurrency`` copies of ``worker`` over one connection pool; ``stats`` timed."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as session:
        stats.started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        stats.ended = time.perf_counter()
    return stats


async def rush(bases: list[str], people: list[Resident], concurrency: int) -> Stats:
    """The residents, over ``concurrency`` connections; request k goes to ``bases[k % N]``."""
    stats = Stats()
    validator = RequestValidator(TOKEN)
    ready: asyncio.Queue[Resident | None] = asyncio.Queue()
    for person in people:
        ready.put_nowait(person)
    active = len(people)
    urls = [f"{base}/sms/twilio" for base in bases]
    sent = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal active, sent
        while (person := await ready.get()) is not None:
            assert person.pending is not None
            person.sent += 1
            sid = f"SM{person.index:016x}{person.sent:016x}"
            form = twilio_form(phone(person.index), person.pending, sid)
            url = urls[sent % len(urls)]
            sent += 1
            said = await post(session, url, url, form, stats, validator)
            if said is None:
                person.outcome, person.pending = "lost", None
            else:
                person.answer(said)
            if person.pending is not None:
                ready.put_nowait(person)
            else:
                active -= 1
                if active == 0:
                    for _ in range(concurrency):
                        ready.put_nowait(None)

    return await timed(worker, concurrency, stats)


async def hammer(bases: list[str], requests: int, concurrency: int) -> Stats:
    """The same signed forms, ``requests`` of them, to the bare servers (round-robin)."""
    stats = Stats()
    validator = RequestValidator(TOKEN)
    counter = iter(range(requests))
    urls = [f"{base}/sms/twilio" for base in bases]

    async def worker(session: aiohttp.ClientSession) -> None:
        for n in counter:
            form = twilio_form(phone(n % 20_000), "2", f"SM{n:032x}")
            url = urls[n % len(urls)]
            await post(session, url, url, form, stats, validator)

    return await timed(worker, concurrency, stats)


# -- the bare server ----------------------------------------------------------------------------


async def bare_handler(request: web.Request) -> web.Response:
    form = await request.post()
    if not form.get("From") or "Body" not in form or not form.get("MessageSid"):
        return web.Response(status=400)
    return web.Response(text=FIXED_TWIML, content_type="text/xml")


async def bare_health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def run_bare(port: int) -> None:
    app = web.Application(client_max_size=32 * 1024)
    app.router.add_post("/sms/twilio", bare_handler)
    app.router.add_get("/healthz", bare_health)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


# -- running it -------------------------------------------------------------------------------


def measure_bare(
    env: dict[str, str], tmp: Path, requests: int, concurrency: int, processes: int
) -> Stats:
    ports = [free_port() for _ in range(processes)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    bare = [start([sys.executable, __file__, "--bare-server", str(port)], env,
                  tmp / f"bare{port}.log") for port in ports]  # fmt: skip
    try:
        for base, proc in zip(bases, bare, strict=True):
            asyncio.run(wait_healthy(base, proc))
        return asyncio.run(hammer(bases, requests, concurrency))
    finally:
        for proc in bare:
            stop(proc)


def line(name: str, stats: Stats) -> str:
    return (
        f"{name:<14} {stats.requests:>8} requests in {stats.ended - stats.started:7.1f} s: "
        f"{stats.rate:8.0f} req/s, p50 {stats.percentile(0.5):6.1f} ms, "
        f"p99 {stats.percentile(0.99):6.1f} ms, lost {stats.lost}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--places", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=32, help="connections (default 32)")
    parser.add_argument(
        "--db",
        help="SQLite file to create (default: a temp file); a postgresql:// URL: a server to "
        "make the database vaxbot_bench_rush on; 'postgresql': a throwaway server",
    )
    parser.add_argument("--processes", type=int, default=1,
                        help="vaxbot serve processes on the database (default 1)")  # fmt: skip
    parser.add_argument("--threads", type=int,
                        help="turn threads of each serve process (default: serve's)")  # fmt: skip
    parser.add_argument("--bare-requests", type=int, default=50_000,
                        help="requests to the bare server (default 50000)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1, help="residents' random choices")
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_server:
        run_bare(args.bare_server)
        return 0

    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if args.db and pg.wanted(args.db):
        with pg.server(args.db) as server:
            return run(args, pg.fresh(server, "vaxbot_bench_rush"))
    return run(args, None)


def run(args: argparse.Namespace, url: str | None) -> int:
    policy = load_policy()
    with tempfile.TemporaryDirectory(prefix="vaxbot-rush-") as tmp:
        db: Path | str = url or (Path(args.db) if args.db else Path(tmp) / "rush.db")
        if isinstance(db, Path) and db.exists():
            raise SystemExit(f"{db} exists: give a new file")
        began = time.perf_counter()
        open_districts = prepare(db, policy, args.residents, args.places)
        names = [policy.districts[d].zh for d in open_districts]
        print(f"seeded {masked(db)}: {args.residents} residents, {args.places} places in "
              f"{', '.join(open_districts)} ({time.perf_counter() - began:.1f} s)")  # fmt: skip

        ports = [free_port() for _ in range(args.processes)]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        env = {k: v for k, v in os.environ.items() if not k.startswith("VAXBOT_")}
        if url:  # no key file beside a PostgreSQL database: the key pg.server gave this run
            env["VAXBOT_DATA_KEY"] = os.environ["VAXBOT_DATA_KEY"]
        env.update(SECRETS, VAXBOT_NOW=NOW, PYTHONUTF8="1")
        half = max(1, args.bare_requests // 2)
        bare_before = measure_bare(env, Path(tmp), half, args.concurrency, args.processes)
        servers = []
        for port, base in zip(ports, bases, strict=True):
            threads = ["--threads", str(args.threads)] if args.threads else []
            command = [sys.executable, "-m", "channels.cli", "serve", "--db", str(db), "--port",
                       str(port), *threads]  # fmt: skip
            servers.append(start(command, {**env, "VAXBOT_PUBLIC_URL": base},
                                 Path(tmp) / f"serve{port}.log"))  # fmt: skip
        try:
            for base, server in zip(bases, servers, strict=True):
                asyncio.run(wait_healthy(base, server))
            people = residents(args.residents, names, args.seed)
            stats = asyncio.run(rush(bases, people, args.concurrency))
        finally:
            stopped = [stop(server) for server in servers]
        code = max(abs(c) for c, _ in stopped)
        stopping = max(took for _, took in stopped)
        outcome = verify(db)
        bare_after = measure_bare(env, Path(tmp), half, args.concurrency, args.processes)
        # The machine may be shared: the faster of the two bare runs counts (the harsher ratio).
        bare_stats = max(bare_before, bare_after, key=lambda s: s.rate)

        outcomes = Counter(person.outcome for person in people)
        confirmed = {person.code for person in people if person.code}
        unconfirmed = len(outcome.codes - confirmed)
        lost = stats.lost + unconfirmed
        overbooked = outcome.overbooked_places + outcome.mismatched_slots
        ratio = stats.rate / bare_stats.rate
        backend = "PostgreSQL" if url else "SQLite"
        print(f"concurrency {args.concurrency}, signed requests (X-Twilio-Signature), "
              f"{args.processes} serve process(es) on {backend}")  # fmt: skip
        print(line("vaxbot serve", stats))
        print(line("bare aiohttp", bare_stats) + f" (runs: {bare_before.rate:.0f} before, "
              f"{bare_after.rate:.0f} after req/s)")  # fmt: skip
        aim = AIM_RATIO if url is None else 0.3
        print(f"ratio          {ratio:.2f} (aim >= {aim}); p99 "
              f"{stats.percentile(0.99):.1f} ms (aim < {AIM_P99_MS:.0f})")  # fmt: skip
        print(f"bookings made  {outcome.bookings} of {outcome.capacity} places "
              f"(sum of slots.booked {outcome.booked_sum})")  # fmt: skip
        print(f"overbooked     {overbooked} (slots past capacity {outcome.overbooked_slots}, "
              f"slots whose booked != active bookings {outcome.mismatched_slots}, "
              f"people booked twice {outcome.people_booked_twice})")  # fmt: skip
        print(f"lost           {lost} (unanswered or empty {stats.lost}, bookings never "
              f"confirmed to the resident {unconfirmed})")  # fmt: skip
        print(f"residents      {dict(sorted(outcomes.items(), key=str))}, restarts at a dead end "
              f"{sum(person.restarts for person in people)}")  # fmt: skip
        print(f"HTTP statuses  {dict(stats.statuses)}")
        print(f"serve exit     {code} after SIGTERM in {stopping:.2f} s")
        failed = overbooked or lost or outcome.people_booked_twice or code != 0
        return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
