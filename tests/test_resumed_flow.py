"""A flow left unfinished and taken up again hours later, before it ends (the policy's
``flow_recap_hours`` .. ``flow_expires_hours``): the next message is told what was in progress
and what is left (您3小时前在为王小明预约第1剂（天河体育中心接种点，…），还差：时段。) before the
step's question, once; soon after, or once it has ended, nothing of the kind."""

from __future__ import annotations

from tests.conftest import Clock, Phone

ID = "440106199001011235"
REGISTER = ("1", "1", "王小明", "1", ID, "1", "1")  # consent, myself, …, home district


def test_back_hours_later_the_booking_in_progress_is_said_before_the_question(
    phone: Phone, clock: Clock
) -> None:
    phone.run("预约", *REGISTER, "没有", "1", "1")  # Tianhe, its first site: at the day
    clock.set("2021-06-17T12:30:00+08:00")  # three and a half hours later
    said = phone.say("在吗")
    assert said.startswith(
        "您3小时前在为王小明预约第1剂（天河体育中心接种点），还差：日期和时段。\n"
    )
    assert said.endswith("请选择日期，或直接输入（如：明天、6月20日）：")
    assert "您3小时前" not in phone.say("在吗")  # told once


def test_an_answer_hours_later_goes_on_and_says_what_it_was_for(phone: Phone, clock: Clock) -> None:
    phone.run("预约", *REGISTER, "没有", "1", "1")
    clock.set("2021-06-17T14:00:00+08:00")
    said = phone.say("明天")
    assert said.startswith(
        "您5小时前在为王小明预约第1剂（天河体育中心接种点，6月18日 周五），还差：时段。"
    )


def test_a_registration_left_at_the_id_number(phone: Phone, clock: Clock) -> None:
    phone.run("预约", "1", "1", "王小明", "1")
    clock.set("2021-06-17T13:00:00+08:00")
    said = phone.say("唔该")
    assert said.startswith("您4小时前在登记王小明，还差：证件。\n")


def test_in_english_and_traditional(phone: Phone, clock: Clock) -> None:
    phone.run("book", *REGISTER, "none", "1", "1")
    clock.set("2021-06-17T12:00:00+08:00")
    said = phone.say("hello?")
    assert said.startswith("3 h ago you were booking dose 1 for 王小明 (Tianhe Sports Centre")
    phone.say("我想預約")
    clock.set("2021-06-17T15:00:00+08:00")
    assert phone.say("喺唔喺度呀").startswith("您3小時前在為王小明預約第1劑")


def test_soon_after_or_once_ended_nothing_is_recalled(phone: Phone, clock: Clock) -> None:
    phone.run("预约", *REGISTER, "没有", "1", "1")
    clock.set("2021-06-17T10:00:00+08:00")  # an hour later
    assert "小时前" not in phone.say("在吗")
    clock.set("2021-06-18T10:00:00+08:00")  # a day later: ended
    said = phone.say("在吗")
    assert said.startswith("上次未完成的操作已超时结束。") and "小时前" not in said
