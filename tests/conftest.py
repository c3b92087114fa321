"""Shared fixtures: the demo seeded in a real database, and an engine on a frozen clock.

The database is a SQLite file; a test module that sets ``BACKENDS = ("sqlite", "postgresql")``
(or a test marked ``@pytest.mark.backends("sqlite", "postgresql")``: the core tests of a module
too costly to run whole twice) runs each of its tests that use ``store`` on both, with
``[sqlite]`` / ``[postgresql]`` in the test ids (PostgreSQL: ``VAXBOT_TEST_POSTGRES=URL``, or a
throwaway server the session starts).
"""

from __future__ import annotations

import io
import itertools
import os
import shutil
import weakref
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.clock import make_clock, parse_moment
from bot.demo import seed_demo
from bot.engine import Engine
from bot.messages import Inbound, Reply
from flows.policy import Policy, load_policy
from store import Store

if TYPE_CHECKING:
    from tests.fakes.postgres import Reused

# One data key for the whole run (subprocesses inherit it), so a PostgreSQL database and a
# copied SQLite file open without a key file; tests of the key file itself unset it.
os.environ.setdefault("VAXBOT_DATA_KEY", "vaxbot-test-suite-data-key-0123456789")

TODAY = date(2021, 6, 17)  # a Thursday in the Guangzhou campaign
NOW = "2021-06-17T09:00:00+08:00"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


def sequential_codes() -> Callable[[str], str]:
    """Codes R0000001, B0000001, ... so transcripts are reproducible."""
    counters: dict[str, Iterator[int]] = {}

    def code(prefix: str, length: int = 7) -> str:
        counter = counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}{next(counter):0{length}d}"

    return code


def open_seeded(path: str | Path, policy: Policy, now: str = NOW, days: int = 7) -> Store:
    store = Store.open(path)
    store.new_code = sequential_codes()
    moment = parse_moment(now, policy.zone)
    seed_demo(store, policy, moment.date(), days, moment)
    return store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "vaxbot.db"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, policy: Policy) -> Path:
    """The demo database, seeded once per test run; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "demo.db"
    open_seeded(path, policy).close()
    return path


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marked = metafunc.definition.get_closest_marker("backends")
    backends = marked.args if marked else getattr(metafunc.module, "BACKENDS", None)
    if backends and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backends)


@pytest.fixture
def backend() -> str:
    """The store's backend: SQLite unless the test module asks for more (``BACKENDS``)."""
    return "sqlite"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    from tests.fakes import postgres

    with postgres.server() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_template(postgres_server: str, policy: Policy) -> str:
    """The name of a PostgreSQL database seeded with the demo, to copy for each test."""
    from tests.fakes import postgres

    name = "vaxbot_template"
    open_seeded(postgres.create(postgres_server, name), policy).close()
    return name


@pytest.fixture(scope="session")
def postgres_reused(postgres_server: str, postgres_template: str) -> Iterator[Reused]:
    """The PostgreSQL database each test's ``store`` is in, refilled from the template."""
    from tests.fakes import postgres

    reused = postgres.Reused(postgres_server, "vaxbot_test", postgres_template)
    yield reused
    postgres.drop(postgres_server, "vaxbot_test")


_urls: weakref.WeakKeyDictionary[Store, str] = weakref.WeakKeyDictionary()


@pytest.fixture
def store(
    backend: str, request: pytest.FixtureRequest, seeded_template: Path, db_path: Path
) -> Iterator[Store]:
    """A fresh copy of the seeded demo, frozen at NOW, with sequential codes: a real SQLite
    file, or a PostgreSQL database of its own."""
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_reused").fresh()
        store = Store.open(url)
        _urls[store] = url
        store.new_code = sequential_codes()
        yield store
        store.close()
        return
    shutil.copyfile(seeded_template, db_path)
    store = Store.open(db_path)
    _urls[store] = str(db_path)
    store.new_code = sequential_codes()
    yield store
    store.close()


@pytest.fixture
def db_url(store: Store) -> str:
    """Where ``store`` is: its file's path, or its PostgreSQL database's URL (to open another
    connection to it, as another process would)."""
    return _urls[store]


@pytest.fixture
def now(policy: Policy) -> datetime:
    return parse_moment(NOW, policy.zone)


class Clock:
    """A clock the test can move."""

    def __init__(self, policy: Policy, moment: str) -> None:
        self.zone = policy.zone
        self.now = parse_moment(moment, self.zone)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: str) -> None:
        self.now = parse_moment(moment, self.zone)


@pytest.fixture
def clock(policy: Policy) -> Clock:
    return Clock(policy, NOW)


@pytest.fixture
def engine(store: Store, policy: Policy, clock: Clock) -> Engine:
    return Engine(store, policy, clock)


class Phone:
    """A resident texting the engine: ``phone.send("预约")`` returns the replies."""

    def __init__(self, engine: Engine, address: str, channel: str = "sms") -> None:
        self.engine = engine
        self.address = address
        self.channel = channel

    def send(self, text: str, message_id: str | None = None) -> list[Reply]:
        return self.engine.handle(Inbound(self.channel, self.address, text, message_id))

    def say(self, text: str) -> str:
        """Send, and return all reply texts joined (for ``in`` assertions)."""
        return "\n".join(reply.text for reply in self.send(text))

    def run(self, *texts: str) -> list[Reply]:
        replies: list[Reply] = []
        for text in texts:
            replies = self.send(text)
        return replies


@pytest.fixture
def phone(engine: Engine) -> Phone:
    return Phone(engine, "+8613800138000")


OPERATOR_PASSWORD = "correct horse 15"


_PASSWORD_HASH: list[str] = []  # OPERATOR_PASSWORD as bot.operators hashed it, for reuse


def operator_login(store: Store, name: str, role: str = "supervisor") -> str:
    """An operator account ``name`` (added if missing); its password, for ``--password-stdin``.

    The first account of a test process is added by ``bot.operators.add_operator``; later ones
    are stored with that same argon2 hash (each hash costs about 0.4 s of CPU, and logging in
    still verifies it in full). tests/test_operators.py tests ``add_operator`` itself."""
    from bot.operators import add_operator, clean_operator_name

    if store.operator(name) is not None:
        return OPERATOR_PASSWORD
    now = datetime.fromisoformat(NOW)
    if _PASSWORD_HASH:
        store.add_operator(clean_operator_name(name), role, _PASSWORD_HASH[0], None, now=now,
                           actor="admin:test", channel="cli")  # fmt: skip
    else:
        added, _ = add_operator(store, name, role, OPERATOR_PASSWORD, now, "admin:test")
        _PASSWORD_HASH.append(added.password_hash)
    return OPERATOR_PASSWORD


def with_login(db: str | Path, args: Sequence[str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``args`` with ``--password-stdin``, the password of its ``--operator`` (added as a
    supervisor if missing) on stdin: a logged-in operator's command."""
    if "--operator" not in args:
        return list(args)
    name = args[list(args).index("--operator") + 1]
    if not name.strip():
        return list(args)
    store = Store.open(db)
    try:
        password = operator_login(store, name.strip())
    finally:
        store.close()
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return [*args, "--password-stdin"]


__all__ = [
    "NOW",
    "OPERATOR_PASSWORD",
    "TODAY",
    "Clock",
    "Phone",
    "make_clock",
    "open_seeded",
    "operator_login",
    "sequential_codes",
    "with_login",
]
