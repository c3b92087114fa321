"""Contract: what ``vaxbot serve`` and ``vaxbot worker`` run on their event loop never calls the
database there (issue 14: "the engine called off the event loop so that a database round trip
never stalls other requests").

The store's ``Db`` is watched: every statement and transaction begun in a thread whose event loop
is running is recorded. A resident's webhook, a status callback, the health probes, the worker's
chores and every path of the outbox sender (sent, reconciled after a restart, held for an opt-out,
refused, retried) then run in process; none may have touched the database on the loop.
tests/test_serve_blocked.py shows what a user would notice otherwise, on a real server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from bot.outbox import Undeliverable
from bot.worker import Worker
from flows.policy import Policy
from store import Outgoing, Store
from tests.conftest import Clock
from tests.fakes.delivery import ScriptedDelivery
from tests.sms_support import Http, sent_message, serve
from tests.test_worker import PHONE, zhang_booked

BACKENDS = ("sqlite", "postgresql")
WATCHED = ("one", "all", "dicts", "stream", "execute", "execute_many", "defer", "batch", "insert",
           "transaction")  # fmt: skip


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def on_loop(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What was asked of ``store``'s database from a running event loop's thread: each as
    ``method: SQL`` (its first words)."""
    calls: list[str] = []
    kind = type(store.db)

    def watched(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(self: object, *args: Any, **kwargs: Any) -> Any:
            if _on_loop():
                calls.append(f"{name}: {str(args[0])[:60] if args else ''}")
            return method(self, *args, **kwargs)

        return call

    for name in WATCHED:
        monkeypatch.setattr(kind, name, watched(name, getattr(kind, name)))
    yield calls


class Reconciled(ScriptedDelivery):
    """A gateway without idempotency keys that lists what it took (as Twilio does): the
    message in flight at a crash (``found``) is in its list; ``fails`` says which messages it
    refuses, and how."""

    def __init__(self, found: dict[str, str], fails: dict[str, Exception]) -> None:
        super().__init__("sms", idempotent=False)
        self.found = found
        self.fails = fails

    async def send(self, message: Outgoing) -> str | None:
        if message.key in self.fails:
            self.calls.append(message)
            raise self.fails[message.key]
        return await super().send(message)

    async def reconcile(self, message: Outgoing, since: datetime) -> list[str]:
        return [self.found[message.key]] if message.key in self.found else []


def test_the_webhooks_and_probes_leave_the_database_to_threads(
    store: Store, policy: Policy, clock: Clock, on_loop: list[str]
) -> None:
    row = sent_message(store, clock, "SM" + "b" * 32)

    async def scenario(http: Http) -> None:
        assert (await http.twilio("你好")).twiml  # a turn: in the intake's threads
        answer = await http.status({"MessageSid": "SM" + "b" * 32, "MessageStatus": "delivered",
                                    "To": PHONE})  # fmt: skip
        assert answer.status == 204
        for probe in ("/healthz", "/readyz", "/metrics"):
            async with http.client.get(probe) as response:
                assert response.status == 200, probe

    assert on_loop == []  # arranging the test ran on no loop
    serve(store, policy, clock, scenario)
    assert on_loop == []
    delivered = next(r for r in store.outbox_rows() if r["id"] == row)
    assert delivered["delivery_status"] == "delivered"


def test_the_worker_and_every_path_of_the_sender_leave_the_database_to_threads(
    store: Store, policy: Policy, clock: Clock, on_loop: list[str]
) -> None:
    zhang_booked(store, clock)
    now = clock.now
    for key, address, kind in (
        ("reply:m1:0", PHONE, "reply"),  # sent
        ("crashed", "+8613900139001", "reply"),  # in flight at a crash, found at the gateway
        ("held", "+8613900139002", "notice"),  # to an address that sent STOP
        ("refused", "+8613900139003", "reply"),  # the gateway refuses it for good
        ("later", "+8613900139004", "reply"),  # the gateway fails for now: tried again
    ):
        assert store.enqueue("sms", address, f"消息 {key}", key, now, now, kind)
    store.set_opt_out("sms", "+8613900139002", True, now)
    crashed = store.outbox_row("crashed")
    assert crashed is not None
    store.sending_begins(int(crashed["id"]), now)
    fails = {"refused": Undeliverable("bad number"), "later": ConnectionError("gateway down")}
    sms = Reconciled({"crashed": "SMfound"}, fails)
    worker = Worker(store, policy, clock, {"sms": sms})
    clock.set("2021-06-17T18:00")  # the reminders are due, and the alerts and the purge

    done = asyncio.run(worker.tick())

    assert on_loop == []
    assert done.jobs == ["reminders", "alerts", "purge"]
    outcome = {row["idempotency_key"]: row for row in store.outbox_rows()}
    assert outcome["crashed"]["provider_id"] == "SMfound"  # not sent again
    assert "crashed" not in sms.keys
    assert outcome["held"]["failed_at"] is not None and "held" not in sms.keys
    assert outcome["refused"]["failed_at"] is not None
    assert outcome["later"]["last_error"] == "ConnectionError: gateway down"
    assert outcome["later"]["sent_at"] is None and outcome["later"]["failed_at"] is None
    assert outcome["reply:m1:0"]["sent_at"] is not None
    reminders = [key for key in outcome if key.startswith("reminder:")]
    assert len(reminders) == 1 and outcome[reminders[0]]["sent_at"] is not None
    # sent: the reply, the reminder and the one found at the gateway
    assert (done.outbox.sent, done.outbox.held, done.outbox.failed) == (3, 1, 1)
