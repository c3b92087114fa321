"""Another site asked for once one is chosen (换个地方 at the confirmation, another place at the
time question): the district's sites again, for the booking on screen. It was read as moving
the booking already made on the phone (the mother's), or as a question about a site's address."""

from __future__ import annotations

import pytest

from store import Store
from tests.conftest import Phone
from tests.free_text_support import MOTHER, MOTHER_BOOKED, texts

# oneself, with the mother booked on the same phone: 为谁预约 (1: 张三), the list, Tianhe, the
# first site, 6月19日, 08:00-10:00
TO_DATE = ("预约", "1", "没有", "1", "1")
TO_PERIOD = (*TO_DATE, "3")
TO_CONFIRMATION = (*TO_PERIOD, "1")


def mothers_booking(store: Store) -> str:
    mother = store.resident_by_document("resident_id", MOTHER)
    assert mother is not None
    (booking,) = store.active_bookings(mother.id)
    return f"{booking.slot.day} {booking.slot.start} {booking.slot.site_id}"


@pytest.mark.parametrize(
    ("steps", "said"),
    [
        (TO_CONFIRMATION, "换个地方"),
        (TO_CONFIRMATION, "我想换个地方打"),
        (TO_CONFIRMATION, "another site please"),
        (TO_CONFIRMATION, "换个接种点"),
        (TO_CONFIRMATION, "can I change the site"),
        (TO_PERIOD, "换第二个地方啦"),
        (TO_PERIOD, "can I go somewhere else"),
        (TO_DATE, "其他接种点有冇位"),
    ],
)
def test_another_site_lists_the_sites_for_this_booking(
    phone: Phone, store: Store, steps: tuple[str, ...], said: str
) -> None:
    phone.run(*MOTHER_BOOKED)
    before = mothers_booking(store)
    phone.run(*steps)
    reply = phone.say(said)
    assert "请选择接种点：" in reply or "Choose a site:" in reply
    assert "改期" not in reply and "Changing" not in reply  # no move of the mother's booking
    # the booking goes on for 张三: the second site, its first day and period, confirmed
    phone.say("2")
    booked = texts(phone.run("1", "1", "1"))
    assert "张三" in booked and ("石牌" in booked or "Shipai" in booked)
    assert mothers_booking(store) == before


def test_the_site_named_at_the_confirmation_still_changes_the_district(phone: Phone) -> None:
    phone.run(*MOTHER_BOOKED, *TO_CONFIRMATION)
    (reply,) = phone.send("换去白云")
    assert "请选择接种点" in reply.text
    assert all(site not in option.label for option in reply.options for site in ("天河", "石牌"))
