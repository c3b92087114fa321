"""Spec for ``vaxbot doses import`` (bot/records.py), on SQLite and PostgreSQL: the rows it
rejects (each with its reason, every field problem at once), and nothing partial when recording a
dose fails.

The ``store`` fixture is the demo seeded for 2021-06-17..23, frozen at 09:00 Asia/Shanghai.
Tests call ``import_doses`` on rows as ``read_table`` yields them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.records import (
    Rejected,
    Status,
    import_doses,
)
from flows.policy import Policy, load_policy
from store import Store
from tests.conftest import open_seeded
from tests.doses_import_support import (
    DOSE1,
    DOSE2,
    SHIPAI,
    ZHANG,
    count,
    dose,
    id_number,
    run,
)

BACKENDS = ("sqlite", "postgresql")

# -- rejections --------------------------------------------------------------------------------


WRONG_CHECK = ZHANG[:17] + ("0" if ZHANG[17] != "0" else "1")

REJECTIONS = [
    # pytest.param(earlier rows of the same file, the row, (part of) the reason, id=case)
    pytest.param([], dose(id_number=""), "no ID number", id="no ID"),
    pytest.param(
        [], dose(id_number=ZHANG[:17]), "bad ID number: wrong length (17 characters, need 18)",
        id="ID too short",
    ),
    pytest.param(
        [], dose(id_number=ZHANG[:16] + "AB"), "bad ID number: only digits and a final X",
        id="ID letters",
    ),
    pytest.param(
        [], dose(id_number=id_number("44010619901301123")), "bad ID number: the birth date",
        id="ID birth date",
    ),
    pytest.param(
        [], dose(id_number=id_number("44010620300101123")), "bad ID number: the birth date",
        id="ID born later",
    ),
    pytest.param(
        [], dose(id_number=WRONG_CHECK), "bad ID number: the check character", id="ID checksum"
    ),
    pytest.param([], dose(name=" "), "no name", id="no name"),
    pytest.param([], dose(name="张三3"), "name must be letters only", id="name with digits"),
    pytest.param([], dose(phone=""), "no phone number", id="no phone"),
    pytest.param([], dose(phone="12345"), "bad phone number", id="bad phone"),
    pytest.param([], dose(phone="020-87654321"), "bad phone number", id="landline"),
    pytest.param([], dose(product="pfizer"), "unknown product 'pfizer'", id="unknown product"),
    pytest.param([], dose(product=""), "no product", id="no product"),
    pytest.param(
        [], dose(site="火星接种点"), "unknown site or district '火星接种点'", id="unknown site"
    ),
    pytest.param([], dose(site=""), "no site or district", id="no site"),
    pytest.param([], dose(dose="0"), "dose '0' is not a dose number", id="dose zero"),
    pytest.param([], dose(dose="第一针"), "is not a dose number", id="dose in words"),
    pytest.param(
        [], dose(dose="2", product="ad5"), "dose 2 is beyond the 1 dose(s) of ad5",
        id="dose beyond product",
    ),
    pytest.param(
        [DOSE1, DOSE2], dose(dose="3", date="2021-06-10"),
        "dose 3 is beyond the 2 dose(s) of coronavac", id="dose 3 of two",
    ),
    pytest.param(
        [], dose(date="2021-06-18"), "date 2021-06-18 is in the future", id="future date"
    ),
    pytest.param(
        [], dose(date="2021/05/01"), "date '2021/05/01' is not YYYY-MM-DD", id="date slashes"
    ),
    pytest.param([], dose(date="20210501"), "is not YYYY-MM-DD", id="date compact"),
    pytest.param(
        [], dose(date="2021-02-30"), "date '2021-02-30' is not a real day", id="no such day"
    ),
    pytest.param(
        [], dose(date="1989-12-31"), "before the person's birth date", id="before birth"
    ),
    pytest.param([], DOSE2, "dose 2 without dose 1 on record", id="dose 2 first"),
    pytest.param(
        [dose(product="zf2001")], dose(dose="3", product="zf2001"),
        "dose 3 without dose 2 on record", id="dose 3 without 2",
    ),
    pytest.param(
        [DOSE1], dose(dose="2", date="2021-06-01", product="bbibp"),
        "bbibp is made by sinopharm-beijing, but dose 1 was coronavac (sinovac)",
        id="other manufacturer",
    ),
    pytest.param(
        [DOSE1], dose(dose="2", date="2021-05-11"),
        "dose 2 recorded on 2021-05-11 is only 10 days after dose 1 (minimum 21)",
        id="interval",
    ),
    pytest.param(
        [DOSE1], dose(dose="2", date="2021-05-21"), "only 20 days after dose 1 (minimum 21)",
        id="day 20",
    ),
    pytest.param(
        [DOSE1], dose(dose="2", date="2021-04-01"),
        "dose 2 recorded on 2021-04-01 is before dose 1 (2021-05-01)", id="before dose 1",
    ),
    pytest.param(
        [DOSE1], dose(name="李四", dose="2", date="2021-06-01"),
        "ID registered under another name", id="another name",
    ),
    pytest.param(
        [DOSE1], dose(date="2021-05-02"),
        "dose 1 is already recorded differently: coronavac on 2021-05-01 at 天河体育中心接种点",
        id="duplicate, other day",
    ),
    pytest.param(
        [DOSE1], dose(site="Tianhe"), "dose 1 is already recorded differently",
        id="duplicate, other site",
    ),
    pytest.param(
        [DOSE1], dose(product="bbibp", site=SHIPAI), "already recorded differently",
        id="duplicate, other product",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("earlier", "row", "reason"), REJECTIONS)
def test_rejected(
    store: Store,
    policy: Policy,
    now: datetime,
    earlier: list[dict[str, str]],
    row: dict[str, str],
    reason: str,
) -> None:
    before = run(store, policy, now, *earlier)
    assert all(result.status == Status.IMPORTED for result in before), before
    residents, doses, audit = (
        count(store, "residents"),
        count(store, "doses"),
        count(store, "audit"),
    )
    [result] = import_doses(store, policy, [(9, row)], now)
    assert result.status == Status.REJECTED
    assert reason in result.reason
    assert result.line().startswith(f"row 9: rejected: {result.reason}")
    assert (count(store, "residents"), count(store, "doses"), count(store, "audit")) == (
        residents, doses, audit,
    )  # fmt: skip


def test_every_field_problem_is_given_at_once(store: Store, policy: Policy, now: datetime) -> None:
    [result] = run(store, policy, now, dose(phone="1", product="x", date="tomorrow", site="?"))
    assert result.reason.count(";") == 3, result.reason
    for part in ("bad phone number", "unknown product", "not YYYY-MM-DD", "unknown site"):
        assert part in result.reason


def test_an_earlier_rejected_row_does_not_count_as_on_record(
    store: Store, policy: Policy, now: datetime
) -> None:
    results = run(store, policy, now, dose(date="2021-13-01"), DOSE2)
    assert [r.status for r in results] == [Status.REJECTED, Status.REJECTED]
    assert results[1].reason == "dose 2 without dose 1 on record"


def test_a_later_product_of_the_same_maker_cannot_stretch_the_schedule(
    tmp_path: Path, now: datetime
) -> None:
    """Dose 3 of a 3-dose Sinovac product after two doses of the 2-dose one: beyond dose 1's."""
    config = tmp_path / "policy.toml"
    config.write_text(
        '[products.sinovac3]\nzh = "科兴三针"\nen = "Sinovac, three doses"\n'
        'manufacturer = "sinovac"\ndoses = 3\n'
        "intervals = [{ min_days = 21, max_days = 56 }, { min_days = 21, max_days = 90 }]\n",
        "utf-8",
    )
    policy = load_policy(config)
    store = open_seeded(tmp_path / "db.sqlite", policy, days=1)
    try:
        third = dose(dose="3", date="2021-06-15", product="sinovac3")
        results = run(store, policy, now, DOSE1, dose(dose="2", date="2021-05-22"), third)
    finally:
        store.close()
    assert [r.status for r in results] == [Status.IMPORTED, Status.IMPORTED, Status.REJECTED]
    assert results[2].reason == "dose 3 is beyond the 2 dose(s) of coronavac"


def test_nothing_partial_when_recording_the_dose_fails(
    store: Store, policy: Policy, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new person is registered only together with their dose."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise Rejected("the dose table refused it")

    monkeypatch.setattr(store, "add_dose", refuse)
    accounts = count(store, "accounts")
    [result] = run(store, policy, now, DOSE1)
    assert (result.status, result.reason) == (Status.REJECTED, "the dose table refused it")
    assert store.resident_by_document("resident_id", ZHANG) is None
    assert count(store, "accounts") == accounts
    assert count(store, "audit") == 0
