"""The consent notice is long (314 characters in English, 3 SMS segments): it is sent in full
once, and asked again in a short form after a question answered at it or an answer that is no
option (explore8 C3). Agreeing after the short form goes on as before."""

from __future__ import annotations

from channels.sms.render import render_all, segments
from tests.conftest import Phone

NOTICE = {"en": "Pre-registration: give true details", "zh": "预登记须知"}
SHORT = {"en": "Reply 1 to agree to the notice above", "zh": "回复1同意上面的须知"}


def test_the_english_notice_is_not_sent_again_after_each_question(phone: Phone) -> None:
    assert NOTICE["en"] in phone.say("I want to book a vacine for my dad")
    for question in ("whats the interval between doses?", "how much does it cost"):
        replies = phone.send(question)
        said = "\n".join(r.text for r in replies)
        assert NOTICE["en"] not in said and SHORT["en"] in said and said.endswith("go on.")
        assert [o.key for o in replies[-1].options] == ["1", "2", "3"]
        assert segments(render_all(replies)[-1]) == 1  # was 3 segments, every time
    assert "full name" in phone.say("1")  # agreed: the registration goes on


def test_the_chinese_notice_after_a_question_and_after_no_option(phone: Phone) -> None:
    assert NOTICE["zh"] in phone.say("帮我爸约第一针")
    said = phone.say("第二针要隔多久？")
    assert "21-56天" in said and NOTICE["zh"] not in said and SHORT["zh"] in said
    said = phone.say("asdf")
    assert "请回复 1 到 3 之间的数字" in said and NOTICE["zh"] not in said
    assert "姓名" in phone.say("1")


def test_the_traditional_short_form(phone: Phone) -> None:
    phone.say("幫我老豆約第一針")
    assert "回覆1同意上面的須知" in phone.say("要幾錢？")


def test_the_full_notice_again_in_the_language_the_resident_switched_to(phone: Phone) -> None:
    phone.say("登记")
    said = phone.say("how long between doses?")  # never read in English: in full
    assert NOTICE["en"] in said and SHORT["en"] not in said
    assert SHORT["en"] in phone.say("is it free?")
