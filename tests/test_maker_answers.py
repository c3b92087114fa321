"""Which maker for a later dose: the rule (the same maker as dose 1) comes first, in answers
and at the confirmation, whatever maker the resident asked for."""

from __future__ import annotations

from store import Store
from tests.conftest import Phone
from tests.fakes import tables

BACKENDS = ("sqlite", "postgresql")
REGISTER_SELF = ("登记", "1", "1", "张三", "1", "440106199001011235", "1", "1")


def with_dose_one(phone: Phone, store: Store, product: str = "coronavac") -> None:
    phone.run(*REGISTER_SELF)
    resident = store.residents_of(1)[0]
    tables.insert(store, "doses", resident_id=resident.id, dose=1, day="2021-05-20",
                  product_id=product, site_id=1, source="import")  # fmt: skip


def test_asking_to_switch_maker_is_told_no_before_any_site(phone: Phone) -> None:
    said = phone.say("第一针科兴第二针可以打国药吗")
    assert said.startswith("不可以：第2剂及以后须与第1剂同一厂家。第1剂是科兴")
    rule, _, sites = said.partition("不能换国药")
    assert "国药" not in rule and "国药" not in sites.split("。", 1)[1]  # no 国药 sites listed
    assert "科兴新冠灭活疫苗：" in sites


def test_asking_in_english_gets_the_rule_in_english(phone: Phone) -> None:
    said = phone.say("my first dose was Sinovac, can my second be Sinopharm?")
    assert said.startswith("No: every later dose must be from the same maker as dose 1.")
    assert "Dose 1 was CoronaVac (Sinovac)" in said
    assert "BBIBP-CorV (Sinopharm Beijing):" not in said  # its sites are not listed


def test_the_dose_one_maker_on_record_is_named(phone: Phone, store: Store) -> None:
    with_dose_one(phone, store)
    said = phone.say("第二针打什么疫苗")
    assert said.startswith("第2剂及以后须与第1剂同一厂家：第1剂是科兴新冠灭活疫苗")


def test_a_booking_asking_for_another_maker_is_told_at_the_confirmation(
    phone: Phone, store: Store
) -> None:
    with_dose_one(phone, store)
    phone.run("后天上午在天河体育中心打第二针，要国药的", "没有")
    confirm = phone.say("1")
    assert "请确认" in confirm and "科兴新冠灭活疫苗" in confirm
    assert "须与第1剂同厂家，不能换国药北京生物新冠灭活疫苗。" in confirm


def test_a_booking_asking_for_the_same_maker_is_not_warned(phone: Phone, store: Store) -> None:
    with_dose_one(phone, store)
    phone.run("后天上午在天河体育中心打第二针，要科兴的", "没有")
    confirm = phone.say("1")
    assert "请确认" in confirm and "同一厂家" not in confirm
