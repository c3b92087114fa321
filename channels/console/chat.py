"""The chat pane: the operator types for the caller; the engine answers as on any channel."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, RichLog

from bot.engine import Engine
from bot.intake import Intake
from bot.messages import Inbound, Reply
from channels.console.texts import UiLang, ui

CHANNEL = "operator"


class ChatPane(Widget):
    """Runs the engine on channel "operator" for the caller's phone, as ``operator:NAME``,
    through the intake like every channel (no rate limit: the operator is no stranger)."""

    class Turned(Message):
        """A message went through the engine (something may have been booked)."""

        def __init__(self, phone: str, replies: list[Reply]) -> None:
            super().__init__()
            self.phone = phone
            self.replies = replies

    def __init__(self, engine: Engine, actor: str, lang: UiLang, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.intake = Intake(engine)
        self.actor = actor
        self.lang: UiLang = lang
        self.phone: str | None = None
        self.turns = 0  # messages sent for this caller

    def compose(self) -> ComposeResult:
        # min_width=1: lines wrap at the pane's width, never cropped at RichLog's default 78
        yield RichLog(id="chat-log", wrap=True, markup=False, auto_scroll=True, min_width=1)
        yield Input(placeholder=ui(self.lang, "chat.placeholder"), id="chat-input")

    def localise(self, lang: UiLang) -> None:
        self.lang = lang
        self.query_one("#chat-input", Input).placeholder = ui(lang, "chat.placeholder")

    def talk_to(self, phone: str | None) -> None:
        """Follow another caller (or none): the log starts afresh."""
        if phone == self.phone:
            return
        self.phone = phone
        self.turns = 0
        log = self.query_one("#chat-log", RichLog)
        log.clear()
        if phone:
            log.write(ui(self.lang, "chat.started", phone=phone))

    def send(self, text: str) -> list[Reply]:
        log = self.query_one("#chat-log", RichLog)
        if self.phone is None:
            log.write(ui(self.lang, "chat.need_caller"))
            return []
        message = Inbound(
            CHANNEL, self.phone, text, actor=self.actor, phone=self.phone, lang=self.lang
        )
        replies = self.intake.receive(message).replies
        self.turns += 1
        log.write(f"> {text}")
        for reply in replies:
            log.write(reply.text)
            for option in reply.options:
                log.write(f"  {option.key}. {option.label}")
        self.post_message(self.Turned(self.phone, replies))
        return replies

    def start_booking(self) -> None:
        """Ask the engine to book for the caller, as if they had said 预约 (a fresh chat only)."""
        if self.phone is not None and self.turns == 0:
            self.send(ui(self.lang, "chat.book_word"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.value = ""
        self.send(event.value)
