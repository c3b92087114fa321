"""Modal dialogs: a yes/no confirmation and a choice among outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from channels.console.texts import UiLang, ui


class Confirm(ModalScreen[bool]):
    """A question answered with y (yes) or n / Esc (no)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "k.yes"),
        Binding("n,escape", "answer(False)", "k.no"),
    ]

    def __init__(self, question: str, lang: UiLang) -> None:
        super().__init__()
        self.question = question
        self.lang: UiLang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question)
            yield Label(f"[y] {ui(self.lang, 'k.yes')}   [n] {ui(self.lang, 'k.no')}")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class Choose(ModalScreen[str | None]):
    """Pick one of ``choices`` (value, label); Esc for none."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "k.no")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text)
            yield OptionList(
                *(Option(f"{i}. {label}", id=value)
                  for i, (value, label) in enumerate(self.choices, 1)),
                id="choices",
            )  # fmt: skip

    def on_key(self, event: object) -> None:
        key = getattr(event, "character", None)
        if key and key.isdigit() and 1 <= int(key) <= len(self.choices):
            self.dismiss(self.choices[int(key) - 1][0])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class AskReason(ModalScreen[str | None]):
    """A reason typed before something sensitive (a full number shown); Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "k.no")]

    def __init__(self, question: str, lang: UiLang) -> None:
        super().__init__()
        self.question = question
        self.lang: UiLang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question)
            yield Input(placeholder=ui(self.lang, "reveal.reason"), id="reason", max_length=200)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
