"""Spec for offers from the pre-registration queue (bot/assign.py, flows/offers.py) answered by
SMS through the engine, on SQLite and PostgreSQL: accepted (in any way of writing 1) books the
place, 2 frees it, unanswered it expires to the next in the queue, a 1 after the menu still
accepts, two open offers ask which one, and none is texted in the quiet hours.

The engine's time is the ``clock`` fixture. The ``store`` is the demo seeded for 2021-06-17..23
(Asia/Shanghai).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.assign import run_assign
from bot.engine import Engine
from flows.policy import Policy
from store import Resident, Store
from tests.conftest import Clock, Phone
from tests.fakes import tables
from tests.fakes.delivery import outbox_row, outbox_rows
from tests.jobs_support import (
    OTHER,
    PHONE,
    register,
    slot_id,
)

BACKENDS = ("sqlite", "postgresql")

# -- offers from the queue ----------------------------------------------------------------------


def slot_booked(store: Store, slot: int) -> int:
    found = store.slot(slot)
    assert found is not None
    return found.booked


def offer_of(store: Store, person: Resident) -> dict[str, Any]:
    (row,) = store.offer_rows(person.id)
    return row


def queue_status(store: Store, person: Resident) -> list[str]:
    return [row["status"] for row in store.queue_rows(person.id)]


@pytest.mark.parametrize(
    ("reply", "accepted"),
    [("1", "已接受。预约码"), ("１", "已接受。预约码"), ("1。", "已接受。预约码"),
     ("一", "已接受。预约码"), ("接受", "已接受。预约码"), ("ACCEPT", "Accepted. Code ")],
)  # fmt: skip
def test_an_offer_accepted_by_sms_books_the_place(
    store: Store, policy: Policy, clock: Clock, engine: Engine, reply: str, accepted: str
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    clock.set("2021-06-17T20:10")
    assert store.join_queue(zhang.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    assert run_assign(store, policy, clock.now).offered == 1
    offer = offer_of(store, zhang)
    held = slot_booked(store, offer["slot_id"])
    (sms,) = outbox_rows(store)
    assert (sms["address"], sms["idempotency_key"], sms["kind"]) == (
        PHONE, f"offer:{offer['id']}", "notice",
    )  # fmt: skip
    assert "回复1接受，回复2放弃" in sms["text"]

    clock.set("2021-06-17T21:15")
    said = Phone(engine, PHONE).say(reply)

    (booking,) = store.active_bookings(zhang.id)
    assert said.startswith(f"{accepted}{booking.code}")
    assert (booking.slot.id, booking.dose) == (offer["slot_id"], 1)
    offer = offer_of(store, zhang)
    assert (offer["status"], offer["booking_id"]) == ("accepted", booking.id)
    assert offer["answered_at"] == "2021-06-17T21:15:00+08:00"
    assert queue_status(store, zhang) == ["booked"]
    assert slot_booked(store, booking.slot.id) == held  # the held place became the booking


def test_an_offer_declined_with_2_frees_the_place(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    li = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=OTHER)
    clock.set("2021-06-17T20:10")
    store.join_queue(li.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    run_assign(store, policy, clock.now)
    offer = offer_of(store, li)
    held = slot_booked(store, offer["slot_id"])

    assert Phone(engine, OTHER).say("2") == "已放弃该名额。如需预约请回复 预约。"
    assert offer_of(store, li)["status"] == "declined"
    assert store.active_bookings(li.id) == []
    assert queue_status(store, li) == ["declined"]
    assert slot_booked(store, offer["slot_id"]) == held - 1
    assert "预约码" not in Phone(engine, OTHER).say("1")  # a 1 after declining books nothing
    assert store.active_bookings(li.id) == []


def test_an_unanswered_offer_expires_and_the_place_goes_to_the_next_in_the_queue(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    last = slot_id(store, "2021-06-20")
    tables.fill_slots(store)  # one place left in the campaign
    tables.fill_slots(store, leave=1, id=last)
    first = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    second = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=OTHER)
    clock.set("2021-06-17T20:10")
    store.join_queue(first.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:11")
    store.join_queue(second.id, 1, "tianhe", None, clock.now)

    clock.set("2021-06-17T20:30")
    assert run_assign(store, policy, clock.now).offered == 1
    offer = offer_of(store, first)
    assert (offer["slot_id"], offer["expires_at"]) == (last, "2021-06-18T08:30:00+08:00")
    assert queue_status(store, second) == ["waiting"]

    clock.set("2021-06-18T08:29:59")  # not yet
    again = run_assign(store, policy, clock.now)
    assert (again.expired, again.offered) == (0, 0)
    assert offer_of(store, first)["status"] == "open"

    clock.set("2021-06-18T08:30")
    later = run_assign(store, policy, clock.now)
    assert (later.expired, later.offered) == (1, 1)
    assert offer_of(store, first)["status"] == "expired"
    assert queue_status(store, first) == ["expired"]
    reassigned = offer_of(store, second)
    assert (reassigned["slot_id"], reassigned["status"]) == (last, "open")
    slot = store.slot(last)
    assert slot is not None and slot.booked == slot.capacity  # held for the second person
    assert [r["address"] for r in outbox_rows(store)] == [PHONE, PHONE, OTHER]
    told = outbox_row(store, f"offer:{offer['id']}:expired")  # the first person is told
    assert (told["address"], told["due_at"]) == (PHONE, "2021-06-18T08:30:00+08:00")
    assert told["text"] == (
        "张三未在6月18日 08:30前确认，6月20日 周日 10:00-12:00的名额已让给他人。"
        "仍需接种请回复 预约。"
    )

    assert "预约码" not in Phone(engine, PHONE).say("1")  # too late for the first person
    assert store.active_bookings(first.id) == []
    assert Phone(engine, OTHER).say("1").startswith("已接受。预约码")
    (booking,) = store.active_bookings(second.id)
    assert booking.slot.id == last


def test_replying_1_to_an_offer_accepts_it_even_after_the_menu_was_shown(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    """The offer SMS says "reply 1 to accept": it is the last thing the resident read, so a 1
    answers it, not the numbered menu of an earlier conversation."""
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    phone = Phone(engine, PHONE)
    assert phone.send("你好")[-1].options  # the menu, numbered 1..6
    clock.set("2021-06-17T20:10")
    store.join_queue(zhang.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    run_assign(store, policy, clock.now)

    clock.set("2021-06-17T20:40")
    said = phone.say("1")
    assert offer_of(store, zhang)["status"] == "accepted", said
    assert "预约码" in said


def test_a_phone_with_two_open_offers_is_asked_which_one_a_1_answers(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    """A daughter manages both parents; each gets an offer. A bare 1 cannot say whose: she is
    asked, her choice is booked, the other offer stays open and she is told so."""
    father = register(store, clock.now, "张父", date(1950, 1, 1), 13, phone=OTHER, manager=PHONE)
    mother = register(store, clock.now, "张母", date(1952, 2, 2), 24, phone=OTHER, manager=PHONE)
    clock.set("2021-06-17T20:10")
    store.join_queue(father.id, 1, "tianhe", None, clock.now)
    store.join_queue(mother.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    assert run_assign(store, policy, clock.now).offered == 2

    clock.set("2021-06-17T20:40")
    daughter = Phone(engine, PHONE)
    (question,) = daughter.send("1")
    assert question.text == "有2个名额等您确认，接受哪一个？"
    assert [o.label.split()[0] for o in question.options] == ["张父", "张母"]
    assert all(offer_of(store, p)["status"] == "open" for p in (father, mother))

    chosen = daughter.send("2")
    assert chosen[0].text.startswith("已接受。预约码") and "张母" in chosen[0].text
    assert chosen[1].text == "还有1个名额等您确认，回复1接受、回复2放弃。"
    assert (offer_of(store, mother)["status"], offer_of(store, father)["status"]) == (
        "accepted", "open",
    )  # fmt: skip
    assert store.active_bookings(father.id) == []

    assert daughter.say("2") == "已放弃该名额。如需预约请回复 预约。"  # one left: no question
    assert offer_of(store, father)["status"] == "declined"


def test_offers_made_in_the_quiet_hours_are_not_texted_before_eight(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """Policy [followup]: "Notifications (reminders, alerts, offers) go out between these hours
    only." An assignment run late (``vaxbot assign`` in the maintenance window, or a worker
    restarted after 21:00) must not text people at night."""
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    clock.set("2021-06-17T20:10")
    store.join_queue(zhang.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T22:15")
    assert run_assign(store, policy, clock.now).offered == 1
    (sms,) = outbox_rows(store)
    assert sms["due_at"] >= "2021-06-18T08:00:00+08:00", "an offer SMS due at night"


def test_a_relative_accepts_their_own_offer_from_their_own_phone(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    """A son registered his father (with the father's own number); the offer SMS went to both
    phones and says "reply 1 to accept", so the father's 1 books it. A stranger's 1 is not an
    answer to anyone's offer, and no account is made for it."""
    father = register(store, clock.now, "张父", date(1960, 1, 1), 13, phone=OTHER, manager=PHONE)
    clock.set("2021-06-17T20:10")
    store.join_queue(father.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    assert run_assign(store, policy, clock.now).offered == 1
    assert sorted(r["address"] for r in outbox_rows(store)) == sorted([OTHER, PHONE])

    clock.set("2021-06-18T08:10")  # before it expires at 08:30
    stranger = "+8613700137000"
    assert "预约码" not in Phone(engine, stranger).say("1")
    assert offer_of(store, father)["status"] == "open"
    assert store.account_of("sms", stranger) is None

    accepted = Phone(engine, OTHER).say("1")
    assert accepted.startswith("已接受。预约码") and "张父" in accepted
    (booking,) = store.active_bookings(father.id)
    assert offer_of(store, father)["status"] == "accepted"
    assert booking.code in Phone(engine, PHONE).say("查询")  # the son sees it on his phone
