"""``vaxbot serve`` on PostgreSQL answers residents while its outbox sender is stuck.

Another connection holds the outbox table locked (as a long migration, a stuck batch or a
vacuum might), so the serve process's worker waits for that lock: its claim of the due message
cannot go on. While the lock is still held — the worker still waiting, nothing sent — the same
process must answer ``/healthz`` and a resident's SMS: the sender's database calls run in threads
of their own (bot/offloop.py), never on the event loop the webhooks share. Once the lock goes,
the message goes out, once. (Before, the worker called the store on the loop, and the whole
process stopped answering until the lock was let go.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

from store import Store
from tests.conftest import Clock
from tests.fakes.sms_gateway import PASSWORD, USER, FakeSmsGateway, GatewayThread
from tests.fakes.tables import table_locked
from tests.test_serve import PUBLIC_URL, SECRETS, environment, serving, sms, stop, wait_healthy

OTHER = "+8613900139000"
WAIT = 30.0  # seconds: generous, only there so a hang fails instead of blocking


@pytest.fixture
def gateway() -> Iterator[FakeSmsGateway]:
    with GatewayThread(FakeSmsGateway()) as running:
        yield running


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.mark.backends("postgresql")
def test_serve_answers_residents_while_its_sender_waits_for_a_lock(
    store: Store, db_url: str, clock: Clock, gateway: FakeSmsGateway, tmp_path: Path
) -> None:
    assert store.enqueue("sms", OTHER, "明天上午请按时接种。", "reminder:blocked", clock.now,
                         clock.now)  # fmt: skip
    env = environment(
        VAXBOT_PUBLIC_URL=PUBLIC_URL, VAXBOT_SMSGATE_URL=gateway.url, VAXBOT_SMSGATE_USER=USER,
        VAXBOT_SMSGATE_PASSWORD=PASSWORD, **SECRETS,
    )  # fmt: skip
    log = tmp_path / "serve.log"
    with table_locked(db_url, "outbox") as lock, serving(db_url, log, env) as (proc, base):
        wait_for(lambda: lock.waiting() >= 1 or proc.poll() is not None, "the worker to wait")
        assert proc.poll() is None, log.read_text("utf-8")

        async def resident() -> tuple[int, list[str]]:
            timeout = aiohttp.ClientTimeout(total=WAIT)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                await wait_healthy(session, base, proc)
                async with session.get(f"{base}/healthz") as response:
                    health = response.status
                return health, await sms(session, base, "你好", "SM" + "c" * 32)

        health, said = asyncio.run(resident())
        # Answered while the lock is held and the worker still waits for it.
        assert lock.waiting() >= 1
        assert health == 200
        assert said and "回复" in said[0], said
        assert gateway.sms == []

        lock.release()
        wait_for(lambda: len(gateway.sms) == 1, "the message to go out once the lock went")
        assert gateway.sms == [(OTHER, "明天上午请按时接种。")]
        stop(proc)
    assert "Traceback" not in log.read_text("utf-8")
