"""Personal data at rest: what an attacker holding the database finds (issue 16, item 1).

ID numbers, health answers and link codes are nowhere in the SQLite file or its WAL, nor in a
PostgreSQL dump; the key lives outside the database; a database of an older vaxbot is sealed
when it upgrades; a key rotation under load loses nothing.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.demo import seed_demo
from bot.engine import Engine
from flows.policy import Policy
from flows.texts import text
from store import DatabaseUnavailable, Store, open_store
from store.crypto import DataKeyError, Keyring, new_key_text
from store.db import Db
from store.keys import read_key_file, write_key_file
from store.migrations import MIGRATIONS, migrate
from store.sqlite import SqliteDb
from tests.conftest import Phone
from tests.fakes import postgres

BACKENDS = ("sqlite", "postgresql")
ID_NUMBER = "440106199001011235"
HALF_DONE_ID = "11010519491231002X"  # typed by someone who stopped before finishing
PHONE = "+8613800138000"


def _stored_bytes(backend: str, db_url: str) -> bytes:
    """Everything the database holds, as an attacker with the files (or a dump) sees it."""
    if backend == "sqlite":
        path = Path(db_url)
        files = [path, Path(f"{path}-wal")]
        assert files[1].exists() and files[1].stat().st_size > 0  # the WAL is searched too
        return b"".join(f.read_bytes() for f in files)
    pg_dump = postgres._program("pg_dump")
    assert pg_dump, "pg_dump is needed"
    return subprocess.run(
        [pg_dump, "--dbname", db_url], check=True, capture_output=True, timeout=60
    ).stdout


def test_no_id_number_health_answer_or_link_code_in_the_stored_bytes(
    engine: Engine, store: Store, backend: str, db_url: str
) -> None:
    Phone(engine, PHONE).run(
        "登记", "1", "1", "张三", "1", ID_NUMBER, "1", "1",
        "预约", "没有", "1", "1", "明天上午", "1", "1",
    )  # fmt: skip
    assert store.latest_screening(store.residents_with_document(ID_NUMBER)[0].id)
    Phone(engine, "+8613900139000").run("登记", "1", "1", "李四", "1", HALF_DONE_ID)
    chat = Phone(engine, "4242", channel="telegram")
    chat.run("绑定", "13800138000")
    link = [r for r in store.outbox_rows() if r["idempotency_key"].startswith("link:")][-1]
    code = re.search(r"\d{6}", link["text"])
    assert code  # the store still reads it back, to send it

    stored = _stored_bytes(backend, db_url)
    for secret in (ID_NUMBER, HALF_DONE_ID, code.group(0), '"allergy"', "severe_reaction"):
        assert secret.encode() not in stored, secret
    assert "张三".encode() in stored  # the search itself works: names are not sealed
    # … and what is sealed still reads back through the store.
    assert store.residents_with_document(ID_NUMBER)[0].name == "张三"
    assert store.resident_by_document("resident_id", ID_NUMBER) is not None


def _no_key_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("VAXBOT_DATA_KEY")}


def test_the_first_command_creates_a_private_key_file_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "city.db"
    env = _no_key_env()
    run = [sys.executable, "-m", "channels.cli", "seed-demo", "--db", str(db), "--days", "1"]
    first = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    key = Path(f"{db}.key")
    assert f"created the data key {key}" in first.stderr
    for path in (db, key, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    monkeypatch.delenv("VAXBOT_DATA_KEY")
    live = open_store(db)  # while a process has it open, its WAL is there: private too
    try:
        live.save_state("sms", PHONE, {"lang": "zh"}, datetime(2021, 6, 17, 9))
        for path in (Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        live.close()
    again = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "created the data key" not in again.stderr


def test_a_database_copied_without_its_key_file_is_refused_and_gets_no_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy: Policy
) -> None:
    db = tmp_path / "city.db"
    monkeypatch.delenv("VAXBOT_DATA_KEY", raising=False)
    monkeypatch.delenv("VAXBOT_DATA_KEY_FILE", raising=False)
    store = open_store(db)  # its key file is made beside it
    try:
        now = datetime(2021, 6, 17, 9)
        seed_demo(store, policy, now.date(), 1, now)
        account = store.account_for("sms", PHONE, PHONE, now)
        store.add_resident(
            account_id=account, name="张三", id_type="id_card", id_number=ID_NUMBER,
            birth_date=date(1990, 1, 1), sex="M", phone=PHONE, district_id="tianhe", now=now,
            actor="test", channel="sms",
        )  # fmt: skip
    finally:
        store.close()
    moved = tmp_path / "elsewhere.db"
    moved.write_bytes(db.read_bytes())  # the file alone, as a careless copy takes it
    with pytest.raises(DatabaseUnavailable, match=r"copy the key file that came with it"):
        open_store(moved)
    assert not Path(f"{moved}.key").exists()  # no wrong key left to be mistaken for its own
    Path(f"{moved}.key").write_bytes(Path(f"{db}.key").read_bytes())
    again = open_store(moved)
    try:
        assert again.residents_of(account)[0].name == "张三"
    finally:
        again.close()


def test_postgresql_without_a_key_is_a_clear_error(
    postgres_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VAXBOT_DATA_KEY", raising=False)
    monkeypatch.delenv("VAXBOT_DATA_KEY_FILE", raising=False)
    with pytest.raises(DatabaseUnavailable, match="VAXBOT_DATA_KEY"):
        open_store(postgres_server)


def test_a_wrong_key_is_refused_at_open(engine: Engine, store: Store, db_url: str) -> None:
    Phone(engine, PHONE).run("登记", "1", "1", "张三", "1", ID_NUMBER, "1", "1")
    other = Keyring(["a-completely-different-data-key-000"])
    with pytest.raises(DatabaseUnavailable, match=r"not given|does not open"):
        open_store(db_url, other)


def _plain_database(backend: str, tmp_path: Path, server: str | None, name: str) -> str:
    """A database made by vaxbot before migration 0011, with plain-text personal data."""
    url = str(tmp_path / f"{name}.db") if backend == "sqlite" else ""
    if backend == "postgresql":
        assert server
        url = postgres.create(server, name)
    db: Db
    if backend == "sqlite":
        db = SqliteDb.open(url)
    else:
        from store.postgres import PostgresDb

        db = PostgresDb.open(url, name)
    saved = MIGRATIONS[backend]
    MIGRATIONS[backend] = [step for step in saved if step[0] < "0011"]
    try:
        migrate(db)
    finally:
        MIGRATIONS[backend] = saved
    with db.transaction():
        db.execute(
            "INSERT INTO districts (id, name_zh, name_en) VALUES ('tianhe', '天河', 'Tianhe')"
        )
        account = db.insert(
            "INSERT INTO accounts (phone, created_at) VALUES (:p, '2021-06-01T09:00:00+08:00')",
            {"p": PHONE},
        )
        resident = db.insert(
            "INSERT INTO residents (account_id, prereg_code, name, id_type, id_number, "
            "birth_date, sex, phone, district_id, created_at) VALUES (:a, 'R1234567', '张三', "
            "'resident_id', :n, '1990-01-01', 'M', :p, 'tianhe', '2021-06-01T09:00:00+08:00')",
            {"a": account, "n": ID_NUMBER, "p": PHONE},
        )
        db.execute(
            "INSERT INTO screenings (resident_id, at, version, dose, answers, outcome) VALUES "
            "(:r, '2021-06-01T09:00:00+08:00', 'v', 1, '{\"allergy\":false}', 'eligible')",
            {"r": resident},
        )
        db.execute(
            "INSERT INTO conversations (channel, address, state, updated_at) VALUES ('sms', :p, "
            ":s, '2021-06-01T09:00:00+08:00')",
            {"p": PHONE, "s": '{"lang":"en","data":{"id_number":"' + HALF_DONE_ID + '"}}'},
        )
        db.execute(
            "INSERT INTO audit (at, actor, channel, action, entity, entity_id) VALUES "
            "('2021-06-01T09:00:00+08:00', 'sms:x', 'sms', 'register', 'resident', '1')"
        )
    db.close()
    return url


@pytest.mark.parametrize("kind", BACKENDS)
def test_an_older_database_is_sealed_when_it_upgrades(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    server = request.getfixturevalue("postgres_server") if kind == "postgresql" else None
    url = _plain_database(kind, tmp_path, server, "vaxbot_plain_upgrade")
    upgraded = open_store(url)  # migration 0011 seals with the data key
    try:
        found = upgraded.residents_with_document(ID_NUMBER)
        assert [person.id_number for person in found] == [ID_NUMBER]
        assert upgraded.latest_screening(found[0].id).answers == {"allergy": False}  # type: ignore[union-attr]
        state = upgraded.load_state("sms", PHONE)
        assert state and state["data"]["id_number"] == HALF_DONE_ID
        assert upgraded.language_of("sms", PHONE) == "en"
        assert upgraded.audit_verify().intact  # the old rows are chained too
        stored = _stored_bytes(kind, url) if kind == "postgresql" else b""
        if kind == "sqlite":
            upgraded.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            upgraded.db.execute("VACUUM")  # old pages are reused, not wiped, until a vacuum
            stored = Path(url).read_bytes()
        assert ID_NUMBER.encode() not in stored and HALF_DONE_ID.encode() not in stored
        assert b'"allergy":false' not in stored
    finally:
        upgraded.close()
        if server:
            postgres.drop(server, "vaxbot_plain_upgrade")


TOTP = "JBSWY3DPEHPK3PXP"


@pytest.mark.parametrize("kind", BACKENDS)
def test_key_rotation_under_load_loses_nothing(
    kind: str,
    tmp_path: Path,
    policy: Policy,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.delenv("VAXBOT_DATA_KEY", raising=False)
    server = request.getfixturevalue("postgres_server") if kind == "postgresql" else None
    if server is not None:  # PostgreSQL: the key file named by VAXBOT_DATA_KEY_FILE
        db: Path | str = postgres.create(server, "vaxbot_rotate")
        key_file = tmp_path / "data.key"
        write_key_file(key_file, [new_key_text()])
        monkeypatch.setenv("VAXBOT_DATA_KEY_FILE", str(key_file))
    else:
        db = tmp_path / "rotate.db"
        key_file = Path(f"{db}.key")
    seeding = open_store(db)  # SQLite: creates the key file beside it
    first_key = read_key_file(key_file)
    seeding.sync_districts((key, d.zh, d.en) for key, d in policy.districts.items())
    # sealed values of tables made after the first sealing: rotated too
    stamp = datetime(2021, 6, 17, 9)
    seeding.add_operator("王芳", "supervisor", "argon2-hash", TOTP, now=stamp, actor="test",
                         channel="cli")  # fmt: skip
    seeding.enqueue(
        "sms", PHONE, "验证码", "link:1", stamp, stamp, "reply", params={"code": "246810"}
    )
    seeding.close()
    writer = open_store(db)  # a running process: keeps registering people during the rotation
    written: list[str] = []
    stop = threading.Event()

    def register() -> None:
        account = writer.account_for("sms", PHONE, PHONE, datetime(2021, 6, 17, 9))
        n = 0
        while not stop.is_set() or n < 50:
            n += 1
            number = f"P{n:08d}"
            person = writer.add_resident(
                account_id=account, name=f"人{n}", id_type="passport", id_number=number,
                birth_date=date(1980, 1, 1), sex=None, phone=PHONE, district_id="tianhe",
                now=datetime(2021, 6, 17, 9), actor="test", channel="sms",
            )  # fmt: skip
            writer.save_state("sms", f"+86139{n:08d}", {"lang": "zh", "id": number}, datetime.now())
            written.append(number)
            assert person.id
            # A process between messages, not a write lock held back to back: a loop that
            # re-took SQLite's lock at once could starve the rotation's batches past the timeout.
            time.sleep(0.002)

    thread = threading.Thread(target=register)
    thread.start()
    env = {k: v for k, v in os.environ.items() if k != "VAXBOT_DATA_KEY"}
    rotate = [sys.executable, "-m", "channels.cli", "keys", "rotate", "--db", str(db),
              "--batch", "20"]  # fmt: skip
    try:
        result = subprocess.run(rotate, env=env, capture_output=True, text=True, timeout=120)
    finally:
        stop.set()
        thread.join()
    assert result.returncode == 0, result.stderr
    assert "new data key" in result.stderr and "re-encrypted" in result.stdout
    keys = read_key_file(key_file)
    assert keys[1:] == first_key and keys[0] != first_key[0]
    # Rows the running process wrote under the old key meanwhile: a second run finishes them
    # (resumable: no third key), and --retire drops the old key.
    again = subprocess.run([*rotate, "--retire"], env=env, capture_output=True, text=True,
                           timeout=120)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert read_key_file(key_file) == [keys[0]]
    writer.close()
    only_new = open_store(db, Keyring([keys[0]]))  # the new key alone opens everything
    try:
        assert len(written) >= 50
        for number in written:
            assert [p.id_number for p in only_new.residents_with_document(number)] == [number]
        n = len(written)
        state = only_new.load_state("sms", f"+86139{n:08d}")
        assert state == {"lang": "zh", "id": written[-1]}
        supervisor = only_new.operator("王芳")
        assert supervisor is not None and supervisor.totp_secret == TOTP
        (notice,) = [row for row in only_new.outbox_rows() if row["idempotency_key"] == "link:1"]
        assert only_new.outbox_params(notice["id"]) == {"code": "246810"}
    finally:
        only_new.close()
        if server is not None:
            postgres.drop(server, "vaxbot_rotate")


def test_a_state_swapped_in_from_another_conversation_does_not_open(
    engine: Engine, store: Store
) -> None:
    # The engine remembers the states it sealed, so as not to decrypt them at the next turn;
    # a state it sealed for one conversation, copied into another's row, still does not open.
    alice, bob = Phone(engine, PHONE), Phone(engine, "+8613900139000")
    alice.run("登记", "1", "1", "张三")
    bob.run("登记", "1", "1", "李四")
    store.db.execute(
        "UPDATE conversations SET state = (SELECT state FROM conversations "
        "WHERE address = :bob) WHERE address = :alice",
        {"alice": PHONE, "bob": bob.address},
    )
    answer = alice.say("1")
    assert "李四" not in answer and answer == text("zh", "error")
    with pytest.raises(DataKeyError, match="does not open"):
        store.load_state("sms", PHONE)
    assert "李四" in str(store.load_state("sms", bob.address))  # Bob's own still opens


def test_a_key_dropped_by_a_rotation_no_longer_opens_what_it_sealed() -> None:
    old, new = new_key_text(), new_key_text()
    given = [old]
    keys = Keyring(given, lambda: given)
    sealed = keys.seal("440106199001011235", "residents.id_number:x")
    assert keys.open(sealed, "residents.id_number:x") == "440106199001011235"
    given[:] = [new, old]  # the rotation under way: both open
    assert keys.refresh(force=True)
    assert keys.open(sealed, "residents.id_number:x") == "440106199001011235"
    given[:] = [new]  # the rotation done and the old key removed from the file
    assert keys.refresh(force=True)
    with pytest.raises(DataKeyError, match="not given"):
        keys.open(sealed, "residents.id_number:x")
