"""Eligibility: age bands on the appointment day and the contraindication questions.

Pure rules over the policy; the booking flow asks the questions and stores the result.
Source: Guangxi notice of 25 March 2021 (seeds/004), Shanghai 76+ green channel (seeds/003),
Tianhe: 70+ accompanied by family (seeds/002).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flows.identity import age_on
from flows.policy import Ages


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    ASSESS = "assess"  # eligible, with a health assessment on site
    DEFERRED = "deferred"  # not now: book again when it has passed
    NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    if_yes: Verdict
    can_change: bool  # asked again before later doses
    women_only: bool = False


QUESTIONS = (
    Question("allergy", Verdict.NOT_ELIGIBLE, can_change=False),
    Question("severe_reaction", Verdict.NOT_ELIGIBLE, can_change=False),
    Question("illness", Verdict.DEFERRED, can_change=True),
    Question("pregnancy", Verdict.DEFERRED, can_change=True, women_only=True),
    Question("neuro", Verdict.NOT_ELIGIBLE, can_change=False),
    Question("risk_area", Verdict.DEFERRED, can_change=True),
)
BY_KEY = {question.key: question for question in QUESTIONS}


def questions_for(dose: int, sex: str | None, *, screened_before: bool) -> list[Question]:
    """The questions to ask before booking ``dose``. All of them, unless a screening for an
    earlier dose was passed here (``screened_before``): then only those whose answer can change
    (illness, pregnancy, risk area). A dose 1 imported or declared came with no screening of
    ours, so the questions that cannot change were never asked. Pregnancy is not asked of men."""
    short = dose > 1 and screened_before
    return [
        q for q in QUESTIONS if (q.can_change or not short) and not (q.women_only and sex == "M")
    ]


def verdict(answers: dict[str, bool], birth: date, today: date, ages: Ages) -> Verdict:
    """The outcome of a screening: the gravest "yes", else eligible (with assessment at 60+)."""
    found = {BY_KEY[key].if_yes for key, yes in answers.items() if yes}
    if Verdict.NOT_ELIGIBLE in found:
        return Verdict.NOT_ELIGIBLE
    if Verdict.DEFERRED in found:
        return Verdict.DEFERRED
    return Verdict.ASSESS if age_on(birth, today) >= ages.assessment else Verdict.ELIGIBLE


def birthday(birth: date, years: int) -> date:
    """The day someone born on ``birth`` turns ``years`` (29 February → 1 March)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)


@dataclass(frozen=True, slots=True)
class AgeRules:
    """What age means for an appointment on a given day."""

    age: int
    too_young: bool
    assessment: bool
    companion: bool
    green_channel: bool


def age_rules(birth: date, day: date, ages: Ages) -> AgeRules:
    age = age_on(birth, day)
    return AgeRules(
        age=age,
        too_young=age < ages.minimum,
        assessment=age >= ages.assessment,
        companion=age >= ages.companion,
        green_channel=age >= ages.green_channel,
    )
