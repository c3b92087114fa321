"""The health questions answered in one message: numbers under a negation (没有1, 1到3都没有, no 1)
deny rather than affirm, so they are asked one at a time, never read as a condition; words are
read in Traditional characters too (有發燒)."""

from __future__ import annotations

import pytest

from flows.eligibility import QUESTIONS
from flows.screening import read_all
from tests.conftest import Phone
from tests.free_text_support import REGISTER_SELF

ALL = list(QUESTIONS)


@pytest.mark.parametrize("answer", ["没有1", "不是1", "1到3都没有", "冇1", "no 1", "1 none"])
def test_numbers_under_a_negation_are_not_read_as_conditions(answer: str) -> None:
    assert read_all(answer, ALL) is None


@pytest.mark.parametrize(
    ("answer", "numbers"),
    [("1", {1}), ("3 5", {3, 5}), ("有2、4", {2, 4}), ("13", {1, 3}), ("１ ３", {1, 3}),
     ("③", {3}), ("1+4", {1, 4})],
)  # fmt: skip
def test_numbers_alone_name_the_conditions(answer: str, numbers: set[int]) -> None:
    answers = read_all(answer, ALL)
    expected = {ALL[n - 1].key for n in numbers}
    assert answers is not None and {key for key, said in answers.items() if said} == expected


# Digits that name no items of the list: a day, a time, a year, a repeated or zero digit, a sign
NOT_ITEMS = [
    "2月30日",
    "12月32日",
    "2021-13-45",
    "12:30",
    "1" * 30,
    "-1",
    "0",
    "9",
    "10",
    "1-3",
    "11",
]


@pytest.mark.parametrize("answer", NOT_ITEMS)
def test_digits_that_name_no_item_are_not_read_as_conditions(answer: str) -> None:
    assert read_all(answer, ALL) is None


@pytest.mark.parametrize("answer", ["2月30日", "2021-13-45", "1" * 30, "-1"])
def test_a_date_or_a_string_of_digits_at_the_list_refuses_nobody(phone: Phone, answer: str) -> None:
    """Found by fuzzing: 2月30日 refused the resident for a severe reaction (its 2), 2021-13-45
    for every item; now the items are asked one at a time."""
    phone.run(*REGISTER_SELF)
    phone.send("我想明天上午在天河体育中心打疫苗")
    reply = phone.say(answer)
    assert "不能接种" not in reply and reply.endswith("张三是否对疫苗的任何成分过敏？")


def test_a_negated_number_is_asked_one_at_a_time_and_nobody_is_refused(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    phone.send("我想明天上午在天河体育中心打疫苗")
    asked = phone.say("没有1")
    assert "不能接种" not in asked and asked.endswith("张三是否对疫苗的任何成分过敏？")
    for _ in range(4):
        asked = phone.say("2")  # 否
    assert "符合接种条件" in phone.say("2")


def test_traditional_condition_words_are_read(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    phone.send("我想明天上午在天河体育中心打疫苗")
    said = phone.say("有發燒")
    assert "逐條" not in said and "康復" in said


@pytest.mark.parametrize("said", ["周末有得打吗", "我想约明天上午打针", "有冇得打"])
def test_a_booking_sentence_at_a_health_question_is_no_yes(said: str, phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    phone.send("我想明天上午在天河体育中心打疫苗")
    assert phone.say("逐条").endswith("张三是否对疫苗的任何成分过敏？")
    reply = phone.say(said)
    assert "不能接种" not in reply and reply.endswith("张三是否对疫苗的任何成分过敏？")


@pytest.mark.parametrize(
    "answer", ["我对鸡蛋过敏，其他没有", "海鲜过敏", "I'm allergic to penicillin, nothing else"]
)
def test_an_allergy_to_something_else_is_asked_about_not_refused(phone: Phone, answer: str) -> None:
    """explore9 2: an egg allergy was refused as an allergy to the vaccine's components."""
    phone.run(*REGISTER_SELF)
    phone.send("我想明天上午在天河体育中心打疫苗")
    asked = phone.say(answer)
    assert "不能接种" not in asked and "cannot" not in asked
    assert asked.endswith(
        ("张三是否对疫苗的任何成分过敏？", "allergic to any component of the vaccine?")
    )


def test_a_latin_condition_word_counts_only_at_a_word_start() -> None:
    """ "ill" in "will" or "still" is no illness (a health answer is read as requests are)."""
    answers = read_all("I will be fine, still nothing", ALL)
    assert answers is None or not any(answers.values())
    assert read_all("ill", ALL) == {q.key: q.key == "illness" for q in ALL}


@pytest.mark.parametrize(
    ("no", "yes"), [("冇", "係"), ("唔係", "系呀"), ("nope", "yep"), ("nah", "yeah"), ("没", "嗯")]
)
def test_yes_and_no_as_residents_say_them_answer_a_question_asked_alone(
    phone: Phone, no: str, yes: str
) -> None:
    """Cantonese and everyday yes/no words at a question asked on its own (explore10 10)."""
    phone.run(*REGISTER_SELF)
    phone.send("我想明天上午在天河体育中心打疫苗")
    phone.say("逐条")  # one question at a time
    for _ in range(2):
        asked = phone.say(no)
    assert "发热" in asked or "發熱" in asked or "fever" in asked  # the third question now
    deferred = phone.say(yes)
    assert any(word in deferred for word in ("暂缓", "暫緩", "wait")), deferred


@pytest.mark.parametrize(
    "answer",
    [
        "没有对疫苗过敏",
        "冇去过中高风险地区",
        "没有去过高风险地区，也没有发烧",
        "I have not been to a risk area",
        "i dont have any allergies",
    ],
)
def test_a_denial_earlier_in_the_clause_denies_the_condition(phone: Phone, answer: str) -> None:
    """The negation was looked for only in the four characters before the word: 没有对疫苗过敏
    refused the resident, 冇去过中高风险地区 deferred them."""
    phone.run(*REGISTER_SELF)
    phone.say("预约")
    reply = phone.say(answer)
    verdicts = ("本次不能预约", "者不能接种。", "满14天后请再发", "so no booking", "wait 14 days")
    assert not any(verdict in reply for verdict in verdicts), reply


@pytest.mark.parametrize(
    ("answer", "key"),
    [
        ("不好意思我怀孕了", "pregnancy"),
        ("我没发烧但咳嗽", "illness"),
        ("唔好意思，我发紧烧", "illness"),
    ],
)
def test_a_condition_after_an_apology_or_a_but_is_still_said(answer: str, key: str) -> None:
    answers = read_all(answer, ALL)
    assert answers is not None and answers[key]
