"""What the real ``vaxbot`` command line says about itself, run in subprocesses: ``--help`` for
every command (and the installed console script), and the usage errors (exit code 2, one line
per problem on stderr, no database created) for a bad clock from ``--now``/``VAXBOT_NOW`` and a
bad ``--config``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from channels.cli import build_parser
from tests.cli_support import (
    PHONE,
    Call,
    cli_env,
    run_all,
)

# -- help -----------------------------------------------------------------------------------


def subcommands(
    parser: argparse.ArgumentParser,
) -> Iterator[tuple[list[str], argparse.ArgumentParser]]:
    """Every (sub)command path under ``parser`` with its parser, nested ones included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield [name], sub
                for path, nested in subcommands(sub):
                    yield [name, *path], nested


COMMANDS = sorted(subcommands(build_parser()), key=lambda item: item[0])


def test_the_parser_has_the_documented_commands() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"seed-demo", "chat"} <= names


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str
    created: list[str]  # files the process left in its working directory


CONSOLE_SCRIPT = Path(sys.executable).parent / "vaxbot"


# Runs ``main(argv)`` for each argv read from stdin (JSON), in one process, and prints what each
# wrote and returned, and the files left in its directory (each runs in a directory of its own).
_HELP_DRIVER = """
import contextlib, io, json, os, sys
from channels.cli import main
out = []
for argv, where in json.load(sys.stdin):
    os.chdir(where)
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(argv)
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
    out.append([code, stdout.getvalue(), stderr.getvalue(), sorted(os.listdir(where))])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def help_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ran]:
    """``vaxbot --help`` and ``vaxbot CMD --help`` for every command, in one process started
    as ``vaxbot`` is (each a few seconds when run as a process of its own), each in a directory
    of its own; and the installed console script's ``--help`` as a process.

    Keyed by the command ("" for the top level); "script" is the console script's ``--help``.
    """
    names = ["", *(" ".join(path) for path, _ in COMMANDS)]
    argvs = [[[*name.split(), "--help"], str(tmp_path_factory.mktemp("help"))] for name in names]
    driver = [sys.executable, "-c", _HELP_DRIVER]
    [done] = run_all([Call([], stdin=json.dumps(argvs), program=driver)])
    assert done.returncode == 0, done.stderr
    runs = {name: Ran(*ran) for name, ran in zip(names, json.loads(done.stdout), strict=True)}
    if CONSOLE_SCRIPT.exists():
        [script] = run_all([Call(["--help"], program=[str(CONSOLE_SCRIPT)])])
        runs["script"] = Ran(script.returncode, script.stdout, script.stderr, [])
    return runs


def test_top_level_help(help_runs: dict[str, Ran]) -> None:
    run = help_runs[""]
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("usage: vaxbot")
    for path, _ in COMMANDS:
        if len(path) == 1:
            assert path[0] in run.stdout, f"`vaxbot --help` does not list {path[0]}"
    assert "VAXBOT_NOW" in run.stdout
    assert run.created == [], "--help must not create files"


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_command_help(
    path: list[str], parser: argparse.ArgumentParser, help_runs: dict[str, Ran]
) -> None:
    run = help_runs[" ".join(path)]
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"usage: vaxbot {' '.join(path)}")
    assert parser.description, "every command describes itself"
    assert " ".join(parser.description.split())[:40] in " ".join(run.stdout.split())
    for action in parser._actions:
        for option in action.option_strings:
            if option.startswith("--"):
                assert option in run.stdout, f"{option} missing from the help of {path}"
    assert run.created == [], "--help must not create files"


def test_the_console_script_is_installed(help_runs: dict[str, Ran]) -> None:
    run = help_runs["script"]
    assert run.returncode == 0, run.stderr
    assert run.stdout == help_runs[""].stdout


# -- bad clock and bad configuration ----------------------------------------------------------


def assert_usage_error(proc: subprocess.CompletedProcess[str], *needles: str) -> list[str]:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.rstrip("\n").split("\n")
    assert "Traceback" not in proc.stderr, proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr
    return lines


def test_a_bad_clock_is_a_usage_error(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    bad_env = cli_env(VAXBOT_NOW="2021-13-45T99:00")
    flag, chat_env, seed_env = run_all(
        [
            Call(["chat", "--db", str(db), "--from", PHONE, "--now", "next tuesday"]),
            Call(["chat", "--db", str(db), "--from", PHONE], env=bad_env),
            Call(["seed-demo", "--db", str(db)], env=bad_env),
        ]
    )
    [line] = assert_usage_error(flag, "next tuesday")
    assert line.startswith("vaxbot:")
    for proc in (chat_env, seed_env):
        [line] = assert_usage_error(proc, "2021-13-45T99:00")
        assert line.startswith("vaxbot:")
    assert not db.exists(), "a usage error must not create the database"


def test_a_bad_config_is_a_usage_error_naming_each_key(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    one, two = tmp_path / "one.toml", tmp_path / "two.toml"
    one.write_text('[booking]\nmaintenance = "8-12"\n', "utf-8")
    two.write_text('[booking]\nmaintenance = "8-12"\nrelease_time = "noon"\n', "utf-8")
    chat_one, seed_two = run_all(
        [
            Call(["chat", "--db", str(db), "--from", PHONE, "--config", str(one)]),
            Call(["seed-demo", "--db", str(db), "--config", str(two)]),
        ]
    )
    [line] = assert_usage_error(chat_one, "booking.maintenance", "8-12")
    assert str(one) in line
    # Two problems: two lines, each naming its key.
    lines = assert_usage_error(seed_two, "booking.maintenance", "booking.release_time")
    assert len(lines) == 2, lines
    assert not db.exists(), "a usage error must not create the database"
