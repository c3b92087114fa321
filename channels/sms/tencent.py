"""Tencent Cloud SMS (腾讯云短信): reply callbacks in, templated SendSms out.

Inbound: Tencent posts a reply (上行短信) to ``POST /sms/tencent?token=T`` as JSON
``{"mobile", "nationcode", "text", "time", "sign", "extend"}`` (``time`` in Unix seconds) and
delivery reports (状态回调, when the same URL is configured for them) as a JSON array of
``{"sid", "report_status": "SUCCESS"|"FAIL", "errmsg", "description", "mobile", ...}``. Both are
answered ``{"result": 0, "errmsg": "OK"}``. The callbacks carry no signature: they are
protected by the token in the URL (``VAXBOT_TENCENT_SMS_CALLBACK_TOKEN``, compared in constant
time; anything else is 403) and, optionally, an allowlist of Tencent's addresses
(``VAXBOT_TENCENT_SMS_CALLBACK_IPS``). A reply is the SMS conversation of ``+<nationcode>
<mobile>``, the same as on any other gateway, deduplicated by mobile, time and text (Tencent
retries a callback it did not see answered). It takes no reply in the response: replies are
queued for the outbox.

Outbound: mainland SMS must use an approved template (模板) with the account's signature
(签名), so each kind of message (the first part of its outbox key: ``booking``, ``reminder``,
``alert``, ``offer``, ``link``) maps to a template id and the names of its parameters
(``VAXBOT_TENCENT_SMS_TEMPLATES``); the parameters come from the values the notice was written
from. A message without a template (a conversational reply) is never sent as free text: the log
says so (its kind, nothing personal) and the outbox passes a notice on to the person's other
channels (WeChat). See ``channels/sms/tencent_api.py`` for the API.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from channels import webjson
from channels.gateway import Gateway
from channels.sms.render import render
from flows.identity import mask_phone, normalise_phone

log = logging.getLogger("vaxbot.sms.tencent")
OK = {"result": 0, "errmsg": "OK"}
KINDS = ("booking", "reminder", "alert", "offer", "link")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TencentConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Template:
    id: str
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class TencentSettings:
    callback_token: str | None = None
    callback_ips: tuple[Network, ...] = ()
    insecure: bool = False  # no token and --insecure: callbacks accepted unauthenticated
    secret_id: str | None = None
    secret_key: str | None = None
    app_id: str | None = None  # SmsSdkAppId
    sign: str = ""  # SignName, e.g. 广州疫苗预约
    region: str = "ap-guangzhou"
    api_base: str = "https://sms.tencentcloudapi.com"
    templates: Mapping[str, Template] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str], insecure: bool = False) -> TencentSettings:
        return cls(
            callback_token=env.get("VAXBOT_TENCENT_SMS_CALLBACK_TOKEN") or None,
            callback_ips=_networks(env.get("VAXBOT_TENCENT_SMS_CALLBACK_IPS", "")),
            insecure=insecure,
            secret_id=env.get("VAXBOT_TENCENT_SECRET_ID") or None,
            secret_key=env.get("VAXBOT_TENCENT_SECRET_KEY") or None,
            app_id=env.get("VAXBOT_TENCENT_SMS_APP_ID") or None,
            sign=env.get("VAXBOT_TENCENT_SMS_SIGN", ""),
            region=env.get("VAXBOT_TENCENT_SMS_REGION", "ap-guangzhou"),
            api_base=env.get("VAXBOT_TENCENT_SMS_API_BASE", "https://sms.tencentcloudapi.com"),
            templates=templates(env.get("VAXBOT_TENCENT_SMS_TEMPLATES", "")),
        )

    @property
    def can_send(self) -> bool:
        return bool(self.secret_id and self.secret_key and self.app_id and self.sign)


def templates(spec: str) -> dict[str, Template]:
    """``reminder=1110001:name,day,period,site,code;offer=1110004`` → kind → template."""
    found: dict[str, Template] = {}
    for item in filter(None, (part.strip() for part in spec.split(";"))):
        kind, _, rest = item.partition("=")
        template, _, names = rest.partition(":")
        if kind.strip() not in KINDS or not template.strip().isdigit():
            raise TencentConfigError(
                "VAXBOT_TENCENT_SMS_TEMPLATES: expected kind=TEMPLATE_ID[:param,param...] with "
                f"kind one of {', '.join(KINDS)}, got {item[:40]!r}"
            )
        params = tuple(name.strip() for name in names.split(",") if name.strip())
        found[kind.strip()] = Template(template.strip(), params)
    return found


def _networks(spec: str) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in spec.split(",") if part.strip())
    except ValueError as exc:
        raise TencentConfigError(f"VAXBOT_TENCENT_SMS_CALLBACK_IPS: {exc}") from None


def segments(text: str, sign: str) -> int:
    """How many SMS Tencent bills for ``text`` under the signature 【sign】: every character
    counts one (Chinese, Latin or punctuation), the signature included; 70 fit in one message,
    a longer one is split 67 a part."""
    length = len(f"【{sign}】{text}") if sign else len(text)
    return 1 if length <= 70 else math.ceil(length / 67)


def message_id(mobile: str, time: int, text: str) -> str:
    """A reply's id: Tencent gives none, so mobile, time and text (a retried callback repeats
    them; no phone number in the id)."""
    return "tencent:" + hashlib.sha256(f"{mobile}|{time}|{text}".encode()).hexdigest()[:32]


class TencentWebhook:
    def __init__(self, gateway: Gateway, settings: TencentSettings) -> None:
        self.gateway = gateway
        self.settings = settings

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/sms/tencent", self.incoming)

    def _allowed(self, request: web.Request) -> bool:
        token, settings = self.settings.callback_token, self.settings
        if token is None:
            if not settings.insecure:
                return False
        else:
            given = request.query.get("token", "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                return False
        if settings.callback_ips:
            try:
                remote = ipaddress.ip_address(request.remote or "")
            except ValueError:
                return False
            return any(remote in network for network in settings.callback_ips)
        return True

    async def incoming(self, request: web.Request) -> web.Response:
        if not self._allowed(request):
            log.warning("sms/tencent: refused a callback from %s", request.remote)
            return web.Response(status=403, text="bad token")
        try:
            data = webjson.parse(await request.read())
            if isinstance(data, list):
                await self._reports(data)
            else:
                await self._reply(data)
        except webjson.BadBody as bad:
            return web.Response(status=400, text=f"not a Tencent SMS callback: {bad}")
        return web.json_response(OK)

    async def _reply(self, data: Any) -> None:
        mobile, nation = webjson.text(data, "mobile"), webjson.text(data, "nationcode")
        body = webjson.text(data, "text")
        time = data.get("time")
        if not isinstance(time, int) or isinstance(time, bool) or not 0 <= time < 2**40:
            raise webjson.BadBody("time must be Unix seconds")
        if not (mobile.isascii() and mobile.isdigit() and len(mobile) <= 15):
            raise webjson.BadBody("mobile must be digits")
        if not (nation.isascii() and nation.isdigit() and len(nation) <= 4):
            raise webjson.BadBody("nationcode must be digits")
        phone = normalise_phone(f"+{nation}{mobile}")
        if phone is None:
            raise webjson.BadBody("not a mobile number")
        mid = message_id(mobile, time, body)
        receipt = await self.gateway.turn_and_queue("sms", phone, body, mid, mid, render)
        log.debug("sms/tencent in from=%s replies=%d", mask_phone(phone), len(receipt.replies))

    async def _reports(self, reports: list[Any]) -> None:
        if len(reports) > 1000:
            raise webjson.BadBody("too many reports")
        for report in reports:
            sid, status = webjson.text(report, "sid"), webjson.text(report, "report_status")
            failed = status != "SUCCESS"
            error = str(report.get("errmsg") or "")[:100] if failed else None
            await self.gateway.delivery_status(
                sid, "delivered" if not failed else "failed", error, opted_out=False
            )
