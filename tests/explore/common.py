"""What the exploration runners share: the seeded demo they copy for each message, and the
closing line of their scores. The runners are scripts, not tests; each support module under
tests/ judges its own corpus."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

os.environ.setdefault("VAXBOT_DATA_KEY", "exploration-only-data-key-0123456789abcdef")

from bot.clock import parse_moment
from bot.demo import seed_demo
from flows.policy import Policy, load_policy
from store import Store

NOW = "2021-06-17T09:00:00+08:00"


def seeded(now: str = NOW) -> tuple[Path, Policy, datetime]:
    """A new work folder holding ``template.db``, the demo seeded for a week from ``now``; the
    policy; ``now`` as a moment."""
    work = Path(tempfile.mkdtemp())
    policy = load_policy()
    moment = parse_moment(now, policy.zone)
    store = Store.open(work / "template.db")
    seed_demo(store, policy, moment.date(), 7, moment)
    store.close()
    return work, policy, moment


def summary(results: Iterable[tuple[bool, str]], misses: Counter[str], by: str = "kind") -> str:
    """The closing line: the share right of all lines and of the critical ones (``results``:
    each line's critical flag and what was wrong, empty when right), and ``misses`` by ``by``."""
    marks = list(results)
    critical = [why for flag, why in marks if flag]
    right = sum(not why for _, why in marks) / len(marks)
    critical_right = sum(not why for why in critical) / len(critical) if critical else 1.0
    return (
        f"right {right:.3f} of {len(marks)}; critical right {critical_right:.3f} of "
        f"{len(critical)}; misses by {by} {dict(misses)}"
    )
