"""Logging that never shows a full phone number, ID number or secret.

Handlers get ``Redact``: any run of 11+ digits (a phone or ID number, with or without ``+``) is
masked, as are ``Authorization``/``token``/``password``/``signature`` values. Adapters already
log masked values; this is the safety net for everything else (exceptions, library messages).
"""

from __future__ import annotations

import logging
import re

_NUMBER = re.compile(r"\+?\d[\d ]{9,}\d[\dXx]?")
_SECRET = re.compile(
    r"(?i)\b(auth_token|token|password|secret|signature)([\"']?\s*[:=]\s*[\"']?)"
    r"([^\s\"',;]+)"
)
_BOT_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")  # a Telegram bot token, e.g. in URLs
_AUTHORIZATION = re.compile(r"(?i)\b(authorization)(\s*[:=]\s*)([^\n,;}]+)")


def redact(text: str) -> str:
    def number(match: re.Match[str]) -> str:
        digits = match.group(0).replace(" ", "")
        return f"{digits[:3]}{'*' * max(len(digits) - 7, 4)}{digits[-4:]}"

    text = _BOT_TOKEN.sub("***:***", text)
    text = _AUTHORIZATION.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _NUMBER.sub(number, text)


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure(level: int = logging.INFO) -> None:
    """Structured, redacted logs on stderr: ``time level logger key=value ...``."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s level=%(levelname)s logger=%(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per Telegram poll otherwise
