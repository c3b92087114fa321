"""Every sentence exists in Chinese and English; every command is documented."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from channels.cli import build_parser
from flows.texts import TEXTS

ROOT = Path(__file__).parent.parent
_CJK = re.compile(r"[\u4e00-\u9fff]")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_has_chinese_and_english_with_the_same_placeholders(key: str) -> None:
    zh, en = TEXTS[key]
    assert zh.strip() and en.strip()
    assert _CJK.search(zh), f"{key}: the Chinese text has no Chinese in it"
    assert not _CJK.search(en.replace("中文", "")), f"{key}: the English text has Chinese in it"
    assert placeholders(zh) == placeholders(en)


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", subcommands())
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    sub = action.choices[command]  # type: ignore[index]
    assert sub.description and len(sub.description) > 20
    assert f"vaxbot {command}" in (ROOT / "README.md").read_text("utf-8")


def test_readme_gives_the_two_commands_that_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    test_command = next(line for line in readme.splitlines() if "pytest" in line and "pip" in line)
    assert test_command.strip() in ci
    assert any("vaxbot seed-demo" in line and "vaxbot chat" in line for line in readme.splitlines())
