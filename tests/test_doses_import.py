"""Spec for ``vaxbot doses import``: dose records from other systems (bot/records.py).

The ``store`` fixture is the demo seeded for 2021-06-17..23, frozen at 09:00 Asia/Shanghai.
Most tests call ``import_doses`` on rows as ``read_table`` yields them; the CLI is run in-process
(``bot.cli.main``) and, for the exit codes, twice as a real process.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.records import (
    DOSE_COLUMNS,
    Rejected,
    Row,
    RowResult,
    Status,
    TableError,
    import_doses,
    read_table,
)
from flows.identity import check_character
from flows.policy import Policy, load_policy
from store import Store
from tests.conftest import NOW, open_seeded
from tests.fakes import tables


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


BACKENDS = ("sqlite", "postgresql")
ZHANG = id_number("44010619900101123")  # born 1990-01-01, male
LI = id_number("44010619850315234")  # born 1985-03-15
WANG = id_number("44010620000229456")  # born 2000-02-29
PHONE = "13800138000"
TIANHE_SPORTS = "天河体育中心接种点"  # coronavac, Tianhe
SHIPAI = "石牌街社区卫生服务中心"  # bbibp, Tianhe


def dose(**values: str) -> dict[str, str]:
    """A row: 张三's dose 1 of CoronaVac on 1 May at Tianhe Sports Centre, unless given."""
    row = {
        "id_number": ZHANG,
        "name": "张三",
        "phone": PHONE,
        "dose": "1",
        "date": "2021-05-01",
        "site": TIANHE_SPORTS,
        "product": "coronavac",
    }
    row.update(values)
    return row


def numbered(*rows: dict[str, str]) -> list[Row]:
    return [(n, row) for n, row in enumerate(rows, start=2)]


def run(store: Store, policy: Policy, now: datetime, *rows: dict[str, str]) -> list[RowResult]:
    return import_doses(store, policy, numbered(*rows), now)


def count(store: Store, table: str) -> int:
    return tables.count(store, table)


def write_csv(path: Path, header: list[str], rows: list[list[str]], bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def as_list(row: dict[str, str]) -> list[str]:
    return [row[name] for name in DOSE_COLUMNS]


# -- rejections --------------------------------------------------------------------------------

DOSE1 = dose()
DOSE2 = dose(dose="2", date="2021-06-01")

WRONG_CHECK = ZHANG[:17] + ("0" if ZHANG[17] != "0" else "1")

REJECTIONS = [
    # pytest.param(earlier rows of the same file, the row, (part of) the reason, id=case)
    pytest.param([], dose(id_number=""), "no ID number", id="no ID"),
    pytest.param(
        [], dose(id_number=ZHANG[:17]), "bad ID number: wrong length (17 characters, need 18)",
        id="ID too short",
    ),
    pytest.param(
        [], dose(id_number=ZHANG[:16] + "AB"), "bad ID number: only digits and a final X",
        id="ID letters",
    ),
    pytest.param(
        [], dose(id_number=id_number("44010619901301123")), "bad ID number: the birth date",
        id="ID birth date",
    ),
    pytest.param(
        [], dose(id_number=id_number("44010620300101123")), "bad ID number: the birth date",
        id="ID born later",
    ),
    pytest.param(
        [], dose(id_number=WRONG_CHECK), "bad ID number: the check character", id="ID checksum"
    ),
    pytest.param([], dose(name=" "), "no name", id="no name"),
    pytest.param([], dose(name="张三3"), "name must be letters only", id="name with digits"),
    pytest.param([], dose(phone=""), "no phone number", id="no phone"),
    pytest.param([], dose(phone="12345"), "bad phone number", id="bad phone"),
    pytest.param([], dose(phone="020-87654321"), "bad phone number", id="landline"),
    pytest.param([], dose(product="pfizer"), "unknown product 'pfizer'", id="unknown product"),
    pytest.param([], dose(product=""), "no product", id="no product"),
    pytest.param(
        [], dose(site="火星接种点"), "unknown site or district '火星接种点'", id="unknown site"
    ),
    pytest.param([], dose(site=""), "no site or district", id="no site"),
    pytest.param([], dose(dose="0"), "dose '0' is not a dose number", id="dose zero"),
    pytest.param([], dose(dose="第一针"), "is not a dose number", id="dose in words"),
    pytest.param(
        [], dose(dose="2", product="ad5"), "dose 2 is beyond the 1 dose(s) of ad5",
        id="dose beyond product",
    ),
    pytest.param(
        [DOSE1, DOSE2], dose(dose="3", date="2021-06-10"),
        "dose 3 is beyond the 2 dose(s) of coronavac", id="dose 3 of two",
    ),
    pytest.param(
        [], dose(date="2021-06-18"), "date 2021-06-18 is in the future", id="future date"
    ),
    pytest.param(
        [], dose(date="2021/05/01"), "date '2021/05/01' is not YYYY-MM-DD", id="date slashes"
    ),
    pytest.param([], dose(date="20210501"), "is not YYYY-MM-DD", id="date compact"),
    pytest.param(
        [], dose(date="2021-02-30"), "date '2021-02-30' is not a real day", id="no such day"
    ),
    pytest.param(
        [], dose(date="1989-12-31"), "before the person's birth date", id="before birth"
    ),
    pytest.param([], DOSE2, "dose 2 without dose 1 on record", id="dose 2 first"),
    pytest.param(
        [dose(product="zf2001")], dose(dose="3", product="zf2001"),
        "dose 3 without dose 2 on record", id="dose 3 without 2",
    ),
    pytest.param(
        [DOSE1], dose(dose="2", date="2021-06-01", product="bbibp"),
        "bbibp is made by sinopharm-beijing, but dose 1 was coronavac (sinovac)",
        id="other manufacturer",
    ),
    pytest.param(
        [DOSE1], dose(dose="2", date="2021-05-11"),
        "dose 2 recorded on 2021-05-11 is only 10 days after dose 1 (minimum 21)",
        id="interval",
    ),
    pytest.param(
        [DOSE1], dose(dose="2", date="2021-05-21"), "only 20 days after dose 1 (minimum 21)",
        id="day 20",
    ),
    pytest.param(
        [DOSE1], dose(dose="2", date="2021-04-01"),
        "dose 2 recorded on 2021-04-01 is before dose 1 (2021-05-01)", id="before dose 1",
    ),
    pytest.param(
        [DOSE1], dose(name="李四", dose="2", date="2021-06-01"),
        "ID registered under another name", id="another name",
    ),
    pytest.param(
        [DOSE1], dose(date="2021-05-02"),
        "dose 1 is already recorded differently: coronavac on 2021-05-01 at 天河体育中心接种点",
        id="duplicate, other day",
    ),
    pytest.param(
        [DOSE1], dose(site="Tianhe"), "dose 1 is already recorded differently",
        id="duplicate, other site",
    ),
    pytest.param(
        [DOSE1], dose(product="bbibp", site=SHIPAI), "already recorded differently",
        id="duplicate, other product",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("earlier", "row", "reason"), REJECTIONS)
def test_rejected(
    store: Store,
    policy: Policy,
    now: datetime,
    earlier: list[dict[str, str]],
    row: dict[str, str],
    reason: str,
) -> None:
    before = run(store, policy, now, *earlier)
    assert all(result.status == Status.IMPORTED for result in before), before
    residents, doses, audit = (
        count(store, "residents"),
        count(store, "doses"),
        count(store, "audit"),
    )
    [result] = import_doses(store, policy, [(9, row)], now)
    assert result.status == Status.REJECTED
    assert reason in result.reason
    assert result.line().startswith(f"row 9: rejected: {result.reason}")
    assert (count(store, "residents"), count(store, "doses"), count(store, "audit")) == (
        residents, doses, audit,
    )  # fmt: skip


def test_every_field_problem_is_given_at_once(store: Store, policy: Policy, now: datetime) -> None:
    [result] = run(store, policy, now, dose(phone="1", product="x", date="tomorrow", site="?"))
    assert result.reason.count(";") == 3, result.reason
    for part in ("bad phone number", "unknown product", "not YYYY-MM-DD", "unknown site"):
        assert part in result.reason


def test_an_earlier_rejected_row_does_not_count_as_on_record(
    store: Store, policy: Policy, now: datetime
) -> None:
    results = run(store, policy, now, dose(date="2021-13-01"), DOSE2)
    assert [r.status for r in results] == [Status.REJECTED, Status.REJECTED]
    assert results[1].reason == "dose 2 without dose 1 on record"


def test_a_later_product_of_the_same_maker_cannot_stretch_the_schedule(
    tmp_path: Path, now: datetime
) -> None:
    """Dose 3 of a 3-dose Sinovac product after two doses of the 2-dose one: beyond dose 1's."""
    config = tmp_path / "policy.toml"
    config.write_text(
        '[products.sinovac3]\nzh = "科兴三针"\nen = "Sinovac, three doses"\n'
        'manufacturer = "sinovac"\ndoses = 3\n'
        "intervals = [{ min_days = 21, max_days = 56 }, { min_days = 21, max_days = 90 }]\n",
        "utf-8",
    )
    policy = load_policy(config)
    store = open_seeded(tmp_path / "db.sqlite", policy, days=1)
    try:
        third = dose(dose="3", date="2021-06-15", product="sinovac3")
        results = run(store, policy, now, DOSE1, dose(dose="2", date="2021-05-22"), third)
    finally:
        store.close()
    assert [r.status for r in results] == [Status.IMPORTED, Status.IMPORTED, Status.REJECTED]
    assert results[2].reason == "dose 3 is beyond the 2 dose(s) of coronavac"


def test_nothing_partial_when_recording_the_dose_fails(
    store: Store, policy: Policy, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new person is registered only together with their dose."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise Rejected("the dose table refused it")

    monkeypatch.setattr(store, "add_dose", refuse)
    accounts = count(store, "accounts")
    [result] = run(store, policy, now, DOSE1)
    assert (result.status, result.reason) == (Status.REJECTED, "the dose table refused it")
    assert store.resident_by_document("resident_id", ZHANG) is None
    assert count(store, "accounts") == accounts
    assert count(store, "audit") == 0


# -- accepted rows -------------------------------------------------------------------------------

ZF1 = dose(date="2021-03-01", product="zf2001", site="haizhu")
ZF2 = dose(dose="2", date="2021-03-29", product="zf2001", site="haizhu")

ACCEPTED = [
    # pytest.param(earlier rows, the row, the district a new person is registered in, id=case)
    pytest.param([], DOSE1, "tianhe", id="site zh"),
    pytest.param([], dose(site="tianhe sports centre"), "tianhe", id="site en any case"),
    pytest.param([], dose(site="1"), "tianhe", id="site id"),
    pytest.param([], dose(site="Haizhu CDC Clinic"), "haizhu", id="site elsewhere"),
    pytest.param([], dose(site="panyu"), "panyu", id="district id"),
    pytest.param([], dose(site="白云区"), "baiyun", id="district zh"),
    pytest.param([], dose(site="白云"), "baiyun", id="district short"),
    pytest.param([], dose(site="YUEXIU"), "yuexiu", id="district en"),
    pytest.param([], dose(phone="+86 138 0013 8000"), "tianhe", id="phone +86"),
    pytest.param([], dose(phone="138-0013-8000"), "tianhe", id="phone dashes"),
    pytest.param(
        [], dose(id_number="４４０１０６ １９９００１０１ １２３５"), "tianhe", id="ID full-width"
    ),
    pytest.param([], dose(product="CoronaVac"), "tianhe", id="product any case"),
    pytest.param([], dose(dose="１"), "tianhe", id="dose full-width"),
    pytest.param(
        [], dose(product="ad5", site="Xintang Mobile Vaccination Vehicle"), "zengcheng",
        id="one-dose product",
    ),
    pytest.param([DOSE1], dose(dose="2", date="2021-05-22"), "tianhe", id="day 21"),
    pytest.param([DOSE1], dose(dose="2", date="2021-06-17"), "tianhe", id="overdue, today"),
    pytest.param(
        [DOSE1], dose(dose="2", date="2021-06-01", site="Haizhu CDC Clinic"), "tianhe",
        id="dose 2 elsewhere",
    ),
    pytest.param(
        [DOSE1], dose(name=" 张 三 ", dose="2", date="2021-06-01"), "tianhe", id="name spacing"
    ),
    pytest.param(
        [ZF1, ZF2], dose(dose="3", date="2021-04-26", product="zf2001", site="haizhu"),
        "haizhu", id="three doses",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("earlier", "row", "district"), ACCEPTED)
def test_imported(
    store: Store,
    policy: Policy,
    now: datetime,
    earlier: list[dict[str, str]],
    row: dict[str, str],
    district: str,
) -> None:
    results = run(store, policy, now, *earlier, row)
    assert [r.status for r in results] == [Status.IMPORTED] * len(results), results
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None
    assert resident.district_id == district
    recorded = store.doses_of(resident.id)
    assert [d.dose for d in recorded] == list(range(1, len(results) + 1))
    assert recorded[-1].day == date.fromisoformat(row["date"])
    assert recorded[-1].product_id == row["product"].lower()
    assert {d.source for d in recorded} == {"import"}


def test_a_new_person_is_registered_from_the_row(
    store: Store, policy: Policy, now: datetime
) -> None:
    [result] = run(store, policy, now, dose(id_number=WANG, name="王 五", phone="13900139000"))
    assert result.status == Status.IMPORTED
    assert "registered a new resident, phone 139****9000" in result.reason
    resident = store.resident_by_document("resident_id", WANG)
    assert resident is not None
    assert (resident.name, resident.phone, resident.relation) == ("王 五", "+8613900139000", "self")
    assert (resident.birth_date, resident.sex) == (date(2000, 2, 29), "F")
    assert store.account_for("sms", "+8613900139000", "+8613900139000", now) == resident.account_id
    [recorded] = store.doses_of(resident.id)
    site = store.site_named(TIANHE_SPORTS)
    assert site is not None and recorded.site_id == site.id
    actions = [row["action"] for row in store.audit_rows()]
    assert actions == ["register", "dose"]


def test_a_known_person_keeps_their_registration(
    store: Store, policy: Policy, now: datetime
) -> None:
    account = store.account_for("sms", "+8613700137000", "+8613700137000", now)
    known = store.add_resident(
        account_id=account, name="张三", id_type="resident_id", id_number=ZHANG,
        birth_date=date(1990, 1, 1), sex="M", phone="+8613700137000", district_id="liwan",
        now=now, actor="resident", channel="sms",
    )  # fmt: skip
    [result] = run(store, policy, now, DOSE1)
    assert result.status == Status.IMPORTED
    assert "registered" not in result.reason
    assert store.resident_by_document("resident_id", ZHANG) == known
    assert count(store, "residents") == 1


def test_a_check_character_x_in_lower_case(store: Store, policy: Policy, now: datetime) -> None:
    [result] = run(store, policy, now, dose(id_number="44010619900101118x"))
    assert result.status == Status.IMPORTED
    assert store.resident_by_document("resident_id", "44010619900101118X") is not None


def test_same_dose_twice_is_skipped(store: Store, policy: Policy, now: datetime) -> None:
    first, again = run(store, policy, now, DOSE1, dose(name="张三", phone="+8613800138000"))
    assert first.status == Status.IMPORTED
    assert (again.status, again.reason) == (Status.SKIPPED, "already recorded")
    assert again.line() == "row 3: skipped: already recorded [4401**********1235]"
    [second_run] = run(store, policy, now, DOSE1)
    assert second_run.status == Status.SKIPPED
    assert count(store, "doses") == 1


def test_an_active_booking_for_the_imported_dose_is_pointed_out(
    store: Store, policy: Policy, now: datetime
) -> None:
    account = store.account_for("sms", "+" + "86" + PHONE, "+86" + PHONE, now)
    resident = store.add_resident(
        account_id=account, name="张三", id_type="resident_id", id_number=ZHANG,
        birth_date=date(1990, 1, 1), sex="M", phone="+86" + PHONE, district_id="tianhe",
        now=now, actor="resident", channel="sms",
    )  # fmt: skip
    slot = store.open_slots(1, now.date() + timedelta(days=1), now)[0]
    booking = store.book(
        resident_id=resident.id, slot_id=slot.id, dose=1, now=now, channel="sms", actor="resident"
    )
    [result] = run(store, policy, now, DOSE1)
    assert result.status == Status.IMPORTED
    assert f"booking {booking.code} for this dose is still active" in result.reason


# -- files ---------------------------------------------------------------------------------------

ZH_HEADER = ["身份证号", "姓名", "手机号", "剂次", "接种日期", "接种点", "疫苗"]


@pytest.mark.parametrize(
    ("header", "bom"),
    [
        (list(DOSE_COLUMNS), False),
        (list(DOSE_COLUMNS), True),
        (ZH_HEADER, True),
        (ZH_HEADER, False),
        ([" ID_Number ", "Name", "PHONE", "dose", "date", "site", "product"], True),
    ],
    ids=["en", "en-bom", "zh-bom", "zh", "en-spaced-case"],
)
def test_headers(tmp_path: Path, header: list[str], bom: bool) -> None:
    rows = [as_list(DOSE1), as_list(DOSE2)]
    path = write_csv(tmp_path / "doses.csv", header, rows, bom)
    assert read_table(path, DOSE_COLUMNS) == [(2, DOSE1), (3, DOSE2)]


def test_columns_in_any_order_extra_columns_and_blank_lines(tmp_path: Path) -> None:
    header = ["备注", *reversed(ZH_HEADER)]
    rows = [
        ["x", *reversed(as_list(DOSE1))],
        [],
        ["", "", "", "", "", "", "", ""],
        ["y", *reversed(as_list(DOSE2)), "", ""],
        ["z", *reversed(as_list(DOSE2)), "oops"],
    ]
    path = write_csv(tmp_path / "doses.csv", header, rows, bom=True)
    table = read_table(path, DOSE_COLUMNS)
    assert [n for n, _ in table] == [2, 5, 6]
    assert table[0][1] == DOSE1 and table[1][1] == DOSE2
    assert table[2][1] == DOSE2 | {"": "oops"}


BAD_FILES = [
    pytest.param(None, "no such file", id="missing"),
    pytest.param(
        b"", "empty: expected a header line: id_number,name,phone,dose,date,site,product",
        id="empty",
    ),
    pytest.param(b"\n\n", "empty", id="blank header"),
    pytest.param(
        "身份证号,姓名,手机号\n".encode(), "missing column(s): dose, date, site, product",
        id="missing columns",
    ),
    pytest.param(
        b"id_number,name,phone,dose,date,site,product,name\n", "column(s) given twice: name",
        id="column twice",
    ),
    pytest.param(",".join(ZH_HEADER).encode("gbk") + b"\n", "not UTF-8 text", id="GBK"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_unusable_files(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "doses.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(TableError, match=r"^.*doses\.csv: ") as raised:
        read_table(path, DOSE_COLUMNS)
    assert message in str(raised.value)


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="is a directory"):
        read_table(tmp_path, DOSE_COLUMNS)


# -- the command -----------------------------------------------------------------------------------

MIXED = [
    DOSE1,  # row 2: imported, registers 张三
    dose(dose="2", date="2021-05-11"),  # 3: too early
    DOSE2,  # 4: imported
    DOSE2,  # 5: skipped
    dose(id_number=LI, name="李四", phone="13900139000", site="Shipai Community Health Centre",
         product="bbibp"),  # 6: imported, registers 李四
    dose(id_number=LI[:17] + ("0" if LI[17] != "0" else "1")),  # 7: bad ID
    dose(id_number=id_number("44010619700707345"), phone="1380013800"),  # 8: bad phone
]  # fmt: skip


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAXBOT_NOW", NOW)


@pytest.mark.usefixtures("env")
def test_the_command_on_a_mixed_file(
    store: Store, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "doses.csv", ZH_HEADER, [as_list(r) for r in MIXED], bom=True)
    report = tmp_path / "report.csv"
    code = main(["doses", "import", str(path), "--db", db_url, "--report", str(report)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split(":")[1].strip() for line in lines[:-1]] == [
        "imported", "rejected", "imported", "skipped", "imported", "rejected", "rejected",
    ]  # fmt: skip
    assert [line.split(":")[0] for line in lines[:-1]] == [f"row {n}" for n in range(2, 9)]
    assert lines[1] == (
        "row 3: rejected: dose 2 recorded on 2021-05-11 is only 10 days after dose 1 "
        "(minimum 21) [4401**********1235]"
    )
    assert lines[-1] == "imported 3, skipped 1, rejected 3"

    # Personal data is masked, in the output and in the report.
    with report.open(encoding="utf-8-sig", newline="") as stream:
        reported = list(csv.DictReader(stream))
    text = out + report.read_text("utf-8-sig")
    for row in MIXED:
        assert row["id_number"] not in text
        assert row["phone"].removeprefix("+86") not in text
    assert "138****8000" in out and "4401**********1235" in out

    assert [r["row"] for r in reported] == [str(n) for n in range(2, 9)]
    assert [r["status"] for r in reported] == [line.split(":")[1].strip() for line in lines[:-1]]
    assert reported[1]["reason"] == (
        "dose 2 recorded on 2021-05-11 is only 10 days after dose 1 (minimum 21)"
    )
    assert reported[1]["id_number"] == "4401**********1235"

    zhang = store.resident_by_document("resident_id", ZHANG)
    li = store.resident_by_document("resident_id", LI)
    assert zhang is not None and li is not None
    assert [(d.dose, d.day) for d in store.doses_of(zhang.id)] == [
        (1, date(2021, 5, 1)), (2, date(2021, 6, 1)),
    ]  # fmt: skip
    assert [d.product_id for d in store.doses_of(li.id)] == ["bbibp"]
    assert count(store, "residents") == 2
    actors = {row["actor"] for row in store.audit_rows()}
    assert actors == {"import:doses.csv"}


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("no file", "no such file"),
        ("bad header", "missing column(s): product"),
        ("no database", "no database at"),
        ("report in a missing directory", "--report"),
    ],
)
def test_the_command_refuses_unusable_input(
    store: Store, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    problem: str, message: str,
) -> None:  # fmt: skip
    path = write_csv(tmp_path / "doses.csv", list(DOSE_COLUMNS), [as_list(DOSE1)])
    args = ["doses", "import", str(path), "--db", db_url]
    if problem == "no file":
        args[2] = str(tmp_path / "nope.csv")
    elif problem == "bad header":
        write_csv(path, list(DOSE_COLUMNS[:-1]), [as_list(DOSE1)[:-1]])
    elif problem == "no database":
        args[4] = str(tmp_path / "nope.db")
    else:
        args += ["--report", str(tmp_path / "no" / "report.csv")]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("vaxbot doses import: ") and message in err
    assert count(store, "doses") == 0, "nothing is imported from input that cannot be used"
    assert not (tmp_path / "nope.db").exists()


def test_exit_codes_of_the_real_command(store: Store, db_url: str, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", list(DOSE_COLUMNS), [as_list(r) for r in MIXED])
    bad = write_csv(tmp_path / "bad.csv", ["id_number", "name"], [[ZHANG, "张三"]])
    env = {k: v for k, v in os.environ.items() if k != "VAXBOT_NOW"}
    env.update(PYTHONUTF8="1", VAXBOT_NOW=NOW)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "channels.cli",
                "doses",
                "import",
                str(path),
                "--db",
                db_url,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
        )
        for path in (good, bad)
    ]
    (good_out, good_err), (bad_out, bad_err) = (proc.communicate(timeout=60) for proc in procs)
    assert procs[0].returncode == 0, good_err
    assert good_out.splitlines()[-1] == "imported 3, skipped 1, rejected 3"
    assert ZHANG not in good_out and LI not in good_out
    assert procs[1].returncode == 2
    assert bad_out == ""
    assert "missing column(s): phone, dose, date, site, product" in bad_err
    assert "Traceback" not in good_err + bad_err
