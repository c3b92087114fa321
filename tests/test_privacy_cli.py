"""The privacy commands as a deployer runs them, on a real SQLite file and with ``--db
postgresql://…``: ``vaxbot purge`` on a frozen clock (VAXBOT_NOW) and ``vaxbot audit verify``
(exit codes, the row named). The store behind them is tested further in
tests/test_retention_audit.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.engine import Engine
from store import Store
from tests.test_retention_audit import book_and_chat

BACKENDS = ("sqlite", "postgresql")


def test_vaxbot_purge_counts_then_purges_on_the_frozen_clock(
    engine: Engine, store: Store, db_url: str
) -> None:
    book_and_chat(engine, store)
    env = {**os.environ, "VAXBOT_NOW": "2021-07-20T09:00"}
    run = [sys.executable, "-m", "channels.cli", "purge", "--db", db_url]
    dry = subprocess.run([*run, "--dry-run"], env=env, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "would purge 1: message ids and stored replies" in dry.stdout
    done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
    assert "purged 2: idle conversations" in done.stdout
    again = subprocess.run([*run, "--dry-run"], env=env, capture_output=True, text=True,
                           timeout=60)  # fmt: skip
    assert "would purge 0: idle conversations" in again.stdout


def test_vaxbot_audit_verify_exits_non_zero_naming_the_row(
    engine: Engine, store: Store, db_url: str, backend: str
) -> None:
    book_and_chat(engine, store)
    run = [sys.executable, "-m", "channels.cli", "audit", "verify", "--db", db_url]
    ok = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "intact" in ok.stdout, ok.stderr
    first = int(store.db.all("SELECT id FROM audit ORDER BY id")[0][0])
    store.db.execute("UPDATE audit SET after = NULL WHERE id = :id", {"id": first})
    bad = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and f"audit row {first} was altered" in bad.stderr
    assert backend != "sqlite" or Path(db_url).exists()
