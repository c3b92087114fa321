"""More everyday questions residents send, answered from the policy and the store: where the
proof of vaccination is (policy ``records``), which sites have the most free places (the
store, then booking at the first), several questions in one message (each answered, in one
reply of at most three SMS), and what to do or avoid after the shot (policy ``aftercare``)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.engine import Engine
from bot.messages import Reply
from bot.nlu import Interpreter
from channels.sms.render import render_all, segments
from flows.policy import Policy, load_policy
from store import Store
from tests.conftest import Clock, Phone
from tests.free_text_support import MOTHER_BOOKED, REGISTER_SELF

BACKENDS = ("sqlite", "postgresql")
TODAY = date(2021, 6, 17)
READER = Interpreter(load_policy(), list, sites_ttl=3600)
AT_THE_SCREENING = (*REGISTER_SELF, "我想明天上午在天河体育中心打第一针")


def _with(policy: Policy, section: str, **values: object) -> Policy:
    part = getattr(policy, section).model_copy(update=values)
    return policy.model_copy(update={section: part})


def _sms(replies: list[Reply]) -> int:
    return sum(segments(text) for text in render_all(replies))


# -- proof of vaccination -------------------------------------------------------------------

CERTIFICATE = [
    "接种证明在哪里看",
    "点样攞针卡",
    "電子憑證喺邊度睇",
    "打完针有没有记录",
    "接种记录怎么查",
    "我需要疫苗接种证明，去哪里开",
    "打完疫苗有冇证明",
    "疫苗本喺边度攞",
    "how do I get my vaccination certificate",
    "can i get proof that I'm vaccinated",
    "where can I see my vaccination record",
    "do I get a vaccine card?",
]


@pytest.mark.parametrize("text", CERTIFICATE)
def test_a_question_about_proof_of_vaccination_is_read_as_one(text: str) -> None:
    reading = READER.read(text, TODAY)
    assert (reading.intent, reading.confident) == ("ask.certificate", True), reading.ranked[:3]


@pytest.mark.backends("sqlite")
def test_proof_of_vaccination_says_where_the_policy_says(
    store: Store, policy: Policy, clock: Clock
) -> None:
    said = Phone(Engine(store, policy, clock), "+8613900130001").say("接种证明在哪里看")
    assert policy.records.online_zh in said and "纸质接种凭证" in said, said
    assert said.endswith("回复 查询 查看接种记录。")
    english = Phone(Engine(store, policy, clock), "+8613900130002").say(
        "how do I get my vaccination certificate"
    )
    assert policy.records.online_en in english and "paper record" in english, english
    other = _with(policy, "records", online_zh="健康宝", online_en="Health Kit", paper=False)
    said = Phone(Engine(store, other, clock), "+8613900130003").say("點樣攞針卡")
    assert "健康寶" in said and "紙質" not in said, said  # the resident's script
    bare = _with(policy, "records", online_zh="", online_en="", paper=False)
    said = Phone(Engine(store, bare, clock), "+8613900130004").say("打完针有没有记录")
    assert policy.contact.hotline in said, said


# -- the sites with the most free places -----------------------------------------------------

BUSY = [
    "边个接种点人少啲",
    "哪个点位不用排队",
    "哪里位置最多",
    "哪個接種點比較少人",
    "越秀区边间最多位",
    "天河边度仲有位",
    "边度冇咁多人",
    "which site has the most slots",
    "which site is least busy",
    "where is the least crowded site?",
]


@pytest.mark.parametrize("text", BUSY)
def test_a_question_about_the_least_busy_site_is_read_as_one(text: str) -> None:
    reading = READER.read(text, TODAY)
    assert (reading.intent, reading.confident) == ("ask.busy", True), reading.ranked[:3]


def _most(store: Store, clock: Clock, district: str | None = None) -> list[tuple[str, int]]:
    last = date(2021, 6, 23)
    found = store.sites_with_places(district, TODAY, last, clock())
    return sorted(((site.name_zh, n) for site, n in found if n > 0), key=lambda item: -item[1])


def test_the_least_busy_sites_come_from_the_store_and_booking_there_is_offered(
    store: Store, phone: Phone, clock: Clock
) -> None:
    replies = phone.send("天河边度仲有位")
    said = replies[0].text
    (name, left), *_ = _most(store, clock, "tianhe")
    assert said.startswith("天河区未来7天空位最多：") and f"{name}（{left}个）" in said, said
    assert [o.label for o in replies[0].options] == [f"在{name}预约"]
    assert "预登记须知" in phone.say("1")  # booking begins (registering first)
    phone.run("1", "1", "张三", "1", "440106199001011235", "1", "1")
    assert "请选择日期" in phone.say("没有")  # the site is not asked: the first one
    phone.run("2")
    said = phone.say("1")
    assert name in said and "确认" in said, said


def test_a_site_given_more_places_comes_first(store: Store, phone: Phone, clock: Clock) -> None:
    (_, most), *_, (last, _) = _most(store, clock, "tianhe")
    site = store.site_named(last)
    assert site is not None
    slot = store.slots(site.id, "2021-06-18")[0]
    store.add_slots([{
        "site_id": site.id, "product_id": slot.product_id, "day": "2021-06-18",
        "start": "20:00", "end": "21:00", "capacity": most, "released_at": "2021-06-16T08:00:00",
    }])  # fmt: skip
    replies = phone.send("which site in Tianhe is least busy")
    said = replies[0].text
    assert said.startswith(f"Most free places in Tianhe in the next 7 days: {site.name_en} ("), said
    assert said.endswith("Reply BOOK to book at the first.")
    assert [o.label for o in replies[0].options] == [f"Book at {site.name_en}"]


def test_in_traditional_the_sentence_is_converted_and_the_names_kept(
    store: Store, phone: Phone, clock: Clock
) -> None:
    said = phone.say("哪個接種點比較少人")
    (name, left), *_ = _most(store, clock)
    assert said.startswith("未來7天空位最多：") and f"{name}（" in said, said
    assert f"區，{left}個）" in said and "回覆 預約" in said, said


def test_no_free_places_says_so_and_when_places_come(
    store: Store, policy: Policy, clock: Clock
) -> None:
    clock.set("2021-07-30T10:00:00+08:00")  # past every demo slot
    said = Phone(Engine(store, policy, clock), "+8613900130005").say("边个接种点人少啲")
    assert f"暂无可约空位，每天{policy.booking.release_time}放号" in said, said


# -- several questions in one message ---------------------------------------------------------

TWO = [
    ("孕妇可以打吗？要带什么证件？", ("暂缓接种", "身份证件")),
    ("要钱吗？留观多久？", ("免费", "留观30分钟")),
    ("第二针隔几耐？使唔使带身份证？", ("21-56天", "身份证件")),
    ("天河有夜场吗？第二针隔多久？", ("夜间接种", "21-56天")),
    ("我怀孕了，可以打第二针吗？隔多久", ("暂缓接种", "21-56天")),
    ("請問要帶咩證件，另外要唔要錢？", ("身份證件", "免費")),
    ("打疫苗要钱吗？要带什么？留观多久？", ("免费", "身份证件", "留观30分钟")),
    ("how long between doses and does it cost anything?", ("21-56 days", "free")),
    ("what should I bring, and how long do I wait after?", ("ID document", "30 minutes")),
    ("is it free? also where is the shipai site", ("free", "Shipai East Rd")),
    ("各区几点可以预约？第二针隔多久？要带什么？", ("20:00-08:00", "21-56天", "身份证件")),
]


@pytest.mark.parametrize(("text", "told"), TWO)
def test_every_question_of_a_message_is_answered_within_three_sms(
    phone: Phone, text: str, told: tuple[str, ...]
) -> None:
    replies = phone.send(text)
    said = "\n".join(reply.text for reply in replies)
    assert all(part in said for part in told), said
    assert _sms(replies) <= 3


def test_two_questions_inside_a_flow_are_answered_and_the_step_asked_again(
    phone: Phone,
) -> None:
    phone.run(*AT_THE_SCREENING)
    asked = phone.say("没有")  # the date question
    said = phone.say("要钱吗？留观多久？")
    assert "免费" in said and "留观30分钟" in said, said
    assert said.splitlines()[-1] == asked.splitlines()[-1]  # the step, again
    assert "回复 预约" not in said  # no next step of its own inside the flow


@pytest.mark.parametrize(
    "text", ["我70岁，有高血压，可以打吗", "外地户口打疫苗要钱吗", "请问，孕妇可以打吗？谢谢"]
)
def test_one_question_with_commas_is_answered_once(text: str) -> None:
    assert READER.read(text, TODAY).asked == ()


def test_answers_too_long_together_name_the_other_question(
    store: Store, policy: Policy, clock: Clock
) -> None:
    said = Phone(Engine(store, policy, clock), "+8613900130006").say(
        "各区几点可以预约？第二针隔多久？"
    )
    assert "预约时段" in said or "08:00-12:00" in said, said
    assert len(said) <= 201


# -- after the shot -------------------------------------------------------------------------

AFTERCARE = [
    "打完可以洗澡吗",
    "打完针可唔可以饮酒",
    "接種完可唔可以沖涼？",
    "打完疫苗可以运动吗",
    "打完针几时可以游水",
    "接种后有什么要注意",
    "打完针要戒口吗",
    "can I drink alcohol after the vaccine",
    "can i shower after my jab?",
    "can I go to the gym after the shot",
]


@pytest.mark.parametrize("text", AFTERCARE)
def test_a_question_about_after_the_shot_is_read_as_one(text: str) -> None:
    reading = READER.read(text, TODAY)
    assert (reading.intent, reading.confident) == ("ask.aftercare", True), reading.ranked[:3]


def test_after_the_shot_the_policy_advice_is_said(
    store: Store, policy: Policy, clock: Clock
) -> None:
    care = policy.aftercare
    said = Phone(Engine(store, policy, clock), "+8613900130007").say("打完可以洗澡吗")
    assert f"{care.keep_dry_hours}小时内针口保持干燥" in said, said
    assert f"{care.avoid_days}天内不饮酒" in said, said
    other = _with(policy, "aftercare", keep_dry_hours=12, avoid_days=3)
    said = Phone(Engine(store, other, clock), "+8613900130008").say("can I drink alcohol after?")
    assert "dry for 12 hours" in said and "For 3 days no alcohol" in said, said


def test_fever_after_the_shot_is_still_the_after_answer(phone: Phone) -> None:
    assert READER.read("打完发烧怎么办", TODAY).intent == "ask.after"
    assert READER.read("打完针可以喝咖啡吗", TODAY).intent == "none"  # coffee: not in the advice


# -- booking for two people at once -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "told"),
    [
        ("我可以同时帮两个人约吗", "为家人亲友预约：每人先在本手机登记（一个手机最多5人）"),
        ("我哋两个可唔可以一齐约", "为家人亲友预约"),
        ("可以幫兩個人預約嗎", "為家人親友預約"),
        ("can I book for two people at once", "Booking for family or friends"),
    ],
)
def test_booking_for_two_people_says_how_then_begins(phone: Phone, text: str, told: str) -> None:
    replies = phone.send(text)
    assert told in replies[0].text, replies[0].text
    assert replies[-1].options  # the booking begins (registering first: the consent)


@pytest.mark.parametrize(
    ("text", "told"),
    [
        ("请问现在还可以预约吗", "各区预约时段"),
        ("现在能约吗", "各区预约时段"),
        ("而家仲约唔约到", "各区预约时段"),
        ("is booking still open", "Booking hours by district"),
        ("爽约了还能预约吗", "计爽约"),  # after a missed appointment: that rule, not the hours
        ("我是外地人还能约吗", "不限户籍"),  # who may book, not the hours
    ],
)
def test_whether_one_can_still_book_now_is_the_booking_hours(
    phone: Phone, text: str, told: str
) -> None:
    reply = "\n".join(r.text for r in phone.send(text))
    assert told in reply, reply
    assert "不清楚" not in reply and "can't answer" not in reply


@pytest.mark.parametrize(
    "text",
    ["hi, how do i get a covid shot", "how can i get vaccinated", "how do i get my second dose"],
)
def test_how_to_get_a_shot_is_a_booking_not_directions(phone: Phone, text: str) -> None:
    """On a phone with a booking (the mother's), "how do I get a shot" asks how to book, not
    the way to her site (how do I get there still is)."""
    phone.run(*MOTHER_BOOKED)
    reply = "\n".join(r.text for r in phone.send(text))
    assert "is at:" not in reply and "Who is the booking for?" in reply, reply
    assert "is at:" in phone.say("how do i get there")
