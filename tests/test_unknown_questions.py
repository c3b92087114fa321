"""Questions vaxbot cannot answer are told so, with the way to a person (explore10 19): never
the welcome menu as if nothing had been asked, never "没看懂这个日期" inside a flow (there the
step is asked again). English questions whose answers exist in Chinese reach them. A question
answered at the 5-item screening re-asks it in one line, not the whole list: the answer and the
re-ask stay within 3 SMS segments (explore10 20)."""

from __future__ import annotations

import pytest

from channels.sms.render import render_all, segments
from tests.conftest import Phone
from tests.free_text_support import REGISTER_SELF

BACKENDS = ("sqlite", "postgresql")

UNKNOWN_ZH = "这个问题我不清楚，可回复 人工 咨询"
UNKNOWN_HANT = "這個問題我不清楚，可回覆 人工 諮詢"
UNKNOWN_EN = "I can't answer that here; reply AGENT"
AT_THE_SCREENING = (*REGISTER_SELF, "我想明天上午在天河体育中心打第一针")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("打完针可以喝咖啡吗", UNKNOWN_ZH),
        ("接種完可唔可以飲咖啡？", UNKNOWN_HANT),
        ("接种点有没有厕所", UNKNOWN_ZH),
        ("is there a toilet at the site?", UNKNOWN_EN),
        ("can I bring my dog", UNKNOWN_EN),
        ("how long does the vaccine protect me", UNKNOWN_EN),
    ],
)
def test_a_question_with_no_answer_says_so_in_the_residents_language(
    phone: Phone, question: str, expected: str
) -> None:
    replies = phone.send(question)
    assert expected in replies[0].text
    assert "您好" not in replies[0].text and "Hello" not in replies[0].text  # not the menu


def test_inside_a_flow_it_says_so_and_asks_the_step_again(phone: Phone) -> None:
    phone.run(*AT_THE_SCREENING)
    asked = phone.say("没有")  # the date question
    said = phone.say("打完可唔可以饮咖啡")
    assert said.startswith(UNKNOWN_ZH) and "没看懂" not in said
    assert said.splitlines()[-1] == asked.splitlines()[-1]  # the step, again
    assert "请选择时段" in phone.say("6月18日")  # and it still takes the answer


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("does Shipai have Sinopharm", "BBIBP-CorV (Sinopharm Beijing)"),
        ("which sites in Haizhu have Sinovac", "CoronaVac (Sinovac) in Haizhu"),
        ("I'm 17, can I book", "under 18"),
        ("my son is 15, can he get it", "under 18"),
        ("where are the vaccine buses", "Mobile vaccination vehicles"),
        ("石牌有国药吗", "国药北京生物"),
    ],
)
def test_questions_with_an_answer_get_it(phone: Phone, question: str, expected: str) -> None:
    said = phone.say(question)
    assert expected in said, said


def test_a_question_at_the_screening_is_answered_and_the_list_asked_in_one_line(
    phone: Phone,
) -> None:
    replies = phone.run(*AT_THE_SCREENING)
    assert "张三有以下情况吗" in replies[-1].text
    replies = phone.send("第二针一定要打同一个牌子吗")
    assert "同一厂家" in replies[0].text
    assert replies[-1].text == "张三有以上情况吗？请回复 没有 或序号"
    assert sum(segments(sms) for sms in render_all(replies)) <= 3
    unknown = phone.send("打完可以喝咖啡吗")
    assert unknown[0].text.startswith(UNKNOWN_ZH) and "逐条" not in unknown[0].text
    assert sum(segments(sms) for sms in render_all(unknown)) <= 3
    assert "符合接种条件" in phone.say("没有")  # the list still answered as before
