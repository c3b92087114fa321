"""Spec for 查询 / 我约了吗 / status while something is pending (flows/status.py), through the
engine on SQLite and PostgreSQL: a place offered from the pre-registration queue is told — where,
when, until when and how to accept — and the reply told accepts it (a bare 1 after 查询, as
after the offer SMS; 接受 when asked in the middle of another flow, where a 1 answers that flow);
an expired or declined offer is not told; each person on a family phone is told by name; a
stranger's phone is told nothing of them; a menu shown after the offer is answered by its own
numbers (its 2, 查询预约, no longer declines the offer unasked); a person waiting in the queue
is told since when and that an SMS will come (or that it will not, their phone opted out).

The engine's time is the ``clock`` fixture; the ``store`` is the demo seeded for 2021-06-17..23
(Asia/Shanghai). Offers are made at 20:30 and last until 08:30 the next morning.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.assign import run_assign
from bot.demo import SITES
from bot.engine import Engine
from bot.messages import Reply
from channels.sms.render import render, segments
from flows.policy import Policy
from flows.texts import format_day, text
from store import Resident, Store
from tests.conftest import TODAY, Clock, Phone
from tests.jobs_support import OTHER, PHONE, register

BACKENDS = ("sqlite", "postgresql")

STRANGER = "+8613700137000"
UNTIL = "6月18日 08:30前有效"  # as the offer SMS says it


def offered(store: Store, policy: Policy, clock: Clock, *people: Resident) -> dict[int, str]:
    """Queue ``people`` for dose 1 at 20:10 and run the batch at 20:30: each is offered a place
    (until 08:30 the next morning). Their offers' statuses by person; the clock at 20:40."""
    clock.set("2021-06-17T20:10")
    for person in people:
        assert store.join_queue(person.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    assert run_assign(store, policy, clock.now).offered == len(people)
    clock.set("2021-06-17T20:40")
    return offer_statuses(store, *people)


def offer_statuses(store: Store, *people: Resident) -> dict[int, str]:
    return {p.id: row["status"] for p in people for row in store.offer_rows(p.id)}


def the_place(store: Store, person: Resident, lang: str = "zh") -> str:
    """The offered place as the status tells it: day, period and site."""
    (row,) = store.offer_rows(person.id)
    slot = store.slot(row["slot_id"])
    assert slot is not None
    site = store.site(slot.site_id)
    assert site is not None
    day = format_day("zh" if lang == "zh" else "en", slot.day, TODAY)
    if lang == "zh":
        return f"{day} {slot.period} {site.name_zh}"
    return f"{day} {slot.period}, {site.name_en}"


def within_budget(replies: list[Reply]) -> None:
    for reply in replies:
        assert segments(render(reply)) <= 2, render(reply)  # the status budget is 3


@pytest.mark.parametrize("ask", ["查询", "我约了吗", "我的预约是几号", "查询预约"])
def test_an_open_offer_is_told_with_how_to_accept_and_a_1_then_accepts_it(
    store: Store, policy: Policy, clock: Clock, engine: Engine, ask: str
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    offered(store, policy, clock, zhang)
    phone = Phone(engine, PHONE)

    replies = phone.send(ask)
    assert [r.text for r in replies] == [
        f"张三：预登记码{zhang.prereg_code}\n"
        f"待确认名额：{the_place(store, zhang)}。回复1接受，回复2放弃，{UNTIL}。"
    ]
    within_budget(replies)
    assert offer_statuses(store, zhang) == {zhang.id: "open"}  # asking answers nothing

    accepted = phone.say("1")
    (booking,) = store.active_bookings(zhang.id)
    assert accepted.startswith(f"已接受。预约码{booking.code}")
    assert offer_statuses(store, zhang) == {zhang.id: "accepted"}
    assert "待确认" not in phone.say("查询")  # now the booking is told
    assert booking.code in phone.say("查询")


def test_the_menu_shown_after_the_offer_is_answered_by_its_numbers(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    """你好 after the offer SMS: the menu is the last thing read, so its 2 (查询预约) tells the
    status, offer included, instead of declining the offer; then a 1 accepts it."""
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    offered(store, policy, clock, zhang)
    phone = Phone(engine, PHONE)
    (menu,) = phone.send("你好")
    assert [(o.key, o.label) for o in menu.options][:2] == [("1", "预约接种"), ("2", "查询预约")]

    assert "待确认名额：" in phone.say("2")
    assert offer_statuses(store, zhang) == {zhang.id: "open"}
    assert phone.say("1").startswith("已接受。预约码")
    assert offer_statuses(store, zhang) == {zhang.id: "accepted"}


def test_the_offer_is_told_in_english_and_in_traditional_characters(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    offered(store, policy, clock, zhang)
    phone = Phone(engine, PHONE)

    english = phone.say("status")
    assert english.endswith(
        f"Place offered: {the_place(store, zhang, 'en')}. "
        "Reply 1 to accept, 2 to decline, by 18 Jun 08:30."
    )
    traditional = phone.say("我約了嗎")
    assert "待確認名額：" in traditional
    assert "回覆1接受，回覆2放棄，6月18日 08:30前有效" in traditional
    assert phone.say("1").startswith("已接受。預約碼")
    assert offer_statuses(store, zhang) == {zhang.id: "accepted"}


def test_an_expired_or_declined_offer_is_not_told(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    li = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=OTHER)
    offered(store, policy, clock, zhang, li)
    assert "待确认名额" in Phone(engine, OTHER).say("查询")
    assert Phone(engine, OTHER).say("2").startswith("已放弃该名额")
    assert Phone(engine, OTHER).say("查询") == f"李芳：预登记码{li.prereg_code}\n暂无预约"

    clock.set("2021-06-18T08:30")  # past its time, though no batch has closed it yet
    assert offer_statuses(store, zhang) == {zhang.id: "open"}
    told = Phone(engine, PHONE).say("查询")
    assert told == f"张三：预登记码{zhang.prereg_code}\n暂无预约"
    assert "预约码" not in Phone(engine, PHONE).say("1")
    assert store.active_bookings(zhang.id) == []


def test_each_person_on_a_family_phone_is_told_by_name_and_a_1_accepts_the_one_offer(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    """A daughter's phone manages herself and her mother; only the mother is offered a place."""
    daughter = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    mother = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=OTHER, manager=PHONE)
    offered(store, policy, clock, mother)
    phone = Phone(engine, PHONE)

    replies = phone.send("查询")
    assert [r.text for r in replies] == [
        f"张三：预登记码{daughter.prereg_code}\n暂无预约",
        f"李芳：预登记码{mother.prereg_code}\n"
        f"待确认名额：{the_place(store, mother)}。回复1接受，回复2放弃，{UNTIL}。",
    ]
    within_budget(replies)
    accepted = phone.say("1")
    assert accepted.startswith("已接受。预约码") and "李芳" in accepted
    assert len(store.active_bookings(mother.id)) == 1
    assert store.active_bookings(daughter.id) == []


def test_two_offers_on_a_family_phone_are_both_told_and_a_1_asks_which(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    father = register(store, clock.now, "张父", date(1960, 1, 1), 13, phone=OTHER, manager=PHONE)
    mother = register(store, clock.now, "张母", date(1962, 2, 2), 24, phone=OTHER, manager=PHONE)
    offered(store, policy, clock, father, mother)
    phone = Phone(engine, PHONE)

    told = [r.text for r in phone.send("查询")]
    assert [t.split("：")[0] for t in told] == ["张父", "张母"]
    assert all("待确认名额：" in t and "回复1接受" in t for t in told)
    (question,) = phone.send("1")
    assert question.text == "有2个名额等您确认，接受哪一个？"
    assert [o.label.split()[0] for o in question.options] == ["张父", "张母"]


def test_a_strangers_phone_is_told_nothing_of_the_offers(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    neighbour = register(store, clock.now, "王五", date(1980, 3, 3), 34, phone=OTHER)
    offered(store, policy, clock, zhang)

    nobody = Phone(engine, STRANGER)
    assert nobody.say("查询") == "此号码还没有登记接种人。回复 预约 开始。"
    assert nobody.say("我约了吗") == "此号码还没有登记接种人。回复 预约 开始。"
    assert "预约码" not in nobody.say("1")
    assert Phone(engine, OTHER).say("查询") == f"王五：预登记码{neighbour.prereg_code}\n暂无预约"
    assert "预约码" not in Phone(engine, OTHER).say("1")
    assert offer_statuses(store, zhang) == {zhang.id: "open"}


def test_an_offer_told_in_the_middle_of_booking_is_accepted_by_the_word_told(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    """我约了吗 while booking: the offer is told, then the booking's question again. A 1 there
    answers the booking's question, so the status tells 接受, which answers the offer."""
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    offered(store, policy, clock, zhang)
    clock.set("2021-06-18T08:05")  # booking is open again; the offer lasts until 08:30
    phone = Phone(engine, PHONE)
    question = phone.send("预约")[-1].text

    assert question.startswith("张三有以下情况吗？\n1 ")  # the whole list, first
    replies = phone.send("我约了吗")
    assert [r.text for r in replies] == [
        f"张三：预登记码{zhang.prereg_code}\n"
        f"待确认名额：{the_place(store, zhang)}。回复 接受 或 放弃，{UNTIL}。",
        "张三有以上情况吗？请回复 没有 或序号",  # asked again in one line (SMS)
    ]
    assert offer_statuses(store, zhang) == {zhang.id: "open"}
    accepted = phone.say("接受")
    (booking,) = store.active_bookings(zhang.id)
    assert accepted.startswith(f"已接受。预约码{booking.code}")
    assert offer_statuses(store, zhang) == {zhang.id: "accepted"}


def test_waiting_in_the_queue_is_told_since_when_and_that_an_sms_will_come(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    li = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=OTHER, manager=PHONE)
    clock.set("2021-06-17T20:10")
    store.join_queue(zhang.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:12")
    store.join_queue(li.id, 1, "tianhe", "morning", clock.now)
    store.set_opt_out("sms", OTHER, True, clock.now)  # her own phone: no offer can reach her
    clock.set("2021-06-17T20:15")
    phone = Phone(engine, PHONE)

    assert [r.text for r in phone.send("查询")] == [
        f"张三：预登记码{zhang.prereg_code}\n暂无预约\n"
        "6月17日 20:10起排队（第1剂），第1位，有名额时短信通知",
        f"李芳：预登记码{li.prereg_code}\n暂无预约\n"
        "139****9000已退订短信，暂不分配名额；该号码回复 订阅 即恢复",
    ]
    assert phone.say("EN")
    assert phone.say("status").splitlines()[2] == (
        "queued for dose 1 since 17 Jun 20:10, number 1: we text when a place is found"
    )
    assert run_assign(store, policy, clock.now).offered == 1  # as told: only 张三


def test_the_offer_line_fits_one_segment_at_every_demo_site(policy: Policy) -> None:
    """The status line of an offer alone fits one Chinese SMS segment (70 characters), for
    the longest period and deadline, at every demo site."""
    day = format_day("zh", date(2021, 12, 30), TODAY)
    for demo in SITES:
        for key in ("status.offer", "status.offer.words"):
            line = text("zh", key, day=day, period="18:30-20:30", site=demo.name_zh,
                        until="12月30日 20:30")  # fmt: skip
            assert len(line) <= 70, line
