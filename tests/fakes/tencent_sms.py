"""A fake of Tencent Cloud's SMS API (SendSms, version 2021-01-11) on 127.0.0.1.

It checks every request as Tencent does: the ``X-TC-Action``/``X-TC-Version`` headers, the
TC3-HMAC-SHA256 ``Authorization`` recomputed here (its own code, from Tencent's documentation)
over the received body and ``Host`` header with the account's SecretKey, a timestamp within five
minutes, the SmsSdkAppId and the signature name, and the template's parameter count. Answers
have Tencent's shape: ``{"Response": {"SendStatusSet": [...], "RequestId"}}`` or
``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}``. ``blacklisted`` numbers get
``FailedOperation.PhoneNumberInBlacklist``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.fakes.loopback import Loopback, LoopbackServer


@dataclass
class FakeTencentSms(LoopbackServer):
    secret_id: str
    secret_key: str
    app_id: str
    sign: str
    templates: dict[str, int] = field(default_factory=dict)  # template id → parameter count
    blacklisted: set[str] = field(default_factory=set)
    sent: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.loop = Loopback()
        self._serials = itertools.count(1)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/", self._send)

    def _error(self, code: str, message: str) -> web.Response:
        self.refused.append(code)
        return web.json_response(
            {"Response": {"Error": {"Code": code, "Message": message},
                          "RequestId": str(uuid.uuid4())}}
        )  # fmt: skip

    def _expected(self, request: web.Request, body: bytes, stamp: int) -> str:
        day = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")
        headers = (
            f"content-type:{request.headers.get('Content-Type', '').lower()}\n"
            f"host:{request.headers.get('Host', '')}\n"
        )
        canonical = f"POST\n/\n\n{headers}\ncontent-type;host\n{hashlib.sha256(body).hexdigest()}"
        scope = f"{day}/sms/tc3_request"
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        to_sign = f"TC3-HMAC-SHA256\n{stamp}\n{scope}\n{digest}"
        key = ("TC3" + self.secret_key).encode()
        for part in (day, "sms", "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return (
            f"TC3-HMAC-SHA256 Credential={self.secret_id}/{scope}, "
            f"SignedHeaders=content-type;host, Signature={signature}"
        )

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.headers.get("X-TC-Action") != "SendSms":
            return self._error("InvalidAction", "action not found")
        if request.headers.get("X-TC-Version") != "2021-01-11":
            return self._error("NoSuchVersion", "version not found")
        try:
            stamp = int(request.headers.get("X-TC-Timestamp", ""))
        except ValueError:
            return self._error("MissingParameter", "X-TC-Timestamp")
        if abs(time.time() - stamp) > 300:
            return self._error("AuthFailure.SignatureExpire", "signature expired")
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given, self._expected(request, body, stamp)):
            return self._error("AuthFailure.SignatureFailure", "signature mismatch")
        data = json.loads(body)
        if data.get("SmsSdkAppId") != self.app_id:
            return self._error("FailedOperation.SmsSdkAppIdVerifyFail", "SdkAppId")
        if data.get("SignName") != self.sign:
            return self._error("FailedOperation.SignatureIncorrectOrUnapproved", "sign")
        count = self.templates.get(str(data.get("TemplateId")))
        if count is None:
            return self._error("FailedOperation.TemplateIncorrectOrUnapproved", "template")
        if len(data.get("TemplateParamSet") or []) != count:
            return self._error("InvalidParameterValue.TemplateParameterFormatError", "params")
        statuses = []
        for number in data.get("PhoneNumberSet", []):
            if number in self.blacklisted:
                code, serial = "FailedOperation.PhoneNumberInBlacklist", ""
            else:
                code, serial = "Ok", f"2433:{next(self._serials):016d}"
                self.sent.append(data)
            statuses.append({"SerialNo": serial, "PhoneNumber": number, "Fee": 1,
                             "SessionContext": data.get("SessionContext", ""), "Code": code,
                             "Message": "send success" if code == "Ok" else code,
                             "IsoCode": "CN"})  # fmt: skip
        return web.json_response(
            {"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}}
        )
