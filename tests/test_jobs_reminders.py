"""Spec for the reminders of the scheduled jobs (bot/jobs.py), on SQLite and PostgreSQL: queued
the day before and once, to the person's phone and the managing phone, and held by the quiet
hours (sent at eight, without saying "tomorrow" on the day).

The jobs only queue outbox rows; where sending matters, ``deliver_due`` runs against
``ScriptedDelivery``. Every job is given its moment explicitly; the engine's time is the
``clock`` fixture. The ``store`` is the demo seeded for 2021-06-17..23 (Asia/Shanghai).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.engine import Engine
from bot.jobs import Level, send_alerts, send_reminders, send_time
from flows.policy import Policy
from store import Store
from tests.conftest import Clock, Phone
from tests.fakes.delivery import ScriptedDelivery, outbox_rows
from tests.jobs_support import (
    OTHER,
    PHONE,
    at,
    book,
    deliver,
    dose1,
    register,
    rows_like,
)

BACKENDS = ("sqlite", "postgresql")

THIRD = "+8613700137000"


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# -- reminders ----------------------------------------------------------------------------------


def test_a_reminder_is_queued_the_day_before_and_only_once(
    store: Store, policy: Policy, clock: Clock
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    booking = book(store, zhang, clock.now, "2021-06-18")

    assert send_reminders(store, policy, at("2021-06-16T18:00", policy)) == 0  # 2 days before
    assert rows_like(store, "reminder:") == []

    evening = at("2021-06-17T18:00", policy)
    assert send_reminders(store, policy, evening) == 1
    (row,) = rows_like(store, "reminder:")
    assert row["idempotency_key"] == f"reminder:{booking.code}:2021-06-18:{PHONE}"
    assert (row["channel"], row["address"], row["kind"]) == ("sms", PHONE, "notice")
    assert row["due_at"] == stamp(evening)
    assert row["text"] == (
        f"提醒：张三明天（6月18日 周五）10:00-12:00在天河体育中心接种点接种第1剂，"
        f"预约码{booking.code}。请带身份证件。"
    )

    assert send_reminders(store, policy, evening) == 0  # the job ran twice (a restart)
    assert send_reminders(store, policy, at("2021-06-17T20:30", policy)) == 0
    assert send_reminders(store, policy, at("2021-06-18T18:00", policy)) == 0  # now it is today
    assert len(rows_like(store, "reminder:")) == 1


def test_reminders_go_to_the_persons_phone_and_the_managing_phone(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    Phone(engine, OTHER).say("hello")  # 李芳's own phone writes English
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    li = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=OTHER, manager=PHONE)
    assert li.account_id == zhang.account_id
    mine = book(store, zhang, clock.now, "2021-06-18")
    hers = book(store, li, clock.now, "2021-06-18")
    cancelled = register(store, clock.now, "王五", date(1980, 3, 3), 31, phone=THIRD)
    store.cancel(book(store, cancelled, clock.now, "2021-06-18").id, now=clock.now,
                 actor="self:sms", channel="sms")  # fmt: skip

    assert send_reminders(store, policy, at("2021-06-17T18:00", policy)) == 3
    sent = {(r["address"], r["idempotency_key"]): r["text"] for r in rows_like(store, "reminder:")}
    assert set(sent) == {
        (PHONE, f"reminder:{mine.code}:2021-06-18:{PHONE}"),
        (OTHER, f"reminder:{hers.code}:2021-06-18:{OTHER}"),
        (PHONE, f"reminder:{hers.code}:2021-06-18:{PHONE}"),
    }
    assert sent[OTHER, f"reminder:{hers.code}:2021-06-18:{OTHER}"].startswith(
        "Reminder: 李芳, dose 1 tomorrow (Fri 18 Jun) 10:00-12:00 at Tianhe Sports Centre"
    )
    assert sent[PHONE, f"reminder:{hers.code}:2021-06-18:{PHONE}"].startswith("提醒：李芳明天")
    assert send_reminders(store, policy, at("2021-06-17T18:05", policy)) == 0


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        ("2021-06-17T18:00", "2021-06-17T18:00"),
        ("2021-06-17T20:59:59", "2021-06-17T20:59:59"),
        ("2021-06-17T21:00", "2021-06-18T08:00"),
        ("2021-06-17T23:59", "2021-06-18T08:00"),
        ("2021-06-18T00:00", "2021-06-18T08:00"),
        ("2021-06-18T07:59:59", "2021-06-18T08:00"),
        ("2021-06-18T08:00", "2021-06-18T08:00"),
    ],
)
def test_send_time_skips_the_quiet_hours(policy: Policy, moment: str, due: str) -> None:
    assert policy.followup.quiet_hours == "21:00-08:00"
    assert send_time(policy, at(moment, policy)) == at(due, policy)


def test_notices_queued_in_the_quiet_hours_go_out_at_eight(
    store: Store, policy: Policy, clock: Clock
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    book(store, zhang, clock.now, "2021-06-19")
    late = register(store, clock.now, "赵六", date(1970, 7, 7), 41, phone=OTHER)
    dose1(store, late)  # dose 2 due from 06-17

    clock.set("2021-06-18T00:30")  # the worker came back after midnight: both jobs run now
    assert send_reminders(store, policy, clock.now) == 1
    assert [a.level for a in send_alerts(store, policy, clock.now)] == [Level.BLUE]
    morning = "2021-06-18T08:00:00+08:00"
    assert {r["due_at"] for r in outbox_rows(store)} == {morning}

    sms = ScriptedDelivery()
    clock.set("2021-06-18T07:59:59")
    assert not deliver(store, policy, clock, sms)
    clock.set("2021-06-18T08:00")
    assert deliver(store, policy, clock, sms).sent == 2
    (reminder,) = rows_like(store, "reminder:")
    assert "明天（6月19日 周六）" in reminder["text"]  # read at 08:00 on the 18th: right


def test_a_reminder_held_by_the_quiet_hours_does_not_say_tomorrow_on_the_day(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """The reminders job ran late, after 21:00 (worker down at 18:00): the reminder waits for
    08:00, which is the appointment day itself; it must not then say "明天" (tomorrow)."""
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    book(store, zhang, clock.now, "2021-06-18")
    clock.set("2021-06-17T22:30")
    assert send_reminders(store, policy, clock.now) == 1
    (reminder,) = rows_like(store, "reminder:")
    delivered_on = datetime.fromisoformat(reminder["due_at"]).date()
    assert not (delivered_on == date(2021, 6, 18) and "明天" in reminder["text"]), (
        f"due {reminder['due_at']}: {reminder['text']}"
    )
