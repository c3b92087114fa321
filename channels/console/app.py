"""``vaxbot console``: the hotline operator's all-day screen (Textual).

It opens on a login screen (or is given a session logged in on the command line), shows who
is logged in, and locks after ``idle_lock`` seconds without a key or a click. Four screens,
switched with F1-F4: the caller (lookup, people, book on behalf, actions), the follow-up queue,
group booking from a roster, and the dashboard. F9 switches between Chinese and English. Every
change goes through the store as ``operator:NAME`` (the logged-in operator); booking on behalf
runs the engine's own flows on channel "operator".
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType

from bot.clock import Clock
from bot.engine import Engine
from bot.operators import Session
from channels.console.base import ConsoleScreen, Context, localise_bindings
from channels.console.caller import CallerScreen
from channels.console.dashboard import DashboardScreen
from channels.console.followups import FollowupsScreen
from channels.console.group import GroupScreen
from channels.console.login import LoginScreen
from channels.console.texts import UiLang, ui
from flows.policy import Policy
from store import Store

IDLE_LOCK = 300.0  # seconds without a key or a click before the console locks


class ConsoleApp(App[None]):
    CSS_PATH = "console.tcss"
    ENABLE_COMMAND_PALETTE = False  # the footer's room is for the operator's keys
    MODES: ClassVar[dict[str, type[ConsoleScreen]]] = {  # type: ignore[assignment]
        "caller": CallerScreen,
        "followups": FollowupsScreen,
        "group": GroupScreen,
        "dashboard": DashboardScreen,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "mode('caller')", "k.caller"),
        Binding("f2", "mode('followups')", "k.followups"),
        Binding("f3", "mode('group')", "k.roster"),
        Binding("f4", "mode('dashboard')", "k.dashboard"),
        Binding("f9", "toggle_language", "k.lang"),
        Binding("ctrl+q", "quit", "k.quit", priority=True),
    ]

    def __init__(
        self, store: Store, policy: Policy, clock: Clock, session: Session | None = None,
        lang: UiLang = "zh", *, idle_lock: float = IDLE_LOCK, caller: str | None = None,
        operator_name: str = "", idle_check: float | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.ctx = Context(store, policy, clock, session, Engine(store, policy, clock))
        self.lang: UiLang = lang
        self.idle_lock = idle_lock
        self.idle_check = idle_check or max(0.2, min(idle_lock / 4, 5.0))  # seconds between looks
        self.caller = caller  # a phone to open at once (caller ID from the phone system)
        self.operator_name = operator_name
        self.last_input = time.monotonic()
        self.locked = False

    def on_mount(self) -> None:
        self._retitle()
        self.set_interval(self.idle_check, self._check_idle)
        if self.ctx.session is None:
            self.push_screen(LoginScreen(self.ctx.store, self.ctx.clock, self.lang,
                                         self.operator_name), self._logged_in)  # fmt: skip
        else:
            self._start()

    def _logged_in(self, session: Session | None) -> None:
        if session is not None:
            self.ctx.session = session
            self._start()

    def _start(self) -> None:
        self._retitle()
        self.last_input = time.monotonic()
        self.switch_mode("caller")
        if self.caller:
            caller = self.caller
            self.call_after_refresh(lambda: self.open_caller(caller))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.last_input = time.monotonic()
        await super().on_event(event)

    def _check_idle(self) -> None:
        session = self.ctx.session
        if session is None or self.locked:
            return
        if time.monotonic() - self.last_input >= self.idle_lock:
            self.lock()

    def lock(self) -> None:
        """Hide everything behind the login screen until the same operator logs in again."""
        session = self.ctx.session
        if session is None or self.locked:
            return
        self.locked = True
        self.ctx.store.audit(self.ctx.now(), session.actor, "console", "lock", "operator",
                             session.name, None, {"idle_seconds": self.idle_lock})  # fmt: skip
        screen = LoginScreen(self.ctx.store, self.ctx.clock, self.lang, locked_as=session.name)
        self.push_screen(screen, self._unlocked)

    def _unlocked(self, session: Session | None) -> None:
        self.locked = False
        self.last_input = time.monotonic()

    def _retitle(self) -> None:
        self.title = ui(self.lang, "title")
        session = self.ctx.session
        self.sub_title = (
            ui(self.lang, "operator", name=session.name, role=ui(self.lang, f"role.{session.role}"))
            if session else ""
        )  # fmt: skip
        localise_bindings(self, self.lang)

    def action_mode(self, mode: str) -> None:
        if self.ctx.session is None or self.locked:
            return
        self.switch_mode(mode)

    def action_toggle_language(self) -> None:
        if self.ctx.session is None or self.locked:
            return
        self.lang = "en" if self.lang == "zh" else "zh"
        self._retitle()
        if isinstance(self.screen, ConsoleScreen):
            self.screen.localise()

    def open_caller(self, phone: str) -> None:
        """Show the caller screen looked up on ``phone`` (the follow-up queue, caller ID)."""
        self.switch_mode("caller")
        screen = self.screen
        if isinstance(screen, CallerScreen):
            screen.query_one("#lookup").value = phone  # type: ignore[attr-defined]
            screen.find(phone)


def run(store: Store, policy: Policy, clock: Clock, session: Session | None, lang: UiLang = "zh",
        *, caller: str | None = None, operator_name: str = "",
        idle_lock: float = IDLE_LOCK) -> None:  # fmt: skip
    """Run the console in the terminal until the operator quits."""
    ConsoleApp(store, policy, clock, session, lang, caller=caller, operator_name=operator_name,
               idle_lock=idle_lock).run()  # fmt: skip
