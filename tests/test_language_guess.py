"""Only a message clearly in English switches a conversation to English: markup, symbols and
numbers in Latin letters are not English words."""

from __future__ import annotations

import pytest

from bot.conversation import guess_language
from bot.nlu.normalise import Normaliser
from flows.lexicon import load
from tests.conftest import Phone

GARBAGE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "${7*7} {{7*7}} %s%n",
    "';-- 1=1 /* */ #!",
    "0x41 0x42 \\x00",
    "<b></b><i></i>",
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_mid_conversation_keeps_chinese(phone: Phone, garbage: str) -> None:
    assert "预登记须知" in phone.say("登记")
    reply = phone.say(garbage)
    assert "请回复" in reply and "Please" not in reply
    assert "为谁登记" in phone.say("1")  # still in Chinese


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_as_a_first_message_is_answered_in_chinese(garbage: str) -> None:
    assert guess_language(garbage) == "zh"


def test_an_english_sentence_mid_conversation_still_switches(phone: Phone) -> None:
    phone.say("登记")
    reply = phone.say("what should I do here")
    assert "Pre-registration" in reply and "预登记" not in reply


def test_a_chinese_name_in_an_english_conversation_keeps_english(phone: Phone) -> None:
    """explore9 12: 李秀英 typed at the name question switched the next steps to Chinese."""
    phone.run("I want to book", "1", "1")  # consent, for myself: the name question
    assert "Choose the identity document" in phone.say("李秀英")
    assert "resident ID number" in phone.say("1")


def test_simplified_cantonese_is_answered_in_simplified() -> None:
    """OpenCC turns the Cantonese 嗰 into 𠮶, but 原来 and 个 are Simplified: so is the message."""
    said = Normaliser(load())("算啦，就原来嗰个")
    assert said.script == "hans"
