"""A PostgreSQL server for the tests: ``VAXBOT_TEST_POSTGRES=URL`` names one; unset, a throwaway
server is made in a temporary folder (``initdb`` and ``pg_ctl`` of the installed PostgreSQL, run
as the ``postgres`` user when the tests run as root) and stopped at the end of the session.

A test's ``store`` is a database of its test process, put back to the seeded template's rows
before each test (``Reused``); tests that need databases of their own copy the template
(``CREATE DATABASE … TEMPLATE``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from graphlib import TopologicalSorter
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
        for attempt in range(3):
            options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            started = subprocess.run(
                [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"),
                 "-w", "start"],
                check=False, capture_output=True, timeout=120,
            )  # fmt: skip
            if started.returncode == 0:
                break
            # PostgreSQL cannot bind port 0 and tell: the probed port may have been taken by
            # another process in between (another test process starting its server, say)
            taken = "could not bind" in (folder / "log").read_text("utf-8", "replace")
            if not taken or attempt == 2:
                started.check_returncode()
            port = _free_port()
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
        # FILE_COPY copies the template's few files and checkpoints: about a sixth of the time
        # of the default WAL_LOG (which writes every page to the log) for a database this small.
        copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return database_url(server_url, name)


def drop(server_url: str, name: str) -> None:
    name = scoped(name)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SEED = "vaxbot_seed"  # the schema holding the seeded rows a reused database is put back to

# The public schema's shape: a test that changed it (a migration, a dropped table) leaves a
# database that is made again rather than refilled.
_SHAPE = (
    "SELECT md5(COALESCE(string_agg(c.relname::text || c.relkind::text || '.'"
    " || a.attname::text || ':' || a.atttypid::text, ',' ORDER BY c.relname, a.attnum), ''))"
    " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
    " WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped"
)


class Reused:
    """One database per test process, put back to the seeded template's rows before each test.

    ``CREATE DATABASE`` copies the server's catalogs and checkpoints (0.2–0.7 s here, most of a
    PostgreSQL flow test's time). Putting the rows back takes a few milliseconds: the rows a test
    added are deleted, the seeded rows it deleted inserted again and those it changed updated,
    from copies kept in a schema of the same database. The database is made anew when a test
    changed its tables' shape, or when putting the rows back fails.
    """

    def __init__(self, server_url: str, name: str, template: str) -> None:
        self.server_url, self.name, self.template = server_url, name, template
        self.url = ""
        self.shape = ""
        self.refill = ""

    def fresh(self) -> str:
        """The URL of the database, holding the template's rows and no connection but ours."""
        if self.url:
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    found = conn.execute(_SHAPE).fetchone()
                    if found is not None and found[0] == self.shape:
                        with conn.transaction():
                            conn.execute(self.refill)
                        return self.url
            except psycopg.Error:
                pass  # made again below
        self._make()
        return self.url

    def _make(self) -> None:
        self.url = create(self.server_url, self.name, self.template)
        with psycopg.connect(self.url, autocommit=True) as conn:
            columns: dict[str, list[str]] = {}
            for table, column in conn.execute(
                "SELECT c.table_name, c.column_name FROM information_schema.columns c"
                " JOIN pg_tables t ON t.schemaname = c.table_schema AND t.tablename = c.table_name"
                " WHERE c.table_schema = 'public' ORDER BY c.table_name, c.ordinal_position"
            ):
                columns.setdefault(table, []).append(column)
            refers = conn.execute(
                "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
                " WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
            ).fetchall()
            order = _parents_first(list(columns), refers)
            conn.execute(f'CREATE SCHEMA "{SEED}"')
            for table in order:
                conn.execute(f'CREATE TABLE "{SEED}"."{table}" AS TABLE public."{table}"')
            steps = [_remove_added(table, columns[table]) for table in reversed(order)]
            steps += [_restore(table, columns[table]) for table in order]
            for (sequence,) in conn.execute(
                "SELECT pg_get_serial_sequence(format('public.%I', table_name), column_name)"
                " FROM information_schema.columns"
                " WHERE table_schema = 'public' AND is_identity = 'YES'"
            ).fetchall():
                last, called = conn.execute(
                    f"SELECT last_value, is_called FROM {sequence}"
                ).fetchone() or (1, False)
                steps.append(f"SELECT setval('{sequence}', {last}, {str(called).lower()})")
            self.refill = ";\n".join(step for step in steps if step)
            found = conn.execute(_SHAPE).fetchone()
            self.shape = found[0] if found else ""


def _remove_added(table: str, columns: list[str]) -> str:
    """Delete the rows of ``table`` that the seed does not hold (by id; all, if it has none)."""
    if "id" not in columns:
        return f'DELETE FROM public."{table}"'
    return f'DELETE FROM public."{table}" WHERE id NOT IN (SELECT id FROM "{SEED}"."{table}")'


def _restore(table: str, columns: list[str]) -> str:
    """Insert the seeded rows of ``table`` that are missing, and undo changes to the others."""
    insert = (
        f'INSERT INTO public."{table}" OVERRIDING SYSTEM VALUE SELECT * FROM "{SEED}"."{table}"'
    )
    if "id" not in columns:
        return insert
    others = [f'"{column}"' for column in columns if column != "id"]
    put_back = ""
    if others:
        mine = ", ".join(f"t.{column}" for column in others)
        seeded = ", ".join(f"s.{column}" for column in others)
        put_back = (
            f';\nUPDATE public."{table}" t SET ({", ".join(others)}) = ROW({seeded})'
            f' FROM "{SEED}"."{table}" s WHERE t.id = s.id AND ROW({mine}) IS DISTINCT FROM'
            f" ROW({seeded})"
        )
    return f'{insert} WHERE id NOT IN (SELECT id FROM public."{table}"){put_back}'


def _parents_first(tables: list[str], refers: list[tuple[str, str]]) -> list[str]:
    """``tables`` ordered so that a table comes after those its foreign keys refer to."""
    graph: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in refers:
        child, parent = child.strip('"'), parent.strip('"')
        if child in graph and parent in graph and child != parent:
            graph[child].add(parent)
    return list(TopologicalSorter(graph).static_order())
