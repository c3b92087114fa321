"""A phone used for several people (tests/explore/family_bookings.jsonl, written for session 15
without reading the other corpora): asking about, cancelling and moving the bookings of the
sender, a relative by relation or name, two of them or all, with pronouns across messages
(佢嘅取消, cancel hers too), a relative not on the phone, and someone on another phone (nothing
told), in Mandarin, Cantonese, Traditional and English, judged through the real engine
(tests/family_support.py). At least 90% right and every line marked critical."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flows.policy import Policy
from tests.family_support import FamilyPhones, corpus, share

WANTS = {"status", "none", "cancel", "move", "cantgo", "which", "absent", "private", "kept"}


def test_the_corpus_covers_the_kinds() -> None:
    lines = corpus()
    assert len(lines) >= 150
    assert {str(line["want"]) for line in lines} == WANTS
    assert sum(1 for line in lines if len(line["say"]) > 1) >= 30
    assert sum(1 for line in lines if line.get("critical")) >= 40


def test_family_phone_messages_reach_the_right_people(
    seeded_template: Path, tmp_path: Path, policy: Policy, now: datetime
) -> None:
    phones = FamilyPhones(seeded_template, tmp_path, policy, now)
    results = list(phones.results(corpus()))
    wrong = [(" | ".join(line["say"]), why) for line, why in results if why]
    critical = [
        (" | ".join(line["say"]), why) for line, why in results if why and line.get("critical")
    ]
    assert not critical, "\n".join(map(str, critical))
    assert share(results) >= 0.9, "\n".join(map(str, wrong))
