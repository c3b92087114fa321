"""Spec for the dose-2 alerts of the scheduled jobs (bot/jobs.py) and the follow-up list they
open (bot/followups.py, ``vaxbot followup``), on SQLite and PostgreSQL: each colour once on its
day, to both phones, stopped by booking dose 2 or by every dose given; listing and recording
follow-ups.

The jobs only queue outbox rows; where sending matters, ``deliver_due`` runs against
``ScriptedDelivery``. Every job is given its moment explicitly; the engine's time is the
``clock`` fixture. The ``store`` is the demo seeded for 2021-06-17..23 (Asia/Shanghai).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.jobs import Level, alert_level, send_alerts
from flows.identity import mask_phone
from flows.policy import Policy
from store import Dose, Store
from tests.conftest import Clock, with_login
from tests.fakes.delivery import outbox_row, outbox_rows
from tests.jobs_support import (
    DOSE1_DAY,
    OTHER,
    PHONE,
    TIANHE_SPORTS,
    at,
    book,
    dose1,
    register,
    rows_like,
)

BACKENDS = ("sqlite", "postgresql")

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
