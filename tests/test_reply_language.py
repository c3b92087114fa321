"""The reply's language and script follow how the resident writes (explore10 15): Simplified or
Traditional by the characters only one script writes, not by Cantonese words (係, 嗰, 唔該晒 are
written in both); English for an English sentence with a few Chinese words in it; no flip on a
bare name or number; names, sites and codes as stored in every Traditional reply."""

from __future__ import annotations

import pytest

from bot.conversation import guess_language, in_traditional
from bot.messages import Reply
from bot.nlu.normalise import Normaliser, in_traditional_script
from bot.nlu.script import language_of, script_of, simplified_only
from flows.lexicon import load
from tests.conftest import Phone
from tests.free_text_support import REGISTER_SELF

BACKENDS = ("sqlite", "postgresql")

TRADITIONAL_CANTONESE = [
    "您好，請問本人想預約第一劑新冠疫苗，時間最好係星期六上午，地點天河體育中心，唔該晒！",
    "我想預約疫苗，唔該晒！",
    "唔該晒，幫我約聽日",
    "係咪要帶身份證去㗎？",
    "最快嗰個時間得唔得",
]
SIMPLIFIED_CANTONESE = [
    "唔係，都係星期六好啲",
    "最快嗰日",
    "唔该晒，帮我约听日",
    "係咪要带身份证去㗎？",
    "我想搵个近啲嘅接种点",
]


@pytest.mark.parametrize("message", TRADITIONAL_CANTONESE)
def test_traditional_with_cantonese_words_is_traditional(message: str) -> None:
    assert script_of(message) == "hant"
    assert Normaliser(load())(message).script == "hant"


@pytest.mark.parametrize("message", SIMPLIFIED_CANTONESE)
def test_simplified_with_cantonese_words_is_not_traditional(message: str) -> None:
    assert script_of(message) != "hant"


@pytest.mark.parametrize(
    "message",
    [
        "hi can i book 第一针 at 天河 tmr morning? im a student at 华工",
        "wait is it free? do i need to bring my 学生证",
        "can my mum get the 国药 one at 石牌",
        "is 天河体育中心 open on sunday",
    ],
)
def test_an_english_sentence_with_chinese_words_is_english(message: str) -> None:
    assert guess_language(message) == "en"


CHINESE_WITH_ENGLISH = [
    "我想book第二針聽日下晝",
    "我想book个slot",
    "帮我cancel明天的预约",
    "我嘅code唔见咗",
]


@pytest.mark.parametrize("message", CHINESE_WITH_ENGLISH)
def test_a_chinese_sentence_with_english_words_is_chinese(message: str) -> None:
    assert guess_language(message) == "zh"


@pytest.mark.parametrize(
    ("text", "cjk", "words"),
    [("2", 0, 0), ("hi 李秀英", 3, 1), ("ok", 0, 1), ("13800138000", 0, 0)],
)
def test_a_name_a_number_or_one_word_tells_no_language(text: str, cjk: int, words: int) -> None:
    assert language_of(text, cjk, words) is None


def test_names_kept_verbatim_are_not_converted() -> None:
    reply = Reply("刘一有以下情况吗？请确认：刘一，天河体育中心接种点。")
    converted = in_traditional(reply, {"刘一", "天河体育中心接种点"})
    assert converted.text == "刘一有以下情況嗎？請確認：刘一，天河体育中心接种点。"


def traditional_only(reply: Reply, kept: tuple[str, ...] = ()) -> bool:
    """Whether ``reply`` (text and every option label) has no Simplified-only character
    outside the values kept as stored."""
    hans = simplified_only()
    for text in (reply.text, *(o.label for o in reply.options)):
        for value in kept:
            text = text.replace(value, "")
        if any(c in hans for c in text):
            return False
    return True


def test_a_traditional_message_with_cantonese_words_is_answered_in_traditional(
    phone: Phone,
) -> None:
    replies = phone.send("我想預約第一劑，唔該晒！")
    assert "預登記須知" in replies[0].text
    assert all(traditional_only(r) for r in replies), replies  # option labels too
    assert [o.label for o in replies[-1].options][2].startswith("只同意須知")


def test_simplified_cantonese_keeps_simplified_replies(phone: Phone) -> None:
    assert "预登记须知" in phone.say("我想预约第一针")
    for message in ("唔係，我想问下", "最快嗰日得唔得"):
        for reply in phone.send(message):
            assert not in_traditional_script(reply.text), reply.text


def test_a_student_writing_english_is_answered_in_english_throughout(phone: Phone) -> None:
    first = phone.say("hi can i book 第一针 at 天河 tmr morning? im a student at 华工")
    assert "Pre-registration" in first and "预登记" not in first
    assert "Who are you registering" in phone.say("1")
    assert "full name" in phone.say("myself")
    assert "Choose the identity document" in phone.say("张伟")  # a name: still English
    assert "Bring" in phone.say("wait do i need to bring my 学生证")


def test_names_and_sites_stay_as_stored_in_traditional_replies(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)  # 张三, registered in Simplified
    asked = phone.say("我想預約聽日上午喺天河體育中心打第一劑")
    assert "张三有以下情況嗎" in asked and "張三" not in asked
    replies = phone.send("沒有")
    while replies[-1].options and "確認" not in replies[-1].options[0].label:
        replies = phone.send("1")  # the first site, period, time …
    confirm = replies[-1].text
    assert "张三" in confirm and "天河体育中心接种点" in confirm, confirm
    assert "請確認" in confirm
    done = phone.say("1")
    assert "预约码" not in done and "預約碼" in done and "张三" in done and "張三" not in done


def test_a_long_traditional_message_is_refused_in_traditional(phone: Phone) -> None:
    said = phone.say("請問預約謝謝" * 900)
    assert "消息太長" in said and "消息太长" not in said
    english = phone.say("please help me book " * 300)
    assert english.startswith("That message is too long")
