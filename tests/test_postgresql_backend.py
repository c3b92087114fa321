"""Spec for the PostgreSQL backend of ``Db`` (store/postgres.py): parameters handed to psycopg,
typed conflicts read from the server's errors, savepoints, and the advisory lock that makes one
holder at a time across connections. Runs against ``VAXBOT_TEST_POSTGRES`` or a throwaway server
(tests/fakes/postgres.py).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator

import pytest

from store.db import CheckViolation, ForeignKeyViolation, NotNullViolation, UniqueViolation
from store.migrations import MIGRATIONS, applied, migrate
from store.postgres import PostgresDb, pyformat
from store.store import masked
from tests.fakes import postgres

_names = itertools.count(1)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT :a, :b_2", "SELECT %(a)s, %(b_2)s"),
        ("SELECT ':not_a_parameter', :a", "SELECT ':not_a_parameter', %(a)s"),
        ("SELECT 'it''s :x', :a", "SELECT 'it''s :x', %(a)s"),
        ('SELECT t."end", :a', 'SELECT t."end", %(a)s'),
        ("SELECT (c.state::json ->> 'lang')", "SELECT (c.state::json ->> 'lang')"),
        ("SELECT 10 % 3, :a", "SELECT 10 %% 3, %(a)s"),
        ("SELECT '50%', :a", "SELECT '50%', %(a)s"),
    ],
)
def test_named_parameters_are_handed_to_psycopg_as_pyformat(sql: str, expected: str) -> None:
    assert pyformat(sql) == expected


def test_a_url_is_masked_for_messages() -> None:
    assert (
        masked("postgresql://vaxbot:s3cr:et@db:5432/vaxbot")
        == "postgresql://vaxbot:***@db:5432/vaxbot"
    )
    assert masked("postgresql://vaxbot:p@ss#w0rd@db/vaxbot") == "postgresql://vaxbot:***@db/vaxbot"
    assert masked("postgresql://vaxbot@db/vaxbot") == "postgresql://vaxbot@db/vaxbot"
    assert masked("/var/lib/vaxbot/city.db") == "/var/lib/vaxbot/city.db"


@pytest.fixture
def url(postgres_server: str) -> Iterator[str]:
    name = f"vaxbot_backend_{next(_names)}"
    yield postgres.create(postgres_server, name)
    postgres.drop(postgres_server, name)


@pytest.fixture
def db(url: str) -> Iterator[PostgresDb]:
    db = PostgresDb.open(url, "test")
    migrate(db)
    db.execute("INSERT INTO districts (id, name_zh, name_en) VALUES ('tianhe', '天河', 'Tianhe')")
    yield db
    db.close()


def test_migrations_are_recorded_under_the_sqlite_names(db: PostgresDb) -> None:
    names = [name for name, _ in MIGRATIONS["postgresql"]]
    assert names == [name for name, _ in MIGRATIONS["sqlite"]]
    assert applied(db) == sorted(names)
    assert migrate(db) == []


def test_typed_conflicts_name_their_table_and_columns(db: PostgresDb) -> None:
    with pytest.raises(UniqueViolation) as caught:
        db.execute("INSERT INTO districts (id, name_zh, name_en) VALUES ('tianhe', 'x', 'y')")
    assert caught.value.on("districts", "id")
    account = db.insert(
        "INSERT INTO accounts (phone, created_at) VALUES (:phone, 'now')", {"phone": "+86138"}
    )
    insert = (
        "INSERT INTO residents (account_id, prereg_code, name, id_type, id_index, birth_date, "
        "phone, district_id, created_at) VALUES (:account, :code, '张三', 'resident_id', "
        ":number, '1990-01-01', '+86138', 'tianhe', 'now')"
    )
    db.insert(insert, {"account": account, "code": "R1", "number": "X1"})
    with pytest.raises(UniqueViolation) as twice:
        db.insert(insert, {"account": account, "code": "R2", "number": "X1"})
    assert twice.value.on("residents", "id_type", "id_index")
    db.execute("INSERT INTO products VALUES ('p', 'p', 'p', 'm', 2)")
    site = db.insert(
        "INSERT INTO sites (district_id, name_zh, name_en, address_zh, address_en) "
        "VALUES ('tianhe', 'a', 'b', 'c', 'd')"
    )
    slot = (
        'INSERT INTO slots (site_id, product_id, day, start, "end", capacity, booked) '
        "VALUES (:site, 'p', '2021-06-18', '08:00', '10:00', :capacity, 0)"
    )
    with pytest.raises(CheckViolation):
        db.execute(slot, {"site": site, "capacity": -1})
    with pytest.raises(ForeignKeyViolation) as missing:
        db.execute(slot, {"site": site + 99, "capacity": 1})
    assert missing.value.on("slots", "site_id")
    with pytest.raises(NotNullViolation) as empty:
        db.execute(slot, {"site": site, "capacity": None})
    assert empty.value.on("slots", "capacity")


def test_a_conflict_inside_a_savepoint_leaves_the_transaction_usable(db: PostgresDb) -> None:
    with db.transaction():
        db.execute("INSERT INTO products VALUES ('a', 'a', 'a', 'm', 2)")
        with pytest.raises(UniqueViolation), db.transaction():
            db.execute("INSERT INTO products VALUES ('b', 'b', 'b', 'm', 2)")
            db.execute("INSERT INTO products VALUES ('a', 'a', 'a', 'm', 2)")
        db.execute("INSERT INTO products VALUES ('c', 'c', 'c', 'm', 2)")
    assert db.all("SELECT id FROM products ORDER BY id") == [("a",), ("c",)]


def test_rows_counts_and_ids(db: PostgresDb) -> None:
    assert (
        db.execute_many(
            "INSERT INTO products VALUES (:id, :id, :id, 'm', 1)", [{"id": "a"}, {"id": "b"}]
        )
        == 2
    )
    assert db.execute_many("INSERT INTO products VALUES (:id, :id, :id, 'm', 1)", []) == 0
    assert db.execute("UPDATE products SET doses = 2") == 2
    assert db.dicts("SELECT id, doses FROM products ORDER BY id") == [
        {"id": "a", "doses": 2}, {"id": "b", "doses": 2},
    ]  # fmt: skip
    assert list(db.stream("SELECT id FROM products ORDER BY id")) == [("a",), ("b",)]


def test_a_lock_holds_off_another_connection_until_the_transaction_ends(
    db: PostgresDb, url: str
) -> None:
    other = PostgresDb.open(url, "test")
    took: list[float] = []

    def second() -> None:
        with other.transaction():
            other.lock("conversation sms +8613800138000")
            other.one("SELECT 1")  # the lock is taken, at the latest, with the next statement
            took.append(time.monotonic())

    try:
        with pytest.raises(RuntimeError, match="outside a transaction"):
            db.lock("x")
        with db.transaction():
            db.lock("conversation sms +8613800138000")
            db.one("SELECT 1")
            thread = threading.Thread(target=second)
            thread.start()
            thread.join(0.3)
            assert thread.is_alive(), "the second connection did not wait for the lock"
            released = time.monotonic()
        thread.join(10)
        assert took and took[0] >= released
        with db.transaction():  # another key is another lock: no wait
            db.lock("conversation sms +8613900139000")
    finally:
        other.close()


def test_seed_demo_on_postgresql_never_prints_the_password(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from channels.cli import main

    scheme, _, rest = url.partition("://")
    user, _, place = rest.partition("@")
    with_password = f"{scheme}://{user}:secret@{place}"  # the test server trusts any password
    monkeypatch.setenv("VAXBOT_NOW", "2021-06-17T09:00")
    assert main(["seed-demo", "--db", with_password]) == 0
    err = capsys.readouterr().err
    assert f"seeded {scheme}://{user}:***@{place}: " in err
    assert "secret" not in err
    assert main(["seed-demo", "--db", with_password]) == 0  # again: nothing new
    assert "0 new slots" in capsys.readouterr().err
