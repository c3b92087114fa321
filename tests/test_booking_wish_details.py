"""A booking wish's details in the first message (session 15, tests/explore/booking_sentences.jsonl
kinds): two days offered as alternatives are asked about, never guessed (Cantonese 定 too), and
either of them will do offers just those; a correction after 唔系; the site of dose 1 said in
words; a maker asked for dose 1 lists only its sites, and a site without it is said and
another asked; a time of day said in words (唔好太早, early morning) bounds the periods offered;
a day and a place stated with no question is a booking; a month away is said not yet released;
a nickname (天体) and a typo (名天) are read. The clock: Thursday 17 June 2021, 09:00."""

from __future__ import annotations

import re

import pytest

from bot.messages import Reply
from bot.nlu.normalise import simplified
from store import Store
from tests.conftest import Clock, Phone
from tests.free_text_support import REGISTER_SELF, with_dose_1


def shown(replies: list[Reply]) -> str:
    """What the resident sees, options included, in Simplified characters."""
    parts = [r.text + "\n" + "\n".join(f"{o.key} {o.label}" for o in r.options) for r in replies]
    return simplified("\n".join(parts))


def after_health(phone: Phone, wish: str) -> str:
    """What follows the health questions (answered none) for a registered resident's ``wish``."""
    phone.run(*REGISTER_SELF)
    first = shown(phone.send(wish))
    assert "有以下情况吗" in first or "any of these" in first, first
    return shown(phone.send("没有" if not wish.isascii() else "none"))


@pytest.mark.parametrize(
    "wish",
    ["礼拜五定礼拜六好呢，想打针，石牌", "想约周五定系周六，石牌",
     "book a jab at shipai, friday or saturday"],
)  # fmt: skip
def test_two_days_as_alternatives_are_asked_about(phone: Phone, store: Store, wish: str) -> None:
    reply = after_health(phone, wish)
    assert ("请选择日期" in reply or "Choose a date" in reply) and "请确认" not in reply, reply


@pytest.mark.parametrize("wish", ["明天或者后天都行，石牌", "礼拜六或者礼拜日都得，石牌"])
def test_either_of_two_days_offers_just_those(phone: Phone, wish: str) -> None:
    reply = after_health(phone, wish)
    days = re.findall(r"^\d+ (6月\d+日)", reply, re.MULTILINE)
    assert days in (["6月18日", "6月19日"], ["6月19日", "6月20日"]), reply


@pytest.mark.parametrize("wish", ["约礼拜五…唔系，礼拜六，石牌", "石牌 礼拜五，不是，礼拜六"])
def test_a_no_then_another_day_is_that_day(phone: Phone, wish: str) -> None:
    reply = after_health(phone, wish)
    assert "6月19日" in reply and "请选择时段" in reply and "6月18日" not in reply, reply


@pytest.mark.parametrize(
    "wish", ["第二针，原来嘅地方，礼拜六", "打第二针，跟第一针一样的地方，礼拜六",
             "2nd dose at the same place as last time on saturday"],
)  # fmt: skip
def test_the_site_of_dose_1_said_in_words_is_taken(
    phone: Phone, store: Store, clock: Clock, wish: str
) -> None:
    with_dose_1(phone, store, clock)
    first = shown(phone.send(wish))
    assert "有以下情况吗" in first or "any of these" in first, first
    reply = shown(phone.send("none" if wish.isascii() else "没有"))
    assert "19 Jun" in reply or "6月19日" in reply, reply
    assert "选择时段" in reply or "choose a time" in reply, reply
    assert "原接种点" not in reply and "1 天河体育中心接种点" not in reply


@pytest.mark.parametrize("wish", ["想打国药的 后天 天河", "国药，礼拜六，天河区"])
def test_a_maker_asked_for_dose_1_lists_only_its_sites(phone: Phone, wish: str) -> None:
    reply = after_health(phone, wish)
    assert "石牌街社区卫生服务中心" in reply and "天河体育中心" not in reply, reply


@pytest.mark.parametrize("wish", ["石牌打科兴 明天", "天河体育中心打国药 后天"])
def test_a_site_without_the_maker_asked_for_is_said_and_another_asked(
    phone: Phone, store: Store, wish: str
) -> None:
    reply = after_health(phone, wish)
    assert "没有" in reply and "请另选接种点" in reply and "请选择接种点" in reply, reply
    assert "请确认" not in reply and not store.active_bookings(1)


@pytest.mark.parametrize(
    ("wish", "periods"),
    [("约明天唔好太早，石牌", ("10:00-12:00", "14:00-16:00")),
     ("early morning tomorrow at shipai", ("08:00-10:00",))],
)  # fmt: skip
def test_a_time_of_day_in_words_bounds_the_periods(
    phone: Phone, wish: str, periods: tuple[str, ...]
) -> None:
    reply = after_health(phone, wish)
    assert "6月18日" in reply or "18 Jun" in reply, reply
    for period in ("08:00-10:00", "10:00-12:00", "14:00-16:00"):  # Shipai's first three
        assert (period in reply) == (period in periods), reply


def test_a_time_ruled_out_beside_a_day_is_a_booking_not_declining_an_offer(phone: Phone) -> None:
    reply = after_health(phone, "唔要朝早，听日，石牌")
    assert "6月18日" in reply and "14:00-16:00" in reply and "08:00-10:00" not in reply, reply


@pytest.mark.parametrize("wish", ["京溪街流动接种车 下周一", "夜场 天河 礼拜日"])
def test_a_day_and_a_place_stated_are_a_booking(phone: Phone, wish: str) -> None:
    phone.run(*REGISTER_SELF)
    reply = shown(phone.send(wish))
    assert "有以下情况吗" in reply, reply


@pytest.mark.parametrize("wish", ["下个月打针", "月底打第一针", "I want my jab next month"])
def test_a_month_away_is_said_not_released_yet(phone: Phone, wish: str) -> None:
    phone.run(*REGISTER_SELF)
    reply = shown(phone.send(wish))
    assert "名额只提前7天放出" in reply or "released only 7 days ahead" in reply, reply


@pytest.mark.parametrize(  # 天体: Tianhe Sports Centre, the only evening site in Tianhe
    ("wish", "said"),
    [("天体打针 后日", ("6月19日", "18:30-20:30")), ("预约名天上午，石牌", ("6月18日",))],
)
def test_a_nickname_and_a_typo_are_read(phone: Phone, wish: str, said: tuple[str, ...]) -> None:
    reply = after_health(phone, wish)
    assert all(word in reply for word in said) and "请选择日期" not in reply, reply
