"""Retention on a frozen clock, and the tamper-evident audit (issue 16, items 5 and 6)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bot.clock import parse_moment
from bot.engine import Engine
from bot.messages import Inbound
from bot.privacy_cli import ages
from flows.policy import Policy
from store import Store, open_store
from store.retention import Retention
from tests.conftest import NOW, Clock, Phone

BACKENDS = ("sqlite", "postgresql")
OWNER = "+8613800138000"
ID_NUMBER = "440106199001011235"


def book_and_chat(engine: Engine, store: Store) -> None:
    owner = Phone(engine, OWNER)
    owner.run(
        "登记", "1", "1", "张三", "1", ID_NUMBER, "1", "1",
        "预约", "没有", "1", "1", "明天上午", "1", "1",
    )  # fmt: skip
    engine.handle(Inbound("sms", OWNER, "查询", "provider-msg-1"))
    Phone(engine, "+8613700137000").say("查询")  # a stranger who never registers anyone
    now = engine.clock()
    person = store.residents_with_document(ID_NUMBER)[0]
    code = store.active_bookings(person.id)[0].code
    store.enqueue("sms", OWNER, f"明天接种，预约码{code}", f"reminder:{code}", now, now)
    # An operator reveals the full number to a caller, with the reason (the console's row).
    store.audit(now, "operator:li", "console", "reveal", "resident", person.id, None, None,
                reason="caller verified by date of birth")  # fmt: skip
    for row in store.outbox_rows():
        store.mark_sent(int(row["id"]), None, engine.clock())


def test_retention_purges_on_schedule_and_keeps_what_a_booking_needs(
    engine: Engine, store: Store, clock: Clock, policy: Policy
) -> None:
    book_and_chat(engine, store)
    person = store.residents_with_document(ID_NUMBER)[0]
    kept = ages(policy)
    purge = Retention(store.db)
    assert sum(purge.purge(clock(), kept, dry_run=True).values()) == 0  # all fresh

    clock.set("2021-07-20T09:00:00+08:00")  # 33 days on; the booking (18 June) is past, active
    counts = purge.purge(clock(), kept, dry_run=True)
    assert counts["message ids and stored replies"] == 1
    assert counts["idle conversations"] == 2
    assert counts["delivered outbox texts"] >= 1
    assert counts["screening answers after the appointment"] == 0  # an active booking
    assert counts["accounts that never registered anyone"] == 0  # its conversation is left …
    done = purge.purge(clock(), kept)
    assert done["accounts that never registered anyone"] == 1  # … until purged first, here
    stranger = ("accounts that never registered anyone", "addresses of accounts that never "
                "registered anyone")  # fmt: skip
    assert {k: v for k, v in done.items() if k not in stranger} == {
        k: v for k, v in counts.items() if k not in stranger
    }  # counted is what goes
    assert store.load_state("sms", OWNER) is None
    assert store.account_of("sms", "+8613700137000") is None
    assert store.account_of("sms", OWNER) is not None  # it manages someone
    rows = store.outbox_rows()
    assert rows and all(r["text"] == "" for r in rows)  # blanked, keys kept:
    key = str(rows[0]["idempotency_key"])
    assert not store.enqueue("sms", OWNER, "again", key, clock(), clock())  # never sent twice
    assert store.latest_screening(person.id).answers  # type: ignore[union-attr]

    booking = store.active_bookings(person.id)[0]
    store.cancel(booking.id, now=clock(), actor="test", channel="sms")  # no booking to come
    clock.set("2021-09-20T09:00:00+08:00")  # more than 90 days after the appointment
    assert purge.purge(clock(), kept)["screening answers after the appointment"] == 1
    screening = store.latest_screening(person.id)
    assert screening is not None and screening.answers == {} and screening.outcome == "eligible"
    assert store.residents_with_document(ID_NUMBER)  # the person and their record stay


# -- the audit chain -------------------------------------------------------------------------


def test_an_intact_chain_verifies_and_tampering_is_named(engine: Engine, store: Store) -> None:
    book_and_chat(engine, store)
    rows = store.db.all("SELECT id FROM audit ORDER BY id")
    assert len(rows) >= 3 and store.audit_verify().intact
    second = int(rows[1][0])

    store.db.execute("UPDATE audit SET actor = 'someone else' WHERE id = :id", {"id": second})
    verdict = store.audit_verify()
    assert verdict.broken_id == second and "altered" in verdict.problem


def test_a_deleted_audit_row_is_named(engine: Engine, store: Store) -> None:
    book_and_chat(engine, store)
    rows = [int(r[0]) for r in store.db.all("SELECT id FROM audit ORDER BY id")]
    store.db.execute("DELETE FROM audit WHERE id = :id", {"id": rows[1]})
    verdict = store.audit_verify()
    assert verdict.broken_id == rows[2] and "missing" in verdict.problem


def test_a_recomputed_hash_is_caught_by_the_signature(
    engine: Engine, store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAXBOT_AUDIT_KEY", "a-key-kept-away-from-the-database")
    signed = open_store(db_url)
    try:
        for n in range(3):
            signed.audit(engine.clock(), f"op{n}", "console", "reveal", "resident", 1, None,
                         None, reason="caller asked")  # fmt: skip
        assert signed.audit_verify().intact
        reveals = signed.audit_rows(action="reveal")
        assert [r["reason"] for r in reveals][-3:] == ["caller asked"] * 3
        # A forger who knows the recipe rewrites every hash from the first row on …
        from store.audit import FIELDS, GENESIS, row_hash

        prev = GENESIS
        for row in signed.db.all(f"SELECT id, {', '.join(FIELDS)} FROM audit ORDER BY id"):
            values = dict(zip(FIELDS, row[1:], strict=True))
            if values["actor"] == "op1":
                values["reason"] = "nothing to see"
                signed.db.execute("UPDATE audit SET reason = 'nothing to see' WHERE id = :id",
                                  {"id": row[0]})  # fmt: skip
            digest = row_hash(values, prev)
            signed.db.execute("UPDATE audit SET prev_hash = :p, hash = :h WHERE id = :id",
                              {"p": prev, "h": digest, "id": row[0]})  # fmt: skip
            prev = digest
        verdict = signed.audit_verify()
        assert not verdict.intact and "signature" in verdict.problem
    finally:
        signed.close()


def test_concurrent_writers_do_not_fork_the_chain(
    store: Store, db_url: str, policy: Policy
) -> None:
    others = [open_store(db_url) for _ in range(3)]
    at = parse_moment(NOW, policy.zone) + timedelta(minutes=1)

    def write(own: Store, n: int) -> None:
        for i in range(20):
            own.audit(at, f"writer{n}", "test", "note", "resident", i, None, {"i": i})

    threads = [threading.Thread(target=write, args=(own, n)) for n, own in enumerate(others)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for own in others:
        own.close()
    verdict = store.audit_verify()
    assert verdict.intact, verdict.problem
    assert len(store.audit_rows(action="note")) == 60


def test_rows_undone_or_written_by_another_process_do_not_break_the_chain(
    store: Store, db_url: str, policy: Policy
) -> None:
    # A store links a row to the one it linked last without reading it again, unless that row
    # is no longer the last: another process wrote after it, or its transaction was undone.
    at = parse_moment(NOW, policy.zone)
    other = open_store(db_url)
    try:
        store.audit(at, "first", "test", "note", "resident", 1, None, None)
        store.audit(at, "second", "test", "note", "resident", 2, None, None)
        other.audit(at, "other", "test", "note", "resident", 3, None, None)
        store.audit(at, "after other", "test", "note", "resident", 4, None, None)
        with pytest.raises(LookupError), store.transaction():
            store.audit(at, "undone", "test", "note", "resident", 5, None, None)
            raise LookupError("the turn failed after its audit row")
        other.audit(at, "other again", "test", "note", "resident", 6, None, None)
        store.audit(at, "last", "test", "note", "resident", 7, None, None)
    finally:
        other.close()
    verdict = store.audit_verify()
    assert verdict.intact, verdict.problem
    actors = [row["actor"] for row in store.audit_rows(action="note")]
    assert actors == ["first", "second", "other", "after other", "other again", "last"]
