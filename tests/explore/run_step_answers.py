"""Exploration harness for tests/explore/step_answers.jsonl: every line sent at its step on a
fresh phone of the seeded demo (clock fixed as in the tests); prints how many are right by kind
and step, and writes each line with what was shown and what is wrong. Not a test:
``python tests/explore/run_step_answers.py OUT.jsonl [CORPUS.jsonl]``."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

os.environ.setdefault("VAXBOT_DATA_KEY", "exploration-only-data-key-0123456789abcdef")

from bot.engine import Engine
from flows.policy import load_policy
from tests.conftest import NOW, Clock, open_seeded
from tests.step_answers_support import corpus, run


def main(out: Path, lines: Path | None = None) -> None:
    policy = load_policy()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_seeded(Path(tmp) / "demo.db", policy)
        engine = Engine(store, policy, Clock(policy, NOW))
        right: Counter[str] = Counter()
        total: Counter[str] = Counter()
        with out.open("w") as file:
            for line, said, why in run(engine, store, corpus(lines) if lines else corpus()):
                keys = [f"step {line.at}", "all"] + ["critical"] * line.critical
                for key in keys:
                    total[key] += 1
                    right[key] += why is None
                record = {**line.__dict__, "shown": said, "wrong": why}
                file.write(json.dumps(record, ensure_ascii=False) + "\n")
        for key in sorted(total):
            print(f"{key:24} {right[key]:4}/{total[key]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
