"""Scores the unseen questions corpus through the real engine (tests/question_support.py) and
prints each miss, the share right and the misses by topic. Not a test:
``python tests/explore/run_questions.py [FILE]`` (tests/test_questions_unseen.py asserts the
share; FILE: another corpus of the same form, e.g. tests/explore/questions_fresh.jsonl)."""

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
from tests.question_support import CORPUS, Questions, corpus, share

NOW = "2021-06-17T09:00:00+08:00"


def main() -> None:
    work = Path(tempfile.mkdtemp())
    policy = load_policy()
    moment = parse_moment(NOW, policy.zone)
    store = Store.open(work / "template.db")
    seed_demo(store, policy, moment.date(), 7, moment)
    store.close()
    questions = Questions(work / "template.db", work, policy, moment)
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    results = list(questions.results(corpus(path)))
    misses: Counter[str] = Counter()
    for line, why in results:
        if why:
            misses[" ".join(line["expect"])] += 1  # type: ignore[arg-type]
            mark = "!" if line.get("critical") else " "
            print(f"{mark} {' '.join(line['expect']):>14} {line['text']}\n{'':>16} {why}")  # type: ignore[arg-type]
    critical = [r for r in results if r[0].get("critical")]
    print(f"right {share(results):.3f} of {len(results)}; critical right {share(critical):.3f} "
          f"of {len(critical)}; misses by topic {dict(misses)}")  # fmt: skip


if __name__ == "__main__":
    main()
