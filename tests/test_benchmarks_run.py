"""Every benchmark still runs, small, and the checks it prints still hold. The figures
themselves are for people to read (docs/performance.md): nothing here times anything.

A benchmark nobody runs breaks quietly when the code under it changes (the rush and the
engine benchmark on PostgreSQL did, after the privacy work); these runs catch that in CI.
Sizes are the smallest that still run every path: 10 conversations are one of each kind of
resident (benchmarks/residents.py, PATTERN), the rush has four residents a place (places run
out: the taken-place and sold-out paths run), a few raw transactions and bare requests (each
part's figure is printed, and its format checked).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.run_support import ROOT, run


def benchmark(name: str, *args: str) -> str:
    return run(sys.executable, str(ROOT / "benchmarks" / name), *args)


def test_the_engine_benchmark_books_every_conversation() -> None:
    out = benchmark("engine.py", "--conversations", "10", "--raw", "10", "--repeat", "1")
    assert "engine bookings: 10 active bookings after 10 conversations" in out
    assert re.search(r"^ratio: \d+\.\d+ \(aim >= 0\.5", out, re.M), out  # SQLite's aim


def test_the_rush_overbooks_nothing_and_loses_nothing() -> None:
    out = benchmark("rush.py", "--residents", "20", "--places", "5",
                    "--bare-requests", "20", "--concurrency", "4")  # fmt: skip
    assert re.search(r"^bookings made\s+5 of 5 places", out, re.M), out
    assert re.search(r"^overbooked\s+0 ", out, re.M), out
    assert re.search(r"^lost\s+0 ", out, re.M), out


def test_on_postgresql_the_engine_benchmark_books_and_two_serve_processes_rush(
    postgres_server: str,
) -> None:
    out = benchmark("engine.py", "--db", postgres_server, "--conversations", "10",
                    "--raw", "10", "--repeat", "1")  # fmt: skip
    assert "engine bookings: 10 active bookings after 10 conversations" in out
    assert re.search(r"^ratio: \d+\.\d+ \(aim >= 0\.3", out, re.M), out  # PostgreSQL's aim
    out = benchmark("rush.py", "--db", postgres_server, "--processes", "2", "--residents", "20",
                    "--places", "5", "--bare-requests", "20", "--concurrency", "4")  # fmt: skip
    assert "2 serve process(es) on PostgreSQL" in out
    assert re.search(r"^bookings made\s+5 of 5 places", out, re.M), out
    assert re.search(r"^overbooked\s+0 ", out, re.M), out
    assert re.search(r"^lost\s+0 ", out, re.M), out


def test_the_wechat_benchmark_gets_every_passive_reply() -> None:
    out = benchmark("wechat.py", "--messages", "3", "--safe")
    assert "wechat safe mode: 6 passive replies" in out


def test_the_interpreter_benchmark_reads_the_corpus() -> None:
    out = benchmark("nlu.py", "--rounds", "1")
    assert re.search(r"^median \d+\.\d+ ms", out, re.M), out


def test_the_assignment_benchmark_fills_places(tmp_path: Path) -> None:
    out = benchmark("assign.py", "--people", "300", "--places", "100", "--db",
                    str(tmp_path / "assign.db"))  # fmt: skip
    assert "offered 100 places to 100 people" in out and "checks: ok" in out, out
