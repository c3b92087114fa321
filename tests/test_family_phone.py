"""One phone used for several people, in the words a family member uses (session 15, found by
tests/explore/family_bookings.jsonl): two of them named together (我同阿妈都取消, 取消我爸妈的,
cancel mine and my mum's) are cancelled together once confirmed, and no one else; a pronoun
for the one the message before named by name (李秀英几时打针, then 佢嘅取消 / cancel hers too)
is her; 佢哋 / them for the two named before; 全家的预约时间 on a phone of several bookings is
their bookings, not the booking hours; not free on a day someone is booked (明天没空去打针) is
that booking's cancellation, or its move when another day is said; a move by days (推迟两天,
提前一日) offers that day."""

from __future__ import annotations

import pytest

from store import Store
from tests.conftest import Phone
from tests.test_whose_bookings import ALL_THREE, BOTH_BOOKED, active

# BOTH_BOOKED: 张三 booked Saturday 19 June, his mother 李秀英 Friday 18 June (tomorrow);
# ALL_THREE: and his father 张建国, Saturday 19 June.


@pytest.mark.parametrize(
    "said", ["我同阿妈都取消", "我和我妈的都取消", "取消我和我妈的预约", "cancel mine and my mum's"]
)
def test_me_and_my_mother_are_cancelled_together(phone: Phone, store: Store, said: str) -> None:
    phone.run(*ALL_THREE)
    reply = phone.say(said)
    assert "张三" in reply and "李秀英" in reply and "张建国" not in reply
    phone.say("1")
    assert active(store) == ["张建国"]


@pytest.mark.parametrize(
    "said",
    [
        "取消我爸妈的预约",
        "阿爸阿妈嘅都取消",
        "cancel my parents' bookings",
        "老妈同老豆嘅预约都取消埋佢",
    ],
)
def test_both_parents_are_cancelled_together(phone: Phone, store: Store, said: str) -> None:
    phone.run(*ALL_THREE)
    reply = phone.say(said)
    assert "李秀英" in reply and "张建国" in reply and "张三" not in reply
    phone.say("1")
    assert active(store) == ["张三"]


@pytest.mark.parametrize("said", ["佢嘅取消", "她的也取消", "cancel hers too", "帮她取消"])
def test_a_pronoun_is_the_one_named_by_name_just_before(
    phone: Phone, store: Store, said: str
) -> None:
    phone.run(*BOTH_BOOKED)
    assert "6月18日" in phone.say("李秀英几时打针")
    reply = phone.say(said)
    assert "李秀英" in reply and "张三" not in reply
    phone.say("1")
    assert active(store) == ["张三"]


@pytest.mark.parametrize("said", ["佢哋都取消", "两个都取消", "both cancel", "cancel them"])
def test_them_is_the_two_named_just_before(phone: Phone, store: Store, said: str) -> None:
    phone.run(*ALL_THREE)
    phone.say("我爸妈几时打针")
    reply = phone.say(said)
    assert "李秀英" in reply and "张建国" in reply and "张三" not in reply
    phone.say("1")
    assert active(store) == ["张三"]


def test_a_booking_named_then_moved_without_a_pronoun_is_still_theirs(phone: Phone) -> None:
    phone.run(*ALL_THREE)
    phone.say("李秀英的预约呢")
    reply = phone.say("改到下周二")
    assert "为李秀英改期" in reply and "6月22日" in reply


@pytest.mark.parametrize("said", ["全家的预约时间", "我们全家的预约时间", "全家的預約時間"])
def test_the_whole_familys_booking_times_are_their_bookings(phone: Phone, said: str) -> None:
    phone.run(*ALL_THREE)
    reply = phone.say(said)
    assert all(name in reply for name in ("张三", "李秀英", "张建国"))
    assert "您是想" not in reply and "預約時段" not in reply and "预约时段" not in reply


@pytest.mark.parametrize(
    "said",
    [
        "明天没空去打针",
        "听日唔得闲去打针",
        "明天要加班，打不了针了",
        "聽日冇時間去打針",
        "I won't be able to come tomorrow",
    ],
)
def test_not_free_on_a_booked_day_offers_to_cancel_that_booking(phone: Phone, said: str) -> None:
    phone.run(*BOTH_BOOKED)  # 李秀英 is booked tomorrow
    reply = phone.say(said)
    assert "李秀英" in reply and any(w in reply for w in ("确认取消", "確認取消", "Cancel 李秀英"))
    assert "为谁预约" not in reply and "為誰預約" not in reply and "Who is" not in reply
    assert "张三" not in reply


def test_not_free_on_a_booked_day_but_another_moves_it(phone: Phone) -> None:
    phone.run(*BOTH_BOOKED)
    reply = phone.say("明天没空，后天可以吗")
    assert "为李秀英改期" in reply and "6月19日" in reply


@pytest.mark.parametrize(
    ("said", "who", "day"),
    [
        ("帮我妈推迟两天", "为李秀英改期", "6月20日"),
        ("我妈的预约推迟一日", "为李秀英改期", "6月19日"),
        ("阿妈嘅针推迟两日", "为李秀英改期", "6月20日"),
        ("我的预约提早一天", "为张三改期", "6月18日"),
    ],
)
def test_a_move_by_days_offers_that_day(phone: Phone, said: str, who: str, day: str) -> None:
    phone.run(*BOTH_BOOKED)
    reply = phone.say(said)
    assert who in reply and day in reply and "7月1日" not in reply


@pytest.mark.parametrize(
    ("said", "who", "not_who"),
    [
        ("我爸呢", "张建国", "李秀英"),
        ("那我的呢", "张三", "李秀英"),
        ("and my dad's?", "张建国", "李秀英"),
        ("what about me", "张三", "李秀英"),
    ],
)
def test_a_person_alone_after_a_status_is_asked_about_the_same_way(
    phone: Phone, said: str, who: str, not_who: str
) -> None:
    phone.run(*ALL_THREE)
    assert "李秀英" in phone.say("李秀英几时打针")
    reply = phone.say(said)
    assert who in reply and ("6月19日" in reply or "19 Jun" in reply)
    assert not_who not in reply


WIFE = ("帮我老婆登记", "1", "王丽 440106199207071022", "13900139002", "1")


@pytest.mark.parametrize("said", ["取消我老婆的预约", "帮王丽改期"])
def test_someone_here_without_a_booking_is_said_so(phone: Phone, store: Store, said: str) -> None:
    phone.run(*BOTH_BOOKED, *WIFE)
    reply = phone.say(said)
    assert "王丽没有有效预约" in reply
    assert "张三" not in reply and "李秀英" not in reply
    assert active(store) == ["张三", "李秀英"]


@pytest.mark.parametrize("said", ["张建国的针是哪天", "张建国的预约时间", "我爸几时打针"])
def test_when_someone_here_goes_is_their_booking(phone: Phone, said: str) -> None:
    phone.run(*ALL_THREE)
    reply = phone.say(said)
    assert "张建国" in reply and "6月19日" in reply and "李秀英" not in reply
