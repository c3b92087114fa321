"""``vaxbot backup``: a consistent copy of a live SQLite database, restorable."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

from bot.engine import Engine
from bot.messages import Inbound
from flows.policy import Policy
from store import Store
from store.sqlite import backup
from tests.conftest import Clock

ZHANG = "440106199001011235"


def vaxbot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "channels.cli", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_backup_taken_while_residents_register_restores_their_data(
    store: Store, policy: Policy, clock: Clock, db_path: Path, tmp_path: Path
) -> None:
    engine = Engine(store, policy, clock)
    for body in ("登记", "1", "1", "张三", ZHANG, "1", "1"):
        engine.handle(Inbound("sms", "+8613800138000", body))
    writing = threading.Event()
    done = threading.Event()

    def register_more() -> None:  # another process's writes, on its own connection
        other = Store.open(db_path)
        try:
            n = 0
            while not done.is_set() or n < 20:
                other_engine = Engine(other, policy, clock)
                other_engine.handle(Inbound("sms", f"+86139001390{n:02d}", "你好"))
                writing.set()
                n += 1
        finally:
            other.close()

    writer = threading.Thread(target=register_more)
    writer.start()
    writing.wait(10)
    target = tmp_path / "backup.db"
    try:
        pages = backup(db_path, target)
    finally:
        done.set()
        writer.join(30)
    assert pages > 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    restored = Store.open(target)
    try:
        resident = restored.resident_by_document("resident_id", ZHANG)
        assert resident is not None and resident.name == "张三"
        assert restored.sites()  # the places came along
    finally:
        restored.close()


def test_the_command_reports_and_refuses_what_it_cannot_do(db_path: Path, tmp_path: Path) -> None:
    assert vaxbot("seed-demo", "--db", str(db_path)).returncode == 0
    target = tmp_path / "copy.db"
    target.write_text("an older backup", "utf-8")
    done = vaxbot("backup", "--db", str(db_path), "--to", str(target), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "integrity ok" in done.stdout and target.read_bytes().startswith(b"SQLite format 3")
    same = vaxbot("backup", "--db", str(db_path), "--to", str(db_path))
    assert same.returncode == 2 and "another file" in same.stderr
    missing = vaxbot("backup", "--db", str(tmp_path / "none.db"), "--to", str(target))
    assert missing.returncode == 2 and "no such database" in missing.stderr
    server = vaxbot("backup", "--db", "postgresql://vaxbot:s3cret@db/vaxbot", "--to", str(target))
    assert server.returncode == 2 and "pg_dump" in server.stderr
    assert "s3cret" not in server.stderr + server.stdout
    assert not list(tmp_path.glob(".*.partial"))
