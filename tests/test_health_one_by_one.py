"""Answers in words to a health question asked on its own (after 逐条, steps ``q_<key>``).

Every message that was not an option got "请回复 1 到 2 之间的数字": 唔知, 可能有, 应该冇,
什么是格林巴利, 对青霉素过敏, 有，高血压. Now: a question about the item, not knowing, a hedged
yes or something else named is explained and the question asked again (nothing is taken, nothing
stored); a hedged no (应该冇, probably not) or a no with particles (冇啊嘛) is a no. For a man of
31 the questions come in this order: allergy, severe reaction, illness, neuro, risk area.
"""

from __future__ import annotations

import pytest

from bot.messages import Reply
from bot.nlu.normalise import simplified
from channels.sms.render import render, segments
from store import Store
from tests.conftest import Phone
from tests.free_text_support import REGISTER_SELF, ZHANG
from tests.test_sms_render import BUDGET

ALLERGY, SEVERE, ILLNESS, NEURO, RISK = (
    "是否对疫苗的任何成分过敏",
    "严重过敏反应（如呼吸困难",
    "是否发热、患急性疾病",
    "是否患未控制的癫痫",
    "近14天是否到过中、高风险地区",
)
ORDER = {"allergy": 0, "severe_reaction": 1, "illness": 2, "neuro": 3, "risk_area": 4}
EXPLAINED = ("这一项指", "這一項指", "This means")
VERDICTS = ("不能接种", "暂缓", "符合接种条件", "cannot be vaccinated", "can be vaccinated")


def at_question(phone: Phone, key: str = "allergy") -> str:
    """One at a time, at the question about ``key`` (those before it answered 2)."""
    phone.run(*REGISTER_SELF, "预约")
    reply = phone.say("逐条")
    for _ in range(ORDER[key]):
        reply = phone.say("2")
    return reply


def resident_id(store: Store) -> int:
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None
    return resident.id


def nothing_taken(store: Store) -> None:
    person = resident_id(store)
    assert store.latest_screening(person) is None
    assert store.active_bookings(person) == []


def explained_and_asked_again(reply: str, question: str) -> None:
    assert any(words in reply for words in EXPLAINED), reply
    assert question in reply or "?" in reply.splitlines()[-1] or "？" in reply, reply
    assert "请回复 1 到" not in reply and "Please reply with a number" not in reply
    assert not any(verdict in reply for verdict in VERDICTS), reply


# -- not knowing: explained, the doctor on site decides, nothing picked ------------------------

UNSURE = [
    *("唔知", "不清楚", "唔知道喎", "我都唔清楚", "不太清楚", "不确定", "唔肯定", "不知道呢"),
    *("我不記得了", "唔記得喇", "冇印象", "没检查过", "我也说不准", "讲唔定"),
    *("可能没有", "或者冇", "也许吧", "可能吧"),
    *("i'm not sure", "Not sure", "dunno", "idk", "I don't know", "no idea", "maybe"),
    *("can't remember", "maybe not"),
]


@pytest.mark.parametrize("said", UNSURE)
def test_not_knowing_is_explained_and_the_doctor_decides(
    phone: Phone, store: Store, said: str
) -> None:
    at_question(phone)
    reply = phone.say(said)
    explained_and_asked_again(reply, ALLERGY)
    assert "现场医生" in reply or "現場醫生" in reply or "doctor on site" in reply
    nothing_taken(store)
    after = simplified(phone.say("2"))  # the question was still the one asked
    assert SEVERE in after or "severe allergic reaction" in after


# -- a hedged yes: never a no ----------------------------------------------------------------

HEDGED_YES = [
    *("可能有", "有少少", "算系啦", "好像有", "应该有吧", "有一点", "有啲", "算是吧", "好似有喔"),
    *("可能有點", "有一點點", "i think so", "kind of", "a little", "sort of", "probably"),
]


@pytest.mark.parametrize("said", HEDGED_YES)
def test_a_hedged_yes_is_explained_and_asked_again(phone: Phone, store: Store, said: str) -> None:
    at_question(phone)
    reply = phone.say(said)
    explained_and_asked_again(reply, ALLERGY)
    assert SEVERE not in reply  # not passed as a no
    nothing_taken(store)


def test_a_hedged_yes_then_yes_refuses_and_books_nothing(phone: Phone, store: Store) -> None:
    at_question(phone)
    phone.say("可能有")
    assert "不能接种" in phone.say("1")
    screening = store.latest_screening(resident_id(store))
    assert screening is not None and screening.outcome == "not_eligible"
    assert screening.answers["allergy"] is True
    assert store.active_bookings(resident_id(store)) == []


def test_a_hedged_yes_at_the_illness_question_then_yes_defers(phone: Phone, store: Store) -> None:
    at_question(phone, "illness")
    assert "这一项指正在发热" in phone.say("有少少")
    assert "暂缓" in phone.say("系")
    screening = store.latest_screening(resident_id(store))
    assert screening is not None and screening.outcome == "deferred"
    assert screening.reason == "illness"
    assert store.active_bookings(resident_id(store)) == []


# -- a hedged no, or a no with particles: a no, as 没有 is -------------------------------------

HEDGED_NO = [
    *("应该冇", "应该没有吧", "应该冇啊", "好像没有", "好似冇喔", "我觉得没有", "估计冇"),
    *("應該沒有吧", "好像沒有", "印象中没有", "从来冇", "完全没有", "一点都没有", "都冇"),
    *("冇啊", "冇啊嘛", "没有呢", "没有的", "冇冇冇", "嗯 没有", "沒有啦", "冇呀冇呀"),
    *("probably not", "I don't think so", "don't think so", "not that i know of", "no lah"),
    *("Nope.", "i think not", "never", "definitely not"),
]


@pytest.mark.parametrize("said", HEDGED_NO)
def test_a_hedged_no_is_a_no(phone: Phone, store: Store, said: str) -> None:
    at_question(phone)
    reply = simplified(phone.say(said))
    assert SEVERE in reply or "severe allergic reaction" in reply, reply
    assert not any(words in reply for words in EXPLAINED)
    nothing_taken(store)  # only the first question answered


def test_hedged_noes_all_the_way_book_as_no_would(phone: Phone, store: Store) -> None:
    at_question(phone)
    for said in ("应该冇", "应该没有吧", "冇啊嘛", "probably not"):
        phone.say(said)
    assert "符合接种条件" in phone.say("好像没有")
    screening = store.latest_screening(resident_id(store))
    assert screening is not None and screening.outcome == "eligible"
    assert not any(screening.answers.values())


# -- what the item means ---------------------------------------------------------------------

MEANING = [
    ("neuro", "什么是格林巴利", "格林巴利综合征（"),
    ("neuro", "格林巴利系咩嚟㗎", "这一项指未控制的癫痫"),
    ("neuro", "甚麼是格林巴利", "這一項指"),
    ("neuro", "what is guillain barre", "This means uncontrolled epilepsy"),
    ("allergy", "咩意思", "这一项指对疫苗成分过敏"),
    ("allergy", "什么意思？", "这一项指对疫苗成分过敏"),
    ("allergy", "what does that mean", "This means an allergy"),
    ("severe_reaction", "什么是严重过敏反应", "打针处红肿疼痛不算"),
    ("severe_reaction", "打完手痛算不算", "打针处红肿疼痛不算"),
    ("risk_area", "什么叫中高风险区", "卫健委公布"),
    ("risk_area", "中高風險地區是指哪裡", "官方公佈"),
    ("illness", "鼻塞算唔算", "这一项指正在发热"),
]


@pytest.mark.parametrize(("key", "asked", "explained"), MEANING)
def test_a_question_about_the_item_is_explained_and_asked_again(
    phone: Phone, store: Store, key: str, asked: str, explained: str
) -> None:
    at_question(phone, key)
    reply = phone.say(asked)
    assert simplified(explained) in simplified(reply), reply
    explained_and_asked_again(reply, "")
    nothing_taken(store)


# -- something else named --------------------------------------------------------------------

OTHER = [
    ("allergy", "对青霉素过敏", "对海鲜、青霉素等其他东西过敏不算"),
    ("allergy", "我对海鲜过敏", "对海鲜、青霉素等其他东西过敏不算"),
    ("allergy", "有，鸡蛋过敏", "对海鲜、青霉素等其他东西过敏不算"),
    ("allergy", "對花粉過敏", "其他東西過敏不算"),
    ("allergy", "I'm allergic to penicillin", "other allergies (seafood, penicillin)"),
    ("illness", "有，高血压", "按时服药的慢性病（如高血压）不算"),
    ("illness", "高血压，食紧药", "按时服药的慢性病（如高血压）不算"),
    ("illness", "我有糖尿病", "按时服药的慢性病（如高血压）不算"),
    ("illness", "有高血壓", "按時服藥的慢性病"),
    ("illness", "I have diabetes, on medication", "a stable, treated one"),
]


@pytest.mark.parametrize(("key", "said", "explained"), OTHER)
def test_something_else_named_is_explained_never_guessed(
    phone: Phone, store: Store, key: str, said: str, explained: str
) -> None:
    at_question(phone, key)
    reply = phone.say(said)
    assert explained in reply, reply
    explained_and_asked_again(reply, "")
    nothing_taken(store)


def test_penicillin_then_no_goes_on_and_then_yes_refuses(phone: Phone, store: Store) -> None:
    at_question(phone)
    phone.say("对青霉素过敏")
    assert SEVERE in phone.say("冇")
    assert "不能接种" in phone.say("有")  # a severe reaction to a vaccine
    screening = store.latest_screening(resident_id(store))
    assert screening is not None and screening.outcome == "not_eligible"
    assert screening.answers == {"allergy": False, "severe_reaction": True}
    assert store.active_bookings(resident_id(store)) == []


def test_options_still_answer(phone: Phone, store: Store) -> None:
    at_question(phone, "neuro")
    assert "请回复 1 到 2" in phone.say("随便")  # none of the kinds: the numbers asked for
    assert "不能接种" in phone.say("1")
    screening = store.latest_screening(resident_id(store))
    assert screening is not None and screening.reason == "neuro"
    assert store.active_bookings(resident_id(store)) == []


# -- this item's own words: a yes, as at the list; past or controlled: explained ----------------

YES_IN_WORDS = [
    ("illness", "有，发烧", "deferred"),
    ("illness", "今日发紧烧", "deferred"),
    ("illness", "有，咳嗽", "deferred"),
    ("illness", "yes, I have a fever", "deferred"),
    ("allergy", "对疫苗成分过敏", "not_eligible"),
    ("severe_reaction", "有，打完出过荨麻疹", "not_eligible"),
    ("severe_reaction", "打完针试过呼吸困难", "not_eligible"),
    ("neuro", "有癫痫", "not_eligible"),
    ("risk_area", "上个礼拜去过中高风险区", "deferred"),
]


@pytest.mark.parametrize(("key", "said", "outcome"), YES_IN_WORDS)
def test_this_items_own_words_are_a_yes_and_book_nothing(
    phone: Phone, store: Store, key: str, said: str, outcome: str
) -> None:
    at_question(phone, key)
    reply = phone.say(said)
    assert "不能接种" in reply or "暂缓" in reply or "cannot" in reply or "waits" in reply
    screening = store.latest_screening(resident_id(store))
    assert screening is not None and screening.outcome == outcome
    assert screening.reason == key and screening.answers[key] is True
    assert store.active_bookings(resident_id(store)) == []


@pytest.mark.parametrize(
    ("key", "said"),
    [("neuro", "有癫痫，控制得好好"), ("neuro", "细个时发羊吊"), ("allergy", "以前对疫苗过敏")],
)
def test_a_condition_said_to_be_past_or_controlled_is_explained(
    phone: Phone, store: Store, key: str, said: str
) -> None:
    at_question(phone, key)
    reply = phone.say(said)
    explained_and_asked_again(reply, "")
    nothing_taken(store)


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("illness", "没有发烧"),
        ("illness", "冇發燒吖"),
        ("illness", "not sick"),
        ("neuro", "没有格林巴利"),
        ("risk_area", "冇去过中高风险地区"),
        ("risk_area", "not been to a risk area"),
    ],
)
def test_this_items_words_denied_are_a_no(phone: Phone, store: Store, key: str, said: str) -> None:
    at_question(phone, key)
    reply = phone.say(said)
    assert not any(words in reply for words in EXPLAINED), reply
    assert "请回复 1 到" not in reply and "暂缓" not in reply and "不能接种" not in reply
    if key == "risk_area":  # the last question: the booking goes on
        assert "符合接种条件" in reply or "can be vaccinated" in reply
        screening = store.latest_screening(resident_id(store))
        assert screening is not None and not any(screening.answers.values())


@pytest.mark.parametrize(
    ("key", "said"),
    [("illness", "没有发烧，有咳"), ("illness", "冇发烧但系有啲咳"), ("illness", "没发烧有咳")],
)
def test_a_no_and_a_yes_in_one_answer_is_explained(
    phone: Phone, store: Store, key: str, said: str
) -> None:
    at_question(phone, key)
    explained_and_asked_again(phone.say(said), "")
    nothing_taken(store)


@pytest.mark.parametrize("said", ["有喔", "係呀", "对", "有！"])
def test_a_plain_yes_with_particles_is_a_yes(phone: Phone, store: Store, said: str) -> None:
    at_question(phone, "illness")
    assert "暂缓" in simplified(phone.say(said))
    screening = store.latest_screening(resident_id(store))
    assert screening is not None and screening.outcome == "deferred"
    assert store.active_bookings(resident_id(store)) == []


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("neuro", "唔知格林巴利系乜"),
        ("neuro", "not sure what guillain barre is"),
        ("severe_reaction", "不清楚"),
        ("illness", "我唔知高血压算唔算"),
        ("risk_area", "i don't know"),
    ],
)
def test_an_explanation_fits_the_sms_budget(phone: Phone, key: str, said: str) -> None:
    at_question(phone, key)
    replies: list[Reply] = phone.send(said)
    assert any(words in replies[-1].text for words in EXPLAINED)
    assert all(segments(render(reply)) <= BUDGET for reply in replies)
