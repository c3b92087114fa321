"""The residents of ``benchmarks/rush.py``: each books through the SMS webhook as a resident
would, reading the shipped Chinese replies to know which step they are at, and choosing at
random among the options offered.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from flows.texts import text

MAX_MESSAGES = 20  # per resident: the webhook's rate limit is 20 a minute

# What the replies say (the shipped Chinese texts), to know which step a resident is at.
SUCCESS = text("zh", "book.success", code="", name="", dose="", day="", period="", site="",
               address="").split("！")[0]  # fmt: skip
DISTRICT = text("zh", "book.district")
SITE = text("zh", "book.site")
CONFIRM = text("zh", "book.confirm", name="", dose="", day="", period="", site="", address="",
               product="").split("：")[0]  # fmt: skip
NO_SITES = text("zh", "book.no_sites", district="").split("，")[0]  # 暂无可预约名额
RATE_LIMITED = text("zh", "rate_limited")
ERROR = text("zh", "error")
SCREENING = text("zh", "screen.how")  # all the health questions at once: 没有 answers them
OPTION = re.compile(r"^回复(\d+) (.*)$")
DAY_OPTION = re.compile(r"\d+月\d+日 周. 剩\d+$")
PERIOD_OPTION = re.compile(r"^\d\d:\d\d-\d\d:\d\d")


@dataclass
class Resident:
    index: int
    districts: list[str]  # open districts' Chinese names, home first
    rng: random.Random
    sent: int = 0
    pending: str | None = "预约"
    tried: int = 0  # districts found sold out
    restarts: int = 0
    chosen: str | None = None
    outcome: str | None = None
    code: str | None = None

    def answer(self, said: list[str]) -> None:
        """Read the replies to the last message; set ``pending`` to the next one, or finish."""
        self.pending = None
        if not said:
            self.outcome = "silence"
            return
        last = said[-1]
        whole = "\n".join(said)
        lines = last.split("\n")
        options = [(m[1], m[2]) for m in map(OPTION.match, lines) if m]
        labels = [label for _, label in options]
        if SUCCESS in whole:
            self.outcome = "booked"
            found = re.search(r"预约码(B[0-9A-Z]{7})", whole)
            self.code = found[1] if found else None
        elif RATE_LIMITED in whole:
            self.outcome = "rate-limited"
        elif ERROR in whole:
            self.outcome = "error"
        elif self.sent >= MAX_MESSAGES:
            self.outcome = "gave-up"
        elif SCREENING in last:
            self.pending = "没有"  # the health questions, asked together: none applies
        elif labels == [text("zh", "yes"), text("zh", "no")]:
            self.pending = "2"  # a screening question asked alone: no
        elif DISTRICT in last:
            self.pending = self._district(options, NO_SITES in whole)
        elif CONFIRM in last:
            self.pending = "1"
        elif options and (
            SITE in last
            or all(DAY_OPTION.search(label) for label in labels)
            or all(PERIOD_OPTION.match(label) for label in labels)
        ):
            self.pending = self.rng.choice(options)[0]
        elif not options:
            # A dead end: a question without options. There should be none (each is counted
            # and printed); start again, as a resident would.
            self.restarts += 1
            self.pending = "预约"
        else:
            self.outcome = "confused"

    def _district(self, options: list[tuple[str, str]], sold_out: bool) -> str | None:
        if sold_out:
            self.tried += 1
        if self.tried >= len(self.districts):
            self.outcome = "sold-out"
            return None
        wanted = self.districts[self.tried]
        return next(key for key, label in options if label.startswith(wanted))


def residents(n: int, open_names: Sequence[str], seed: int = 1) -> list[Resident]:
    people = []
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        home = open_names[i % len(open_names)]
        others = [d for d in open_names if d != home]
        rng.shuffle(others)
        people.append(Resident(i, [home, *others], rng))
    return people
