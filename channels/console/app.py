"""``vaxbot console``: the hotline operator's all-day screen (Textual).

Four screens, switched with F1-F4: the caller (lookup, people, book on behalf, actions), the
follow-up queue, group booking from a roster, and the dashboard. F9 switches between Chinese
and English. Every change goes through the store with ``operator:NAME`` as the audit actor;
booking on behalf runs the engine's own flows on channel "operator".
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from bot.attendance import operator_actor
from bot.clock import Clock
from bot.engine import Engine
from channels.console.base import ConsoleScreen, Context, localise_bindings
from channels.console.caller import CallerScreen
from channels.console.dashboard import DashboardScreen
from channels.console.followups import FollowupsScreen
from channels.console.group import GroupScreen
from channels.console.texts import UiLang, ui
from flows.policy import Policy
from store import Store


class ConsoleApp(App[None]):
    CSS_PATH = "console.tcss"
    MODES: ClassVar[dict[str, type[ConsoleScreen]]] = {  # type: ignore[assignment]
        "caller": CallerScreen,
        "followups": FollowupsScreen,
        "group": GroupScreen,
        "dashboard": DashboardScreen,
    }
    DEFAULT_MODE = "caller"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "switch_mode('caller')", "k.caller"),
        Binding("f2", "switch_mode('followups')", "k.followups"),
        Binding("f3", "switch_mode('group')", "k.roster"),
        Binding("f4", "switch_mode('dashboard')", "k.dashboard"),
        Binding("f9", "toggle_language", "k.lang"),
        Binding("ctrl+q", "quit", "k.quit", priority=True),
    ]

    def __init__(
        self, store: Store, policy: Policy, clock: Clock, operator: str, lang: UiLang = "zh"
    ) -> None:
        super().__init__()
        self.ctx = Context(
            store, policy, clock, operator, operator_actor(operator), Engine(store, policy, clock)
        )
        self.lang: UiLang = lang

    def on_mount(self) -> None:
        self._retitle()

    def _retitle(self) -> None:
        self.title = ui(self.lang, "title")
        self.sub_title = ui(self.lang, "operator", name=self.ctx.operator)
        localise_bindings(self, self.lang)

    def action_toggle_language(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self._retitle()
        if isinstance(self.screen, ConsoleScreen):
            self.screen.localise()

    def open_caller(self, phone: str) -> None:
        """Show the caller screen looked up on ``phone`` (from the follow-up queue)."""
        self.switch_mode("caller")
        screen = self.screen
        if isinstance(screen, CallerScreen):
            screen.query_one("#lookup").value = phone  # type: ignore[attr-defined]
            screen.find(phone)


def run(store: Store, policy: Policy, clock: Clock, operator: str, lang: UiLang = "zh") -> None:
    """Run the console in the terminal until the operator quits."""
    ConsoleApp(store, policy, clock, operator, lang).run()
