"""How long the free-text interpreter takes to read one message.

    .venv/bin/python benchmarks/nlu.py [--rounds R] [--corpus FILE ...] [--profile] [--top N]

Builds an ``Interpreter`` as ``vaxbot nlu test`` does (the demo's sites, seeded into a temporary
file; the corpus's day as today), reads every corpus message once to warm it up (OpenCC's
dictionaries, the place names, the regular expressions), then reads the texts of the training
and held-out corpus (train.jsonl and heldout.jsonl, in flows/corpus/ or tests/nlu/; or the
``--corpus`` files) ``--rounds`` times, in a shuffled order each round, timing every ``read``
on its own with ``time.perf_counter_ns``. Prints the median, p90, p99 and max per message;
the same for its two halves (``normalise``: NFKC, case, OpenCC, typos; ``read_text``: phrases,
dates, names, scores); and the five slowest messages (by their median over the rounds). The
aim (issue 13) is a median of at most 0.2 ms.

The place names are rebuilt from the store every ``sites_ttl`` (5 s), as in the engine, so a
run longer than that has a rebuild or two in its max. ``--profile`` then reads the corpus once
more under cProfile and prints the top functions by own and by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: import the project's packages
    sys.path.insert(0, str(ROOT))

from bot.demo import seed_demo  # noqa: E402
from bot.nlu import Interpreter  # noqa: E402
from bot.nlu.normalise import Text  # noqa: E402
from bot.nlu.scoring import CORPUS_TODAY  # noqa: E402
from flows.policy import load_policy  # noqa: E402
from store import Store  # noqa: E402

CORPUS = ("train.jsonl", "heldout.jsonl")
CORPUS_DIRS = (ROOT / "flows" / "corpus", ROOT / "tests" / "nlu")  # where each file may be
AIM_MS = 0.2
# Answers typed inside a flow that match no option, so the engine reads them too: the health
# questions answered at once, a name, an ID number, a phone number, a date.
DIALOGUE = (
    "没有",
    "none",
    "张三",
    "Zhang San",
    "440106199001011235",
    "13900139000",
    "明天",
    "6月20日",
)


def corpus_files() -> list[Path]:
    """The training and held-out corpus files, wherever the checkout keeps them."""
    files = []
    for name in CORPUS:
        found = [folder / name for folder in CORPUS_DIRS if (folder / name).exists()]
        if not found:
            sys.exit(f"{name} not found in {' or '.join(str(d) for d in CORPUS_DIRS)}")
        files.append(found[0])
    return files


def corpus_texts(files: list[Path]) -> list[str]:
    texts: list[str] = []
    for path in files:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                texts.append(str(json.loads(line)["text"]))
    return texts


def percentile(sorted_values: list[int], fraction: float) -> int:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def ms(nanoseconds: float) -> str:
    return f"{nanoseconds / 1e6:.3f} ms"


def summary(label: str, samples: list[int]) -> str:
    ordered = sorted(samples)
    return (
        f"{label}: median {ms(percentile(ordered, 0.5))}, p90 {ms(percentile(ordered, 0.9))}, "
        f"p99 {ms(percentile(ordered, 0.99))}, max {ms(ordered[-1])}, "
        f"mean {ms(statistics.fmean(ordered))}"
    )


@dataclass
class Timings:
    reads: list[int] = field(default_factory=list)  # ns of wall time per read
    cpu: list[int] = field(default_factory=list)  # ns of this thread's CPU time per read
    normalise: list[int] = field(default_factory=list)
    read_text: list[int] = field(default_factory=list)
    per_text: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


def measure(interpreter: Interpreter, texts: list[str], rounds: int, seed: int) -> Timings:
    """Read every text ``rounds`` times, in a new shuffled order each round; each read timed
    on its own (wall and CPU time), then its two halves once more, timed apart."""
    today = CORPUS_TODAY
    read: Callable[[str, date], object] = interpreter.read
    normalise: Callable[[str], Text] = interpreter.normalise
    read_text: Callable[[Text, date], object] = interpreter.read_text
    wall, cpu = time.perf_counter_ns, time.thread_time_ns
    timings = Timings()
    order = list(range(len(texts)))
    shuffle = random.Random(seed).shuffle
    for _ in range(rounds):
        shuffle(order)
        for n in order:
            text = texts[n]
            cpu_before = cpu()
            before = wall()
            read(text, today)
            took = wall() - before
            timings.cpu.append(cpu() - cpu_before)
            timings.reads.append(took)
            timings.per_text[text].append(took)
            before = wall()
            said = normalise(text)
            middle = wall()
            read_text(said, today)
            timings.read_text.append(wall() - middle)
            timings.normalise.append(middle - before)
    return timings


def profile(interpreter: Interpreter, texts: list[str], top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for text in texts:
        interpreter.read(text, CORPUS_TODAY)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats(pstats.SortKey.TIME).print_stats(top)
    out.write("by cumulative time:\n")
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the free-text interpreter per message.")
    parser.add_argument("--rounds", type=int, default=20, help="reads of the corpus (default 20)")
    parser.add_argument(
        "--corpus",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="labelled JSON-lines files whose texts to read (default: train.jsonl and "
        "heldout.jsonl)",
    )
    parser.add_argument("--seed", type=int, default=13, help="shuffling seed (default 13)")
    parser.add_argument("--profile", action="store_true", help="also profile one more pass")
    parser.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    policy = load_policy()
    files = args.corpus or corpus_files()
    texts = corpus_texts(files)
    today = CORPUS_TODAY
    with tempfile.TemporaryDirectory(prefix="vaxbot-bench-nlu-") as tmp:
        store = Store.open(Path(tmp) / "demo.db")
        try:
            moment = datetime.combine(today, clock_time(9), tzinfo=policy.zone)
            seed_demo(store, policy, today, 7, moment)
            started = time.perf_counter()
            interpreter = Interpreter(policy, store.sites)
            built = time.perf_counter() - started
            started = time.perf_counter()
            for text in texts:  # warm-up: OpenCC, the place names, the regular expressions
                interpreter.read(text, today)
            warm = time.perf_counter() - started
            gc.freeze()  # as `vaxbot serve` does once started
            timings = measure(interpreter, texts, args.rounds, args.seed)
            dialogue = measure(interpreter, list(DIALOGUE), max(1, args.rounds * 10), args.seed)

            shown = ", ".join(
                str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p) for p in files
            )
            print(
                f"corpus: {len(texts)} messages ({len(set(texts))} distinct) from {shown}; "
                f"{args.rounds} rounds, {len(timings.reads):,} reads"
            )
            print(f"start-up: Interpreter() {built:.2f} s, first pass over the corpus {warm:.2f} s")
            print(summary("read (per message)", timings.reads))
            print(summary("  normalise", timings.normalise))
            print(summary("  read_text", timings.read_text))
            print(summary("read, CPU time of the thread", timings.cpu))
            print("slowest messages (median over the rounds):")
            slowest = sorted(timings.per_text.items(), key=lambda item: -statistics.median(item[1]))
            for text, samples in slowest[:5]:
                print(f"  {ms(statistics.median(samples))}  {text}")
            print(
                "answers typed in a flow (no option matched; the engine reads them too): "
                + ", ".join(
                    f"{text} {ms(statistics.median(dialogue.per_text[text]))}" for text in DIALOGUE
                )
            )
            median = percentile(sorted(timings.reads), 0.5) / 1e6
            verdict = "met" if median <= AIM_MS else "NOT met"
            print(f"median {median:.3f} ms (aim ≤ {AIM_MS}: {verdict})")
            if args.profile:
                print(f"\nprofile of one more pass over the corpus ({len(texts)} reads):")
                print(profile(interpreter, texts, args.top))
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
