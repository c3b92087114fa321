"""The code is as README's "Lint and types" line asks: ruff, ruff format, and mypy (strict) over
bot, flows, store, channels, tests and benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.run_support import run

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",)],
    ids=["ruff", "ruff format", "mypy"],
)
def test_the_code_is_lint_clean_and_typed(command: tuple[str, ...]) -> None:
    run(str(BIN / command[0]), *command[1:], timeout=600)
