"""Spec for the ``vaxbot doses import`` command, on SQLite and PostgreSQL: a mixed file imported
row by row, with a report (personal data masked), unusable input refused, and the exit codes.

The ``store`` fixture is the demo seeded for 2021-06-17..23, frozen at 09:00 Asia/Shanghai.
The CLI is run in-process (``bot.cli.main``) and, for the exit codes, twice as a real process.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.records import (
    DOSE_COLUMNS,
)
from store import Store
from tests.conftest import NOW
from tests.doses_import_support import (
    DOSE1,
    DOSE2,
    LI,
    ZH_HEADER,
    ZHANG,
    as_list,
    count,
    dose,
    id_number,
    write_csv,
)

BACKENDS = ("sqlite", "postgresql")

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
