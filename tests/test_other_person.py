"""Another person than the one on the phone (explore10 kinds 2, 4 and 7), as residents write it:

- "book for another person" (再帮一个人约, 帮另一个人预约, 还有一个, another person please,
  再約多個) from a phone that already has people means someone new: registration, never the existing
  person's reschedule or screening; "为谁预约？" always ends with 新的人;
- at "为谁登记？" 我 / me are oneself, a question is answered and asked again, and a name alone is
  asked about ("是为您本人登记吗？") instead of registering the sender as their own relative;
- while a booking or a move is open for one person, a request naming another one on the phone
  (帮我妈约明天上午, 我妈也要改，改到明天上午) goes to that person, or asks; a relative nobody on
  the phone is gets registered. The day said is never applied to the first person.

The phrasings are varied on purpose (Mandarin, Cantonese, Traditional, English, filler): the kind
is what must work, not a list of sentences."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.nlu.normalise import simplified
from store import Resident, Store
from tests.conftest import Phone
from tests.jobs_support import PHONE, book, id_number

BACKENDS = ("sqlite", "postgresql")

FATHER_ID = id_number(date(1960, 3, 3), 11)  # a man, 61
MOTHER_ID = id_number(date(1962, 4, 4), 12, female=True)  # a woman, 59
NEW_ID = id_number(date(1958, 5, 5), 13, female=True)  # a woman, 63: someone new
OWN_ID = id_number(date(1975, 6, 6), 14)  # the sender, 46


def said_to(phone: Phone, text: str) -> str:
    """The replies to ``text``, in Simplified characters (a Traditional message is answered
    in Traditional)."""
    return simplified(phone.say(text))


def person(store: Store, now: datetime, name: str, number: str, relation: str) -> Resident:
    """Someone registered on the test phone as ``relation`` (self, father, mother, other)."""
    account = store.account_for("sms", PHONE, PHONE, now)
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return store.add_resident(
        account_id=account, name=name, id_type="resident_id", id_number=number, birth_date=born,
        sex="M" if int(number[16]) % 2 else "F", phone=PHONE, district_id="tianhe", now=now,
        actor="self:sms", channel="sms", relation=relation,
    )  # fmt: skip


def is_registration(reply: str) -> bool:
    return any(w in reply for w in ("预登记须知", "Pre-registration:"))


# -- kind 4: another person is someone new --------------------------------------------------

ANOTHER = [
    "再帮一个人约",
    "帮另一个人预约",
    "再帮一个老人约",
    "还有一个",
    "还有一个！",
    "another person please",
    "someone else",
    "再約多個",
    "仲有一個人要約呀",
    "Can you book for somebody else too?",
    "我想帮另外一位长者预约打针",
    "one more please",
    "再帮个阿伯约",
    "我仲要幫多個街坊約",
    "I want to book for a different person",
]


def test_another_person_after_a_booking_is_registered_never_rescheduled(
    phone: Phone, store: Store, now: datetime
) -> None:
    zhang = person(store, now, "张桂英", MOTHER_ID, "other")
    book(store, zhang, now, "2021-06-18")
    for text in ANOTHER:
        reply = said_to(phone, text)
        assert is_registration(reply), (text, reply)
        assert "张桂英" not in reply and "改期" not in reply and "Change it" not in reply
        phone.say("退出")


def test_another_person_beside_someone_not_yet_booked_is_not_screened(
    phone: Phone, store: Store, now: datetime
) -> None:
    person(store, now, "陈伯强", OWN_ID, "self")
    reply = said_to(phone, "再帮一个人约")
    assert is_registration(reply) and "陈伯强" not in reply
    # someone else: not asked who, the name comes next, and the phone is asked as theirs
    assert said_to(phone, "1").startswith("请输入接种人姓名")
    phone.run("李伯", "1")
    assert "接种人本人手机号" in said_to(phone, NEW_ID)
    asked = said_to(phone, "1")  # this phone; then the district of the ID
    assert "李伯有以下情况吗" in said_to(phone, "1"), asked  # the booking goes on for him
    new = store.resident_by_document("resident_id", NEW_ID)
    assert new is not None and new.relation == "other"


def test_another_person_while_moving_a_booking_leaves_the_move(
    phone: Phone, store: Store, now: datetime
) -> None:
    zhang = person(store, now, "张桂英", MOTHER_ID, "other")
    book(store, zhang, now, "2021-06-19")
    assert "为张桂英改期" in said_to(phone, "改期")
    reply = said_to(phone, "再帮一个老人约")
    assert is_registration(reply) and "张桂英" not in reply
    phone.run("1", "李伯", "1", NEW_ID, "1", "1")  # the new person, registered in full
    assert [b.slot.day for b in store.active_bookings(zhang.id)] == [date(2021, 6, 19)]


@pytest.mark.parametrize(
    ("first", "new"),
    [("预约", "新的人"), ("預約", "新的人"), ("book", "Someone new"), ("我想打疫苗", "新的人")],
)
def test_who_to_book_for_always_ends_with_someone_new(
    phone: Phone, store: Store, now: datetime, first: str, new: str
) -> None:
    person(store, now, "李建国", FATHER_ID, "father")
    person(store, now, "王秀兰", MOTHER_ID, "mother")
    [asked] = phone.send(first)
    # (Traditional replies convert the names too: explore10 kind 15, not this one)
    assert [simplified(o.label) for o in asked.options] == ["李建国", "王秀兰", new]
    assert is_registration(said_to(phone, "3"))


def test_a_question_with_one_more_is_no_booking(phone: Phone, store: Store, now: datetime) -> None:
    person(store, now, "陈伯强", OWN_ID, "self")
    for text in (
        "还有一个问题",
        "我还有一个问题想问",
        "give the place to another person",
        "还有位吗",
        "還有名額嗎？",
        "我想再约一个时间",
    ):
        assert not is_registration(said_to(phone, text)), text


# -- kind 7: who is being registered ----------------------------------------------------------

ONESELF = ["我", "me", "Me.", "自己", "本人", "我啊", "係我", "myself"]


def test_me_at_who_is_registering_oneself(phone: Phone, store: Store) -> None:
    for text in ONESELF:
        phone.run("登记", "1")
        reply = said_to(phone, text)
        assert "请输入接种人姓名" in reply or "full name" in reply, (text, reply)
        assert "请回复 1 到" not in reply and "number from 1" not in reply
        phone.say("退出")
    phone.run("登记", "1", "我", "陈伯强", "1")
    asked = said_to(phone, OWN_ID)
    assert "手机号" in asked and "接种人本人手机号" not in asked  # one's own, not the proxy wording
    phone.run("1", "1")
    me = store.resident_by_document("resident_id", OWN_ID)
    assert me is not None and me.relation == "self"


QUESTIONS = [
    "要本人来登记吗",
    "一定要本人登记吗？",
    "使唔使本人嚟登記㗎",
    "可不可以帮家人登记",
    "can I register for my dad?",
    "Do I have to register in person",
]


def test_a_question_at_who_is_answered_and_who_asked_again(phone: Phone) -> None:
    for text in QUESTIONS:
        phone.run("登记", "1")
        replies = phone.send(text)
        reply = simplified("\n".join(r.text for r in replies))
        assert any(w in reply for w in ("家人", "family member")), (text, reply)
        assert "请输入接种人姓名" not in reply and "full name" not in reply, (text, reply)
        assert len(replies[-1].options) == 2  # asked again
        assert "接种人姓名" in said_to(phone, "1") or "full name" in phone.say("")  # answered now
        phone.say("退出")


@pytest.mark.parametrize(
    ("first", "name", "yes", "proxy"),
    [
        ("登记", "何国强", "是", "接种人本人手机号"),
        ("登記", "陳大文", "1", "接种人本人手机号"),
        ("register", "Li Ming", "yes", "own mobile"),
        ("预约", "我叫何国强", "对", "接种人本人手机号"),
        ("book", "my name is Li Ming", "Yes", "own mobile"),
    ],
)
def test_a_name_at_who_asks_if_it_is_ones_own(
    phone: Phone, store: Store, first: str, name: str, yes: str, proxy: str
) -> None:
    phone.run(first, "1")
    asked = simplified(phone.say(name))
    assert "本人" in asked or "yourself" in asked, asked
    assert "证件类型" not in asked and "document" not in asked
    phone.run(yes, "1")
    asked = simplified(phone.say(OWN_ID))
    assert proxy not in asked and ("手机" in asked or "mobile" in asked), asked
    phone.run("1", "1")
    me = store.resident_by_document("resident_id", OWN_ID)
    assert me is not None and me.relation == "self"


def test_a_name_at_who_that_is_not_ones_own_is_a_relative(phone: Phone, store: Store) -> None:
    phone.run("登记", "1", "何国强")
    reply = said_to(phone, "不是")
    assert reply.startswith("请选择证件类型"), reply  # the name kept, as someone else's
    phone.run("1")
    assert "接种人本人手机号" in said_to(phone, NEW_ID)  # the proxy wording: another's phone
    phone.run("1", "1")
    new = store.resident_by_document("resident_id", NEW_ID)
    assert new is not None and (new.name, new.relation) == ("何国强", "other")


# -- kind 2, the same day: a request for another person on the phone --------------------------


@pytest.fixture
def parents(store: Store, now: datetime) -> tuple[Resident, Resident]:
    return (
        person(store, now, "李建国", FATHER_ID, "father"),
        person(store, now, "王秀兰", MOTHER_ID, "mother"),
    )


FOR_MOTHER = [
    "帮我妈约明天上午",
    "幫我阿媽約聽日朝早",
    "仲有我老母，佢都要約聽日上晝",
    "book my mother for tomorrow morning",
]


@pytest.mark.usefixtures("parents")
def test_booking_the_father_then_the_mother_named_switches_to_her(phone: Phone) -> None:
    for text in FOR_MOTHER:
        assert "李建国有以下情况吗" in said_to(phone, "帮我爸约")
        reply = said_to(phone, text)
        assert "王秀兰" in reply and "李建国" not in reply, (text, reply)
        phone.say("退出")
    phone.run("帮我爸约", "帮我妈约明天上午", "没有", "1", "1")  # the first district and site
    confirm = said_to(phone, "1")  # the first period of the morning
    assert "王秀兰" in confirm and "6月18日" in confirm and "李建国" not in confirm, confirm


def test_the_mother_also_moving_her_booking_moves_hers(
    phone: Phone, store: Store, now: datetime, parents: tuple[Resident, Resident]
) -> None:
    father, mother = parents
    book(store, father, now, "2021-06-19")
    book(store, mother, now, "2021-06-20")
    phone.send("帮我爸约")  # his booking is named, and its move offered
    assert "为李建国改期" in said_to(phone, "1")
    reply = said_to(phone, "我妈也要改，改到明天上午")
    assert "为王秀兰改期" in reply and "6月18日" in reply and "李建国" not in reply, reply
    phone.run("1", "1")
    assert [b.slot.day for b in store.active_bookings(mother.id)] == [date(2021, 6, 18)]
    assert [b.slot.day for b in store.active_bookings(father.id)] == [date(2021, 6, 19)]


def test_a_relative_on_the_phone_without_a_relation_is_asked_about(
    phone: Phone, store: Store, now: datetime
) -> None:
    person(store, now, "李建国", FATHER_ID, "father")
    person(store, now, "王秀兰", MOTHER_ID, "other")  # registered as 家人: maybe the mother
    phone.send("帮我爸约")
    [asked] = phone.send("帮我妈约明天上午")
    assert "为谁预约" in asked.text
    assert [o.label for o in asked.options] == ["王秀兰", "新的人"]  # never the father


def test_a_relative_nobody_on_the_phone_is_gets_registered(
    phone: Phone, store: Store, parents: tuple[Resident, Resident]
) -> None:
    phone.send("帮我爸约")
    reply = said_to(phone, "帮我外婆约明天上午")
    assert is_registration(reply) and "李建国" not in reply
    phone.run("1", "陈婆婆", "1", NEW_ID, "1", "1")
    grandmother = store.resident_by_document("resident_id", NEW_ID)
    assert grandmother is not None and grandmother.relation == "grandmother"


@pytest.mark.usefixtures("parents")
def test_the_person_being_booked_named_again_keeps_the_booking_going(phone: Phone) -> None:
    assert "王秀兰有以下情况吗" in said_to(phone, "帮我妈约")
    reply = said_to(phone, "帮我妈约明天上午")
    assert "王秀兰" in reply and "李建国" not in reply and "为谁预约" not in reply
