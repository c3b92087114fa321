"""An answer to the step on screen, then a question, in one message (没有。要带什么证件？ at the
health list, 同意，顺便问下要钱吗 at the consent, 确认，要带什么证件 at the confirmation): the
question is answered and the answer taken, when what comes before the question is an answer
by itself: one of the options on screen, or words the step reads itself (``Step.own``: 没有 at
the health list, pm at the time question). Never beside a condition named (没有，不过我怀孕了
可以打吗: the question answered and the step asked again, as before)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.matching import fold, match_stored, number_of, position_of
from bot.nlu.normalise import simplified
from flows.dialogue import Answer, Option, Step
from flows.screening import conditions_said

# clauses end at punctuation, never at a space (is it free?: no clause "is")
_CLAUSE = re.compile(r"\s*[，,。.;；!！?？]+\s*")


def answer_before(step: Step, body: str, stored: Sequence[list[Any]]) -> Answer | None:
    """The answer the message's first clause gives the step, when a question follows it."""
    parts = _CLAUSE.split(body.strip(), maxsplit=1)
    if len(parts) < 2 or not parts[0] or not parts[1] or conditions_said(simplified(body)):
        return None
    first = parts[0]
    folded = fold(first)
    option = match_stored(folded, stored)
    if option is not None and _whole(folded, option, len(stored)):
        return Answer(first, option)
    simple = simplified(first)
    if step.own is not None and step.own(simple):
        return Answer(first, None, simple=simple)
    return None


def _whole(folded: str, option: Option, count: int) -> bool:
    """Whether ``folded`` names ``option`` whole: its number or place, its label or one of its
    words (never a part of one: is is no answer, though disagree holds it)."""
    if number_of(folded) is not None or position_of(folded, count) is not None:
        return True
    return folded in {fold(word) for word in (option.label, *option.aliases)}
