"""Whose bookings, on a phone that holds several people (DESIGN.md: family members book for
elderly relatives): the sender's own (我几点打针), everyone's (我们全家的预约), cancelling all
of them with a confirmation that lists what goes (全部取消, cancel both), the nth as listed
(取消第二个), and a relative nobody on this phone is (取消我爸的): nothing is told about anyone,
only what to do. The phrasings are a sample of tests/explore/whose_bookings.jsonl."""

from __future__ import annotations

from datetime import date

import pytest

from store import Dose, Store
from tests.conftest import Clock, Phone
from tests.free_text_support import MOTHER, MOTHER_BOOKED, REGISTER_SELF

# 张三 booked too (6月19日 08:00), after his mother 李秀英 (6月18日 08:00-10:00)
BOTH_BOOKED = (*MOTHER_BOOKED, "预约", "1", "没有", "1", "1", "3", "1", "1")
FATHER_ID = "440106196503031013"
# and his father 张建国 (56), booked for the day after tomorrow
ALL_THREE = (
    *BOTH_BOOKED,
    "帮我爸爸登记",
    "1",
    f"张建国 {FATHER_ID}",
    "13900139001",
    "1",
    "帮我爸约后天上午",
    "没有",
    "1",
    "1",
    "1",
    "1",
)
NOT_HERE = ("本机未登记", "not registered on this phone")


def active(store: Store) -> list[str]:
    """The names of those on the phone with an active booking."""
    account = store.account_of("sms", "+8613800138000")
    assert account is not None
    return [p.name for p in store.residents_of(account) if store.active_bookings(p.id)]


def test_the_phones_are_as_described(phone: Phone, store: Store) -> None:
    phone.run(*ALL_THREE)
    assert active(store) == ["张三", "李秀英", "张建国"]


@pytest.mark.parametrize(
    "said", ["我几点打针", "我的预约是几号", "我幾點打針", "what time is my appointment"]
)
def test_my_own_booking_is_mine_alone(phone: Phone, said: str) -> None:
    phone.run(*BOTH_BOOKED)
    reply = phone.say(said)
    assert "张三" in reply and ("6月19日" in reply or "19 Jun" in reply)
    assert "李秀英" not in reply
    assert "查询" in reply or "查詢" in reply or "STATUS" in reply  # the others: how to see them


def test_mine_without_a_booking_of_my_own_is_everyone(phone: Phone) -> None:
    phone.run(*MOTHER_BOOKED)
    reply = phone.say("我几点打针")
    assert "张三" in reply and "李秀英" in reply


@pytest.mark.parametrize(
    "said", ["我们全家的预约", "所有人的预约", "all our bookings", "我們全家的預約"]
)
def test_everyones_bookings(phone: Phone, said: str) -> None:
    phone.run(*ALL_THREE)
    reply = phone.say(said)
    assert all(name in reply for name in ("张三", "李秀英", "张建国"))


@pytest.mark.parametrize(
    "said", ["我爸几点打针", "阿爷嘅针係边日", "when is my dad's shot", "我外婆幾時打針"]
)
def test_a_relative_not_on_this_phone_is_said_so_and_nobody_else_told(
    phone: Phone, said: str
) -> None:
    phone.run(*BOTH_BOOKED)
    reply = phone.say(said)
    assert any(words in reply for words in (*NOT_HERE, "本機未登記"))
    assert "登记" in reply or "登記" in reply or "REGISTER" in reply  # what to do instead
    assert "张三" not in reply and "李秀英" not in reply


def test_cancelling_for_a_relative_not_here_cancels_nothing(phone: Phone, store: Store) -> None:
    phone.run(*MOTHER_BOOKED)  # one booking, hers
    reply = phone.say("取消我爸的")
    assert "本机未登记您的父亲" in reply and "李秀英" not in reply
    assert phone.say("1") and active(store) == ["李秀英"]


def test_cancelling_for_a_relative_not_here_says_so_before_the_bookings_here(
    phone: Phone,
) -> None:
    phone.run(*BOTH_BOOKED)
    reply = phone.say("cancel my father's booking")
    assert "not registered on this phone" in reply and "Which booking?" in reply


def _mother_with_dose_1(phone: Phone, store: Store, clock: Clock) -> None:
    """The sender and their mother registered; her dose 1 (Sinovac, 20 May) on record."""
    phone.run(*REGISTER_SELF, "帮我妈妈登记", "1", f"李秀英 {MOTHER}", "13900139000", "1")
    mother = store.resident_by_document("resident_id", MOTHER)
    assert mother is not None
    store.add_dose(
        Dose(mother.id, 1, date(2021, 5, 20), "coronavac", 1, "import"), clock(), "t", "t"
    )


def test_a_second_dose_asked_for_a_relative_not_here_tells_nobodys(
    phone: Phone, store: Store, clock: Clock
) -> None:
    _mother_with_dose_1(phone, store, clock)
    reply = phone.say("我爸第二针几时打")
    assert "本机未登记您的父亲" in reply and "李秀英" not in reply


@pytest.mark.parametrize(
    ("said", "due"),
    [
        ("when does my mother get her second dose?", "10 Jun"),
        ("我妈第二针是哪天", "6月10日"),
        ("when can my mum have her 2nd jab", "10 Jun"),
    ],
)
def test_a_relatives_second_dose_from_her_first_on_record(
    phone: Phone, store: Store, clock: Clock, said: str, due: str
) -> None:
    _mother_with_dose_1(phone, store, clock)
    reply = phone.say(said)
    assert "李秀英" in reply and due in reply and "张三" not in reply


@pytest.mark.parametrize("said", ["全部取消", "两个都取消", "cancel both", "全部預約取消"])
def test_cancelling_all_lists_them_and_cancels_on_confirmation(
    phone: Phone, store: Store, said: str
) -> None:
    phone.run(*BOTH_BOOKED)
    reply = phone.say(said)
    assert any(w in reply for w in ("确认取消以下2个预约", "確認取消以下2個預約", "Cancel these 2"))
    assert "张三" in reply and "李秀英" in reply
    assert active(store) == ["张三", "李秀英"]  # nothing yet
    done = phone.say("1")
    assert "2" in done and active(store) == []


def test_all_said_at_one_bookings_cancellation_lists_them_all(phone: Phone, store: Store) -> None:
    """全部取消 at "确认取消李秀英…？" cancelled hers alone; it is every booking, listed."""
    phone.run(*BOTH_BOOKED)
    assert "李秀英" in phone.say("取消我妈的")
    reply = phone.say("全部取消")
    assert "确认取消以下2个预约" in reply and "张三" in reply
    assert active(store) == ["张三", "李秀英"]
    phone.say("1")
    assert active(store) == []


def test_cancelling_all_of_three(phone: Phone, store: Store) -> None:
    phone.run(*ALL_THREE)
    assert "确认取消以下3个预约" in phone.say("三个都取消")
    assert "已取消3个预约" in phone.say("确认")
    assert active(store) == []


def test_cancelling_all_can_be_declined(phone: Phone, store: Store) -> None:
    phone.run(*BOTH_BOOKED)
    phone.say("全部取消")
    assert "未取消" in phone.say("不取消")
    assert active(store) == ["张三", "李秀英"]


def test_cancelling_all_keeps_what_is_too_late(phone: Phone, store: Store, clock: Clock) -> None:
    phone.run(*BOTH_BOOKED)
    clock.set("2021-06-18T07:00:00+08:00")  # 李秀英's day: too late for hers
    reply = phone.say("全部取消")
    assert "确认取消以下1个预约" in reply and "当天不能取消" in reply
    phone.say("1")
    assert active(store) == ["李秀英"]


def test_cancel_my_booking_is_mine(phone: Phone) -> None:
    phone.run(*BOTH_BOOKED)
    reply = phone.say("取消我的预约")
    assert "确认取消张三" in reply and "李秀英" not in reply


@pytest.mark.parametrize(
    ("said", "whose"), [("取消第二个", "李秀英"), ("cancel the third one", "张建国")]
)
def test_the_nth_as_the_status_listed_them(phone: Phone, said: str, whose: str) -> None:
    phone.run(*ALL_THREE)
    phone.say("查询")
    reply = phone.say(said)
    assert whose in reply and ("确认取消" in reply or "Cancel" in reply)
    assert all(name not in reply for name in ("张三", "李秀英", "张建国") if name != whose)


def test_moving_all_is_one_at_a_time(phone: Phone) -> None:
    phone.run(*BOTH_BOOKED)
    reply = phone.say("全部改到下周")
    assert "一次改一个" in reply and "请选择预约" in reply
