"""What an attacker tried against vaxbot, repeated and stopped (issue 16, items 2-4): the ID
oracle, enumeration of ID numbers, a flood of link codes at one phone, guessing codes; and the
separate consent to health information, recorded."""

from __future__ import annotations

import re

from bot.engine import Engine
from store import Store
from tests.conftest import Clock, Phone

BACKENDS = ("sqlite", "postgresql")
OWNER = "+8613800138000"
STRANGER = "+8613900139000"
ID_NUMBER = "440106199001011235"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(body: str) -> str:
    """A valid GB 11643 number from its first 17 digits."""
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def register(phone: Phone, number: str) -> str:
    return "\n".join(r.text for r in phone.run("登记", "1", "1", "张三", "1", number))


def sms_to(store: Store, phone: str, prefix: str) -> list[dict[str, object]]:
    return [
        r for r in store.outbox_rows()
        if r["address"] == phone and str(r["idempotency_key"]).startswith(prefix)
    ]  # fmt: skip


def test_an_id_registered_elsewhere_reveals_nothing_and_the_owner_is_told(
    engine: Engine, store: Store
) -> None:
    owner = Phone(engine, OWNER)
    owner.run("登记", "1", "1", "张三", "1", ID_NUMBER, "1", "1")
    stranger = Phone(engine, STRANGER)
    said = register(stranger, ID_NUMBER)
    assert "不能在此登记" in said and "人工" in said  # how to get help …
    for leak in ("8000", "138", "已登记", "张三"):  # … and not whether, nor whose, nor who
        assert leak not in said, leak
    notices = sms_to(store, OWNER, "id-attempt:")
    assert len(notices) == 1 and "张三" in str(notices[0]["text"])
    assert STRANGER[-4:] not in str(notices[0]["text"])
    register(stranger, ID_NUMBER)  # tried again the same day: the owner is not texted again
    assert len(sms_to(store, OWNER, "id-attempt:")) == 1
    assert store.residents_with_document(ID_NUMBER)[0].account_id == store.account_of("sms", OWNER)


def test_distinct_ids_tried_per_day_are_capped(engine: Engine, store: Store, clock: Clock) -> None:
    Phone(engine, OWNER).run("登记", "1", "1", "张三", "1", ID_NUMBER, "1", "1")
    stranger = Phone(engine, STRANGER)
    tried = [resident_id(f"44010619900101{n:03d}") for n in range(100, 103)]
    for number in tried:  # three unregistered numbers: each goes on to the phone step
        assert "手机" in register(stranger, number)
    said = register(stranger, ID_NUMBER)  # the fourth, registered elsewhere: not even looked up
    assert "上限" in said and "不能在此登记" not in said
    assert sms_to(store, OWNER, "id-attempt:") == []
    assert "手机" in register(stranger, tried[0])  # one already tried today still goes on
    clock.set("2021-06-18T09:00:00+08:00")
    assert "不能在此登记" in register(stranger, ID_NUMBER)  # a new day


def test_a_committee_worker_registers_five_people_in_a_day(engine: Engine, store: Store) -> None:
    """The cap stops probing, not registering (explore10 9): the IDs registered from the phone
    do not count against it, so a neighbourhood-committee worker fills the phone's five places
    in a day, and probing stays capped after that."""
    worker = Phone(engine, STRANGER)
    for n in range(5):
        number = resident_id(f"44010619500101{n:03d}")
        said = "\n".join(r.text for r in worker.run(
            "登记", "1", "2", f"张{'一二三四五'[n]}", "1", number, "1", "1"
        ))  # fmt: skip
        assert "预登记成功" in said, (n, said)
    account = store.account_of("sms", STRANGER)
    assert account is not None and len(store.residents_of(account)) == 5
    assert "上限" in "\n".join(r.text for r in worker.run("退出", "登记"))  # five: the phone's cap


def test_thirty_addresses_asking_codes_for_one_phone_text_it_five_times(
    engine: Engine, store: Store
) -> None:
    replies = []
    for n in range(30):
        chat = Phone(engine, f"attacker{n}@example.org", channel="email")
        chat.say("绑定")
        replies.append(chat.say("13800138000"))
    assert len(sms_to(store, OWNER, "link:")) == 5  # NIST 800-63B: a limit per phone
    assert sum("请回复6位验证码" in r for r in replies) == 5
    assert all("过多" in r for r in replies[5:])


def test_guessing_codes_stops_and_a_code_is_single_use(
    engine: Engine, store: Store, clock: Clock
) -> None:
    Phone(engine, OWNER).run("登记", "1", "1", "张三", "1", ID_NUMBER, "1", "1")
    attacker = Phone(engine, "66666", channel="telegram")
    guesses = 0
    for _ in range(6):  # five codes an hour, five tries each: then nothing more is sent
        if "请回复6位验证码" not in attacker.run("绑定", "13800138000")[-1].text:
            break
        for _ in range(5):
            guesses += 1
            said = attacker.say(f"{guesses:06d}")
            if "失效" in said:
                break
    assert guesses <= 25 and len(sms_to(store, OWNER, "link:")) == 5
    assert "张三" not in attacker.say("查询")
    assert store.account_of("telegram", "66666") != store.account_of("sms", OWNER)

    clock.set("2021-06-17T10:01:00+08:00")  # the owner links their own chat, later
    mine = Phone(engine, "12345", channel="telegram")
    mine.run("绑定", "13800138000")
    code = re.findall(r"\d{6}", str(sms_to(store, OWNER, "link:")[-1]["text"]))[0]
    assert "绑定成功" in mine.say(code)
    again = Phone(engine, "77777", channel="telegram")  # the same code, replayed elsewhere
    again.run("绑定", "13800138000")
    assert "绑定成功" not in again.say(code)


def test_a_new_link_is_texted_to_the_phone_and_unlink_undoes_it(
    engine: Engine, store: Store
) -> None:
    owner = Phone(engine, OWNER)
    owner.run("登记", "1", "1", "张三", "1", ID_NUMBER, "1", "1")
    chat = Phone(engine, "4242", channel="telegram")
    chat.run("绑定", "13800138000")
    code = re.findall(r"\d{6}", str(sms_to(store, OWNER, "link:")[-1]["text"]))[0]
    assert "绑定成功" in chat.say(code)
    told = sms_to(store, OWNER, "linked:")
    assert len(told) == 1 and "解绑" in str(told[0]["text"]) and "Telegram" in str(told[0]["text"])
    assert "张三" in chat.say("查询")
    assert "解除1个绑定" in owner.say("解绑")
    assert "张三" not in chat.say("查询")  # the chat is a stranger again
    assert "没有绑定" in owner.say("解绑")


def test_health_information_is_consented_separately_and_recorded(
    engine: Engine, store: Store
) -> None:
    first = Phone(engine, OWNER).run("登记")[-1]
    assert "健康信息（单独同意）" in first.text
    assert [o.key for o in first.options] == ["1", "2", "3"]
    only_notice = Phone(engine, STRANGER)
    said = "\n".join(r.text for r in only_notice.run("登记", "3"))
    assert "未同意健康信息" in said
    assert store.residents_of(store.account_of("sms", STRANGER) or 0) == []

    Phone(engine, OWNER).run("1", "1", "张三", "1", ID_NUMBER, "1", "1")
    person = store.residents_with_document(ID_NUMBER)[0]
    consents = store.consents_of(person.id)
    assert [(kind, version) for kind, version, _ in consents] == [
        ("notice", "2021-06-a"), ("health", "2021-06-a"),
    ]  # fmt: skip
    assert all(at.startswith("2021-06-17T09:00") for _, _, at in consents)


def test_not_agreeing_in_words_declines(engine: Engine) -> None:
    """唔同意 (Cantonese), I don't agree: the consent declined, as 不同意 and 2 are."""
    for n, said in enumerate(("唔同意", "I don't agree", "不要")):
        phone = f"+861390013900{n}"
        reply = "\n".join(r.text for r in Phone(engine, phone).run("登记", said))
        assert "未同意" in reply or "Not agreed" in reply
        assert "为谁登记" not in reply and "Who" not in reply
