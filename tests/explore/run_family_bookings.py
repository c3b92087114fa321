"""Scores the family-phone corpus through the real engine (tests/family_support.py) and prints
each miss and the share right. Not a test: ``python tests/explore/run_family_bookings.py [WORD]``
(only lines whose messages hold WORD); tests/test_family_bookings.py asserts the share."""

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
from tests.family_support import FamilyPhones, corpus, share

NOW = "2021-06-17T09:00:00+08:00"


def main() -> None:
    work = Path(tempfile.mkdtemp())
    policy = load_policy()
    moment = parse_moment(NOW, policy.zone)
    store = Store.open(work / "template.db")
    seed_demo(store, policy, moment.date(), 7, moment)
    store.close()
    phones = FamilyPhones(work / "template.db", work, policy, moment)
    word = sys.argv[1] if len(sys.argv) > 1 else ""
    lines = [line for line in corpus() if word in " ".join(line["say"])]
    results = list(phones.results(lines))
    misses: Counter[str] = Counter()
    for line, why in results:
        if why:
            misses[str(line["want"])] += 1
            mark = "!" if line.get("critical") else " "
            print(
                f"{mark}{line['want']:>8} {line['base']} {' | '.join(line['say'])}\n{'':>10}{why}"
            )
    critical = [r for r in results if r[0].get("critical")]
    print(f"right {share(results):.3f} of {len(results)}; critical right {share(critical):.3f} "
          f"of {len(critical)}; misses by kind {dict(misses)}")  # fmt: skip


if __name__ == "__main__":
    main()
