"""The engine's promises: state survives restarts, every input is answered, nothing is lost."""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversation import guess_language
from bot.engine import MAX_TEXT, Engine
from bot.messages import Inbound
from flows import FLOWS
from flows.dialogue import Next, Step
from flows.policy import Policy
from store import Store
from tests.conftest import Clock, Phone
from tests.fakes import tables

ID_MALE_1990 = "440106199001011235"
ID_FEMALE_1992 = "440106199203151244"
BACKENDS = ("sqlite", "postgresql")
SCREENING_PASSED_MALE = ("否",) * 5
# Register oneself, pass screening, choose Tianhe and its first site: the date list is next.
REGISTER_AND_PICK_SITE = (
    "预约", "1", "1", "张三", "1", ID_MALE_1990, "1", "1", *SCREENING_PASSED_MALE, "1", "1",
)  # fmt: skip


def dump(store: Store, *names: str) -> dict[str, list[dict[str, Any]]]:
    return {table: tables.rows(store, table) for table in names}


DOMAIN = ("accounts", "residents", "bookings", "slots", "doses", "audit", "callbacks")


def conversation(store: Store, address: str = "+8613800138000") -> dict[str, Any] | None:
    return store.load_state("sms", address)


@pytest.mark.parametrize(
    ("text", "lang"),
    [("你好", "zh"), ("预约", "zh"), ("hello", "en"), ("book please", "en"), ("123", "zh"),
     ("😀", "zh"), ("", "zh"), ("Hi 你好", "zh")],
)  # fmt: skip
def test_first_message_decides_the_language(text: str, lang: str) -> None:
    assert guess_language(text) == lang


def test_a_restarted_engine_resumes_the_conversation(
    db_url: str, store: Store, policy: Policy, clock: Clock
) -> None:
    Phone(Engine(store, policy, clock), "+8613800138000").run("预约", "1", "1", "张三", "1")
    store.close()

    reopened = Store.open(db_url)
    replies = Phone(Engine(reopened, policy, clock), "+8613800138000").send(ID_MALE_1990)
    assert replies[0].text.startswith("接种人手机号")
    reopened.close()


def test_a_redelivered_message_gets_the_same_replies_and_runs_once(
    phone: Phone, store: Store
) -> None:
    phone.run("预约")
    first = phone.send("1", message_id="SM1")
    again = phone.send("1", message_id="SM1")
    assert again == first
    assert conversation(store)["step"] == "who"  # type: ignore[index]
    # A new message id with the same text is a new message: it is read as the name.
    assert "姓名" in phone.say("1")


def test_a_failing_step_rolls_back_and_still_answers(
    phone: Phone, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone.run(*REGISTER_AND_PICK_SITE)
    before_state = conversation(store)
    before = dump(store, *DOMAIN)

    def explode(*_: object) -> Next:
        tables.fill_slots(store)  # a write that must not stay
        raise RuntimeError("boom")

    steps = FLOWS["book"].steps
    monkeypatch.setitem(steps, "date", Step(steps["date"].ask, explode))
    replies = phone.send("1")

    assert len(replies) == 1 and "出错" in replies[0].text
    assert dump(store, *DOMAIN) == before
    assert conversation(store) == before_state


@pytest.mark.parametrize(
    "text",
    ["asdf;;;", "😀😀😀", "", "   ", "x" * 10_000, "预" * (MAX_TEXT + 1), "\x00\x07", "1" * 5000],
    ids=["garbage", "emoji", "empty", "blank", "10k", "long-chinese", "control", "long-digits"],
)
def test_bad_input_mid_booking_gets_a_short_answer_and_changes_nothing(
    phone: Phone, store: Store, text: str
) -> None:
    phone.run(*REGISTER_AND_PICK_SITE)
    before_state = conversation(store)
    before = dump(store, *DOMAIN)

    replies = phone.send(text)

    assert replies and all(0 < len(r.text) <= 120 for r in replies)
    assert dump(store, *DOMAIN) == before
    assert conversation(store)["step"] == before_state["step"]  # type: ignore[index]
    assert conversation(store)["data"] == before_state["data"]  # type: ignore[index]
    # ... and the conversation goes on where it was.
    assert "时段" in phone.say("明天")


@pytest.mark.parametrize("text", ["asdf;;;", "😀", "", "x" * 10_000, "1", "２"])
def test_bad_input_from_a_stranger_stores_nothing_of_substance(store: Store, engine: Engine,
                                                                text: str) -> None:  # fmt: skip
    before = dump(store, *DOMAIN)
    replies = engine.handle(Inbound("sms", "+8613900139000", text))
    assert replies and all(0 < len(r.text) <= 120 for r in replies)
    assert dump(store, *DOMAIN) == before


def test_too_long_message_is_answered_in_the_residents_language(phone: Phone) -> None:
    phone.run("hello")
    assert "too long" in phone.say("x" * 10_000)


def test_agent_records_a_callback_with_the_sender(phone: Phone, store: Store) -> None:
    phone.run("预约", "1")
    assert "138****8000" in phone.say("人工")
    callbacks = store.open_callbacks()
    assert [(c["channel"], c["address"]) for c in callbacks] == [("sms", "+8613800138000")]
    assert conversation(store)["step"] == "who"  # type: ignore[index]  # flow goes on


def test_last_place_taken_between_choosing_and_confirming(store: Store, engine: Engine) -> None:
    first, second = Phone(engine, "+8613800138000"), Phone(engine, "+8613900139000")
    first.run(*REGISTER_AND_PICK_SITE, "1")
    second.run(*REGISTER_AND_PICK_SITE[:3], "李四", "1", ID_FEMALE_1992, "1", "1",
               *SCREENING_PASSED_MALE, "否", "1", "1", "1")  # fmt: skip
    # both now see the period list of the same day at the same site
    first.send("1")
    second.send("1")
    first_state = conversation(store)
    slot = first_state["data"]["slot_id"]  # type: ignore[index]
    tables.shrink_slots(store, leave=1, id=slot)

    assert "预约成功" in first.say("1")
    taken = second.say("1")
    assert "刚被约满" in taken and "请选择日期" in taken
    full = store.slot(slot)
    assert full is not None and full.booked == full.capacity
    assert tables.count(store, "bookings") == 1


def test_confirming_after_being_barred_meanwhile_books_nothing(phone: Phone, store: Store) -> None:
    """The no-show job bars the person while they choose a place: confirming is refused."""
    phone.run(*REGISTER_AND_PICK_SITE, "1", "1")
    assert conversation(store)["step"] == "confirm"  # type: ignore[index]
    tables.update(store, "residents", noshows=3, barred=1)
    reply = phone.say("1")
    assert "爽约" in reply and "预约成功" not in reply
    assert tables.count(store, "bookings") == 0


def test_the_confirmation_names_the_person_as_stored_when_confirming(
    phone: Phone, store: Store
) -> None:
    """An operator corrects the name while the resident chooses a place: the confirmation
    (and its booking) carry the corrected name."""
    phone.run(*REGISTER_AND_PICK_SITE, "1", "1")
    tables.update(store, "residents", name="张叁")
    reply = phone.say("1")
    assert "预约成功" in reply and "张叁" in reply and "张三" not in reply


def sell_out(store: Store, site_id: int) -> None:
    tables.shrink_slots(store, site_id=site_id)


def test_a_day_picked_from_a_list_that_went_stale_leads_on_to_other_sites(
    phone: Phone, store: Store
) -> None:
    """The site's last places go while the resident reads its dates: the answer says so and
    lists the sites that still have places — never a question without options."""
    phone.run(*REGISTER_AND_PICK_SITE)
    state = conversation(store)
    assert state is not None and state["step"] == "date"
    sell_out(store, int(state["data"]["site_id"]))
    replies = phone.send("1")
    assert "该接种点近期已约满" in replies[-1].text
    assert replies[-1].options, "a dead end: no options offered"
    after = conversation(store)
    assert after is not None and after["step"] == "site"
    assert all(int(value) != state["data"]["site_id"] for _, _, value, _ in after["options"])


def test_a_site_picked_from_a_list_that_went_stale_is_offered_again_without_it(
    phone: Phone, store: Store
) -> None:
    phone.run(*REGISTER_AND_PICK_SITE[:-1])
    state = conversation(store)
    assert state is not None and state["step"] == "site"
    first_site = int(state["options"][0][2])
    sell_out(store, first_site)
    replies = phone.send("1")
    assert "该接种点近期已约满" in replies[-1].text
    after = conversation(store)
    assert after is not None and after["step"] == "site"
    assert [int(value) for _, _, value, _ in after["options"]] == [
        int(value) for _, _, value, _ in state["options"][1:]
    ]


def test_when_the_whole_district_sells_out_the_districts_are_offered(
    phone: Phone, store: Store
) -> None:
    phone.run(*REGISTER_AND_PICK_SITE)
    state = conversation(store)
    assert state is not None
    tables.shrink_slots(store, id=tables.slots_in(store, state["data"]["district"]))
    replies = phone.send("1")
    assert "该接种点近期已约满" in replies[-1].text and replies[-1].options
    after = conversation(store)
    assert after is not None and after["step"] == "district"


def queued(store: Store) -> list[tuple[str, str | None]]:
    return [(row["district_id"], row["period"]) for row in store.queue_rows()]


@pytest.mark.parametrize(
    ("answer", "period"), [("2", "afternoon"), ("下午", "afternoon"), ("4", None), ("都可以", None)]
)
def test_joining_the_queue_records_the_time_of_day_wanted(
    phone: Phone, store: Store, clock: Clock, answer: str, period: str | None
) -> None:
    """Assignment offers places in the person's period first: the queue asks for it."""
    phone.run(*REGISTER_AND_PICK_SITE[:3], "张三", "1", ID_MALE_1990, "1", "1")
    clock.set("2021-06-17T20:30")  # maintenance: the queue is offered at once
    assert "是否加入预登记排队" in phone.say("预约")
    assert "希望安排在什么时段" in phone.say("1")
    assert phone.say(answer) == "已为张三加入排队，有名额时短信通知。"
    assert queued(store) == [("tianhe", period)]


def test_a_time_of_day_already_said_is_not_asked_again_for_the_queue(
    phone: Phone, store: Store, clock: Clock
) -> None:
    """The resident asked for the evening (晚上) while choosing; by the time they confirm, the
    booking window has closed: the queue takes the evening without asking again."""
    phone.run(*REGISTER_AND_PICK_SITE[:-1])  # at the site list of the home district
    phone.say("晚上")  # evening, please
    for _ in range(4):  # the first site, day and period offered
        if conversation(store)["step"] == "confirm":  # type: ignore[index]
            break
        phone.say("1")
    assert conversation(store)["step"] == "confirm"  # type: ignore[index]
    clock.set("2021-06-17T20:30")  # maintenance meanwhile
    assert "是否加入预登记排队" in phone.say("1")
    assert phone.say("1") == "已为张三加入排队，有名额时短信通知。"
    assert queued(store) == [("tianhe", "evening")]


def test_quoting_someone_elses_message_id_does_not_return_their_replies(
    phone: Phone, engine: Engine
) -> None:
    phone.run("预约", "1")
    mine = phone.send("嗯嗯嗯", message_id="MID-1")
    stranger = Phone(engine, "+8613900139000")
    theirs = stranger.send("你好", message_id="MID-1")
    assert "请回复 1 到 2" in mine[0].text  # no answer to "who is it for?": pick a number
    assert theirs[0].text.startswith("您好")  # the stranger's own first message, as such
    assert stranger.send("你好", message_id="MID-1") == theirs  # a redelivery of *theirs*
