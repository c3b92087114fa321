"""What a request that starts a flow carries into it, read from the message once (帮王小妹约,
全部取消, 我怀孕了，想预约, 我叫李四，住天河, 帮我同我老公约), and what is said before the flow's
first question (one person at a time, how booking for others works, a question asked with it)."""

from __future__ import annotations

from typing import Any

from bot.matching import NAMING, SWITCHES
from bot.nlu import Reading
from bot.nlu.normalise import simplified
from bot.nlu.pronouns import pronoun_of
from flows.answers import answer_all
from flows.dialogue import Ctx
from flows.minds import people_meant
from flows.said_details import said_in
from flows.screening import conditions_said
from flows.shift import shift_said
from flows.soonest import far_wished
from flows.time_words import time_wish
from flows.two_people import one_by_one
from flows.whose import people_said, whose_said


def carried(
    ctx: Ctx,
    reading: Reading,
    text: str,
    said: dict[str, Any],
    named: int | None,
    before: list[int] | None = None,
) -> dict[str, Any]:
    """The flow's data from a request: its wish (``said``), for whom (a relation, or
    ``named``: the one person on the phone it names), whose bookings (several named together,
    or ``before``, whom the message before named, for a pronoun: ``None`` when the sender has
    no account), conditions stated, and the person's details (``text``: the message as
    written)."""
    intent = reading.intent
    carry: dict[str, Any] = {"wish": said} if said else {}
    if "relation" in said:
        carry["relation"] = said["relation"]
    if intent in NAMING and named is not None:
        carry["named"] = named  # 帮王小妹约, 取消张三的, 李秀英约咗几点: the one it names
    if intent in SWITCHES:  # 全部取消, 我几点打针, 取消第二个: whose (flows/whose.py)
        carry |= whose_said(reading.text)
        if before is not None and intent in NAMING:  # 我同阿妈都取消, 佢嘅取消, 佢哋都取消
            carry |= _several(ctx, reading, carry, before)
    if intent == "reschedule" and (shift := shift_said(reading.text)) is not None:
        carry["shift"] = shift  # 推迟两天, 提前: from the booked day (flows/shift.py)
        if isinstance(shift, int) and "wish" in carry:  # 推迟一日 is no 1st of the month
            carry["wish"] = {k: v for k, v in carry["wish"].items() if k != "day"}
    if intent == "book" and (health := conditions_said(simplified(text))):
        carry["wish"] = {**said, "health": health}  # 我怀孕了，想预约: asked, not passed
    if intent == "book" and (bounds := _time_bounds(text, said)):
        carry["wish"] = {**carry.get("wish", {}), **bounds}  # 约明天，唔好太早: from 10:00
    if intent in ("book", "register"):  # 我叫李四，住天河，4401…: not asked again
        carry |= said_in(text, simplified, ctx.policy, said)
    return carry


def _time_bounds(text: str, said: dict[str, Any]) -> dict[str, int]:
    """The hours a request's words for a time of day bound (唔好太早, early morning, am, pm:
    flows/time_words.py) when no hour was read otherwise (with a part of day, both hold)."""
    if any(key in said for key in ("hour", "from_hour", "by_hour")):
        return {}
    wish = time_wish(simplified(text))
    bounds = wish.bounds() if wish is not None else None
    if bounds is None:
        return {}
    return {k: v for k, v in zip(("from_hour", "by_hour"), bounds, strict=True) if v is not None}


def _several(
    ctx: Ctx, reading: Reading, carry: dict[str, Any], before: list[int]
) -> dict[str, Any]:
    """Whom a status, cancel or move means beyond one name or relation: several named together
    (``people``), or the one person a pronoun stands for when the message before named them
    by name (王秀英几时打针, then 佢嘅取消: ``named``)."""
    people = ctx.people()
    if len(people) < 2:
        return {}
    beside: set[int] = set()
    if (relation := carry.get("relation")) is not None and relation not in ("other", "new"):
        theirs, sure = people_meant(people, str(relation))  # 佢 for 我妈 just before: hers
        beside |= {p.id for p in theirs} if sure else set()
    pronoun = pronoun_of(reading.text)
    wanted = {"several": len(before) > 1, "pair": len(before) == 2, "one": len(before) == 1}
    if pronoun is not None and wanted[pronoun]:
        beside |= set(before)
    ids = {p.id for p in people_said(people, reading.text, frozenset(beside))}
    if len(before) == 1 and not ids and not any(k in carry for k in ("whose", "nth", "named")):
        ids = set(before)  # 王秀英的预约呢, then 改到下周二: still hers
    meant = [p.id for p in people if p.id in ids]
    if len(meant) > 1:
        return {"people": meant}
    return {"named": meant[0]} if meant and carry.get("named") is None else {}


def said_first(
    ctx: Ctx, reading: Reading, text: str, said: dict[str, Any], carry: dict[str, Any]
) -> list[str]:
    """What is said before a requested flow's first question: two people are booked one at a
    time (帮我同我老公约), how booking for others works (一家人可唔可以一齐约), the answer to a
    question asked with the request (想约第二针，要带什么？), that a day asked for is not out yet
    (下个月, 月底)."""
    intent = reading.intent
    first: list[str] = []
    if intent in ("book", "register") and (two := one_by_one(ctx, simplified(text), intent, carry)):
        first.append(two)
    if intent == "book" and reading.question and said.get("relation") == "other":
        cap = ctx.policy.registration.max_people_per_phone
        first.append(ctx.t("book.family", n=cap))
    if intent == "book" and "day" not in said and far_wished(text):  # 下个月打针: not out yet
        first.append(ctx.t("later.first", n=ctx.policy.booking.release_days_ahead))
    if reading.also and not reading.also.endswith("ask.age"):  # the flow tells ages
        first.append(answer_all(ctx, [reading.also[4:]], reading.entities, False))
    return first
