"""Pickers beside the chat: district → site → day and period, with the places left.

They follow the chat (the district and site its booking reached, ``follow``), find sites
"near" a district, site name or street (``#pick-near``), and book: Enter on a period says it to
the chat (``Chosen``), which books it by the same dialogue and rules as SMS."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Select

from channels.console.texts import UiLang, ui
from flows.holidays import holidays_between
from flows.policy import Policy
from store import SlotFilter, Store


class Places(Widget):
    """Where places are left; ``slot_id`` is the period picked (for rescheduling)."""

    class Chosen(Message):
        """Enter on a period: book it (through the chat)."""

        def __init__(self, slot_id: int) -> None:
            super().__init__()
            self.slot_id = slot_id

    def __init__(
        self, store: Store, policy: Policy, lang: UiLang, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.store = store
        self.policy = policy
        self.lang: UiLang = lang
        self.district: str = next(iter(policy.districts))
        self.site_id: int | None = None
        self.slot_id: int | None = None
        self.now: datetime | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Input(placeholder=ui(self.lang, "pick.near"), id="pick-near")
            yield Select(self._district_options(), value=self.district, allow_blank=False,
                         id="pick-district")  # fmt: skip
            yield DataTable(id="pick-sites", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="pick-slots", cursor_type="row", zebra_stripes=True)
            yield Label(ui(self.lang, "pick.hint"), id="pick-hint")

    def _district_options(self) -> list[tuple[str, str]]:
        return [
            (d.zh if self.lang == "zh" else d.en, key) for key, d in self.policy.districts.items()
        ]

    def localise(self, lang: UiLang) -> None:
        self.lang = lang
        self.query_one("#pick-district", Select).set_options(self._district_options())
        self.query_one("#pick-district", Select).value = self.district
        self.query_one("#pick-hint", Label).update(ui(lang, "pick.hint"))
        self.query_one("#pick-sites", DataTable).clear(columns=True)
        self.query_one("#pick-slots", DataTable).clear(columns=True)
        self.refresh_places()

    def refresh_places(self, now: datetime | None = None) -> None:
        """Read the places again, keeping the rows picked."""
        self.now = now or self.now
        if self.now is None:
            return
        first = self.now.date()
        last = first + timedelta(days=self.policy.booking.days_listed - 1)
        only = SlotFilter(holidays=holidays_between(first, last))
        sites = self.query_one("#pick-sites", DataTable)
        if not sites.columns:
            sites.add_columns(ui(self.lang, "col.site"), ui(self.lang, "col.places"),
                              ui(self.lang, "col.address"))  # fmt: skip
        chosen = self.site_id
        sites.clear()
        listed = self.store.sites_with_places(self.district, first, last, self.now, only)
        for site, left in listed:
            name = site.name_zh if self.lang == "zh" else site.name_en
            address = site.address_zh if self.lang == "zh" else site.address_en
            sites.add_row(name, str(left), address, key=str(site.id))
        ids = [site.id for site, _ in listed]
        if chosen in ids:
            sites.move_cursor(row=ids.index(chosen))
        elif ids:
            self.site_id = ids[0]
        self._slots(first, last, only)

    def _slots(self, first: object, last: object, only: SlotFilter) -> None:
        table = self.query_one("#pick-slots", DataTable)
        if not table.columns:
            table.add_columns(
                *(ui(self.lang, k) for k in ("col.date", "col.period", "col.product", "col.places"))
            )
        chosen = self.slot_id
        table.clear()
        if self.site_id is None or self.now is None:
            return
        ids: list[int] = []
        day = self.now.date()
        for _ in range(self.policy.booking.days_listed):
            for slot in self.store.open_slots(self.site_id, day, self.now, only):
                product = self.policy.products.get(slot.product_id)
                name = (product.zh if self.lang == "zh" else product.en) if product else "?"
                table.add_row(slot.day.isoformat(), slot.period, name, str(slot.remaining),
                              key=str(slot.id))  # fmt: skip
                ids.append(slot.id)
            day += timedelta(days=1)
        if chosen in ids:
            table.move_cursor(row=ids.index(chosen))
        else:
            self.slot_id = None

    def follow(self, district: str | None, site_id: int | None) -> None:
        """Show what the chat is booking: its district and site."""
        changed = False
        if district and district in self.policy.districts and district != self.district:
            self.district, self.site_id, self.slot_id, changed = district, None, None, True
            self.query_one("#pick-district", Select).value = district
        if site_id is not None and site_id != self.site_id:
            self.site_id, self.slot_id, changed = site_id, None, True
        if changed:
            self.refresh_places()

    def near(self, text: str) -> bool:
        """Go to the district or site ``text`` names (part of a name or an address); False if
        none matches."""
        wanted = text.strip().lower()
        if not wanted:
            return False
        for key, district in self.policy.districts.items():
            names = (key, district.zh, district.en.lower(), district.zh.removesuffix("区"))
            if any(wanted == name or (len(wanted) > 1 and wanted in name) for name in names):
                self.follow(key, None)
                return True
        for site in self.store.sites():
            said = " ".join((site.name_zh, site.name_en, site.address_zh, site.address_en))
            if wanted in said.lower():
                self.follow(site.district_id, site.id)
                return True
        return False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "pick-near":
            return
        event.stop()
        if not self.near(event.value):
            self.notify(ui(self.lang, "pick.near_none", text=event.value), severity="warning")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if event.data_table.id == "pick-slots" and key is not None:
            self.slot_id = int(key)
            self.post_message(self.Chosen(int(key)))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str) and event.value != self.district:
            self.district, self.site_id, self.slot_id = event.value, None, None
            self.refresh_places()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        key = event.row_key.value
        if key is None:
            return
        if event.data_table.id == "pick-sites" and int(key) != self.site_id:
            self.site_id, self.slot_id = int(key), None
            self.refresh_places()
        elif event.data_table.id == "pick-slots":
            self.slot_id = int(key)
