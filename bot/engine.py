"""The dialogue engine: one inbound message in, replies out, state in the store.

Each turn is one database transaction: the duplicate check, the conversation state, and any
booking the turn makes are committed together or not at all. So a turn that fails leaves nothing
half-done, a redelivered message gets the replies already given, and a restarted process (or a
second one on the same file) resumes every conversation where it stood.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from bot.clock import Clock
from bot.matching import COMMAND_WORDS, Command, fold, match_stored, number_of
from bot.messages import Inbound, Reply, ReplyOption
from flows import FLOWS
from flows.dialogue import Answer, Ctx, Done, Handoff, Next, Option, Outcome, Prompt, Retry
from flows.identity import mask_address, mask_phone, normalise_phone
from flows.offers import open_offers
from flows.policy import Policy
from flows.texts import Lang, text
from store import Store

log = logging.getLogger("vaxbot.engine")

MAX_TEXT = 500  # characters; anything longer is answered without being read
PHONE_CHANNELS = frozenset({"sms"})  # channels whose address is the sender's own phone
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")

MENU: tuple[tuple[str, str], ...] = (
    ("menu.book", "flow:book"),
    ("menu.status", "flow:status"),
    ("menu.cancel", "flow:cancel"),
    ("menu.reschedule", "flow:reschedule"),
    ("menu.register", "flow:register"),
    ("menu.agent", "cmd:agent"),
)


def guess_language(message: str) -> Lang:
    """Chinese if the text has any Chinese character or no letters at all; else English."""
    if _CJK.search(message) or not _LATIN.search(message):
        return "zh"
    return "en"


@dataclass
class State:
    """A conversation as stored: language, where in which flow, and the options on screen."""

    lang: Lang
    account: int | None = None  # the sender's account, once known
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    after: str | None = None
    # Options on screen, kept in their stored form (Option.dump) and read only when matching.
    options: list[list[Any]] = field(default_factory=list)  # the current step's
    actions: list[list[Any]] = field(default_factory=list)  # the engine's own (menu, language)

    def dump(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "account": self.account,
            "flow": self.flow,
            "step": self.step,
            "data": self.data,
            "history": self.history,
            "after": self.after,
            "options": self.options,
            "actions": self.actions,
        }

    @classmethod
    def load(cls, raw: dict[str, Any]) -> State:
        return cls(
            lang=raw["lang"],
            account=raw.get("account"),
            flow=raw["flow"],
            step=raw["step"],
            data=raw["data"],
            history=raw["history"],
            after=raw["after"],
            options=raw["options"],
            actions=raw["actions"],
        )


class Engine:
    def __init__(self, store: Store, policy: Policy, clock: Clock) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock

    def handle(self, message: Inbound) -> list[Reply]:
        now = message.time.astimezone(self.policy.zone) if message.time else self.clock()
        lang = guess_language(message.text)
        try:
            with self.store.transaction():
                # A provider's id, scoped to the sender: nobody gets another's stored replies
                # by quoting their message id (where senders choose ids, as in email).
                seen = f"{message.address} {message.message_id}" if message.message_id else None
                earlier, stored = self.store.turn_start(message.channel, message.address, seen)
                if earlier is not None:
                    return [Reply.from_json(r) for r in orjson.loads(earlier)]
                if stored is None and message.lang in ("zh", "en"):
                    lang = "zh" if message.lang == "zh" else "en"  # the channel knows better
                state = State.load(orjson.loads(stored)) if stored else State(lang=lang)
                lang = state.lang
                replies = Turn(self, message, state, now).run(first=stored is None)
                # Compared as text: the flows change the state's data in place.
                if (after := orjson.dumps(state.dump()).decode()) != stored:
                    self.store.save_state(message.channel, message.address, after, now)
                if seen:
                    self.store.record_inbound(
                        message.channel,
                        seen,
                        orjson.dumps([r.to_json() for r in replies]).decode(),
                        now,
                    )
        except Exception:
            # The transaction rolled back every write of the turn, state included: the resident
            # can simply try again. Still, never leave a message unanswered.
            log.exception(
                "turn failed on %s from %s", message.channel, mask_address(message.address)
            )
            return [Reply(text(lang, "error"))]
        return replies


class Turn:
    """One message being answered."""

    def __init__(self, engine: Engine, message: Inbound, state: State, now: Any) -> None:
        self.engine = engine
        self.message = message
        self.state = state
        self.ctx = Ctx(
            store=engine.store,
            policy=engine.policy,
            now=now,
            lang=state.lang,
            channel=message.channel,
            address=message.address,
            account=self._account,
            relink=self._relink,
            actor=message.actor or f"self:{message.channel}",
            phone=self._sender_phone,
            data=state.data,
        )

    def _sender_phone(self) -> str | None:
        """The sender's own number: given by the channel, or the address of an SMS."""
        message = self.message
        if message.phone:
            return message.phone
        return normalise_phone(message.address) if message.channel in PHONE_CHANNELS else None

    def _account(self) -> int:
        """The sender's account: created on first need, then remembered in the state."""
        if self.state.account is None:
            self.state.account = self.engine.store.account_for(
                self.message.channel, self.message.address, self.ctx.sender_phone, self.ctx.now
            )
        return self.state.account

    def _relink(self, account_id: int) -> None:
        self.state.account = account_id
        self.ctx.__dict__["account_id"] = account_id  # the cached property, for this turn

    def _known(self) -> bool:
        """Whether the sender already has an account (without creating one)."""
        if self.state.account is None:
            message = self.message
            self.state.account = self.engine.store.account_of(message.channel, message.address)
        return self.state.account is not None

    def t(self, key: str, **values: object) -> str:
        return text(self.state.lang, key, **values)

    # -- entry -----------------------------------------------------------------------------

    def run(self, first: bool) -> list[Reply]:
        body = self.message.text.strip()
        if len(body) > MAX_TEXT:
            note = self.t("too_long", limit=MAX_TEXT)
            return self._reask(note) if self.state.flow else [Reply(note)]
        if not body:  # keeps everything as it was, menu included
            return self._reask(self.t("empty")) if self.state.flow else [Reply(self.t("empty"))]
        actions, self.state.actions = self.state.actions, []
        folded = fold(body)
        command = COMMAND_WORDS.get(folded)
        if command is not None:
            return self._command(command)
        if (
            self.state.flow is None
            and (number := number_of(folded)) in ("1", "2")
            and self._known()
            and open_offers(self.ctx)
        ):  # the offer SMS said "reply 1 to accept, 2 to decline"
            return self._start("offer", carry={"accept": number == "1"})
        action = match_stored(folded, actions)
        if action is not None:
            return self._action(str(action.value))
        if self.state.flow is not None:
            return self._answer(body, folded)
        return self._menu(self.t("welcome" if first else "unknown"))

    # -- global commands -------------------------------------------------------------------

    def _command(self, command: Command) -> list[Reply]:
        match command:
            case Command.HELP:
                return [Reply(self.t("help"))]
            case Command.MENU:
                self._leave_flow()
                return self._menu(self.t("menu"))
            case Command.GREET:
                self._leave_flow()
                return self._menu(self.t("welcome"))
            case Command.BACK:
                return self._back()
            case Command.QUIT:
                if self.state.flow is None:
                    return [Reply(self.t("nothing_to_quit"))]
                self._leave_flow()
                return [Reply(self.t("quit"))]
            case Command.LANG:
                languages = (
                    Option("1", "中文", "lang:zh", ("zh", "chinese")),
                    Option("2", "English", "lang:en", ("en", "english")),
                )
                return [Reply(self.t("lang.ask"), self._show(languages, engine=True))]
            case Command.ZH | Command.EN:
                return self._set_language("zh" if command is Command.ZH else "en")
            case Command.AGENT:
                return self._agent()
            case Command.STOP | Command.START:
                ctx = self.ctx
                # keyed by the number notices are sent to (E.164), whatever form it came in
                address = ctx.sender_phone or ctx.address
                ctx.store.set_opt_out(ctx.channel, address, command is Command.STOP, ctx.now)
                return [Reply(self.t("optout.done" if command is Command.STOP else "optin.done"))]
            case Command.ACCEPT | Command.DECLINE:
                self._leave_flow()
                return self._start("offer", carry={"accept": command is Command.ACCEPT})
            case (
                Command.BOOK
                | Command.STATUS
                | Command.REGISTER
                | Command.CANCEL
                | Command.RESCHEDULE
                | Command.LINK
            ):
                self._leave_flow()
                return self._start(command.value)

    def _action(self, action: str) -> list[Reply]:
        kind, _, name = action.partition(":")
        if kind == "lang":
            return self._set_language("zh" if name == "zh" else "en")
        if kind == "cmd":
            return self._agent()
        self._leave_flow()
        return self._start(name)

    def _menu(self, intro: str) -> list[Reply]:
        menu = [Option(str(i), self.t(key), value) for i, (key, value) in enumerate(MENU, 1)]
        return [Reply(intro, self._show(menu, engine=True))]

    def _set_language(self, lang: Lang) -> list[Reply]:
        self.state.lang = self.ctx.lang = lang
        if self.state.flow:
            return self._reask(self.t("lang.set"))
        return self._menu(self.t("lang.set"))

    def _agent(self) -> list[Reply]:
        ctx = self.ctx
        phone = ctx.sender_phone
        self.engine.store.add_callback(ctx.channel, ctx.address, ctx.account_id, "agent", ctx.now)
        replies = [
            Reply(self.t("agent", phone=mask_phone(phone)) if phone else self.t("agent.no_phone"))
        ]
        if self.state.flow:
            replies += self._reask(None)
        return replies

    def _back(self) -> list[Reply]:
        if self.state.flow is None:
            return self._menu(self.t("menu"))
        if not self.state.history:
            return self._reask(self.t("back_at_start"))
        self.state.step = self.state.history.pop()
        return self._reask(None)

    # -- flows -----------------------------------------------------------------------------

    def _leave_flow(self) -> None:
        self.state.flow = self.state.step = self.state.after = None
        self.state.data.clear()
        self.state.history.clear()
        self.state.options = []

    def _start(self, name: str, carry: dict[str, Any] | None = None) -> list[Reply]:
        flow = FLOWS[name]
        self.state.flow, self.state.step = name, None
        self.state.data.clear()
        self.state.data.update(carry or {})
        self.state.history.clear()
        outcome: Outcome = flow.start(self.ctx) if flow.start else Next(flow.first)
        return self._apply(outcome)

    def _answer(self, body: str, folded: str) -> list[Reply]:
        assert self.state.flow is not None and self.state.step is not None
        step = FLOWS[self.state.flow].steps[self.state.step]
        option = match_stored(folded, self.state.options)
        if option is None and not step.free_text:
            return self._reask(self.t("pick_number", n=len(self.state.options)))
        return self._apply(step.answer(self.ctx, Answer(body, option)))

    def _apply(self, outcome: Outcome) -> list[Reply]:
        match outcome:
            case Next(step, note, rewind):
                history = self.state.history
                if rewind:
                    if step in history:
                        del history[history.index(step) :]
                elif self.state.step is not None:
                    history.append(self.state.step)
                self.state.step = step
                return self._reask(note)
            case Retry(note, prompt):
                return self._reask(note, prompt)
            case Done(note, then, abort, carry, attachments, more):
                after = then or (None if abort else self.state.after)
                self._leave_flow()
                replies = [Reply(note, attachments=attachments)] if note else []
                replies += [Reply(extra) for extra in more]
                return replies + (self._start(after, carry) if after else [])
            case Handoff(flow, after, note):
                replies = [Reply(note)] if note else []
                replies += self._start(flow)
                if self.state.flow == flow:  # still going: come back to `after` once done
                    self.state.after = after
                return replies

    def _reask(self, note: str | None, prompt: Prompt | None = None) -> list[Reply]:
        """Ask the current step (or ``prompt``), with ``note`` said first."""
        assert self.state.flow is not None and self.state.step is not None
        if prompt is None:
            prompt = FLOWS[self.state.flow].steps[self.state.step].ask(self.ctx)
        body = prompt.text if not note or note == prompt.text else f"{note}\n{prompt.text}"
        return [Reply(body, self._show(prompt.options))]

    def _show(self, options: Sequence[Option], engine: bool = False) -> tuple[ReplyOption, ...]:
        """Remember the options on screen (a step's, or the engine's own) and render them."""
        stored = [option.dump() for option in options]
        if engine:
            self.state.actions = stored
        else:
            self.state.options = stored
        return tuple(ReplyOption(o.key, o.label) for o in options)
