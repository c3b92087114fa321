"""Spec for flows.answers: every kind of question residents ask is answered in one or two SMS,
in the resident's language, with the numbers of the deployment's policy and the sites of its
store, and ends with the next step.

The ``store`` fixture is the demo seeded for 2021-06-17..23 (sites in every district, four with
evening sessions, three mobile vehicles), frozen at Thursday 17 June 2021 09:00.
"""

from __future__ import annotations

import re
import string
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)
import pytest

from bot.clock import parse_moment
from channels.sms.render import segments
from flows.answer_texts import ANSWER_TEXTS, LIMITS
from flows.answers import answer
from flows.dialogue import Ctx
from flows.entities import TOPICS, Entities
from flows.policy import Policy, load_policy
from flows.texts import Lang
from store import Site, Store
from tests.conftest import NOW, TODAY

LANGS: tuple[Lang, ...] = ("zh", "en")
BACKENDS = ("sqlite", "postgresql")
_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")  # characters and punctuation
CLOSINGS = {
    "zh": ("回复 预约", "回复 取消", "回复 查询", "再回复 预约", "回复 人工"),
    # Not "Reply CANCEL": on Twilio, CANCEL opts the number out at the carrier.
    "en": ("Reply BOOK", "Reply MENU", "Reply STATUS", "Reply AGENT"),
}


def no_account() -> int:
    raise AssertionError("answering a question never creates an account")


def ctx_for(store: Store, policy: Policy, lang: Lang, now: str = NOW) -> Ctx:
    return Ctx(
        store=store,
        policy=policy,
        now=parse_moment(now, policy.zone),
        lang=lang,
        channel="sms",
        address="+8613800138000",
        account=no_account,
        actor="resident",
    )


def ask(store: Store, policy: Policy, lang: Lang, topic: str, now: str = NOW, **said: Any) -> str:
    return answer(ctx_for(store, policy, lang, now), topic, Entities(**said))


def policy_with(tmp_path: Path, toml: str) -> Policy:
    """The default policy with a deployer's file merged over it."""
    path = tmp_path / "policy.toml"
    path.write_text(toml, "utf-8")
    return load_policy(path)


def site_named(store: Store, name_en: str) -> Site:
    site = next((s for s in store.sites() if s.name_en == name_en), None)
    assert site is not None, name_en
    return site


def fits(message: str, lang: Lang) -> None:
    """Two SMS segments at most, in the resident's language, with a next step at the end."""
    assert message.strip()
    assert len(message) <= LIMITS[lang], (len(message), message)
    assert segments(message) <= 2, (segments(message), message)
    if lang == "zh":
        assert _CJK.search(message), message
    else:
        assert not _CJK.search(message), message
    assert any(close in message for close in CLOSINGS[lang]), message


# -- the catalogue ----------------------------------------------------------------------------


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(ANSWER_TEXTS))
def test_every_sentence_has_both_languages_with_the_same_placeholders(key: str) -> None:
    zh, en = ANSWER_TEXTS[key]
    assert zh.strip() and en.strip()
    assert not _CJK.search(en), f"{key}: the English text has Chinese in it"
    assert placeholders(zh) == placeholders(en)
    en.encode("gsm03.38")  # English travels as GSM-7 (160 a segment), not UCS-2 (70)


# -- every topic, both languages ---------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_is_answered_in_two_sms_with_a_next_step(
    store: Store, policy: Policy, topic: str, lang: Lang
) -> None:
    fits(ask(store, policy, lang, topic), lang)


@pytest.mark.parametrize("lang", LANGS)
def test_every_topic_with_every_entity_of_the_demo_fits(
    store: Store, policy: Policy, lang: Lang
) -> None:
    makers = {product.manufacturer for product in policy.products.values()}
    said: list[dict[str, Any]] = [
        {},
        *({"district": d} for d in policy.districts),
        *({"site": s.id} for s in store.sites()),
        *({"maker": m} for m in makers),
        *({"maker": m, "district": d} for m in makers for d in policy.districts),
        *({"age": a} for a in (0, 17, 18, 59, 60, 69, 70, 75, 76, 99, 130, 131, -1)),
        *({"dose": n} for n in (-1, 0, 1, 2, 3, 4, 10)),
        *({"dose": n, "maker": m} for n in (2, 3) for m in makers),
    ]
    for topic in TOPICS:
        for entities in said:
            fits(ask(store, policy, lang, topic, **entities), lang)


def test_an_unknown_topic_is_refused(store: Store, policy: Policy) -> None:
    with pytest.raises(ValueError, match="unknown topic"):
        ask(store, policy, "zh", "weather")


# -- the numbers come from the policy ------------------------------------------------------------


def test_default_answers_carry_the_default_numbers(store: Store, policy: Policy) -> None:
    assert "21-56天" in ask(store, policy, "zh", "interval")
    assert "21-56 days from dose 1 to dose 2" in ask(store, policy, "en", "interval")
    assert "留观30分钟" in ask(store, policy, "zh", "observation")
    assert "08:00" in ask(store, policy, "zh", "release")
    assert "7 days ahead" in ask(store, policy, "en", "release")
    noshow = ask(store, policy, "en", "noshow")
    assert "1 day(s) before" in noshow and "no-show 3" in noshow
    age = ask(store, policy, "zh", "age")
    assert all(f"{n}" in age for n in (18, 60, 70, 76))


CHANGED = """
[ages]
minimum = 16
assessment = 65
companion = 72
green_channel = 80

[booking]
observation_minutes = 45
release_time = "09:30"
release_days_ahead = 5
cancel_cutoff_days = 2
noshow_limit = 0
maintenance = "21:00-07:00"

[districts.tianhe]
window = "09:00-11:00"

[products.coronavac]
intervals = [{ min_days = 28, max_days = 84 }]

[products.bbibp]
intervals = [{ min_days = 28, max_days = 84 }]
"""


@pytest.mark.parametrize("lang", LANGS)
def test_changing_the_policy_changes_the_answers(store: Store, tmp_path: Path, lang: Lang) -> None:
    changed = policy_with(tmp_path, CHANGED)

    interval = ask(store, changed, lang, "interval")
    assert "28-84" in interval and "21-56" not in interval
    sinovac = ask(store, changed, lang, "interval", maker="sinovac")
    assert "28-84" in sinovac and "21-56" not in sinovac

    age = ask(store, changed, lang, "age")
    assert all(str(n) in age for n in (16, 65, 72, 80))
    assert not any(str(n) in age for n in (18, 60, 70, 76))
    assert "80" not in ask(store, changed, lang, "age", age=79)  # no green channel yet at 79

    hours = ask(store, changed, lang, "hours", district="tianhe")
    assert "09:00-11:00" in hours and "08:00-12:00" not in hours
    assert "21:00-07:00" in hours
    assert "09:00-11:00" in ask(store, changed, lang, "hours")

    assert "45" in ask(store, changed, lang, "observation")
    release = ask(store, changed, lang, "release")
    assert "09:30" in release and ("放出5天后" if lang == "zh" else "5 days ahead") in release
    noshow = ask(store, changed, lang, "noshow")  # cut-off 2 days; barred from the first no-show
    if lang == "zh":
        assert "2天前取消" in noshow and "第1次爽约起" in noshow
    else:
        assert "2 day(s) before" in noshow and "from no-show 1 on" in noshow
    assert "72" in ask(store, changed, lang, "bring")
    assert "65" in ask(store, changed, lang, "chronic")
    for topic in TOPICS:
        fits(ask(store, changed, lang, topic), lang)


def test_a_policy_with_only_two_dose_vaccines_says_nothing_of_one_or_three(
    store: Store, tmp_path: Path
) -> None:
    two_only = load_policy().model_dump()
    two_only["products"] = {k: v for k, v in two_only["products"].items() if v["doses"] == 2}
    changed = Policy.model_validate(two_only)
    assert ask(store, changed, "zh", "interval").startswith("2剂次疫苗：第1剂后21-56天接种第2剂。")
    english = ask(store, changed, "en", "interval")
    assert "1-dose" not in english and "3-dose" not in english
    assert "No vaccine here has a dose 3." in ask(store, changed, "en", "interval", dose=3)


def test_same_day_release_and_cancelling_on_the_day(store: Store, tmp_path: Path) -> None:
    changed = policy_with(tmp_path, "[booking]\nrelease_days_ahead = 0\ncancel_cutoff_days = 0\n")
    assert "当天的号源" in ask(store, changed, "zh", "release")
    assert "cancel before the appointment starts" in ask(store, changed, "en", "noshow")


def test_a_policy_of_many_long_products_still_fits_and_refers_to_the_vaccine(
    store: Store, policy: Policy
) -> None:
    data = policy.model_dump()
    for n in range(12):
        data["products"][f"p{n}"] = {
            "zh": f"第{n}号很长很长的名字的重组蛋白新冠疫苗",
            "en": f"Vaccine number {n} with a rather long name",
            "manufacturer": f"maker{n}",
            "doses": 10,
            "intervals": [{"min_days": 14 + n, "max_days": 200 + i} for i in range(9)],
        }
    many = Policy.model_validate(data)
    asked: list[dict[str, Any]] = [
        {},
        {"dose": 2},
        {"dose": 9},
        {"maker": "maker3", "dose": 5},
        {"maker": "maker3"},
    ]
    for lang in LANGS:
        for said in asked:
            message = ask(store, many, lang, "interval", **said)
            fits(message, lang)
        assert "21-56" in ask(store, many, lang, "interval")  # the biggest group comes first


# -- specific answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "says", "does_not_say"),
    [
        pytest.param(17, ["未满18周岁", "暂不能预约"], ["可以预约"], id="17"),
        pytest.param(18, ["18岁可以预约"], ["评估", "陪同", "绿色通道"], id="18"),
        pytest.param(59, ["59岁可以预约"], ["评估", "陪同", "绿色通道"], id="59"),
        pytest.param(60, ["评估"], ["陪同", "绿色通道"], id="60"),
        pytest.param(70, ["评估", "家属陪同"], ["绿色通道"], id="70"),
        pytest.param(75, ["家属陪同"], ["绿色通道"], id="75"),
        pytest.param(76, ["评估", "家属陪同", "绿色通道"], [], id="76"),
    ],
)
def test_an_age_is_answered_for_that_age(
    store: Store, policy: Policy, age: int, says: list[str], does_not_say: list[str]
) -> None:
    message = ask(store, policy, "zh", "age", age=age)
    assert all(word in message for word in says), message
    assert not any(word in message for word in does_not_say), message


def test_an_age_in_english(store: Store, policy: Policy) -> None:
    assert ask(store, policy, "en", "age", age=16).startswith("At 16, under 18: no booking yet.")
    assert "green channel" in ask(store, policy, "en", "age", age=80)
    assert "family member" not in ask(store, policy, "en", "age", age=65)


def test_a_maker_or_a_dose_makes_the_interval_specific(store: Store, policy: Policy) -> None:
    zhifei = ask(store, policy, "en", "interval", maker="zhifei")
    assert "ZF2001" in zhifei
    assert "28-90 days from dose 1 to dose 2" in zhifei
    assert "28-150 days from dose 2 to dose 3" in zhifei
    assert "21-56" not in zhifei
    assert "康希诺腺病毒载体疫苗只需1剂" in ask(store, policy, "zh", "interval", maker="cansino")
    third = ask(store, policy, "zh", "interval", dose=3)
    assert "第2剂后28-150天接种第3剂" in third and "21-56" not in third
    assert "科兴新冠灭活疫苗共2剂" in ask(store, policy, "zh", "interval", dose=3, maker="sinovac")
    assert "Booster" in ask(store, policy, "en", "interval", dose=0)


def test_the_general_interval_answer_names_every_schedule(store: Store, policy: Policy) -> None:
    message = ask(store, policy, "zh", "interval")
    assert "2剂次疫苗：第1剂后21-56天接种第2剂" in message
    assert "1剂次疫苗只需1剂" in message
    assert "3剂次疫苗" in message and "28-150" in message


def test_a_maker_lists_the_sites_that_have_its_vaccine(store: Store, policy: Policy) -> None:
    everywhere = ask(store, policy, "en", "maker", maker="sinovac")
    assert everywhere.startswith("Every later dose must be from the same maker as dose 1")
    assert " CoronaVac (Sinovac): at Tianhe Sports Centre (Tianhe), " in everywhere
    stocking = store.sites_stocking(["coronavac"], TODAY)
    assert f"({len(stocking)} in all)" in everywhere
    tianhe = ask(store, policy, "zh", "maker", maker="sinopharm-beijing", district="tianhe")
    assert "石牌街社区卫生服务中心" in tianhe and "天河体育中心" not in tianhe
    none = ask(store, policy, "zh", "maker", maker="zhifei", district="tianhe")
    assert "天河区暂无接种点有此疫苗" in none


def test_a_maker_without_slots_from_today_is_said_to_be_nowhere(
    store: Store, policy: Policy
) -> None:
    later = "2021-07-17T09:00:00+08:00"  # a month on: the demo's slots are all past
    message = ask(store, policy, "en", "maker", now=later, maker="sinovac")
    assert "no site has it at present" in message


def test_hours_of_a_district_say_its_window_and_whether_it_is_open_now(
    store: Store, policy: Policy
) -> None:
    tianhe = ask(store, policy, "zh", "hours", district="tianhe")  # 09:00: open
    assert "天河区每天08:00-12:00可预约" in tianhe and "现在可以预约" in tianhe
    assert "12:00-16:00" not in tianhe and "海珠" not in tianhe
    yuexiu = ask(store, policy, "en", "hours", district="yuexiu")
    assert "16:00-20:00" in yuexiu and "opens today at 16:00" in yuexiu
    assert "join the queue" in yuexiu
    night = ask(store, policy, "en", "hours", now="2021-06-17T21:00:00+08:00", district="yuexiu")
    assert "opens tomorrow at 16:00" in night


def test_hours_without_a_district_list_every_window(store: Store, policy: Policy) -> None:
    message = ask(store, policy, "zh", "hours")
    for district in policy.districts.values():
        assert district.zh in message
    assert "天河区、白云区 08:00-12:00" in message
    assert "20:00-08:00系统维护" in message


def test_a_site_is_answered_with_its_address_and_hours(store: Store, policy: Policy) -> None:
    site = site_named(store, "Tianhe Sports Centre")
    message = ask(store, policy, "zh", "site", site=site.id)
    assert message.startswith(f"{site.name_zh}：天河区{site.address_zh}，开放时间{site.hours}。")
    assert "有夜间接种" in message
    vehicle = site_named(store, "Jingxi Mobile Vaccination Vehicle")
    english = ask(store, policy, "en", "site", site=vehicle.id)
    assert english.startswith(f"{vehicle.name_en}: {vehicle.address_en}, Baiyun.")
    assert "mobile vaccination vehicle" in english and "Accessible" not in english


def test_without_a_site_the_answer_says_how_to_ask(store: Store, policy: Policy) -> None:
    first = store.sites()[0]
    assert f'"{first.name_en} address"' in ask(store, policy, "en", "site")
    assert f'"{first.name_en} address"' in ask(store, policy, "en", "site", site=99_999)
    tianhe = ask(store, policy, "zh", "site", district="tianhe")
    assert tianhe.startswith("天河区接种点：天河体育中心接种点、石牌街社区卫生服务中心。")


def test_evening_sessions_come_from_the_store(store: Store, policy: Policy) -> None:
    evening = [s for s in store.sites() if s.evening]
    message = ask(store, policy, "zh", "evening")
    assert f"等{len(evening)}处" in message
    assert evening[0].name_zh in message
    tianhe = ask(store, policy, "en", "evening", district="tianhe")
    assert "Tianhe Sports Centre (08:00-20:30)" in tianhe and "Pazhou" not in tianhe
    assert "No site in Baiyun has evening sessions" in ask(
        store, policy, "en", "evening", district="baiyun"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_store_with_no_evening_site_says_so(store: Store, policy: Policy, lang: Lang) -> None:
    for site in store.sites():
        if site.evening:
            store.update_site(site.id, evening=False)
    message = ask(store, policy, lang, "evening")
    fits(message, lang)
    assert message.startswith(("目前没有夜间接种的接种点。", "No site has evening sessions"))


def test_mobile_vehicles_and_accessible_sites_come_from_the_store(
    store: Store, policy: Policy
) -> None:
    mobile = ask(store, policy, "zh", "mobile")
    assert "京溪街流动接种车（白云区）" in mobile and "天河体育中心" not in mobile
    baiyun = ask(store, policy, "en", "mobile", district="baiyun")
    assert "Jingxi Mobile Vaccination Vehicle (Jingxi Rd Square)" in baiyun
    assert "No mobile vaccination vehicle in Tianhe" in ask(
        store, policy, "en", "mobile", district="tianhe"
    )
    accessible = ask(store, policy, "en", "accessible", district="baiyun")
    assert "Baiyun Convention Centre" in accessible and "Jingxi" not in accessible
    store.update_site(site_named(store, "Baiyun Convention Centre").id, accessible=False)
    assert "No accessible site in Baiyun" in ask(
        store, policy, "en", "accessible", district="baiyun"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_lists_do_not_grow_with_the_store(store: Store, policy: Policy, lang: Lang) -> None:
    for n in range(40):
        store.add_site(
            district_id="tianhe",
            name_zh=f"天河区第{n}号夜间接种点（体育西路地铁站旁临时点）",
            name_en=f"Tianhe Evening Point {n} (temporary, by Tiyu Xilu metro)",
            address_zh="体育西路1号",
            address_en="1 Tiyu West Rd",
            hours="08:00-22:00",
            evening=True,
            mobile=True,
            accessible=True,
        )
    total = len([s for s in store.sites() if s.evening])
    asked: list[dict[str, Any]] = [{}, {"district": "tianhe"}]
    for topic in ("evening", "mobile", "accessible", "site"):
        for said in asked:
            message = ask(store, policy, lang, topic, **said)
            fits(message, lang)
    assert (f"等{total}处" if lang == "zh" else f"({total} in all)") in ask(
        store, policy, lang, "evening"
    )


def test_a_site_with_a_very_long_name_falls_back_to_a_count(store: Store, policy: Policy) -> None:
    for n in range(3):
        store.add_site(
            district_id="nansha",
            name_zh="南沙" + "很长" * 70 + str(n),
            name_en="Nansha " + "long " * 70 + str(n),
            address_zh="某路",
            address_en="Some Rd",
            evening=True,
        )
    for lang in LANGS:
        message = ask(store, policy, lang, "evening", district="nansha")
        fits(message, lang)
        assert ("共3处" if lang == "zh" else "3 in all") in message


def test_noshow_says_the_cutoff_the_limit_and_where_to_turn(store: Store, policy: Policy) -> None:
    message = ask(store, policy, "zh", "noshow")
    assert "1天前取消" in message and "第3次爽约" in message
    assert "热线" in message and "居委会" in message
    assert message.endswith("回复 取消 取消预约。")


def test_the_closing_next_steps(store: Store, policy: Policy) -> None:
    assert ask(store, policy, "zh", "cost").endswith("回复 预约 即可预约。")
    assert ask(store, policy, "en", "walkin").endswith("Reply BOOK to book.")
    assert ask(store, policy, "en", "bring").endswith("Reply STATUS for your booking code.")
    assert ask(store, policy, "zh", "evening").endswith("回复 预约 选接种点和时段。")


# -- the store's listings ----------------------------------------------------------------------


def test_sites_are_listed_by_id_per_district(store: Store) -> None:
    every = store.sites()
    assert [s.id for s in every] == sorted(s.id for s in every)
    assert len(every) == len(store.site_ids())
    tianhe = store.sites("tianhe")
    assert [s.name_en for s in tianhe] == ["Tianhe Sports Centre", "Shipai Community Health Centre"]
    assert store.sites("nowhere") == []


def test_sites_stocking_a_product_from_a_day(store: Store) -> None:
    names = [s.name_en for s in store.sites_stocking(["zf2001"], TODAY)]
    assert names == ["Pazhou Exhibition Centre", "Luogang Community Health Centre"]
    in_haizhu = store.sites_stocking(["zf2001", "coronavac"], TODAY, "haizhu")
    assert [s.name_en for s in in_haizhu] == ["Haizhu CDC Clinic", "Pazhou Exhibition Centre"]
    assert store.sites_stocking(["zf2001"], TODAY + timedelta(days=30)) == []
    assert store.sites_stocking([], TODAY) == []
    assert store.sites_stocking(["zf2001"], date(2000, 1, 1), "tianhe") == []
