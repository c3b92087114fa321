"""A reading settled by who is on the sender's phone (DESIGN.md: family members book for
elderly relatives), before it is acted on, outside any flow:

- not free to go (明天没空去打针, 听日唔得闲, I can't make it tomorrow): a request that rules
  out a day (``not_day``) on which someone on the phone is booked, in words of ``[whose]
  cant_go``, is about that booking: cancelled, or moved when another day is said
  (明天没空，后天可以吗), never a new booking wished for;
- their bookings or the booking hours (全家的预约时间, 我们全家的预约时间): unsure between the
  two, a phone with several people booked means their bookings;
- a question naming someone on the phone (张建国的预约时间, 李丽有没有预约, when does my father
  get his shot) that reads as the booking hours, walk-ins or a booking, asks when (or whether)
  they are booked: their bookings.
Nothing is looked up in the store unless the words could mean one of these."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.nlu import Reading
from flows import lexicon
from flows.dialogue import Ctx
from flows.mind_words import words_pattern
from flows.shift import shift_said
from flows.whose import people_said, whose_said

# when, or whether, someone is booked: 几时, 几点, 边日, 有没有预约, when, booked
_WHEN = re.compile(
    r"几时|几点|几号|哪天|哪一天|边日|边天|几多号|什么时候|乜嘢时候|有没有约|有没有预约|有冇约"
    r"|有冇预约|约了吗|约咗|约了没|预约时间"
    r"|\b(?:when|what time|what day|booked|booking|appointments?)\b"
)
# their booking, named and nothing else asked: 我妈嘅预约, 王秀英的预约呢, my mum's appointment?
_THEIRS = re.compile(r"[的嘅个個](?:预约|针)[呢啊呀咧]?[?？]?$|'s (?:appointment|booking|shot)\??$")
# a person alone, asked about as before: 我爸呢, 那我的呢, 咁王秀英呢, and my dad's?, what about me
_ELLIPSIS = re.compile(
    r"^(?:那|咁|噉)?\s*[^\s，,。]{1,8}?[呢咧]\s*[?？]*$"
    r"|^(?:and|what about|how about)\s+[\w' ]{1,20}[?？]*$"
)
# what a question naming someone on the phone is misread as, when it asks when they go
# (an age, the release time or a maker only when unsure, or asked of their booking with no age,
# dose or maker said: 我妈80岁几时可以打 asks the age rules)
_MISREAD = frozenset({"book", "ask.hours", "ask.walkin", "none"})
_UNSURE_MISREAD = frozenset({"ask.release", "ask.age", "ask.maker"})
_BOOKED = re.compile(r"预约|约了|约咗|针|\b(?:booked|appointments?|booking|shot)\b")


def settle(ctx: Ctx, reading: Reading, threshold: float, follow: str | None = None) -> Reading:
    """``reading``, or what it means on this phone (the sender has an account); ``follow``:
    the status, cancel or move the message before asked for (我妈几时打针, then 我爸呢)."""
    likely = reading.likely(threshold) if not reading.confident else (reading.intent,)
    if follow is not None and _ELLIPSIS.match(reading.text) and _someone(ctx, reading):
        return _as(reading, follow)  # 我爸呢, 那我的呢, 咁王秀英呢, and my dad's?
    if reading.intent != "status" and (cant := _cant_go(ctx, reading)) is not None:
        return cant
    if reading.intent in ("book", "status") and _moves(ctx, reading, likely):
        return _as(reading, "reschedule")  # 我妈推迟两天打针, 我的预约提早一天
    if reading.intent in ("status", "cancel", "reschedule") and reading.confident:
        return reading
    intent = _theirs(ctx, reading, likely)
    return _as(reading, intent) if intent is not None else reading


def _theirs(ctx: Ctx, reading: Reading, likely: tuple[str, ...]) -> str | None:
    """The status, cancel or move a reading means when it names people here who are booked:
    unsure between booking and changing their bookings (老妈同老豆嘅预约都取消埋佢), their
    bookings or the booking hours (全家的预约时间), when they go (张建国的预约时间)."""
    text, people = reading.text, ctx.people()
    if len(people) < 2:
        return None
    if set(likely) == {"status", "ask.hours"} and whose_said(text).get("whose") == "everyone":
        several = sum(1 for p in people if ctx.bookings(p.id)) > 1
        return "status" if several else None
    said = people_said(people, text)
    booked = any(ctx.bookings(p.id) for p in said)
    changes = [i for i in likely if i in ("cancel", "reschedule", "status")]
    if booked and "book" in likely and not reading.confident and changes:
        return changes[0]
    sure = reading.entities
    misread = reading.intent in _MISREAD or (
        reading.intent in _UNSURE_MISREAD
        and (not reading.confident or _BOOKED.search(text) is not None)
        and sure.age is None
        and sure.dose is None
        and sure.maker is None
    )
    if (misread or "status" in likely) and _WHEN.search(text) and said:
        return "status"
    if reading.intent in _MISREAD and _THEIRS.search(text) and booked:
        return "status"
    return None


def _someone(ctx: Ctx, reading: Reading) -> bool:
    """Whether the reading names a person: a relation, one's own, or someone on the phone."""
    if reading.entities.relation not in (None, "other", "new"):
        return True
    return whose_said(reading.text).get("whose") == "mine" or bool(
        people_said(ctx.people(), reading.text)
    )


def _moves(ctx: Ctx, reading: Reading, likely: tuple[str, ...]) -> bool:
    """A booking request that moves bookings there are: by some days (推迟两天), or unsure
    between booking and moving, saying whose (move all our bookings to next week)."""
    shift = shift_said(reading.text)
    if reading.intent == "status" and not isinstance(shift, int):
        return False
    if not isinstance(shift, int) and not ("reschedule" in likely and whose_said(reading.text)):
        return False
    return any(ctx.bookings(p.id) for p in ctx.people())


def _cant_go(ctx: Ctx, reading: Reading) -> Reading | None:
    day = reading.entities.not_day or reading.entities.day  # 明天要加班，打不了针了
    if day is None:
        return None
    words = words_pattern(*lexicon.load().whose.get("cant_go", ()))
    if words is None or not words.search(reading.text.casefold()):
        return None
    if not any(b.slot.day == day for p in ctx.people() for b in ctx.bookings(p.id)):
        return None
    said = reading.entities
    other = said.not_day is not None and said.day is not None and said.day != said.not_day
    return _as(reading, "reschedule" if other else "cancel")


def _as(reading: Reading, intent: str) -> Reading:
    return replace(reading, intent=intent, confident=True, also=None, asked=())
