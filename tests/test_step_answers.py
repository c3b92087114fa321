"""Answers typed at each step of registration, screening and booking that are not the options
on screen (session 15, "steps"), and the language of the reply. The corpus
(tests/explore/step_answers.jsonl, every step from the consent to the confirmation) is the
kind; the tests below pin each fix: a hold in English at a Chinese name question answered in
English, an age after a name in English, a time of day that is no time (13:99, 25点, 上午15点)
said to be one, a district typed at the site question read as the district."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from store import Store
from tests.conftest import Phone
from tests.step_answers_support import FLOOR, corpus, person_id, run

ID = person_id(7)
REGISTER = ("登记", "1", "1", "张三", "1", ID, "1", "1")
AT_SITE = (*REGISTER, "1", "预约", "没有", "1")
AT_PERIOD = (*AT_SITE, "1", "1")


def test_the_corpus_of_answers_at_each_step(engine: Engine, store: Store) -> None:
    lines = corpus()
    assert len(lines) >= 200
    results = list(run(engine, store, lines))
    right = sum(why is None for _, _, why in results)
    critical = [(line, why, said) for line, said, why in results if why and line.critical]
    assert not critical, "\n\n".join(f"{line}\n{why}\n{said}" for line, why, said in critical)
    assert right / len(results) >= FLOOR, f"{right}/{len(results)}"


# -- the language of a hold at a name question ------------------------------------------------


@pytest.mark.parametrize("text", ["hold on a sec", "wait", "one moment", "hang on"])
def test_holding_on_in_english_at_a_chinese_name_question_is_answered_in_english(
    phone: Phone, store: Store, text: str
) -> None:
    phone.run("登记", "1", "1")
    reply = phone.say(text)
    assert "no hurry" in reply and "name" in reply
    assert "请" not in reply
    assert store.resident_by_document("resident_id", ID) is None


def test_holding_on_in_traditional_at_a_name_question_is_answered_in_traditional(
    phone: Phone,
) -> None:
    phone.run("登记", "1", "1")
    reply = phone.say("請稍等")
    assert "請輸入" in reply and "不急" in reply


def test_holding_on_in_chinese_in_an_english_conversation_is_answered_in_chinese(
    phone: Phone,
) -> None:
    phone.run("register", "1", "1")
    reply = phone.say("等一下")
    assert "不急" in reply and "请输入接种人姓名" in reply


def test_a_name_at_the_name_question_still_keeps_the_language(phone: Phone) -> None:
    phone.run("登记", "1", "1")
    assert "请选择证件类型" in phone.say("Zhang Wei")
