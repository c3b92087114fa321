"""A day or part of day refused, an hour as a bound, and no preference (explore10 kinds 3 and
16), as residents write them in Mandarin, Cantonese, Traditional and English.

Refused (星期六不行, 除咗星期六，边日都得, 唔要朝早, not saturday, anything but the morning): never
taken as the choice; it is removed and the others offered (an alternative said with it is
taken, 上午不行，下午吧). Bounds (10点以前, after 2pm): only the periods over by / starting from
that hour. No preference or the soonest (随便, 最快, whichever, as soon as possible): the
earliest place, said, then the confirmation — never a booking without it. Either of two days:
the earlier with places; 月底 / 下个月: places come out N days ahead, the soonest offered;
不改了 while moving a booking keeps it. The phrasings are varied on purpose: the kind is what
must work, not a list of sentences."""

from __future__ import annotations

from datetime import date

import pytest

from bot.messages import Reply
from bot.nlu.interpreter import Interpreter
from bot.nlu.normalise import simplified
from flows.policy import load_policy
from store import Store
from tests.conftest import Phone
from tests.free_text_support import AGAIN, each

READER = Interpreter(load_policy(), list, sites_ttl=3600)
THU = date(2021, 6, 17)  # the demo's today
FRI, SAT, SUN = date(2021, 6, 18), date(2021, 6, 19), date(2021, 6, 20)

ID = "440106199001011235"  # a man born 1990-01-01
REGISTER = ("1", "1", "王小明", "1", ID, "1", "1")  # consent, myself, …, home district
AT_DISTRICT = ("预约", *REGISTER, "没有")  # dose 1: the district question
AT_SITE = (*AT_DISTRICT, "1")  # Tianhe
AT_DATE = (*AT_SITE, "1")  # its first site
AT_PERIOD = (*AT_DATE, "2")  # tomorrow, Friday 18 June


def read(text: str) -> dict[str, object]:
    return READER.read(text, THU).entities.said()


def bookings(store: Store) -> int:
    person = store.resident_by_document("resident_id", ID)
    return 0 if person is None else len(store.active_bookings(person.id))


def shown(replies: list[Reply]) -> str:
    """The replies' texts and option labels, in Simplified characters."""
    parts = [reply.text for reply in replies]
    parts += [option.label for reply in replies for option in reply.options]
    return simplified("\n".join(parts))


def labels(replies: list[Reply]) -> list[str]:
    return [option.label for option in replies[-1].options]


# -- the interpreter ---------------------------------------------------------------------------

SATURDAY_REFUSED = [
    "星期六不行", "礼拜六唔得", "禮拜六唔得", "周六没空", "週六我冇時間", "星期六我去不了",
    "除咗星期六，边日都得", "除了周六，哪天都可以", "星期六之外都得", "星期六唔方便",
    "星期六要返工", "not saturday", "saturday doesn't work", "anything but saturday",
    "except saturday", "i can't do saturday", "Saturday is no good for me",
]  # fmt: skip
MORNING_REFUSED = [
    "唔要朝早", "上午不行", "早上没空", "上晝唔得", "朝早唔得闲", "除了上午都行", "不要上午",
    "唔好朝早", "anything but the morning", "not in the morning", "mornings don't work",
    "the morning is no good", "上午唔方便",
]  # fmt: skip


@pytest.mark.parametrize("text", SATURDAY_REFUSED)
def test_a_day_refused_is_read_as_ruled_out_not_as_wanted(text: str) -> None:
    reading = READER.read(text, THU)
    said = reading.entities.said()
    assert said.get("not_day") == SAT.isoformat(), said
    # no day wanted; a cancellation names the day it cannot go (its booking's)
    assert "day" not in said or reading.intent == "cancel", said


@pytest.mark.parametrize("text", MORNING_REFUSED)
def test_a_part_of_day_refused_is_read_as_ruled_out_not_as_wanted(text: str) -> None:
    said = read(text)
    assert said.get("not_part") == "morning" and "part" not in said, said


@pytest.mark.parametrize(
    ("text", "wanted"),
    [("上午不行，下午吧", {"part": "afternoon"}), ("唔要朝早，下晝啦", {"part": "afternoon"}),
     ("星期六唔得，星期日啦", {"day": SUN.isoformat()}), ("not saturday, sunday please",
     {"day": SUN.isoformat()}), ("星期六得唔得", {"day": SAT.isoformat()}),
     ("唔好意思，礼拜六可以吗", {"day": SAT.isoformat()}),
     ("no problem, saturday", {"day": SAT.isoformat()})],
)  # fmt: skip
def test_an_alternative_said_with_a_refusal_is_the_one_wanted(
    text: str, wanted: dict[str, str]
) -> None:
    said = read(text)
    assert {key: said.get(key) for key in wanted} == wanted, said


@pytest.mark.parametrize(
    ("text", "bound"),
    [("10点以前", ("by_hour", 10)), ("十点前", ("by_hour", 10)), ("十點之前", ("by_hour", 10)),
     ("before 10am", ("by_hour", 10)), ("by 10 am", ("by_hour", 10)), ("12点之前", ("by_hour", 12)),
     ("10点以后", ("from_hour", 10)), ("after 2pm", ("from_hour", 14)),
     ("下午两点之后", ("from_hour", 14)), ("from 4pm", ("from_hour", 16))],
)  # fmt: skip
def test_an_hour_as_a_bound(text: str, bound: tuple[str, int]) -> None:
    key, hour = bound
    assert read(text).get(key) == hour


EARLIEST = [
    "随便", "隨便", "边个都得", "邊個都得", "都得", "都可以", "最快", "最早的", "越早越好",
    "越快越好", "早啲", "最快嗰日", "尽快吧", "哪个都行", "any", "whichever", "earliest",
    "as soon as possible", "ASAP please", "whichever is soonest", "I don't mind",
]  # fmt: skip


# -- in a conversation -------------------------------------------------------------------------
# Each test registers once, then tries its phrasings one after another, starting the booking
# again (退出, 预约) for each: the store stays without a booking throughout.

TO_SITE, TO_DATE, TO_PERIOD = ("1",), ("1", "1"), ("1", "1", "2")


def test_the_day_refused_is_taken_away_and_the_others_offered(phone: Phone, store: Store) -> None:
    texts = ["明天不行", "听日唔得", "聽日唔得閒", "除咗听日，边日都得", "not tomorrow",
             "friday doesn't work"]  # fmt: skip
    for text, replies in each(phone, AT_PERIOD, TO_PERIOD, texts):  # the periods of Friday
        said = shown(replies)
        assert "请确认" not in said and "Please confirm" not in said, text
        offered = simplified("|".join(labels(replies)))
        assert "6月19日" in offered or "19 Jun" in offered, text
        assert "6月18日" not in offered and "18 Jun" not in offered, text
    assert bookings(store) == 0


def test_the_part_of_day_refused_is_taken_away(phone: Phone) -> None:
    texts = ["唔要朝早", "上午不行", "上晝唔得", "anything but the morning"]
    for text, replies in each(phone, AT_PERIOD, TO_PERIOD, texts):
        assert "请确认" not in shown(replies), text
        starts = [label.split("-")[0] for label in labels(replies)]
        assert starts and all(start >= "12:00" for start in starts), (text, starts)


def test_a_saturday_wished_first_and_refused_later_is_never_offered(phone: Phone) -> None:
    phone.run(*AT_DATE)
    phone.run("星期六上午")  # the Saturday morning periods
    replies = phone.send("星期六不行")
    assert not any("6月19日" in label for label in labels(replies))
    replies = phone.send("2")  # the second day offered: Friday, the morning still wished
    assert "6月18日" in replies[-1].text
    assert all(label < "12:00" for label in labels(replies))
    # asked for again later, it is wanted after all
    assert "6月19日" in phone.say("还是星期六吧")


def test_an_hour_as_a_bound_offers_the_periods_within_it(phone: Phone, store: Store) -> None:
    cases = {"12点之前": ["08:00", "10:00"], "十点后": ["10:00", "14:00", "16:00", "18:30"],
             "after 2pm": ["14:00", "16:00", "18:30"], "10点以前": ["08:00"], "十点前": ["08:00"],
             "before 10am": ["08:00"]}  # fmt: skip
    for text, replies in each(phone, AT_PERIOD, TO_PERIOD, list(cases)):
        said = shown(replies)
        if len(cases[text]) == 1:  # one period within the bound: its confirmation
            assert "08:00-10:00" in said and "10:00-12:00" not in said, text
            assert "请确认" in said or "confirm" in said, text
        else:
            assert [label[:5] for label in labels(replies)] == cases[text], text
    assert bookings(store) == 0


@pytest.mark.backends("sqlite", "postgresql")
def test_no_preference_at_the_district_takes_the_earliest_and_asks_to_confirm(
    phone: Phone, store: Store
) -> None:
    phone.run(*AT_DISTRICT)
    said = phone.say("随便")
    assert "已为您选最早可约" in said and "6月17日" in said and "请确认" in said
    assert bookings(store) == 0  # nothing booked before the confirmation
    assert "预约成功" in phone.say("1") and bookings(store) == 1


def test_no_preference_at_the_site_day_or_time_takes_the_earliest(
    phone: Phone, store: Store
) -> None:
    # today's last morning period (08:00 is over at 09:00); Friday's first at the periods
    cases = [(TO_SITE, "最快", "10:00-12:00"), (TO_SITE, "邊間都得", "10:00-12:00"),
             (TO_DATE, "越早越好", "10:00-12:00"), (TO_DATE, "as soon as possible", "10:00-12:00"),
             (TO_PERIOD, "都得", "08:00-10:00"), (TO_PERIOD, "whichever", "08:00-10:00"),
             (("2",), "边个都得", "10:00-12:00")]  # fmt: skip
    phone.run(*AT_DISTRICT)
    for then, text, first in cases:
        phone.run(*AGAIN, *then)
        said = simplified(phone.say(text))
        assert "最早可约" in said or "earliest" in said, text
        assert ("请确认" in said or "confirm" in said) and first in said, text
    assert bookings(store) == 0


def test_either_of_two_days_takes_the_earlier_with_places(phone: Phone) -> None:
    texts = ["听日或者后日都得", "聽日或者後日都得", "tomorrow or saturday, either is fine"]
    for text, replies in each(phone, AT_DATE, TO_DATE, texts):
        assert "6月18日" in simplified(replies[-1].text) or "18 Jun" in replies[-1].text, text
        assert labels(replies)[0].startswith("08:00"), text  # Friday's periods


def test_every_way_of_saying_no_preference_takes_the_earliest_period(
    phone: Phone, store: Store
) -> None:
    phone.run(*AT_PERIOD)  # Friday's periods
    for text in EARLIEST:
        said = simplified(phone.say(text))
        assert "最早可约" in said or "earliest" in said, text
        assert "08:00-10:00" in said and ("请确认" in said or "confirm" in said), text
        phone.run("2", "2")  # change the date: Friday again, its periods
    assert bookings(store) == 0


def test_no_preference_is_not_read_beside_a_day_or_a_refusal(phone: Phone) -> None:
    phone.run(*AT_PERIOD)
    for text in ("周六随便几点都得", "除咗听日，边日都得"):
        said = simplified(phone.say(text))
        assert "最早可约" not in said and "6月18日 周五 08:00" not in said, text
        phone.run(*AGAIN, *TO_PERIOD)


def test_a_day_beyond_those_released_is_explained(phone: Phone) -> None:
    for text, replies in each(phone, AT_DATE, TO_DATE, ["月底", "下個月", "end of the month"]):
        said = shown(replies)
        assert "只提前7天" in said or "only 7 days ahead" in said, text
        assert len(labels(replies)) == 3, text


@pytest.mark.backends("sqlite", "postgresql")
def test_keeping_the_booking_while_moving_it_ends_the_change(phone: Phone, store: Store) -> None:
    phone.run(*AT_PERIOD, "1", "1")  # booked: Friday 08:00
    person = store.resident_by_document("resident_id", ID)
    assert person is not None
    before = store.active_bookings(person.id)
    assert len(before) == 1
    for text in ("不改了", "算啦唔改啦", "保持原来的时间", "keep it"):
        phone.run("改期")
        said = phone.say(text)
        assert "不变" in said or "stays" in said, text
        assert store.active_bookings(person.id) == before


def test_a_refusal_in_the_request_itself_holds_at_the_day_and_time(phone: Phone) -> None:
    phone.run(*AT_DISTRICT[:-1])  # registered; the health questions next
    days = labels(phone.run("退出", "约第一针，星期六唔得，唔要朝早", "没有", "1", "1"))
    assert days and not any("6月19日" in day for day in days)  # Tianhe, its site: no Saturday
    replies = phone.send("2")  # the days offered: no Saturday; Friday's periods, afternoon on
    assert "6月18日" in replies[-1].text
    assert all(label[:5] >= "12:00" for label in labels(replies))
    assert "6月19日" in phone.say("还是星期六吧")  # named again: wanted after all
