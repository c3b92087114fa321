"""HTTP basic authentication as a header (aiohttp's ``BasicAuth`` helper is deprecated)."""

from __future__ import annotations

import base64


def basic_auth(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}
