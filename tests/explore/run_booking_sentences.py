"""Scores the booking-sentence corpus through the real engine (tests/booking_sentences_support.py)
and prints each miss, the steps asked and the share right. Not a test:
``python tests/explore/run_booking_sentences.py [-v] [WORD]`` (WORD: only the lines whose text
has it; -v: every line's last reply). tests/test_booking_sentences.py asserts the share."""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2]))
os.environ.setdefault("VAXBOT_DATA_KEY", "exploration-only-data-key-0123456789abcdef")

from bot.clock import parse_moment
from bot.demo import seed_demo
from flows.policy import load_policy
from store import Store
from tests.booking_sentences_support import NOW, Runner, corpus, share


def main() -> None:
    verbose = "-v" in sys.argv
    words = [a for a in sys.argv[1:] if a not in ("-v", "-t")]
    work = Path(tempfile.mkdtemp())
    policy = load_policy()
    moment = parse_moment(NOW, policy.zone)
    store = Store.open(work / "template.db")
    seed_demo(store, policy, moment.date(), 7, moment)
    store.close()
    runner = Runner(work / "template.db", work, policy)
    lines = [x for x in corpus() if not words or any(w in " ".join(x.texts) for w in words)]
    results = list(runner.results(lines))
    misses: Counter[str] = Counter()
    for r in results:
        if r.why or verbose:
            misses[r.line.kind] += bool(r.why)
            print(f"{'MISS' if r.why else 'ok':>4} [{r.line.kind}] {' / '.join(r.line.texts)}"
                  f"\n     asked {r.asked}: {r.why}\n     {r.said[:160]!r}")  # fmt: skip
            if "-t" in sys.argv:
                print(r.heard)
    critical = [r for r in results if r.line.critical]
    print(f"right {share(results):.3f} of {len(results)}; critical right {share(critical):.3f} "
          f"of {len(critical)}; misses by kind {dict(misses)}")  # fmt: skip


if __name__ == "__main__":
    main()
