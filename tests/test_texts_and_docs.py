"""Every sentence exists in Chinese and English; every command is documented."""

from __future__ import annotations

import itertools
import re
import string
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from channels.cli import build_parser
from flows.texts import TEXTS

ROOT = Path(__file__).parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
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


# -- the docs as they render ------------------------------------------------------------------


def rendered(path: Path) -> list[Token]:
    """``path`` parsed as GitHub renders it (CommonMark and tables), as a token stream."""
    return MarkdownIt("commonmark").enable("table").parse(path.read_text("utf-8"))


def table_cells(tokens: list[Token]) -> list[str]:
    """The text of every cell of every table that renders as one."""
    return [
        token.content
        for before, token in itertools.pairwise(tokens)
        if before.type in ("th_open", "td_open") and token.type == "inline"
    ]


def paragraphs(tokens: list[Token]) -> list[str]:
    return [
        token.content
        for before, token in itertools.pairwise(tokens)
        if before.type == "paragraph_open" and token.type == "inline"
    ]


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_every_table_renders_as_a_table(path: Path) -> None:
    """A table broken by a blank line (or a missing separator row) renders as raw ``| … |``."""
    raw = [text for text in paragraphs(rendered(path)) if text.lstrip().startswith("|")]
    assert raw == [], f"{path.name}: text rendered as a paragraph, not a table: {raw[0][:200]}"


@pytest.mark.parametrize("command", subcommands())
def test_every_command_is_in_a_rendered_readme_table(command: str) -> None:
    cells = table_cells(rendered(ROOT / "README.md"))
    assert any(f"vaxbot {command}" in cell for cell in cells), command


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    tokens = rendered(path)
    return {
        slug(token.content)
        for before, token in itertools.pairwise(tokens)
        if before.type == "heading_open" and token.type == "inline"
    }


def links(tokens: list[Token]) -> list[str]:
    found = []
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                found.append(str(child.attrs["href"]))
            elif child.type == "image":
                found.append(str(child.attrs["src"]))
    return found


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_every_link_points_at_a_file_that_exists(path: Path) -> None:
    for href in links(rendered(path)):
        if re.match(r"[a-z][a-z0-9+.-]*:", href):
            continue  # https:, mailto: ...
        target, _, anchor = href.partition("#")
        file = (path.parent / target).resolve() if target else path
        assert file.exists(), f"{path.name}: {href} points at nothing"
        if anchor and file.suffix == ".md":
            assert anchor in anchors(file), f"{path.name}: {href}: no such heading"


TOP_DIRS = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")} | {".ci"}
_PATH = re.compile(r"[\w.-]+(/[\w.-]+)+/?")


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_every_file_named_exists(path: Path) -> None:
    """A repository path in code (`flows/default_policy.toml`) or a document cited by name
    (policy.md, DESIGN.md) exists: in the repository, or beside the document."""
    text = path.read_text("utf-8")
    named = {
        child.content
        for token in rendered(path)
        for child in token.children or ()
        if child.type == "code_inline"
        and _PATH.fullmatch(child.content)
        and child.content.split("/")[0] in TOP_DIRS
    }
    named |= set(re.findall(r"(?<![\w/.-])([\w-]+\.md)\b", text))
    missing = [
        name for name in sorted(named)
        if not (ROOT / name).exists() and not (path.parent / name).exists()
    ]  # fmt: skip
    assert missing == [], f"{path.name} names files that are not in the repository"
