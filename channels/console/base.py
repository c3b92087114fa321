"""What every console screen shares: the app's context and localised footer bindings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from textual.dom import DOMNode
from textual.screen import Screen

from bot.clock import Clock
from bot.engine import Engine
from bot.operators import Session
from channels.console.texts import UI, UiLang, ui
from flows.policy import Policy
from store import Store

if TYPE_CHECKING:
    from channels.console.app import ConsoleApp


@dataclass
class Context:
    store: Store
    policy: Policy
    clock: Clock
    session: Session | None  # the operator logged in (None only on the login screen)
    engine: Engine

    def now(self) -> datetime:
        return self.clock()

    @property
    def operator(self) -> str:
        """The logged-in operator's name."""
        return self.session.name if self.session else ""

    @property
    def actor(self) -> str:
        """``operator:NAME`` of the logged-in operator, for the audit."""
        if self.session is None:
            raise RuntimeError("nobody is logged in")
        return self.session.actor

    @property
    def supervisor(self) -> bool:
        return self.session is not None and self.session.supervisor


def localise_bindings(node: DOMNode, lang: UiLang) -> None:
    """Footer descriptions are text keys (``k.cancel``) shown in ``lang``."""
    keys: dict[tuple[str, str], str] = node.__dict__.setdefault("_ui_binding_keys", {})
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        renamed = []
        for binding in bindings:
            text_key = keys.setdefault((key, binding.action), binding.description)
            description = ui(lang, text_key) if text_key in UI else text_key
            renamed.append(replace(binding, description=description))
        table[key] = renamed
    node.refresh_bindings()


class ConsoleScreen(Screen[Any]):
    """A screen of the console: ``self.ctx`` is the store, policy, clock and operator."""

    @property
    def console(self) -> ConsoleApp:
        return cast("ConsoleApp", self.app)

    @property
    def ctx(self) -> Context:
        return self.console.ctx

    @property
    def lang(self) -> UiLang:
        return self.console.lang

    def t(self, key: str, **values: object) -> str:
        return ui(self.lang, key, **values)

    def on_mount(self) -> None:
        localise_bindings(self, self.lang)
        self.__dict__["_shown_in"] = self.lang

    def on_screen_resume(self) -> None:
        if self.__dict__.get("_shown_in") != self.lang:
            self.localise()
        self.reload()

    def localise(self) -> None:
        """Show the screen's own labels in the console's language."""
        self.__dict__["_shown_in"] = self.lang
        localise_bindings(self, self.lang)

    def reload(self) -> None:
        """Read what is shown from the store again."""
