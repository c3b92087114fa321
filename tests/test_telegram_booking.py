"""Telegram: a whole registration, screening and booking by buttons in polling mode, with the
QR code and calendar file, and logs without the token, chat ids or personal data.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.engine import Engine
from flows.documents import qr_code
from store import Store
from tests.telegram_support import TOKEN, Conversation, polling, texts

# -- a whole booking by buttons --------------------------------------------------------------

# (what the user does, with what, a phrase of the bot's last message after it)
BOOKING: list[tuple[str, str, str]] = [
    ("tap", "1", "Pre-registration: give true details"),
    ("tap", "1", "Who are you registering?"),
    ("tap", "1", "Enter the person's full name as on the ID:"),
    ("say", "Li Lei", "Choose the identity document:"),
    ("tap", "1", "Enter the 18-character resident ID number:"),
    ("say", "440106199203151244", "Enter the person's mobile number:"),  # none on Telegram
    ("say", "13800138000", "Do you live in Tianhe?"),  # from the ID (440106)
    ("tap", "1", "Li Lei: any of these?\n1 Vaccine allergy"),
    ("say", "none", "Choose the district of the vaccination site:"),
    ("tap", "1", "Choose a site:"),
    ("tap", "2", "Choose a date"),
    ("tap", "4", "Sun 20 Jun: choose a time:"),
    ("tap", "3", "Please confirm: Li Lei, dose 1, Sun 20 Jun 14:00-16:00"),
]


@pytest.mark.backends("sqlite", "postgresql")
def test_registration_screening_and_booking_by_buttons(
    engine: Engine, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # `logs.configure()` may have quieted it

    async def run() -> None:
        async with polling(engine) as (api, channel):
            ana = api.user(1001, "Ana", "en")
            chat = Conversation(api, channel, ana)

            [menu] = await chat.say("/start")
            assert menu.text.startswith("Hello! This is COVID-19 vaccination booking.")
            assert menu.buttons == [  # a long list: one column, numbered like the SMS menu
                [("1. Book a vaccination", "1")], [("2. My bookings", "2")],
                [("3. Cancel a booking", "3")], [("4. Change a booking", "4")],
                [("5. Pre-register", "5")], [("6. Talk to a person", "6")],
            ]  # fmt: skip

            said = []
            for action, value, expected in BOOKING:
                sent = await (chat.tap(value) if action == "tap" else chat.say(value))
                assert sent and {s.method for s in sent} == {"sendMessage"}, (action, value)
                assert expected in sent[-1].text, (action, value, texts(sent))
                said.append(texts(sent))
            assert "Pre-registered! Li Lei's pre-registration code: R0000001." in said[7]
            assert "Li Lei can be vaccinated." in said[8]
            yes_no = chat.last_with_buttons()
            assert yes_no.buttons == [[("1. Confirm", "1")], [("2. Change the date", "2")]]
            screening = next(s for s in api.sent_to(ana) if "any of these?" in s.text)
            assert screening.buttons == []  # the numbers are the questions', not buttons
            confirm = next(s for s in api.sent_to(ana) if "Please confirm" in s.text)
            assert confirm.buttons == [[("1. Confirm", "1")], [("2. Change the date", "2")]]

            confirmed = await chat.tap("1")
            assert [s.method for s in confirmed] == ["sendMessage", "sendPhoto", "sendDocument"]
            booked, photo, calendar = confirmed
            assert booked.text.startswith("Booked! Code B0000001. Li Lei, dose 1, Sun 20 Jun")
            assert booked.buttons == []
            assert photo.upload is not None and calendar.upload is not None
            assert photo.upload.data == qr_code("B0000001").data  # the booking code, as a QR
            assert photo.upload.data.startswith(b"\x89PNG\r\n\x1a\n")
            assert calendar.upload.filename == "B0000001.ics"
            assert calendar.upload.content_type == "text/calendar"
            assert calendar.upload.data.startswith(b"BEGIN:VCALENDAR")
            assert b"B0000001" in calendar.upload.data
            assert calendar.message["document"]["file_name"] == "B0000001.ics"

            # Every tap was answered (the spinner stops), each query once.
            answered = [c.params["callback_query_id"] for c in api.calls_to("answerCallbackQuery")]
            assert answered == chat.presses
            assert all(call.ok for call in api.calls_to("answerCallbackQuery"))

            status = await chat.say("status")
            assert "dose 1 Sun 20 Jun 14:00-16:00 Shipai Community Health Centre" in texts(status)
            assert "code B0000001" in texts(status)

        booking = store.booking_by_code("B0000001")
        assert booking is not None
        assert store.account_of("telegram", "1001") is not None

    asyncio.run(run())
    messages = [record.getMessage() for record in caplog.records]
    assert not [m for m in messages if TOKEN in m], "the bot token was logged"
    assert any("/bot<token>/getUpdates" in m for m in messages), "httpx logs were not seen"
    ours = [m for m in messages if m.startswith("telegram in ")]  # the intake's, one a message
    assert len(ours) == len(BOOKING) + 3 and all("from=***001 " in m for m in ours)
    assert not [m for m in ours if "1001" in m], "chat ids are logged masked"
    for record in caplog.records:
        if record.name.startswith("vaxbot"):
            assert "Li Lei" not in record.getMessage()
            assert "440106199203151244" not in record.getMessage()
