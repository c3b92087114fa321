"""Group booking: import a roster CSV, watch it go, read and export the result per person."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, ProgressBar

from bot.records import TableError
from bot.roster import RosterResult, book_row, read_roster, summary, write_results
from channels.console.base import ConsoleScreen


class GroupScreen(ConsoleScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "import_roster", "k.import"),
        Binding("f6", "export", "k.export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.results: list[RosterResult] = []
        self.source: Path | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        with Vertical():
            with Horizontal(id="roster-bar"):
                yield Input(placeholder=self.t("ro.path"), id="roster-path")
                yield Input(placeholder=self.t("ro.source"), id="roster-source")
            yield ProgressBar(id="roster-progress", show_eta=False)
            yield Label(self.t("ro.idle"), id="roster-status")
            yield DataTable(id="roster-results", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._columns()
        self.query_one("#roster-path", Input).focus()

    def _columns(self) -> None:
        table = self.query_one("#roster-results", DataTable)
        table.clear(columns=True)
        table.add_columns(*(self.t(k) for k in ("col.row", "col.result", "col.name", "col.code",
                          "col.site", "col.date", "col.period", "col.reason")))  # fmt: skip
        for result in self.results:
            self._add(result)

    def localise(self) -> None:
        super().localise()
        if not self.is_mounted:
            return
        self.query_one("#roster-path", Input).placeholder = self.t("ro.path")
        self.query_one("#roster-source", Input).placeholder = self.t("ro.source")
        self._columns()

    def _add(self, result: RosterResult) -> None:
        self.query_one("#roster-results", DataTable).add_row(
            str(result.row),
            str(result.outcome),
            result.name,
            result.code,
            result.site,
            result.day,
            result.period,
            result.reason,
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_import_roster()

    def action_import_roster(self) -> None:
        path = self.query_one("#roster-path", Input).value.strip()
        status = self.query_one("#roster-status", Label)
        try:
            rows = read_roster(path)
        except TableError as exc:
            status.update(self.t("ro.error", why=str(exc)))
            return
        self.source = Path(path)
        self.results = []
        self._columns()
        source = self.query_one("#roster-source", Input).value.strip() or Path(path).name
        self.run_import(rows, source)

    @work(exclusive=True, group="roster")
    async def run_import(self, rows: list[tuple[int, dict[str, str]]], source: str) -> None:
        """One row at a time on the UI's own connection, yielding between rows so the
        progress bar moves and the console stays usable."""
        ctx = self.ctx
        bar = self.query_one("#roster-progress", ProgressBar)
        status = self.query_one("#roster-status", Label)
        bar.update(total=len(rows), progress=0)
        for done, (number, values) in enumerate(rows, start=1):
            result = book_row(ctx.store, ctx.policy, number, values, ctx.now(), ctx.actor, source)
            self.results.append(result)
            self._add(result)
            bar.update(progress=done)
            status.update(self.t("ro.running", done=done, total=len(rows)))
            await asyncio.sleep(0)
        counts = summary(self.results)
        status.update(self.t("ro.done", **{str(k): v for k, v in counts.items()}))

    def action_export(self) -> None:
        if not self.results or self.source is None:
            self.notify(self.t("ro.nothing"), severity="warning")
            return
        target = self.source.with_name(f"{self.source.stem}-results.csv")
        with target.open("w", encoding="utf-8-sig", newline="") as out:
            write_results(self.results, out)
        self.notify(self.t("ro.exported", path=target))
        self.query_one("#roster-status", Label).update(self.t("ro.exported", path=target))
