"""What the WeChat channel says itself (the engine says everything else)."""

from __future__ import annotations

from flows.texts import Lang

TEXTS: dict[str, tuple[str, str]] = {
    "unsupported": (
        "暂时只能阅读文字消息。请用文字回复，例如“预约”“查询”或“帮助”。",
        "I can only read text messages for now. Please write, e.g. BOOK, STATUS or HELP.",
    ),
}

# The custom menu (`vaxbot wechat menu`): each button's key is sent as the words it stands for.
MENU = (
    ("预约接种", "BOOK", "预约"),
    ("我的预约", "STATUS", "查询"),
    ("常见问题", "FAQ", "帮助"),
)
CLICKS = {key: words for _, key, words in MENU}


def say(lang: Lang, key: str) -> str:
    zh, en = TEXTS[key]
    return zh if lang == "zh" else en


def menu_buttons() -> list[dict[str, str]]:
    return [{"type": "click", "name": name, "key": key} for name, key, _ in MENU]
