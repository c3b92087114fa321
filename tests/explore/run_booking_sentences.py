"""Scores the booking-sentence corpus through the real engine (tests/booking_sentences_support.py)
and prints each miss, the steps asked and the share right. Not a test:
``python tests/explore/run_booking_sentences.py [-v] [WORD]`` (WORD: only the lines whose text
has it; -v: every line's last reply). tests/test_booking_sentences.py asserts the share."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2]))

from tests.booking_sentences_support import NOW, Runner, corpus
from tests.explore.common import seeded, summary


def main() -> None:
    verbose = "-v" in sys.argv
    words = [a for a in sys.argv[1:] if a not in ("-v", "-t")]
    work, policy, _ = seeded(NOW)
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
    print(summary(((r.line.critical, r.why) for r in results), misses))


if __name__ == "__main__":
    main()
