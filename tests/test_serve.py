"""``vaxbot serve`` as a deployer runs it: a real process, real HTTP, SIGTERM to stop.

The process is started the way the ``vaxbot`` script starts it (``python -m channels.cli``) on a
free loopback port, with its secrets in the environment and the clock frozen by ``VAXBOT_NOW``.
A resident books a place through signed Twilio webhooks; the logs on stderr must not show the
resident's full number; SIGTERM must stop it promptly with exit status 0. The booking runs on
both backends (a SQLite file, and ``--db postgresql://…``); tests/test_serve_blocked.py has
serve answering while its sender waits for a lock on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path

import aiohttp
import pytest
from twilio.request_validator import RequestValidator

from bot.clock import parse_moment
from flows.policy import Policy
from store import Store
from tests.conftest import NOW, open_seeded
from tests.fakes.tables import opened

CLI = (sys.executable, "-m", "channels.cli")
PUBLIC_URL = "https://vaxbot.example.org"
SECRETS = {
    "VAXBOT_TWILIO_AUTH_TOKEN": "serve-test-twilio-token",
    "VAXBOT_SMSGATE_SIGNING_KEY": "serve-test-android-key",
    "VAXBOT_SMS_JSON_TOKEN": "serve-test-json-token",
}
PHONE = "+8613800138000"
START_TIMEOUT = 120.0  # seconds: only so a hang fails (loaded 2-core machines took over 60)
STOP_TIMEOUT = 5.0


SERVING = re.compile(rb"serving on (http://127\.0\.0\.1:\d+) ")


def listening(proc: subprocess.Popen[bytes], log: Path, since: int = 0) -> str:
    """The base URL a ``vaxbot serve`` started with ``--port 0`` says it serves on, read from its
    log (from byte ``since``): the system chose a free port as it bound it, so no other process
    can take the port between a probe and the bind."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        said = SERVING.search(log.read_bytes()[since:])
        if said:
            return said.group(1).decode()
        if proc.poll() is not None:
            pytest.fail(f"vaxbot serve exited with {proc.returncode}: {log.read_text('utf-8')}")
        time.sleep(0.05)
    proc.kill()  # not left running after the test (its caller never got it)
    proc.wait()
    pytest.fail(f"vaxbot serve did not say where it serves: {log.read_text('utf-8')[-2000:]}")


def environment(**extra: str) -> dict[str, str]:
    env = {  # none of ours but the data key the database was made with
        k: v for k, v in os.environ.items()
        if not k.startswith("VAXBOT_") or k.startswith("VAXBOT_DATA_KEY")
    }  # fmt: skip
    env.update(PYTHONUTF8="1", VAXBOT_NOW=NOW)
    env.update(extra)
    return env


def seeded(path: Path, policy: Policy) -> Path:
    """The demo database with one resident pre-registered on ``PHONE`` (male, 45, Tianhe)."""
    store = open_seeded(path, policy)
    registered(store, policy)
    store.close()
    return path


def registered(store: Store, policy: Policy) -> None:
    """One resident pre-registered on ``PHONE`` (male, 45, Tianhe)."""
    now = parse_moment(NOW, policy.zone)
    account = store.account_for("sms", PHONE, PHONE, now)
    store.add_resident(
        account_id=account, name="张三", id_type="resident_id", id_number="440106197601011231",
        birth_date=date(1976, 1, 1), sex="M", phone=PHONE, district_id="tianhe", now=now,
        actor="test", channel="test",
    )  # fmt: skip


@contextmanager
def serving(
    db: Path | str, log: Path, env: dict[str, str], *flags: str
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A running ``vaxbot serve``; killed if the test did not stop it."""
    args = [*CLI, "serve", "--db", str(db), "--host", "127.0.0.1", "--port", "0", *flags]
    with log.open("wb") as stderr:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        yield proc, listening(proc, log)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def wait_healthy(session: aiohttp.ClientSession, base: str, proc: subprocess.Popen[bytes]
                       ) -> None:  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"vaxbot serve exited with {proc.returncode}"
        try:
            async with session.get(f"{base}/healthz") as response:
                if response.status == 200 and await response.json() == {"status": "ok"}:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.05)
    pytest.fail("vaxbot serve did not become healthy")


async def sms(session: aiohttp.ClientSession, base: str, body: str, sid: str) -> list[str]:
    form = {"From": PHONE, "To": "+8610690000001", "Body": body, "MessageSid": sid,
            "AccountSid": "AC" + "1" * 32}  # fmt: skip
    token = SECRETS["VAXBOT_TWILIO_AUTH_TOKEN"]
    signature = RequestValidator(token).compute_signature(f"{PUBLIC_URL}/sms/twilio", form)
    headers = {"X-Twilio-Signature": signature}
    async with session.post(f"{base}/sms/twilio", data=form, headers=headers) as response:
        assert response.status == 200, await response.text()
        root = ET.fromstring(await response.text())
    return [message.text or "" for message in root.findall("Message")]


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM: it must exit 0 within STOP_TIMEOUT."""
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=STOP_TIMEOUT) == 0


@pytest.mark.backends("sqlite", "postgresql")
def test_serve_books_over_signed_twilio_webhooks_and_stops_on_sigterm(
    store: Store, db_url: str, tmp_path: Path, policy: Policy
) -> None:
    registered(store, policy)
    log = tmp_path / "serve.log"
    env = environment(VAXBOT_PUBLIC_URL=PUBLIC_URL, **SECRETS)
    with serving(db_url, log, env, "--log-level", "debug") as (proc, base):

        async def resident() -> list[list[str]]:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
                await wait_healthy(session, base, proc)
                said = []
                # 预约, 没有 to the health questions, home district, first site, 18 June,
                # first period, confirm.
                for n, body in enumerate(["预约", "没有", "1", "1", "2", "1",
                                          "1"]):  # fmt: skip
                    said.append(await sms(session, base, body, f"SM{n:032x}"))
                said.append(await sms(session, base, "1", f"SM{6:032x}"))  # a redelivery
                unsigned = await session.post(f"{base}/sms/twilio", data={"From": PHONE})
                assert unsigned.status == 403
                unsigned.release()
                return said

        said = asyncio.run(resident())
        assert "张三有以下情况吗？" in said[0][0]
        assert "请选择接种点所在区" in said[1][0]
        assert "请确认：张三，第1剂，6月18日 周五" in said[5][0]
        assert said[6][0].startswith("预约成功！预约码B") and said[7] == said[6]
        stop(proc)

    with closing(opened(db_url)) as other:  # what the serve process committed
        booked = [(b.code, b.slot.day.isoformat())
                  for row in other.booking_rows() if (b := other.booking(row["id"]))]  # fmt: skip
    assert len(booked) == 1 and booked[0][1] == "2021-06-18" and booked[0][0] in said[6][0]

    stderr = log.read_text("utf-8")
    assert "serving on http://127.0.0.1:" in stderr and "stopped" in stderr
    # Times in the zone the bot works in, saying so, wherever the server's clock is set.
    assert re.search(r"^\S+T\S+\+08:00 level=INFO logger=vaxbot.serve serving on", stderr, re.M)
    assert "unauthenticated" not in stderr  # every secret set
    assert "from=138****8000" in stderr  # with --log-level debug, each message: masked
    assert "13800138000" not in stderr
    assert all(secret not in stderr for secret in SECRETS.values())
    assert "Traceback" not in stderr


def test_serve_without_secrets_exits_2_naming_them(tmp_path: Path, policy: Policy) -> None:
    db = seeded(tmp_path / "serve.db", policy)
    env = environment(VAXBOT_TWILIO_AUTH_TOKEN="only-this-one")
    args = [*CLI, "serve", "--db", str(db), "--port", "0"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=START_TIMEOUT)
    assert done.returncode == 2
    assert "VAXBOT_SMSGATE_SIGNING_KEY" in done.stderr and "VAXBOT_SMS_JSON_TOKEN" in done.stderr
    assert "VAXBOT_TWILIO_AUTH_TOKEN" not in done.stderr and "--insecure" in done.stderr


def test_serve_insecure_starts_without_secrets_and_answers_unsigned(
    tmp_path: Path, policy: Policy
) -> None:
    db = seeded(tmp_path / "serve.db", policy)
    log = tmp_path / "serve.log"
    with serving(db, log, environment(), "--insecure") as (proc, base):

        async def plain() -> dict[str, list[str]]:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
                await wait_healthy(session, base, proc)
                message = {"from": PHONE, "text": "查询", "id": "g-1"}
                async with session.post(f"{base}/sms/json", json=message) as response:
                    assert response.status == 200
                    answer: dict[str, list[str]] = json.loads(await response.text())
                    return answer

        answer = asyncio.run(plain())
        assert answer["replies"][0].startswith("张三：预登记码")
        stop(proc)
    logged = log.read_text("utf-8")
    assert "13800138000" not in logged
    assert "sms/json in" not in logged  # a line per message only with --log-level debug
    # Not silently: each endpoint left open is named, with the secret that would close it.
    warned = [line for line in logged.splitlines() if "level=WARNING" in line]
    for endpoint, secret in (("/sms/twilio", "VAXBOT_TWILIO_AUTH_TOKEN"),
                             ("/sms/android", "VAXBOT_SMSGATE_SIGNING_KEY"),
                             ("/sms/json", "VAXBOT_SMS_JSON_TOKEN")):  # fmt: skip
        assert any(endpoint in line and secret in line and "unauthenticated" in line
                   for line in warned), (endpoint, warned)  # fmt: skip


def test_serve_with_an_unknown_log_level_in_the_environment_exits_2(
    tmp_path: Path, policy: Policy
) -> None:
    db = seeded(tmp_path / "serve.db", policy)
    args = [*CLI, "serve", "--db", str(db), "--insecure", "--port", "0"]
    env = environment(VAXBOT_LOG_LEVEL="loud")
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=START_TIMEOUT)
    assert done.returncode == 2 and "VAXBOT_LOG_LEVEL" in done.stderr


def test_serve_on_a_port_already_taken_exits_2_in_one_line(tmp_path: Path, policy: Policy) -> None:
    db = seeded(tmp_path / "serve.db", policy)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = [*CLI, "serve", "--db", str(db), "--insecure", "--port", str(port)]
        done = subprocess.run(
            args, env=environment(), capture_output=True, text=True, timeout=START_TIMEOUT
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
