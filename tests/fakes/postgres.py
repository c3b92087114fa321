"""A PostgreSQL server for the tests: ``VAXBOT_TEST_POSTGRES=URL`` names one; unset, a throwaway
server is made in a temporary folder (``initdb`` and ``pg_ctl`` of the installed PostgreSQL, run
as the ``postgres`` user when the tests run as root) and stopped at the end of the session.

Each test gets a database of its own, copied from a template (``CREATE DATABASE … TEMPLATE``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

ENV = "VAXBOT_TEST_POSTGRES"
SEARCH = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/local/bin", "/usr/bin")


def _program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for pattern in SEARCH:
        for folder in sorted(Path("/").glob(pattern.lstrip("/")), reverse=True):
            if (folder / name).is_file():
                return str(folder / name)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unavailable(reason: str) -> None:
    """No server: skip, except under CI, where the PostgreSQL tests must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL tests cannot run under CI: {reason}")
    pytest.skip(f"no PostgreSQL server: {reason} (set {ENV}=URL)")


@contextmanager
def server() -> Iterator[str]:
    """The URL of a server's maintenance database (``…/postgres``)."""
    given = os.environ.get(ENV)
    if given:
        yield given
        return
    initdb, pg_ctl = _program("initdb"), _program("pg_ctl")
    if not (initdb and pg_ctl):
        unavailable("initdb and pg_ctl not found")
        return
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="vaxbot-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    try:
        subprocess.run(
            [*as_user, initdb, "-D", str(data), "-U", "vaxbot", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w",
             "start"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"could not start one ({exc})")
        return
    try:
        yield f"postgresql://vaxbot@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            check=False, capture_output=True, timeout=120,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def scoped(name: str) -> str:
    """``name`` for this test process: with pytest-xdist, each worker's databases carry its id,
    so workers sharing one server (``VAXBOT_TEST_POSTGRES``) never touch each other's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{name}_{worker}" if worker else name


def database_url(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``server_url``."""
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{name}"


def create(server_url: str, name: str, template: str | None = None) -> str:
    """Make database ``name`` (a copy of ``template``, if given), dropping one of that name
    first; its URL."""
    name, template = scoped(name), scoped(template) if template else None
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        copy = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return database_url(server_url, name)


def drop(server_url: str, name: str) -> None:
    name = scoped(name)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
