"""A booking moved by saying when (改到下周, 改到下周三下午, can I move it to next week): the same
site, that week's days or that day's times, never the district list again; and the nearest
open days offered instead of a day that cannot be had are answered as days, whichever step
offered them (after the health questions, "1" picks the first day, not the first condition)."""

from __future__ import annotations

from datetime import date

from store import Store
from tests.conftest import Clock, Phone
from tests.free_text_support import REGISTER_SELF, texts, with_dose_1
from tests.store_support import add_slot

BACKENDS = ("sqlite", "postgresql")


def booked_tomorrow(phone: Phone) -> None:
    """张三 registered and booked at 天河体育中心 on Friday 18 June, 08:00-10:00."""
    phone.run(*REGISTER_SELF)
    said = texts(phone.run("我想明天上午在天河体育中心打疫苗", "没有", "1", "1"))
    assert "预约成功" in said and "6月18日 周五 08:00-10:00" in said


def test_next_week_lists_next_weeks_days_at_the_same_site(phone: Phone, store: Store) -> None:
    booked_tomorrow(phone)
    [reply] = phone.send("改到下周")
    assert "为张三改期" in reply.text and "请选择接种点所在区" not in reply.text
    assert reply.text.endswith("下周可约日期：")
    days = [option.label.split(" 剩")[0] for option in reply.options]
    assert days and all(day >= "6月21日" for day in days)  # from Monday 21 June on
    times = phone.say("1")
    assert "6月21日 周一 请选择时段" in times
    phone.say("1")
    done = phone.say("1")
    assert "6月21日 周一 08:00-10:00" in done and "天河体育中心" in done
    [booking] = store.active_bookings(store.residents_of(1)[0].id)
    assert booking.slot.day.isoformat() == "2021-06-21" and booking.site.name_zh.startswith("天河")


def test_a_day_and_time_said_go_straight_to_that_days_times_at_the_same_site(
    phone: Phone,
) -> None:
    booked_tomorrow(phone)
    [reply] = phone.send("改到下周三下午")
    assert reply.text.endswith("6月23日 周三 请选择时段：")
    assert [o.label.split(" ")[0] for o in reply.options] == ["14:00-16:00", "16:00-18:00"]


def test_next_week_in_english_and_cantonese(phone: Phone) -> None:
    booked_tomorrow(phone)
    [reply] = phone.send("can I move it to next week")
    assert reply.text.endswith("Dates next week with places:")
    assert reply.options[0].label.startswith("Mon 21 Jun")  # from next Monday, not today
    phone.say("退出")
    assert "下周可约日期" in phone.say("可唔可以改去下礼拜")


def test_next_week_typed_at_the_date_question(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    phone.run("预约", "没有", "1", "1")  # district 天河, site 天河体育中心
    [reply] = phone.send("下周")
    assert reply.text == "下周可约日期："
    assert reply.options[0].label.startswith("6月21日 周一")


def test_next_week_not_released_yet_is_said_with_when(phone: Phone, store: Store) -> None:
    """A site whose places for next week are not out yet: when they will be, not "full"."""
    site = store.add_site(
        district_id="tianhe", name_zh="天河南街社区卫生服务中心", name_en="Tianhenan Clinic",
        address_zh="天河南一路1号", address_en="1 Tianhenan Rd 1",
    )  # fmt: skip
    add_slot(store, site="Tianhenan Clinic", start="09:00", end="11:00", capacity=5)
    for day in range(21, 28):  # next week: made, not released
        add_slot(store, site="Tianhenan Clinic", day=date(2021, 6, day), released_at=None)
    phone.run(*REGISTER_SELF)
    *_, [sites] = (phone.send(message) for message in ("预约", "没有", "1"))
    [key] = [o.key for o in sites.options if o.label.startswith("天河南街")]
    assert site and phone.say(key).endswith("请选择日期，或直接输入（如：明天、6月20日）：")
    [reply] = phone.send("下周")
    assert reply.text.startswith("下周的名额6月18日 周五 08:00起放出，现在还不能约。")
    assert [o.label for o in reply.options] == ["6月18日 周五 剩5"]


def test_the_nearest_days_after_the_health_questions_are_read_as_days(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    phone.send("我想6月26日上午在天河体育中心打疫苗")
    offered = phone.say("没有")
    assert "6月26日 周六的名额6月19日 周六 08:00放出" in offered and "最近可约" in offered
    times = phone.say("1")  # the first day offered, not "1 对疫苗成分过敏"
    assert "不能接种" not in times and "请选择时段" in times


def test_the_districts_offered_after_the_health_questions_are_read_as_districts(
    phone: Phone,
) -> None:
    phone.run(*REGISTER_SELF)
    phone.send("我想明天在海珠区打疫苗")  # 海珠 books 12:00-16:00; it is 09:00
    offered = phone.say("没有")
    assert "海珠区每天12:00-16:00开放预约" in offered and "请选择接种点所在区" in offered
    sites = phone.say("1")  # 天河区, not "1 对疫苗成分过敏"
    assert "不能接种" not in sites and sites.endswith("请选择接种点：")


def test_a_day_ruled_out_is_not_booked(phone: Phone, store: Store, clock: Clock) -> None:
    with_dose_1(phone, store, clock)
    phone.send("明天不行，后天上午打第二针")
    said = texts(phone.run("没有", "1"))  # the site of dose 1
    assert "6月19日 周六" in said and "6月18日" not in said


def test_a_time_ruled_out_at_the_time_question_shows_the_others(phone: Phone) -> None:
    booked_tomorrow(phone)
    phone.send("改到下周一")
    [times] = phone.send("上午不行，下午吧")
    assert [o.label.split(" ")[0] for o in times.options] == ["14:00-16:00", "16:00-18:00"]


def test_a_move_without_a_booking_offers_a_booking_for_that_time(phone: Phone) -> None:
    [reply] = phone.send("can't do tomorrow, saturday morning 2nd dose")
    assert reply.text == "You have no active booking."
    assert [o.label for o in reply.options] == ["Book a vaccination for that time"]


def test_a_change_of_place_keeps_the_day_said(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    phone.send("我想后天上午打疫苗")
    assert phone.say("没有").endswith("请选择接种点所在区：")
    assert phone.say("换去白云").endswith("请选择接种点：")
    times = phone.say("1")
    assert "6月19日 周六" in times and "请选择日期" not in times


def test_booking_someone_already_booked_offers_to_move_it(phone: Phone) -> None:
    booked_tomorrow(phone)
    [reply] = phone.send("帮张三约后天下午")
    assert reply.text.startswith("张三已有第1剂预约：6月18日 周五 08:00-10:00")
    assert [o.label for o in reply.options] == ["改期"]
    [times] = phone.send("1")  # moved to the day and time said, at the same site
    assert times.text.endswith("6月19日 周六 请选择时段：")
    assert [o.label.split(" ")[0] for o in times.options] == ["14:00-16:00", "16:00-18:00"]


def test_saying_cancel_again_at_the_cancel_question_confirms(phone: Phone, store: Store) -> None:
    booked_tomorrow(phone)
    assert "确认取消" in phone.say("取消预约")
    assert "已取消" in phone.say("我唔去喇")
    assert store.active_bookings(store.residents_of(1)[0].id) == []
