"""Spec for residents and accounts in store.Store, on SQLite and PostgreSQL: registering a
resident (audited, with a pre-registration code drawn again on a collision), duplicate documents,
and one account per phone across channels.

The ``store`` fixture is the demo seeded for 2021-06-17..23, frozen at 09:00 Asia/Shanghai.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from store import (
    DuplicateDocument,
    Store,
)
from tests.fakes.tables import count
from tests.store_support import (
    PHONE,
    add_person,
    scripted_codes,
)

BACKENDS = ("sqlite", "postgresql")

# -- residents and accounts --------------------------------------------------------------------


def test_add_resident(store: Store, now: datetime) -> None:
    audit_before = count(store, "audit")
    person = add_person(store, now)
    assert person == store.resident(person.id)
    assert person == store.resident_by_document("resident_id", "11010519491231002X")
    assert (person.name, person.birth_date, person.sex, person.phone) == (
        "张三",
        date(1949, 12, 31),
        "F",
        PHONE,
    )
    assert (person.noshows, person.barred) == (0, False)
    assert person.prereg_code.startswith("R")
    assert count(store, "audit", action="register", entity="resident") == 1
    assert count(store, "audit") == audit_before + 1


def test_duplicate_document(store: Store, now: datetime) -> None:
    first = add_person(store, now)
    residents, audit = count(store, "residents"), count(store, "audit")

    with pytest.raises(DuplicateDocument) as caught:
        add_person(store, now, name="王五")

    assert caught.value.existing == first
    assert count(store, "residents") == residents
    assert count(store, "audit") == audit


def test_same_number_with_another_document_type_is_not_a_duplicate(
    store: Store, now: datetime
) -> None:
    first = add_person(store, now)
    passport = store.add_resident(
        account_id=first.account_id,
        name="Zhang San",
        id_type="passport",
        id_number=first.id_number,
        birth_date=first.birth_date,
        sex=None,
        phone=PHONE,
        district_id="tianhe",
        now=now,
        actor="resident",
        channel="sms",
    )
    assert passport.id != first.id
    assert store.residents_of(first.account_id) == [first, passport]


def test_prereg_code_collision_draws_again(store: Store, now: datetime) -> None:
    store.new_code = scripted_codes("RSAME001", "RSAME001", "RSAME001", "RSAME002")
    first = add_person(store, now)
    second = add_person(store, now, "440106199001011235", "李四")
    assert (first.prereg_code, second.prereg_code) == ("RSAME001", "RSAME002")


def test_same_phone_from_two_channels_is_one_account(store: Store, now: datetime) -> None:
    sms = store.account_for("sms", PHONE, PHONE, now)
    telegram = store.account_for("telegram", "5551234", PHONE, now)
    voice = store.account_for("voice", "13800138000", PHONE, now)
    assert sms == telegram == voice
    assert count(store, "accounts") == 1
    assert count(store, "addresses") == 3


def test_same_address_again_is_the_same_account(store: Store, now: datetime) -> None:
    first = store.account_for("sms", PHONE, PHONE, now)
    assert store.account_for("sms", PHONE, PHONE, now) == first
    assert store.account_for("sms", PHONE, None, now) == first
    assert count(store, "accounts") == 1
    assert count(store, "addresses") == 1


def test_different_phones_or_no_phone_are_different_accounts(store: Store, now: datetime) -> None:
    a = store.account_for("sms", PHONE, PHONE, now)
    b = store.account_for("sms", "+8613900139000", "+8613900139000", now)
    c = store.account_for("telegram", "111", None, now)
    d = store.account_for("telegram", "222", None, now)
    assert len({a, b, c, d}) == 4


def test_account_phone_is_stored(store: Store, now: datetime) -> None:
    account = store.account_for("telegram", "5551234", PHONE, now)
    assert store.account_phone(account) == PHONE
    assert store.account_created_at(account) == "2021-06-17T09:00:00+08:00"
