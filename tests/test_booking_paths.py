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
from store import Dose, Store
from tests.conftest import Clock, Phone
from tests.fakes import tables
from tests.jobs_support import OTHER, PHONE, book, register

BACKENDS = ("sqlite", "postgresql")


# -- A5: a queue place accepted for someone 70+ ------------------------------------------------


def test_a_queue_place_accepted_for_someone_over_70_asks_the_companion_first(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    granny = register(store, clock.now, "黄婆婆", date(1940, 2, 10), 42)  # 81
    declared = Dose(granny.id, 1, date(2021, 4, 1), "coronavac", None, "declared")  # overdue
    store.add_dose(declared, clock.now, "self:sms", "sms")
    clock.set("2021-06-17T20:10")
    assert store.join_queue(granny.id, 2, "tianhe", None, clock.now)
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
    for notice in (
        "已超56天间隔，请尽快接种。",
        "第1针为自报，请带接种凭证。",
        "60岁以上现场评估健康。",
        "陪同家属：李国强 138****0003。",
        "76岁以上走绿色通道。",
    ):
        assert notice in accepted
    assert store.offer_rows(granny.id)[0]["status"] == "accepted"


def test_of_two_open_offers_the_one_for_someone_over_70_asks_the_companion(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    granny = register(store, clock.now, "黄婆婆", date(1940, 2, 10), 42)
    son = register(store, clock.now, "黄小明", date(1990, 1, 1), 12, phone=OTHER, manager=PHONE)
    clock.set("2021-06-17T20:10")
    for person in (granny, son):
        store.join_queue(person.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    assert run_assign(store, policy, clock.now).offered == 2
    clock.set("2021-06-17T21:05")
    phone = Phone(engine, PHONE)
    which = phone.send("1")[-1]
    assert [o.label.split()[0] for o in which.options] == ["黄婆婆", "黄小明"]

    assert "请输入陪同家属姓名" in phone.say("1")
    phone.say("黄小明")
    accepted = phone.say("1")  # this phone

    (booking,) = store.active_bookings(granny.id)
    assert (booking.companion_name, booking.companion_phone) == ("黄小明", PHONE)
    assert "陪同家属：黄小明 138****8000。" in accepted
    assert "还有1个名额等您确认" in accepted  # the son's offer is still open
    assert store.active_bookings(son.id) == []


def test_joining_the_queue_at_70_says_the_companion_is_asked_at_acceptance(
    store: Store, clock: Clock, engine: Engine
) -> None:
    register(store, clock.now, "黄婆婆", date(1940, 2, 10), 42)
    clock.set("2021-06-17T13:00")  # Tianhe's booking hours are over: the queue is offered
    phone = Phone(engine, PHONE)
    phone.run("预约", "没有", "1")  # dose 1, no health issue, Tianhe
    assert "是否加入预登记排队" in phone.say("12")  # the last option: the queue
    assert "希望安排在什么时段" in phone.say("1")

    joined = phone.say("1")  # mornings

    assert "已为黄婆婆加入排队" in joined
    assert "黄婆婆已满70岁，接受名额时须提供陪同家属姓名和手机号。" in joined


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


# -- A3: dose 1 declared beside a dose-1 booking here ------------------------------------------


def test_declaring_dose_1_given_elsewhere_names_the_dose_1_booking_and_cancels_it(
    store: Store, clock: Clock, engine: Engine
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    first = book(store, zhang, clock.now, "2021-06-20")
    phone = Phone(engine, PHONE)

    asked = phone.say("预约第二针")
    assert (
        f"张三已约第1剂：6月20日 周日 10:00-12:00 天河体育中心接种点，预约码{first.code}" in asked
    )
    assert "是否已在别处打过？是则取消上述预约" in asked
    assert "哪天" in phone.say("1")
    said = phone.say("5月20日在天河体育中心打的科兴")

    assert f"已取消第1剂预约（预约码{first.code}）" in said
    assert store.active_bookings(zhang.id) == []  # no dose-1 booking beside the declared dose
    (dose,) = store.doses_of(zhang.id)
    assert (dose.dose, dose.day, dose.source) == (1, date(2021, 5, 20), "declared")
    assert "请选择接种地点" in phone.say("没有")  # on to dose 2


def test_keeping_the_dose_1_booking_declares_nothing(
    store: Store, clock: Clock, engine: Engine
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    first = book(store, zhang, clock.now, "2021-06-20")
    phone = Phone(engine, PHONE)
    phone.say("预约第二针")

    kept = phone.say("2")

    assert (
        f"张三已有第1剂预约：6月20日 周日 10:00-12:00 天河体育中心接种点，预约码{first.code}"
        in kept
    )
    assert [b.id for b in store.active_bookings(zhang.id)] == [first.id]
    assert store.doses_of(zhang.id) == []


# -- B12a: dose 1's site has none of its maker ---------------------------------------------------


def _dose_1_at_panyu(store: Store, clock: Clock, manager: str | None = None) -> None:
    """Someone with dose 1 (科兴) at 番禺区体育馆, which stocks only 国药 in the demo."""
    phone = OTHER if manager else PHONE
    person = register(store, clock.now, "李明", date(1990, 1, 1), 12, phone=phone, manager=manager)
    site = store.site_named("番禺区体育馆接种点")
    assert site is not None
    dose = Dose(person.id, 1, date(2021, 5, 3), "coronavac", site.id, "import")
    store.add_dose(dose, clock.now, "t", "t")
    clock.set("2021-06-17T13:00")  # Panyu's booking hours


def test_a_dose_1_site_without_the_maker_is_said_so_and_not_offered(
    store: Store, clock: Clock, engine: Engine
) -> None:
    _dose_1_at_panyu(store, clock)
    phone = Phone(engine, PHONE)
    phone.say("预约第二针")

    where = phone.send("没有")[-1]

    assert "番禺区体育馆接种点没有科兴新冠灭活疫苗（第2剂须与第1剂同厂家）" in where.text
    assert "约满" not in where.text
    labels = [option.label for option in where.options]
    assert labels == ["居住地天河区的接种点", "其他区"]  # not offered again


def test_the_where_step_for_a_relative_says_their_home_district(
    store: Store, clock: Clock, engine: Engine
) -> None:
    _dose_1_at_panyu(store, clock, manager=PHONE)
    phone = Phone(engine, PHONE)
    phone.say("book dose 2")

    where = phone.send("none")[-1]

    assert "Panyu Gymnasium has no CoronaVac (Sinovac)" in where.text
    labels = [option.label for option in where.options]
    assert labels == ["A site in 李明's home district, Tianhe", "Another district"]


def test_a_full_dose_1_site_is_said_full_and_not_offered_again(
    store: Store, clock: Clock, engine: Engine
) -> None:
    person = register(store, clock.now, "李明", date(1990, 1, 1), 12)
    site = store.site_named("天河体育中心接种点")
    assert site is not None
    store.add_dose(Dose(person.id, 1, date(2021, 5, 3), "coronavac", site.id, "import"),
                   clock.now, "t", "t")  # fmt: skip
    tables.fill_slots(store, site_id=site.id)
    phone = Phone(engine, PHONE)
    phone.run("预约第二针", "没有")

    full = phone.send("1")[-1]  # the site of dose 1

    assert "天河体育中心接种点近期已约满。" in full.text
    assert [option.label for option in full.options] == ["居住地天河区的接种点", "其他区"]
