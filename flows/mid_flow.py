"""What residents type inside a flow that answers nothing on screen, at any step (explore
"mid-flow"): holding on (等一下, 我问下我老公先, hold on), going back (返回上一步, go back),
something typed or chosen earlier said to be wrong (名字打错了, 身份证号输错了, 区选错了,
地点错了, wrong day), stopping (我改主意了, 唔约啦) and why a step asks what it asks (点解要身份证,
why do you need my number). Read on the words of the lexicon's ``[minds]`` lists and
``[minds.fields]``; nothing here books, cancels or stores anything: a correction goes back to
the step that asked, and what was given there and after is asked again.

``flows.minds.changed_mind`` asks ``mid_flow`` first; ``bot.turn`` asks ``why_asked`` before
it answers a question (点解要身份证 is no question about what to bring) and ``confused`` when a
step could not read a message (什么意思, 我不懂, ？？？).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from flows import lexicon
from flows.dialogue import Answer, Ctx, Next, Outcome, Retry
from flows.mind_words import bare, folded, words_pattern, words_say

# Registration steps in the order they ask, and the data each one's answer fills in.
REGISTER_ORDER: tuple[str, ...] = ("name", "document", "id_number", "passport", "nationality")
REGISTER_ORDER += ("birth_date", "phone", "home", "district")
FILLS = {
    "name": ("name",),
    "document": ("id_type",),
    "id_number": ("id_number", "birth_date", "sex"),
    "passport": ("id_number", "nationality", "birth_date", "sex"),
    "phone": ("phone",),
}
# Booking steps in the order they ask (the health questions before them).
BOOK_ORDER = ("screening", "where", "district", "site", "date", "period", "confirm")
# What each of a booking's choices sets, forgotten when it is said to be wrong (with those after).
CHOSEN = {
    "district": ("district", "site_id", "day", "slot_id"),
    "site": ("site_id", "day", "slot_id"),
}
CHOSEN |= {"day": ("day", "slot_id"), "time": ("slot_id",)}
# Fields a registration keeps; in a booking they are on record already (人工 corrects them).
PERSON_FIELDS = frozenset({"name", "id_number", "phone", "document"})
# Steps whose question asks for a field (for 点解要身份证 at the step that asks it or before).
WHY_STEPS = {
    "id_number": frozenset({"document", "id_number", "passport"}),
    "document": frozenset({"document", "id_number", "passport"}),
    "phone": frozenset({"phone"}),
    "home": frozenset({"home", "district"}),
}
_DIGITS = re.compile(r"\d")


said = words_say  # whether words hold one of the lexicon's ``[minds] kind`` words


def field_named(words: str) -> str | None:
    """The first field of ``[minds.fields]`` (in the lexicon's order) the words name: 身份证号码
    is the ID number before it is a phone number."""
    text = folded(words)
    for field, names in lexicon.load().mind_fields.items():
        pattern = words_pattern(*names)
        if pattern is not None and pattern.search(text):
            return field
    return None


# Steps asking a question of fact (was dose 1 given elsewhere? a health question), where "not
# yet" (还没) answers no rather than holds on.
_OF_FACT = re.compile(r"declare$|q_")
_NOT_YET = re.compile(r"\bnot yet\b|还没|仲未|未曾")


def _nothing_named(answer: Answer) -> bool:
    """No day, week, time of day, place or refusal named (a person may be: 我问下我老公先), and
    no number typed (等一下，13912345678 answers)."""
    named = answer.said.said()
    named.pop("relation", None)
    return not named and not _DIGITS.search(answer.text)


def mid_flow(ctx: Ctx, flow: str, step: str, answer: Answer) -> Outcome | None:
    """Holding on, going back or a correction at ``step``; None when the message is none."""
    if not _nothing_named(answer):
        return None
    not_yet = _OF_FACT.match(step) and _NOT_YET.search(answer.words.casefold())
    if said(answer.words, "hold") and not said(answer.words, "doing") and not not_yet:
        return Retry(ctx.t("mind.wait"), sure=True)  # 等一下: nothing taken, asked again
    return corrected(ctx, flow, step, answer)


def corrected(ctx: Ctx, flow: str, step: str, answer: Answer) -> Outcome | None:
    """名字打错了 / 区选错了 / 地点错了 / 换个区: back to the step that asked it (or 人工 for a
    detail on record); None when the message says no such thing. The district chosen may be
    named with it (唔要天河，换个区)."""
    if not _nothing_named(answer) and not _leaving_district(ctx, answer):
        return None
    if said(answer.words, "wrong") or said(answer.words, "other_district"):
        field = "district" if said(answer.words, "other_district") else field_named(answer.words)
        if field is None:
            return None
        if flow == "register":
            return _register_fix(ctx, step, field)
        if flow in ("book", "reschedule"):
            return _booking_fix(ctx, step, field)
    return None


def _leaving_district(ctx: Ctx, answer: Answer) -> bool:
    """Another district asked for, naming only the one chosen (唔要天河，换个区, 天河太远了)."""
    named = answer.said.said()
    named.pop("relation", None)
    chosen = ctx.data.get("district")
    return bool(chosen) and named == {"district": chosen} and said(answer.words, "other_district")


def goes_back(answer: Answer) -> bool:
    """返回上一步 / 返去上一步 / go back, with nothing else said: as BACK does (``bot.turn``)."""
    return _nothing_named(answer) and not answer.question and said(answer.words, "back")


def _register_fix(ctx: Ctx, step: str, field: str) -> Outcome | None:
    """名字打错了 / 身份证号输错了 at a later registration step: back to the step that asked it,
    what was given there and after asked again."""
    if field == "id_number" and ctx.data.get("id_type") == "passport":
        field = "passport"
    if field not in FILLS or step not in REGISTER_ORDER:
        return None
    if REGISTER_ORDER.index(field) > REGISTER_ORDER.index(step):
        return None  # not asked yet
    if field == step:
        return Retry(ctx.t("mind.fix.here"), sure=True)
    for later in REGISTER_ORDER[REGISTER_ORDER.index(field) :]:
        for key in FILLS.get(later, ()):
            ctx.data.pop(key, None)
    return Next(field, note=ctx.t("mind.fix"), rewind=True)


def _booking_fix(ctx: Ctx, step: str, field: str) -> Outcome | None:
    """区选错了 / 地点错了 / wrong day / 时间错了: back to that choice of this booking; a name, ID
    or phone on record: 人工 corrects it (nothing stored is changed here)."""
    if field in PERSON_FIELDS:
        return Retry(ctx.t("mind.fix.registered"), sure=True)
    if field not in CHOSEN or step not in BOOK_ORDER:
        return None
    asked = {"district": "district", "site": "site", "day": "date", "time": "period"}[field]
    if asked == "district" and "district" not in ctx.data:
        return None
    if BOOK_ORDER.index(asked) > BOOK_ORDER.index(step):
        return None  # not chosen yet
    if asked == step:
        return Retry(ctx.t("mind.fix.here"), sure=True)
    for key in CHOSEN[field]:
        ctx.data.pop(key, None)
    if asked == "period":
        for key in ("part", "hour", "by_hour", "from_hour"):  # every period of the day again
            ctx.data[key] = None
    if asked == "district" and int(ctx.data.get("dose") or 1) > 1:
        asked = "where"
    if asked == "site":
        from flows.booking_place import go_district  # booking_place imports minds, this caller

        district = ctx.data.get("district")
        if district:
            went = go_district(ctx, str(district))
            if isinstance(went, Next):
                return Next(went.step, note=ctx.t("mind.fix"), rewind=True, prompt=went.prompt)
            return went
    return Next(asked, note=ctx.t("mind.fix"), rewind=True)


def why_asked(ctx: Ctx, flow: str, step: str, words: str) -> Outcome | None:
    """点解要身份证 / why do you need my number at the step asking for it: why it is asked, and
    the step again."""
    if flow != "register" or not said(words, "why"):
        return None
    field = field_named(words)
    if field is None or step not in WHY_STEPS.get(field, frozenset()):
        return None
    return Retry(ctx.t(f"mind.why.{field}"), sure=True)


BACK: Literal["back"] = "back"  # what ``before_question`` returns for 返回上一步: the engine's BACK


def before_question(
    ctx: Ctx, flow: str, step: str, answer: Answer
) -> Outcome | Literal["back"] | None:
    """What a message means at ``step`` before it is answered as a question: "back" for
    返回上一步; why the step asks (点解要身份证); near home asked at a place step (边个地方近啲:
    the home district's sites with their addresses, not the accessible ones)."""
    if goes_back(answer):
        return BACK
    if _nothing_named(answer) and what_now(answer.words):
        return Retry(ctx.t("mind.what_now"), sure=True)  # 然后呢 / what do i do now
    if (why := why_asked(ctx, flow, step, answer.words)) is not None:
        return why
    if (fixed := corrected(ctx, flow, step, answer)) is not None:
        return fixed  # 接种点拣错咗 is no question about a site
    if flow in ("book", "reschedule") and answer.question:
        from flows.near import near  # near imports booking_place, which imports this module

        return near(ctx, step, answer)
    return None


# Besides punctuation and particles (``bare``), what may stand around "what now" words and leave
# them all the message says.
_AROUND = re.compile(r"\b(?:now|next|then|so|here)\b|[呢吧我要]")


def what_now(words: str) -> bool:
    """Whether ``words`` say only "what now?" (然后呢, 下一步点做, what do i do now): not a
    question with more in it (错过咗预约点算 asks about a missed appointment)."""
    pattern = words_pattern(*lexicon.load().minds.get("what_now", ()))
    text = folded(words)
    if pattern is None or not pattern.search(text):
        return False
    return not bare(_AROUND.sub("", pattern.sub("", text)))


def confused(words: str, marks: bool = True) -> bool:
    """什么意思 / 我不懂 / I don't understand, and with ``marks`` ？？？ alone: the step could
    not read it, so how to answer it is said (a step that takes words says its own reason for
    ？？？: 姓名请用文字填写)."""
    if said(words, "confused"):
        return True
    if not marks:
        return False
    stripped = re.sub(r"\s", "", unicodedata.normalize("NFKC", words))
    return bool(stripped) and set(stripped) <= set("?？!！.。…")
