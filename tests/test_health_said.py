"""A condition the resident states outside the health questions is never passed over (explore9
1): said in the booking request (我怀孕了，想预约), the bare 没有 that follows is not taken as
"none of these" for it; said after the health questions were passed (我今日发紧烧…), that
question is asked again and its answer decides, as at the screening. A condition denied
(没有过敏) or a word that only looks like one ("I will") asks nothing more."""

from __future__ import annotations

import pytest

from flows.screening import conditions_said
from store import Store
from tests.conftest import Phone

LI = "440106199003030026"  # a woman born 1990-03-03
REGISTER_HER = ("1", "1", "李红", "1", LI, "1", "1")  # consent, for myself, …, home district


def booked(store: Store) -> int:
    resident = store.resident_by_document("resident_id", LI)
    return 0 if resident is None else len(store.active_bookings(resident.id))


@pytest.mark.parametrize(
    "request_",
    [
        "我怀孕了，想预约第一针",
        "我有咗BB，想约打针",
        "I'm 3 months pregnant, book my first dose please",
    ],
)
def test_a_pregnancy_said_in_the_request_is_asked_again_not_passed(
    phone: Phone, store: Store, request_: str
) -> None:
    phone.run(request_, *REGISTER_HER)
    asked = phone.say("none" if request_.isascii() else "没有")
    assert "符合接种条件" not in asked and "can be vaccinated" not in asked
    assert "怀孕或哺乳" in asked or "Pregnant/breastfeeding" in asked
    deferred = phone.say("1")  # yes
    assert "暂缓" in deferred or "wait" in deferred.lower()
    assert booked(store) == 0


def test_breastfeeding_said_in_cantonese_is_asked_again_not_passed(
    phone: Phone, store: Store
) -> None:
    phone.run("我仲喂緊奶，想約打針", *REGISTER_HER)
    asked = phone.say("冇")
    assert "符合接种条件" not in asked and "符合接種條件" not in asked
    assert "哺乳" in asked
    assert booked(store) == 0


def test_confirmed_not_pregnant_after_all_goes_on(phone: Phone) -> None:
    phone.run("我怀孕了，想预约第一针", *REGISTER_HER, "没有")
    assert "李红符合接种条件" in phone.say("2")  # no


def test_a_fever_said_after_the_health_questions_is_asked_again(phone: Phone, store: Store) -> None:
    phone.run("预约", *REGISTER_HER)
    assert "符合接种条件" in phone.say("没有")
    asked = phone.say("我今日发紧烧，不过都想约听日")  # at the district question
    assert asked.endswith("是否发热、患急性疾病，或慢性病正在急性发作？")
    assert "康复后" in phone.say("1")
    assert booked(store) == 0


def test_an_allergy_said_at_the_date_question_is_asked_again(phone: Phone) -> None:
    phone.run("预约", *REGISTER_HER, "没有", "1", "1")  # Tianhe, the first site
    asked = phone.say("I'm allergic to the vaccine but still want to book")
    assert asked.endswith("allergic to any component of the vaccine?")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("我怀孕了，想预约", ["pregnancy"]),
        ("我今日发紧烧", ["illness"]),
        ("我没有过敏，想预约", []),
        ("I will come tomorrow, I'm still free", []),  # not "ill"
        ("I'm ill, book me next week", ["illness"]),
        # the words residents use (explore10 1): Cantonese, everyday, English
        ("我仲喂紧奶，想约第二针", ["pregnancy"]),
        ("我啱啱生完仔，约第二针", ["pregnancy"]),
        ("i am nursing, book dose 2", ["pregnancy"]),
        ("我有羊癫疯，想约第二针", ["neuro"]),
        ("我上次打完全身出晒红疹，约第二针", ["severe_reaction"]),
        ("last time i got hives all over after the shot", ["severe_reaction"]),
        ("我坐紧月，想约打针", ["pregnancy"]),
        ("i'm expecting, can i book", ["pregnancy"]),
        ("我打完第一针晕倒过，约第二针", ["severe_reaction"]),
    ],
)
def test_conditions_said(text: str, said: list[str]) -> None:
    assert conditions_said(text) == said


def test_a_denied_condition_asks_nothing_more(phone: Phone) -> None:
    phone.run("我没有过敏，想预约第一针", *REGISTER_HER)
    assert "李红符合接种条件" in phone.say("没有")


def test_a_relative_named_in_a_health_answer_is_not_someone_to_book(phone: Phone) -> None:
    """沒有。我太太說我上週在高風險區出差: the risk-area answer, not a registration for a wife."""
    phone.run("预约", *REGISTER_HER)
    reply = phone.say("沒有。我太太說我上週在高風險區出差")
    assert "中高風險地區者暫緩預約" in reply and "須知" not in reply


def test_not_me_but_my_mother_at_the_health_questions_still_changes_person(phone: Phone) -> None:
    phone.run("预约", *REGISTER_HER)
    assert "预登记须知" in phone.say("不是我，是给我妈约")  # she is registered first
