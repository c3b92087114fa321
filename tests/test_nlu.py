"""The interpreter (bot/nlu): intents and entities from free text, the lexicon, masking, and the
`vaxbot nlu` commands."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.nlu import NONE, Interpreter
from bot.nlu.masking import mask
from bot.nlu.normalise import to_traditional
from flows.lexicon import load
from flows.policy import Policy, load_policy
from store import Store
from store.models import Site

TODAY = date(2021, 6, 17)  # a Thursday
CORPUS = Path(__file__).parent / "nlu"
# Fuzzing needs no store: no sites (districts and makers come from the policy).
FUZZ_INTERPRETER = Interpreter(load_policy(), list, sites_ttl=3600)


@pytest.fixture
def interpreter(policy: Policy, store: Store) -> Interpreter:
    return Interpreter(policy, store.sites, sites_ttl=0)


def site_id(store: Store, name: str) -> int:
    return next(site.id for site in store.sites() if site.name_zh == name)


@pytest.mark.parametrize(
    ("intent", "example"),
    [(intent.name, example) for intent in load().intents.values() for example in intent.examples],
)
def test_every_lexicon_example_is_read_as_its_intent(
    interpreter: Interpreter, intent: str, example: str
) -> None:
    reading = interpreter.read(example, TODAY)
    expected = NONE if intent == "none" else intent
    assert reading.intent == expected, (example, reading.ranked[:3])


def test_one_sentence_names_everything_a_dose_2_booking_needs(
    interpreter: Interpreter, store: Store
) -> None:
    tianhe_sports = site_id(store, "天河体育中心接种点")
    for text in (
        "我想明天上午在天河体育中心打第二针",
        "I'd like my 2nd jab at Tianhe Sports Centre tomorrow morning please",
        "我想聽日朝早喺天河體育中心打第二針",  # Cantonese, Traditional
    ):
        reading = interpreter.read(text, TODAY)
        assert reading.intent == "book" and reading.confident, text
        said = reading.entities
        assert (said.dose, said.day, said.part, said.site) == (
            2, date(2021, 6, 18), "morning", tianhe_sports,
        ), text  # fmt: skip


def test_relatives_makers_districts_and_ages(interpreter: Interpreter) -> None:
    said = interpreter.read("帮我阿妈约后日下昼海珠嘅国药第一针", TODAY).entities
    assert said.relation == "mother" and said.day == date(2021, 6, 19)
    assert (said.part, said.district, said.maker, said.dose) == (
        "afternoon", "haizhu", "sinopharm-beijing", 1,
    )  # fmt: skip
    assert interpreter.read("my father needs a booster", TODAY).entities.relation == "father"
    assert interpreter.read("my father needs a booster", TODAY).entities.dose == 0
    assert interpreter.read("七十六岁老人可以打吗", TODAY).entities.age == 76
    assert interpreter.read("我想下周六去白云打", TODAY).entities.day == date(2021, 6, 26)


def test_a_site_is_known_by_the_part_of_its_name_that_is_its_own(
    interpreter: Interpreter, store: Store
) -> None:
    shipai = site_id(store, "石牌街社区卫生服务中心")
    assert interpreter.read("去石牌打针", TODAY).entities.site == shipai
    assert interpreter.read("book me at shipai", TODAY).entities.site == shipai
    # 体育中心 is part of two sites' names: it names neither
    assert interpreter.read("去体育中心打针", TODAY).entities.site is None


def test_a_site_imported_now_is_understood_at_once(interpreter: Interpreter, store: Store) -> None:
    assert interpreter.read("去猎德打针", TODAY).entities.site is None
    new = store.add_site(
        district_id="tianhe", name_zh="猎德街社区卫生服务中心", name_en="Liede Health Centre",
        address_zh="猎德路1号", address_en="1 Liede Rd", hours="08:00-17:00",
    )  # fmt: skip
    assert interpreter.read("去猎德打针", TODAY).entities.site == new


def test_warm_loads_the_place_names_before_the_first_message(store: Store, policy: Policy) -> None:
    looked: list[int] = []

    def sites() -> list[Site]:
        looked.append(1)
        return store.sites()

    interpreter = Interpreter(policy, sites, sites_ttl=3600)
    interpreter.warm(TODAY)
    assert looked == [1]
    shipai = site_id(store, "石牌街社区卫生服务中心")
    assert interpreter.read("明天去石牌打针", TODAY).entities.site == shipai
    assert looked == [1]  # the first message found the names built


@pytest.mark.parametrize(
    ("message", "day", "part"),
    [
        ("明天上午打第二针，不对，后天下午", date(2021, 6, 19), "afternoon"),  # corrected
        ("明天上午，不对，后天", date(2021, 6, 19), "morning"),  # what the correction leaves
        ("不是明天，是后天", date(2021, 6, 19), None),
        ("I want tomorrow morning, I mean Saturday", date(2021, 6, 19), "morning"),
        ("明天上午或者后天下午", None, None),  # alternatives: asked, not guessed
        ("明天上午还是下午都行", date(2021, 6, 18), None),
        ("tomorrow or saturday, in the morning", None, "morning"),
    ],
)
def test_a_correction_is_taken_and_alternatives_are_not_guessed(
    message: str, day: date | None, part: str | None
) -> None:
    said = FUZZ_INTERPRETER.read(message, TODAY).entities
    assert (said.day, said.part) == (day, part)


def test_questions_are_told_from_requests(interpreter: Interpreter) -> None:
    assert interpreter.read("孕妇可以打吗", TODAY).intent == "ask.pregnancy"
    assert interpreter.read("高血压可以打疫苗吗", TODAY).intent == "ask.chronic"
    assert interpreter.read("第二针要隔多久", TODAY).intent == "ask.interval"
    assert interpreter.read("打疫苗要钱吗", TODAY).intent == "ask.cost"
    # a request with a question in it: booking, and the question answered too
    both = interpreter.read("我想约第二针，要带什么证件？", TODAY)
    assert (both.intent, both.also) == ("book", "ask.bring")
    # 取消 in 取消订阅 is no cancellation; 预约 in 我的预约 no booking
    assert interpreter.read("取消订阅", TODAY).intent == "stop"
    assert interpreter.read("我的预约是几号", TODAY).intent == "status"


def test_questions_and_requests_in_other_words(interpreter: Interpreter) -> None:
    def intent(text: str) -> str:
        return interpreter.read(text, TODAY).intent

    # an English question needs no question mark; "could you …" is a request
    assert intent("my mum has diabetes, can she have the vaccine") == "ask.chronic"
    assert intent("could you book me a shot on saturday") == "book"
    # the 吗 of a leading 在吗？ asks nothing
    assert intent("在吗？帮我阿爷约个针，佢行路唔方便") == "book"
    # a request inside a question's own words is no request; a time of day asked about is
    # the topic, not a booking's
    assert intent("what time can I book for Liwan") == "ask.hours"
    assert intent("夜晚有冇地方可以打疫苗啊") == "ask.evening"
    # the place named first: declining an offer; 号 of one's own booking with 取消: cancelling
    assert intent("那个名额我不要") == "decline"
    assert intent("那个号我不要了，帮我取消") == "cancel"
    # a phone call is no shot
    assert intent("我想打电话问下人工") == "agent"


def test_patterns_are_read_as_written(interpreter: Interpreter) -> None:
    """Regular expressions are not case-folded like words: \\S stays "not a space"."""
    assert r"\S{0,5}" in load().scoring.request.pattern
    # 帮…约 with words between: a request, whatever else the message mentions
    assert interpreter.read("帮我阿婆约，佢九十几岁", TODAY).intent == "book"
    assert interpreter.read("move her appointment please", TODAY).intent == "reschedule"


def test_greetings_ages_and_words_in_other_forms(interpreter: Interpreter) -> None:
    assert interpreter.read("早晨", TODAY).entities.part is None  # Cantonese "good morning"
    said = interpreter.read("早晨！听日下昼想去打针", TODAY).entities
    assert (said.day, said.part) == (date(2021, 6, 18), "afternoon")
    assert interpreter.read("my mother is 81, can she get it", TODAY).entities.age == 81
    assert interpreter.read("my mother is 5 months pregnant", TODAY).entities.age is None
    assert interpreter.read("帮我约打第二阵", TODAY).entities.dose == 2  # 针 typed as 阵
    assert interpreter.read("我第一次打，想约周六", TODAY).entities.dose == 1
    assert interpreter.read("whats the time of my dads appt", TODAY).intent == "status"
    assert interpreter.read("whats the time of my dads appt", TODAY).entities.relation == "father"


@pytest.mark.parametrize(
    "message",
    [
        "My grandpa is 84, can he get vaccinated?",
        "my aunt is 73 is she allowed to have it",
        "how old do you need to be for the shot",
        "我阿嫲今年九十 仲打唔打得",
        "我儿子十六岁，能打吗",
    ],
)
def test_an_age_in_a_question_asks_about_age(message: str) -> None:
    assert FUZZ_INTERPRETER.read(message, TODAY).intent == "ask.age", message


@pytest.mark.parametrize(
    ("message", "intent"),
    [("我幾時打針", "status"), ("我约咗啲咩", "status"), ("可唔可以遲啲", "reschedule"),
     ("提早啲得唔得", "reschedule"), ("我几时可以打针", "book")],
)  # fmt: skip
def test_ones_own_shot_asked_about(message: str, intent: str) -> None:
    assert FUZZ_INTERPRETER.read(message, TODAY).intent == intent


def test_a_weekend_asked_about_is_a_booking_for_the_weekend() -> None:
    for message in ("周末有得打吗", "can I get it at the weekend?"):
        reading = FUZZ_INTERPRETER.read(message, TODAY)
        assert (reading.intent, reading.entities.weekend) == ("book", True), message
    assert FUZZ_INTERPRETER.read("周末有夜场吗", TODAY).intent == "ask.evening"  # a topic named


def test_past_the_longest_interval_asks_about_the_interval() -> None:
    for message in ("超过56天还能打第二针吗", "过了56天点算"):
        assert FUZZ_INTERPRETER.read(message, TODAY).intent == "ask.interval", message


def test_a_maker_for_dose_2_asked_about_and_any_day_said() -> None:
    assert FUZZ_INTERPRETER.read("第二针可以打国药吗", TODAY).intent == "ask.maker"
    # "any day" and 都可以 say whenever suits: they ask nothing
    assert FUZZ_INTERPRETER.read("2nd dose sinovac, afternoon, any day", TODAY).intent == "book"
    assert not FUZZ_INTERPRETER.read("约第二针，上午下午都可以", TODAY).question


@pytest.mark.parametrize(
    ("message", "day", "part"),
    [
        ("明天不行，后天上午打第二针", date(2021, 6, 19), "morning"),
        ("不要上午，下午吧", None, "afternoon"),
        ("唔得闲听日，后日啦", date(2021, 6, 19), None),
        ("not morning, afternoon please", None, "afternoon"),
        ("can't do friday, saturday?", date(2021, 6, 19), None),
        ("听日得唔得", date(2021, 6, 18), None),  # 得唔得 asks; it rules nothing out
        ("明天去不了，帮我取消", date(2021, 6, 18), None),  # the day of the booking to cancel
    ],
)
def test_a_day_or_time_ruled_out_is_not_the_one_wanted(
    message: str, day: date | None, part: str | None
) -> None:
    said = FUZZ_INTERPRETER.read(message, TODAY).entities
    assert (said.day, said.part) == (day, part)


def test_an_age_with_a_booking_word_or_a_day_is_a_booking() -> None:
    for message in (
        "我今年62岁还可以打吧 想预约第一针",
        "please book my dad for tomorrow, he is 80",
    ):
        assert FUZZ_INTERPRETER.read(message, TODAY).intent == "book", message


def test_the_person_meant_and_the_day_wanted_among_others_named() -> None:
    def said(message: str) -> tuple[str | None, date | None]:
        entities = FUZZ_INTERPRETER.read(message, TODAY).entities
        return entities.relation, entities.day

    # the first person named is the one booked for; the family member coming along is not
    assert said("帮我阿爷约听日 佢八十几岁 要屋企人陪吗") == ("grandfather", date(2021, 6, 18))
    # a relation inside a question's words is nobody (a child not born yet)
    assert said("打完疫苗几耐先可以要小孩") == (None, None)
    # dose 1's past day beside the day wanted
    assert said("4月30号打咗第一针，帮我约礼拜六打第二针")[1] == date(2021, 6, 19)
    assert said("first dose was on May 2, book my second for Monday")[1] == date(2021, 6, 21)
    assert FUZZ_INTERPRETER.read("改到下周", TODAY).entities.week == date(2021, 6, 21)
    assert FUZZ_INTERPRETER.read("下周三", TODAY).entities.week is None  # a day: no week


@pytest.mark.parametrize(
    "text", ["改到下下周", "下下个礼拜", "下下星期得唔得", "move it to the week after next"]
)
def test_the_week_after_next_is_two_weeks_ahead(text: str) -> None:
    assert FUZZ_INTERPRETER.read(text, TODAY).entities.week == date(2021, 6, 28)  # not 下周's


def test_nothing_likely_is_none(interpreter: Interpreter) -> None:
    for text in ("asdfgh", "😀😀😀", "。。。", "핵산", "x" * 10_000, "፩𐩀", "9999-12-31"):
        reading = interpreter.read(text, TODAY)
        assert reading.intent == NONE and not reading.confident, text


def test_traditional_and_english_are_told(interpreter: Interpreter) -> None:
    assert interpreter.read("我想預約打針", TODAY).script == "hant"
    assert interpreter.read("我想预约打针", TODAY).script == "hans"
    assert interpreter.read("你好", TODAY).script is None  # the same in both scripts
    assert interpreter.read("can i book please", TODAY).english
    assert to_traditional("请回复数字选择：预约接种") == "請回覆數字選擇：預約接種"


def test_masking_keeps_no_numbers_names_or_addresses() -> None:
    surnames = load().surnames
    kept = mask("我叫张三，身份证440106199001011235，电话13800138000，邮箱a@b.cn", surnames)
    for secret in ("张三", "440106199001011235", "13800138000", "a@b.cn", "1380"):
        assert secret not in kept
    assert mask("王小明", surnames) == "<姓名>"
    assert mask("护照E12345678", surnames) == "护照<证件>"
    assert mask("天气怎么样", surnames) == "天气怎么样"
    assert len(mask("啊" * 10_000, surnames)) <= 80
    # codes are secrets; names beside a particle or a title, and Latin names, are names
    for said in ("R26UHNN3", "my code is rz8n2kq4", "预约码BQ7KX9PC"):
        kept = mask(said, surnames)
        assert "<代码>" in kept and not any(code in kept.upper() for code in ("R26", "RZ8", "BQ7"))
    assert mask("陈大文呢", surnames) == "<姓名>呢"
    assert mask("John Smith here", surnames) == "<姓名> here"
    assert mask("covid vaccine side effects", surnames) == "covid vaccine side effects"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "channels.cli", *args],
        capture_output=True, text=True, timeout=120, check=False, cwd=cwd,
    )  # fmt: skip


@pytest.mark.parametrize("held_out", ["heldout.jsonl", "heldout2.jsonl", "heldout3.jsonl"])
def test_nlu_test_scores_the_held_out_corpus(held_out: str) -> None:
    """The held-out parts (three authors) are never used to tune the lexicon; at least 90% of
    the first messages in each must be read as the labelled intent."""
    done = run("nlu", "test", str(CORPUS / held_out), "--min-accuracy", "0.9")
    print(done.stdout)  # the scores, in CI's log
    assert done.returncode == 0, done.stdout + done.stderr
    assert "intent accuracy" in done.stdout and "entity precision" in done.stdout


def test_nlu_test_names_a_bad_line_and_reports_confusions(tmp_path: Path) -> None:
    labelled = tmp_path / "few.jsonl"
    labelled.write_text(
        '{"text": "孕妇可以打吗", "intent": "ask.pregnancy", "entities": {}}\n'
        '{"text": "我想明天打针", "intent": "cancel", "entities": {"day": "2021-06-18"}}\n',
        "utf-8",
    )
    done = run("nlu", "test", str(labelled))
    assert done.returncode == 0
    assert "intent accuracy 0.500 (1/2)" in done.stdout
    assert "cancel -> book: 1" in done.stdout
    assert "entity precision 1.000  recall 1.000" in done.stdout
    labelled.write_text('{"text": "no intent"}\n', "utf-8")
    done = run("nlu", "test", str(labelled))
    assert done.returncode == 2 and "few.jsonl:1" in done.stdout


def test_nlu_misses_lists_the_most_frequent_masked(
    engine: object, store: Store, db_path: Path
) -> None:
    from bot.engine import Engine
    from bot.messages import Inbound

    assert isinstance(engine, Engine)
    for text in ("asdf qwer", "asdf qwer", "我叫李雷 13800138000 嗯嗯"):
        engine.handle(Inbound("sms", "+8613800138000", text))
    done = run("nlu", "misses", "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[0] == "2" and lines[0].endswith("asdf qwer")
    assert "李雷" not in done.stdout and "13800138000" not in done.stdout
    assert "我叫<姓名>" in done.stdout


@settings(max_examples=300, derandomize=True, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_is_read_without_error(text: str) -> None:
    reading = FUZZ_INTERPRETER.read(text, TODAY)
    assert reading.intent == NONE or reading.intent in load().intents
    assert len(reading.text) <= 200 * 3  # bounded by the 200 characters read


@settings(max_examples=100, derandomize=True, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from("预约第二针明天上午天河石牌吗？取消改到后天下午 book 2nd tmr"),
        max_size=60,
    )
)
def test_sentences_of_real_words_are_read_without_error(text: str) -> None:
    reading = FUZZ_INTERPRETER.read(text, TODAY)
    assert reading.intent == NONE or reading.intent in load().intents
