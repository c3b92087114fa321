"""``vaxbot wechat menu``: install the account's custom menu (自定义菜单) through the API.

Three click buttons — 预约接种 (BOOK), 我的预约 (STATUS), 常见问题 (FAQ) — whose ``CLICK``
events the webhook turns into the words 预约, 查询 and 帮助. Needs ``VAXBOT_WECHAT_APPID`` and
``VAXBOT_WECHAT_SECRET`` (and ``VAXBOT_WECHAT_API_BASE`` to point elsewhere than WeChat).
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from channels.wechat.api import Unreachable, WeChatApi, WeChatError
from channels.wechat.settings import WeChatConfigError, WeChatSettings
from channels.wechat.texts import MENU, menu_buttons


async def install_menu(env: Mapping[str, str]) -> tuple[int, str]:
    """Install the menu; (exit status, one line to print)."""
    try:
        settings = WeChatSettings.from_env(env)
    except WeChatConfigError as exc:
        return 2, str(exc)
    if not (settings.appid and settings.secret):
        return 2, "VAXBOT_WECHAT_APPID and VAXBOT_WECHAT_SECRET must be set to install the menu"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        api = WeChatApi(session, settings.appid, settings.secret, settings.api_base)
        try:
            await api.create_menu(menu_buttons())
        except (WeChatError, Unreachable) as exc:
            return 1, f"the menu was not installed: {exc}"
    return 0, "menu installed: " + " / ".join(name for name, _, _ in MENU)
