"""Tencent Cloud API 3.0 request signing (TC3-HMAC-SHA256), as Tencent documents it.

A request is signed over its canonical form: method, path ``/``, empty query, the signed headers
``content-type`` and ``host`` (lower case, ``name:value`` lines), their names, and the SHA-256 of
the body. The string to sign names the algorithm, the timestamp, the credential scope
``<UTC date>/<service>/tc3_request`` and the SHA-256 of the canonical request. The key is derived
by HMAC-SHA256 chaining: ``"TC3" + SecretKey`` → date → service → ``tc3_request``.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def authorization(
    secret_id: str, secret_key: str, service: str, host: str, body: bytes, timestamp: int
) -> str:
    """The ``Authorization`` header for a POST of ``body`` to ``host`` at ``timestamp``."""
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = "\n".join([
        "POST", "/", "", f"content-type:{CONTENT_TYPE}\nhost:{host}\n", "content-type;host",
        hashlib.sha256(body).hexdigest(),
    ])  # fmt: skip
    scope = f"{day}/{service}/tc3_request"
    to_sign = "\n".join(
        [ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders=content-type;host, "
        f"Signature={signature}"
    )
