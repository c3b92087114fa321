"""The caller screen: find the caller, see their people, book for them, act on bookings."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, TabbedContent, TabPane

from bot.attendance import mark_attended
from channels.console.base import ConsoleScreen
from channels.console.chat import CHANNEL, ChatPane
from channels.console.data import Lookup, history, lookup
from channels.console.dialogs import AskReason, Confirm
from channels.console.places import Places
from channels.console.texts import UI
from flows.identity import age_on, mask_id, mask_phone
from flows.rules import Bar, Mode, bar_rule, may_book, may_override, misfit
from store import Booking, BookingNotActive, Resident, SlotUnavailable, StoreError


class CallerScreen(ConsoleScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f", "find", "k.lookup"),
        Binding("ctrl+b", "chat", "k.chat"),
        Binding("c", "cancel", "k.cancel"),
        Binding("r", "reschedule", "k.reschedule"),
        Binding("a", "attend", "k.attend"),
        Binding("n", "noshow", "k.noshow"),
        Binding("u", "unbar", "k.unbar"),
        Binding("v", "reveal", "k.reveal"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: Lookup | None = None
        self.person_id: int | None = None
        self.booking_id: int | None = None
        self.revealed: int | None = None  # the person whose full numbers are shown

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        ctx, lang = self.ctx, self.lang
        with Horizontal(id="lookup-bar"):
            yield Input(placeholder=self.t("lookup.placeholder"), id="lookup")
        yield Label(self.t("lookup.start"), id="caller-info")
        with TabbedContent(id="caller-tabs"):
            with TabPane(self.t("tab.person"), id="tab-person"), Vertical():
                yield DataTable(id="people", cursor_type="row")
                yield Label("", id="person-detail")
                yield DataTable(id="bookings", cursor_type="row")
                yield DataTable(id="history", cursor_type="row")
            with TabPane(self.t("tab.book"), id="tab-book"), Horizontal():
                yield ChatPane(ctx.engine, ctx.actor, lang, id="chat")
                yield Places(ctx.store, ctx.policy, lang, id="places")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#places", Places).refresh_places(self.ctx.now())
        self.set_interval(5, self._tick)
        self.query_one("#lookup", Input).focus()

    def _tick(self) -> None:
        self.query_one("#places", Places).refresh_places(self.ctx.now())

    def localise(self) -> None:
        super().localise()
        if not self.is_mounted:
            return
        self.query_one("#lookup", Input).placeholder = self.t("lookup.placeholder")
        tabs = self.query_one("#caller-tabs", TabbedContent)
        tabs.get_tab("tab-person").label = self.t("tab.person")
        tabs.get_tab("tab-book").label = self.t("tab.book")
        self.query_one("#chat", ChatPane).localise(self.lang)
        self.query_one("#places", Places).localise(self.lang)
        for table in ("people", "bookings", "history"):
            self.query_one(f"#{table}", DataTable).clear(columns=True)
        self._show()

    # -- finding the caller -------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "lookup":
            return
        event.stop()
        self.find(event.value)

    def find(self, query: str) -> None:
        found = lookup(self.ctx.store, query)
        self.found, self.booking_id, self.revealed = found, None, None
        self.person_id = found.focus if found else None
        if found and self.person_id is None and found.people:
            self.person_id = found.people[0].id
        if found is None:
            self.query_one("#caller-info", Label).update(self.t("lookup.none", query=query))
        self.query_one("#chat", ChatPane).talk_to(found.phone if found else None)
        self._show()
        if found and found.people:
            self.query_one("#people", DataTable).focus()

    def reload(self) -> None:
        if self.found is None:
            return
        if self.found.phone:
            again = lookup(self.ctx.store, self.found.phone)
            if again is not None:
                self.found = Lookup(self.found.phone, again.people, self.found.focus)
        else:
            people = [self.ctx.store.resident(p.id) for p in self.found.people]
            self.found.people = [p for p in people if p is not None]
        self._show()

    # -- showing ------------------------------------------------------------------------

    def _person(self) -> Resident | None:
        if self.found is None:
            return None
        return next((p for p in self.found.people if p.id == self.person_id), None)

    def _show(self) -> None:
        found = self.found
        info = self.query_one("#caller-info", Label)
        people = self.query_one("#people", DataTable)
        if not people.columns:
            people.add_columns(
                *(
                    self.t(k)
                    for k in ("col.name", "col.id", "col.age", "col.district", "col.status")
                )
            )
        people.clear()
        if found is None:
            self._show_person(None)
            return
        if found.phone and not found.people:
            info.update(self.t("lookup.new", phone=mask_phone(found.phone)))
        elif found.people:
            phone = mask_phone(found.phone) if found.phone else "—"
            count = (
                self.t("people.one")
                if len(found.people) == 1
                else self.t("people.many", n=len(found.people))
            )
            info.update(self.t("lookup.found", phone=phone, people=count))
        today = self.ctx.now().date()
        for row, person in enumerate(found.people):
            district = self.ctx.policy.districts.get(person.district_id)
            where = (district.zh if self.lang == "zh" else district.en) if district else ""
            state = self.rule_text(person)
            people.add_row(person.name, mask_id(person.id_number),
                           str(age_on(person.birth_date, today)), where, state,
                           key=str(person.id))  # fmt: skip
            if person.id == self.person_id:
                people.move_cursor(row=row)
        self._show_person(self._person())

    def rule_text(self, person: Resident) -> str:
        """What ``flows.rules`` says of booking this person now, as the operator reads it."""
        ctx = self.ctx
        store = ctx.store
        decision = may_book(ctx.policy, person, store.doses_of(person.id),
                            store.active_bookings(person.id), ctx.now(), Mode.OPERATOR)  # fmt: skip
        dose = decision.dose.number if decision.dose else 0
        return self.t(f"rule.{decision.bar}", n=person.noshows, dose=dose,
                      min=ctx.policy.ages.minimum)  # fmt: skip

    def _show_person(self, person: Resident | None) -> None:
        store = self.ctx.store
        detail = self.query_one("#person-detail", Label)
        bookings = self.query_one("#bookings", DataTable)
        audit = self.query_one("#history", DataTable)
        if not bookings.columns:
            bookings.add_columns(*(self.t(k) for k in ("col.code", "col.dose", "col.date",
                                 "col.period", "col.site", "col.product", "col.companion",
                                 "col.status")))  # fmt: skip
        if not audit.columns:
            audit.add_columns(*(self.t(k) for k in ("col.when", "col.action", "col.who")))
        bookings.clear()
        audit.clear()
        if person is None:
            detail.update("")
            return
        screening = store.latest_screening(person.id)
        doses = store.doses_of(person.id)
        lines = [
            self.t("screening", at=screening.at[:10], dose=screening.dose,
                   outcome=self.t(f"verdict.{screening.outcome}")) if screening
            else self.t("screening.none"),
            self.t("doses", doses=", ".join(
                self.t("dose.given", dose=d.dose, day=d.day, product=self._product(d.product_id))
                for d in doses)) if doses else self.t("doses.none"),
        ]  # fmt: skip
        if self.revealed == person.id:  # a supervisor asked, with a reason (audited)
            lines = [self.t("reveal.shown", name=person.name, id=person.id_number,
                            phone=person.phone)]  # fmt: skip
        detail.update("  ·  ".join(lines))
        for row, booking in enumerate(store.bookings_of(person.id)):
            site = booking.site.name_zh if self.lang == "zh" else booking.site.name_en
            companion = (
                f"{booking.companion_name} {mask_phone(booking.companion_phone or '')}"
                if booking.companion_name else ""
            )  # fmt: skip
            bookings.add_row(booking.code, self.t("dose.n", dose=booking.dose),
                             booking.slot.day.isoformat(), booking.slot.period, site,
                             self._product(booking.slot.product_id), companion,
                             self.t(f"status.{booking.status}"), key=str(booking.id))  # fmt: skip
            if booking.id == self.booking_id:
                bookings.move_cursor(row=row)
        for entry in history(store, person.id):
            audit.add_row(entry["at"][:16].replace("T", " "), self._happened(entry),
                          self._who(entry))  # fmt: skip

    def _product(self, product_id: str) -> str:
        product = self.ctx.policy.products.get(product_id)
        if product is None:
            return product_id
        return product.zh if self.lang == "zh" else product.en

    def _happened(self, entry: dict[str, str]) -> str:
        """An audit row as the operator reads it: 预约 B1234567, not "book booking 3"."""
        key = f"audit.{entry['action']}"
        what = self.t(key) if key in UI else entry["action"]
        if entry["entity"] == "booking":
            booking = self.ctx.store.booking(int(entry["entity_id"]))
            return f"{what} {booking.code}" if booking else what
        return what

    def _who(self, entry: dict[str, str]) -> str:
        kind, _, name = entry["actor"].partition(":")
        key = f"who.{kind}"
        said = self.t(key, name=name) if key in UI else entry["actor"]
        channel = entry["channel"]
        return f"{said}（{channel}）" if self.lang == "zh" else f"{said} ({channel})"

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key is None:
            return
        if event.data_table.id == "people" and int(key) != self.person_id:
            self.person_id, self.booking_id = int(key), None
            self._show_person(self._person())
        elif event.data_table.id == "bookings":
            self.booking_id = int(key)

    def on_chat_pane_turned(self, event: ChatPane.Turned) -> None:
        self.reload()
        state = self.ctx.store.load_state(CHANNEL, event.phone) or {}
        data = state.get("data") or {}
        site_id = data.get("site_id")
        self.query_one("#places", Places).follow(
            data.get("district"), int(site_id) if isinstance(site_id, int | str) and
            str(site_id).isdigit() else None,
        )  # fmt: skip

    def on_places_chosen(self, event: Places.Chosen) -> None:
        """Book the period picked: said to the chat, which books it as on any channel."""
        chat = self.query_one("#chat", ChatPane)
        slot = self.ctx.store.slot(event.slot_id)
        site = self.ctx.store.site(slot.site_id) if slot else None
        if slot is None or site is None:
            return
        if chat.phone is None:
            self.notify(self.t("chat.need_caller"), severity="warning")
            return
        if chat.turns == 0:
            chat.start_booking()
        if self.lang == "zh":
            said = f"{site.name_zh} {slot.day.month}月{slot.day.day}日 {slot.start}"
        else:
            said = f"{site.name_en} {slot.day.day} {slot.day:%B} {slot.start}"
        chat.send(said)
        self.query_one("#chat-input", Input).focus()

    # -- actions ------------------------------------------------------------------------

    def action_find(self) -> None:
        self.query_one("#caller-tabs", TabbedContent).active = "tab-person"
        self.query_one("#lookup", Input).focus()

    def action_chat(self) -> None:
        self.query_one("#caller-tabs", TabbedContent).active = "tab-book"
        self.query_one("#chat-input", Input).focus()
        if self.found is not None and self.found.people:  # a registered caller: start at once
            self.query_one("#chat", ChatPane).start_booking()

    def _booking(self) -> Booking | None:
        booking = self.ctx.store.booking(self.booking_id) if self.booking_id else None
        if booking is None or booking.resident_id != self.person_id:
            self.notify(self.t("act.pick_booking"), severity="warning")
            return None
        return booking

    def _confirmed(self, question: str, then: Callable[[], None]) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._attempt(then)

        self.app.push_screen(Confirm(question, self.lang), answered)

    def _attempt(self, change: Callable[[], None]) -> None:
        try:
            change()
        except BookingNotActive:
            self.notify(self.t("act.failed", why=self.t("act.not_active")), severity="error")
        except SlotUnavailable:
            self.notify(self.t("act.failed", why=self.t("act.full")), severity="error")
        except StoreError as exc:
            self.notify(self.t("act.failed", why=str(exc)), severity="error")
        self.reload()

    def action_cancel(self) -> None:
        booking = self._booking()
        if booking is None:
            return
        ctx = self.ctx

        def cancel() -> None:
            ctx.store.cancel(booking.id, now=ctx.now(), actor=ctx.actor, channel=CHANNEL)
            self.notify(self.t("act.cancelled", code=booking.code))

        self._confirmed(
            self.t(
                "act.confirm_cancel",
                code=booking.code,
                day=booking.slot.day,
                period=booking.slot.period,
            ),
            cancel,
        )

    def action_reschedule(self) -> None:
        booking = self._booking()
        if booking is None:
            return
        ctx = self.ctx
        slot_id = self.query_one("#places", Places).slot_id
        slot = ctx.store.slot(slot_id) if slot_id else None
        site = ctx.store.site(slot.site_id) if slot else None
        if slot is None or site is None:
            self.notify(self.t("act.pick_slot"), severity="warning")
            return
        # The same rules as self-service (flows.rules): the bar, the maker, the interval.
        person = ctx.store.resident(booking.resident_id)
        assert person is not None
        decision = may_book(ctx.policy, person, ctx.store.doses_of(person.id),
                            ctx.store.active_bookings(person.id), ctx.now(), Mode.OPERATOR,
                            moving=booking)  # fmt: skip
        dose = decision.dose
        if decision.bar is not None or dose is None or dose.number != booking.dose:
            self.notify(self.t("act.failed", why=self.t(f"rule.{decision.bar or 'already'}",
                                                         n=person.noshows, dose=booking.dose)),
                        severity="error")  # fmt: skip
            return
        wrong = misfit(ctx.policy, person, dose, slot.product_id, slot.day)
        if wrong is not None:
            products = "/".join(dose.products or ())
            why = self.t(f"misfit.{wrong}", dose=booking.dose, products=products,
                         day=dose.earliest, min=ctx.policy.ages.minimum)  # fmt: skip
            self.notify(self.t("act.failed", why=why), severity="error")
            return

        def move() -> None:
            ctx.store.reschedule(booking.id, slot.id, now=ctx.now(), actor=ctx.actor,
                                 channel=CHANNEL)  # fmt: skip
            self.notify(self.t("act.moved", code=booking.code, day=slot.day, period=slot.period))

        name = site.name_zh if self.lang == "zh" else site.name_en
        self._confirmed(self.t("act.confirm_move", code=booking.code, site=name, day=slot.day,
                               period=slot.period), move)  # fmt: skip

    def action_attend(self) -> None:
        booking = self._booking()
        if booking is None:
            return
        ctx = self.ctx

        def attend() -> None:
            (marked,) = mark_attended(ctx.store, [booking.code], ctx.now(), ctx.actor, CHANNEL,
                                      bar_rule(ctx.policy))  # fmt: skip
            self.notify(marked.line(), severity="information" if marked.ok else "error")

        self._attempt(attend)

    def action_noshow(self) -> None:
        booking = self._booking()
        if booking is None:
            return
        ctx = self.ctx

        def noshow() -> None:
            ctx.store.mark_noshow(booking.id, now=ctx.now(), actor=ctx.actor, channel=CHANNEL,
                                  bars=bar_rule(ctx.policy))  # fmt: skip
            self.notify(self.t("act.noshow", code=booking.code))

        self._confirmed(self.t("act.confirm_noshow", code=booking.code), noshow)

    def action_unbar(self) -> None:
        person = self._person()
        if person is None:
            self.notify(self.t("act.pick_person"), severity="warning")
            return
        if not person.barred:
            self.notify(self.t("act.not_barred"), severity="warning")
            return
        if not may_override(self.ctx.session.role if self.ctx.session else "", Bar.BARRED):
            self.notify(self.t("act.supervisor_only"), severity="error")
            return
        ctx = self.ctx

        def unbar() -> None:
            ctx.store.unbar(person.id, now=ctx.now(), actor=ctx.actor, channel=CHANNEL)
            self.notify(self.t("act.unbarred", name=person.name))

        self._confirmed(self.t("act.confirm_unbar", name=person.name), unbar)

    def action_reveal(self) -> None:
        """A supervisor sees the selected person's full ID and phone, having typed why."""
        person = self._person()
        if person is None:
            self.notify(self.t("act.pick_person"), severity="warning")
            return
        if not self.ctx.supervisor:
            self.notify(self.t("act.supervisor_only"), severity="error")
            return
        ctx = self.ctx

        def answered(reason: str | None) -> None:
            if not reason:
                return
            ctx.store.audit(ctx.now(), ctx.actor, CHANNEL, "reveal", "resident", person.id, None,
                            {"reason": reason, "fields": ["id_number", "phone"]})  # fmt: skip
            self.revealed = person.id
            self.reload()

        self.app.push_screen(AskReason(self.t("reveal.why", name=person.name), self.lang), answered)
