"""Scores the family-phone corpus through the real engine (tests/family_support.py) and prints
each miss and the share right. Not a test: ``python tests/explore/run_family_bookings.py [WORD]``
(only lines whose messages hold WORD); tests/test_family_bookings.py asserts the share."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2]))

from tests.explore.common import seeded, summary
from tests.family_support import FamilyPhones, corpus


def main() -> None:
    work, policy, moment = seeded()
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
    print(summary(((bool(line.get("critical")), why) for line, why in results), misses))


if __name__ == "__main__":
    main()
