"""Answers a step refused are kept for `vaxbot nlu misses` too, masked (explore10 21): the
phrasings residents use at the phone, name, option and date steps reach the lexicon's
maintainers, not only first messages; a mistyped number or an option out of range does not."""

from __future__ import annotations

from store import Store
from tests.conftest import Phone
from tests.free_text_support import REGISTER_SELF, ZHANG

BACKENDS = ("sqlite", "postgresql")


def kept(store: Store) -> dict[str, int]:
    return {text: count for text, count, _ in store.misses(50)}


def test_a_worded_answer_no_option_reads_is_kept(phone: Phone, store: Store) -> None:
    phone.send("登记")
    assert "请回复 1 到" in phone.say("睇下先啦")  # at the consent: none of its options
    phone.send("睇下先啦")
    assert kept(store) == {"睇下先啦": 2}


def test_a_worded_answer_a_free_text_step_refuses_is_kept(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF[:6])  # up to the phone question
    refused = phone.say("问我老婆先，佢记得")
    assert "手机号" in refused
    assert kept(store) == {"问我老婆先，佢记得": 1}


def test_numbers_and_codes_are_no_misses(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF[:5])  # at the ID number question
    assert "校验位" in phone.say(ZHANG[:-1] + "9")  # a typo in the ID
    phone.send(ZHANG)
    phone.send("9")  # at the phone question: no such option, and no words either
    assert kept(store) == {}


def test_a_year_is_kept_and_a_phone_number_masked(phone: Phone, store: Store) -> None:
    phone.send("登记")
    phone.send("2021年2月30日 电话13912345678")
    assert kept(store) == {"2021年2月30日 电话<号码>": 1}
