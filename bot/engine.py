"""The dialogue engine: one inbound message in, replies out, state in the store.

Each turn is one database transaction: the duplicate check, the conversation state, and any
booking the turn makes are committed together or not at all. So a turn that fails leaves nothing
half-done, a redelivered message gets the replies already given, and a restarted process (or a
second one on the same file) resumes every conversation where it stood.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import datetime

import orjson

from bot import metrics
from bot.clock import Clock
from bot.conversation import State, guess_language, in_traditional
from bot.matching import visible
from bot.messages import Behind, Inbound, Reply, Then
from bot.nlu import Interpreter
from bot.turn import MAX_TEXT, Turn
from flows.date_text import cn_numerals_to_digits
from flows.identity import mask_address
from flows.policy import Policy
from flows.resume import recap
from flows.texts import text
from flows.verbatim import collecting
from store import Store

log = logging.getLogger("vaxbot.engine")

__all__ = ["MAX_TEXT", "Engine"]  # MAX_TEXT: bot/turn.py's, where it is read


class Engine:
    def __init__(self, store: Store, policy: Policy, clock: Clock) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock
        self.interpreter = Interpreter(policy, store.sites)
        self.failures = 0  # turns failed in this process, for the log line

    def warm(self) -> None:
        """At start-up: what the first free-text message would otherwise wait for (the
        interpreter's tables; the reader of Chinese numerals in times at the booking's steps,
        0.2–0.7 s to import)."""
        self.interpreter.warm(self.clock().date())
        cn_numerals_to_digits("下午三点")

    def handle(self, message: Inbound) -> list[Reply]:
        """One turn for ``message`` (no place in line: see ``turn``)."""
        return self.turn(message)[0]

    def turn(
        self, message: Inbound, place: int | None = None, then: Then | None = None,
        received_us: int = 0, fresh_us: int = 0,
    ) -> tuple[list[Reply], str]:  # fmt: skip
        """One turn: the replies and the outcome ("ok", "redelivered", "failed"). With a
        ``place`` in the conversation's line (store/arrivals.py; received at ``received_us``),
        ``Behind`` if arrivals before it (since ``fresh_us``) are still in line; the turn takes
        it out. ``then`` runs inside the turn's transaction with the replies."""
        started = time.perf_counter()
        now = message.time.astimezone(self.policy.zone) if message.time else self.clock()
        events: list[str] = []
        try:
            line = (place, received_us, fresh_us)
            replies, outcome = self._handle(message, now, events, line, then)
        except Behind:
            raise
        except Exception as error:
            # The transaction rolled back every write of the turn, state included: the resident
            # can simply try again. Still, never leave a message unanswered. One line a
            # failure (a full disk fails every turn): the traceback at DEBUG.
            self.failures += 1
            log.error(
                "turn failed on %s from %s (%d failed in this process): %s: %.200s",
                message.channel, mask_address(message.address), self.failures,
                type(error).__name__, error,
            )  # fmt: skip
            log.debug("the failed turn", exc_info=True)
            lang = message.lang if message.lang in ("zh", "en") else guess_language(message.text)
            replies, outcome = [Reply(text("zh" if lang == "zh" else "en", "error"))], "failed"
        metrics.turn(message.channel, outcome, time.perf_counter() - started, len(replies))
        for event in events:
            metrics.booked(message.channel, event)
        return replies, outcome

    def _handle(
        self, message: Inbound, now: datetime, events: list[str],
        line: tuple[int | None, int, int], then: Then | None,
    ) -> tuple[list[Reply], str]:  # fmt: skip
        lang = guess_language(message.text)
        store = self.store
        with store.transaction():
            # One turn of a conversation at a time, across processes too: the turn's first
            # statement (SQLite's write lock already is that; a server takes a lock).
            store.lock_conversation(message.channel, message.address)
            # A provider's id, scoped to the sender: nobody gets another's stored replies
            # by quoting their message id (where senders choose ids, as in email).
            seen = f"{message.address} {message.message_id}" if message.message_id else None
            earlier, stored, ahead = store.turn_start(message.channel, message.address, seen, *line)
            if ahead:
                raise Behind(ahead)
            if line[0] is not None:
                store.leave_line(line[0])
            if earlier is not None:
                replies = [Reply.from_json(r) for r in orjson.loads(earlier)]
                if then is not None:
                    then(replies)
                return replies, "redelivered"
            if stored is None and message.lang in ("zh", "en"):
                lang = "zh" if message.lang == "zh" else "en"  # the channel knows better
            state = State.load(orjson.loads(stored)) if stored else State(lang=lang)
            was, idle = state.flow, state.idle(now)
            expired = state.expire(now, self.policy.booking.flow_expires_hours)
            # read without the invisible characters pasted around it (1\u200b is 1)
            turn = Turn(self, replace(message, text=visible(message.text)), state, now)
            with collecting() as verbatim:  # names, sites, codes filled into the replies
                replies = turn.run(first=stored is None)
                note = text(state.lang, "flow.expired") if expired else None
                back = idle >= self.policy.booking.flow_recap_hours and not expired
                if back := back and was is not None and was == state.flow:  # in progress
                    note = recap(turn.ctx, state.flow or "", state.step, state.data, int(idle))
            if note and replies:  # said first, in the same SMS
                replies[0] = replace(replies[0], text=f"{note}\n{replies[0].text}")
            if state.script == "hant" and state.lang == "zh":
                verbatim |= self._stored_names(state.account)
                replies = [in_traditional(reply, verbatim) for reply in replies]
            # Compared as text: the flows change the state's data in place. A turn that
            # changes nothing (garbage re-asked) writes nothing, its moment included.
            dumped_state = state.dump()
            if back or orjson.dumps(dumped_state).decode() != stored:  # told once
                state.at = dumped_state["at"] = now.isoformat(timespec="seconds")  # last moved
                after = orjson.dumps(dumped_state).decode()
                store.save_state(message.channel, message.address, after, now)
            if seen:
                dumped = orjson.dumps([r.to_json() for r in replies]).decode()
                store.record_inbound(message.channel, seen, dumped, now)
            if then is not None:
                then(replies)
        events.extend(turn.ctx.events)  # counted once the turn is committed
        return replies, "ok"

    def _stored_names(self, account: int | None) -> set[str]:
        """Names a reply may hold that are shown as stored, whatever the reply's script: the
        sites', and those of the people registered on the sender's account."""
        names = set(self.interpreter.site_names())
        if account is not None:
            names.update(r.name for r in self.store.residents_of(account))
        return names
