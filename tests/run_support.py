"""Running the project's own programs from a test, as a person would from a shell."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, timeout: float = 300) -> str:
    # As run by hand: no VAXBOT_ settings, and not as a pytest-xdist worker (whose id would
    # suffix the names of the databases the benchmark makes, tests/fakes/postgres.py).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VAXBOT_", "PYTEST_XDIST_"))}  # fmt: skip
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout
