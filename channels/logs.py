"""Logging that never shows a full phone number, ID number or secret.

Handlers get ``Redact``: any run of 11+ digits (a phone or ID number, with or without ``+``) is
masked, as are ``Authorization``/``token``/``password``/``signature`` values. Adapters already
log masked values; this is the safety net for everything else (exceptions, library messages).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

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

    if any(word in text.casefold() for word in _SECRET_WORDS):  # seldom: skip three scans
        text = _AUTHORIZATION.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
        text = _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _BOT_TOKEN.sub("***:***", text)
    return _NUMBER.sub(number, text)


_SECRET_WORDS = ("token", "password", "secret", "signature", "authorization")


def _redacted(value: object) -> object:
    """A ``%`` argument of a log record, redacted; small numbers stay numbers (for ``%d``)."""
    if isinstance(value, float) or (isinstance(value, int) and -(10**9) < value < 10**9):
        return value
    return redact(str(value))


class RedactingFormatter(logging.Formatter):
    """Redacts what a record says — its arguments (the ``%`` template is code, not data), or the
    whole message when it has none — and any traceback. The time, level and logger name around
    it cannot hold a secret and are not scanned: a request's log line costs a few microseconds.

    Times are ISO 8601 with their UTC offset (``2021-06-17T09:00:00.123+08:00``), in ``zone``
    (the policy's, the zone the bot works in), else in the machine's own.
    """

    _second: int = -1
    _stamp: tuple[str, str] = ("", "")

    def __init__(self, fmt: str | None = None, zone: tzinfo | None = None) -> None:
        super().__init__(fmt)
        self.zone = zone

    def format(self, record: logging.LogRecord) -> str:
        saved = record.msg, record.args
        try:
            record.msg, record.args = self._message(record), None
            return super().format(record)
        finally:
            record.msg, record.args = saved

    @staticmethod
    def _message(record: logging.LogRecord) -> str:
        args = record.args
        if not args:
            return redact(str(record.msg))
        try:
            if isinstance(args, Mapping):
                return str(record.msg) % {key: _redacted(value) for key, value in args.items()}
            return str(record.msg) % tuple(_redacted(value) for value in args)
        except (TypeError, ValueError):  # e.g. %d given a redacted number: redact it whole
            return redact(record.getMessage())

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return redact(super().formatStack(stack_info))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        if second != self._second:  # the date and time text changes once a second
            self._second = second
            moment = datetime.fromtimestamp(second, self.zone)
            if self.zone is None:
                moment = moment.astimezone()  # the machine's zone, with its offset
            stamp = moment.isoformat(timespec="seconds")
            self._stamp = stamp[:19], stamp[19:]  # the date and time; the offset
        return f"{self._stamp[0]}.{int(record.msecs):03d}{self._stamp[1]}"


def configure(level: int = logging.INFO, zone: tzinfo | None = None) -> None:
    """Structured, redacted logs on stderr: ``time level logger key=value ...``, the time with
    its offset, in ``zone`` (the policy's) if given."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s level=%(levelname)s logger=%(name)s %(message)s", zone)
    )
    # What the format does not show is not gathered (the logging HOWTO's "Optimization"):
    # no caller lookup, thread, process or multiprocessing names per record.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per Telegram poll otherwise
