"""What the SMS webhooks log: a traffic summary a minute at INFO, no full phone number or secret
in request logs, redaction, zoned log times, redacted tracebacks.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.intake import Traffic
from bot.messages import Inbound
from channels import logs
from flows.policy import Policy
from store import Store
from tests.conftest import Clock
from tests.sms_support import (
    ANDROID_KEY,
    JSON_TOKEN,
    OTHER_PHONE,
    PHONE,
    TWILIO_TOKEN,
    Http,
    Ticker,
    android_event,
    intake,
    serve,
)


def test_traffic_is_summed_up_once_a_minute_at_info(
    store: Store, policy: Policy, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A line per message is DEBUG; at INFO, operators get one line a minute per channel."""
    caplog.set_level(logging.INFO)
    ticker = Ticker()
    door = intake(store, policy, clock, 2, ticker, traffic=Traffic(now=ticker))

    def summaries() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "vaxbot.intake"]

    for body in ("你好", "1", "2"):  # the third is over the limit of 2 a minute
        door.receive(Inbound("sms", PHONE, body, f"SM-{body}"))
    assert summaries() == []  # not a minute yet
    ticker.value += 60
    door.receive(Inbound("sms", OTHER_PHONE, "你好", "SM-other"))
    assert summaries() == ["sms: 3 messages in 60 s (0.1/s), 1 over the rate limit"]
    door.receive(Inbound("sms", OTHER_PHONE, "1", "SM-other-2"))  # a new minute: no line yet
    assert len(summaries()) == 1


def test_request_logs_never_show_a_full_phone_number_or_a_secret(
    store: Store, policy: Policy, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def scenario(http: Http) -> None:
        await http.twilio("你好")
        await http.twilio("你好", sign=lambda form: "bm90IGl0")
        await http.twilio("预" * 1600)
        await http.android(android_event("你好"))
        await http.android(android_event("你好"), signature="0" * 64)
        await http.plain({"from": PHONE, "text": "你好", "id": "log-1"})
        await http.status({"MessageSid": "SM" + "e" * 32, "MessageStatus": "delivered",
                           "To": PHONE, "ErrorCode": "21610"})  # fmt: skip

    serve(store, policy, clock, scenario)
    assert any("138****8000" in record.getMessage() for record in caplog.records)
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("13800138000", TWILIO_TOKEN, ANDROID_KEY, JSON_TOKEN):
        assert secret not in logged


REDACTED = {
    "e164-phone": ("sent to +8613800138000 ok", "sent to +86*******8000 ok"),
    "bare-mobile": ("from=13800138000", "from=138****8000"),
    "spaced-mobile": ("call 138 0013 8000 now", "call 138****8000 now"),
    "id-number": ("id 440106199001011235", "id 440***********1235"),
    "id-number-x": ("id 44010619900101123X", "id 440***********123X"),
    "token": ("auth_token=abc123 next", "auth_token=*** next"),
    "password-json": ('{"password": "hunter2"}', '{"password": "***"}'),
    "signature-header": ("X-Twilio-Signature: bm90IGl0=", "X-Twilio-Signature: ***"),
    "authorization": ("Authorization: Basic QUM6dG9r", "Authorization: ***"),
    "short-numbers-kept": ("port 8080, 2021-06-17 09:00, 20 left",) * 2,
    "masked-kept": ("from=138****8000", "from=138****8000"),
}  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), REDACTED.values(), ids=REDACTED.keys())
def test_redact(raw: str, expected: str) -> None:
    assert logs.redact(raw) == expected


def test_log_times_carry_their_zone() -> None:
    """The bot works in +08:00 wherever the server runs: log times say which zone they are in."""
    moment = datetime(2021, 6, 17, 1, 0, 0, 250_000, tzinfo=UTC).timestamp()  # 09:00 in Guangzhou
    record = logging.makeLogRecord(
        {"name": "vaxbot.test", "levelname": "INFO", "msg": "up", "created": moment,
         "msecs": 250.0}
    )  # fmt: skip
    fmt = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
    shanghai = logs.RedactingFormatter(fmt, ZoneInfo("Asia/Shanghai"))
    assert (
        shanghai.format(record) == "2021-06-17T09:00:00.250+08:00 level=INFO logger=vaxbot.test up"
    )
    utc = logs.RedactingFormatter(fmt, ZoneInfo("UTC")).format(record)
    assert utc.startswith("2021-06-17T01:00:00.250+00:00 ")
    local = logs.RedactingFormatter(fmt).format(record)  # the machine's zone: still an offset
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.250[+-]\d\d:\d\d level=INFO", local), local


def test_configured_logs_redact_exception_tracebacks_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The handler ``configure()`` installs is the safety net for exceptions as well."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logs.configure(zone=ZoneInfo("Asia/Shanghai"))
        try:
            raise ValueError(f"no such resident for {PHONE} with token=abc123")
        except ValueError:
            logging.getLogger("vaxbot.test").exception("turn failed for %s", PHONE)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "level=ERROR logger=vaxbot.test" in err and "turn failed for +86*******8000" in err
    assert re.match(r"\S+T\S+\+08:00 level=ERROR", err), err
    assert "13800138000" not in err and "abc123" not in err
