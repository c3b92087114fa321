"""Age bands on the appointment day and the screening questions, at their boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from flows.eligibility import QUESTIONS, Verdict, age_rules, birthday, questions_for, verdict
from flows.policy import Policy
from store import Store
from tests.conftest import Phone
from tests.fakes import tables

BACKENDS = ("sqlite", "postgresql")
DAY = date(2021, 6, 17)


def born_years_before(years: int, days_after: int = 0) -> date:
    """A birth date making someone exactly ``years`` old on DAY, shifted ``days_after`` later."""
    return date.fromordinal(birthday(DAY, -years).toordinal() + days_after)


@pytest.mark.parametrize(
    ("birth", "too_young", "assessment", "companion", "green"),
    [
        (born_years_before(18, days_after=1), True, False, False, False),  # 17 years 364 days
        (born_years_before(18), False, False, False, False),  # exactly 18
        (born_years_before(60, days_after=1), False, False, False, False),  # 59
        (born_years_before(60), False, True, False, False),  # 60
        (born_years_before(70, days_after=1), False, True, False, False),  # 69
        (born_years_before(70), False, True, True, False),  # 70
        (born_years_before(76, days_after=1), False, True, True, False),  # 75
        (born_years_before(76), False, True, True, True),  # 76
    ],
    ids=["17y364d", "18", "59", "60", "69", "70", "75", "76"],
)
def test_age_bands_on_the_appointment_day(
    policy: Policy, birth: date, too_young: bool, assessment: bool, companion: bool, green: bool
) -> None:
    rules = age_rules(birth, DAY, policy.ages)
    assert (rules.too_young, rules.assessment, rules.companion, rules.green_channel) == (
        too_young,
        assessment,
        companion,
        green,
    )


def test_a_leap_day_birthday_counts_from_the_first_of_march() -> None:
    assert birthday(date(2004, 2, 29), 18) == date(2022, 3, 1)
    assert birthday(date(2004, 2, 29), 20) == date(2024, 2, 29)


def test_age_thresholds_come_from_the_policy(policy: Policy) -> None:
    stricter = policy.ages.model_copy(update={"minimum": 20})
    assert age_rules(born_years_before(19), DAY, stricter).too_young
    assert not age_rules(born_years_before(19), DAY, policy.ages).too_young


def test_dose_one_asks_everything_and_later_doses_only_what_can_change() -> None:
    everything = [q.key for q in QUESTIONS]
    assert [q.key for q in questions_for(1, "F", screened_before=False)] == everything
    assert [q.key for q in questions_for(1, "M", screened_before=True)] == [
        "allergy", "severe_reaction", "illness", "neuro", "risk_area",
    ]  # fmt: skip
    short = ["illness", "pregnancy", "risk_area"]
    assert [q.key for q in questions_for(2, "F", screened_before=True)] == short
    assert [q.key for q in questions_for(3, None, screened_before=True)] == short
    # a dose given elsewhere came with no screening of ours: everything is asked
    assert [q.key for q in questions_for(2, "F", screened_before=False)] == everything


@pytest.mark.parametrize(
    ("yes", "expected"),
    [
        ("allergy", Verdict.NOT_ELIGIBLE),
        ("severe_reaction", Verdict.NOT_ELIGIBLE),
        ("illness", Verdict.DEFERRED),
        ("pregnancy", Verdict.DEFERRED),
        ("neuro", Verdict.NOT_ELIGIBLE),
        ("risk_area", Verdict.DEFERRED),
    ],
)
def test_each_contraindication(policy: Policy, yes: str, expected: Verdict) -> None:
    answers = {q.key: q.key == yes for q in QUESTIONS}
    assert verdict(answers, date(1990, 1, 1), DAY, policy.ages) is expected


def test_not_eligible_outweighs_deferred(policy: Policy) -> None:
    answers = {"illness": True, "allergy": True}
    assert verdict(answers, date(1990, 1, 1), DAY, policy.ages) is Verdict.NOT_ELIGIBLE


def test_all_no_is_eligible_or_assessed_by_age(policy: Policy) -> None:
    answers = {q.key: False for q in QUESTIONS}
    assert verdict(answers, born_years_before(59), DAY, policy.ages) is Verdict.ELIGIBLE
    assert verdict(answers, born_years_before(60), DAY, policy.ages) is Verdict.ASSESS


REGISTER_SELF = ("登记", "1", "1", "张三", "1", "440106199001011235", "1", "1")


def test_screening_is_stored_with_answers_and_questionnaire_version(
    phone: Phone, store: Store, policy: Policy
) -> None:
    phone.run(*REGISTER_SELF, "预约", "发烧")
    resident = store.residents_of(1)[0]
    screening = store.latest_screening(resident.id)
    assert screening is not None
    assert screening.outcome == "deferred" and screening.reason == "illness"
    assert screening.answers == {
        "allergy": False, "severe_reaction": False, "illness": True, "neuro": False,
        "risk_area": False,
    }  # fmt: skip
    assert screening.version == policy.registration.questionnaire_version


def test_dose_two_reasks_only_illness_and_risk_area_for_a_man(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF, "预约", "没有", "退出")  # screened here for dose 1
    resident = store.residents_of(1)[0]
    tables.insert(store, "doses", resident_id=resident.id, dose=1, day="2021-05-20",
                  product_id="coronavac", site_id=1, source="test")  # fmt: skip
    asked = phone.say("预约")
    assert "发热" in asked and "风险" in asked and "过敏" not in asked and "怀孕" not in asked
    assert "符合接种条件" in phone.say("没有")
    screening = store.latest_screening(resident.id)
    assert screening is not None and screening.dose == 2
    assert set(screening.answers) == {"illness", "risk_area"}


@pytest.mark.parametrize("source", ["import", "declared"])
def test_dose_two_asks_everything_when_dose_one_was_not_screened_here(
    phone: Phone, store: Store, source: str
) -> None:
    phone.run(*REGISTER_SELF)
    resident = store.residents_of(1)[0]
    tables.insert(store, "doses", resident_id=resident.id, dose=1, day="2021-05-20",
                  product_id="coronavac", site_id=1, source=source)  # fmt: skip
    asked = phone.say("预约第二针")
    for words in ("过敏", "严重", "癫痫", "发热", "风险"):
        assert words in asked
    phone.say("没有")
    screening = store.latest_screening(resident.id)
    assert screening is not None and screening.dose == 2
    assert set(screening.answers) == {
        "allergy", "severe_reaction", "illness", "neuro", "risk_area",
    }  # fmt: skip


def test_a_declared_dose_one_is_followed_by_every_question(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF)
    replies = phone.run("预约第二针", "1", "2021-05-20", "1", "天河体育中心")
    asked = replies[-1].text
    assert "过敏" in asked and "癫痫" in asked, asked


def test_confirmation_also_goes_to_the_persons_own_phone(phone: Phone, store: Store) -> None:
    phone.run(
        "登记", "1", "2", "陈华", "1", "440106199203151244", "13900139000", "1",
        "预约", "没有", "1", "1", "2", "1",
    )  # fmt: skip
    assert "预约成功" in phone.say("1")
    queued = store.outbox_rows()
    assert [(q["channel"], q["address"]) for q in queued] == [("sms", "+8613900139000")]
    assert "预约成功" in queued[0]["text"]


def test_booking_for_oneself_queues_nothing_extra(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF, "预约", "没有", "1", "1", "2", "1")
    assert "预约成功" in phone.say("1")
    assert store.outbox_rows() == []
