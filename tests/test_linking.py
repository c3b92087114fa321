"""One identity across channels: a Telegram chat or email address linked to a phone by a code
texted to that phone sees and manages the same people and bookings."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.engine import Engine
from store import Store
from tests.conftest import Clock, Phone

BACKENDS = ("sqlite", "postgresql")
PHONE = "+8613800138000"
REGISTER_AND_BOOK = (
    "登记", "1", "1", "张三", "1", "440106199001011235", "1", "1",
    "预约", "没有", "1", "1", "明天上午", "1", "1",
)  # fmt: skip


def texted_code(store: Store) -> str:
    links = [r for r in store.outbox_rows() if r["idempotency_key"].startswith("link:")]
    assert links and (links[-1]["kind"], links[-1]["address"]) == ("reply", PHONE)
    match = re.search(r"\d{6}", links[-1]["text"])
    assert match
    return match.group(0)


def test_a_telegram_chat_linked_by_sms_code_manages_the_same_bookings(
    engine: Engine, store: Store
) -> None:
    Phone(engine, PHONE).run(*REGISTER_AND_BOOK)
    chat = Phone(engine, "987654321", channel="telegram")
    assert "没有登记" in chat.say("查询")  # a new chat knows nobody yet

    assert "手机号" in chat.say("绑定")
    assert "138****8000" in chat.say("13800138000")
    assert "绑定成功" in chat.say(texted_code(store))

    status = chat.say("查询")
    assert "张三" in status and "预约码B0000001" in status
    assert "确认取消" in chat.say("取消")  # and can manage it: cancel from Telegram
    assert "已取消" in chat.say("1")
    assert "暂无预约" in Phone(engine, PHONE).say("查询")  # seen from SMS too


def test_a_wrong_code_is_refused_and_five_wrong_codes_end_it(engine: Engine, store: Store) -> None:
    Phone(engine, PHONE).run("登记", "1", "1", "张三", "1", "440106199001011235", "1", "1")
    chat = Phone(engine, "1001", channel="telegram")
    chat.run("绑定", "13800138000")
    code = texted_code(store)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        assert "不对" in chat.say(wrong)
    assert "失效" in chat.say(wrong)
    assert "张三" not in chat.say("查询")  # nothing linked
    assert store.account_of("telegram", "1001") != store.account_of("sms", PHONE)


def test_a_code_expires_after_ten_minutes(engine: Engine, store: Store, clock: Clock) -> None:
    chat = Phone(engine, "1002", channel="telegram")
    chat.run("link", "13800138000")
    clock.now += timedelta(minutes=11)
    assert "expired" in chat.say(texted_code(store))


def test_people_registered_in_the_chat_before_linking_come_along(
    engine: Engine, store: Store
) -> None:
    chat = Phone(engine, "1003", channel="telegram")
    chat.run("register", "1", "1", "Li Lei", "1", "440106199203151244", "13900139000", "1")
    chat.run("link", "13800138000")
    chat.say(texted_code(store))
    account = store.account_of("sms", PHONE) or store.account_of("telegram", "1003")
    assert [r.name for r in store.residents_of(account or 0)] == ["Li Lei"]
    assert "Li Lei" in Phone(engine, PHONE).say("查询")


def test_on_sms_the_number_is_the_identity_already(engine: Engine) -> None:
    assert "无需绑定" in Phone(engine, PHONE).say("绑定")
