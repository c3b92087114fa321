"""Residents' questions and status checks that were read as something else (explore zh 12
"Left", en 12 kind 9): a relative's appointment asked by its time (我妈明天几点打针: book or
status?), the booked site's address after booking (地址在哪: "name the site"), where a dose was
given, a relative's next dose, no SMS (the menu), why one cannot book (the hours), choosing the
maker, a lost ID card, a district's sites asked with 有没有, a baby's months read as an age,
八十几岁 not read, an acknowledgement (the menu), the weekend (a booking started), and "near
home" at the place steps (a number asked). Answers come from this phone's own bookings and
doses, the policy and the store; a stranger is told nothing of anyone."""

from __future__ import annotations

from datetime import date

import pytest

from bot.nlu import Interpreter
from bot.nlu.ages import age_in
from flows.policy import load_policy
from store import Dose, Store
from tests.conftest import Clock, Phone
from tests.free_text_support import MOTHER_BOOKED, REGISTER_SELF, texts, with_dose_1

TODAY = date(2021, 6, 17)
READER = Interpreter(load_policy(), list, sites_ttl=3600)
STRANGER = "+8613700137000"

# register oneself and the mother (as 妈妈), and book her for tomorrow, 08:00-10:00 at the
# first Tianhe site (天河体育中心接种点, 天河路299号): code B0000001


def shown(phone: Phone, said: str) -> str:
    """What the resident sees: the replies' texts and their options' labels."""
    return "\n".join(
        "\n".join([reply.text, *(f"{o.key} {o.label}" for o in reply.options)])
        for reply in phone.send(said)
    )


@pytest.fixture
def booked(phone: Phone) -> Phone:
    assert "预约成功" in texts(phone.run(*MOTHER_BOOKED))
    return phone


# -- a relative's appointment, asked by its time ---------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "我妈明天几点打针",
        "阿妈幾點打針呀",
        "我老母听日几点要去打针",
        "我媽明天幾點要去打針",
        "what time is my mum's appointment",
        "when is my mom's jab",
    ],
)
def test_a_relatives_appointment_asked_by_its_time_is_hers_alone(booked: Phone, said: str) -> None:
    reply = booked.say(said)
    assert "李秀英" in reply and "08:00-10:00" in reply
    assert "张三" not in reply and "您是想" not in reply and "Did you mean" not in reply


def test_a_relation_nobody_on_the_phone_is_is_said_so_and_nobody_else_told(booked: Phone) -> None:
    reply = booked.say("我老公几点打针")  # no spouse here: not the others' bookings instead
    assert "出错" not in reply and "本机未登记您的配偶" in reply
    assert "李秀英" not in reply and "张三" not in reply


# -- where: the booked site, the site of a dose ----------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "地址在哪",
        "点去",
        "點去呀",
        "個地址喺邊度",
        "打针地点在哪里",
        "where is it",
        "what's the address",
        "how do i get there",
        "where's my appointment",
    ],
)
def test_where_after_booking_is_the_booked_site(booked: Phone, said: str) -> None:
    reply = booked.say(said)
    assert "天河路299号" in reply or "299 Tianhe Rd" in reply
    assert "李秀英" in reply and ("6月18日" in reply or "18 Jun" in reply)
    assert "请说出接种点名称" not in reply and "Name the site" not in reply


def test_where_while_booking_another_is_not_about_her_booking(booked: Phone) -> None:
    booked.run("预约", "1", "没有", "1")  # 张三, at the Tianhe sites
    reply = shown(booked, "地址在哪")
    assert "李秀英" not in reply and "请选择接种点" in reply


@pytest.mark.parametrize(
    "said", ["我第一针在哪里打的忘记了", "我第一針喺邊度打嘅", "where did I get my first shot"]
)
def test_where_a_dose_was_given_is_the_site_on_record(
    phone: Phone, store: Store, clock: Clock, said: str
) -> None:
    with_dose_1(phone, store, clock)  # 5月20日 at site 1, 天河体育中心接种点
    reply = phone.say(said)
    assert "张三" in reply and ("5月20日" in reply or "20 May" in reply)
    assert "天河路299号" in reply or "299 Tianhe Rd" in reply


def test_a_dose_given_where_nothing_is_on_record_says_so(
    phone: Phone, store: Store, clock: Clock
) -> None:
    phone.run(*REGISTER_SELF)
    [person] = store.residents_of(store.residents_of(1)[0].account_id)
    dose = Dose(person.id, 1, date(2021, 5, 20), "coronavac", None, "import")
    store.add_dose(dose, clock(), "t", "t")
    reply = phone.say("我第一针在哪里打的")
    assert "5月20日" in reply and "没有接种点" in reply and "人工" in reply


@pytest.mark.parametrize(
    "said",
    [
        "我阿妈几时打第二针",
        "我妈第二针几时打",
        "阿媽第二針幾時打呀",
        "when is my mum's second dose",
    ],
)
def test_a_relatives_next_dose_is_told_from_her_booking(booked: Phone, said: str) -> None:
    """Dose 1 booked for 18 June (CoronaVac: dose 2 21-56 days later)."""
    reply = booked.say(said)
    assert "李秀英" in reply
    assert ("7月9日" in reply and "8月13日" in reply) or ("9 Jul" in reply and "13 Aug" in reply)


@pytest.mark.parametrize(
    "said", ["我妈明天几点打针", "地址在哪", "我收唔到短信", "where is it", "我阿妈几时打第二针"]
)
def test_a_stranger_is_told_nothing_of_anyone(booked: Phone, said: str) -> None:
    other = Phone(booked.engine, STRANGER)
    reply = other.say(said)
    assert "李秀英" not in reply and "B0000001" not in reply and "6月18日" not in reply


# -- no SMS came -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "我收唔到短信",
        "点解冇收到确认短信",
        "短信一直没收到",
        "收唔到確認短訊",
        "我冇收到短信喎",
        "didn't get the SMS",
        "i never got the confirmation text",
    ],
)
def test_no_sms_says_how_to_look_and_the_bookings_again(booked: Phone, said: str) -> None:
    replies = booked.send(said)
    reply = texts(replies)
    assert "查询" in reply or "查詢" in reply or "STATUS" in reply
    assert "B0000001" in reply and ("6月18日" in reply or "18 Jun" in reply)
    assert not any(r.options for r in replies)  # not the menu


def test_a_status_question_with_no_sms_stays_a_status_question() -> None:
    for said in ("我约上了没有啊 一直没收到短信", "did my booking go through? haven't got any sms"):
        assert READER.read(said, TODAY).intent == "status"


# -- why one cannot book, choosing the maker, a lost ID --------------------------------------


@pytest.mark.parametrize(
    "said", ["点解约唔到", "怎么一直约不上", "為什麼一直約唔到", "why can't i ever get a slot"]
)
def test_why_one_cannot_book_is_answered_as_a_complaint(phone: Phone, said: str) -> None:
    reply = phone.say(said)
    assert "抱歉" in reply or "Sorry" in reply
    assert "08:00" in reply and ("排队" in reply or "排隊" in reply or "queue" in reply)


def test_why_one_cannot_book_now_is_still_the_hours() -> None:
    for said in ("点解而家约唔到嘅", "为什么现在约不了，提示系统维护"):
        assert READER.read(said, TODAY).intent == "ask.hours"


@pytest.mark.parametrize(
    "said",
    [
        "可以自己选疫苗牌子吗",
        "可唔可以揀疫苗牌子",
        "能选哪个厂家的疫苗吗",
        "can I choose the brand?",
    ],
)
def test_choosing_the_maker_names_the_makers_the_sites_have(phone: Phone, said: str) -> None:
    reply = phone.say(said)
    assert ("科兴" in reply or "科興" in reply or "Sinovac" in reply) and (
        "国药" in reply or "國藥" in reply or "Sinopharm" in reply
    )
    assert "同一厂家" in reply or "同一廠家" in reply or "dose-1 maker" in reply


@pytest.mark.parametrize("said", ["身份证丢了怎么办", "身份證唔見咗點算", "I lost my ID card"])
def test_a_lost_id_card_is_told_the_documents_accepted(phone: Phone, said: str) -> None:
    reply = phone.say(said)
    assert "护照" in reply or "護照" in reply or "Passport" in reply


# -- a district's sites, postpartum, an age about, an acknowledgement, the weekend -----------


@pytest.mark.parametrize(
    ("said", "site"),
    [
        ("番禺有没有接种点", "番禺区体育馆"),
        ("is there a site in Panyu", "Panyu Gymnasium"),
        ("白雲區有冇打針嘅地方", "白雲"),
        ("any sites in Huadu?", "Huadu"),
        ("增城哪里有打疫苗的地方", "增城"),
    ],
)
def test_a_districts_sites_asked_with_is_there(phone: Phone, said: str, site: str) -> None:
    reply = phone.say(said)
    assert site in reply and ("接种点：" in reply or "接種點：" in reply or "Sites in" in reply)


@pytest.mark.parametrize(
    "said",
    [
        "我刚生完小孩三个月可以打吗",
        "產後可以打嗎",
        "生完BB半年得唔得打",
        "I just had a baby 2 months ago, can I get vaccinated",
    ],
)
def test_just_given_birth_is_the_breastfeeding_answer_not_an_age(phone: Phone, said: str) -> None:
    reply = phone.say(said)
    assert "哺乳" in reply or "breastfeeding" in reply
    assert "未满18" not in reply and "未滿18" not in reply


def test_about_an_age_is_its_decade() -> None:
    assert age_in("我阿嫲八十几岁") == 80
    assert age_in("佢80多岁") == 80
    assert age_in("我刚生完小孩三个月可以打吗") is None
    assert age_in("三几岁") is None


def test_an_age_said_about_is_answered_for_it(phone: Phone) -> None:
    reply = phone.say("我阿嫲八十幾歲")
    assert "80歲" in reply and "未滿18" not in reply


@pytest.mark.parametrize(
    "said", ["好的知道了", "明白", "知道啦", "明白晒", "收到，谢谢", "OK got it", "ok thanks"]
)
def test_an_acknowledgement_is_answered_in_a_line(phone: Phone, said: str) -> None:
    replies = phone.send(said)
    assert len(replies) == 1 and not replies[0].options
    assert "不客气" in replies[0].text or "welcome" in replies[0].text


@pytest.mark.parametrize("said", ["我唔明白", "I don't understand"])
def test_not_understanding_is_no_acknowledgement(said: str) -> None:
    assert READER.read(said, TODAY).intent != "thanks"


@pytest.mark.parametrize(
    "said", ["周末可以打吗", "週末有冇得打", "星期六日可以打针吗", "do you vaccinate on weekends?"]
)
def test_the_weekend_asked_about_is_answered_with_its_days(phone: Phone, said: str) -> None:
    phone.run(*REGISTER_SELF)
    reply = phone.say(said)
    assert ("6月19日" in reply and "6月20日" in reply) or ("19 Jun" in reply and "20 Jun" in reply)
    assert "为谁预约" not in reply and "请选择" not in reply


def test_booking_a_weekend_still_books() -> None:
    for said in ("想帮我妹妹约个周末的", "有冇週末嘅位", "get me a jab this weekend"):
        assert READER.read(said, TODAY).intent == "book"


# -- near home at the place steps ------------------------------------------------------------


@pytest.mark.parametrize(
    "said", ["就近啦", "离家近的", "近啲嘅", "離屋企近啲", "near my home", "same as home"]
)
def test_near_home_at_the_district_question_lists_the_home_districts_sites(
    phone: Phone, said: str
) -> None:
    phone.run(*REGISTER_SELF)
    assert "请选择接种点所在区" in texts(phone.run("预约", "没有"))
    reply = shown(phone, said)
    assert "天河" in reply or "Tianhe" in reply
    assert "天河路299号" in reply or "299 Tianhe Rd" in reply  # with the addresses
    assert "请回复 1 到" not in reply
    chosen = phone.say("1")  # the first site, as listed
    assert "请选择日期" in chosen or "請選擇日期" in chosen or "Choose a date" in chosen


def test_near_home_at_another_districts_sites_goes_home(phone: Phone) -> None:
    phone.run(*REGISTER_SELF, "预约", "没有")
    assert "白云" in shown(phone, "2")  # 白云区's sites
    reply = shown(phone, "就近啦")
    assert "天河区" in reply and "天河路299号" in reply and "白云" not in reply


def test_near_home_at_the_home_districts_sites_gives_their_addresses(phone: Phone) -> None:
    phone.run(*REGISTER_SELF, "预约", "没有", "1")
    reply = shown(phone, "离屋企近啲嘅")
    assert "天河路299号" in reply and "石牌东路33号" in reply
