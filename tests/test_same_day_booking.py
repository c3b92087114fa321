"""A booking too close to be cancelled or changed says so before it is confirmed (explore10 18:
a same-day booking was confirmed without a word, and 取消 a minute later was refused)."""

from __future__ import annotations

import pytest

from tests.conftest import Clock, Phone
from tests.free_text_support import REGISTER_SELF

BACKENDS = ("sqlite", "postgresql")
FINAL = "确认后不能取消或改期"


@pytest.mark.parametrize(("day", "final"), [("今天下午", True), ("明天下午", False)])
def test_the_confirmation_says_when_a_booking_is_final(
    phone: Phone, clock: Clock, day: str, final: bool
) -> None:
    clock.set("2021-06-17T10:00:00+08:00")
    phone.run(*REGISTER_SELF)
    phone.run(f"预约{day}", "没有", "1", "1")  # the home district, its first site
    confirm = phone.say("1")  # the first period
    assert confirm.startswith("请确认")
    assert (FINAL in confirm) is final, confirm
    if final:
        assert "预约成功" in phone.say("1")
        assert "现已不能取消" in phone.say("取消")  # as the confirmation said
