"""A question about what an item of the health list means, asked at the list (什么是格林巴利,
我有鼻炎算急性病吗, 第4项是什么意思): the item is explained and the list asked again. It was read
as an answer: the condition word in it (格林巴利, 急性病) refused or deferred the resident, and
the screening was stored."""

from __future__ import annotations

import pytest

from store import Store
from tests.conftest import Phone
from tests.free_text_support import REGISTER_SELF, ZHANG


def at_the_list(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    assert "有以下情况吗" in phone.say("预约")


def screened(store: Store) -> bool:
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None
    return store.latest_screening(resident.id) is not None


@pytest.mark.parametrize(
    ("asked", "explained"),
    [
        ("格林巴利是什么", "第4项指"),
        ("什么是格林巴利综合征", "格林巴利综合征（"),
        ("癫痫系咩嚟㗎", "第4项指"),
        ("发烧38度算唔算", "第3项指"),
        ("第2项是什么意思", "打针处红肿疼痛不算"),
        ("严重过敏反应是指什么", "第2项指"),
        ("发烧包括低烧吗", "第3项指"),
    ],
)
def test_a_question_about_an_item_is_explained_and_the_list_asked_again(
    phone: Phone, store: Store, asked: str, explained: str
) -> None:
    at_the_list(phone)
    reply = phone.say(asked)
    assert explained in reply
    assert "有以上情况吗" in reply  # the list is still the question
    assert "不能接种" not in reply and "暂缓" not in reply
    assert not screened(store)  # nothing taken as an answer
    assert "符合接种条件" in phone.say("没有")  # the booking goes on


def test_an_item_explained_in_english(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF)
    phone.say("book")
    reply = phone.say("does a sore arm after the flu jab count as severe reaction?")
    assert "2 means a severe allergic reaction" in reply and "a sore arm is not it" in reply
    assert not screened(store)


def test_an_item_explained_in_traditional(phone: Phone) -> None:
    at_the_list(phone)
    reply = phone.say("甚麼是格林巴利")
    assert "第4項指" in reply and "格林巴利" in reply
    assert "第5項指" in phone.say("甚麼叫中高風險區")


def test_a_question_that_says_one_has_something_is_asked_about_after_none(
    phone: Phone, store: Store
) -> None:
    """我有鼻炎算急性病吗: explained; a 没有 then is not taken over what was said (the item is
    asked on its own), as for any condition stated before the answer."""
    at_the_list(phone)
    assert "按时服药的慢性病" in phone.say("我有鼻炎算急性病吗")
    assert not screened(store)
    reply = phone.say("没有")
    assert "请确认" in reply and "急性" in reply and "符合接种条件" not in reply


@pytest.mark.parametrize("said", ["我有格林巴利综合征", "4", "有癫痫，一直没控制好"])
def test_a_condition_stated_is_still_an_answer(phone: Phone, store: Store, said: str) -> None:
    at_the_list(phone)
    assert "不能接种" in phone.say(said)
    assert screened(store)
