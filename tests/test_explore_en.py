"""Residents writing English, and odd input, at the steps of a booking (session 12's
exploration, docs/explore/en-session12.md).

Kinds fixed: an option picked in English words (``the first one``, ``second one pls``, ``1 pls``,
``option two``), as ``第一个`` already was; a yes in a few words (``yes that's fine``, ``ok book
it``, ``sounds good``) at a choice to agree to or confirm, and ``yes`` / ``this one`` at "Reply 1
for this number" — never approval words at a health question, where ``all good`` means no; and
invisible characters pasted around an answer (zero-width space, right-to-left marks) that hid a
plain ``1`` or ``yes``. The phrasings are varied on purpose: the kind is what must work."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from bot.engine import Engine
from bot.messages import Reply
from store import Store
from tests.conftest import Phone

# A foreign resident registering with a passport: consent, myself, name, passport, its number,
# nationality, birth date, this phone, home district (Tianhe).
AT_CONSENT = ("hi can i book a covid shot",)
AT_DOC = (*AT_CONSENT, "1", "1", "John Smith")
AT_PHONE = (*AT_DOC, "2", "PASSPORT", "USA", "1990-05-04")
AT_SCREENING = (*AT_PHONE, "1", "1")
AT_SITE = (*AT_SCREENING, "none", "1")  # Tianhe's sites
AT_CONFIRM = (*AT_SITE, "2", "2", "1")  # Shipai, Friday 18 June, 08:00-10:00
_SENDERS = itertools.count(1)  # each resident a phone and a passport of their own


def residents(engine: Engine, first: tuple[str, ...], texts: list[str]) -> Iterator[
    tuple[str, list[Reply], str]
]:  # fmt: skip
    """Each text sent by a resident of its own (own phone, own passport) at the step that
    ``first`` reaches; with the replies and the passport number."""
    for text in texts:
        n = next(_SENDERS)
        phone = Phone(engine, f"+86139000{n:05d}")
        passport = f"E{n:08d}"
        phone.run(*(passport if said == "PASSPORT" else said for said in first))
        yield text, phone.send(text), passport


def said(replies: list[Reply]) -> str:
    return "\n".join([r.text for r in replies] + [o.label for r in replies for o in r.options])


def booked(store: Store, passport: str) -> int:
    person = store.resident_by_document("passport", passport)
    return 0 if person is None else len(store.active_bookings(person.id))


# -- an option picked in English words ---------------------------------------------------------


def test_an_option_picked_by_english_ordinal_words(engine: Engine) -> None:
    first = ["the first one", "first", "first one please", "1 pls", "option one", "#1",
             "I'll take the first one"]  # fmt: skip
    second = ["the second one", "second one pls", "the 2nd one", "option two", "2 please",
              "second option thanks"]  # fmt: skip
    for texts, site in ((first, "Tianhe Sports Centre"), (second, "Shipai")):
        for text in texts:
            n = next(_SENDERS)
            phone = Phone(engine, f"+86137000{n:05d}")
            phone.run(*(f"F{n:08d}" if s == "PASSPORT" else s for s in AT_SITE))
            assert "Choose a date" in said(phone.send(text)), text
            assert site in said(phone.run("2", "1")), text  # its confirmation names it
    for text, replies, _ in residents(engine, AT_DOC, ["the second one", "second pls"]):
        assert "passport number" in said(replies), text  # the passport, option 2


def test_a_day_of_the_month_is_still_a_day_at_the_date_question(engine: Engine) -> None:
    at_date = (*AT_SITE, "2")
    for text, replies, _ in residents(engine, at_date, ["the 20th", "20th"]):
        assert "Sun 20 Jun" in said(replies), text


# -- a yes in a few words ----------------------------------------------------------------------


def test_a_yes_in_a_few_words_confirms_the_booking(engine: Engine, store: Store) -> None:
    texts = ["yes that's fine", "ok book it", "sounds good", "go ahead", "perfect thanks",
             "yes please, thank you", "Yep that works", "👍", "sure, book it"]  # fmt: skip
    for text, replies, passport in residents(engine, AT_CONFIRM, texts):
        assert "Booked!" in said(replies), text
        assert booked(store, passport) == 1, text


def test_anything_more_than_a_yes_does_not_confirm(engine: Engine, store: Store) -> None:
    texts = ["no wait", "yes but make it afternoon", "ok but not friday", "fine for my mum"]
    for text, replies, passport in residents(engine, AT_CONFIRM, texts):
        assert "Booked!" not in said(replies), text
        assert booked(store, passport) == 0, text


def test_agreeing_in_words_at_the_notice(engine: Engine) -> None:
    texts = ["i agree", "yes i agree to both", "agreed", "ok sure"]
    for text, replies, _ in residents(engine, AT_CONSENT, texts):
        assert "Who are you registering?" in said(replies), text


def test_yes_or_this_one_takes_the_number_offered(engine: Engine, store: Store) -> None:
    for text, replies, _ in residents(engine, AT_PHONE[:-1], ["1990-05-04"]):
        assert "Reply 1 for this number" in said(replies), text
    for text, replies, _ in residents(engine, AT_PHONE, ["yes", "ok", "this one", "yes pls"]):
        assert "not a valid mobile number" not in said(replies), text
        assert "district where the person lives" in said(replies), text


def test_approval_words_are_no_yes_at_a_health_question(engine: Engine, store: Store) -> None:
    one_by_one = (*AT_SCREENING, "one by one")  # Is John Smith allergic to …?
    approvals = ["all good", "sounds good", "ok book it", "yes book it", "yes that's fine", "ok"]
    approvals += ["sure", "好", "好的"]  # acknowledging, not answering (嗯 is a yes)
    for text, replies, passport in residents(engine, one_by_one, approvals):
        assert "cannot be vaccinated" not in said(replies), text
        person = store.resident_by_document("passport", passport)
        assert person is not None and store.latest_screening(person.id) is None, text


# -- invisible characters ----------------------------------------------------------------------


def test_invisible_characters_around_an_answer_are_ignored(engine: Engine, store: Store) -> None:
    texts = ["1\u200b", "\u202e1", "\u200fyes\u200f", "\ufeff1", "\u2066yes\u2069"]
    for text, replies, passport in residents(engine, AT_CONFIRM, texts):
        assert "Booked!" in said(replies), ascii(text)
        assert booked(store, passport) == 1, ascii(text)
    for text, replies, _ in residents(engine, AT_CONSENT, ["1\u200b", "\u200eyes"]):
        assert "Who are you registering?" in said(replies), ascii(text)


def test_invisible_characters_alone_change_nothing(engine: Engine, store: Store) -> None:
    for text, replies, passport in residents(engine, AT_CONFIRM, ["\u200b\u200f", "\u202e"]):
        assert "Please send some text" in said(replies), ascii(text)  # as an empty message
        assert "Please confirm" in said(replies), ascii(text)
        assert booked(store, passport) == 0, ascii(text)


def test_invisible_characters_inside_a_word_are_ignored(engine: Engine, store: Store) -> None:
    for text, replies, passport in residents(engine, AT_SCREENING, ["no\u200bne", "\u200fnone"]):
        assert "John Smith can be vaccinated" in said(replies), ascii(text)
        person = store.resident_by_document("passport", passport)
        assert person is not None
        screening = store.latest_screening(person.id)
        assert screening is not None and screening.outcome == "eligible", ascii(text)


# -- none of the health questions, in English words ---------------------------------------------


def test_none_of_the_list_said_in_english_words(engine: Engine, store: Store) -> None:
    texts = ["nope none of those", "none of the above", "no to all", "nothing at all",
             "No, none.", "none apply", "neither", "none of them thanks", "meiyou"]  # fmt: skip
    for text, replies, passport in residents(engine, AT_SCREENING, texts):
        assert "John Smith can be vaccinated" in said(replies), text
        person = store.resident_by_document("passport", passport)
        assert person is not None
        screening = store.latest_screening(person.id)
        assert screening is not None and screening.outcome == "eligible", text


def test_anything_more_than_none_is_asked_one_by_one(engine: Engine, store: Store) -> None:
    texts = ["no, all of them", "nah im fine", "none except 3", "no to the first"]
    for text, replies, passport in residents(engine, AT_SCREENING, texts):
        assert "can be vaccinated" not in said(replies), text
        person = store.resident_by_document("passport", passport)
        assert person is not None and store.latest_screening(person.id) is None, text


# -- the home district named in a sentence ------------------------------------------------------


def test_the_home_district_named_in_a_sentence_is_the_answer(engine: Engine, store: Store) -> None:
    texts = {"i live in tianhe": "tianhe", "tianhe district": "tianhe", "haizhu pls": "haizhu",
             "in panyu": "panyu", "我住天河区": "tianhe", "住喺海珠": "haizhu"}  # fmt: skip
    at_home = (*AT_PHONE, "1")  # Choose the district where the person lives
    for text, replies, passport in residents(engine, at_home, list(texts)):
        assert "changed to" not in said(replies) and "改为" not in said(replies), text
        person = store.resident_by_document("passport", passport)
        assert person is not None and person.district_id == texts[text], text


def test_no_one_is_no_option_one(engine: Engine) -> None:
    for text, replies, _ in residents(engine, AT_CONSENT, ["no one", "first thing tomorrow"]):
        assert "Who are you registering?" not in said(replies), text  # the notice not agreed
