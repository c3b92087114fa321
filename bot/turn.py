"""One turn of a conversation: what a message means at the step it answers, and the flows
it starts, answers or leaves (``Engine`` runs it inside the turn's transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.answer_first import answer_before
from bot.conversation import State
from bot.household import settle
from bot.matching import (
    AGREE,
    COMMAND_WORDS,
    FLOW_INTENTS,
    INTENT_COMMANDS,
    MAIN_MENU,
    NAMING,
    SWITCH_REPLIES,
    SWITCHES,
    Command,
    fold,
    match_stored,
    number_of,
)
from bot.messages import Inbound, Reply, ReplyOption, noted
from bot.nlu import Reading
from bot.nlu.masking import mask, worded
from bot.nlu.normalise import Text, simplified
from bot.nlu.pronouns import relative_named, resolved
from bot.opting import opt
from bot.reply_language import said_language
from bot.requests import carried, said_first
from flows import FLOWS
from flows.answers import answer_all, book_at
from flows.booking_state import kept_note
from flows.dialogue import Answer, Ctx, Done, Handoff, Next, Option, Outcome, Prompt, Retry
from flows.entities import Entities
from flows.identity import mask_phone
from flows.mid_flow import before_question, confused
from flows.minds import changed_mind
from flows.offers import open_offers
from flows.status import status_texts
from flows.texts import Lang, text

if TYPE_CHECKING:
    from bot.engine import Engine

MAX_TEXT = 500  # characters; anything longer is answered without being read


class Turn:
    """One message being answered."""

    def __init__(self, engine: Engine, message: Inbound, state: State, now: Any) -> None:
        self.engine = engine
        self.message = message
        self.state = state
        self.offered: dict[str, Any] | None = None  # what a finished flow offered (Done.offer)
        # what the resident last saw (None: nothing of the flow now running)
        self.on_screen: tuple[str | None, str | None, Lang] | None = (
            state.flow,
            state.step,
            state.lang,
        )
        self._reading: tuple[Text, Reading] | None = None  # the message read, once
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
            phone=message.own_phone,
            data=state.data,
        )

    def _account(self) -> int:
        """The sender's account: created on first need, then remembered in the state."""
        if self.state.account is None:
            self.state.account = self.engine.store.account_for(
                self.message.channel, self.message.address, self.ctx.sender_phone, self.ctx.now
            )
        return self.state.account

    def _relink(self, account_id: int) -> None:
        self.state.account = account_id
        self.ctx.account_id = account_id  # for the rest of this turn

    def _known(self) -> bool:
        """Whether the sender already has an account (without creating one)."""
        if self.state.account is None:
            message = self.message
            self.state.account = self.engine.store.account_of(message.channel, message.address)
        return self.state.account is not None

    def _offered_here(self) -> bool:
        """Whether a phone with no account of its own was sent an offer: a relative's own
        phone, whose offer SMS says to reply 1 or 2 (nothing is created to find out)."""
        message = self.message
        if message.channel != "sms":
            return False
        return bool(self.engine.store.open_offers(None, self.ctx.now, message.address))

    def t(self, key: str, **values: object) -> str:
        return text(self.state.lang, key, **values)

    # -- entry -----------------------------------------------------------------------------

    def run(self, first: bool) -> list[Reply]:
        body = self.message.text.strip()
        # the language from what is read of it (a bounded prefix), before any answer
        self.said = said = self.engine.interpreter.normalise(body)
        self.before, self.state.about = self.state.about, None  # 佢/she: the one just named
        self.before_people, self.state.about_people = self.state.about_people, []
        self.follow, self.state.follow = self.state.follow, None
        self._observe_language(said)
        if len(body) > MAX_TEXT:
            note = self.t("too_long", limit=MAX_TEXT)
            return self._reask(note) if self.state.flow else [Reply(note)]
        if not body:  # keeps everything as it was, menu included
            return self._reask(self.t("empty")) if self.state.flow else [Reply(self.t("empty"))]
        actions, self.state.actions = self.state.actions, []
        seen: list[int] | None = None
        if self.state.flow is None:  # a finished flow's offer holds for this message only
            self.offered = self.state.data.pop("offered", None)
            seen = self.state.data.pop("offers_seen", None)  # open when `actions` were shown
        folded = simplified(fold(body)) if said.cjk else fold(body)
        command = COMMAND_WORDS.get(folded)
        if command is not None:
            return self._command(command)
        if (
            self.state.flow is None
            and (number := number_of(folded)) in ("1", "2")
            and (self._known() or self._offered_here())
            and (offers := open_offers(self.ctx))
            and not (actions and seen is not None and {o.id for o in offers} <= set(seen))
        ):  # the offer SMS said "reply 1 to accept, 2 to decline", unless a menu came after it
            return self._start("offer", carry={"accept": number == "1"})
        action = match_stored(folded, actions)
        if action is None and len(actions) == 1 and folded.rstrip("!！。.~") in AGREE:
            action = Option.load(actions[0])  # 好 / yes / 要 to the one thing offered
        if action is not None:
            return self._action(str(action.value))
        if self.state.flow is not None:
            return self._answer(body, folded)
        return self._understand(body, first)

    def _observe_language(self, said: Text) -> None:
        """Answer in the language the message is clearly in (``said_language``)."""
        now = (self.state.lang, self.state.script)
        lang = said_language(self.state.step, said, self._read, self.message.text, now)
        if lang is None:
            return
        if lang == "zh":
            self.state.script = said.script or self.state.script
        self.state.lang = self.ctx.lang = lang

    def _read(self) -> Reading:
        if self._reading is None or self._reading[0] is not self.said:
            reading = self.engine.interpreter.read_text(self.said, self.ctx.today)
            self._reading = (self.said, resolved(reading, self.before))
            self.state.about = relative_named(self._reading[1])
        return self._reading[1]

    def _miss(self, body: str, in_flow: bool = False) -> None:
        """Keep a message not understood (masked), for the lexicon's maintainers; ``in_flow``,
        a step's answer refused, only if it says something in words (用我的号码, 不改了)."""
        masked = mask(body, self.engine.interpreter.lexicon.surnames)
        if not in_flow or worded(masked):
            self.engine.store.record_miss(masked, self.ctx.now)

    # -- free text -------------------------------------------------------------------------

    def _understand(self, body: str, first: bool) -> list[Reply]:
        """A message outside any flow that is no command: what it most likely means."""
        reading, threshold = self._read(), self.engine.interpreter.lexicon.scoring.threshold
        if self._known():  # 明天没空去打针, 全家的预约时间: by who is on the phone
            reading = settle(self.ctx, reading, threshold, self.follow)
        if reading.confident:
            return self._act(reading)
        likely = reading.likely(threshold)
        if likely:
            self.state.wish = reading.entities.said()
            choices = [
                Option(str(n), self.t(f"intent.{name}"), f"intent:{name}")
                for n, name in enumerate(likely, 1)
            ]
            choices.append(Option(str(len(choices) + 1), self.t("menu.all"), "intent:menu"))
            return [Reply(self.t("unsure"), self._show(choices, engine=True))]
        self._miss(body)
        if reading.unanswerable():  # 打完可以饮酒吗, is there parking: a person may know
            return [Reply(self.t("ask.unknown"))]
        return self._menu(self.t("welcome" if first else "unknown"))

    def _act(self, reading: Reading, wish: dict[str, Any] | None = None) -> list[Reply]:
        """Do what a confident reading asks: start its flow, answer its question, or run the
        command it names."""
        intent = reading.intent
        said = wish if wish is not None else reading.entities.said()
        if intent.startswith("ask."):  # every question asked (孕妇可以打吗？要带什么？)
            reply = Reply(answer_all(self.ctx, reading.topics(), reading.entities))
            booking = book_at(self.ctx, reading.topics(), reading.entities)  # 1: the first site
            return [self._offer(reply, *booking) if booking else reply]
        if intent in FLOW_INTENTS:
            self._leave_flow()
            named = self._named(reading.text) if intent in NAMING else None
            before = self.before_people if intent in NAMING and self._known() else None
            carry = carried(self.ctx, reading, self.message.text, said, named, before)
            one = carry.get("named")
            self.state.about_people = carry.get("people") or ([] if one is None else [one])
            self.state.follow = intent if intent in SWITCHES else None
            first = said_first(self.ctx, reading, self.message.text, said, carry)
            return [Reply(line) for line in first] + self._start(intent, carry=carry)
        if intent == "thanks":
            return [Reply(self.t("thanks"))]
        return self._command(INTENT_COMMANDS[intent])

    def _named(self, text: str) -> int | None:
        """The one person registered on this phone whose name the message writes, if any (no
        account is made for looking)."""
        return self.ctx.person_named(text) if self._known() else None

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
                return self._menu(self.t("quit"))
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
                account = self.state.account if self._known() else None
                opt(self.ctx, account, command is Command.STOP)
                return [Reply(self.t("optout.done" if command is Command.STOP else "optin.done"))]
            case Command.ACCEPT | Command.DECLINE:
                self._leave_flow()
                return self._start("offer", carry={"accept": command is Command.ACCEPT})
            case Command.CANCEL if self.state.flow in ("book", "register"):
                # 取消 while a booking or registration is filled in stops it (it offered a
                # relative's booking, which a "1" then cancelled); sent again, it cancels one
                booked = self._known() and any(self.ctx.bookings(p.id) for p in self.ctx.people())
                self._leave_flow()
                return self._menu(self.t("quit.cancel" if booked else "quit"))
            case (
                Command.BOOK
                | Command.STATUS
                | Command.REGISTER
                | Command.CANCEL
                | Command.RESCHEDULE
                | Command.LINK
                | Command.NOTIFY
                | Command.UNLINK
            ):
                self._leave_flow()
                return self._start(command.value)

    def _action(self, action: str) -> list[Reply]:
        kind, _, name = action.partition(":")
        if kind == "lang":
            return self._set_language("zh" if name == "zh" else "en")
        if kind == "cmd":
            return self._agent()
        if kind == "intent":
            wish, self.state.wish = self.state.wish, {}
            if name == "menu":
                return self._menu(self.t("menu"))
            reading = Reading(name, True, Entities.load(wish), False, None, False)
            return self._act(reading, wish)
        self._leave_flow()
        return self._start(name)

    def _menu(self, intro: str) -> list[Reply]:
        menu = [Option(str(i), self.t(key), value) for i, (key, value) in enumerate(MAIN_MENU, 1)]
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
        self.state.wish = {}
        self.state.data.clear()
        self.state.history.clear()
        self.state.options = []

    def _start(self, name: str, carry: dict[str, Any] | None = None) -> list[Reply]:
        if not carry and self.offered and name in self.offered["flows"]:
            carry = self.offered["carry"]  # "1" or "预约" after "1 为刘洋预约接种"
        flow = FLOWS[name]
        self.state.flow, self.state.step = name, None
        self.on_screen = None  # a flow begun afresh has shown nothing yet (its "again" unsaid)
        self.state.data.clear()
        self.state.data.update(carry or {})
        self.state.history.clear()
        outcome: Outcome = flow.start(self.ctx) if flow.start else Next(flow.first)
        return self._apply(outcome)

    def _answer(self, body: str, folded: str) -> list[Reply]:
        assert self.state.flow is not None and self.state.step is not None
        flow = FLOWS[self.state.flow]
        step = flow.steps[self.state.step]
        option = match_stored(folded, self.state.options)
        if option is not None:
            return self._apply(step.answer(self.ctx, Answer(body, option)))
        reading = self._read()
        simple = simplified(body) if self.said.script != "hans" else body  # 唔係 read as 唔系
        answer = Answer(
            body, None, reading.entities, reading.intent, simple, reading.confident,
            reading.question,
        )  # fmt: skip
        self.ctx.step = self.state.step
        heard = flow.heard(self.ctx, answer) if flow.heard else None  # 她才16岁 while registering
        if heard is not None and not isinstance(heard, str):
            return self._apply(heard)
        early = before_question(self.ctx, self.state.flow, self.state.step, answer)
        if early is not None:  # 返回上一步 / 点解要身份证 / 等我问下我老公 / 边个近啲
            return self._back() if isinstance(early, str) else self._apply(early)
        return noted(heard, self._answer_words(body, reading, answer))

    def _answer_words(self, body: str, reading: Reading, answer: Answer) -> list[Reply]:
        assert self.state.flow is not None and self.state.step is not None
        flow = FLOWS[self.state.flow]
        step = flow.steps[self.state.step]
        owned = step.own is not None and step.own(simplified(body))
        if (
            reading.intent.startswith("ask.")
            and reading.confident
            and (reading.question or not step.free_text)
            and not owned
        ):
            # a question inside a flow (吗, ?, 多久): answered, then the flow's question again;
            # without a mark of a question, 晚上 or 轮椅 answers a step that takes words (a
            # time, a wish), but no step of numbered options (白云会议中心地址 at the consent)
            reply = answer_all(self.ctx, reading.topics(), reading.entities, closing=False)
            if (first := answer_before(step, body, self.state.options)) is not None:
                return [Reply(reply), *self._apply(step.answer(self.ctx, first))]  # 没有。要钱吗？
            return [Reply(reply), *self._reask(None)]
        mind = changed_mind(self.ctx, self.state.flow, self.state.step, answer)
        if mind is not None:  # 算了，唔改啦 / 不是我，是给我妈约 / 第二针想打国药 at any step
            return self._apply(mind)
        if flow.revise is not None:
            revised = flow.revise(self.ctx, answer)
            if revised is not None:
                return self._apply(revised)
        if (
            self.state.after == "book"
            and (
                reading.intent == "reschedule" or (reading.intent == "book" and not step.free_text)
            )
            and (
                note := kept_note(self.ctx, reading.entities)  # 算了，改成后天 while registering
            )
        ):
            self.state.wish = {**self.state.wish, **reading.entities.said()}
            return self._reask(note)
        if reading.confident and reading.intent != self.state.flow:
            if reading.intent == "status":  # 我约了吗 while booking: told, and the flow goes on
                told = status_texts(self.ctx, in_flow=True)  # an offer: by 接受, not by 1
                return [*(Reply(said) for said in told), *self._reask(None)]
            if reading.intent == "cancel" and not reading.entities:  # 取消呀 while booking
                return self._command(Command.CANCEL)  # stops this one (see ``_command``)
            if reading.intent in SWITCHES:
                return self._act(reading)
            if reading.intent in SWITCH_REPLIES and not owned:  # call me Ahmed: a name
                return self._command(INTENT_COMMANDS[reading.intent])
        if not step.free_text and not owned:  # a step of options reads only what it owns
            pick = self.t("pick_number", n=len(self.state.options))
            self._miss(body, in_flow=True)  # 系, 随便, 跟我爸同一个地方: none of the options
            if confused(answer.words):  # 什么意思 / ？？？: how to answer it
                pick = self.t("mind.confused.pick")
            elif reading.unanswerable() and not reading.entities:
                # 有停车场吗: not known here, a person may know
                pick = self.t("ask.unknown") + (" " if self.state.lang == "en" else "") + pick
            return self._reask(pick)
        outcome = step.answer(self.ctx, answer)
        if isinstance(outcome, Retry) and not outcome.sure:  # 她没有手机，用我的: refused
            self._miss(body, in_flow=True)
            if confused(answer.words, marks=bool(self.state.options)):  # 我不懂, ？？？ at a list
                return self._reask(self.t("mind.confused.type"))
            if reading.unanswerable() and not reading.entities:
                # 打完可唔可以冲凉 at the date question: not known here, and the step asked again
                return self._reask(self.t("ask.unknown"))
        return self._apply(outcome)

    def _apply(self, outcome: Outcome) -> list[Reply]:
        match outcome:
            case Next(step, note, rewind, prompt):
                history = self.state.history
                if rewind:
                    if step in history:
                        del history[history.index(step) :]
                elif self.state.step is not None and self.state.step != step:
                    history.append(self.state.step)
                self.state.step = step
                return self._reask(note, prompt)
            case Retry(note, prompt):
                return self._reask(note, prompt)
            case Done(note, then, abort, carry, attachments, more, offer):
                after = then or (None if abort else self.state.after)
                kept = self.state.wish if after and not then else {}  # back from a handoff
                self._leave_flow()
                if kept:
                    carry = {**(carry or {}), "wish": kept}
                replies = [Reply(note, attachments=attachments)] if note else []
                replies += [Reply(extra) for extra in more]
                if offer and not after and replies:
                    replies[-1] = self._offer(replies[-1], offer, carry)
                return replies + (self._start(after, carry) if after else [])
            case Handoff(flow, after, note, carry):
                wish = self.state.data.get("wish") or {}
                replies = [Reply(note)] if note else []
                replies += self._start(flow, carry)
                if self.state.flow == flow:  # still going: come back to `after` once done
                    self.state.after = after
                    self.state.wish = wish  # what was said for `after`, kept till then
                return replies

    def _offer(self, reply: Reply, offer: Sequence[Option], carry: dict[str, Any] | None) -> Reply:
        """``reply`` with a finished flow's offer (``Done.offer``) as the engine's own options;
        the flows they name start with ``carry`` (and ``offered`` True) if the next message
        picks one of them."""
        flows = [str(option.value).partition(":")[2] for option in offer]
        self.state.data["offered"] = {"flows": flows, "carry": {**(carry or {}), "offered": True}}
        return Reply(reply.text, self._show(offer, engine=True), reply.attachments)

    def _reask(self, note: str | None, prompt: Prompt | None = None) -> list[Reply]:
        """Ask the current step (or ``prompt``), with ``note`` said first: in the step's short
        form if it has one and it is still the step on screen, in the same language (a
        question answered at it, an answer that is no option)."""
        assert self.state.flow is not None and self.state.step is not None
        if prompt is None:
            step = FLOWS[self.state.flow].steps[self.state.step]
            seen = (self.state.flow, self.state.step, self.ctx.lang) == self.on_screen
            prompt = (step.again if seen and step.again else step.ask)(self.ctx)
        body = prompt.text if not note or note == prompt.text else f"{note}\n{prompt.text}"
        return [Reply(body, self._show(prompt.options))]

    def _show(self, options: Sequence[Option], engine: bool = False) -> tuple[ReplyOption, ...]:
        """Remember the options on screen (a step's, or the engine's own) and render them."""
        stored = [option.dump() for option in options]
        if engine:
            self.state.actions = stored
            if self.state.flow is None and self._known():  # a 1 answers these, not an offer
                self.state.data["offers_seen"] = [o.id for o in open_offers(self.ctx)]
        else:
            self.state.options = stored
        return tuple(ReplyOption(o.key, o.label) for o in options)
