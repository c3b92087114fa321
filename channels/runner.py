"""Running the worker with the channel adapters configured in the environment."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import aiohttp

from bot.assign import run_assign
from bot.clock import Clock
from bot.outbox import Delivery
from bot.worker import Worker
from channels.sms.android import AndroidGatewayDelivery
from channels.sms.tencent import TencentConfigError, TencentSettings
from channels.sms.tencent_api import TencentSmsDelivery
from channels.wechat.api import WeChatApi
from channels.wechat.delivery import WeChatDelivery
from channels.wechat.settings import WeChatConfigError, WeChatSettings
from flows.policy import Policy
from store import Store


def chinese_deliveries(session: aiohttp.ClientSession) -> dict[str, Delivery]:
    """WeChat (with an AppID and AppSecret) and Tencent Cloud SMS (with its keys), if
    configured in the environment; a malformed setting stops the worker with one line."""
    try:
        wechat = WeChatSettings.from_env(os.environ)
        tencent = TencentSettings.from_env(os.environ)
    except (WeChatConfigError, TencentConfigError) as exc:
        raise SystemExit(f"vaxbot worker: {exc}") from None
    found: dict[str, Delivery] = {}
    if wechat.appid and wechat.secret:
        api = WeChatApi(session, wechat.appid, wechat.secret, wechat.api_base)
        found["wechat"] = WeChatDelivery(api, wechat)
    if tencent.can_send:
        found["sms"] = TencentSmsDelivery(session, tencent)
    return found


def sms_delivery(session: aiohttp.ClientSession) -> Delivery | None:
    """The SMS gateway configured in the environment, if any."""
    url = os.environ.get("VAXBOT_SMSGATE_URL")
    if not url:
        return None
    return AndroidGatewayDelivery(
        session,
        url,
        os.environ.get("VAXBOT_SMSGATE_USER", ""),
        os.environ.get("VAXBOT_SMSGATE_PASSWORD", ""),
    )


async def run_worker(
    store: Store, policy: Policy, clock: Clock, once: bool, interval: float
) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        deliveries: dict[str, Delivery] = chinese_deliveries(session)
        if "sms" in deliveries:
            pass
        elif (sms := sms_delivery(session)) is not None:
            deliveries[sms.channel] = sms
        else:
            logging.getLogger("vaxbot.worker").warning(
                "no SMS gateway configured (VAXBOT_SMSGATE_URL): messages stay queued"
            )
        worker = Worker(
            store, policy, clock, deliveries, assign=lambda s, p, n: run_assign(s, p, n)
        )
        if once:
            while (done := await worker.tick()).outbox or done.jobs:
                pass
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await worker.run(stop, interval)
