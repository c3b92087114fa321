"""A registration field said to be wrong after it was typed (名字打错了，应该是张珊; 身份证号打错了;
姓名寫錯咗，係張珊; sorry my name is wrong, it's John Smyth): changed, not read as the answer to
the question on screen (a name is no phone number). A new name said with it is taken at once
(said back, the question on screen asked again); else the field is asked for again: the name
as a question of its own, the ID document or the phone at their steps. Only a field already
given is changed. Words: the lexicon's ``[minds]`` ``fix_*``.
"""

from __future__ import annotations

import re
from typing import Final

from flows import lexicon
from flows.dialogue import Answer, Ctx, Next, Outcome, Prompt, Retry
from flows.names import Kind, read_name
from flows.register_age import heard as age_heard

# What comes before the right value: 应该是张珊, 係張珊, 改为, it's John Smyth, should be
_VALUE: Final = re.compile(
    r"(?:应该是|应该系|应该係|應該是|應該係|应是|改为|改成|改做|是|系|係|叫"
    r"|it'?s|it is|should be)\s*"
)
_PARTS: Final = re.compile(r"[,，、;；:：]\s*")
_ID_KEYS: Final = ("id_type", "id_number", "birth_date", "sex", "nationality", "permit")


def _says(text: str, key: str) -> bool:
    for word in lexicon.load().minds.get(key, ()):
        if word.isascii():
            if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text):
                return True
        elif word in text:
            return True
    return False


def _field(ctx: Ctx, text: str) -> str | None:
    """The field given already that ``text`` says is wrong (id before phone: 身份证号码)."""
    if not _says(text, "fix_wrong"):
        return None
    given = {
        "id": "id_number" in ctx.data,
        "birth": "birth_date" in ctx.data and ctx.data.get("id_type") != "resident_id",
        "phone": "phone" in ctx.data,
        "name": "name" in ctx.data,
    }
    return next((f for f, ok in given.items() if ok and _says(text, f"fix_{f}")), None)


def _name_in(answer: Answer, text: str) -> str | None:
    """The name said after the words that it is wrong (…应该是张珊), if one is."""
    found = list(_VALUE.finditer(text))
    if found:
        rest = text[found[-1].end() :].strip(" 。.!！,，")
    else:  # 改名，张珊: the part after the words that it is wrong
        parts = _PARTS.split(text)
        rest = parts[-1].strip(" 。.!！") if len(parts) > 1 else ""
        if _says(rest.casefold(), "fix_wrong"):
            return None
    typed = answer.text[len(answer.text) - len(rest) :] if len(answer.text) == len(text) else rest
    reading = read_name(typed, rest, answer.said)
    return reading.name if reading.kind is Kind.NAME and rest else None


def heard(ctx: Ctx, answer: Answer) -> Outcome | str | None:
    """What registration hears first: an age (``flows.register_age``), a name asked for again
    being typed, or a field said to be wrong."""
    if ctx.data.pop("fixing", None) == "name" and answer.option is None:
        reading = read_name(answer.text, answer.simple, answer.said)
        if reading.kind is Kind.NAME:
            ctx.data["name"] = reading.name
            return Retry(ctx.t("fix.name_done", name=reading.name))
    told = age_heard(ctx, answer)
    if told is not None or answer.option is not None:
        return told
    text = (answer.simple or answer.text).casefold()
    field = _field(ctx, text)
    if field is None or ctx.step == "name":
        return None
    if field == "name":
        if (name := _name_in(answer, answer.simple or answer.text)) is not None:
            ctx.data["name"] = name
            return Retry(ctx.t("fix.name_done", name=name))
        ctx.data["fixing"] = "name"
        return Retry("", Prompt(ctx.t("fix.name_ask")))
    if field == "phone":
        ctx.data.pop("phone", None)
        return Next("phone", note=ctx.t("fix.again"))
    if field == "birth":
        ctx.data.pop("birth_date", None)
        return Next("birth_date", note=ctx.t("fix.again"))
    if ctx.data.get("id_type") == "resident_id":  # the number, not the kind of document
        for key in ("id_number", "birth_date", "sex"):
            ctx.data.pop(key, None)
        return Next("id_number", note=ctx.t("fix.again"))
    for key in _ID_KEYS:
        ctx.data.pop(key, None)
    return Next("document", note=ctx.t("fix.again"))
