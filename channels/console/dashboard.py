"""The dashboard: today's bookings, capacity used by district and site, queues."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Label, Sparkline

from channels.console.base import ConsoleScreen
from channels.console.data import figures

BAR = 10  # characters of a capacity bar


def bar(used: int, capacity: int) -> str:
    """``███████░░░ 70%``: a text bar that fits in a table cell."""
    if capacity <= 0:
        return "—"
    full = round(BAR * used / capacity)
    return "█" * full + "░" * (BAR - full) + f" {round(100 * used / capacity):3d}%"


class DashboardScreen(ConsoleScreen):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+r", "refresh_figures", "k.refresh")]

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        with Vertical():
            yield Label("", id="dash-title", classes="section")
            with Horizontal(id="dash-counts"):
                yield Label("", id="dash-today")
                yield Label("", id="dash-queues")
            with Horizontal(id="dash-week-row"):
                yield Label("", id="dash-week-label")
                yield Sparkline([], id="dash-week")
            yield DataTable(id="dash-districts", cursor_type="row")
            yield DataTable(id="dash-sites", cursor_type="row")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.reload()
        self.set_interval(10, self.reload)

    def localise(self) -> None:
        super().localise()
        if self.is_mounted:
            for table in ("dash-districts", "dash-sites"):
                self.query_one(f"#{table}", DataTable).clear(columns=True)
            self.reload()

    def action_refresh_figures(self) -> None:
        self.reload()

    def reload(self) -> None:
        ctx = self.ctx
        f = figures(ctx.store, ctx.now().date())
        self.query_one("#dash-title", Label).update(self.t("db.title", day=f.day))
        self.query_one("#dash-today", Label).update(
            "\n".join((
                self.t("db.today", n=f.booked_today),
                self.t("db.attended", n=f.attended_today),
                self.t("db.noshows", n=f.noshows_today, total=f.noshows_total),
            ))
        )  # fmt: skip
        self.query_one("#dash-queues", Label).update(
            "\n".join((self.t("db.queue", n=f.queue), self.t("db.callbacks", n=f.callbacks),
                       self.t("db.followups", n=f.followups)))
        )  # fmt: skip
        self.query_one("#dash-week-label", Label).update(
            f"{self.t('db.week')} {' '.join(str(n) for n in f.week)}"
        )
        self.query_one("#dash-week", Sparkline).data = [float(n) for n in f.week]
        districts: dict[str, list[int]] = {}
        for site in f.sites:
            used = districts.setdefault(site["district"], [0, 0])
            used[0] += site["booked"]
            used[1] += site["capacity"]
        table = self.query_one("#dash-districts", DataTable)
        if not table.columns:
            table.add_columns(self.t("col.district"), self.t("col.booked"),
                              self.t("col.capacity"), self.t("col.used"))  # fmt: skip
        table.clear()
        for key, (booked, capacity) in districts.items():
            district = ctx.policy.districts.get(key)
            name = (district.zh if self.lang == "zh" else district.en) if district else key
            table.add_row(name, str(booked), str(capacity), bar(booked, capacity))
        sites = self.query_one("#dash-sites", DataTable)
        if not sites.columns:
            sites.add_columns(self.t("col.site"), self.t("col.booked"), self.t("col.capacity"),
                              self.t("col.used"))  # fmt: skip
        sites.clear()
        for site in f.sites:
            name = site["name_zh"] if self.lang == "zh" else site["name_en"]
            sites.add_row(name, str(site["booked"]), str(site["capacity"]),
                          bar(site["booked"], site["capacity"]))  # fmt: skip
