"""取消 / cancel typed while a booking or a registration is being filled in stops that one: it
does not offer a relative's booking on record for cancelling (where a "1" meant for the booking
on screen would have cancelled hers). Sent again, outside the flow, it cancels a booking."""

from __future__ import annotations

import pytest

from store import Store
from tests.conftest import Phone
from tests.free_text_support import MOTHER, MOTHER_BOOKED

# her booking on record; then the sender's own booking, up to its confirmation
AT_CONFIRMATION = (*MOTHER_BOOKED, "预约", "1", "没有", "1", "1", "3", "1")


def _her_bookings(store: Store) -> int:
    her = store.resident_by_document("resident_id", MOTHER)
    assert her is not None
    return len(store.active_bookings(her.id))


@pytest.mark.parametrize("word", ["取消", "取消预约", "cancel", "取消呀"])
def test_cancel_at_a_confirmation_stops_the_booking_and_keeps_hers(
    phone: Phone, store: Store, word: str
) -> None:
    assert "请确认" in phone.run(*AT_CONFIRMATION)[-1].text
    reply = phone.say(word)
    assert "李秀英" not in reply  # her booking is not offered
    assert "未保存" in reply or "Nothing was saved" in reply
    assert "取消" in reply or "CANCEL" in reply  # and how to cancel one, if that was meant
    phone.say("1")  # the number meant for the confirmation: now the menu's 预约接种
    assert _her_bookings(store) == 1


def test_cancel_sent_again_outside_the_flow_offers_the_booking(phone: Phone, store: Store) -> None:
    phone.run(*AT_CONFIRMATION, "取消")
    reply = phone.say("取消")
    assert "李秀英" in reply
    phone.say("1")
    assert _her_bookings(store) == 0


def test_cancel_while_registering_stops_the_registration(phone: Phone) -> None:
    phone.run("登记", "1", "1")
    reply = phone.say("取消")
    assert "已退出" in reply and "取消" not in reply  # nothing on record to cancel
