"""Times and days as residents say them at the booking's steps (explore-en session 12 kinds 8,
11 and 12; explore-zh session 12 "Left"), in Mandarin, Cantonese, Traditional and English:

- at the time question, a time of day however it is said (pm, 8-10, 10 to 12, 8点到10点, 中午,
  唔好太早, 晏啲, 越晏越好): the periods that match, one of them its confirmation, none said so
  with the day's periods listed; never a booking without the confirmation;
- a move to an hour (改期改到两点半): the booked day and site at that hour, not the district;
- a day as a bound (after wednesday, 周三之后, 星期五前, 周三起): only the days within it;
- another day (算了换个日子, 换一天, another day) at the time step: this booking's date question;
- a day said at the district or site question (明天上午, tmrw morning pls): kept and said back;
- holding on at the confirmation (等等, no wait, let me ask my mum first): nothing booked.

The phrasings are varied on purpose: the kind is what must work, not a list of sentences."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.messages import Reply
from bot.nlu.interpreter import Interpreter
from bot.nlu.normalise import simplified
from flows.policy import load_policy
from store import Store
from tests.conftest import Phone
from tests.free_text_support import AGAIN, each

ID = "440106199001011235"  # a man born 1990-01-01
REGISTER = ("1", "1", "王小明", "1", ID, "1", "1")  # consent, myself, …, home district
AT_DISTRICT = ("预约", *REGISTER, "没有")  # dose 1: the district question
AT_SITE = (*AT_DISTRICT, "1")  # Tianhe
AT_DATE = (*AT_SITE, "1")  # its first site (Tianhe Sports Centre)
AT_PERIOD = (*AT_DATE, "2")  # tomorrow, Friday 18 June: 08:00 10:00 14:00 16:00 18:30
AT_CONFIRM = (*AT_PERIOD, "1")  # Friday 08:00-10:00
TO_SITE, TO_DATE, TO_PERIOD = ("1",), ("1", "1"), ("1", "1", "2")
TO_CONFIRM = (*TO_PERIOD, "1")


READER = Interpreter(load_policy(), list, sites_ttl=3600)
THU = date(2021, 6, 17)  # the demo's today


def read(text: str) -> dict[str, Any]:
    return READER.read(text, THU).entities.said()


def shown(replies: list[Reply]) -> str:
    """The replies' texts and option labels, in Simplified characters."""
    parts = [reply.text for reply in replies]
    parts += [option.label for reply in replies for option in reply.options]
    return simplified("\n".join(parts))


def labels(replies: list[Reply]) -> list[str]:
    return [option.label for option in replies[-1].options] if replies else []


def bookings(store: Store) -> int:
    person = store.resident_by_document("resident_id", ID)
    return 0 if person is None else len(store.active_bookings(person.id))


def confirming(said: str) -> bool:
    return "请确认" in said or "Please confirm" in said


# -- a time of day at the time question ---------------------------------------------------------
# Friday's periods: 08:00-10:00, 10:00-12:00, 14:00-16:00, 16:00-18:00, 18:30-20:30.

ONE_PERIOD = {
    "8-10": "08:00-10:00", "8点到10点": "08:00-10:00", "八點至十點": "08:00-10:00",
    "8:00 - 10:00": "08:00-10:00", "10 to 12": "10:00-12:00", "十点到十二点吧": "10:00-12:00",
    "2-4pm": "14:00-16:00", "下昼两点到四点": "14:00-16:00", "between 2 and 4": "14:00-16:00",
    "4 till 6 pm": "16:00-18:00", "中午": "10:00-12:00", "lunchtime pls": "10:00-12:00",
    "中午前后": "10:00-12:00", "越晏越好": "18:30-20:30", "越晚越好": "18:30-20:30",
    "as late as possible": "18:30-20:30", "最夜嗰个": "18:30-20:30",
}  # fmt: skip
LATER = ["10:00", "14:00", "16:00", "18:30"]  # not the first period of the morning
SEVERAL = {
    "pm": ["14:00", "16:00", "18:30"], "PM please": ["14:00", "16:00", "18:30"],
    "in the pm": ["14:00", "16:00", "18:30"], "食完晏": ["14:00", "16:00", "18:30"],
    "after lunch": ["14:00", "16:00", "18:30"], "am": ["08:00", "10:00"],
    "a.m. pls": ["08:00", "10:00"], "上半日": ["08:00", "10:00"],
    "9点到11点": ["08:00", "10:00"], "9-11": ["08:00", "10:00"],
    "唔好太早": LATER, "晏啲": LATER, "不要太早": LATER, "晚一点吧": LATER, "遲啲": LATER,
    "not too early": LATER, "a bit later": LATER,
}  # fmt: skip


def test_one_period_said_in_words_is_its_confirmation(phone: Phone, store: Store) -> None:
    for text, replies in each(phone, AT_PERIOD, TO_PERIOD, list(ONE_PERIOD)):
        said = shown(replies)
        assert confirming(said) and ONE_PERIOD[text] in said, (text, said)
    assert bookings(store) == 0  # nothing without the confirmation


def test_a_time_of_day_in_words_offers_the_periods_that_match(phone: Phone, store: Store) -> None:
    for text, replies in each(phone, AT_PERIOD, TO_PERIOD, list(SEVERAL)):
        said = shown(replies)
        assert not confirming(said) and "请回复 1 到" not in said, (text, said)
        assert "reply with a number" not in said, text
        assert [label[:5] for label in labels(replies)] == SEVERAL[text], (text, said)
    assert bookings(store) == 0


def test_a_time_no_period_meets_is_said_and_every_period_listed(phone: Phone, store: Store) -> None:
    for text, replies in each(phone, AT_PERIOD, TO_PERIOD, ["6-7am", "六点到七点半朝早", "21-23"]):
        said = shown(replies)
        assert "该时段无名额" in said or "No places at that time" in said, (text, said)
        assert len(labels(replies)) == 5 and not confirming(said), text
    assert bookings(store) == 0


def test_a_time_in_words_before_the_day_keeps_bounds_for_the_days(phone: Phone) -> None:
    cases = {"8-10": ["08:00"], "8点到10点": ["08:00"], "10 to 12": ["10:00"],
             "pm": ["14:00", "16:00", "18:30"], "唔好太早": LATER}  # fmt: skip
    for text, replies in each(phone, AT_DATE, TO_DATE, list(cases)):
        said = shown(replies)
        assert "好的，只约" in said or "OK, only periods" in said, (text, said)
        assert "没看懂" not in said and "could not read" not in said, text
        replies = phone.send("2")  # Friday: only the periods within
        if len(cases[text]) == 1:  # one: its confirmation
            said = simplified(replies[-1].text)
            assert cases[text][0] in said and confirming(said), (text, said)
        else:
            assert [label[:5] for label in labels(replies)] == cases[text], text


# -- holding on at the confirmation -------------------------------------------------------------

HOLD = ["等等", "等一下", "等陣", "等等我问下阿妈先", "等我諗下先", "稍等", "我想想", "no wait",
        "wait", "hold on pls", "hang on, let me ask my mum", "one moment", "not yet"]  # fmt: skip


def test_holding_on_at_the_confirmation_books_nothing_and_asks_again(
    phone: Phone, store: Store
) -> None:
    phone.run(*AT_CONFIRM)
    for text in HOLD:
        replies = phone.send(text)
        said = shown(replies)
        assert "还没有预约" in said or "nothing is booked yet" in said, text
        assert confirming(said) and "08:00-10:00" in said, text  # the same confirmation
        assert "请回复 1 到" not in said and "reply with a number" not in said, text
        assert "须知" not in said, text  # no registration of the mother
    assert bookings(store) == 0
    said = phone.say("1")  # still there to confirm
    assert ("预约成功" in said or "Booked" in said) and bookings(store) == 1


def test_a_change_said_with_wait_is_the_change(phone: Phone, store: Store) -> None:
    phone.run(*AT_CONFIRM)
    said = shown(phone.send("等等，改后天下午"))
    assert "6月19日" in said and "14:00-16:00" in said and "还没有预约" not in said
    assert bookings(store) == 0


def test_holding_on_at_the_cancellation_cancels_nothing(phone: Phone, store: Store) -> None:
    phone.run(*AT_CONFIRM, "1", "取消")
    said = phone.say("等一下")
    assert "还没有取消" in said and bookings(store) == 1


# -- another day at the time step ---------------------------------------------------------------

OTHER_DAY = ["算了换个日子", "换一天", "換第二日", "改个日期吧", "another day",
             "can i pick a different day"]  # fmt: skip


def test_another_day_at_the_time_step_goes_back_to_the_date(phone: Phone, store: Store) -> None:
    for text, replies in each(phone, AT_PERIOD, TO_PERIOD, OTHER_DAY):
        said = shown(replies)
        assert "请选择日期" in said or "Choose a date" in said, text
        assert "已停止" not in said and "没有有效预约" not in said, text
        assert any("6月19日" in label or "19 Jun" in label for label in labels(replies)), text
    said = phone.say("3")  # the same booking goes on: Saturday's periods
    assert "6月19日" in said or "Sat 19 Jun: choose a time" in said
    assert bookings(store) == 0


def test_another_time_at_the_time_step_shows_every_period_again(phone: Phone) -> None:
    phone.run(*AT_PERIOD, "下午")
    assert len(labels(phone.run("下午"))) == 2
    replies = phone.send("换个时间")
    assert len(labels(replies)) == 5 and "没有有效预约" not in shown(replies)


# -- a day said at the district or site question -------------------------------------------------


def test_a_day_said_at_the_district_or_site_is_said_back_and_used(phone: Phone) -> None:
    cases = [(AT_DISTRICT, (), "明天上午", "6月18日 周五 上午"),
             (AT_DISTRICT, (), "聽日下晝", "6月18日 周五 下午"),
             (AT_SITE, TO_SITE, "tmrw morning pls", "Fri 18 Jun, in the morning"),
             (AT_SITE, TO_SITE, "明天上午", "6月18日 周五 上午")]  # fmt: skip
    phone.run(*AT_DISTRICT)
    for n, (first, then, text, back) in enumerate(cases):
        if n:
            phone.run(*AGAIN, *then)
        said = shown(phone.send(text))
        assert back in said, (text, said)
        assert "请回复 1 到" not in said and "reply with a number" not in said, text
        if first == AT_DISTRICT:
            phone.run("1")
        replies = phone.send("1")  # the site: straight to that day's periods in that part
        assert "6月18日" in simplified(replies[-1].text) or "18 Jun" in replies[-1].text, text
        assert len(labels(replies)) == 2, text


# -- moving a booking to an hour ----------------------------------------------------------------


def test_moving_a_booking_to_an_hour_keeps_its_day_and_site(phone: Phone, store: Store) -> None:
    phone.run(*AT_CONFIRM, "1")  # booked: Friday 08:00-10:00 at Tianhe Sports Centre
    person = store.resident_by_document("resident_id", ID)
    assert person is not None
    cases = {"改期改到两点半": "14:00-16:00", "可以改到两點半嗎": "14:00-16:00",
             "改到下午三点": "14:00-16:00", "move it to 3pm": "14:00-16:00",
             "改去夜晚": "18:30-20:30", "can i change it to 4:30pm": "16:00-18:00"}  # fmt: skip
    for text, period in cases.items():
        said = shown(phone.send(text))
        assert "选择接种点所在区" not in said and "district" not in said, (text, said)
        assert confirming(said), (text, said)
        assert f"18 Jun {period}" in said or f"6月18日 周五 {period}" in said, (text, said)
        assert "天河体育中心" in said or "Tianhe Sports Centre" in said, text
        phone.send("退出")
    assert [b.slot.period for b in store.active_bookings(person.id)] == ["08:00-10:00"]
    said = phone.say("改期改到两点半") and phone.say("等一下")  # holding on: nothing moved
    assert "还没有改期" in said and "原预约不变" in said
    assert [b.slot.period for b in store.active_bookings(person.id)] == ["08:00-10:00"]
    phone.run("1")
    assert [b.slot.period for b in store.active_bookings(person.id)] == ["14:00-16:00"]


# -- a day as a bound ---------------------------------------------------------------------------
# Today is Thursday 17 June; the days out run to Wednesday 23 June.

AFTER_SATURDAY = {  # from Sunday 20 June: strictly after, as 国庆后 is read
    "after saturday": "2021-06-20", "any day after sat": "2021-06-20", "周六之后": "2021-06-20",
    "星期六以后": "2021-06-20", "禮拜六之後": "2021-06-20", "过咗礼拜六": "2021-06-20",
    "過了週六": "2021-06-20", "6月19号之后": "2021-06-20", "later than saturday": "2021-06-20",
}  # fmt: skip
FROM_SATURDAY = {  # that day and after
    "from saturday": "2021-06-19", "saturday onwards": "2021-06-19", "周六起": "2021-06-19",
    "星期六开始": "2021-06-19", "礼拜六或之后": "2021-06-19", "not before saturday": "2021-06-19",
}  # fmt: skip
BEFORE = {  # strictly before / up to
    "before saturday": "2021-06-18", "周六之前": "2021-06-18", "星期六前": "2021-06-18",
    "禮拜六以前": "2021-06-18", "by saturday": "2021-06-19", "最迟星期六": "2021-06-19",
    "周六或之前": "2021-06-19", "until saturday": "2021-06-19",
}  # fmt: skip
NO_BOUND: dict[str, str | None] = {
    "3日后": "day", "过两日": "day", "the day after tomorrow": "day", "国庆后": "day",
    "周六前后": "day", "after 2pm": "from_hour", "10点以前": "by_hour", "明天后天都得": None,
}  # fmt: skip


def test_a_day_said_as_a_bound_is_read_as_one_not_as_the_day() -> None:
    for cases, key in ((AFTER_SATURDAY, "from_day"), (FROM_SATURDAY, "from_day"),
                       (BEFORE, "by_day")):  # fmt: skip
        for text, first in cases.items():
            said = read(text)
            assert said.get(key) == first and "day" not in said, (text, said)
    for text, named in NO_BOUND.items():
        said = read(text)
        assert "from_day" not in said and "by_day" not in said, (text, said)
        assert named is None or named in said, (text, said)


def test_only_the_days_within_a_bound_are_offered(phone: Phone, store: Store) -> None:
    cases = {"after saturday": ["20", "21", "22", "23"], "周六之后": ["20", "21", "22", "23"],
             "過咗禮拜六": ["20", "21", "22", "23"], "周六起": ["19", "20", "21", "22", "23"],
             "before saturday": ["17", "18"], "星期六前": ["17", "18"],
             "by saturday": ["17", "18", "19"]}  # fmt: skip
    for text, replies in each(phone, AT_DATE, TO_DATE, list(cases)):
        said = shown(replies)
        assert "只约" in said or "only dates" in said, (text, said)
        days = [label.split("月")[-1].split("日")[0] if "月" in label else label.split()[1]
                for label in labels(replies)]  # fmt: skip
        assert days == cases[text], (text, said)
    assert bookings(store) == 0


def test_a_bound_said_at_the_time_step_goes_back_to_the_days_within(phone: Phone) -> None:
    phone.run(*AT_PERIOD)  # Friday's periods
    said = shown(phone.send("周日之后吧"))
    assert "6月21日 周一起" in said and "请选择日期" in said
    replies = phone.send("1")  # the first day offered: Monday 21 June
    assert "6月21日" in simplified(replies[-1].text)


def test_a_bound_beyond_the_days_out_is_said_and_the_soonest_offered(phone: Phone) -> None:
    for text, replies in each(
        phone, AT_DATE, TO_DATE, ["after wednesday", "周三以后", "下周三之后"]
    ):
        said = shown(replies)
        assert "暂无可约日期" in said or "No dates" in said, (text, said)
        assert "7" in said and len(labels(replies)) == 7, text  # released 7 days ahead


def test_the_soonest_within_a_bound(phone: Phone, store: Store) -> None:
    for text, replies in each(
        phone, AT_PERIOD, TO_PERIOD, ["周日之后都得", "any day after saturday is fine"]
    ):
        said = shown(replies)
        assert "最早可约" in said or "earliest" in said, text
        assert confirming(said) and ("6月20日" in said or "20 Jun" in said or "6月21日" in said)
    assert bookings(store) == 0


def test_a_bound_in_the_request_lists_only_the_days_within(phone: Phone) -> None:
    phone.run(*AT_DISTRICT)  # registered
    phone.run("退出", "帮我约周日之后", "没有", "1")
    days = labels(phone.send("1"))
    assert days and all(day.startswith(("6月21日", "6月22日", "6月23日")) for day in days), days


# -- the corpus -------------------------------------------------------------------------------
# tests/explore/time_words.jsonl: residents' times and days at each step (step, text, expect).

CORPUS = Path(__file__).parent / "explore" / "time_words.jsonl"
STEPS = {"district": (), "site": TO_SITE, "date": TO_DATE, "period": TO_PERIOD,
         "confirm": TO_CONFIRM}  # fmt: skip
NOT_READ = ("请回复 1 到", "reply with a number", "没看懂", "could not read", "已停止")


def _day_numbers(replies: list[Reply]) -> list[str]:
    """The days of the month offered (6月20日 周日 剩160 / Sun 20 Jun 160 left)."""
    found = (re.search(r"月(\d+)日|^\w+ (\d+) \w+", simplified(label)) for label in labels(replies))
    return [(m.group(1) or m.group(2)) if m else "?" for m in found]


def _meets(replies: list[Reply], expect: str) -> bool:
    kind, _, what = expect.partition(":")
    said = shown(replies)
    if kind == "periods":
        return [label[:5] for label in labels(replies)] == what.split(",")
    if kind == "confirm":
        return confirming(said) and what in said
    if kind == "days":
        return _day_numbers(replies) == what.split(",")
    return what in said


def test_the_corpus_of_times_and_days_at_each_step(phone: Phone, store: Store) -> None:
    lines = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines() if line]
    assert len(lines) >= 60
    phone.run(*AT_DISTRICT)
    wrong = []
    for line in sorted(lines, key=lambda line: line["step"] == "booked"):
        if line["step"] == "booked":
            if not bookings(store):
                phone.run(*AGAIN, *TO_CONFIRM, "1")  # booked: Friday 08:00-10:00
            phone.run("退出")
        else:
            phone.run(*AGAIN, *STEPS[line["step"]])
        replies = phone.send(line["text"])
        said = shown(replies)
        if not _meets(replies, line["expect"]) or any(word in said for word in NOT_READ):
            wrong.append((line["step"], line["text"], said))
        assert bookings(store) == (line["step"] == "booked"), line  # none without confirming
    assert not wrong, "\n\n".join(map(str, wrong))


@pytest.mark.parametrize(
    ("said", "told"),
    [("下周末", "6月26日-6月27日周末的名额6月19日"), ("next weekend", "weekend of 26 Jun-27 Jun")],
)
def test_next_weekend_at_the_date_question_is_that_weekend(
    phone: Phone, said: str, told: str
) -> None:
    """下周末 listed next week's Monday to Wednesday as if any day would do; it is that weekend,
    not out yet: when its places come, and the nearest days meanwhile."""
    phone.run(*AT_DATE)
    reply = phone.say(said)
    assert told in reply
