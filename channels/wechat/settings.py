"""WeChat settings from the environment (the README lists them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from channels.wechat.crypto import CryptoError, Envelope

NOTICE_KINDS = ("booking", "reminder", "alert", "offer")


class WeChatConfigError(ValueError):
    pass


@dataclass(frozen=True)
class WeChatSettings:
    token: str | None = None  # VAXBOT_WECHAT_TOKEN: no token, no /wechat
    aes_key: str | None = None  # safe mode
    appid: str | None = None
    secret: str | None = None  # sending (customer-service and template messages, the menu)
    api_base: str = "https://api.weixin.qq.com"
    templates: Mapping[str, str] = field(default_factory=dict)  # notice kind → template id
    template_field: str = "content"
    reply_seconds: float = 4.0  # WeChat waits 5 s for the passive reply

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WeChatSettings:
        settings = cls(
            token=env.get("VAXBOT_WECHAT_TOKEN") or None,
            aes_key=env.get("VAXBOT_WECHAT_AES_KEY") or None,
            appid=env.get("VAXBOT_WECHAT_APPID") or None,
            secret=env.get("VAXBOT_WECHAT_SECRET") or None,
            api_base=env.get("VAXBOT_WECHAT_API_BASE", "https://api.weixin.qq.com"),
            templates=_templates(env.get("VAXBOT_WECHAT_TEMPLATES", "")),
            template_field=env.get("VAXBOT_WECHAT_TEMPLATE_FIELD", "content"),
            reply_seconds=_seconds(env.get("VAXBOT_WECHAT_REPLY_SECONDS", "4")),
        )
        if settings.aes_key and not settings.appid:
            raise WeChatConfigError("VAXBOT_WECHAT_AES_KEY needs VAXBOT_WECHAT_APPID (safe mode)")
        if settings.secret and not settings.appid:
            raise WeChatConfigError("VAXBOT_WECHAT_SECRET needs VAXBOT_WECHAT_APPID")
        settings.envelope()  # a malformed key is said at start-up
        return settings

    def envelope(self) -> Envelope | None:
        if not (self.aes_key and self.appid):
            return None
        try:
            return Envelope(self.aes_key, self.appid)
        except CryptoError as exc:
            raise WeChatConfigError(f"VAXBOT_WECHAT_AES_KEY: {exc}") from None

    @property
    def can_send(self) -> bool:
        return bool(self.appid and self.secret)


def _templates(spec: str) -> dict[str, str]:
    """``reminder=TEMPLATE_ID,alert=TEMPLATE_ID`` → a mapping; unknown kinds are an error."""
    found: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kind, _, template = item.partition("=")
        if kind.strip() not in NOTICE_KINDS or not template.strip():
            raise WeChatConfigError(
                f"VAXBOT_WECHAT_TEMPLATES: expected kind=TEMPLATE_ID with kind one of "
                f"{', '.join(NOTICE_KINDS)}, got {item[:40]!r}"
            )
        found[kind.strip()] = template.strip()
    return found


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise WeChatConfigError("VAXBOT_WECHAT_REPLY_SECONDS must be a number") from None
    if not 0 <= seconds <= 4.5:
        raise WeChatConfigError("VAXBOT_WECHAT_REPLY_SECONDS must be between 0 and 4.5")
    return seconds
