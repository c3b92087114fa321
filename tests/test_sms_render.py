"""Replies as SMS: the numbered-option format, segment counting, and the segment budget.

The budget: every message the shipped flows can send must fit in ``BUDGET`` SMS segments, in
Chinese (UCS-2: 70 characters in one segment, 67 per segment when split) and in English
(GSM-7: 160/153). It is checked three ways: every reply of every golden transcript, every
template of ``flows.texts`` filled with long but realistic values, and the longest messages the
flows build out of several templates (a confirmation with every notice, a district list with
the queue option, the status of a phone managing the most people allowed).
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import ClassVar

import pytest

import tests.test_transcripts as transcripts
from bot.demo import SITES
from bot.engine import Engine
from bot.messages import Inbound, Reply, ReplyOption
from channels.sms.render import render, render_all, segments
from flows.policy import Policy
from flows.texts import TEXTS, Lang, format_day, format_week, text
from store import Dose, Store
from tests.conftest import Clock

BUDGET = 3  # segments: the default budget of the issue

# -- render -----------------------------------------------------------------------------------


def test_chinese_options_are_short_numbered_lines_with_the_reply_word() -> None:
    reply = Reply("为谁登记？", (ReplyOption("1", "本人"), ReplyOption("2", "家人或他人（代办）")))
    assert render(reply) == "为谁登记？\n回复1 本人\n回复2 家人或他人（代办）"


def test_english_options_are_plain_numbers() -> None:
    reply = Reply("Who are you registering?", (ReplyOption("1", "Myself"),
                                                ReplyOption("10", "Conghua")))  # fmt: skip
    assert render(reply) == "Who are you registering?\n1 Myself\n10 Conghua"


def test_a_reply_without_options_is_its_text() -> None:
    assert render(Reply("已恢复通知。")) == "已恢复通知。"
    assert render(Reply("Line one\nline two")) == "Line one\nline two"
    assert render_all([Reply("a"), Reply("b")]) == ["a", "b"]


# -- segments ---------------------------------------------------------------------------------

SEGMENTS = {
    "empty": ("", 1),
    "gsm-160": ("a" * 160, 1),
    "gsm-161": ("a" * 161, 2),
    "gsm-306": ("a" * 306, 2),
    "gsm-307": ("a" * 307, 3),
    "gsm-459": ("a" * 459, 3),
    "gsm-460": ("a" * 460, 4),
    "gsm-accents-stay-gsm": ("é£¥ü" * 40, 1),  # in the GSM 03.38 basic set
    "gsm-newlines": ("a\n" * 80, 1),
    "extension-80-euro": ("€" * 80, 1),  # two septets each: 160
    "extension-81-euro": ("€" * 81, 2),
    "extension-mixed": ("a" * 158 + "[", 1),
    "extension-mixed-over": ("a" * 159 + "]", 2),
    "extension-all": ("€[]{}|^~\\" * 17 + "a" * 7, 3),  # 9 * 17 * 2 + 7 = 313 septets
    "ucs2-70": ("中" * 70, 1),
    "ucs2-71": ("中" * 71, 2),
    "ucs2-134": ("中" * 134, 2),
    "ucs2-135": ("中" * 135, 3),
    "ucs2-201": ("中" * 201, 3),
    "ucs2-202": ("中" * 202, 4),
    "one-chinese-char-in-latin": ("a" * 150 + "中", 3),  # 151 UCS-2 units
    "one-chinese-char-short": ("a" * 69 + "中", 1),
    "full-width-punctuation": ("a" * 70 + "，", 2),
    "emoji-35": ("😀" * 35, 1),  # two UTF-16 units each: 70
    "emoji-36": ("😀" * 36, 2),
    "emoji-in-latin": ("a" * 68 + "😀", 1),
    "emoji-in-latin-over": ("a" * 69 + "😀", 2),
}


@pytest.mark.parametrize(("message", "expected"), SEGMENTS.values(), ids=SEGMENTS.keys())
def test_segments(message: str, expected: int) -> None:
    assert segments(message) == expected


# -- the budget: golden transcripts ------------------------------------------------------------


class Recording(Engine):
    """The engine, keeping every reply it gives."""

    replies: ClassVar[list[Reply]] = []

    def handle(self, message: Inbound) -> list[Reply]:
        replies = super().handle(message)
        Recording.replies.extend(replies)
        return replies


def transcript_replies(
    path: Path, tmp_path: Path, policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> list[Reply]:
    """Every reply of a golden conversation, replayed by ``tests.test_transcripts.replay``."""
    Recording.replies = []
    monkeypatch.setattr(transcripts, "Engine", Recording)
    transcripts.replay(path, tmp_path, policy)
    return Recording.replies


@pytest.mark.parametrize("path", transcripts.FILES, ids=[f.stem for f in transcripts.FILES])
def test_every_transcript_reply_fits_the_budget(
    path: Path, tmp_path: Path, policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    replies = transcript_replies(path, tmp_path, policy, monkeypatch)
    assert replies
    over = [(segments(sms), sms) for sms in map(render, replies) if segments(sms) > BUDGET]
    assert over == []


# -- the budget: every template ----------------------------------------------------------------


def _longest(values: Iterable[str]) -> str:
    return max(values, key=len)


def day(lang: Lang) -> str:
    return "2021年12月31日 周五" if lang == "zh" else "Fri 31 Dec 2021"


def values(lang: Lang, policy: Policy) -> dict[str, object]:
    """Long but realistic values for every placeholder of the templates."""
    zh = lang == "zh"
    products = policy.products.values()
    districts = policy.districts.values()
    campaign = policy.campaigns[0] if policy.campaigns else None
    return {
        "name": "欧阳建国" if zh else "Maximilian Alexander Rodriguez",  # 4 / 30 characters
        "companion": "司马相如" if zh else "Bartholomew Christopher Wright",
        "site": _longest(s.name_zh if zh else s.name_en for s in SITES),
        "address": _longest(s.address_zh if zh else s.address_en for s in SITES),
        "district": _longest(d.zh if zh else d.en for d in districts),
        "said": _longest(d.zh if zh else d.en for d in districts),
        "product": _longest(p.zh if zh else p.en for p in products),
        "day": day(lang),
        "week": format_week(lang, date(2021, 12, 27), date(2021, 6, 17)),  # the longest form
        "from_day": day(lang),
        "start": day(lang),
        "end": day(lang),
        "after": day(lang),
        "until": f"{day(lang)} 20:30",
        "period": "18:30-20:30",
        "code": "B2345678",
        "phone": "138****8000",
        "dose": 3,
        "wanted": 3,
        "release": day(lang),
        "time": "08:00",
        "minutes": 240,  # the policy's longest observation
        "n": 12345,
        "item": "这一项" if zh else "This",  # screen.means.*: an item, at the list or alone
        "limit": 500,
        "nth": 101,  # the no-show that bars, one past the policy's largest limit
        "hotline": "+86 20 8888 1234 5678",  # contact.hotline's longest shape
        "country": "圣赫勒拿-阿森松-特里斯坦-达库尼亚"  # the longest ISO 3166 names
        if zh
        else "Saint Helena, Ascension and Tristan da Cunha",
        "min": 76,
        "max": 150,
        "days": 35,
        "window": "20:00-08:00",
        "current": "最近使用的方式" if zh else "Where I last wrote",  # 通知方式's longest choice
        # book.kept: a day, a part of day and the longest site, as a change of mind names them
        "what": " ".join(
            [
                day(lang),
                "下午" if zh else "Afternoon",
                _longest(s.name_zh if zh else s.name_en for s in SITES),
            ]
        ),
        # a site closed for a public holiday: the longest holiday's name, the span's short days
        "holiday": _longest(text(lang, key) for key in TEXTS if key.startswith("holiday.")),
        "first": "12月31日" if zh else "31 Dec",
        "last": "12月31日" if zh else "31 Dec",
        "second": "12月31日 周五" if zh else "Fri 31 Dec",  # soonest.either_full
        "part": "下午" if zh else "afternoon",  # refuse.part: a part of day ruled out
        # details said in a request, said back (said.*); what was in progress (resume.*)
        "details": "欧阳建国，身份证4401**********1234，手机138****8000，从化区"
        if zh
        else "Maximilian Alexander Rodriguez, ID 4401**********1234, mobile 138****8000, Conghua",
        "number": "4401**********1234",
        "names": "欧阳建国，司马相如"
        if zh
        else "Maximilian Alexander Rodriguez, Bartholomew Christopher Wright",
        "phones": "138****8000，139****9000" if zh else "138****8000, 139****9000",
        "hours": 11,
        "region": "中国澳门" if zh else "Taiwan, Province of China",  # a permit's region
        "sat": "12月30日" if zh else "30 Dec",  # a weekend's days (book.weekend_of)
        "sun": "12月31日" if zh else "31 Dec",
        "age": 129,  # an age said (flows.register_age), the oldest read
        "aged": text(lang, "reg.age.born", year=2021),  # an age said, in our words
        "year": 2021,
        "rule": _longest(text(lang, k) for k in TEXTS if k.startswith("verdict.deferred.")),
        "other": "您外孙女" if zh else "your granddaughter",
        "place": ("，" if zh else ", ").join(
            [_longest(s.name_zh if zh else s.name_en for s in SITES), day(lang)]
        ),
        "left": "手机号和居住区" if zh else "the mobile and district",
        # whose.not_here: the longest relation; two.next.*: the other of two (您外孙女);
        # cancel_all.*: every booking of a full phone
        "who": _longest(
            [
                "您外孙女" if zh else "your granddaughter",
                *(
                    text(lang, key)
                    for key in TEXTS
                    if key.startswith("whose.") and "{" not in TEXTS[key][0]
                ),
            ]
        ),
        "lines": "\n".join(
            [
                text(
                    lang,
                    "change.label",
                    name="欧阳建国" if zh else "Maximilian Alexander Rodriguez",
                    dose=3,
                    day=day(lang),
                    period="18:30-20:30",
                )
            ]
            * policy.registration.max_people_per_phone
        ),
        "codes": ("、" if zh else ", ").join(
            ["B2345678"] * policy.registration.max_people_per_phone
        ),
        "campaign": campaign,
    }


def fill(key: str, lang: Lang, policy: Policy) -> str:
    given = values(lang, policy)
    campaign = given.pop("campaign")
    if key == "book.campaign" and campaign is not None:
        given["name"] = getattr(campaign, "name_zh" if lang == "zh" else "name_en")
    names = {field for _, field, _, _ in string.Formatter().parse(TEXTS[key][lang == "en"])}
    names.discard(None)
    missing = names - given.keys()
    assert not missing, f"{key}: no realistic value for {missing}"
    return text(lang, key, **{name: given[name] for name in names if name})


KEYS = [(key, lang) for key in TEXTS for lang in ("zh", "en")]


@pytest.mark.parametrize(("key", "lang"), KEYS, ids=[f"{k}-{lang}" for k, lang in KEYS])
def test_every_template_fits_the_budget(key: str, lang: Lang, policy: Policy) -> None:
    sms = fill(key, lang, policy)
    assert segments(sms) <= BUDGET, (segments(sms), sms)


# -- the budget: the longest messages built from several templates ------------------------------


def options(*labels: str) -> tuple[ReplyOption, ...]:
    return tuple(ReplyOption(str(i), label) for i, label in enumerate(labels, 1))


def composed(lang: Lang, policy: Policy) -> dict[str, Reply]:
    def t(key: str) -> str:
        return fill(key, lang, policy)

    # The longest confirmation (exploratory test 8, C1): someone 76+ with a companion, overdue,
    # dose 1 declared in the chat, who asked for another maker (the longest named).
    wanted = _longest(p.zh if lang == "zh" else p.en for p in policy.products.values())
    other_maker = text(lang, "book.same_maker", wanted=wanted)
    age = [t("age.assessment"), t("age.companion"), t("age.green_channel")]
    notices = [t("book.overdue"), other_maker, t("declare.check"), *age]
    districts = [d.zh if lang == "zh" else d.en for d in policy.districts.values()]
    districts[0] += text(lang, "book.home")
    # Dose 2 booked in late December: its first day is in January, so every day shows the year;
    # 160 is a demo site's places for a day.
    today, first = date(2021, 12, 28), date(2022, 1, 4)
    left = text(lang, "book.left", n=160)
    listed = range(policy.booking.days_listed)
    days = [f"{format_day(lang, first + timedelta(days=n), today)} {left}" for n in listed]
    return {
        "confirm-with-every-notice": Reply(
            "\n".join([t("book.confirm"), *notices]),
            options(text(lang, "book.confirm.yes"), text(lang, "book.confirm.change")),
        ),
        "booked-with-every-notice": Reply("\n".join([t("book.success"), *notices])),
        "rescheduled-with-every-notice": Reply("\n".join([t("reschedule.success"), *notices])),
        "queue-place-accepted-with-every-notice": Reply(
            "\n".join([t("offer.accepted"), t("book.overdue"), t("declare.check"), *age])
        ),
        "district-closed-with-the-queue": Reply(
            f"{t('book.closed')}\n{t('book.district')}",
            options(*districts, text(lang, "queue.offer")),
        ),
        "eligible-then-districts": Reply(
            f"{t('verdict.assess')}\n{t('book.district')}", options(*districts)
        ),
        "dates": Reply(t("book.date"), options(*days)),
        "taken-then-dates": Reply(f"{t('book.taken')}\n{t('book.date')}", options(*days)),
        "holiday-closed-then-days": Reply(t("book.holiday_closed"), options(*days[:3])),
        "week-with-a-holiday": Reply(  # a one-day holiday leaves six days of the week
            t("book.holiday_in_week") + t("book.week_days"), options(*days[:6])
        ),
    }


COMPOSED_NAMES = (
    "confirm-with-every-notice",
    "booked-with-every-notice",
    "rescheduled-with-every-notice",
    "queue-place-accepted-with-every-notice",
    "district-closed-with-the-queue",
    "eligible-then-districts",
    "dates",
    "taken-then-dates",
    "holiday-closed-then-days",
    "week-with-a-holiday",
)
COMPOSED = [(name, lang) for name in COMPOSED_NAMES for lang in ("zh", "en")]


@pytest.mark.parametrize(("name", "lang"), COMPOSED, ids=[f"{n}-{lang}" for n, lang in COMPOSED])
def test_the_longest_composed_messages_fit_the_budget(
    name: str, lang: Lang, policy: Policy
) -> None:
    messages = composed(lang, policy)
    assert set(messages) == set(COMPOSED_NAMES)
    sms = render(messages[name])
    assert segments(sms) <= BUDGET, (segments(sms), sms)


FAMILY = {
    "zh": ("欧阳建国", "司马相如", "诸葛孔明", "上官婉儿", "东方明珠"),
    "en": ("Maximilian Alexander Rodriguez", "Charlotte Elizabeth Montgomery",
           "Bartholomew Christopher Wright", "Alexandra Catherine Fitzgerald",
           "Sebastian Theodore Richardson"),
}  # fmt: skip
STATUS_CASES = [(people, lang) for people in (1, 2, 3, 5) for lang in ("zh", "en")]


@pytest.mark.parametrize(
    ("people", "lang"), STATUS_CASES, ids=[f"{n}-people-{lang}" for n, lang in STATUS_CASES]
)
def test_the_status_of_a_phone_managing_several_people_fits_the_budget(
    store: Store, policy: Policy, clock: Clock, people: int, lang: Lang
) -> None:
    """查询/status on a phone managing ``people`` people (5 is ``max_people_per_phone``), each
    with dose 1 on record and dose 2 booked: one message per person, each within the budget."""
    assert people <= policy.registration.max_people_per_phone
    phone = "+8613800138000"
    now = clock()
    account = store.account_for("sms", phone, phone, now)
    tomorrow = now.date() + timedelta(days=1)
    slot = max(
        (s for s in store.slots(day=tomorrow) if s.product_id == "coronavac"),
        key=lambda s: s.capacity,
    )
    for n, name in enumerate(FAMILY[lang][:people]):
        resident = store.add_resident(
            account_id=account, name=name, id_type="resident_id",
            id_number=f"44010619600101{n:03d}X", birth_date=date(1960, 1, 1), sex="M",
            phone=phone, district_id="tianhe", now=now, actor="test", channel="test",
        )  # fmt: skip
        first = Dose(resident.id, 1, date(2021, 5, 20), "coronavac", slot.site_id, "import")
        store.add_dose(first, now, "test", "import")
        store.book(resident_id=resident.id, slot_id=slot.id, dose=2, now=now, channel="sms",
                   actor="test")  # fmt: skip
    engine = Engine(store, policy, clock)
    words = ["查询"] if lang == "zh" else ["EN", "status"]
    replies = [engine.handle(Inbound("sms", phone, word)) for word in words][-1]
    assert len(replies) == people  # one message per person
    for reply in replies:
        assert reply.text.count("预约码" if lang == "zh" else "code B") == 1
        sms = render(reply)
        assert segments(sms) <= BUDGET, (segments(sms), sms)


# -- Traditional: the reply word in the conversation's script (explore8 C2, C4) ----------------


def test_traditional_options_say_the_reply_word_in_traditional() -> None:
    reply = Reply("為誰登記？", (ReplyOption("1", "本人"), ReplyOption("2", "家人或他人（代辦）")))
    assert render(reply) == "為誰登記？\n回覆1 本人\n回覆2 家人或他人（代辦）"


def test_a_traditional_conversation_renders_every_option_in_traditional(engine: Engine) -> None:
    def sms(message: str) -> str:
        return "\n".join(render_all(engine.handle(Inbound("sms", "+8613900000777", message))))

    consent = sms("我想預約打針")
    assert "回覆1 同意" in consent and "回覆3 只同意須知" in consent
    for message in ("1", "1", "陳大文", "1", "440106199001011235", "1", "1"):
        screening = sms(message)
    assert "回复" not in consent + screening and "回復" not in consent + screening
    assert "請回覆 沒有" in screening  # was 回復 here, 回覆 beside it


@pytest.mark.parametrize(
    "request_text",
    [
        "我想明天上午在天河体育中心打疫苗",
        "我想聽日上晝喺天河體育中心打針",
        "I'd like a jab at Tianhe Sports Centre tomorrow",
    ],
)
def test_the_first_answer_at_a_closed_hour_fits_the_budget_all_together(
    engine: Engine, clock: Clock, request_text: str
) -> None:
    """A new resident writing in the afternoon, when Tianhe takes no bookings, is told so and
    when it opens, then the notice to agree to: all of it in the budget, not a message each."""
    clock.set("2021-06-17T15:00:00+08:00")
    sent = render_all(engine.handle(Inbound("sms", "+8613900000778", request_text)))
    assert len(sent) == 2 and ("08:00" in sent[0]), sent  # when it opens, before the notice
    assert sum(segments(sms) for sms in sent) <= BUDGET, sent
