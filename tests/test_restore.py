"""The restores docs/deploy.md gives, done: a ``vaxbot backup`` copy of a SQLite database, and a
``pg_dump`` of a PostgreSQL one restored with ``pg_restore`` into a new database, each serving
the resident who booked before the backup, with their booking intact."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine import Engine
from flows.policy import Policy
from store import Store
from tests.conftest import Clock, Phone
from tests.fakes import postgres

BACKENDS = ("sqlite", "postgresql")
RESIDENT = "+8613800138000"
ID_MALE_1990 = "440106199001011235"


def book(store: Store, policy: Policy, clock: Clock) -> str:
    """Book through the engine; what 查询 then says."""
    phone = Phone(Engine(store, policy, clock), RESIDENT)
    said = phone.run(
        "预约", "1", "1", "张三", "1", ID_MALE_1990, "1", "1", *("否",) * 5, "1", "1",
        "明天下午", "1", "确认预约",
    )  # fmt: skip
    assert said and "预约成功" in said[0].text
    return phone.say("查询")


def status(store: Store, policy: Policy, clock: Clock) -> str:
    return Phone(Engine(store, policy, clock), RESIDENT).say("查询")


def program(name: str) -> str:
    found = postgres._program(name)
    if found is None:
        postgres.unavailable(f"{name} not found")
    assert found is not None
    return found


def test_a_backup_restored_serves_the_booking(
    backend: str, store: Store, db_url: str, policy: Policy, clock: Clock, tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    before = book(store, policy, clock)
    assert "B0000001" in before
    if backend == "sqlite":
        copy = tmp_path / "backup.db"
        assert main(["backup", "--db", db_url, "--to", str(copy), "--quiet"]) == 0
        store.close()
        Path(db_url).unlink()  # the database is lost; the copy is put back in its place
        shutil.copyfile(copy, db_url)
        restored_url = db_url
    else:
        dump = tmp_path / "vaxbot.dump"
        subprocess.run([program("pg_dump"), "--format=custom", "--file", str(dump), db_url],
                       check=True, capture_output=True, timeout=120)  # fmt: skip
        server = request.getfixturevalue("postgres_server")
        restored_url = postgres.create(server, "vaxbot_restored")
        subprocess.run([program("pg_restore"), "--no-owner", "--dbname", restored_url, str(dump)],
                       check=True, capture_output=True, timeout=120)  # fmt: skip
    restored = Store.open(restored_url)
    try:
        assert status(restored, policy, clock) == before
        # The restored database takes new bookings too (its sequences came with it).
        other = Phone(Engine(restored, policy, clock), "+8613900139000")
        said = other.run(
            "预约", "1", "1", "李四", "1", "440106199203151244", "1", "1", *("否",) * 5,
            "1", "1", "明天下午", "1", "确认预约",
        )  # fmt: skip
        assert said and "预约成功" in said[0].text
        assert [row["id"] for row in restored.booking_rows()] == [1, 2]
    finally:
        restored.close()
        if backend == "postgresql":
            postgres.drop(request.getfixturevalue("postgres_server"), "vaxbot_restored")
