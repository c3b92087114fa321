"""Pre-registration with automatic assignment (DESIGN.md §1, seed 001): a run of the batch
(``bot.assign``) making offers, on SQLite and PostgreSQL: the places it offers and holds, to whom
(and who is left out), the offer SMS (language, length, the managing phone, quiet hours), a
second run, ``Store.create_offers`` all or nothing, and ``vaxbot assign``.

The ``store`` fixture is the seeded demo database (2021-06-17 09:00 Asia/Shanghai).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.assign import OfferTexts, run_assign
from bot.cli import main
from bot.demo import SITES
from flows.policy import Policy
from store import (
    Offer,
    Site,
    Slot,
    SlotUnavailable,
    Store,
    StoreError,
)
from tests.assignment_support import (
    D3,
    Queue,
    at,
    booked,
    booked_of,
    offer_of,
    only_slot,
    outbox,
    widened,
)
from tests.conftest import NOW, TODAY
from tests.fakes import tables

BACKENDS = ("sqlite", "postgresql")


def test_a_run_offers_places_holds_them_and_texts_each_person(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    slot = only_slot(store, capacity=2)
    early = queue.add(dose1=(date(2021, 5, 1), "coronavac"))
    late = queue.add(dose1=(date(2021, 5, 20), "coronavac"))
    newcomer = queue.add()
    result = run_assign(store, policy, now)
    assert (result.offered, result.waiting, result.expired) == (2, 1, 0)
    assert result.line() == "offered 2 places to 2 people; 1 still waiting; 0 offers expired"
    for resident in (early, late):
        offer = offer_of(store, resident)
        assert offer is not None and offer[1:] == (slot, "open", "2021-06-17T21:00:00+08:00")
    assert offer_of(store, newcomer) is None
    assert booked_of(store, slot) == (2, 2)
    statuses = sorted((row["resident_id"], row["status"]) for row in store.queue_rows())
    assert statuses == [(early.id, "offered"), (late.id, "offered"), (newcomer.id, "waiting")]
    sms = [row for row in outbox(store, "address", "text", "idempotency_key", "kind", "due_at")
           if row[2].startswith("offer:")]  # fmt: skip
    offer = offer_of(store, early)
    assert offer is not None
    assert sms[0] == (
        early.phone,
        f"{early.name}的接种名额：6月19日 周六 07:00-09:00 天河体育中心接种点。"
        "回复1接受，回复2放弃，6月17日 21:00前有效。",
        f"offer:{offer[0]}", "notice", "2021-06-17T09:00:00+08:00",
    )  # fmt: skip
    assert [address for address, *_ in sms] == [early.phone, late.phone]


def test_the_offer_is_in_english_for_someone_who_texts_in_english(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    only_slot(store, capacity=1)
    resident = queue.add()
    store.save_state("sms", resident.phone, {"lang": "en"}, now)
    run_assign(store, policy, now)
    (text,) = [r["text"] for r in store.outbox_rows() if r["address"] == resident.phone]
    assert text == (
        f"A place for {resident.name}: Sat 19 Jun 07:00-09:00, Tianhe Sports Centre. "
        "Reply 1 to accept, 2 to decline, by 17 Jun 21:00."
    )


def test_the_chinese_offer_fits_one_sms_segment_at_every_demo_site(now: datetime) -> None:
    texts = OfferTexts(now + timedelta(hours=12))
    for i, demo in enumerate(SITES):
        site = Site(i, demo.district, demo.name_zh, demo.name_en, "", "", "", False, False, False)
        slot = Slot(i, i, demo.product, D3, "18:30", "20:30", 20, 0)
        sms = texts(Offer(1, 1, 1, 2, "open", "", slot, site), "欧阳建国", None)
        assert len(sms) <= 70, sms  # one segment of a Chinese SMS (4-character name)


def test_a_relative_is_texted_and_so_is_the_phone_that_manages_them(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    only_slot(store, capacity=1)
    family = "+8613800138000"
    store.save_state("sms", family, {"lang": "en"}, now)
    grandma = queue.add(managed_by=family)
    run_assign(store, policy, now)
    offer = offer_of(store, grandma)
    assert offer is not None
    sent = [(address, key, text[:12]) for address, key, text in outbox(
        store, "address", "idempotency_key", "text")]  # fmt: skip
    assert sent == [
        (grandma.phone, f"offer:{offer[0]}", f"{grandma.name}的接种名额：6月1"),
        (family, f"offer:{offer[0]}:account", "A place for "),
    ]
    # the managing phone's account is the one a "1" from it is matched to
    account = store.account_for("sms", family, family, now)
    assert [o.id for o in store.open_offers(account, now)] == [offer[0]]


def test_in_the_quiet_hours_the_sms_waits_and_the_offer_lasts_from_then(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    slot = only_slot(store, capacity=1, day=D3, start="07:00")
    resident = queue.add()
    result = run_assign(store, policy, at(policy, "2021-06-17T22:30"))
    assert result.sent_at == at(policy, "2021-06-18T08:00")
    assert result.expires_at == at(policy, "2021-06-18T20:00")
    offer = offer_of(store, resident)
    assert offer is not None and offer[1:] == (slot, "open", "2021-06-18T20:00:00+08:00")
    assert outbox(store, "due_at", "created_at") == [
        ("2021-06-18T08:00:00+08:00", "2021-06-17T22:30:00+08:00")
    ]


def test_a_second_run_offers_nothing_new(store: Store, policy: Policy, now: datetime) -> None:
    queue = Queue(store, now)
    only_slot(store, capacity=1)
    queue.add()
    queue.add()
    first = run_assign(store, policy, now)
    second = run_assign(store, policy, now + timedelta(minutes=5))
    assert (first.offered, second.offered, second.waiting) == (1, 0, 1)
    assert len(store.outbox_rows()) == 1


def test_many_people_few_places_never_overbooks(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    slot = only_slot(store, capacity=3)
    people = [queue.add(period=random.Random(i).choice([None, "morning", "evening"]))
              for i in range(25)]  # fmt: skip
    result = run_assign(store, policy, now)
    assert (result.offered, result.waiting) == (3, 22)
    assert booked_of(store, slot) == (3, 3)
    offered = {r["resident_id"] for r in store.offer_rows()}
    assert offered == {p.id for p in people[:3]}  # same day: queued first


def test_who_is_left_out(store: Store, policy: Policy, now: datetime) -> None:
    queue = Queue(store, now)
    only_slot(store, capacity=10)
    barred = queue.add()
    tables.update(store, "residents", {"id": barred.id}, barred=1)
    opted_out = queue.add()
    store.set_opt_out("sms", opted_out.phone, True, now)
    too_young = queue.add(born=date(2005, 1, 1))
    too_soon = queue.add(dose1=(date(2021, 6, 10), "coronavac"))  # dose 2 from 1 July
    other_maker = queue.add(dose1=(date(2021, 5, 1), "bbibp"))  # the slot is coronavac
    fine = queue.add()
    result = run_assign(store, policy, now)
    assert result.offered == 1 and result.candidates == 4
    assert offer_of(store, fine) is not None
    for resident in (barred, opted_out, too_young, too_soon, other_maker):
        assert offer_of(store, resident) is None


def test_a_place_starting_before_the_offer_expires_is_not_offered(
    store: Store, policy: Policy, now: datetime
) -> None:
    queue = Queue(store, now)
    only_slot(store, capacity=5, day=TODAY, start="19:00")  # tonight; the offer lasts to 21:00
    queue.add()
    assert run_assign(store, policy, now).offered == 0
    assert run_assign(store, widened(policy, offer_hours=9), now).offered == 1  # until 18:00


def test_create_offers_is_all_or_nothing(store: Store, policy: Policy, now: datetime) -> None:
    queue = Queue(store, now)
    slot = only_slot(store, capacity=1)
    a, b = queue.add(), queue.add()
    ids = {r["resident_id"]: r["id"] for r in store.queue_rows()}

    def text(*_: object) -> str:
        return "offer"

    later = now + timedelta(hours=12)
    with pytest.raises(SlotUnavailable):
        store.create_offers([(ids[a.id], slot), (ids[b.id], slot)], now, later, text)
    with pytest.raises(StoreError):
        store.create_offers([(ids[a.id], slot), (ids[a.id], slot)], now, later, text)
    assert store.offer_rows() == []
    assert booked(store, slot) == 0
    assert store.outbox_rows() == []
    assert store.create_offers([(ids[a.id], slot)], now, later, text) == 1
    with pytest.raises(StoreError):  # no longer waiting
        store.create_offers([(ids[a.id], slot)], now, later, text)
    assert store.create_offers([], now, later, text) == 0


def test_cli_assign(
    store: Store, db_url: str, now: datetime, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:  # fmt: skip
    queue = Queue(store, now)
    only_slot(store, capacity=1)
    queue.add()
    queue.add()
    monkeypatch.setenv("VAXBOT_NOW", NOW)
    assert main(["assign", "--db", db_url, "--quiet"]) == 0
    assert main(["assign", "--db", db_url]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "offered 1 places to 1 people; 1 still waiting; 0 offers expired",
        "offered 0 places to 0 people; 1 still waiting; 0 offers expired",
    ]
    assert err == ""  # no progress bar when stderr is not a terminal
    assert main(["assign", "--db", str(tmp_path / "missing.db")]) == 2
    assert "no database" in capsys.readouterr().err
