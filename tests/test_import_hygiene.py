"""The architecture rule: the core never imports a channel or its libraries.

``bot``, ``flows`` and ``store`` are the channel-neutral core. They must not import ``telegram``,
``textual``, ``aiosmtpd``, ``aiohttp`` or the ``channels`` package: channels depend on the core,
never the other way round. Two checks: the source (every import statement, wherever it is, even
one that never runs) and the running interpreter (every module of the core imported in a fresh
process, and what that pulled in). Each checker is tested on a synthetic violation first, so a
checker that can no longer see anything fails instead of passing quietly.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("bot", "flows", "store")
FORBIDDEN = frozenset({"telegram", "textual", "aiosmtpd", "aiohttp", "channels"})


def _forbidden(module: str) -> bool:
    return module.split(".")[0] in FORBIDDEN


# -- static ---------------------------------------------------------------------------------


def forbidden_imports(source: str, filename: str = "<source>") -> list[str]:
    """``file:line: module`` for every import of a forbidden package in ``source``.

    Covers ``import x``, ``import x.y as z``, ``from x(.y) import z``, and the dynamic forms
    ``importlib.import_module("x")`` / ``__import__("x")`` with a literal name. Relative imports
    (``from . import channels``) stay inside their own package and are allowed.
    """
    found = imported(source, filename)
    return [f"{filename}:{line}: {name}" for line, name in found if _forbidden(name)]


def imported(source: str, filename: str) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in ``source``, dynamic literal ones included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            func, first = node.func, node.args[0]
            called = getattr(func, "id", None) or getattr(func, "attr", None)
            if (
                called in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                found.append((node.lineno, first.value))
    return sorted(found)


def core_files() -> list[Path]:
    return sorted(path for package in CORE for path in (ROOT / package).rglob("*.py"))


def test_the_static_checker_sees_every_kind_of_import() -> None:
    source = "\n".join(
        [
            "import telegram",  # 1
            "from channels.sms import SmsChannel",  # 2
            "import os, textual.app as app",  # 3
            "from aiohttp import web",  # 4
            "from . import channels",  # 5: relative, allowed
            "import telegramx, channels_util",  # 6: other names, allowed
            "from typing import TYPE_CHECKING",  # 7
            "if TYPE_CHECKING:",  # 8
            "    from aiosmtpd.controller import Controller",  # 9: still a dependency
            "def later() -> None:",  # 10
            "    import importlib",  # 11
            "    importlib.import_module('channels.telegram')",  # 12
            "    __import__('aiohttp')",  # 13
            "import channels",  # 14
        ]
    )
    assert forbidden_imports(source, "x.py") == [
        "x.py:1: telegram",
        "x.py:2: channels.sms",
        "x.py:3: textual.app",
        "x.py:4: aiohttp",
        "x.py:9: aiosmtpd.controller",
        "x.py:12: channels.telegram",
        "x.py:13: aiohttp",
        "x.py:14: channels",
    ]
    assert forbidden_imports("import os\nfrom store import Store\n") == []


def test_the_core_sources_import_no_channel() -> None:
    files = core_files()
    for package in CORE:
        assert ROOT / package / "__init__.py" in files, f"{package} not found under {ROOT}"
    hits = [
        hit
        for path in files
        for hit in forbidden_imports(path.read_text("utf-8"), str(path.relative_to(ROOT)))
    ]
    assert hits == [], "the core imports channel code:\n" + "\n".join(hits)


# -- dynamic --------------------------------------------------------------------------------

# Runs in a fresh interpreter: imports every module of the given packages, and reports every
# module loaded (sys.modules) and every import attempted, with the module that asked for it (a
# finder that only watches, so an attempt caught by ``try: ... except ImportError``, or of a
# package that is not installed, still shows).
PROBE = """
import importlib, json, pkgutil, sys, traceback

attempted = []

class Watch:
    @staticmethod
    def find_spec(name, path=None, target=None):
        frame = sys._getframe(1)
        while frame is not None and (
            frame.f_code.co_filename.startswith("<frozen")
            or frame.f_globals.get("__name__", "").startswith("importlib")
        ):
            frame = frame.f_back
        importer = frame.f_globals.get("__name__", "?") if frame is not None else "?"
        attempted.append([name, importer])
        return None

sys.meta_path.insert(0, Watch)
imported, failed = [], []
for package in sys.argv[1:]:
    try:
        root = importlib.import_module(package)
    except Exception:
        failed.append([package, traceback.format_exc()])
        continue
    imported.append(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        try:
            importlib.import_module(info.name)
        except Exception:
            failed.append([info.name, traceback.format_exc()])
        else:
            imported.append(info.name)
files = {name: getattr(sys.modules[name], "__file__", None) for name in imported}
print(json.dumps({
    "imported": imported,
    "files": files,
    "failed": failed,
    "loaded": sorted(sys.modules),
    "attempted": attempted,
}))
"""

Probe = dict[str, Any]


def loaded_forbidden(modules: Iterable[str]) -> list[str]:
    """The forbidden ones among module names (``telegram.ext`` yes, ``telegramx`` no)."""
    return sorted({module for module in modules if _forbidden(module)})


def attempted_by(result: Probe, packages: Sequence[str]) -> list[str]:
    """``importer -> module`` for each forbidden import that code of ``packages`` attempted."""
    return sorted(
        {
            f"{importer} -> {name}"
            for name, importer in result["attempted"]
            if _forbidden(name) and importer.split(".")[0] in packages
        }
    )


def probe(packages: Sequence[str], path: Path = ROOT, site: bool = True) -> Probe:
    """Run PROBE on ``packages`` from ``path``; without ``site``, only the stdlib is installed."""
    proc = subprocess.run(
        [sys.executable, *([] if site else ["-S"]), "-c", PROBE, *packages],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result: Probe = json.loads(proc.stdout.splitlines()[-1])
    return result


def test_loaded_forbidden() -> None:
    modules = ["bot.engine", "telegram.ext", "telegramx", "channels", "aiohttp", "json"]
    assert loaded_forbidden(modules) == ["aiohttp", "channels", "telegram.ext"]


def test_the_probe_catches_a_violation(tmp_path: Path) -> None:
    """A synthetic package that imports a stand-in ``telegram`` is caught, even half hidden."""
    (tmp_path / "telegram.py").write_text("", "utf-8")
    core = tmp_path / "fakecore"
    (core / "sub").mkdir(parents=True)
    (core / "__init__.py").write_text("", "utf-8")
    (core / "sub" / "__init__.py").write_text("", "utf-8")
    (core / "sub" / "deep.py").write_text("import telegram\n", "utf-8")
    (core / "guarded.py").write_text(
        "try:\n    import aiosmtpd\nexcept ImportError:\n    pass\n"
        "try:\n    from channels import sms\nexcept ImportError:\n    pass\n",
        "utf-8",
    )
    # Without site-packages, so aiosmtpd and channels are not installed: the attempts still count.
    result = probe(["fakecore"], tmp_path, site=False)
    assert result["failed"] == []
    assert {"fakecore.guarded", "fakecore.sub.deep"} <= set(result["imported"])
    assert loaded_forbidden(result["loaded"]) == ["telegram"]
    assert attempted_by(result, ["fakecore"]) == [
        "fakecore.guarded -> aiosmtpd",
        "fakecore.guarded -> channels",
        "fakecore.sub.deep -> telegram",
    ]


def test_importing_the_core_loads_no_channel() -> None:
    result = probe(CORE)
    failures = "\n".join(f"{name}:\n{trace}" for name, trace in result["failed"])
    assert result["failed"] == [], "core modules failed to import:\n" + failures
    # The walk really went through the packages: every core source file was imported.
    expected = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in core_files()
    }
    assert expected <= set(result["imported"]), sorted(expected - set(result["imported"]))
    elsewhere = {
        name: file
        for name, file in result["files"].items()
        if file is None or not Path(file).resolve().is_relative_to(ROOT)
    }
    assert elsewhere == {}, f"these modules were not imported from {ROOT}"
    assert loaded_forbidden(result["loaded"]) == [], "importing the core loaded channel code"
    watched = {importer.split(".")[0] for _, importer in result["attempted"]}
    assert set(CORE) <= watched, "the import watcher saw nothing of the core"
    assert attempted_by(result, CORE) == [], "the core tried to import channel code"


@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_each_forbidden_name_is_recognised(name: str) -> None:
    assert forbidden_imports(f"import {name}") == [f"<source>:1: {name}"]
    assert loaded_forbidden([f"{name}.sub"]) == [f"{name}.sub"]


# -- the database driver stays in its backend ------------------------------------------------

# Repositories speak the Db interface (store/db.py); only a backend module may import its
# driver (sqlite3: store/sqlite.py, psycopg: store/postgres.py), so that SQL dialect and driver
# errors never leak into the rest of the code.
PACKAGES = (*CORE, "channels")
DRIVERS = {
    "sqlite3": {"store/sqlite.py"},
    "sqlite_utils": {"store/sqlite.py"},
    "psycopg": {"store/postgres.py"},
    "psycopg_pool": {"store/postgres.py"},
}


def driver_imports(source: str, filename: str = "<source>") -> list[str]:
    """``file:line: module`` for every import of a database driver in ``source`` (the same
    forms ``forbidden_imports`` sees, relative imports aside)."""
    return [
        f"{filename}:{line}: {name}"
        for line, name in imported(source, filename)
        if name.split(".")[0] in DRIVERS and filename not in DRIVERS[name.split(".")[0]]
    ]


def test_the_driver_checker_sees_every_kind_of_import() -> None:
    source = "\n".join(
        [
            "import sqlite3",  # 1
            "from sqlite3 import IntegrityError",  # 2
            "import sqlite_utils.db as d",  # 3
            "def later() -> None:",  # 4
            "    __import__('sqlite3')",  # 5
            "from store.sqlite import SqliteDb",  # 6: the backend module itself, allowed
            "import sqlite3x",  # 7: another name, allowed
        ]
    )
    assert driver_imports(source, "store/people.py") == [
        "store/people.py:1: sqlite3",
        "store/people.py:2: sqlite3",
        "store/people.py:3: sqlite_utils.db",
        "store/people.py:5: sqlite3",
    ]
    assert driver_imports("import sqlite3\nimport sqlite_utils\n", "store/sqlite.py") == []
    assert driver_imports("import psycopg\n", "store/sqlite.py") == ["store/sqlite.py:1: psycopg"]
    assert driver_imports("from psycopg import errors\n", "store/postgres.py") == []


def test_only_each_backend_imports_its_driver() -> None:
    files = sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))
    assert {ROOT / "store" / "sqlite.py", ROOT / "store" / "postgres.py"} <= set(files)
    hits = [
        hit
        for path in files
        for hit in driver_imports(path.read_text("utf-8"), path.relative_to(ROOT).as_posix())
    ]
    assert hits == [], "a database driver imported outside its backend:\n" + "\n".join(hits)


def test_importing_the_code_loads_each_driver_only_through_its_backend() -> None:
    result = probe(PACKAGES)
    assert result["failed"] == [], result["failed"]
    importers = {
        (name.split(".")[0], importer)
        for name, importer in result["attempted"]
        if name.split(".")[0] in DRIVERS and importer.split(".")[0] in PACKAGES
    }
    assert importers == {
        ("sqlite3", "store.sqlite"),
        ("psycopg", "store.postgres"),
        ("psycopg_pool", "store.postgres"),
    }
