"""The login screen (the console opens on it) and the same screen as the idle lock."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label

from bot.clock import Clock
from bot.operators import LoginRefused, Session, login
from channels.console.texts import UiLang, ui
from store import Store


class LoginScreen(Screen[Session]):
    """Name, password and (supervisors who enrolled) a TOTP code; Enter logs in.

    As the idle lock (``locked_as``), the name is fixed: only the same operator unlocks,
    else Ctrl+Q quits the console."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "app.quit", "k.quit")]

    def __init__(self, store: Store, clock: Clock, lang: UiLang, name: str = "",
                 locked_as: str | None = None) -> None:  # fmt: skip
        super().__init__()
        self.store, self.clock, self.lang = store, clock, lang
        self.first_name = locked_as or name
        self.locked_as = locked_as

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(id="login-box", classes="dialog"):
            title = (
                ui(lang, "login.locked", name=self.locked_as)
                if self.locked_as
                else ui(lang, "login.title")
            )
            yield Label(title, id="login-title")
            yield Input(self.first_name, placeholder=ui(lang, "login.name"), id="login-name",
                        disabled=self.locked_as is not None)  # fmt: skip
            yield Input(placeholder=ui(lang, "login.password"), password=True,
                        id="login-password")  # fmt: skip
            yield Input(placeholder=ui(lang, "login.code"), id="login-code", max_length=8)
            yield Label("", id="login-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        target = "#login-password" if self.first_name else "#login-name"
        self.query_one(target, Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "login-name":
            self.query_one("#login-password", Input).focus()
            return
        name = self.query_one("#login-name", Input).value
        password = self.query_one("#login-password", Input).value
        code = self.query_one("#login-code", Input).value.strip() or None
        try:
            session = login(self.store, name, password, self.clock(), "console", code)
        except LoginRefused as exc:
            self.query_one("#login-error", Label).update(ui(self.lang, "login.refused",
                                                            why=str(exc)))  # fmt: skip
            self.query_one("#login-password", Input).value = ""
            self.query_one("#login-password", Input).focus()
            return
        self.dismiss(session)
