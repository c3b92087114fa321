"""Sending SMS through Tencent Cloud's SendSms API (version 2021-01-11), on aiohttp.

``POST https://sms.tencentcloudapi.com/`` with the JSON body ``{"PhoneNumberSet",
"SmsSdkAppId", "SignName", "TemplateId", "TemplateParamSet", "SessionContext"}`` and the headers
``X-TC-Action: SendSms``, ``X-TC-Version``, ``X-TC-Region``, ``X-TC-Timestamp`` and the
TC3-HMAC-SHA256 ``Authorization`` (``channels/sms/tencent_sign.py``). The answer is
``{"Response": {"SendStatusSet": [{"SerialNo", "PhoneNumber", "Code": "Ok", "Message", ...}],
"RequestId"}}``, or ``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}``.

We sign the requests ourselves rather than use ``tencentcloud-sdk-python``: the SDK is kept up
to date, but it is synchronous (``requests``), ships every Tencent Cloud product, and what we use
of it is one call and forty lines of documented signing.

Outcomes: ``Ok`` → sent, the ``SerialNo`` kept to match delivery reports;
``FailedOperation.PhoneNumberInBlacklist`` (the user replied 退订 to Tencent) → opted out; a
limit, ``InternalError`` or an authentication failure → tried again later; anything else
(a template not approved, a bad number, bad parameters) → undeliverable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import NoReturn

import aiohttp
from yarl import URL

from bot.outbox import DeliveryError, OptedOut, Undeliverable
from channels.sms.tencent import TencentSettings, segments
from channels.sms.tencent_sign import CONTENT_TYPE, authorization
from flows.identity import mask_phone
from store import Outgoing

log = logging.getLogger("vaxbot.sms.tencent")
VERSION = "2021-01-11"
BLACKLISTED = "FailedOperation.PhoneNumberInBlacklist"
LATER = ("LimitExceeded", "RequestLimitExceeded", "InternalError", "AuthFailure",
         "FailedOperation.InsufficientBalanceInSmsPackage")  # fmt: skip


class TencentSmsDelivery:
    channel = "sms"
    idempotent = False  # SendSms takes no idempotency key
    templated = True  # the outbox hands over the values each notice was written from

    def __init__(
        self,
        session: aiohttp.ClientSession,
        settings: TencentSettings,
        now: Callable[[], float] = time.time,
    ) -> None:
        assert settings.can_send
        self.session = session
        self.settings = settings
        self.url = URL(settings.api_base)
        port = f":{self.url.explicit_port}" if self.url.explicit_port else ""
        self.host = f"{self.url.raw_host}{port}"
        self.now = now

    def _kind(self, message: Outgoing) -> str:
        return "reply" if message.key.startswith("reply:") else message.key.partition(":")[0]

    def _params(self, message: Outgoing, names: tuple[str, ...]) -> list[str]:
        values = message.params or {}
        missing = [name for name in names if name not in values]
        if missing:
            raise Undeliverable(f"the template needs {', '.join(missing)}, not in the notice")
        return [str(values[name]) for name in names]

    async def send(self, message: Outgoing) -> str | None:
        kind = self._kind(message)
        template = self.settings.templates.get(kind)
        if template is None:
            log.info("tencent sms: no template for %s messages; not sent as free text (the "
                     "resident's WeChat, if any, carries notices)", kind)  # fmt: skip
            raise Undeliverable(f"no Tencent SMS template for {kind}")
        body = {
            "PhoneNumberSet": [message.address],
            "SmsSdkAppId": self.settings.app_id,
            "SignName": self.settings.sign,
            "TemplateId": template.id,
            "TemplateParamSet": self._params(message, template.params),
            "SessionContext": hashlib.sha256(message.key.encode()).hexdigest()[:32],
        }
        answer = await self._post(json.dumps(body, ensure_ascii=False).encode())
        statuses = answer.get("SendStatusSet")
        if not isinstance(statuses, list) or not statuses or not isinstance(statuses[0], dict):
            raise DeliveryError("SendSms: no SendStatusSet in the answer")
        status = statuses[0]
        code = str(status.get("Code", ""))
        if code == "Ok":
            log.debug("tencent sms to %s: %d segments", mask_phone(message.address),
                      segments(message.text, self.settings.sign))  # fmt: skip
            return str(status.get("SerialNo", "")) or None
        return _refused(code, str(status.get("Message", "")))

    async def _post(self, data: bytes) -> dict[str, object]:
        settings, stamp = self.settings, int(self.now())
        assert settings.secret_id and settings.secret_key
        headers = {
            "Authorization": authorization(
                settings.secret_id, settings.secret_key, "sms", self.host, data, stamp
            ),
            "Content-Type": CONTENT_TYPE,
            "Host": self.host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(stamp),
            "X-TC-Version": VERSION,
            "X-TC-Region": settings.region,
        }
        try:
            async with self.session.post(self.url, data=data, headers=headers) as response:
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise DeliveryError(f"Tencent SMS unreachable: {type(exc).__name__}") from None
        inner = answer.get("Response") if isinstance(answer, dict) else None
        if not isinstance(inner, dict):
            raise DeliveryError(f"Tencent SMS: HTTP {response.status}, no Response")
        error = inner.get("Error")
        if isinstance(error, dict):
            _refused(str(error.get("Code", "")), str(error.get("Message", "")))
        return inner


def _refused(code: str, message: str) -> NoReturn:
    detail = f"Tencent SMS {code}: {message[:120]}"
    if code == BLACKLISTED:
        raise OptedOut(detail)
    if code.startswith(LATER):
        raise DeliveryError(detail)
    raise Undeliverable(detail)
