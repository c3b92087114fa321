"""The registration filled from what the resident said (``flows.said_details``): in the
request that started it (我叫张三，住天河，想约明天), or at its first questions in more words
than asked (张三，住天河，电话139… at the name; 我叫张三 at 为谁登记). What was said is not asked
again, is said back once (已按您所说记下：…), and two names or numbers given are asked about,
never chosen."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flows.dialogue import (
    Answer,
    Ctx,
    Done,
    Next,
    Option,
    Outcome,
    Prompt,
    Read,
    Retry,
    numbered,
)
from flows.identity import IdProblem, mask_id, mask_phone, parse_resident_id
from flows.places import district_name
from flows.said_details import said_in

_SEGMENT = re.compile(r"\s*[,，、;；。!！]+\s*")
_TAKEN = ("phone", "phones", "home")  # kept from an answer that says more than it is asked


def listed(ctx: Ctx, parts: Any) -> str:
    """Parts said in a row: 张三，天河区 / Zhang San, Tianhe."""
    return ("，" if ctx.lang == "zh" else ", ").join(str(part) for part in parts)


def details(ctx: Ctx) -> dict[str, Any]:
    """The details the request said (``said_in``), kept in the registration's data."""
    said = ctx.data.get("details")
    return said if isinstance(said, dict) else {}


def said_name(ctx: Ctx) -> str | None:
    """Take the name the request said (``name`` in the data); the note to say first: the
    details taken, said back, or the two names given, asked about."""
    said = details(ctx)
    if said.get("names"):
        return ctx.t("said.names", names=listed(ctx, said["names"]))
    if said.get("name") and "name" not in ctx.data:
        ctx.data["name"] = said["name"]
    return said_back(ctx) or None


def name_choices(ctx: Ctx) -> tuple[Option, ...]:
    """The two names given, as options at the name question (1 张三 2 李四)."""
    return numbered((name, name) for name in details(ctx).get("names", ()))


def said_back(ctx: Ctx) -> str:
    """The details taken from the request, said back in one line (已按您所说记下：…)."""
    said = details(ctx)
    name = ctx.data.get("name") or said.get("name")
    parts = [str(name)] if name else []
    number = str((ctx.data.get("identity") or ["", ""])[1])
    if number and not isinstance(parse_resident_id(number, ctx.today), IdProblem):
        parts.append(ctx.t("said.id", number=mask_id(str(number))))
    if said.get("phone"):
        parts.append(ctx.t("said.phone", phone=mask_phone(str(said["phone"]))))
    if said.get("home") in ctx.policy.districts:
        parts.append(district_name(ctx, str(said["home"])))
    return ctx.t("said.taken", details=listed(ctx, parts)) if parts else ""


def fill(
    step: str,
    read: Read,
    register: Callable[[Ctx, str], Outcome],
    home: Callable[[Ctx], str | None],
) -> Read:
    """The reader of registration step ``step`` that takes what an answer says beyond what
    is asked, and goes on through the phone and district steps when they were said
    (``register`` stores the person in a district; ``home`` is the district the ID suggests,
    whose question is then skipped too)."""

    def filled(ctx: Ctx, answer: Answer) -> Outcome:
        here = _said_here(ctx, step, answer)
        if not isinstance(here, Answer):
            return here
        outcome = read(ctx, here)
        if here.text != answer.text and step == "name" and isinstance(outcome, Next):
            outcome = replace(outcome, note=_joined(said_back(ctx), outcome.note))
        return _fill(ctx, outcome, register, home)

    return filled


def _said_here(ctx: Ctx, step: str, answer: Answer) -> Answer | Outcome:
    """At 为谁登记 and the name, an answer that says more (张三，住天河，电话139…): its phone
    and district kept for their steps, and the rest read by the step as its answer (the name
    asked there; 我叫张三 at 为谁登记 is asked about as before); two names given at the name:
    asked which."""
    if answer.option is not None or step not in ("who", "name"):
        return answer
    wish = {"relation": ctx.data.get("relation")}
    found = said_in(answer.text, lambda _: answer.words, ctx.policy, wish)
    said: dict[str, Any] = found.get("details", {})
    if not said or found.get("identity"):  # 张三 4401…: the step reads the ID number itself
        return answer
    kept = ctx.data.setdefault("details", {})
    for key in _TAKEN:
        if key in said:
            kept.pop({"phone": "phones", "phones": "phone"}.get(key, ""), None)
            kept[key] = said[key]
    names = said.get("names") or ([said["name"]] if said.get("name") else [])
    if step == "name" and len(names) > 1:
        kept["names"] = names
        note = ctx.t("said.names", names=listed(ctx, names))
        return Retry(note, Prompt(ctx.t("reg.name"), name_choices(ctx)))
    parts, simple = _SEGMENT.split(answer.text), _SEGMENT.split(answer.words)
    simple = simple if len(simple) == len(parts) else parts
    rest = [(part, words) for part, words in zip(parts, simple, strict=True) if part]
    rest = [(p, w) for p, w in rest if not _says_more(said_in(p, _as(w), ctx.policy, wish))]
    text = names[0] if step == "name" and names else "，".join(p for p, _ in rest)
    if not text or text == answer.text:
        return answer
    words = text if step == "name" and names else "，".join(w for _, w in rest)
    return Answer(text, None, answer.said, answer.intent, words, answer.confident)


def _as(words: str) -> Callable[[str], str]:
    """A part of the answer in Simplified characters (its part of ``Answer.words``)."""
    return lambda _: words


def _says_more(found: dict[str, Any]) -> bool:
    """Whether a part of an answer says a phone or a district (电话139…, 住天河)."""
    return any(key in found.get("details", {}) for key in _TAKEN)


def _fill(
    ctx: Ctx, outcome: Outcome, register: Callable[[Ctx, str], Outcome],
    home: Callable[[Ctx], str | None],
) -> Outcome:  # fmt: skip
    said = details(ctx)
    if not isinstance(outcome, Next) or outcome.prompt is not None:
        return outcome
    if outcome.step == "phone" and said.get("phones"):
        phones = listed(ctx, [mask_phone(str(p)) for p in said["phones"]])
        return replace(outcome, note=_joined(outcome.note, ctx.t("said.phones", phones=phones)))
    if outcome.step == "phone" and said.get("phone"):
        ctx.data["phone"] = said["phone"]
        outcome = replace(outcome, step="home" if home(ctx) else "district")
    if outcome.step in ("home", "district") and said.get("home") in ctx.policy.districts:
        done = register(ctx, str(said["home"]))
        if isinstance(done, Done):
            return replace(done, note=_joined(outcome.note, done.note) or "")
        return done
    return outcome


def _joined(*notes: str | None) -> str | None:
    return "\n".join(note for note in notes if note) or None
