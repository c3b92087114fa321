"""A conversation as stored (language, flow, step, data, options on screen) and the guess at
a first message's language."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.messages import Reply, ReplyOption
from bot.nlu.normalise import MAX_READ, latin_words, simplified, to_traditional
from bot.nlu.script import language_of
from flows.texts import Lang

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def guess_language(message: str) -> Lang:
    """A first message's language: English if it has a word in Latin letters and no Chinese
    character, or is an English sentence around a few Chinese words (``language_of``); else
    Chinese (symbols, markup and numbers are no words: ``<script>alert(1)</script>`` is not
    English). Read from the first ``MAX_READ`` characters, whatever the length."""
    if not _LATIN.search(message):
        return "zh"
    folded = unicodedata.normalize("NFKC", message[:MAX_READ]).casefold()
    words = latin_words(folded)
    cjk = len(_CJK.findall(folded))
    if not cjk:
        return "en" if words else "zh"
    simple = simplified(folded)
    return "en" if language_of(simple, cjk, words) == "en" else "zh"


@dataclass
class State:
    """A conversation as stored: language, where in which flow, and the options on screen."""

    lang: Lang
    account: int | None = None  # the sender's account, once known
    script: str | None = None  # "hant": the resident writes Traditional characters
    wish: dict[str, Any] = field(default_factory=dict)  # what an unsure reading said, kept
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    after: str | None = None
    # Options on screen, kept in their stored form (Option.dump) and read only when matching.
    options: list[list[Any]] = field(default_factory=list)  # the current step's
    actions: list[list[Any]] = field(default_factory=list)  # the engine's own (menu, language)
    at: str | None = None  # when the last turn ended (ISO 8601)
    about: str | None = None  # the relative the last message named (佢, she: that one)
    about_people: list[int] = field(default_factory=list)  # whom it named by name, or several
    follow: str | None = None  # the status, cancel or move it asked for (我爸呢: his too)

    def idle(self, now: datetime) -> float:
        """Hours since the last turn ended (0 if none has)."""
        if self.at is None:
            return 0.0
        return (now - datetime.fromisoformat(self.at)) / timedelta(hours=1)

    def expire(self, now: datetime, hours: int) -> bool:
        """End a flow left unfinished for ``hours`` (what was on screen with it too); whether
        one was."""
        if self.flow is None or self.at is None:
            return False
        if now - datetime.fromisoformat(self.at) < timedelta(hours=hours):
            return False
        self.flow = self.step = self.after = None
        self.data, self.wish, self.history, self.options, self.actions = {}, {}, [], [], []
        return True

    def dump(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "account": self.account,
            "script": self.script,
            "wish": self.wish,
            "flow": self.flow,
            "step": self.step,
            "data": self.data,
            "history": self.history,
            "after": self.after,
            "options": self.options,
            "actions": self.actions,
            "at": self.at,
            "about": self.about,
            "about_people": self.about_people,
            "follow": self.follow,
        }

    @classmethod
    def load(cls, raw: dict[str, Any]) -> State:
        return cls(
            lang=raw["lang"],
            account=raw.get("account"),
            script=raw.get("script"),
            wish=raw.get("wish") or {},
            flow=raw["flow"],
            step=raw["step"],
            data=raw["data"],
            history=raw["history"],
            after=raw["after"],
            options=raw["options"],
            actions=raw["actions"],
            at=raw.get("at"),
            about=raw.get("about"),
            about_people=raw.get("about_people") or [],
            follow=raw.get("follow"),
        )


def in_traditional(reply: Reply, verbatim: Collection[str] = ()) -> Reply:
    """``reply`` in Traditional characters (for a resident who writes them), options too;
    the ``verbatim`` values in it (names, sites, codes) left exactly as they are."""
    pattern = _verbatim_pattern(tuple(sorted(v for v in verbatim if v))) if verbatim else None

    def convert(text: str) -> str:
        if pattern is None:
            return to_traditional(text)
        parts = pattern.split(text)  # the values at odd places (one group in the pattern)
        return "".join(p if i % 2 else to_traditional(p) for i, p in enumerate(parts))

    options = tuple(ReplyOption(o.key, convert(o.label)) for o in reply.options)
    return Reply(convert(reply.text), options, reply.attachments)


@functools.lru_cache(maxsize=256)
def _verbatim_pattern(values: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for these values, longest first (天河体育中心接种点 before 天河)."""
    if not values:
        return None
    ordered = sorted(values, key=len, reverse=True)
    return re.compile("(" + "|".join(re.escape(v) for v in ordered) + ")")
