"""``vaxbot db copy``: a city that outgrew its SQLite file carries on on PostgreSQL (and back).

A real SQLite file where a resident booked through the engine is copied to a real, empty
PostgreSQL database with the command; the resident's conversation, served from the copy, finds
the booking intact (same code, same place), a new booking there gets a fresh id, and the copy
copied back to SQLite serves the same. The refusals are one line each.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine import Engine
from flows.policy import Policy
from store import Store
from tests.conftest import Clock, Phone, sequential_codes
from tests.fakes import postgres

BACKENDS = ("postgresql",)  # the test ids carry it: every test here needs the server
ID_MALE_1990 = "440106199001011235"
ID_FEMALE_1992 = "440106199203151244"
RESIDENT = "+8613800138000"


def book_through_the_engine(store: Store, policy: Policy, clock: Clock, phone: str,
                            id_number: str, name: str) -> str:  # fmt: skip
    """Register, pass the screening and book tomorrow afternoon; the confirmation."""
    said = Phone(Engine(store, policy, clock), phone).run(
        "预约", "1", "1", name, "1", id_number, "1", "1", *("否",) * 5, "1", "1", "明天下午",
        "1", "确认预约",
    )  # fmt: skip
    text = "\n".join(reply.text for reply in said)
    assert "预约成功" in text, text
    return text


def status(store: Store, policy: Policy, clock: Clock, phone: str) -> str:
    return Phone(Engine(store, policy, clock), phone).say("查询")


@pytest.fixture
def sqlite_with_a_booking(
    tmp_path: Path, seeded_template: Path, policy: Policy, clock: Clock
) -> tuple[Path, str]:
    path = tmp_path / "city.db"
    shutil.copyfile(seeded_template, path)
    store = Store.open(path)
    store.new_code = sequential_codes()
    try:
        book_through_the_engine(store, policy, clock, RESIDENT, ID_MALE_1990, "张三")
        before = status(store, policy, clock, RESIDENT)
    finally:
        store.close()
    assert "B0000001" in before
    return path, before


@pytest.fixture
def empty_postgres(backend: str, postgres_server: str) -> Iterator[str]:
    name = "vaxbot_copy_target"
    url = postgres.create(postgres_server, name)
    yield url
    postgres.drop(postgres_server, name)


def test_a_sqlite_database_copied_to_postgresql_serves_its_residents_and_back(
    sqlite_with_a_booking: tuple[Path, str], empty_postgres: str, tmp_path: Path,
    policy: Policy, clock: Clock, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path, before = sqlite_with_a_booking
    assert main(["db", "copy", "--from", str(path), "--to", empty_postgres]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"copied {path} to postgresql://") and "rows in" in out
    assert "copying" in err  # the progress bar

    copied = Store.open(empty_postgres)
    try:
        assert status(copied, policy, clock, RESIDENT) == before  # the booking, intact
        original = Store.open(path)
        try:
            assert copied.booking_rows() == original.booking_rows()
            assert copied.audit_rows() == original.audit_rows()
        finally:
            original.close()
        # A new resident books on the copy: fresh ids after the copied ones, no collision.
        copied.new_code = lambda prefix: f"{prefix}PG00001"
        book_through_the_engine(copied, policy, clock, "+8613900139000", ID_FEMALE_1992, "李四")
        ids = [row["id"] for row in copied.booking_rows()]
        assert ids == [1, 2]
    finally:
        copied.close()

    back = tmp_path / "back.db"
    assert main(["db", "copy", "--from", empty_postgres, "--to", str(back), "--quiet"]) == 0
    returned = Store.open(back)
    try:
        assert status(returned, policy, clock, RESIDENT) == before
        assert "BPG00001" in status(returned, policy, clock, "+8613900139000")
    finally:
        returned.close()


def test_a_target_with_rows_is_refused_unless_replace(
    sqlite_with_a_booking: tuple[Path, str], empty_postgres: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path, _ = sqlite_with_a_booking
    assert main(["db", "copy", "--from", str(path), "--to", empty_postgres, "--quiet"]) == 0
    capsys.readouterr()
    assert main(["db", "copy", "--from", str(path), "--to", empty_postgres, "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "is not empty" in err and "--replace" in err
    assert main(["db", "copy", "--from", str(path), "--to", empty_postgres, "--quiet",
                 "--replace"]) == 0  # fmt: skip
    copied = Store.open(empty_postgres)
    try:
        assert len(copied.booking_rows()) == 1  # replaced, not doubled
    finally:
        copied.close()


@pytest.mark.parametrize(
    ("source", "target", "said"),
    [
        ("missing.db", "out.db", "--from missing.db: no such database file"),
        ("{db}", "mysql://root:hunter2@db/x", "not a database URL vaxbot knows"),
        ("{db}", "postgresql://vaxbot:hunter2@127.0.0.1:1/none", "cannot connect to"),
        ("{db}", "{db}", "the same database"),
    ],
)  # fmt: skip
def test_a_bad_database_is_one_clear_line(
    source: str, target: str, said: str, sqlite_with_a_booking: tuple[Path, str],
    backend: str, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path, _ = sqlite_with_a_booking
    args = [value.format(db=path) for value in (source, target)]
    assert main(["db", "copy", "--from", args[0], "--to", args[1]]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1, err
    assert err.startswith("vaxbot db copy: ") and said in err
    assert "hunter2" not in err  # the password is masked
