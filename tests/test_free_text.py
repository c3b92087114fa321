"""Residents write as they speak: free text through the engine — flows started and filled from
sentences, questions answered (also inside a flow), the two likeliest readings when unsure,
messages not understood kept masked, language per message."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.engine import Engine
from bot.nlu import Interpreter
from flows.answers import answer
from flows.dialogue import Ctx
from flows.entities import Entities
from flows.lexicon import load
from flows.policy import Policy
from store import Store
from tests.conftest import Clock, Phone
from tests.fakes import tables
from tests.free_text_support import MOTHER, PHONE, REGISTER_SELF, ZHANG, texts, with_dose_1

BACKENDS = ("sqlite", "postgresql")


def test_one_sentence_books_dose_2_in_four_messages(
    phone: Phone, store: Store, clock: Clock
) -> None:
    resident = with_dose_1(phone, store, clock)
    said = [phone.say("我想明天上午在天河体育中心打第二针"), phone.say("没有"), phone.say("1")]
    assert "请确认：张三，第2剂，6月18日 周五 08:00-10:00，天河体育中心接种点" in said[-1]
    assert "预约成功" in phone.say("1")  # the fourth message
    [booking] = store.active_bookings(resident)
    assert (booking.dose, booking.slot.day, booking.slot.start) == (2, date(2021, 6, 18), "08:00")
    assert booking.site.name_zh == "天河体育中心接种点"


def test_a_guess_never_books_without_the_confirmation(
    phone: Phone, store: Store, clock: Clock
) -> None:
    resident = with_dose_1(phone, store, clock)
    confirm = texts(phone.run("明天上午10点在天河体育中心打第二针", "没有"))
    assert "请确认：张三，第2剂，6月18日 周五 10:00-12:00，天河体育中心接种点" in confirm
    assert store.active_bookings(resident) == []  # asked, not booked
    phone.say("好的，就这样吧")  # not the confirmation's answer
    assert store.active_bookings(resident) == []


def test_a_new_resident_books_dose_1_in_at_most_ten_messages(phone: Phone, store: Store) -> None:
    sent = [
        "我想明天上午在天河体育中心打疫苗",  # the booking, with day, time of day and site
        "1",  # agrees to the notice
        "1",  # for themself
        "张三",
        ZHANG,  # typed at the document question: taken as a resident ID
        "1",  # this phone
        "1",  # lives in Tianhe (suggested from the ID)
        "没有",  # none of the health questions
        "1",  # 08:00-10:00 (two morning periods)
        "1",  # confirmed
    ]
    replies = [phone.say(text) for text in sent]
    assert "请确认：张三，第1剂，6月18日 周五 08:00-10:00，天河体育中心接种点" in replies[-2]
    assert "预约成功" in replies[-1]
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None and len(store.active_bookings(resident.id)) == 1


def test_a_question_inside_a_flow_is_answered_then_the_question_asked_again(
    phone: Phone,
) -> None:
    phone.run(*REGISTER_SELF)
    screening = phone.say("预约")
    assert "张三有以下情况吗？" in screening
    replies = phone.send("孕妇可以打吗？")
    assert "怀孕或哺乳" in replies[0].text and "暂缓" in replies[0].text
    # the screening asked again in one line: the list is in the SMS before (explore10 20)
    assert replies[-1].text == "张三有以上情况吗？请回复 没有 或序号"
    assert "符合接种条件" in phone.say("没有")


def test_answers_use_the_policy_numbers(phone: Phone, policy: Policy) -> None:
    said = phone.say("第二针要隔多久")
    interval = policy.products["coronavac"].intervals[0]
    assert f"{interval.min_days}" in said and f"{interval.max_days}" in said


def test_unsure_offers_the_two_likeliest_then_the_menu(
    engine: Engine, phone: Phone, policy: Policy, store: Store
) -> None:
    """A word both status and cancel claim (a lexicon maintainer's tie): neither is guessed."""
    lexicon = load()
    intents = dict(lexicon.intents)
    for name in ("status", "cancel"):
        intents[name] = replace(intents[name], cues=(*intents[name].cues, ("啫喱", 3.0)))
    engine.interpreter = Interpreter(policy, store.sites, lexicon=replace(lexicon, intents=intents))
    [reply] = phone.send("啫喱")
    assert reply.text == "您是想："
    assert {o.label for o in reply.options[:2]} == {"查询我的预约", "取消预约"}
    assert reply.options[2].label == "都不是，看菜单"
    menu = phone.say("3")
    assert menu.startswith("请回复数字选择")
    phone.send("啫喱")
    key = next(o.key for o in phone.send("啫喱")[0].options if o.label == "查询我的预约")
    assert "还没有登记" in phone.say(key) or "暂无" in phone.say("查询")


def test_two_likely_readings_are_offered_with_the_menu(phone: Phone) -> None:
    [reply] = phone.send("过敏 预约")  # an allergy question, or a booking?
    assert reply.text == "您是想："
    assert [o.label for o in reply.options] == ["过敏能否接种", "预约接种", "都不是，看菜单"]
    assert "过敏" in phone.say("1")


def test_not_understood_gets_the_menu_and_is_kept_masked(phone: Phone, store: Store) -> None:
    replies = phone.send("王小明 440106199001011235 嗯")
    assert replies[-1].options and replies[-1].options[0].label == "预约接种"
    for _ in range(2):
        phone.send("asdf qwer")
    misses = store.misses(10)
    assert misses[0][:2] == ("asdf qwer", 2)
    kept = " ".join(text for text, _, _ in misses)
    assert "王小明" not in kept and "440106199001011235" not in kept and "<号码> 嗯" in kept


@pytest.mark.parametrize("body", ["核酸", "健康码", "我要做核酸检测"])
def test_what_vaxbot_does_not_do_gets_the_menu_and_is_kept(
    body: str, phone: Phone, store: Store
) -> None:
    # Read as nothing vaxbot does: no "您是想" between that and something else.
    replies = phone.send(body)
    assert "出错" not in replies[0].text
    labels = {option.label for reply in replies for option in reply.options}
    assert labels & {"预约接种", "Book a vaccination"}
    assert store.misses(10)[0][:2] == (body, 1)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("核酸检测结果怎么查", "这个问题我不清楚"), ("疫苗安全吗", "这个问题我不清楚"),
        ("is the vaccine safe", "I can't answer that"), ("打完针可以喝咖啡吗", "这个问题我不清楚"),
        ("疫苗保护期多久", "这个问题我不清楚"),
    ],
)  # fmt: skip
def test_a_question_vaxbot_cannot_answer_says_so_and_is_kept(
    body: str, said: str, phone: Phone, store: Store
) -> None:
    # Not the menu as if nothing had been asked (explore10 19): a person may know.
    assert said in phone.say(body)
    assert store.misses(10)[0][:2] == (body, 1)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("副作用有哪些", "留观30分钟"), ("打完针有副作用怎么办", "及时就医"),
        ("疫苗有咩不良反应", "留观30分钟"), ("what are the side effects?", "see a doctor"),
    ],
)  # fmt: skip
def test_side_effects_are_answered_with_what_to_do_after_the_shot(
    body: str, said: str, phone: Phone
) -> None:
    assert said in phone.say(body)


def test_an_english_sentence_in_a_chinese_conversation_is_answered_in_english(
    phone: Phone,
) -> None:
    assert "您好" in phone.say("你好")
    assert phone.say("Is the vaccine free?").startswith("COVID-19 vaccination is free")
    assert "免费" in phone.say("打疫苗要钱吗")


def test_traditional_characters_are_answered_in_traditional(phone: Phone) -> None:
    replies = phone.send("我想預約打針")
    assert "預登記須知" in replies[0].text and replies[0].options[0].label == "同意"
    assert "為誰登記" in phone.say("同意")  # an option's words in either script
    assert "請輸入接種人姓名" in phone.say("本人")  # the same in both scripts: no change
    # a name is written as on the ID, whatever script the resident writes: no sign of either
    assert "請選擇證件類型" in phone.say("张三")
    assert "请选择证件类型" in phone.say("我想问一下这个怎么选")  # a Simplified sentence


def test_booking_for_a_relative_registers_them_then_books(phone: Phone, store: Store) -> None:
    phone.run(*REGISTER_SELF)
    notice = phone.say("帮我妈妈预约明天下午打疫苗")
    assert "预登记须知" in notice
    phone.run("1", "李秀英", "1", MOTHER, "13900139000", "1")
    people = {p.name: p.relation for p in store.residents_of(store.residents_of(1)[0].account_id)}
    assert people == {"张三": "self", "李秀英": "mother"}  # so that 帮我妈约 finds her later


def test_dose_1_given_elsewhere_is_declared_and_shown_on_the_confirmation(
    phone: Phone, store: Store
) -> None:
    phone.run(*REGISTER_SELF)
    asked = phone.say("预约第二针")
    assert "还没有接种记录" in asked and "别处" in asked
    assert "哪天" in phone.say("1")
    assert "哪种疫苗" in phone.say("5月20日")
    assert "哪个区" in phone.say("科兴")
    assert "张三有以下情况吗" in phone.say("在天河体育中心打的")
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None
    [dose] = store.doses_of(resident.id)
    assert (dose.dose, dose.day, dose.product_id, dose.source) == (
        1, date(2021, 5, 20), "coronavac", "declared",
    )  # fmt: skip
    audit = [(r["actor"], r["action"]) for r in store.audit_rows(action="dose")]
    assert audit == [("self:sms", "dose")]
    phone.run("没有", "1")  # dose 2 at the site of dose 1
    phone.say("1")
    confirm = phone.say("1")
    assert "第1针为自报，请带接种凭证。" in confirm  # for the site to check


def test_booking_closed_is_told_before_any_data_is_asked(phone: Phone, clock: Clock) -> None:
    clock.set("2021-06-17T21:00")
    first = phone.say("我想打疫苗")
    assert first.index("系统维护") < first.index("预登记须知")


def test_a_day_not_released_yet_is_called_that(phone: Phone, policy: Policy) -> None:
    phone.run(*REGISTER_SELF, "预约", "没有", "1", "1")
    said = phone.say("6月26日")
    assert "6月26日 周六的名额6月19日 周六 08:00放出" in said


def test_a_day_not_released_named_in_the_first_sentence_is_said_once(
    phone: Phone, store: Store, clock: Clock
) -> None:
    with_dose_1(phone, store, clock)
    phone.send("我想6月26日上午在天河体育中心打第二针")
    said = phone.say("没有")  # eligible: said, then the day's release, once
    assert "符合接种条件" in said and said.count("的名额6月19日 周六 08:00放出") == 1


def test_a_district_without_places_offers_the_queue(phone: Phone, store: Store) -> None:
    tables.shrink_slots(store, id=tables.slots_in(store, "tianhe"))
    phone.run(*REGISTER_SELF, "预约", "没有")
    replies = phone.send("1")
    assert "天河区暂无可预约名额：可选其他区，或排队等候分配" in replies[-1].text
    assert "排队" in replies[-1].options[-1].label


def test_after_quit_the_menu_numbers_work(phone: Phone) -> None:
    phone.run(*REGISTER_SELF, "预约")
    quit_ = phone.send("退出")
    assert [o.key for o in quit_[-1].options][:2] == ["1", "2"]
    assert "张三" in phone.say("2")  # 2: my bookings


def test_help_lists_every_command(phone: Phone) -> None:
    helped = phone.say("帮助")
    for word in ("预约", "查询", "取消", "改期", "登记", "绑定", "菜单", "返回", "退出", "人工",
                 "退订", "订阅", "接受", "放弃"):  # fmt: skip
        assert word in helped


def test_answer_is_usable_from_a_flow_context(engine: Engine, store: Store, clock: Clock) -> None:
    ctx = Ctx(store, engine.policy, clock(), "zh", "sms", PHONE, lambda: 1, "t")
    assert "免费" in answer(ctx, "cost", Entities())


def test_a_question_asked_with_a_booking_request_is_answered_then_the_booking_starts(
    phone: Phone, store: Store, clock: Clock
) -> None:
    with_dose_1(phone, store, clock)
    replies = phone.send("我想约第二针，顺便问下要带什么证件？")
    assert "身份证件" in replies[0].text
    assert "张三有以下情况吗" in replies[-1].text


def test_outside_booking_hours_a_new_resident_is_told_nothing_when_some_district_is_open(
    phone: Phone, clock: Clock
) -> None:
    clock.set("2021-06-17T14:00")  # Tianhe closed, Haizhu open
    assert phone.send("我想打疫苗")[0].text.startswith("预登记须知")


def test_maintenance_is_told_once_and_a_far_day_at_the_time_question_is_refused(
    phone: Phone, clock: Clock
) -> None:
    phone.run(*REGISTER_SELF)
    clock.set("2021-06-17T21:00")
    said = phone.say("我想打疫苗")
    assert said.count("系统维护") == 1 and "天河区明天08:00起可约" in said  # and when it opens
    clock.set("2021-06-18T07:00")
    phone.say("退出")
    assert "天河区今天08:00起可约" in phone.say("我想打疫苗")
    clock.set("2021-06-17T09:00")
    phone.run("退出", "预约", "没有", "1", "1", "明天")
    assert "超出可预约范围" in phone.say("9999年12月31日上午")


def test_a_site_and_a_district_that_disagree_are_asked_about(
    phone: Phone, store: Store, clock: Clock
) -> None:
    with_dose_1(phone, store, clock)
    phone.say("我想明天在海珠的天河体育中心打第二针")
    asked = phone.say("没有")
    assert "天河体育中心接种点在天河区，不在海珠区" in asked and "请选择接种点所在区" in asked


def test_who_is_registered_can_be_said_in_words(phone: Phone) -> None:
    phone.run("登记", "1")
    assert "请输入接种人姓名" in phone.say("帮我阿妈登记")  # a relative, in words
    phone.run("退出", "登记", "1")
    assert "请回复 1 到 2" in phone.say("嗯")


def test_starting_over_inside_a_flow_gives_the_menu(phone: Phone) -> None:
    phone.run("预约", "1", "1", "王五")
    [menu] = phone.send("唔该，我想从头开始")
    assert [o.label for o in menu.options][:2] == ["预约接种", "查询预约"]
    assert "预登记须知" in phone.say("1")  # the menu's numbers work: a booking from the start


def test_an_age_question_in_english_is_answered_with_the_age_rules(phone: Phone) -> None:
    said = phone.say("My grandma is 80, can she get vaccinated?")
    assert said.startswith("At 80 you can book.") and "family member must come" in said


def test_a_status_question_inside_a_flow_is_answered_and_the_flow_goes_on(phone: Phone) -> None:
    phone.run(*REGISTER_SELF)
    phone.send("我想明天上午在天河体育中心打疫苗")  # the health questions
    said = phone.say("我约了吗")
    assert "张三：预登记码" in said and said.endswith("张三有以上情况吗？请回复 没有 或序号")
    assert "符合接种条件" in phone.say("没有")  # still in the booking


@pytest.mark.parametrize("agree", ["好", "好的", "係", "yes", "ok", "要"])
def test_agreeing_takes_the_one_thing_offered(agree: str, phone: Phone) -> None:
    phone.run("登记", "1", "1", "张三", "1", ZHANG, "1")
    [done] = phone.send("1")  # the district: registered, and booking offered
    assert [o.label for o in done.options] == ["为张三预约接种"]
    said = phone.say(agree)
    assert "张三有以下情况吗" in said or "張三有以下情況嗎" in said  # 係 is written in Traditional


def test_a_priority_campaign_is_told_before_any_data_is_asked(phone: Phone, clock: Clock) -> None:
    clock.set("2021-06-19T09:00:00+08:00")  # the dose-2 campaign runs 19–21 June
    first = texts(phone.send("我想约明天上午打针"))
    assert first.startswith("6月19日 周六至6月21日 周一仅限第2剂（距上一剂超35天）预约，其他人")
    assert first.index("6月22日 周二起可约；现在可先预登记") < first.index("预登记须知")


def test_an_english_command_word_after_chinese_is_answered_in_english(phone: Phone) -> None:
    assert phone.say("帮助").startswith("直接说您要办的事")
    assert phone.say("HELP").startswith("Just say what you need")
    assert phone.say("菜单").startswith("请回复数字选择")


def test_asking_when_ones_own_dose_2_is_due_is_answered_for_them(
    phone: Phone, store: Store, clock: Clock
) -> None:
    with_dose_1(phone, store, clock, day="2021-06-01")
    said = phone.say("我几时可以打第二针")
    assert said.startswith("张三第2剂6月22日 周二起可约，7月27日 周二前接种为按时。")
    stranger = Phone(phone.engine, "+8613900139999")
    assert "张三" not in stranger.say("我几时可以打第二针")  # nobody else's dates
