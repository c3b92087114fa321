"""The Twilio-compatible SMS webhook over real HTTP: answers in TwiML, signatures, redelivered
message SIDs, and Twilio's reserved words (STOP, START, HELP).

The requests are signed with the official ``twilio`` package over the configured public URL (see
``tests/sms_support.py``). Every refused request is checked to have left the database exactly as
it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from channels.sms.render import segments
from channels.sms.twilio import keyword
from flows.policy import Policy
from flows.texts import TEXTS, text
from store import Store
from tests.conftest import Clock
from tests.sms_support import (
    OTHER_PHONE,
    PHONE,
    WELCOME_ZH,
    Http,
    serve,
    snapshot,
    state,
    twilio_signature,
)


def register(store: Store, clock: Clock, phone: str = PHONE, name: str = "Li Lei") -> int:
    """A resident already pre-registered on ``phone`` (female, 29, living in Tianhe)."""
    account = store.account_for("sms", phone, phone, clock())
    resident = store.add_resident(
        account_id=account,
        name=name,
        id_type="resident_id",
        id_number="440106199203151244",
        birth_date=date(1992, 3, 15),
        sex="F",
        phone=phone,
        district_id="tianhe",
        now=clock(),
        actor="test",
        channel="test",
    )
    return resident.id


# -- Twilio: table-driven ---------------------------------------------------------------------


@dataclass(frozen=True)
class TwilioCase:
    body: str | None
    status: int
    said: tuple[str, ...] = ()  # fragments the TwiML messages must contain
    stored: bool = True  # whether the turn ran (an inbound row, a conversation)
    drop: tuple[str, ...] = ()
    sign: Callable[[dict[str, str]], str | None] | None = None


def _tampered(form: dict[str, str]) -> str:
    return twilio_signature({**form, "Body": "你好"})  # signed for another body


LOOPBACK = "http://127.0.0.1:8080"
TOO_LONG_ZH = text("zh", "too_long", limit=500)
TOO_LONG_EN = text("en", "too_long", limit=500)

TWILIO_CASES: dict[str, TwilioCase] = {
    "valid": TwilioCase("你好", 200, (WELCOME_ZH, "回复1 预约接种", "回复6 人工服务")),
    "valid-english": TwilioCase("hello", 200, (text("en", "welcome"), "\n1 Book a vaccination")),
    "chinese-body": TwilioCase("预约", 200, (text("zh", "reg.consent"), "回复1 同意")),
    "emoji-body": TwilioCase("👍😀", 200, (WELCOME_ZH,)),
    "emoji-between-words": TwilioCase("你好🙂", 200, (WELCOME_ZH,)),
    "1600-chinese-characters": TwilioCase("预" * 1600, 200, (TOO_LONG_ZH,)),
    "1600-latin-characters": TwilioCase("a" * 1600, 200, (TOO_LONG_EN,)),
    "1600-emoji": TwilioCase("😀" * 1600, 200, (TOO_LONG_ZH,)),
    "empty-body": TwilioCase("", 200, (text("zh", "empty"),)),
    "bad-signature": TwilioCase("你好", 403, stored=False, sign=lambda form: "bm90IGl0"),
    "no-signature": TwilioCase("你好", 403, stored=False, sign=lambda form: None),
    "signed-with-another-token": TwilioCase(
        "你好", 403, stored=False, sign=lambda form: twilio_signature(form, token="wrong")
    ),
    "signed-for-the-loopback-url": TwilioCase(
        "你好", 403, stored=False, sign=lambda form: twilio_signature(form, url=LOOPBACK)
    ),
    "signed-for-another-body": TwilioCase("预约", 403, stored=False, sign=_tampered),
    "missing-From": TwilioCase("你好", 400, stored=False, drop=("From",)),
    "missing-Body": TwilioCase(None, 400, stored=False),
    "missing-MessageSid": TwilioCase("你好", 400, stored=False, drop=("MessageSid",)),
    "missing-fields-and-bad-signature": TwilioCase(
        None, 403, stored=False, drop=("From",), sign=lambda form: "bm90IGl0"
    ),
}


@pytest.mark.parametrize("case", TWILIO_CASES.values(), ids=TWILIO_CASES.keys())
def test_twilio_webhook(store: Store, policy: Policy, clock: Clock, case: TwilioCase) -> None:
    before = snapshot(store)

    async def scenario(http: Http) -> None:
        answer = await http.twilio(case.body, drop=case.drop, sign=case.sign)
        assert answer.status == case.status, answer.text
        if case.status != 200:
            assert "<Message>" not in answer.text
            return
        said = answer.twiml
        assert said, "a message is always answered"
        whole = "\n".join(said)
        for fragment in case.said:
            assert fragment in whole
        assert all(segments(message) <= 3 for message in said), said

    serve(store, policy, clock, scenario)
    after = snapshot(store)
    if case.stored:
        assert len(after["inbound"]) == len(before["inbound"]) + 1
        assert state(store) is not None
    else:
        assert after == before


@pytest.mark.backends("sqlite", "postgresql")
def test_a_redelivered_message_sid_gets_the_same_twiml_and_runs_once(
    store: Store, policy: Policy, clock: Clock
) -> None:
    async def scenario(http: Http) -> None:
        await http.twilio("你好")
        first = await http.twilio("1", sid="SM-book")  # 1 = book: the registration consent
        assert text("zh", "reg.consent") in first.twiml[0]
        conversation = state(store)
        rows = snapshot(store)

        again = await http.twilio("1", sid="SM-book")
        assert again.text == first.text
        assert state(store) == conversation  # the turn did not run again
        assert snapshot(store) == rows

        both = await asyncio.gather(*(http.twilio("1", sid="SM-agree") for _ in range(4)))
        assert len({answer.text for answer in both}) == 1
        assert text("zh", "reg.who") in both[0].twiml[0]  # consent given once: "for whom?"
        inbound = [r["message_id"].split()[-1] for r in snapshot(store)["inbound"]]  # sender sid
        assert inbound.count("SM-agree") == 1 and inbound.count("SM-book") == 1
        assert state(store)["step"] == "who"  # type: ignore[index]

        # The same answer under a new sid is a new turn: "1" now answers "for whom?"
        nxt = await http.twilio("1")
        assert text("zh", "reg.name") in nxt.twiml[0]

    serve(store, policy, clock, scenario)


# -- Twilio's reserved words ------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "stop", " Stop ", "CANCEL", "END", "QUIT", "UNSUBSCRIBE",
                                  "STOPALL"])  # fmt: skip
def test_twilio_stop_words_opt_the_sender_out(
    store: Store, policy: Policy, clock: Clock, word: str
) -> None:
    async def scenario(http: Http) -> None:
        answer = await http.twilio(word)
        assert answer.twiml == [text("en", "optout.done")]  # Latin words: English

    serve(store, policy, clock, scenario)
    assert store.opted_out("sms", PHONE)
    assert not store.opted_out("sms", OTHER_PHONE)


@pytest.mark.parametrize("word", ["START", "unstop", "Start"])
def test_twilio_start_words_opt_the_sender_back_in(
    store: Store, policy: Policy, clock: Clock, word: str
) -> None:
    async def scenario(http: Http) -> None:
        await http.twilio("STOP")
        assert store.opted_out("sms", PHONE)
        answer = await http.twilio(word)
        assert answer.twiml == [text("en", "optin.done")]

    serve(store, policy, clock, scenario)
    assert not store.opted_out("sms", PHONE)


@pytest.mark.parametrize("word", ["HELP", "help", "INFO"])
def test_twilio_help_words_get_the_help_text(
    store: Store, policy: Policy, clock: Clock, word: str
) -> None:
    async def scenario(http: Http) -> None:
        assert (await http.twilio(word)).twiml == [text("en", "help")]

    serve(store, policy, clock, scenario)
    assert not store.opted_out("sms", PHONE)


def test_keyword_maps_only_whole_reserved_words() -> None:
    assert keyword(" stop\n") == "STOP"
    assert keyword("Stopped by") == "Stopped by"
    assert keyword("取消") == "取消"  # the engine's own cancel command stays as it is
    assert keyword("help me") == "help me"


def test_yes_answers_a_yes_no_question_instead_of_opting_in(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """``yes`` is an answer the English flows offer for every yes/no question (screening,
    confirming a booking); Twilio forwarding it must not turn it into START."""
    register(store, clock)

    async def scenario(http: Http) -> None:
        asked = await http.twilio("book")
        assert asked.twiml[0].startswith(text("en", "screen.all", name="Li Lei"))
        unclear = await http.twilio("yes")  # which one? asked one at a time
        assert unclear.twiml != [text("en", "optin.done")]
        assert text("en", "q.allergy", name="Li Lei") in unclear.twiml[0]
        answered = await http.twilio("yes")
        assert answered.twiml != [text("en", "optin.done")]
        assert answered.twiml[0] == text("en", "verdict.not_eligible.allergy")

    serve(store, policy, clock, scenario)


def test_the_help_text_does_not_tell_residents_to_send_a_twilio_opt_out_word() -> None:
    """On Twilio, a message that is only STOP/STOPALL/UNSUBSCRIBE/CANCEL/END/QUIT opts the
    number out at the carrier: a resident sending a command the help text lists must not
    unsubscribe by accident ("CANCEL BOOKING" is no opt-out word; "CANCEL" is)."""
    reserved = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
    zh, en = TEXTS["help"]
    for help_text in (zh, en):
        before, _, listed = help_text.replace("指令：", "Commands:").partition("Commands:")
        commands = {c.strip(" .;:").upper() for c in listed.split("," if "," in listed else None)}
        words = {word.strip(',.;:"').upper() for word in before.split()}
        assert commands and not (commands | words) & reserved, help_text
