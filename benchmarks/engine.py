"""How fast the engine answers, against what SQLite alone can do for the same booking.

    .venv/bin/python benchmarks/engine.py [--conversations N] [--db PATH|URL|postgresql]
                                          [--repeat R] [--numbered] [--profile]

With ``--db postgresql://…`` (a server where databases may be created) or ``--db postgresql``
(a throwaway server started for the run: ``benchmarks/pg.py``), both parts run on PostgreSQL:
the engine on its own database, the raw part with psycopg alone (``BEGIN; UPDATE slots …;
INSERT INTO bookings … RETURNING id; COMMIT``) on another, on the same server.

1. Engine: N residents, each texting from their own phone, book a dose through
   ``Engine.handle`` on a file database, clock frozen at 2021-06-17 09:00 Asia/Shanghai, one
   conversation after another. They write as residents do (``KINDS``), in every ten:
   four send 预约 and answer every step with numbers (registration: consent, for myself, name,
   ID card, ID number, own phone, home district; the health questions, all in one message,
   answered 没有; district, site, date, period, confirm); one does the same but asks 孕妇可以打吗？
   at the health questions and 要带什么证件？ before confirming; two start with a sentence naming
   the day, the part of day and the site (我想明天上午在天河体育中心打疫苗, 你好，后天下午想在石牌打
   新冠疫苗), then register and pick only what is left (the period); one does that in English
   (I'd like to book tomorrow morning at Shipai; a Latin name; "none"); one books for their
   mother (帮我妈妈预约后天下午: registers her, then district, site, period); and one, registered
   beforehand with dose 1 on record (untimed), books dose 2 in one sentence
   (我想明天上午在天河体育中心打第二针), then 没有, a period, confirm. ``--numbered`` makes every
   resident of the first kind (the conversation before free text, issue 13). Turns per second,
   and turn latency p50/p99, also per kind of message: a command (预约), a number answering
   the options, a typed name or ID number, or free text (a sentence, a question, 没有).
2. Raw: the booking transaction done with the sqlite3 module alone on a similar file with the
   pragmas of ``Store.open``: ``BEGIN IMMEDIATE; UPDATE slots ... WHERE booked < capacity ...;
   INSERT INTO bookings ...; COMMIT``. Transactions per second (also with the already-booked
   check and the audit row that ``Store.book`` adds).
3. The ratio engine turns/s ÷ raw booking tx/s; the aim is at least 0.5 on SQLite, 0.3 on
   PostgreSQL.

The steps of each kind's conversation are found once, before timing, by running it (untimed)
and answering whatever step the engine is at (numbered option ``1`` unless the kind or the step
wants a name, an ID number, a date or 没有), so the script keeps working when a flow gains a
step. Each part runs ``--repeat`` times on fresh files and the best rate counts (the machine may
be shared). Both parts take about as long per run (about 3,700 turns; 10,000 transactions:
one to two seconds each here), so each best is taken over windows of the same length, with the same
share of WAL checkpoints: the best of a few very short runs would catch a quiet moment, or miss
every checkpoint, more often than the best of long ones. ``--profile`` then runs the engine part
once more under cProfile and prints the top functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: import the project's packages
    sys.path.insert(0, str(ROOT))

from benchmarks import pg  # noqa: E402
from benchmarks.raw import RawResult, raw_bookings, raw_connection  # noqa: E402
from benchmarks.residents import (  # noqa: E402
    DAYS,
    NUMBERED,
    PATTERN,
    Kind,
    Said,
    Script,
    category,
    conversation,
    name,
    probe_answer,
    resident_number,
    sender,
)
from bot.clock import parse_moment  # noqa: E402
from bot.demo import seed_demo  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.messages import Inbound, Reply  # noqa: E402
from flows.policy import Policy, load_policy  # noqa: E402
from store import Dose, Store  # noqa: E402
from store.store import masked  # noqa: E402
from tests.fakes import postgres  # noqa: E402

NOW = "2021-06-17T09:00:00+08:00"
CHANNEL = "sms"
BIG_CAPACITY = 1_000_000  # so no conversation ever meets a full slot
AIM = 0.5  # SQLite (issues 13 and 14); on PostgreSQL 0.3 (issue 14)
AIM_PG = 0.3
MAX_STEPS = 40  # a conversation longer than this is stuck
DOSE1_DAY = date(2021, 5, 20)  # dose 1 of those who book dose 2: 29 days before tomorrow
DOSE1_SITE = "天河体育中心"  # … given at the site they name for dose 2 (same maker)


# -- databases --------------------------------------------------------------------------------


PG_SERVER: str | None = None  # the PostgreSQL server of this run (``--db postgresql…``)


def fresh(path: Path | str) -> None:
    """Remove ``path`` and its WAL files, left by an earlier repeat of this run (PostgreSQL:
    make its database afresh)."""
    if isinstance(path, str):
        assert PG_SERVER is not None
        pg.fresh(PG_SERVER, path.rpartition("/")[2])
        return
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def seeded(path: Path | str, policy: Policy, moment: datetime) -> None:
    """Create ``path`` with the demo sites and slots, every slot made practically unlimited."""
    fresh(path)
    store = Store.open(path)
    try:
        seed_demo(store, policy, moment.date(), DAYS, moment)
        store.db.execute("UPDATE slots SET capacity = :capacity", {"capacity": BIG_CAPACITY})
    finally:
        store.close()


def register(store: Store, i: int, moment: datetime) -> int:
    """Resident ``i``, on the account of their phone, registered through the store; their id."""
    number = resident_number(i)
    account = store.account_for(CHANNEL, sender(i), sender(i), moment)
    resident = store.add_resident(
        account_id=account,
        name=name(i),
        id_type="resident_id",
        id_number=number,
        birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        sex="M" if int(number[16]) % 2 else "F",
        phone=sender(i),
        district_id="tianhe",
        now=moment,
        actor="benchmark",
        channel=CHANNEL,
    )
    return resident.id


def give_dose1(path: Path | str, residents: list[int], moment: datetime) -> None:
    """Register ``residents`` (numbers) with dose 1 on record at ``DOSE1_SITE`` (untimed)."""
    if not residents:
        return
    store = Store.open(path)
    try:
        (site,) = [s.id for s in store.sites() if s.name_zh.startswith(DOSE1_SITE)]
        product = store.slots(site_id=site)[0].product_id
        with store.transaction():
            for i in residents:
                dose = Dose(register(store, i, moment), 1, DOSE1_DAY, product, site, "import")
                store.add_dose(dose, moment, "benchmark", "import")
    finally:
        store.close()


def active_bookings(path: Path | str) -> int:
    store = Store.open(path)
    try:
        return sum(row["status"] == "active" for row in store.booking_rows())
    finally:
        store.close()


def render(replies: list[Reply]) -> str:
    return "\n".join(
        "\n".join([f"< {r.text}", *(f"<   {o.key}. {o.label}" for o in r.options)]) for r in replies
    )


def discover(path: Path, policy: Policy, moment: datetime, kinds: list[Kind]) -> list[Script]:
    """The steps of each kind's conversation and their answers, found by running one of each
    (untimed), resident ``n`` for the kind at ``kinds[n]``."""
    seeded(path, policy, moment)
    give_dose1(path, [n for n, kind in enumerate(kinds) if kind.dose1], moment)
    store = Store.open(path)
    scripts: dict[Kind, Script] = {}
    transcript: list[str] = []
    try:
        engine = Engine(store, policy, lambda: moment)
        for n, kind in enumerate(kinds):
            if kind in scripts:
                continue
            transcript = []
            script: Script = []
            body, at = kind.opening, None
            for _ in range(MAX_STEPS):
                replies = engine.handle(Inbound(CHANNEL, sender(n), body))
                transcript += [f"> {body}", render(replies)]
                state = store.load_state(CHANNEL, sender(n))
                if state is None or state.get("flow") is None:
                    break
                step = str(state["step"])
                if script and script[-1].aside and step != at:
                    sys.exit(
                        f"a question moved the {kind.label} conversation on:\n"
                        + "\n".join(transcript)
                    )
                if step in kind.asides and not any(s.aside and s.step == step for s in script):
                    body = kind.asides[step]
                    script.append(Said(step, body, aside=True))
                else:
                    body = probe_answer(kind, step, state.get("options", []), n)
                    script.append(Said(step, body))
                at = step
            scripts[kind] = script
            if active_bookings(path) != len(scripts):
                sys.exit(
                    f"the probe conversation ({kind.label}) did not end in a booking:\n"
                    + "\n".join(transcript)
                )
    finally:
        store.close()
    return [scripts[kind] for kind in kinds]


# -- the engine part --------------------------------------------------------------------------


@dataclass
class EngineResult:
    turns: int
    wall: float
    latencies: list[float]  # seconds per turn, in the order sent
    categories: list[str]  # what each turn was (see ``category``), in the same order
    bookings: int
    successes: int  # conversations whose last reply began with 预约成功

    @property
    def rate(self) -> float:
        return self.turns / self.wall


class EngineRun:
    def __init__(
        self,
        path: Path | str,
        policy: Policy,
        moment: datetime,
        kinds: list[Kind],
        scripts: list[Script],
        conversations: int,
    ) -> None:
        self.path = path
        self.policy = policy
        self.moment = moment
        # resident i is of kind kinds[i % len(kinds)], whose script is scripts[i % len(kinds)]
        self.dose1 = [i for i in range(conversations) if kinds[i % len(kinds)].dose1]
        self.scripts = [
            (sender(i), conversation(kinds[i % len(kinds)], scripts[i % len(kinds)], i))
            for i in range(conversations)
        ]
        self.result: EngineResult | None = None

    def prepare(self) -> None:
        seeded(self.path, self.policy, self.moment)
        give_dose1(self.path, self.dose1, self.moment)

    def run(self) -> None:
        """Every conversation, one after another, through one engine on one connection."""
        store = Store.open(self.path)
        moment = self.moment
        engine = Engine(store, self.policy, lambda: moment)
        engine.warm()  # as `vaxbot serve` does at start-up
        gc.freeze()  # as `vaxbot serve` does once started: start-up objects out of collections
        clock = time.perf_counter
        latencies: list[float] = []
        successes = 0
        try:
            started = clock()
            for address, texts in self.scripts:
                replies: list[Reply] = []
                for body in texts:
                    before = clock()
                    replies = engine.handle(Inbound(CHANNEL, address, body))
                    latencies.append(clock() - before)
                successes += bool(replies) and replies[0].text.startswith(("预约成功", "Booked"))
            wall = clock() - started
        finally:
            store.close()
        bookings = active_bookings(self.path)
        categories = [category(body) for _, texts in self.scripts for body in texts]
        self.result = EngineResult(len(latencies), wall, latencies, categories, bookings, successes)


# -- the raw SQLite part ----------------------------------------------------------------------


def registered(path: Path | str, count: int, moment: datetime) -> list[int]:
    """``count`` residents, each on their own account, registered through the store (untimed)."""
    store = Store.open(path)
    try:
        with store.transaction():
            return [register(store, i, moment) for i in range(count)]
    finally:
        store.close()


def raw_template(path: Path | str, policy: Policy, moment: datetime, count: int) -> list[int]:
    """The raw part's starting file: demo slots and ``count`` residents; their ids."""
    seeded(path, policy, moment)
    return registered(path, count, moment)


def raw_run(
    template: Path | str, path: Path | str, people: list[int], moment: datetime
) -> RawResult:
    """On a copy of ``template``: one bare booking transaction per person (dose 1), then one
    full one each (dose 2)."""
    if isinstance(path, str) and isinstance(template, str):  # PostgreSQL
        assert PG_SERVER is not None
        url = pg.fresh(PG_SERVER, path.rpartition("/")[2], template.rpartition("/")[2])
        bare = pg.raw_bookings(url, people, moment, dose=1, full=False)
        return RawResult(len(people), bare, pg.raw_bookings(url, people, moment, 2, True))
    assert isinstance(path, Path) and isinstance(template, Path)
    fresh(path)
    shutil.copyfile(template, path)  # closed cleanly, so the WAL is checkpointed into it
    conn = raw_connection(path)
    try:
        slots = [
            int(row[0])
            for row in conn.execute(
                "SELECT id FROM slots WHERE day > ? ORDER BY id", [moment.date().isoformat()]
            )
        ]
        bare = raw_bookings(conn, people, slots, moment, dose=1, full=False)
        full = raw_bookings(conn, people, slots, moment, dose=2, full=True)
    finally:
        conn.close()
    return RawResult(len(people), bare, full)


# -- report -----------------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def profile(run: Callable[[], None], top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(top)
    out.write("by own time:\n")
    stats.sort_stats(pstats.SortKey.TIME).print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Engine turns/s against raw SQLite booking transactions/s."
    )
    parser.add_argument("--conversations", type=int, default=300, help="residents (default 300)")
    parser.add_argument(
        "--db",
        help="engine database file to create, kept afterwards (default: a temporary dir); "
        "the raw part uses PATH.raw next to it. A postgresql:// URL: run both parts on that "
        "server (databases vaxbot_bench_* are made there); 'postgresql': on a throwaway server",
    )
    parser.add_argument(
        "--raw", type=int, default=10_000, help="raw booking transactions per run (default 10000)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each part; best counts")
    parser.add_argument(
        "--numbered",
        action="store_true",
        help="every resident sends 预约 and answers with numbers (no sentences, no questions)",
    )
    parser.add_argument("--profile", action="store_true", help="also profile the engine part")
    parser.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    args = parser.parse_args(argv)
    if min(args.conversations, args.repeat, args.raw) < 1:
        parser.error("--conversations, --raw and --repeat must be at least 1")

    if args.db and pg.wanted(args.db):
        global PG_SERVER
        with pg.server(args.db) as PG_SERVER:
            return run(args, parser)
    return run(args, parser)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    policy = load_policy()
    moment = parse_moment(NOW, policy.zone)
    with tempfile.TemporaryDirectory(prefix="vaxbot-bench-") as tmp:
        engine_path: Path | str
        if PG_SERVER is not None:
            engine_path = postgres.database_url(PG_SERVER, "vaxbot_bench_engine")
            raw_path: Path | str = postgres.database_url(PG_SERVER, "vaxbot_bench_raw")
            template: Path | str = postgres.database_url(PG_SERVER, "vaxbot_bench_template")
        else:
            engine_path = Path(args.db) if args.db else Path(tmp) / "engine.db"
            raw_path = engine_path.with_name(engine_path.name + ".raw")
            template = Path(tmp) / "raw-template.db"
            for path in (engine_path, raw_path):
                if path.exists():
                    parser.error(f"{path} exists; give a new file")

        kinds = [NUMBERED] if args.numbered else PATTERN
        scripts = discover(Path(tmp) / "probe.db", policy, moment, kinds)
        shown = set()
        for kind, script in zip(kinds, scripts, strict=True):
            if kind in shown:
                continue
            shown.add(kind)
            steps = " → ".join(
                f"({said.text})" if said.aside else f"{said.step} {said.text}" for said in script
            )
            print(
                f"conversation, {kind.share} in {len(kinds)} ({kind.label}): "
                f"{kind.opening} → {steps} ({len(script) + 1} turns)"
            )
        print(f"engine database: {masked(engine_path)}")

        engine_results: list[EngineResult] = []
        raw_results: list[RawResult] = []
        raw_count = args.raw
        people = raw_template(template, policy, moment, raw_count)
        for _ in range(args.repeat):  # interleaved, so both parts see the same machine load
            run = EngineRun(engine_path, policy, moment, kinds, scripts, args.conversations)
            run.prepare()
            run.run()
            assert run.result is not None
            engine_results.append(run.result)
            raw_results.append(raw_run(template, raw_path, people, moment))

        best = max(engine_results, key=lambda r: r.rate)
        latencies = sorted(best.latencies)
        rates = ", ".join(f"{r.rate:,.0f}" for r in engine_results)
        print(
            f"engine: {best.rate:,.0f} turns/s over {best.turns} turns "
            f"({args.conversations} conversations in {best.wall:.2f} s; runs: {rates})"
        )
        print(
            f"engine turn latency: p50 {ms(percentile(latencies, 0.5))}, "
            f"p99 {ms(percentile(latencies, 0.99))}, max {ms(latencies[-1])}, "
            f"mean {ms(statistics.fmean(latencies))}, first turn {ms(best.latencies[0])}"
        )
        by_category: dict[str, list[float]] = {}
        for took, what in zip(best.latencies, best.categories, strict=True):
            by_category.setdefault(what, []).append(took)
        for what, taken in sorted(by_category.items(), key=lambda item: -len(item[1])):
            taken.sort()
            print(
                f"  {what}: {len(taken)} turns, p50 {ms(percentile(taken, 0.5))}, "
                f"p99 {ms(percentile(taken, 0.99))}"
            )
        print(
            f"engine bookings: {best.bookings} active bookings after {args.conversations} "
            f"conversations ({best.successes} ended with 预约成功)"
        )

        bare = max(r.count / r.bare for r in raw_results)
        full = max(r.count / r.full for r in raw_results)
        begin = "BEGIN" if PG_SERVER else "BEGIN IMMEDIATE"
        print(
            f"raw booking transaction: {bare:,.0f} tx/s over {raw_count} tx "
            f"({begin}; UPDATE slots; INSERT bookings; COMMIT; "
            f"runs: {', '.join(f'{r.count / r.bare:,.0f}' for r in raw_results)})"
        )
        print(
            f"raw booking transaction as Store.book does it: {full:,.0f} tx/s "
            "(plus the already-booked check and the audit row)"
        )
        ratio, aim = best.rate / bare, AIM_PG if PG_SERVER else AIM
        print(f"ratio: {ratio:.3f} (aim >= {aim}: {'met' if ratio >= aim else 'NOT met'})")
        print(f"ratio against the Store.book-like transaction: {best.rate / full:.3f}")

        ok = all(r.bookings == r.successes == args.conversations for r in engine_results)
        if not ok:
            print(f"ERROR: every run should end with {args.conversations} bookings")

        if args.profile:
            where = engine_path if PG_SERVER else Path(tmp) / "profile.db"
            profiled = EngineRun(where, policy, moment, kinds, scripts, args.conversations)
            profiled.prepare()
            print(f"\nprofile of the engine part ({args.conversations} conversations again):")
            print(profile(profiled.run, args.top))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
