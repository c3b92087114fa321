"""`vaxbot nlu misses|test --db` with no database there: refused, nothing created."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


@pytest.mark.parametrize(
    "args",
    [["nlu", "misses"], ["nlu", "test", str(Path(__file__).parent / "nlu" / "heldout.jsonl")]],
    ids=["misses", "test"],
)
def test_a_missing_database_is_refused_and_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    missing = tmp_path / "nowhere" / "typo.db"
    missing.parent.mkdir()
    status = main([*args, "--db", str(missing)])
    out, err = capsys.readouterr()
    assert status == 2
    assert f"no database at {missing}" in err and "no messages missed" not in out
    assert list(missing.parent.iterdir()) == []  # neither the database nor a key file
