"""A change of mind at any step, as residents write it (explore9 kinds 9 and 11): someone else
after the name was given (at the document type or the ID number, not only at the name), this
phone for a number asked for (佢冇手机，用我嘅), giving up a change (算了，唔改啦 keeps the booking;
算了 stops a booking in progress), 重新约过 after a missed appointment, not knowing the ID
number, another maker than dose 1's for dose 2, and a booster asked for before dose 2. The
phrasings are varied on purpose (Mandarin, Cantonese, Traditional, English, filler): the kind
is what must work, not a list of sentences. Exact answers keep their priority."""

from __future__ import annotations

from datetime import date

import pytest

from bot.nlu.normalise import simplified
from store import Store
from tests.conftest import Clock, Phone
from tests.free_text_support import MOTHER, REGISTER_SELF, texts, with_dose_1
from tests.jobs_support import register


def said_to(phone: Phone, text: str) -> str:
    """The replies to ``text``, in Simplified characters (a Traditional message is answered
    in Traditional)."""
    return simplified(phone.say(text))


NEW_SELF = ("预约", "1", "1", "张三")  # a new resident booking for themself, their name given
OTHER_PERSON = [
    "不是我，是给我妈约",
    "唔係我，係幫我阿妈約",
    "not me, it's for my mother",
    "搞错了，是帮我老豆登记",
    "其实係帮我阿嫲约嘅",
    "哦不对，是帮我老婆约的",
    "sorry it's actually for my dad",
    "不是本人，帮我女儿约",
]


@pytest.mark.parametrize(
    ("said", "step"),
    [(said, ("document", "id_number")[n % 2]) for n, said in enumerate(OTHER_PERSON)],
)
def test_someone_else_after_the_name_asks_their_name_again(
    phone: Phone, said: str, step: str
) -> None:
    phone.run(*NEW_SELF, *(("1",) if step == "id_number" else ()))
    reply = said_to(phone, said)
    assert "为家人登记" in reply or "registering a family member" in reply
    assert "请回复 1 到" not in reply and "位" not in reply and "you sent" not in reply
    # their own name and ID now, and they are registered as that relation, not as 本人
    asked = said_to(phone, "李秀英")
    assert "请选择证件类型" in asked or "document" in asked, asked
    phone.run("1", MOTHER)
    asked = phone.say("1")  # this phone
    assert "李秀英" in asked and "本人手机号" not in asked


def test_the_relation_said_is_kept_and_the_first_name_forgotten(phone: Phone, store: Store) -> None:
    phone.run(*NEW_SELF, "1")
    phone.run("唔係我，係幫我阿妈約", "李秀英", "1", MOTHER, "1", "1")
    resident = store.resident_by_document("resident_id", MOTHER)
    assert resident is not None and resident.name == "李秀英" and resident.relation == "mother"
    assert [p.name for p in store.residents_of(resident.account_id)] == ["李秀英"]  # no 张三


def test_myself_after_choosing_someone_else(phone: Phone) -> None:
    phone.run("预约", "1", "2", "李秀英", "1")
    reply = phone.say("其实是帮我自己约")
    assert "为本人登记" in reply or "本人" in reply
    assert "请输入接种人姓名" in reply


THIS_PHONE = [
    "佢冇手機",
    "用返呢個號碼",
    "佢冇手机，用我嘅",
    "她没有手机，就用这个号码吧",
    "用本机的",
    "填我的号码就行",
    "she has no phone, use mine",
    "same number as mine please",
    "He doesn't have a mobile",
    "打呢個電話就得",
]


@pytest.mark.parametrize("said", THIS_PHONE)
def test_this_phone_in_words_is_taken_for_a_relative(phone: Phone, store: Store, said: str) -> None:
    phone.run("预约", "1", "2", "李秀英", "1", MOTHER)
    reply = said_to(phone, said)
    assert "手机号无效" not in reply and "not a valid mobile" not in reply
    assert "李秀英住在天河区吗" in reply or "Does 李秀英 live in Tianhe" in reply
    phone.say("1")
    resident = store.resident_by_document("resident_id", MOTHER)
    assert resident is not None and resident.phone == "+8613800138000"


def test_someone_elses_number_in_words_is_not_taken_for_this_one(phone: Phone) -> None:
    phone.run("预约", "1", "2", "李秀英", "1", MOTHER)
    assert "手机号无效" in phone.say("用我妈的号码")
    assert "住在天河区吗" in phone.say("13900139000")  # a number typed still works


def test_this_phone_on_a_channel_without_one_asks_for_a_number(engine: object) -> None:
    from bot.engine import Engine

    assert isinstance(engine, Engine)
    chat = Phone(engine, "tg-42", channel="telegram")
    chat.run("预约", "1", "2", "李秀英", "1", MOTHER)
    reply = chat.say("佢冇手机，用我嘅")
    assert "无法取得本机号码" in reply and "住在天河区吗" not in reply


@pytest.mark.parametrize("said", ["就用呢个号啦", "用返我個號碼", "same number, use mine"])
def test_this_phone_in_words_for_a_companion(
    phone: Phone, store: Store, clock: Clock, said: str
) -> None:
    elder = register(store, clock.now, "陈伯", date(1950, 3, 3), 41)  # 71: a companion needed
    phone.run("我想明天上午在天河体育中心打疫苗", "没有", "1")
    assert "手机号" in phone.say("陈大文")
    confirm = said_to(phone, said)
    assert "陈大文" in confirm and "138****8000" in confirm
    phone.say("1")
    [booking] = store.active_bookings(elder.id)
    assert booking.companion_phone == "+8613800138000"


UNKNOWN = ["不知道喔", "唔知呀", "忘记了", "冇帶身份證", "I don't know it", "not sure", "不記得了"]


@pytest.mark.parametrize("said", UNKNOWN)
def test_not_knowing_the_id_number_says_where_it_is(phone: Phone, said: str) -> None:
    phone.run(*NEW_SELF, "1")
    reply = said_to(phone, said)
    assert "您输入了" not in reply and "you sent" not in reply
    assert "证件正面" in reply or "front of the card" in reply
    assert "440106" not in reply


def test_not_knowing_the_passport_number_says_where_it_is(phone: Phone) -> None:
    phone.run(*NEW_SELF, "2")
    reply = said_to(phone, "唔记得护照号码")
    assert "护照照片页" in reply and "5-20位" not in reply


def test_not_knowing_their_phone_offers_this_one(phone: Phone) -> None:
    phone.run("预约", "1", "2", "李秀英", "1", MOTHER)
    assert "可回复1使用本机号码" in said_to(phone, "唔知佢號碼")


def booked_tomorrow(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    said = texts(phone.run("我想明天上午在天河体育中心打疫苗", "没有", "1", "1"))
    assert "预约成功" in said and "6月18日 周五 08:00-10:00" in said


GIVE_UP = [
    "算了，唔改啦",
    "算了不改了",
    "算啦，就原来嗰个",
    "唔使改喇，照旧",
    "never mind, keep it as it is",
    "算罷，還是原來那個",
    "forget it, no changes",
    "不改了，就原来的吧",
]
RESCHEDULE_STEPS = {
    "district": ("改期",),
    "site": ("改期", "1"),
    "date": ("改期", "1", "1"),
    "time": ("改期", "1", "1", "3"),
    "confirm": ("改期", "1", "1", "3", "1"),
}


@pytest.mark.parametrize(
    ("said", "step"),
    [(said, list(RESCHEDULE_STEPS)[n % len(RESCHEDULE_STEPS)]) for n, said in enumerate(GIVE_UP)]
    + [("算了，唔改啦", "confirm"), ("算啦，就原来嗰个", "site"), ("算了不改了", "district")],
)
def test_giving_up_a_reschedule_keeps_the_booking(
    phone: Phone, store: Store, said: str, step: str
) -> None:
    booked_tomorrow(phone)
    phone.run(*RESCHEDULE_STEPS[step])
    reply = said_to(phone, said)
    assert "原预约不变" in reply or "booking stays" in reply
    assert "请回复 1 到" not in reply
    [booking] = store.active_bookings(store.residents_of(1)[0].id)
    assert booking.slot.day.isoformat() == "2021-06-18"
    assert "6月18日 周五 08:00-10:00" in phone.say("查询")  # and no flow left open


@pytest.mark.backends("sqlite", "postgresql")
def test_giving_up_at_the_confirmations_changes_nothing_stored(phone: Phone, store: Store) -> None:
    booked_tomorrow(phone)
    phone.run("改期", "1", "1", "3", "1")
    assert "原预约不变" in phone.say("算了，唔改啦")
    phone.say("取消")
    assert "不取消，原预约不变" in phone.say("算了，唔取消啦")
    [booking] = store.active_bookings(store.residents_of(1)[0].id)
    assert booking.slot.day.isoformat() == "2021-06-18" and booking.slot.start == "08:00"


def test_a_change_said_with_giving_up_still_changes(phone: Phone) -> None:
    booked_tomorrow(phone)
    phone.run("改期", "1", "1")
    reply = phone.say("算了，改成后天")
    assert "原预约不变" not in reply and "6月19日" in reply


@pytest.mark.parametrize(
    "said", ["算了不改了", "算了吧", "never mind", "唔搞喇", "算啦算啦，唔使喇"]
)
def test_giving_up_a_booking_in_progress_stops_it(phone: Phone, store: Store, said: str) -> None:
    phone.run(*REGISTER_SELF)
    phone.run("预约", "没有")  # at the district question
    reply = phone.say(said)
    assert "请回复 1 到" not in reply and ("已停止" in reply or "stopped" in reply)
    assert store.active_bookings(store.residents_of(1)[0].id) == []
    assert "有以下情况吗" in phone.say("预约")  # starts again


def test_booking_anyway_is_no_giving_up(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    phone.run("预约", "没有")
    assert "已停止" not in phone.say("算了，还是约吧")


@pytest.mark.parametrize(
    "said", ["重新约过", "重新約過啦", "我想重新约过", "错过咗，想约多次", "I'd like to book again",
             "rebook please"]
)  # fmt: skip
def test_booking_again_after_a_missed_appointment(phone: Phone, said: str) -> None:
    phone.run(*REGISTER_SELF)
    reply = said_to(phone, said)
    assert "没看懂" not in reply and ("有以下情况吗" in reply or "any of these" in reply)


OTHER_MAKER = [
    "第二针想打国药",
    "第二針想打國藥",
    "I want Sinopharm for my second shot",
    "2nd jab sinopharm pls",
    "我想打國藥嘅第二針",
]


@pytest.mark.parametrize("said", OTHER_MAKER)
def test_another_maker_for_dose_2_is_said_at_once(
    phone: Phone, store: Store, clock: Clock, said: str
) -> None:
    with_dose_1(phone, store, clock)
    first = said_to(phone, said)
    assert "同厂家（科兴" in first or "match dose 1's maker (CoronaVac" in first
    phone.run("没有", "1", "1", "1", "1")
    [booking] = store.active_bookings(store.residents_of(1)[0].id)
    assert booking.slot.product_id == "coronavac"


@pytest.mark.parametrize("said", ["國藥", "我想换国药", "第二针我想打国药", "can it be sinopharm"])
def test_another_maker_said_inside_the_booking_is_answered(
    phone: Phone, store: Store, clock: Clock, said: str
) -> None:
    with_dose_1(phone, store, clock)
    phone.run("约第二针", "没有")  # at the place question
    reply = said_to(phone, said)
    assert "请回复 1 到" not in reply
    assert "同厂家（科兴" in reply or "same maker as dose 1" in reply
    assert reply.rstrip().endswith(("请选择接种地点：", "Where?"))


@pytest.mark.parametrize(
    "said", ["我想打加强针", "想打加強針", "book my booster shot please", "I want the booster"]
)
def test_a_booster_before_dose_2_says_dose_2_is_due(
    phone: Phone, store: Store, clock: Clock, said: str
) -> None:
    with_dose_1(phone, store, clock)
    first = said_to(phone, said)
    assert "应打第2针" in first or "is due dose 2" in first
