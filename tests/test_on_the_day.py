"""Around the appointment, in a resident's words, with a booking on the phone: not free to go
(没空去, 唔得闲去, 赶唔切) is a cancellation or a move of that booking, never "没看懂"; running
late (会晚点到, I'm running late) is told the rules for missing an appointment; arrived (我到了，
在门口, I'm here) is shown the booking and its code, to show at the site."""

from __future__ import annotations

import pytest

from tests.conftest import Phone
from tests.free_text_support import MOTHER_BOOKED

CANT_GO = ["明天没空去", "听日唔得闲去", "我妈明天冇时间去", "赶唔切啊", "明天来唔到"]
LATE = ["我会晚点到", "我妈会迟啲到", "I'm running late", "we will arrive late"]


@pytest.mark.parametrize("said", CANT_GO)
def test_not_free_to_go_starts_a_cancellation_of_the_booking(phone: Phone, said: str) -> None:
    phone.run(*MOTHER_BOOKED)
    reply = phone.say(said)
    assert "没看懂" not in reply
    assert "取消" in reply and "李秀英" in reply  # her booking, named, to cancel or move


@pytest.mark.parametrize("said", LATE)
def test_running_late_is_told_the_rules_of_a_missed_appointment(phone: Phone, said: str) -> None:
    phone.run(*MOTHER_BOOKED)
    reply = phone.say(said)
    assert "爽约" in reply or "no-show" in reply


ARRIVED = [
    "我到了，在门口",
    "我已经到接种点了",
    "到咗门口",
    "I'm here at the site",
    "I have arrived",
]


@pytest.mark.parametrize("said", ARRIVED)
def test_arrived_at_the_site_is_shown_the_booking_and_its_code(phone: Phone, said: str) -> None:
    phone.run(*MOTHER_BOOKED)
    reply = phone.say(said)
    assert "李秀英" in reply and ("预约码B" in reply or "code B" in reply)
