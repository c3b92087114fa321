"""Booking paths found wanting by exploratory test 8, through the engine as a resident texts,
on SQLite and PostgreSQL: a queue place accepted for someone 70+ asks for the companion and
says what a direct booking says; a dose declared beside a dose-1 booking here; a dose-1 site
without the maker on the dose-2 "where" step.

The ``store`` is the demo seeded for 2021-06-17..23 (Asia/Shanghai); the engine's time is the
``clock`` fixture.
"""

from __future__ import annotations

from datetime import date

from bot.assign import run_assign
from bot.engine import Engine
from flows.policy import Policy
from store import Store
from tests.conftest import Clock, Phone
from tests.jobs_support import PHONE, register

BACKENDS = ("sqlite", "postgresql")


# -- A5: a queue place accepted for someone 70+ ------------------------------------------------


def test_a_queue_place_accepted_for_someone_over_70_asks_the_companion_first(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    granny = register(store, clock.now, "黄婆婆", date(1940, 2, 10), 42)  # 81
    clock.set("2021-06-17T20:10")
    assert store.join_queue(granny.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    assert run_assign(store, policy, clock.now).offered == 1
    clock.set("2021-06-17T21:05")
    phone = Phone(engine, PHONE)

    asked = phone.say("1")
    assert "黄婆婆已满70岁，须家属陪同接种。请输入陪同家属姓名" in asked
    assert store.active_bookings(granny.id) == []  # not booked without the companion
    assert "手机号" in phone.say("李国强")
    accepted = phone.say("13800000003")

    (booking,) = store.active_bookings(granny.id)
    assert (booking.companion_name, booking.companion_phone) == ("李国强", "+8613800000003")
    assert accepted.startswith(f"已接受。预约码{booking.code}：黄婆婆")
    for notice in ("60岁以上需现场评估健康状况。", "须家属陪同：李国强（138****0003）。",
                   "76岁以上可走绿色通道优先接种。"):  # fmt: skip
        assert notice in accepted
    assert store.offer_rows(granny.id)[0]["status"] == "accepted"


def test_a_place_accepted_for_someone_under_60_says_no_age_notice(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    clock.set("2021-06-17T20:10")
    store.join_queue(zhang.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    run_assign(store, policy, clock.now)
    clock.set("2021-06-17T21:05")
    accepted = Phone(engine, PHONE).say("1")
    assert accepted.startswith("已接受。预约码")
    assert "\n" not in accepted and "陪同" not in accepted
