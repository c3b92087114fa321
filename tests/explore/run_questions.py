"""Scores the unseen questions corpus through the real engine (tests/question_support.py) and
prints each miss, the share right and the misses by topic. Not a test:
``python tests/explore/run_questions.py [FILE]`` (tests/test_questions_unseen.py asserts the
share; FILE: another corpus of the same form, e.g. tests/explore/questions_fresh.jsonl)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2]))

from tests.explore.common import seeded, summary
from tests.question_support import CORPUS, Questions, corpus


def main() -> None:
    work, policy, moment = seeded()
    questions = Questions(work / "template.db", work, policy, moment)
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    results = list(questions.results(corpus(path)))
    misses: Counter[str] = Counter()
    for line, why in results:
        if why:
            misses[" ".join(line["expect"])] += 1  # type: ignore[arg-type]
            mark = "!" if line.get("critical") else " "
            print(f"{mark} {' '.join(line['expect']):>14} {line['text']}\n{'':>16} {why}")  # type: ignore[arg-type]
    print(summary(((bool(line.get("critical")), why) for line, why in results), misses, "topic"))


if __name__ == "__main__":
    main()
