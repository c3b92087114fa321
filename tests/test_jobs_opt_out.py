"""Spec for opting out and in through the engine, on SQLite and PostgreSQL: STOP holds the
notices the scheduled jobs queue (also from a national-format number), START resumes them, and
replies still come.

The jobs only queue outbox rows; where sending matters, ``deliver_due`` runs against
``ScriptedDelivery``. Every job is given its moment explicitly; the engine's time is the
``clock`` fixture. The ``store`` is the demo seeded for 2021-06-17..23 (Asia/Shanghai).
"""

from __future__ import annotations

from datetime import date

from bot.engine import Engine
from bot.jobs import send_reminders
from flows.policy import Policy
from store import Store
from tests.conftest import Clock, Phone
from tests.fakes.delivery import ScriptedDelivery, outbox_row
from tests.jobs_support import (
    PHONE,
    book,
    deliver,
    id_number,
    register,
)

BACKENDS = ("sqlite", "postgresql")

# -- opting out and in, through the engine ------------------------------------------------------


def test_stop_holds_notices_start_resumes_them_and_replies_still_come(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    li = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=PHONE)  # same phone
    tomorrow = book(store, zhang, clock.now, "2021-06-18")
    later = book(store, li, clock.now, "2021-06-19")
    phone = Phone(engine, PHONE)
    sms = ScriptedDelivery()

    assert phone.say("退订") == "已退订通知。仍可随时发送 预约 或 查询。回复 订阅 恢复通知。"
    assert store.opted_out("sms", PHONE)
    clock.set("2021-06-17T18:00")
    assert send_reminders(store, policy, clock.now) == 1  # queued all the same...
    report = deliver(store, policy, clock, sms)
    assert (report.sent, report.held) == (0, 1)  # ...and held by the sender
    assert sms.calls == []
    held = outbox_row(store, f"reminder:{tomorrow.code}:2021-06-18:{PHONE}")
    assert (held["failed_at"], held["last_error"]) == ("2021-06-17T18:00:00+08:00", "opted out")

    status = phone.say("查询")  # STOP stops notices, not answers
    assert "张三" in status and tomorrow.code in status and later.code in status

    assert phone.say("订阅") == "已恢复通知。"
    assert not store.opted_out("sms", PHONE)
    clock.set("2021-06-18T18:00")
    assert send_reminders(store, policy, clock.now) == 1
    assert deliver(store, policy, clock, sms).sent == 1
    assert [m.key for m in sms.calls] == [f"reminder:{later.code}:2021-06-19:{PHONE}"]
    assert outbox_row(store, held["idempotency_key"])["sent_at"] is None  # never sent late

    assert phone.say("STOP").startswith("Notifications stopped")  # English: same effect
    assert store.opted_out("sms", PHONE)


def test_stop_from_a_national_format_number_holds_notices_to_that_phone(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    """The engine knows ``13800138000`` and ``+8613800138000`` are one phone (its account, the
    registered phone); the opt-out must be for that phone too, not only for the raw address."""
    local = "13800138000"
    phone = Phone(engine, local)
    for answer in ("登记", "1", "1", "张三", "1", id_number(date(1990, 1, 1), 12), "1"):
        phone.say(answer)
    assert "预登记成功" in phone.say("1")
    (zhang,) = store.residents_of(store.account_of("sms", local) or 0)
    assert zhang.phone == PHONE  # stored in E.164 form
    book(store, zhang, clock.now, "2021-06-18")

    assert phone.say("退订").startswith("已退订通知")
    clock.set("2021-06-17T18:00")
    send_reminders(store, policy, clock.now)
    sms = ScriptedDelivery()
    report = deliver(store, policy, clock, sms)
    assert [m.address for m in sms.calls] == [], "a reminder went to a phone that sent 退订"
    assert report.held == 1
