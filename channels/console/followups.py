"""The follow-up queue: call-back requests (人工/AGENT) and yellow/red overdue dose cases."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Label

from bot.followups import OUTCOMES as CASE_OUTCOMES
from bot.followups import record
from channels.console.base import ConsoleScreen
from channels.console.chat import CHANNEL
from channels.console.dialogs import Choose
from channels.console.texts import UI
from flows.identity import mask_phone
from store import StoreError, reports


def spaced(phone: str) -> str:
    """+8613800138000 → 138 0013 8000: a number to read and dial."""
    digits = phone.removeprefix("+86")
    if len(digits) == 11 and digits.isdigit():
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return phone


# What calling back can come to; True closes the request.
CALLBACK_OUTCOMES = {"resolved": True, "booked": True, "no-answer": False, "wrong-number": True}


class FollowupsScreen(ConsoleScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o,enter", "outcome", "k.outcome"),
        Binding("f", "find_caller", "k.caller"),
        Binding("ctrl+r", "refresh_list", "k.refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        with Vertical():
            yield Label(self.t("fu.callbacks"), id="callbacks-title", classes="section")
            yield DataTable(id="callbacks", cursor_type="row")
            yield Label(self.t("fu.cases"), id="cases-title", classes="section")
            yield DataTable(id="cases", cursor_type="row")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.reload()
        self.query_one("#callbacks", DataTable).focus()

    def localise(self) -> None:
        super().localise()
        if not self.is_mounted:
            return
        self.query_one("#callbacks-title", Label).update(self.t("fu.callbacks"))
        self.query_one("#cases-title", Label).update(self.t("fu.cases"))
        for table in ("callbacks", "cases"):
            self.query_one(f"#{table}", DataTable).clear(columns=True)
        self.reload()

    def reload(self) -> None:
        store = self.ctx.store
        callbacks = self.query_one("#callbacks", DataTable)
        if not callbacks.columns:
            callbacks.add_columns("#", self.t("col.phone"), self.t("col.reason"),
                                  self.t("col.since"), self.t("col.last"))  # fmt: skip
        callbacks.clear()
        for row in store.open_callbacks():
            reason = f"reason.{row['reason']}"
            callbacks.add_row(str(row["id"]), mask_phone(row["address"]),
                              self.t(reason) if reason in UI else row["reason"],
                              row["created_at"][:16].replace("T", " "), row["outcome"] or "",
                              key=f"cb:{row['id']}")  # fmt: skip
        cases = self.query_one("#cases", DataTable)
        if not cases.columns:
            cases.add_columns(
                "#",
                self.t("col.level"),
                self.t("col.name"),
                self.t("col.phone"),
                self.t("col.dose"),
                self.t("col.since"),
                self.t("col.last"),
            )
        cases.clear()
        for row in store.open_followups():
            last = f"{row['called_at'][:10]} {row['outcome']}" if row["called_at"] else ""
            cases.add_row(str(row["id"]), row["level"], row["name"], mask_phone(row["phone"]),
                          str(row["dose"]), row["created_at"][:10], last,
                          key=f"fu:{row['id']}")  # fmt: skip

    def _selected(self) -> str | None:
        focused = self.focused
        if not isinstance(focused, DataTable) or focused.row_count == 0:
            return None
        key = focused.coordinate_to_cell_key(focused.cursor_coordinate).row_key.value
        return key

    def action_refresh_list(self) -> None:
        self.reload()

    def action_outcome(self) -> None:
        key = self._selected()
        if key is None:
            self.notify(self.t("fu.none"), severity="warning")
            return
        kind, _, number = key.partition(":")
        outcomes = CALLBACK_OUTCOMES if kind == "cb" else CASE_OUTCOMES
        choices = [(name, self.t(f"out.{name}")) for name in outcomes]
        # The operator taking the call needs the whole number: shown to them, and audited.
        ctx = self.ctx
        phone = reports.contact(ctx.store, kind, int(number)) or ""
        ctx.store.audit(ctx.now(), ctx.actor, CHANNEL, "reveal",
                        "callback" if kind == "cb" else "followup", number, None,
                        {"reason": "call-back" if kind == "cb" else "follow-up call"})  # fmt: skip

        def chosen(outcome: str | None) -> None:
            if outcome is not None:
                self.record_outcome(key, outcome)

        title = self.t("fu.call", phone=spaced(phone)) + "\n" + self.t("fu.pick")
        self.app.push_screen(Choose(title, choices), chosen)

    def record_outcome(self, key: str, outcome: str) -> None:
        ctx = self.ctx
        kind, _, number = key.partition(":")
        try:
            if kind == "cb":
                ctx.store.close_callback(int(number), outcome, CALLBACK_OUTCOMES[outcome],
                               now=ctx.now(), actor=ctx.actor, channel=CHANNEL)  # fmt: skip
            else:
                record(ctx.store, int(number), outcome, ctx.operator, ctx.now())
        except StoreError as exc:
            self.notify(self.t("act.failed", why=str(exc)), severity="error")
        else:
            self.notify(self.t("fu.recorded", id=number, outcome=self.t(f"out.{outcome}")))
        self.reload()

    def action_find_caller(self) -> None:
        """Open the caller screen on the selected person's phone, to book for them."""
        key = self._selected()
        if key is None:
            self.notify(self.t("fu.none"), severity="warning")
            return
        kind, _, number = key.partition(":")
        phone = reports.contact(self.ctx.store, kind, int(number))
        if phone:
            self.console.open_caller(phone)
