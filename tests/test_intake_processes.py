"""The one inbound path with several ``vaxbot serve`` processes on one PostgreSQL database, and
turns off the event loop.

Two real processes (``python -m channels.cli serve``) share the test's database; messages are
posted to them over real HTTP (``POST /sms/json``):

- one sender's two messages posted to the two processes, the second as soon as the first is in
  line (received: the order promised is the order of reception, and on a loaded machine a
  process may read a request 2 ms older after the other process read the newer one), are handled
  in that order (the second answers the question the first asked), pair after pair;
- the per-sender rate limit holds across both (20 a minute between them, not 40);
- while one sender's turn waits for a database lock another connection holds, another sender's
  request on the same process is answered (the engine runs in threads, each with a connection
  of its own).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.engine import Engine
from bot.intake import Intake, RateLimit
from channels.gateway import Gateway
from channels.server import Settings, build_app
from channels.sms.twilio import TwilioSettings
from flows.policy import Policy
from flows.texts import text
from store import Store
from tests.conftest import Clock
from tests.test_serve import CLI, environment, listening, wait_healthy

BACKENDS = ["postgresql"]
TOKEN = "intake-test-json-token"
PAIRS = 50


@pytest.fixture
def processes(store: Store, db_url: str, tmp_path: Path) -> Iterator[list[str]]:
    """Two ``vaxbot serve`` processes on the test's database: their base URLs."""
    env = environment(VAXBOT_SMS_JSON_TOKEN=TOKEN)
    with ExitStack() as stack:
        bases: list[str] = []
        for n in range(2):
            log = tmp_path / f"serve{n}.log"
            stderr = stack.enter_context(log.open("wb"))
            proc = subprocess.Popen(
                [*CLI, "serve", "--db", db_url, "--port", "0", "--insecure"],
                env=env, stdout=subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip
            stack.callback(_end, proc)
            bases.append(listening(proc, log))

            async def healthy(base: str = bases[-1], proc: Any = proc) -> None:
                async with aiohttp.ClientSession() as session:
                    await wait_healthy(session, base, proc)

            asyncio.run(healthy())
        yield bases


def _end(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def post(
    session: aiohttp.ClientSession, base: str, sender: str, body: str, message_id: str
) -> list[str]:
    message = {"from": sender, "text": body, "id": message_id}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with session.post(f"{base}/sms/json", json=message, headers=headers) as response:
        assert response.status == 200, await response.text()
        replies: list[str] = (await response.json())["replies"]
        return replies


def test_two_processes_answer_one_sender_in_order_and_share_the_rate_limit(
    processes: list[str], store: Store
) -> None:
    """Each request is written whole to its process's socket (kept alive), the second once the
    first is in line (its turn is then at least 50 ms away: the settle); then both answers are
    read. Then one sender writes 30 times, to each process in turn: 20 answers between them,
    one polite refusal, then silence."""
    first_process, second_process = (
        http.client.HTTPConnection(base.removeprefix("http://"), timeout=30) for base in processes
    )
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    def send(conn: http.client.HTTPConnection, sender: str, body: str, message_id: str) -> None:
        message = {"from": sender, "text": body, "id": message_id}
        conn.request("POST", "/sms/json", json.dumps(message).encode(), headers)

    def answer(conn: http.client.HTTPConnection) -> list[str]:
        response = conn.getresponse()
        assert response.status == 200
        replies: list[str] = json.loads(response.read())["replies"]
        return replies

    answered = []
    try:
        for n in range(PAIRS):
            sender = f"+86138001{n:05d}"
            send(first_process, sender, "预约", f"a{n}")
            in_line = time.monotonic() + 2  # (seen gone again, if this test was that slow)
            while not store.waiting_in_line("sms", sender) and time.monotonic() < in_line:
                time.sleep(0.001)
            send(second_process, sender, "1", f"b{n}")
            answered.append((answer(first_process), answer(second_process)))
    finally:
        first_process.close()
        second_process.close()
    # In order, "1" agrees to the notice "预约" showed, and the next question comes; the other
    # way round, "1" would pick the menu's first entry and "预约" would show the notice.
    assert [first[0][:5] for first, _ in answered] == ["预登记须知"] * PAIRS
    assert [second[0].splitlines()[0] for _, second in answered] == ["为谁登记？"] * PAIRS

    async def rush() -> list[list[str]]:
        async with aiohttp.ClientSession() as session:
            return [
                await post(session, processes[n % 2], "+8613800138000", "帮助", f"m{n}")
                for n in range(30)
            ]

    replies = asyncio.run(rush())
    assert replies[:20] == [[text("zh", "help")]] * 20
    assert replies[20] == [text("zh", "rate_limited")]
    assert replies[21:] == [[]] * 9


def test_a_turn_waiting_on_the_database_does_not_stall_another_senders_request(
    store: Store, db_url: str, policy: Policy, clock: Clock
) -> None:
    """One sender's conversation is locked by another connection (a turn of theirs on another
    process, or a slow statement): their message waits; someone else's is answered meanwhile."""
    settings = Settings(
        public_url="http://vaxbot.test", twilio=TwilioSettings(auth_token="t"),
        android_key="k", android_url=None, android_user="", android_password="",
        json_token=TOKEN,
    )  # fmt: skip
    served = Store.open(db_url, connections=6)
    intake = Intake(Engine(served, policy, clock), RateLimit(), threads=4)
    order: list[str] = []

    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        async def send(sender: str, body: str, message_id: str) -> list[str]:
            message = {"from": sender, "text": body, "id": message_id}
            response = await client.post(
                "/sms/json", json=message, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert response.status == 200
            order.append(sender)
            replies: list[str] = (await response.json())["replies"]
            return replies

        with store.transaction():  # another connection holds the first sender's lock
            store.lock_conversation("sms", "+8613800138000")
            held = asyncio.create_task(send("+8613800138000", "帮助", "held"))
            while not store.waiting_in_line("sms", "+8613800138000"):  # it came in: it waits
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)
            other = await send("+8613900139000", "帮助", "other")
            assert other == [text("zh", "help")]
            assert not held.done()
        assert await held == [text("zh", "help")]  # once the lock is let go

    async def main() -> None:
        app = build_app(served, Gateway(intake), settings)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await scenario(client)

    try:
        asyncio.run(main())
    finally:
        intake.close()
        served.close()
    assert order == ["+8613900139000", "+8613800138000"]
