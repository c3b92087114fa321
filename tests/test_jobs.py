"""Spec for the scheduled jobs (bot/jobs.py), the follow-up list (bot/followups.py), opting out
and in through the engine, and offers from the pre-registration queue (bot/assign.py,
flows/offers.py).

The jobs only queue outbox rows; where sending matters, ``deliver_due`` runs against
``ScriptedDelivery``. Every job is given its moment explicitly; the engine's time is the
``clock`` fixture. The ``store`` is the demo seeded for 2021-06-17..23 (Asia/Shanghai).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.assign import run_assign
from bot.cli import main
from bot.engine import Engine
from bot.jobs import Level, alert_level, send_alerts, send_reminders, send_time
from bot.outbox import Report, deliver_due
from flows.identity import mask_phone
from flows.policy import Policy
from store import Booking, Dose, Resident, Store
from tests.conftest import Clock, Phone, with_login
from tests.fakes import tables
from tests.fakes.delivery import ScriptedDelivery, outbox_row, outbox_rows

BACKENDS = ("sqlite", "postgresql")
PHONE = "+8613800138000"
OTHER = "+8613900139000"
THIRD = "+8613700137000"
TIANHE_SPORTS = 1  # 天河体育中心接种点: coronavac
ZONE = ZoneInfo("Asia/Shanghai")
DOSE1_DAY = date(2021, 5, 27)  # + 21 days = 2021-06-17, the seeded "today"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(born: date, serial: int, female: bool = False) -> str:
    """A valid 18-digit resident ID (Tianhe, Guangzhou) with its check character."""
    body = f"440106{born:%Y%m%d}{serial:02d}{2 if female else 1}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]
    return body + check


def at(moment: str, policy: Policy) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=policy.zone)


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def register(
    store: Store,
    now: datetime,
    name: str,
    born: date,
    serial: int,
    phone: str = PHONE,
    manager: str | None = None,
) -> Resident:
    """A person registered by SMS from ``manager`` (default: their own ``phone``)."""
    by = manager or phone
    account = store.account_for("sms", by, by, now)
    return store.add_resident(
        account_id=account,
        name=name,
        id_type="resident_id",
        id_number=id_number(born, serial),
        birth_date=born,
        sex="M",
        phone=phone,
        district_id="tianhe",
        now=now,
        actor="self:sms",
        channel="sms",
        relation="self" if by == phone else "other",
    )


def slot_id(store: Store, day: str, start: str = "10:00", site_id: int = TIANHE_SPORTS) -> int:
    slot = store.slot_at(site_id, day, start)
    assert slot is not None, f"no slot at site {site_id} on {day} {start}"
    return slot.id


def book(
    store: Store, person: Resident, now: datetime, day: str, dose: int = 1, start: str = "10:00"
) -> Booking:
    return store.book(
        resident_id=person.id, slot_id=slot_id(store, day, start), dose=dose, now=now,
        channel="sms", actor="self:sms",
    )  # fmt: skip


def dose1(store: Store, person: Resident, day: date = DOSE1_DAY) -> None:
    store.add_dose(
        Dose(person.id, 1, day, "coronavac", TIANHE_SPORTS, "import"),
        datetime.combine(day, time(12), ZONE),
        "import",
        "cli",
    )


def deliver(store: Store, policy: Policy, clock: Clock, sms: ScriptedDelivery) -> Report:
    return asyncio.run(deliver_due(store, {"sms": sms}, policy, clock))


def rows_like(store: Store, prefix: str) -> list[dict[str, Any]]:
    return [row for row in outbox_rows(store) if row["idempotency_key"].startswith(prefix)]


# -- reminders ----------------------------------------------------------------------------------


def test_a_reminder_is_queued_the_day_before_and_only_once(
    store: Store, policy: Policy, clock: Clock
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    booking = book(store, zhang, clock.now, "2021-06-18")

    assert send_reminders(store, policy, at("2021-06-16T18:00", policy)) == 0  # 2 days before
    assert rows_like(store, "reminder:") == []

    evening = at("2021-06-17T18:00", policy)
    assert send_reminders(store, policy, evening) == 1
    (row,) = rows_like(store, "reminder:")
    assert row["idempotency_key"] == f"reminder:{booking.code}:2021-06-18:{PHONE}"
    assert (row["channel"], row["address"], row["kind"]) == ("sms", PHONE, "notice")
    assert row["due_at"] == stamp(evening)
    assert row["text"] == (
        f"提醒：张三明天（6月18日 周五）10:00-12:00在天河体育中心接种点接种第1剂，"
        f"预约码{booking.code}。请带身份证件。"
    )

    assert send_reminders(store, policy, evening) == 0  # the job ran twice (a restart)
    assert send_reminders(store, policy, at("2021-06-17T20:30", policy)) == 0
    assert send_reminders(store, policy, at("2021-06-18T18:00", policy)) == 0  # now it is today
    assert len(rows_like(store, "reminder:")) == 1


def test_reminders_go_to_the_persons_phone_and_the_managing_phone(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    Phone(engine, OTHER).say("hello")  # 李芳's own phone writes English
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    li = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=OTHER, manager=PHONE)
    assert li.account_id == zhang.account_id
    mine = book(store, zhang, clock.now, "2021-06-18")
    hers = book(store, li, clock.now, "2021-06-18")
    cancelled = register(store, clock.now, "王五", date(1980, 3, 3), 31, phone=THIRD)
    store.cancel(book(store, cancelled, clock.now, "2021-06-18").id, now=clock.now,
                 actor="self:sms", channel="sms")  # fmt: skip

    assert send_reminders(store, policy, at("2021-06-17T18:00", policy)) == 3
    sent = {(r["address"], r["idempotency_key"]): r["text"] for r in rows_like(store, "reminder:")}
    assert set(sent) == {
        (PHONE, f"reminder:{mine.code}:2021-06-18:{PHONE}"),
        (OTHER, f"reminder:{hers.code}:2021-06-18:{OTHER}"),
        (PHONE, f"reminder:{hers.code}:2021-06-18:{PHONE}"),
    }
    assert sent[OTHER, f"reminder:{hers.code}:2021-06-18:{OTHER}"].startswith(
        "Reminder: 李芳, dose 1 tomorrow (Fri 18 Jun) 10:00-12:00 at Tianhe Sports Centre"
    )
    assert sent[PHONE, f"reminder:{hers.code}:2021-06-18:{PHONE}"].startswith("提醒：李芳明天")
    assert send_reminders(store, policy, at("2021-06-17T18:05", policy)) == 0


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        ("2021-06-17T18:00", "2021-06-17T18:00"),
        ("2021-06-17T20:59:59", "2021-06-17T20:59:59"),
        ("2021-06-17T21:00", "2021-06-18T08:00"),
        ("2021-06-17T23:59", "2021-06-18T08:00"),
        ("2021-06-18T00:00", "2021-06-18T08:00"),
        ("2021-06-18T07:59:59", "2021-06-18T08:00"),
        ("2021-06-18T08:00", "2021-06-18T08:00"),
    ],
)
def test_send_time_skips_the_quiet_hours(policy: Policy, moment: str, due: str) -> None:
    assert policy.followup.quiet_hours == "21:00-08:00"
    assert send_time(policy, at(moment, policy)) == at(due, policy)


def test_notices_queued_in_the_quiet_hours_go_out_at_eight(
    store: Store, policy: Policy, clock: Clock
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    book(store, zhang, clock.now, "2021-06-19")
    late = register(store, clock.now, "赵六", date(1970, 7, 7), 41, phone=OTHER)
    dose1(store, late)  # dose 2 due from 06-17

    clock.set("2021-06-18T00:30")  # the worker came back after midnight: both jobs run now
    assert send_reminders(store, policy, clock.now) == 1
    assert [a.level for a in send_alerts(store, policy, clock.now)] == [Level.BLUE]
    morning = "2021-06-18T08:00:00+08:00"
    assert {r["due_at"] for r in outbox_rows(store)} == {morning}

    sms = ScriptedDelivery()
    clock.set("2021-06-18T07:59:59")
    assert not deliver(store, policy, clock, sms)
    clock.set("2021-06-18T08:00")
    assert deliver(store, policy, clock, sms).sent == 2
    (reminder,) = rows_like(store, "reminder:")
    assert "明天（6月19日 周六）" in reminder["text"]  # read at 08:00 on the 18th: right


def test_a_reminder_held_by_the_quiet_hours_does_not_say_tomorrow_on_the_day(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """The reminders job ran late, after 21:00 (worker down at 18:00): the reminder waits for
    08:00, which is the appointment day itself; it must not then say "明天" (tomorrow)."""
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    book(store, zhang, clock.now, "2021-06-18")
    clock.set("2021-06-17T22:30")
    assert send_reminders(store, policy, clock.now) == 1
    (reminder,) = rows_like(store, "reminder:")
    delivered_on = datetime.fromisoformat(reminder["due_at"]).date()
    assert not (delivered_on == date(2021, 6, 18) and "明天" in reminder["text"]), (
        f"due {reminder['due_at']}: {reminder['text']}"
    )


# -- dose-2 alerts ------------------------------------------------------------------------------


def test_alert_level_at_each_threshold(policy: Policy) -> None:
    assert (policy.followup.yellow_after_due_days, policy.followup.red_before_limit_days) == (14, 7)
    dose = date(2021, 5, 1)
    earliest, latest = dose + timedelta(days=21), dose + timedelta(days=56)
    expected = {20: None, 21: Level.BLUE, 34: Level.BLUE, 35: Level.YELLOW, 48: Level.YELLOW,
                49: Level.RED, 56: Level.RED, 57: Level.RED, 200: Level.RED}  # fmt: skip
    for day, level in expected.items():
        assert alert_level(policy, earliest, latest, dose + timedelta(days=day)) is level, day


def test_dose2_alerts_each_colour_once_on_its_day(
    store: Store, policy: Policy, clock: Clock
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    dose1(store, zhang)
    new_rows: dict[int, list[str]] = {}
    levels: dict[int, list[Level]] = {}
    followups: dict[int, list[str]] = {}
    for day in range(18, 60):  # the job runs every day at 10:00
        now = datetime.combine(DOSE1_DAY + timedelta(days=day), time(10), policy.zone)
        before = {r["idempotency_key"] for r in outbox_rows(store)}
        alerts = send_alerts(store, policy, now)
        assert all(a.resident_id == zhang.id and a.dose == 2 for a in alerts)
        assert all(a.limit == DOSE1_DAY + timedelta(days=56) for a in alerts)
        levels[day] = [a.level for a in alerts]
        new_rows[day] = [
            r["idempotency_key"] for r in outbox_rows(store) if r["idempotency_key"] not in before
        ]
        followups[day] = [f["level"] for f in store.open_followups()]

    key = f"alert:{zhang.id}:2:{{}}:{PHONE}"
    assert {day: rows for day, rows in new_rows.items() if rows} == {
        21: [key.format("blue")],
        35: [key.format("yellow")],
        49: [key.format("red")],
    }
    assert levels[18] == levels[19] == levels[20] == []
    assert all(levels[day] == [Level.BLUE] for day in range(21, 35))
    assert all(levels[day] == [Level.YELLOW] for day in range(35, 49))
    assert all(levels[day] == [Level.RED] for day in range(49, 60))
    assert all(followups[day] == [] for day in range(18, 35))  # blue is not a case to call
    assert all(followups[day] == ["yellow"] for day in range(35, 49))
    assert all(followups[day] == ["red", "yellow"] for day in range(49, 60))

    texts = {r["idempotency_key"]: r["text"] for r in outbox_rows(store)}
    assert texts[key.format("blue")] == "张三的第2剂已可预约，回复 预约 即可。回复 退订 不再提醒。"
    assert texts[key.format("yellow")] == "张三的第2剂已逾期，请尽快回复 预约 或致电热线。"
    assert texts[key.format("red")].startswith("紧急：张三的第2剂须在7月22日 周四前接种")
    first = outbox_row(store, key.format("blue"))
    assert (first["address"], first["kind"]) == (PHONE, "notice")
    assert first["due_at"] == "2021-06-17T10:00:00+08:00"


def test_alerts_go_to_both_phones_and_once_per_person_on_the_list(
    store: Store, policy: Policy, clock: Clock
) -> None:
    li = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=OTHER, manager=PHONE)
    dose1(store, li)
    now = datetime.combine(DOSE1_DAY + timedelta(days=35), time(10), policy.zone)
    assert [a.level for a in send_alerts(store, policy, now)] == [Level.YELLOW]
    assert {r["address"] for r in rows_like(store, "alert:")} == {OTHER, PHONE}
    assert [(f["resident_id"], f["level"]) for f in store.open_followups()] == [(li.id, "yellow")]


def test_booking_dose_2_stops_the_alerts(store: Store, policy: Policy, clock: Clock) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    control = register(store, clock.now, "王五", date(1980, 3, 3), 31, phone=OTHER)
    dose1(store, zhang)
    dose1(store, control)
    assert len(send_alerts(store, policy, at("2021-06-17T10:00", policy))) == 2  # both blue
    book(store, zhang, at("2021-06-17T10:30", policy), "2021-06-20", dose=2)

    for day in range(22, 60):
        now = datetime.combine(DOSE1_DAY + timedelta(days=day), time(10), policy.zone)
        assert [a.resident_id for a in send_alerts(store, policy, now)] == [control.id]
    assert [r["idempotency_key"] for r in rows_like(store, f"alert:{zhang.id}:")] == [
        f"alert:{zhang.id}:2:blue:{PHONE}"
    ]
    assert len(rows_like(store, f"alert:{control.id}:")) == 3
    assert {f["resident_id"] for f in store.open_followups()} == {control.id}


def test_no_alert_once_every_dose_is_given(store: Store, policy: Policy, clock: Clock) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    dose1(store, zhang, date(2021, 4, 1))
    store.add_dose(Dose(zhang.id, 2, date(2021, 4, 22), "coronavac", TIANHE_SPORTS, "import"),
                   clock.now, "import", "cli")  # fmt: skip
    single = register(store, clock.now, "钱七", date(1975, 2, 2), 51, phone=OTHER)
    store.add_dose(Dose(single.id, 1, date(2021, 4, 1), "ad5", None, "import"),
                   clock.now, "import", "cli")  # fmt: skip
    assert send_alerts(store, policy, at("2021-06-17T10:00", policy)) == []
    assert outbox_rows(store) == []


# -- the follow-up list (vaxbot followup) -------------------------------------------------------


def followup_cli(
    db: str | Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[str], str]:
    monkeypatch.setenv("VAXBOT_NOW", "2021-07-16T10:30")
    capsys.readouterr()
    try:
        status = main(["followup", *with_login(db, args, monkeypatch), "--db", str(db)])
    except SystemExit as exc:  # argparse's usage errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def test_followup_list_and_record(
    store: Store,
    policy: Policy,
    clock: Clock,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert followup_cli(db_url, monkeypatch, capsys, "list") == (0, ["no open follow-ups"], "")
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    li = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=OTHER)
    dose1(store, zhang)  # yellow on 07-01
    dose1(store, li, DOSE1_DAY - timedelta(days=14))  # red on 07-01
    send_alerts(store, policy, at("2021-07-01T10:00", policy))
    yellow, red = (
        {f["level"]: f["id"] for f in store.open_followups()}[level] for level in ("yellow", "red")
    )

    status, lines, err = followup_cli(db_url, monkeypatch, capsys, "list")
    assert (status, err) == (0, "")
    assert lines == [
        f"#{red} RED    {li.prereg_code} 李芳 {mask_phone(OTHER)} dose 2 since 2021-07-01",
        f"#{yellow} YELLOW {zhang.prereg_code} 张三 {mask_phone(PHONE)} dose 2 since 2021-07-01",
    ]
    assert "13800138000" not in "\n".join(lines) and "13900139000" not in "\n".join(lines)
    status, lines, _ = followup_cli(db_url, monkeypatch, capsys, "list", "--reveal",
                                   "--operator", "李主任")  # fmt: skip
    assert status == 0 and OTHER in lines[0] and PHONE in lines[1]

    status, lines, err = followup_cli(
        db_url, monkeypatch, capsys, "record", str(red), "--outcome", "no-answer",
        "--operator", "王护士",
    )  # fmt: skip
    assert (status, lines, err) == (0, [f"#{red}: no-answer — stays on the list"], "")
    status, lines, _ = followup_cli(db_url, monkeypatch, capsys, "list")
    assert lines[0].endswith("since 2021-07-01, last call 2021-07-16T10:30: no-answer")

    status, lines, _ = followup_cli(
        db_url, monkeypatch, capsys, "record", str(red), "--outcome", "booked",
        "--operator", "王护士",
    )  # fmt: skip
    assert (status, lines) == (0, [f"#{red}: booked — closed"])
    status, lines, _ = followup_cli(db_url, monkeypatch, capsys, "list")
    assert [line.split()[0] for line in lines] == [f"#{yellow}"]
    closed = store.followup(red)
    assert closed is not None
    assert [closed[k] for k in ("status", "operator", "outcome")] == ["closed", "王护士", "booked"]

    status, _, err = followup_cli(
        db_url, monkeypatch, capsys, "record", "999", "--outcome", "booked", "--operator", "x"
    )
    assert (status, err) == (1, "vaxbot followup: no follow-up 999\n")
    status, _, _ = followup_cli(
        db_url, monkeypatch, capsys, "record", str(yellow), "--outcome", "maybe", "--operator", "x"
    )
    assert status == 2  # not one of the outcomes
    assert len(store.open_followups()) == 1


# -- opting out and in, through the engine ------------------------------------------------------


def test_stop_holds_notices_start_resumes_them_and_replies_still_come(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    li = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=PHONE)  # same phone
    tomorrow = book(store, zhang, clock.now, "2021-06-18")
    later = book(store, li, clock.now, "2021-06-19")
    phone = Phone(engine, PHONE)
    sms = ScriptedDelivery()

    assert phone.say("退订") == "已退订通知。仍可随时发送 预约 或 查询。回复 订阅 恢复通知。"
    assert store.opted_out("sms", PHONE)
    clock.set("2021-06-17T18:00")
    assert send_reminders(store, policy, clock.now) == 1  # queued all the same...
    report = deliver(store, policy, clock, sms)
    assert (report.sent, report.held) == (0, 1)  # ...and held by the sender
    assert sms.calls == []
    held = outbox_row(store, f"reminder:{tomorrow.code}:2021-06-18:{PHONE}")
    assert (held["failed_at"], held["last_error"]) == ("2021-06-17T18:00:00+08:00", "opted out")

    status = phone.say("查询")  # STOP stops notices, not answers
    assert "张三" in status and tomorrow.code in status and later.code in status

    assert phone.say("订阅") == "已恢复通知。"
    assert not store.opted_out("sms", PHONE)
    clock.set("2021-06-18T18:00")
    assert send_reminders(store, policy, clock.now) == 1
    assert deliver(store, policy, clock, sms).sent == 1
    assert [m.key for m in sms.calls] == [f"reminder:{later.code}:2021-06-19:{PHONE}"]
    assert outbox_row(store, held["idempotency_key"])["sent_at"] is None  # never sent late

    assert phone.say("STOP").startswith("已退订通知")  # the English word, same effect
    assert store.opted_out("sms", PHONE)


def test_stop_from_a_national_format_number_holds_notices_to_that_phone(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    """The engine knows ``13800138000`` and ``+8613800138000`` are one phone (its account, the
    registered phone); the opt-out must be for that phone too, not only for the raw address."""
    local = "13800138000"
    phone = Phone(engine, local)
    for answer in ("登记", "1", "1", "张三", "1", id_number(date(1990, 1, 1), 12), "1"):
        phone.say(answer)
    assert "预登记成功" in phone.say("1")
    (zhang,) = store.residents_of(store.account_of("sms", local) or 0)
    assert zhang.phone == PHONE  # stored in E.164 form
    book(store, zhang, clock.now, "2021-06-18")

    assert phone.say("退订").startswith("已退订通知")
    clock.set("2021-06-17T18:00")
    send_reminders(store, policy, clock.now)
    sms = ScriptedDelivery()
    report = deliver(store, policy, clock, sms)
    assert [m.address for m in sms.calls] == [], "a reminder went to a phone that sent 退订"
    assert report.held == 1


# -- offers from the queue ----------------------------------------------------------------------


def slot_booked(store: Store, slot: int) -> int:
    found = store.slot(slot)
    assert found is not None
    return found.booked


def offer_of(store: Store, person: Resident) -> dict[str, Any]:
    (row,) = store.offer_rows(person.id)
    return row


def queue_status(store: Store, person: Resident) -> list[str]:
    return [row["status"] for row in store.queue_rows(person.id)]


@pytest.mark.parametrize(
    ("reply", "accepted"),
    [("1", "已接受。预约码"), ("１", "已接受。预约码"), ("1。", "已接受。预约码"),
     ("一", "已接受。预约码"), ("接受", "已接受。预约码"), ("ACCEPT", "Accepted. Code ")],
)  # fmt: skip
def test_an_offer_accepted_by_sms_books_the_place(
    store: Store, policy: Policy, clock: Clock, engine: Engine, reply: str, accepted: str
) -> None:
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    clock.set("2021-06-17T20:10")
    assert store.join_queue(zhang.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    assert run_assign(store, policy, clock.now).offered == 1
    offer = offer_of(store, zhang)
    held = slot_booked(store, offer["slot_id"])
    (sms,) = outbox_rows(store)
    assert (sms["address"], sms["idempotency_key"], sms["kind"]) == (
        PHONE, f"offer:{offer['id']}", "notice",
    )  # fmt: skip
    assert "回复1接受，回复2放弃" in sms["text"]

    clock.set("2021-06-17T21:15")
    said = Phone(engine, PHONE).say(reply)

    (booking,) = store.active_bookings(zhang.id)
    assert said.startswith(f"{accepted}{booking.code}")
    assert (booking.slot.id, booking.dose) == (offer["slot_id"], 1)
    offer = offer_of(store, zhang)
    assert (offer["status"], offer["booking_id"]) == ("accepted", booking.id)
    assert offer["answered_at"] == "2021-06-17T21:15:00+08:00"
    assert queue_status(store, zhang) == ["booked"]
    assert slot_booked(store, booking.slot.id) == held  # the held place became the booking


def test_an_offer_declined_with_2_frees_the_place(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    li = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=OTHER)
    clock.set("2021-06-17T20:10")
    store.join_queue(li.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    run_assign(store, policy, clock.now)
    offer = offer_of(store, li)
    held = slot_booked(store, offer["slot_id"])

    assert Phone(engine, OTHER).say("2") == "已放弃该名额。如需预约请回复 预约。"
    assert offer_of(store, li)["status"] == "declined"
    assert store.active_bookings(li.id) == []
    assert queue_status(store, li) == ["declined"]
    assert slot_booked(store, offer["slot_id"]) == held - 1
    assert "预约码" not in Phone(engine, OTHER).say("1")  # a 1 after declining books nothing
    assert store.active_bookings(li.id) == []


def test_an_unanswered_offer_expires_and_the_place_goes_to_the_next_in_the_queue(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    last = slot_id(store, "2021-06-20")
    tables.fill_slots(store)  # one place left in the campaign
    tables.fill_slots(store, leave=1, id=last)
    first = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    second = register(store, clock.now, "李芳", date(1965, 5, 5), 23, phone=OTHER)
    clock.set("2021-06-17T20:10")
    store.join_queue(first.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:11")
    store.join_queue(second.id, 1, "tianhe", None, clock.now)

    clock.set("2021-06-17T20:30")
    assert run_assign(store, policy, clock.now).offered == 1
    offer = offer_of(store, first)
    assert (offer["slot_id"], offer["expires_at"]) == (last, "2021-06-18T08:30:00+08:00")
    assert queue_status(store, second) == ["waiting"]

    clock.set("2021-06-18T08:29:59")  # not yet
    again = run_assign(store, policy, clock.now)
    assert (again.expired, again.offered) == (0, 0)
    assert offer_of(store, first)["status"] == "open"

    clock.set("2021-06-18T08:30")
    later = run_assign(store, policy, clock.now)
    assert (later.expired, later.offered) == (1, 1)
    assert offer_of(store, first)["status"] == "expired"
    assert queue_status(store, first) == ["expired"]
    reassigned = offer_of(store, second)
    assert (reassigned["slot_id"], reassigned["status"]) == (last, "open")
    slot = store.slot(last)
    assert slot is not None and slot.booked == slot.capacity  # held for the second person
    assert [r["address"] for r in outbox_rows(store)] == [PHONE, OTHER]

    assert "预约码" not in Phone(engine, PHONE).say("1")  # too late for the first person
    assert store.active_bookings(first.id) == []
    assert Phone(engine, OTHER).say("1").startswith("已接受。预约码")
    (booking,) = store.active_bookings(second.id)
    assert booking.slot.id == last


def test_replying_1_to_an_offer_accepts_it_even_after_the_menu_was_shown(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    """The offer SMS says "reply 1 to accept": it is the last thing the resident read, so a 1
    answers it, not the numbered menu of an earlier conversation."""
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    phone = Phone(engine, PHONE)
    assert phone.send("你好")[-1].options  # the menu, numbered 1..6
    clock.set("2021-06-17T20:10")
    store.join_queue(zhang.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    run_assign(store, policy, clock.now)

    clock.set("2021-06-17T20:40")
    said = phone.say("1")
    assert offer_of(store, zhang)["status"] == "accepted", said
    assert "预约码" in said


def test_a_phone_with_two_open_offers_is_asked_which_one_a_1_answers(
    store: Store, policy: Policy, clock: Clock, engine: Engine
) -> None:
    """A daughter manages both parents; each gets an offer. A bare 1 cannot say whose: she is
    asked, her choice is booked, the other offer stays open and she is told so."""
    father = register(store, clock.now, "张父", date(1950, 1, 1), 13, phone=OTHER, manager=PHONE)
    mother = register(store, clock.now, "张母", date(1952, 2, 2), 24, phone=OTHER, manager=PHONE)
    clock.set("2021-06-17T20:10")
    store.join_queue(father.id, 1, "tianhe", None, clock.now)
    store.join_queue(mother.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T20:30")
    assert run_assign(store, policy, clock.now).offered == 2

    clock.set("2021-06-17T20:40")
    daughter = Phone(engine, PHONE)
    (question,) = daughter.send("1")
    assert question.text == "有2个名额等您确认，接受哪一个？"
    assert [o.label.split()[0] for o in question.options] == ["张父", "张母"]
    assert all(offer_of(store, p)["status"] == "open" for p in (father, mother))

    chosen = daughter.send("2")
    assert chosen[0].text.startswith("已接受。预约码") and "张母" in chosen[0].text
    assert chosen[1].text == "还有1个名额等您确认，回复1接受、回复2放弃。"
    assert (offer_of(store, mother)["status"], offer_of(store, father)["status"]) == (
        "accepted", "open",
    )  # fmt: skip
    assert store.active_bookings(father.id) == []

    assert daughter.say("2") == "已放弃该名额。如需预约请回复 预约。"  # one left: no question
    assert offer_of(store, father)["status"] == "declined"


def test_offers_made_in_the_quiet_hours_are_not_texted_before_eight(
    store: Store, policy: Policy, clock: Clock
) -> None:
    """Policy [followup]: "Notifications (reminders, alerts, offers) go out between these hours
    only." An assignment run late (``vaxbot assign`` in the maintenance window, or a worker
    restarted after 21:00) must not text people at night."""
    zhang = register(store, clock.now, "张三", date(1990, 1, 1), 12)
    clock.set("2021-06-17T20:10")
    store.join_queue(zhang.id, 1, "tianhe", None, clock.now)
    clock.set("2021-06-17T22:15")
    assert run_assign(store, policy, clock.now).offered == 1
    (sms,) = outbox_rows(store)
    assert sms["due_at"] >= "2021-06-18T08:00:00+08:00", "an offer SMS due at night"
