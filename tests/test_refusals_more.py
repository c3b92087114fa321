"""What suits a resident, said before a day is chosen (tests/test_refusals.py has the rest).

An hour bound or a time of day typed at the date step (10点以前, 下昼三点后, after 2pm,
我只得朝早九点前得闲, 放工後，6點之後) is kept: the days with a period within it are listed and
the day asked, or, with "any day" said (边日都得), the soonest day with such a period is taken,
said, and confirmed as usual. A bound no period can meet is said plainly, with the hours there
are. The soonest place looks past a site's first day when that day has nothing that suits.
"""

from __future__ import annotations

from bot.messages import Reply
from store import Store
from tests.conftest import Clock, Phone
from tests.free_text_support import AGAIN, each
from tests.test_refusals import AT_DATE, AT_DISTRICT, TO_DATE, bookings, labels, shown

TO_HUANGPU_SITE = ("11",)  # the district list's last: Huangpu, open 08:00-20:00


def confirming(replies: list[Reply]) -> bool:
    said = shown(replies)
    return "请确认" in said or "Please confirm" in said


def test_an_hour_bound_at_the_date_step_is_kept_and_the_day_asked(
    phone: Phone, store: Store
) -> None:
    # 09:00 on Thursday: today's 08:00 period has begun, so Friday is the first day before 10
    before_ten = ["10点以前", "十點之前", "before 10am", "朝早十点前", "10点前嚟得", "by 10 am pls"]
    for text, replies in each(phone, AT_DATE, TO_DATE, before_ten):
        said = shown(replies)
        assert "没看懂" not in said and "10:00" in said, (text, said)
        assert not any("6月17日" in label for label in labels(replies)), text
        picked = phone.send("1")  # Friday: its one period within the bound, to confirm
        assert confirming(picked) and "08:00-10:00" in shown(picked), text
    assert bookings(store) == 0


def test_a_bound_from_an_hour_at_the_date_step_offers_only_the_periods_after_it(
    phone: Phone,
) -> None:
    cases = {"after 2pm": "14:00", "下昼三点后": "16:00", "放工後，6點之後": "18:30",
             "3点之后先得闲": "16:00", "from 4pm": "16:00"}  # fmt: skip
    for text, replies in each(phone, AT_DATE, TO_DATE, list(cases)):
        assert "没看懂" not in shown(replies), text
        periods = phone.send("2")  # Friday
        starts = [label[:5] for label in labels(periods)] or [shown(periods)[-60:]]
        if confirming(periods):  # one period within it: straight to its confirmation
            assert cases[text] in shown(periods), text
        else:
            assert starts[0] == cases[text] and all(s >= cases[text] for s in starts), text


def test_a_bound_with_any_day_takes_the_soonest_period_within_it(
    phone: Phone, store: Store
) -> None:
    cases = [("十点以后边日都得", "6月17日 周四 10:00-12:00"),
             ("after 6pm, any day is fine", "Thu 17 Jun 18:30-20:30"),
             ("10点以前，最快嗰日", "6月18日 周五 08:00-10:00")]  # fmt: skip
    for (text, first), (_, replies) in zip(
        cases, each(phone, AT_DATE, TO_DATE, [text for text, _ in cases]), strict=True
    ):
        said = shown(replies)
        assert ("最早可约" in said or "earliest" in said) and first in said, (text, said)
        assert confirming(replies), text
    phone.run(*AGAIN, *TO_DATE, "朝早十点前")  # kept first, any day said after
    said = shown(phone.send("边日都得"))
    assert "6月18日 周五 08:00-10:00" in said and "请确认" in said
    assert bookings(store) == 0


def test_a_bound_no_period_can_meet_is_said_with_the_hours_there_are(phone: Phone) -> None:
    texts = ["我只得朝早七点前得闲", "before 7am", "晚上十点后"]
    for text, replies in each(phone, AT_DATE, TO_DATE, texts):
        said = shown(replies)
        assert "没有" in said or "no periods" in said, (text, said)
        assert "08:00" in said and "20:30" in said, (text, said)
        assert len(labels(replies)) == 7, text  # the days asked as usual


def test_a_bound_said_before_the_site_holds_at_the_periods(phone: Phone) -> None:
    phone.run(*AT_DISTRICT)
    said = shown(phone.send("after 2pm"))
    assert "14:00" in said and "Tianhe" in said  # kept, in English; the districts asked again
    periods = phone.run("1", "1", "2")  # Tianhe, its sports centre, Friday
    assert [label[:5] for label in labels(periods)] == ["14:00", "16:00", "18:30"]


def test_the_soonest_place_looks_past_a_first_day_with_nothing_that_suits(
    phone: Phone, clock: Clock
) -> None:
    # 17:00: Huangpu Sports Centre has only its 18:30 evening period left today
    phone.run(*AT_DISTRICT)
    clock.set("2021-06-17T17:00:00+08:00")
    for refusal in ("唔要夜晚", "6点前", "not in the evening"):
        phone.run(*AGAIN, *TO_HUANGPU_SITE, refusal)
        said = shown(phone.send("随便"))
        assert "黄埔区体育中心" in said or "Huangpu Sports" in said, (refusal, said)
        assert "6月18日" in said or "18 Jun" in said, (refusal, said)


# -- the weekend ruled out, or Monday to Friday wanted (one thing, said either way) ------------

WEEKEND_REFUSED = [
    "周末唔得", "週末唔得閒", "周末不行", "礼拜六日都唔得", "星期六同星期日都唔得",
    "周六周日都不行",
    "除咗周末，边日都得", "周末要返工", "not on weekends", "except weekends",
    "saturday and sunday don't work", "weekdays only", "平日", "工作日先得闲", "星期一至五",
]  # fmt: skip


def test_the_weekend_ruled_out_is_read_as_weekdays_wanted() -> None:
    from tests.test_refusals import read

    for text in WEEKEND_REFUSED:
        said = read(text)
        assert said.get("weekdays") is True and "weekend" not in said, (text, said)
        assert "day" not in said and "not_day" not in said, (text, said)
    for text in ("平日唔得", "weekdays don't work", "周末", "周末得唔得"):
        assert read(text).get("weekend") is True and "weekdays" not in read(text), text
    # a combination: the part of day and the weekend both kept
    assert read("weekday evenings only") == {"part": "evening", "weekdays": True}
    assert read("星期一至五晚上") == {"part": "evening", "weekdays": True}


def test_the_weekend_ruled_out_is_never_offered(phone: Phone, store: Store) -> None:
    texts = ["周末唔得", "not on weekends", "星期六同星期日都唔得", "weekdays only", "平日晚上"]
    for text, replies in each(phone, AT_DATE, TO_DATE, texts):
        offered = "|".join(labels(replies))
        assert labels(replies) and not any(day in offered for day in ("周六", "周日", "Sat", "Sun"))
        said = shown(replies)
        assert "不约周末" in said or "not at the weekend" in said, (text, said)
    assert bookings(store) == 0


def test_the_weekend_ruled_out_holds_for_the_soonest_and_can_be_taken_back(
    phone: Phone, clock: Clock
) -> None:
    phone.run(*AT_DISTRICT)
    clock.set("2021-06-18T11:00:00+08:00")  # Friday 11:00: Friday's morning periods are over
    phone.run(*AGAIN, "1", "1", "周末唔得", "10点以前")
    said = shown(phone.send("随便"))  # not Friday (over), not the weekend: Monday morning
    assert "6月21日 周一 08:00-10:00" in said and "请确认" in said, said
    phone.run(*AGAIN, "1", "1", "周末唔得")
    assert "6月19日" in shown(phone.send("还是星期六吧"))  # named again: wanted after all
