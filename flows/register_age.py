"""The age rules told before anything personal is asked (``flows.registration``).

An age or a year of birth said in the request that starts a registration (给我女儿预约，她16岁;
佢1950年出世; my dad is 65), or typed at any of its steps before the ID gives the birth date, is
checked against the policy's ages at once: under ``ages.minimum`` the rule is told and nothing is
asked (the resident may still pre-register, by choice); from ``ages.assessment`` on, what applies
(on-site assessment, a companion, the green channel) is said and the registration goes on.
Someone whose relation makes the minimum likely to matter (a grandchild) is asked whether they
are 18 yet, never assumed either way. A pregnancy or an illness said in the request is told its
rule (vaccination waits) before the notice; registering goes on, and the health questions ask
again before any booking. A year of birth gives an age to a year: the minimum is
applied to the older reading (never refused wrongly), the notices to the younger one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any, Final

from flows import answer_parts as parts
from flows.date_text import cn_numerals_to_digits
from flows.dialogue import Answer, Ctx, Done, Next, Option, Outcome, Prompt, Retry, yes_no
from flows.eligibility import age_rules, birthday
from flows.entities import Entities
from flows.minds import people_meant

ASKED_OF: Final = frozenset({"grandchild"})  # whose age is asked before registering them
_DEFERS: Final = ("pregnancy", "illness")  # said in the request: the rule told first


def span_said(ctx: Ctx, said: Entities) -> tuple[int, int, str] | None:
    """The youngest and oldest age ``said`` allows, and how it was said (16岁 / 1950年出生)."""
    if said.age is not None and 0 < said.age < 130:
        return said.age, said.age, ctx.t("reg.age.aged", age=said.age)
    if said.born is not None and 0 <= ctx.today.year - said.born < 130:
        older = ctx.today.year - said.born
        return max(older - 1, 0), older, ctx.t("reg.age.born", year=said.born)
    return None


def _stop(ctx: Ctx, text: str) -> Done:
    """The rule told and nothing asked; pre-registering all the same is offered (1), the age
    then not asked again."""
    carry: dict[str, Any] = {"age_told": True}
    if ctx.data.get("relation"):
        carry["relation"] = ctx.data["relation"]
    anyway = Option("1", ctx.t("reg.age.anyway"), "flow:register")
    return Done(text, abort=True, carry=carry, offer=(anyway,))


def told(ctx: Ctx, span: tuple[int, int, str]) -> Done | str | None:
    """What an age said means before registering: the rule and an end (too young), or the
    notices to say first (60+, 70+, 76+), or nothing (18–59)."""
    low, high, said = span
    ages = ctx.policy.ages
    ctx.data["age_told"] = True
    if high < ages.minimum:
        return _stop(ctx, ctx.t("reg.age.too_young", aged=said, min=ages.minimum))
    notices = parts.age_notices(ctx, low)
    if not notices:
        return None
    return parts.say(ctx, ctx.t("reg.age.ok", aged=said), *notices)


def at_start(ctx: Ctx) -> Outcome | None:
    """Before the notice: the age the request said, a grandchild's age asked, a pregnancy or
    illness said; None when there is nothing to tell (the consent comes next)."""
    if ctx.data.pop("age_told", None):
        return None  # pre-registering anyway, the rule told
    wished = ctx.data.get("wish")
    said = Entities.load(wished if isinstance(wished, dict) else {})
    note: str | None = None
    if (span := span_said(ctx, said)) is not None:
        outcome = told(ctx, span)
        if isinstance(outcome, Done):
            return outcome
        note = outcome
    elif ctx.data.get("relation") in ASKED_OF:
        return Next("adult")
    health = (wished or {}).get("health", []) if isinstance(wished, dict) else []
    if deferred := next((key for key in _DEFERS if key in health), None):
        # the rule first; registering goes on (the health questions ask again before booking)
        first = ctx.t("reg.age.first", rule=ctx.t(f"verdict.deferred.{deferred}"))
        note = "\n".join(filter(None, (note, first)))
    return Next("consent", note=note) if note else None


def adult(ctx: Ctx) -> Prompt:
    return Prompt(
        ctx.t("reg.age.ask", min=ctx.policy.ages.minimum),
        yes_no(ctx.t("reg.age.adult", min=ctx.policy.ages.minimum), ctx.t("reg.age.minor")),
    )


def read_adult(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.option is not None:
        if answer.value == "yes":
            return Next("consent")
        minimum = ctx.policy.ages.minimum
        return _stop(ctx, ctx.t("reg.age.under", min=minimum))
    span = span_said(ctx, answer.said)  # 佢十五岁 / 2008年出世: the rule for that age
    if span is None:
        return Retry(ctx.t("pick_number", n=2))
    outcome = told(ctx, span)
    return outcome if isinstance(outcome, Done) else Next("consent", note=outcome)


def heard(ctx: Ctx, answer: Answer) -> Done | str | None:
    """An age typed at a registration step before the birth date is known (她才16岁 at the
    name): the rule now (``told``); None when there is none, or it was told already."""
    if "birth_date" in ctx.data or ctx.step in ("adult", "birth_date"):
        return None
    said = answer.said
    if ctx.step == "name" and said.age is None and said.born is None:
        said = replace(said, age=age_beside_name(answer.words))  # Wang Xiuying, 78
    span = span_said(ctx, said)
    if span is None:
        return None
    if ctx.data.get("age_told") and span[1] >= ctx.policy.ages.minimum:
        return None  # told once; a child's age is told whenever said
    return told(ctx, span)


def too_young_note(ctx: Ctx, birth: date) -> str | None:
    """Said as soon as the birth date is known: too young to book yet, and from when."""
    ages = ctx.policy.ages
    if not age_rules(birth, ctx.today, ages).too_young:
        return None
    day = ctx.day(birthday(birth, ages.minimum))
    return ctx.t("reg.too_young", name=ctx.data.get("name", ""), min=ages.minimum, day=day)


def known(ctx: Ctx, said: dict[str, Any]) -> Done | None:
    """Someone already on this phone, named (帮李秀英登记, 我叫张三 — ``said``, the request's
    details) or called as registered (帮我妈登记: the one registered as mother): not registered
    twice. Their code is said; booking for them, or registering someone else, is offered."""
    people = ctx.people()
    if not people or ctx.data.get("age_told"):
        return None
    name = said.get("name")
    relation = ctx.data.get("relation")
    if name:
        found = [p for p in people if p.name == name]
    elif ctx.data.get("named") is not None:
        found = [p for p in people if p.id == ctx.data["named"]]
    elif relation and relation not in ("other", "new"):
        meant, sure = people_meant(people, str(relation))
        found = meant if sure else []
    else:
        return None
    if len(found) != 1:
        return None
    person = found[0]
    book = Option("1", ctx.t("reg.book_now", name=person.name), "flow:book")
    another = Option("2", ctx.t("reg.another"), "flow:register")
    text = ctx.t("reg.known", name=person.name, code=person.prereg_code)
    return Done(text, carry={"resident_id": person.id, "relation": "other"}, offer=(book, another))


# An age or sex written beside a name (王秀英，78岁 / 王秀英 女 七十八岁): no part of the name;
# the age is told by ``heard`` in the same turn.
_BESIDE_NAME: Final = re.compile(
    r"[，,、;；\s]+(?:今年|age[d]?\s*)?(?P<age>[0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*"
    r"(?:周岁|岁|歲|週歲|years? old)?(?:了|啦)?(?=$|[，,、;；\s。.])"
    r"|[，,、;；\s]+(?:男|女|male|female)(?=$|[，,、;；\s。.])"
)


def age_beside_name(text: str) -> int | None:
    """The age written after a name with no word of age (Wang Xiuying, 78 / 王秀英 78): a
    number the interpreter reads as no age alone, from 10 to 120 (张三 1 is no age)."""
    found = _BESIDE_NAME.search(text)
    if found is None or found.group("age") is None or found.start() == 0:
        return None
    digits = cn_numerals_to_digits(found.group("age") + "年")[:-1]  # 七十八: 78
    return int(digits) if digits.isdigit() and 10 <= int(digits) <= 120 else None


def without_age(text: str) -> str:
    """``text`` without an age or sex written after the name in it (王秀英，78岁: 王秀英); as it
    is if nothing would be left."""
    rest = _BESIDE_NAME.sub("", text).strip(" ，,、;；。.")
    return rest or text
