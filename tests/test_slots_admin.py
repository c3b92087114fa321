"""Spec for ``vaxbot slots add|import|release`` (bot/slots_admin.py).

Slots are created unreleased, invisible to residents, until ``slots release`` runs at or after
their release moment: at ``release_time`` (08:00) on day D, every day up to D + 7. The ``store``
here is the demo seeded for 2021-06-17..23 (all released), frozen at 09:00 Asia/Shanghai; the
CLI runs in-process with ``VAXBOT_NOW``.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import parse_moment
from bot.records import Status, read_table
from bot.slots_admin import SLOT_COLUMNS, add_slots, import_slots, release
from flows.holidays import is_public_holiday
from flows.policy import Policy
from store import SlotFilter, Store
from tests.conftest import NOW, TODAY
from tests.fakes import tables

TIANHE_SPORTS = "Tianhe Sports Centre"  # site 1, coronavac, evening sessions


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAXBOT_NOW", NOW)


def slots(store: Store, **equal: object) -> list[tuple[object, ...]]:
    """``(site_id, product_id, day, start, end, capacity, released_at)`` of the slots with
    these column values, by day, start and site."""
    found = tables.values(store, "slots", "site_id", "product_id", "day", "start", "end",
                          "capacity", "released_at", **equal)  # fmt: skip
    return sorted(found, key=lambda row: (row[2], row[3], row[0]))


def starts(store: Store, site_id: int, day: date, now: datetime) -> list[str]:
    """The starts of the slots residents are offered at a site on a day."""
    return [slot.start for slot in store.open_slots(site_id, day, now)]


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def cli(db: Path | str, *args: str) -> list[str]:
    return ["slots", args[0], "--db", str(db), *args[1:]]


# -- slots add -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen")
@pytest.mark.backends("sqlite", "postgresql")
def test_add_creates_unreleased_slots(
    store: Store, db_url: str, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    args = cli(
        db_url, "add", "--site", TIANHE_SPORTS, "--product", "coronavac", "--from",
        "2021-06-18", "--to", "2021-06-19", "--period", "21:00-22:00", "--period", "20:40-21:00",
        "--capacity", "5",
    )  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "added 4 slots at 天河体育中心接种点 (Tianhe Sports Centre, id 1): coronavac, "
        "2021-06-18 to 2021-06-19, 20:40-21:00 21:00-22:00, capacity 5 each\n"
    )
    assert "not released yet: 2021-06-18 is due, run `vaxbot slots release`" in out
    assert slots(store, released_at=None) == [
        (1, "coronavac", "2021-06-18", "20:40", "21:00", 5, None),
        (1, "coronavac", "2021-06-18", "21:00", "22:00", 5, None),
        (1, "coronavac", "2021-06-19", "20:40", "21:00", 5, None),
        (1, "coronavac", "2021-06-19", "21:00", "22:00", 5, None),
    ]
    assert "20:40" not in starts(store, 1, day(1), now)
    assert "21:00" not in starts(store, 1, day(1), now)

    # Again: everything is there already and kept.
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("added 0 slots")
    assert "kept 4 existing slots unchanged: 2021-06-18 20:40, 2021-06-18 21:00, " in out
    assert "not released" not in out
    assert len(slots(store, released_at=None)) == 4


@pytest.mark.usefixtures("frozen")
def test_add_keeps_an_existing_slot_as_it_is(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = slots(store, site_id=1, day="2021-06-18", start="08:00")
    assert main(cli(db_path, "add", "--site", "1", "--product", "coronavac", "--from",
                    "2021-06-18", "--period", "08:00-09:00", "--capacity", "3")) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "added 0 slots" in out and "kept 1 existing slots unchanged: 2021-06-18 08:00" in out
    assert slots(store, site_id=1, day="2021-06-18", start="08:00") == before


@pytest.mark.usefixtures("frozen")
def test_add_tells_when_later_days_will_be_released(
    db_path: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    args = cli(
        db_path, "add", "--site", "石牌街社区卫生服务中心", "--product", "bbibp", "--from",
        "2021-06-30", "--period", "08:00-10:00", "--capacity", "10",
    )  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "releases 2021-06-30 from 2021-06-23 08:00" in out


ADD_ERRORS = [
    pytest.param({"--site": "Nowhere"}, "unknown site 'Nowhere'", id="unknown site"),
    pytest.param({"--site": "999"}, "unknown site '999'", id="unknown site id"),
    pytest.param({"--product": "pfizer"}, "unknown product 'pfizer' (known: ", id="product"),
    pytest.param({"--from": "18/06/2021"}, "--from '18/06/2021' is not YYYY-MM-DD", id="from"),
    pytest.param({"--from": "2021-06-31"}, "--from '2021-06-31' is not a real day", id="no day"),
    pytest.param({"--to": "2021-6-20"}, "--to '2021-6-20' is not YYYY-MM-DD", id="to"),
    pytest.param(
        {"--from": "2021-06-16"}, "--from 2021-06-16 is in the past (today is 2021-06-17)",
        id="past",
    ),
    pytest.param({"--to": "2021-06-17"}, "--to 2021-06-17 is before --from 2021-06-18", id="to<"),
    pytest.param({"--to": "2022-06-19"}, "2022-06-19 is 367 days; at most 366", id="too long"),
    pytest.param({"--period": "8-10"}, "period '8-10' is not HH:MM-HH:MM", id="period"),
    pytest.param({"--period": "08:00-24:00"}, "period '08:00-24:00' is not HH:MM-HH:MM",
                 id="24:00"),
    pytest.param({"--period": "10:00-10:00"}, "period '10:00-10:00' does not end after it starts",
                 id="empty period"),
    pytest.param({"--period": "10:00-08:00"}, "does not end after it starts", id="backwards"),
    pytest.param(
        {"--period": ["08:00-10:00", "09:30-11:00"]},
        "periods 08:00-10:00 and 09:30-11:00 overlap", id="overlap",
    ),
    pytest.param({"--capacity": "0"}, "--capacity 0 is not from 1 to 10000", id="capacity 0"),
    pytest.param({"--capacity": "10001"}, "--capacity 10001 is not from 1 to", id="capacity"),
    pytest.param({"--db": "missing.db"}, "no database at", id="no database"),
]  # fmt: skip


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(("change", "message"), ADD_ERRORS)
def test_add_refuses_bad_options(
    store: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    change: dict[str, str | list[str]], message: str,
) -> None:  # fmt: skip
    options: dict[str, str | list[str]] = {
        "--db": str(db_path), "--site": TIANHE_SPORTS, "--product": "coronavac",
        "--from": "2021-06-18", "--to": "2021-06-20", "--period": "21:00-22:00", "--capacity": "5",
    }  # fmt: skip
    options.update(change)
    if change.get("--db"):
        options["--db"] = str(tmp_path / "missing.db")
    args = ["slots", "add"]
    for option, value in options.items():
        for one in [value] if isinstance(value, str) else value:
            args += [option, one]
    before = slots(store)
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("vaxbot slots add: ") and message in err, err
    assert slots(store) == before
    assert not (tmp_path / "missing.db").exists()


def test_a_capacity_that_is_not_a_number_is_an_argparse_error(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(cli(db_path, "add", "--site", "1", "--product", "coronavac", "--from", "2021-06-18",
                 "--period", "08:00-10:00", "--capacity", "many"))  # fmt: skip
    assert exited.value.code == 2
    assert "--capacity: invalid int value: 'many'" in capsys.readouterr().err


# -- slots import ----------------------------------------------------------------------------------

SLOT_ROWS = [
    ["天河体育中心接种点", "coronavac", "2021-06-25", "08:00", "10:00", "40"],  # 2: imported
    ["Tianhe Sports Centre", "CoronaVac", "2021-06-25", "08:00", "10:00", "40"],  # 3: skipped
    ["1", "coronavac", "2021-06-18", "08:00", "10:00", "25"],  # 4: seeded: skipped
    ["2", "bbibp", "2021-06-26", "14:00", "16:00", "30"],  # 5: imported
    ["Nowhere", "coronavac", "2021-06-25", "08:00", "10:00", "40"],  # 6: unknown site
    ["1", "pfizer", "2021-06-16", "10:00", "08:00", "0"],  # 7: four problems
    ["1", "coronavac", "", "", "", ""],  # 8: missing values
    ["1", "coronavac", "2021-06-25", "12:00", "13:00", "40", "extra"],  # 9: too many values
    ["1", "coronavac", "25/06/2021", "8:00", "10:00", "forty"],  # 10: bad formats
]


def as_values(row: list[str]) -> dict[str, str]:
    return dict(zip(SLOT_COLUMNS, row, strict=True))


def write_slots(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.usefixtures("frozen")
@pytest.mark.backends("sqlite", "postgresql")
def test_import(
    store: Store, db_url: str, tmp_path: Path, now: datetime,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path = write_slots(tmp_path / "slots.csv", list(SLOT_COLUMNS), SLOT_ROWS)
    report = tmp_path / "report.csv"
    assert main(cli(db_url, "import", str(path), "--report", str(report))) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert [line.split(": ")[1] for line in lines[:-1]] == [
        "imported", "skipped", "skipped", "imported", "rejected", "rejected", "rejected",
        "rejected", "rejected",
    ]  # fmt: skip
    assert lines[0] == (
        "row 2: imported: capacity 40, not released yet "
        "[天河体育中心接种点 coronavac 2021-06-25 08:00-10:00]"
    )
    assert lines[1].startswith("row 3: skipped: already exists (same site, product, date and")
    assert "unknown site 'Nowhere'" in lines[4]
    assert lines[5] == (
        "row 7: rejected: unknown product 'pfizer' (known: coronavac, bbibp, ad5, zf2001); "
        "date 2021-06-16 is in the past; period '10:00-08:00' does not end after it starts; "
        "capacity '0' is not a whole number from 1 to 10000 [1 pfizer 2021-06-16 10:00-08:00]"
    )
    assert "row 8: rejected: no date; no start; no end; no capacity" in lines[6]
    assert "more values than columns ('extra')" in lines[7]
    assert "'25/06/2021' is not YYYY-MM-DD" in lines[8] and "'forty'" in lines[8]
    assert "period '8:00-10:00' is not HH:MM-HH:MM" in lines[8]
    assert lines[-1] == "imported 2, skipped 2, rejected 5"

    assert slots(store, released_at=None) == [
        (1, "coronavac", "2021-06-25", "08:00", "10:00", 40, None),
        (2, "bbibp", "2021-06-26", "14:00", "16:00", 30, None),
    ]
    assert slots(store, site_id=1, day="2021-06-18", start="08:00")[0][5] == 40
    with report.open(encoding="utf-8-sig", newline="") as stream:
        reported = list(csv.DictReader(stream))
    assert [r["row"] for r in reported] == [str(n) for n in range(2, 11)]
    assert reported[0] == {
        "row": "2", "status": "imported", "reason": "capacity 40, not released yet",
        "slot": "天河体育中心接种点 coronavac 2021-06-25 08:00-10:00",
    }  # fmt: skip


def test_import_with_a_chinese_header(tmp_path: Path) -> None:
    header = ["接种点", "疫苗", "日期", "开始", "结束", "容量"]
    path = write_slots(tmp_path / "slots.csv", header, SLOT_ROWS[:1])
    assert read_table(path, SLOT_COLUMNS) == [(2, as_values(SLOT_ROWS[0]))]


@pytest.mark.usefixtures("frozen")
def test_import_refuses_a_file_without_the_columns(
    store: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_slots(tmp_path / "slots.csv", ["site", "product", "date", "start"], [])
    before = slots(store)
    assert main(cli(db_path, "import", str(path))) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("vaxbot slots import: ") and "missing column(s): end, capacity" in err
    assert slots(store) == before


def test_import_rows_one_by_one(store: Store, policy: Policy, now: datetime) -> None:
    rows = [(2, as_values(SLOT_ROWS[0])), (3, as_values(SLOT_ROWS[4]))]
    results = import_slots(store, policy, rows, now)
    assert [r.status for r in results] == [Status.IMPORTED, Status.REJECTED]
    assert slots(store, released_at=None) == [
        (1, "coronavac", "2021-06-25", "08:00", "10:00", 40, None)
    ]


# -- slots release -------------------------------------------------------------------------------


def add_unreleased(store: Store, policy: Policy, now: datetime, *offsets: int) -> None:
    """A 21:00-22:00 slot at Tianhe Sports Centre on each ``TODAY + offset``, unreleased."""
    for offset in offsets:
        add_slots(
            store, policy, site="1", product="coronavac", first=day(offset).isoformat(),
            last=None, periods=["21:00-22:00"], capacity=5, now=now,
        )  # fmt: skip


RELEASE_BOUNDARIES = [
    pytest.param("2021-06-17T07:59", 1, "2021-06-23", id="07:59: up to D+6"),
    pytest.param("2021-06-17T08:00", 2, "2021-06-24", id="08:00: up to D+7"),
    pytest.param("2021-06-17T08:01", 2, "2021-06-24", id="08:01: up to D+7"),
    pytest.param("2021-06-18T07:59", 2, "2021-06-24", id="next day 07:59"),
    pytest.param("2021-06-18T08:00", 3, "2021-06-25", id="next day 08:00"),
]


@pytest.mark.parametrize(("moment", "released", "last_day"), RELEASE_BOUNDARIES)
def test_release_at_the_release_time(
    store: Store, db_path: Path, policy: Policy, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], moment: str, released: int, last_day: str,
) -> None:  # fmt: skip
    before = parse_moment("2021-06-17T07:00", policy.zone)
    add_unreleased(store, policy, before, 6, 7, 8)  # 2021-06-23, 24, 25
    monkeypatch.setenv("VAXBOT_NOW", moment)
    assert main(cli(db_path, "release")) == 0
    assert capsys.readouterr().out == f"released {released} slots (days up to {last_day})\n"
    now = parse_moment(moment, policy.zone)
    offered = [offset for offset in (6, 7, 8) if "21:00" in starts(store, 1, day(offset), now)]
    assert offered == [6, 7, 8][:released]
    assert [row[6] is not None for row in slots(store, start="21:00")] == [
        offset < released for offset in range(3)
    ]

    # Idempotent: a second run at the same moment releases nothing.
    assert main(cli(db_path, "release")) == 0
    assert capsys.readouterr().out == f"released 0 slots (days up to {last_day})\n"


def test_release_is_idempotent_and_catches_up(store: Store, policy: Policy, now: datetime) -> None:
    add_unreleased(store, policy, now, 1, 7, 8, 9)
    first = release(store, policy, now)  # 09:00 on the 17th: up to the 24th
    assert (first.count, first.last_day) == (2, day(7))
    assert release(store, policy, now).count == 0
    later = now + timedelta(days=2)  # missed a day: the 25th and 26th at once
    assert release(store, policy, later).count == 2
    assert slots(store, released_at=None) == []
    released_at = {row[6] for row in slots(store, start="21:00")}
    assert released_at == {"2021-06-17T09:00:00+08:00", "2021-06-19T09:00:00+08:00"}


def test_release_follows_the_policy(
    store: Store, db_path: Path, tmp_path: Path, policy: Policy, now: datetime,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    config = tmp_path / "policy.toml"
    config.write_text('[booking]\nrelease_time = "20:00"\nrelease_days_ahead = 3\n', "utf-8")
    add_unreleased(store, policy, now, 2, 3)
    monkeypatch.setenv("VAXBOT_NOW", "2021-06-17T19:59")
    assert main(cli(db_path, "release", "--config", str(config))) == 0
    assert capsys.readouterr().out == "released 1 slots (days up to 2021-06-19)\n"
    monkeypatch.setenv("VAXBOT_NOW", "2021-06-17T20:00")
    assert main(cli(db_path, "release", "--config", str(config))) == 0
    assert capsys.readouterr().out == "released 1 slots (days up to 2021-06-20)\n"


# -- the demo ------------------------------------------------------------------------------------


def test_the_demo_has_a_site_closed_on_public_holidays(
    store: Store, policy: Policy, now: datetime
) -> None:
    closed = store.site_named("石牌街社区卫生服务中心")
    assert closed is not None and closed.closed_on_holidays
    others = [site.name_en for site in store.sites() if site.closed_on_holidays]
    assert others == ["Shipai Community Health Centre"]
    holiday = day(3)  # pretend: the filter takes whichever days the calendar says
    assert not is_public_holiday(holiday)
    only = SlotFilter(holidays=(holiday,))
    assert store.open_slots(closed.id, holiday, now) != []
    assert store.open_slots(closed.id, holiday, now, only) == []
    assert store.open_slots(1, holiday, now, only) == store.open_slots(1, holiday, now)
