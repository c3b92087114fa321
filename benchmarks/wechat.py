"""How long WeChat waits for vaxbot: the passive reply's round trip through ``POST /wechat``.

    .venv/bin/python benchmarks/wechat.py [--messages N] [--safe]

A seeded demo database (a temporary SQLite file), ``vaxbot serve``'s application on loopback,
and N followers each sending 菜单 then 预约 (two turns, a new conversation each), built and
(``--safe``) sealed as WeChat builds them; every reply is checked and opened. Prints the round
trip p50/p99/max in milliseconds, against WeChat's 5,000 ms deadline (after which it retries and
vaxbot answers by customer-service message instead).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.engine import Engine
from bot.intake import Intake, RateLimit
from channels.gateway import Gateway
from channels.server import build_app
from flows.policy import load_policy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # WeChat's side, from the tests
from tests.conftest import NOW, Clock, open_seeded
from tests.fakes.wechat_api import Pusher, fields
from tests.test_wechat import AES_KEY, APPID, TOKEN, app_settings, wechat_settings


async def run(messages: int, safe: bool, folder: Path) -> list[float]:
    policy = load_policy()
    store = open_seeded(folder / "wechat.db", policy)
    intake = Intake(Engine(store, policy, Clock(policy, NOW)), RateLimit(100, 60.0))
    gateway = Gateway(intake)
    app = build_app(store, gateway, app_settings(wechat_settings(safe)))
    pusher = Pusher(TOKEN, aes_key=AES_KEY if safe else None, appid=APPID)
    times: list[float] = []
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for n in range(messages):
            openid = f"oBench{n:08d}xxxxxxxxxxxxx"
            for text in ("菜单", "预约"):
                query, body = pusher.request(pusher.text(openid, text))
                started = time.perf_counter()
                async with client.post("/wechat", params=query, data=body) as response:
                    answer = await response.text()
                times.append((time.perf_counter() - started) * 1000)
                reply = pusher.open(answer) if safe else fields(answer)
                assert reply["ToUserName"] == openid, answer
    intake.close()
    store.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--safe", action="store_true", help="safe mode (AES envelope)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        times = asyncio.run(run(args.messages, args.safe, Path(folder)))
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    mode = "safe mode" if args.safe else "plaintext"
    print(f"wechat {mode}: {len(times)} passive replies; round trip p50 "
          f"{statistics.median(times):.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms "
          "(WeChat waits 5000 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
