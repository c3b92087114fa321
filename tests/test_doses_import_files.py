"""Spec for the files ``vaxbot doses import`` reads (``read_table`` in bot/records.py): Chinese
or English headers (with or without a BOM), columns in any order, extra columns and blank lines,
and unusable files refused with a clear message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.records import (
    DOSE_COLUMNS,
    TableError,
    read_table,
)
from tests.doses_import_support import (
    DOSE1,
    DOSE2,
    ZH_HEADER,
    as_list,
    write_csv,
)

# -- files ---------------------------------------------------------------------------------------


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
