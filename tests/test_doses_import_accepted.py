"""Spec for ``vaxbot doses import`` (bot/records.py), on SQLite and PostgreSQL: the rows it
imports, a new person registered from the row and a known one kept, the same dose twice skipped,
and an active booking for the imported dose pointed out.

The ``store`` fixture is the demo seeded for 2021-06-17..23, frozen at 09:00 Asia/Shanghai.
Tests call ``import_doses`` on rows as ``read_table`` yields them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.records import (
    Status,
)
from flows.policy import Policy
from store import Store
from tests.doses_import_support import (
    DOSE1,
    PHONE,
    TIANHE_SPORTS,
    WANG,
    ZHANG,
    count,
    dose,
    run,
)

BACKENDS = ("sqlite", "postgresql")

# -- accepted rows -------------------------------------------------------------------------------

ZF1 = dose(date="2021-03-01", product="zf2001", site="haizhu")
ZF2 = dose(dose="2", date="2021-03-29", product="zf2001", site="haizhu")

ACCEPTED = [
    # pytest.param(earlier rows, the row, the district a new person is registered in, id=case)
    pytest.param([], DOSE1, "tianhe", id="site zh"),
    pytest.param([], dose(site="tianhe sports centre"), "tianhe", id="site en any case"),
    pytest.param([], dose(site="1"), "tianhe", id="site id"),
    pytest.param([], dose(site="Haizhu CDC Clinic"), "haizhu", id="site elsewhere"),
    pytest.param([], dose(site="panyu"), "panyu", id="district id"),
    pytest.param([], dose(site="白云区"), "baiyun", id="district zh"),
    pytest.param([], dose(site="白云"), "baiyun", id="district short"),
    pytest.param([], dose(site="YUEXIU"), "yuexiu", id="district en"),
    pytest.param([], dose(phone="+86 138 0013 8000"), "tianhe", id="phone +86"),
    pytest.param([], dose(phone="138-0013-8000"), "tianhe", id="phone dashes"),
    pytest.param(
        [], dose(id_number="４４０１０６ １９９００１０１ １２３５"), "tianhe", id="ID full-width"
    ),
    pytest.param([], dose(product="CoronaVac"), "tianhe", id="product any case"),
    pytest.param([], dose(dose="１"), "tianhe", id="dose full-width"),
    pytest.param(
        [], dose(product="ad5", site="Xintang Mobile Vaccination Vehicle"), "zengcheng",
        id="one-dose product",
    ),
    pytest.param([DOSE1], dose(dose="2", date="2021-05-22"), "tianhe", id="day 21"),
    pytest.param([DOSE1], dose(dose="2", date="2021-06-17"), "tianhe", id="overdue, today"),
    pytest.param(
        [DOSE1], dose(dose="2", date="2021-06-01", site="Haizhu CDC Clinic"), "tianhe",
        id="dose 2 elsewhere",
    ),
    pytest.param(
        [DOSE1], dose(name=" 张 三 ", dose="2", date="2021-06-01"), "tianhe", id="name spacing"
    ),
    pytest.param(
        [ZF1, ZF2], dose(dose="3", date="2021-04-26", product="zf2001", site="haizhu"),
        "haizhu", id="three doses",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("earlier", "row", "district"), ACCEPTED)
def test_imported(
    store: Store,
    policy: Policy,
    now: datetime,
    earlier: list[dict[str, str]],
    row: dict[str, str],
    district: str,
) -> None:
    results = run(store, policy, now, *earlier, row)
    assert [r.status for r in results] == [Status.IMPORTED] * len(results), results
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None
    assert resident.district_id == district
    recorded = store.doses_of(resident.id)
    assert [d.dose for d in recorded] == list(range(1, len(results) + 1))
    assert recorded[-1].day == date.fromisoformat(row["date"])
    assert recorded[-1].product_id == row["product"].lower()
    assert {d.source for d in recorded} == {"import"}


def test_a_new_person_is_registered_from_the_row(
    store: Store, policy: Policy, now: datetime
) -> None:
    [result] = run(store, policy, now, dose(id_number=WANG, name="王 五", phone="13900139000"))
    assert result.status == Status.IMPORTED
    assert "registered a new resident, phone 139****9000" in result.reason
    resident = store.resident_by_document("resident_id", WANG)
    assert resident is not None
    assert (resident.name, resident.phone, resident.relation) == ("王 五", "+8613900139000", "self")
    assert (resident.birth_date, resident.sex) == (date(2000, 2, 29), "F")
    assert store.account_for("sms", "+8613900139000", "+8613900139000", now) == resident.account_id
    [recorded] = store.doses_of(resident.id)
    site = store.site_named(TIANHE_SPORTS)
    assert site is not None and recorded.site_id == site.id
    actions = [row["action"] for row in store.audit_rows()]
    assert actions == ["register", "dose"]


def test_a_known_person_keeps_their_registration(
    store: Store, policy: Policy, now: datetime
) -> None:
    account = store.account_for("sms", "+8613700137000", "+8613700137000", now)
    known = store.add_resident(
        account_id=account, name="张三", id_type="resident_id", id_number=ZHANG,
        birth_date=date(1990, 1, 1), sex="M", phone="+8613700137000", district_id="liwan",
        now=now, actor="resident", channel="sms",
    )  # fmt: skip
    [result] = run(store, policy, now, DOSE1)
    assert result.status == Status.IMPORTED
    assert "registered" not in result.reason
    assert store.resident_by_document("resident_id", ZHANG) == known
    assert count(store, "residents") == 1


def test_a_check_character_x_in_lower_case(store: Store, policy: Policy, now: datetime) -> None:
    [result] = run(store, policy, now, dose(id_number="44010619900101118x"))
    assert result.status == Status.IMPORTED
    assert store.resident_by_document("resident_id", "44010619900101118X") is not None


def test_same_dose_twice_is_skipped(store: Store, policy: Policy, now: datetime) -> None:
    first, again = run(store, policy, now, DOSE1, dose(name="张三", phone="+8613800138000"))
    assert first.status == Status.IMPORTED
    assert (again.status, again.reason) == (Status.SKIPPED, "already recorded")
    assert again.line() == "row 3: skipped: already recorded [4401**********1235]"
    [second_run] = run(store, policy, now, DOSE1)
    assert second_run.status == Status.SKIPPED
    assert count(store, "doses") == 1


def test_an_active_booking_for_the_imported_dose_is_pointed_out(
    store: Store, policy: Policy, now: datetime
) -> None:
    account = store.account_for("sms", "+" + "86" + PHONE, "+86" + PHONE, now)
    resident = store.add_resident(
        account_id=account, name="张三", id_type="resident_id", id_number=ZHANG,
        birth_date=date(1990, 1, 1), sex="M", phone="+86" + PHONE, district_id="tianhe",
        now=now, actor="resident", channel="sms",
    )  # fmt: skip
    slot = store.open_slots(1, now.date() + timedelta(days=1), now)[0]
    booking = store.book(
        resident_id=resident.id, slot_id=slot.id, dose=1, now=now, channel="sms", actor="resident"
    )
    [result] = run(store, policy, now, DOSE1)
    assert result.status == Status.IMPORTED
    assert f"booking {booking.code} for this dose is still active" in result.reason
