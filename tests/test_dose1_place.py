"""Where an earlier dose was given, said in a booking request, is that dose's place, not where
the next is wanted (explore10 14): 帮我阿妈约第二针，佢第一针5月10号喺白云打嘅科兴 once offered
only Baiyun's sites for dose 2 and hid the home district."""

from __future__ import annotations

from datetime import date

import pytest

from bot.nlu import Interpreter
from flows.policy import Policy
from store import Store
from tests.conftest import Phone

BACKENDS = ("sqlite", "postgresql")
TODAY = date(2021, 6, 17)
MOTHER = "440106195203031228"  # born in Tianhe


@pytest.fixture
def interpreter(policy: Policy, store: Store) -> Interpreter:
    return Interpreter(policy, store.sites, sites_ttl=0)


@pytest.mark.parametrize(
    ("text", "wanted", "given"),
    [
        ("帮我阿妈约第二针，佢第一针5月10号喺白云打嘅科兴", "baiyun", "baiyun"),
        ("可以在海珠区约第二针吗？第一针在番禺打的", "haizhu", "panyu"),
        ("第一针在白云打的，第二针想在天河", "tianhe", "baiyun"),
        ("我妈第一针系喺荔湾打咗，帮佢约第二针去越秀", "yuexiu", "liwan"),
        ("i got my first jab in Panyu, can i book the second here in Haizhu?", "haizhu", "panyu"),
        ("book my dad's 2nd dose in Baiyun, he had the first one in Tianhe", "baiyun", "tianhe"),
    ],
)
def test_a_clause_telling_of_dose_1_names_its_place(
    interpreter: Interpreter, text: str, wanted: str, given: str
) -> None:
    """The place wanted is named outside it; one named only there is still read as wanted
    (我第一针在琶洲打的，第二针也约那里吧), the flows decide what to make of it."""
    said = interpreter.read(text, TODAY).entities
    assert (said.district, said.first_district) == (wanted, given)


@pytest.mark.parametrize(
    "text",
    [
        "我想在天河约第一针",  # dose 1 wanted there
        "我想打的去天河体育中心打第二针",  # 打的: a taxi, in the clause of the dose wanted
        "我已经打了第一针，想约第二针在天河",  # the place in the clause of the dose wanted
        "book my first dose in Tianhe tomorrow",
    ],
)
def test_a_place_wanted_is_no_earlier_dose_place(interpreter: Interpreter, text: str) -> None:
    said = interpreter.read(text, TODAY).entities
    assert (said.district or said.site) is not None and said.first_district is None, text
    assert said.first_site is None, text


def _register_mother(phone: Phone, request: str) -> str:
    replies = phone.run(request, "1", "苏玉珍", "1", MOTHER, "1", "1")
    return "\n".join(reply.text for reply in replies)


@pytest.mark.parametrize(
    ("request_", "noted", "none", "home"),
    [
        ("帮我阿妈约第二针，佢第一针5月10号喺白云打嘅科兴", "已记录第1针", "冇", "居住地天河区"),
        (
            "book my mum her second jab, she had the first one in Baiyun on 10 May, Sinovac",
            "Dose 1 noted",
            "none",
            "Tianhe",
        ),
    ],
)
def test_dose_2_is_offered_at_home_not_only_where_dose_1_was(
    phone: Phone, store: Store, request_: str, noted: str, none: str, home: str
) -> None:
    said = _register_mother(phone, request_)
    assert noted in said
    resident = store.resident_by_document("resident_id", MOTHER)
    assert resident is not None
    [dose] = store.doses_of(resident.id)
    assert (dose.day, dose.product_id, dose.site_id) == (date(2021, 5, 10), "coronavac", None)
    offered = " ".join(option.label for reply in phone.send(none) for option in reply.options)
    assert home in offered, offered  # the home district, as for everyone
    assert "京溪街" not in offered  # not Baiyun's only site with this maker
