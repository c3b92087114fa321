"""A cancellation or a change that names whose booking (帮我取消张三的预约, 取消我妈的)
on a phone with several: that person's booking at once, not "which booking?". And 改我的预约
is a change, not a status question."""

from __future__ import annotations

import pytest

from tests.conftest import Phone
from tests.free_text_support import MOTHER_BOOKED

# 张三 booked too: 为谁预约 1 (张三), none of the list, Tianhe, the first site, 6月19日, 08:00
BOTH_BOOKED = (*MOTHER_BOOKED, "预约", "1", "没有", "1", "1", "3", "1", "1")


@pytest.mark.parametrize(
    ("said", "whose"),
    [
        ("取消我妈的", "李秀英"),
        ("我妈那个取消咗佢", "李秀英"),
        ("cancel my mom's appointment", "李秀英"),
        ("帮我取消张三的预约", "张三"),
        ("取消我自己的预约", "张三"),
    ],
)
def test_a_cancellation_naming_whose_asks_about_that_booking(
    phone: Phone, said: str, whose: str
) -> None:
    phone.run(*BOTH_BOOKED)
    reply = phone.say(said)
    assert whose in reply and ("确认取消" in reply or "Cancel" in reply)
    other = "张三" if whose == "李秀英" else "李秀英"
    assert other not in reply


@pytest.mark.parametrize(("said", "whose"), [("帮我妈改期", "李秀英"), ("改我自己的预约", "张三")])
def test_a_change_naming_whose_moves_that_booking(phone: Phone, said: str, whose: str) -> None:
    phone.run(*BOTH_BOOKED)
    reply = phone.say(said)
    assert f"为{whose}改期" in reply


def test_naming_nobody_still_asks_which(phone: Phone) -> None:
    phone.run(*BOTH_BOOKED)
    assert "请选择预约" in phone.say("取消")
    assert "请选择预约" in phone.say("取消我爸的")  # no father on this phone: which one


@pytest.mark.parametrize("said", ["改我的预约", "我要改预约", "改下我嘅预约", "修改预约"])
def test_changing_my_booking_is_a_change(phone: Phone, said: str) -> None:
    phone.run(*MOTHER_BOOKED)
    assert "为李秀英改期" in phone.say(said)


@pytest.mark.parametrize("said", ["改天再预约", "不改预约了"])
def test_another_day_to_book_or_no_change_is_no_change(phone: Phone, said: str) -> None:
    phone.run(*MOTHER_BOOKED)
    assert "改期" not in phone.say(said)
