"""The store called from a coroutine, in a thread: a database round trip (or a lock held by
another process) never stalls the event loop.

``vaxbot serve`` runs the webhooks, the outbox sender and the worker's jobs on one event loop.
The turns already run in the intake's threads (bot/intake.py); everything else a coroutine asks
of the store (claiming outbox rows, recording what became of a send, the routes of a notice,
releasing slots, the daily jobs, a WeChat follow or unfollow) goes through ``off_loop``: one
logical step — often one transaction — as one call, in one of a few threads of its own
(``STORE_THREADS``), each with a database connection of its own (SQLite: one per thread;
PostgreSQL: borrowed from the pool for the call). They are not the intake's threads, so a sender
stuck behind a lock never keeps a resident's turn waiting for a thread, and not the default
executor, which the health probes use (``/healthz`` answers while the sender waits).
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

STORE_THREADS = 2  # the sender's and the worker's database calls at once, per process

_executor: ThreadPoolExecutor | None = None
_guard = threading.Lock()


def _threads() -> ThreadPoolExecutor:
    global _executor
    with _guard:
        if _executor is None:
            _executor = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="vaxbot-store")
        return _executor


async def off_loop(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``work(*args, **kwargs)`` in one of the store's threads; the event loop goes on."""
    call = functools.partial(work, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_threads(), call)
