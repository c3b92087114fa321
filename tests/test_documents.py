"""A confirmation carries the appointment as a calendar event and the code as a QR code."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
import pytest

from flows.policy import Policy
from tests.conftest import Phone


@pytest.fixture(scope="session")
def policy(policy: Policy) -> Policy:
    """The campaign's policy with 45 minutes of observation (30 by default)."""
    booking = policy.booking.model_copy(update={"observation_minutes": 45})
    return policy.model_copy(update={"booking": booking})


BOOK_TOMORROW_MORNING = (
    "登记", "1", "1", "张三", "1", "440106199001011235", "1", "1",
    "预约", "没有", "1", "1", "明天上午", "1",
)  # fmt: skip


def test_a_booking_reply_carries_an_ics_event_and_a_qr_code(phone: Phone) -> None:
    phone.run(*BOOK_TOMORROW_MORNING)
    [reply] = phone.send("1")
    assert "预约成功" in reply.text
    ics, qr = reply.attachments
    assert (ics.mime, qr.mime) == ("text/calendar", "image/png")
    code = reply.text.split("预约码")[1][:8]
    assert ics.name == f"{code}.ics" and qr.name == f"{code}.png"
    assert qr.data.startswith(b"\x89PNG\r\n\x1a\n")

    calendar = icalendar.Calendar.from_ical(ics.data)
    [event] = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert isinstance(start, datetime)
    assert start.isoformat() == "2021-06-18T08:00:00+08:00"
    assert event.decoded("dtend").isoformat() == "2021-06-18T10:00:00+08:00"
    assert "天河体育中心接种点" in str(event["location"])
    assert code in str(event["description"])
    assert "留观45分钟" in str(event["description"])  # the policy's, as the answers say
    triggers = [alarm.decoded("trigger") for alarm in event.walk("VALARM")]
    assert triggers == [timedelta(days=-1)]


def test_other_replies_carry_nothing(phone: Phone) -> None:
    assert all(not reply.attachments for reply in phone.send("你好"))
