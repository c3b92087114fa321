"""What the specs of ``vaxbot doses import`` share (tests/test_doses_import_*.py): valid ID
numbers, dose rows (张三's dose 1 and 2 unless given), importing them into the store, and
writing them as CSV files.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from bot.records import (
    DOSE_COLUMNS,
    Row,
    RowResult,
    import_doses,
)
from flows.identity import check_character
from flows.policy import Policy
from store import Store
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


DOSE1 = dose()
DOSE2 = dose(dose="2", date="2021-06-01")

ZH_HEADER = ["身份证号", "姓名", "手机号", "剂次", "接种日期", "接种点", "疫苗"]
