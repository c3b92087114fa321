"""The demo's clock: the moment a newcomer's chat can book at, whatever the hour it is run.

The demo is seeded from Thursday 17 June 2021 for seven days (``conftest``); the default policy
opens Tianhe and Baiyun 08:00-12:00, Haizhu, Panyu and Zengcheng 12:00-16:00, the rest 16:00-20:00
(Huangpu 08:00-20:00), nobody 20:00-08:00, and keeps 19-21 June for dose 2 (a campaign).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import parse_moment
from bot.demo import booking_moment, is_demo, seed_demo
from flows.policy import Policy
from store import Store

MOMENTS = {
    "open-now-tianhe": ("2021-06-17T09:00", "2021-06-17T09:00"),
    "open-now-haizhu": ("2021-06-17T12:30", "2021-06-17T12:30"),
    "before-dawn": ("2021-06-17T04:00", "2021-06-17T08:00"),
    "at-night": ("2021-06-17T21:00", "2021-06-18T08:00"),
    "campaign-days-skipped": ("2021-06-18T20:00", "2021-06-22T08:00"),
    "last-places-started": ("2021-06-23T19:00", None),
    "after-the-demo": ("2021-07-30T09:00", None),
}


@pytest.mark.parametrize(("now", "expected"), MOMENTS.values(), ids=MOMENTS.keys())
def test_booking_moment(store: Store, policy: Policy, now: str, expected: str | None) -> None:
    moment = booking_moment(store, policy, parse_moment(now, policy.zone))
    assert moment == (parse_moment(expected, policy.zone) if expected else None)


def test_a_district_without_places_is_no_moment_to_book(policy: Policy, tmp_path: Path) -> None:
    """Places only in Haizhu: at 09:00 Tianhe's window is open but has nothing; wait for 12:00."""
    now = parse_moment("2021-06-17T09:00", policy.zone)
    haizhu_only = policy.model_copy(update={"districts": {"haizhu": policy.districts["haizhu"]}})
    store = Store.open(tmp_path / "haizhu.db")
    try:
        seed_demo(store, haizhu_only, now.date(), 7, now)
        assert booking_moment(store, policy, now) == parse_moment("2021-06-17T12:00", policy.zone)
    finally:
        store.close()


def test_seed_demo_marks_the_database_as_the_demo(store: Store, tmp_path: Path) -> None:
    assert is_demo(store)
    empty = Store.open(tmp_path / "empty.db")
    try:
        assert not is_demo(empty)
    finally:
        empty.close()
