"""No SMS sent twice through Twilio when ``vaxbot serve`` is killed mid-send (issue 14, item 5).

A real ``vaxbot serve`` (``python -m channels.cli serve``) sends the outbox through the fake
Twilio API (tests/fakes/twilio_api.py, served from a thread of this process, speaking Twilio's
wire format). Past 20 messages the fake takes messages but stops answering, so the sends in
flight are taken by "Twilio" while the outbox never hears of it; the process is killed with
SIGKILL. Restarted once the outbox's lease has run out, it finds those messages in Twilio's
Messages list (by recipient and date) instead of sending them again: every SMS is delivered
exactly once.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from bot.outbox import LEASE
from channels.sms.twilio import TwilioDelivery, TwilioSettings
from store import Outgoing, Store
from tests.conftest import NOW, Clock
from tests.fakes.twilio_api import FakeTwilioApi, TwilioThread
from tests.test_serve import CLI, environment, listening, wait_healthy

BACKENDS = ["sqlite", "postgresql"]
SID = "AC" + "7" * 32
TOKEN = "twilio-restart-token"
COUNT = 60
HOLD_AFTER = 20


def serve(db_url: str, api: FakeTwilioApi, now: str, log: Path) -> subprocess.Popen[bytes]:
    env = environment(
        VAXBOT_NOW=now, VAXBOT_TWILIO_ACCOUNT_SID=SID, VAXBOT_TWILIO_AUTH_TOKEN=TOKEN,
        VAXBOT_TWILIO_FROM="+8610690000001", VAXBOT_TWILIO_API_BASE=api.base_url,
    )  # fmt: skip
    since = log.stat().st_size if log.exists() else 0  # the log is kept across restarts
    with log.open("ab") as stderr:
        proc = subprocess.Popen(
            [*CLI, "serve", "--db", db_url, "--port", "0", "--insecure"],
            env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    base = listening(proc, log, since)

    async def healthy() -> None:
        async with aiohttp.ClientSession() as session:
            await wait_healthy(session, base, proc)

    asyncio.run(healthy())
    return proc


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def sent(store: Store) -> int:
    return sum(row["sent_at"] is not None for row in store.outbox_rows())


def test_serve_killed_mid_send_and_restarted_sends_each_sms_once(
    store: Store, db_url: str, clock: Clock, tmp_path: Path
) -> None:
    wanted = [(f"+86139{n:08d}", f"提醒：您的第{n}号通知") for n in range(COUNT)]
    for n, (phone, body) in enumerate(wanted):
        store.enqueue("sms", phone, body, f"notice:{n}", clock.now, clock.now)
    log = tmp_path / "serve.log"
    api = FakeTwilioApi(SID, TOKEN, hold_after=HOLD_AFTER)
    with TwilioThread(api) as running:
        first = serve(db_url, api, NOW, log)
        try:
            wait_for(lambda: len(api.listed) > HOLD_AFTER, 30, "the sends to reach Twilio")
            time.sleep(0.3)  # the other sends of the batch in flight, waiting for answers
        finally:
            first.send_signal(signal.SIGKILL)
            assert first.wait(10) == -signal.SIGKILL
        accepted = len(api.listed)
        assert sent(store) <= HOLD_AFTER < accepted < COUNT  # taken, and never recorded
        running.release()

        after_lease = (datetime.fromisoformat(NOW) + LEASE).isoformat()
        second = serve(db_url, api, after_lease, log)
        try:
            wait_for(lambda: sent(store) == COUNT, 60, "the outbox to be sent")
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(20) == 0

    assert Counter(api.sms) == Counter(wanted)  # each number, each text exactly once
    rows = store.outbox_rows()
    assert sorted(row["provider_id"] for row in rows) == sorted(m["sid"] for m in api.listed)
    posted = [r for r in api.requests if r.status == 201]
    assert len(posted) == COUNT
    assert "Traceback" not in log.read_text()


def test_reconcile_finds_a_message_in_twilios_list_page_by_page() -> None:
    """Over real HTTP: the list filtered by number, 50 a page, newest first; the oldest of 120
    messages to one number is on the third page; a text never sent is not found."""
    phone, other = "+8613800138000", "+8613900139000"

    async def run() -> None:
        async with FakeTwilioApi(SID, TOKEN) as api, aiohttp.ClientSession() as session:
            settings = TwilioSettings(TOKEN, SID, "+8610690000001", api.base_url)
            delivery = TwilioDelivery(session, settings, None)
            messages = [Outgoing(n, "sms", phone, f"通知 {n}", f"k{n}", "notice", 0)
                        for n in range(120)]  # fmt: skip
            for message in messages:
                await delivery.send(message)
            await delivery.send(Outgoing(999, "sms", other, "通知 0", "other", "notice", 0))
            since = datetime.now(UTC) - timedelta(minutes=1)
            assert await delivery.reconcile(messages[0], since) == [api.listed[0]["sid"]]
            assert await delivery.reconcile(messages[119], since) == [api.listed[119]["sid"]]
            unsent = Outgoing(1000, "sms", phone, "从未发出", "k-unsent", "notice", 0)
            assert await delivery.reconcile(unsent, since) == []
            later = datetime.now(UTC) + timedelta(hours=1)  # sent before the send began: no
            assert await delivery.reconcile(messages[0], later) == []

    asyncio.run(run())
