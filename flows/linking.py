"""Linking a Telegram chat or an email address to the identity of a phone (绑定 / LINK).

```mermaid
stateDiagram-v2
    [*] --> [*]: on SMS (the number is the identity already)
    [*] --> phone
    phone --> code: a 6-digit code is texted to that number
    code --> code: wrong code (at most 5 tries, 10 minutes)
    code --> [*]: linked: this address now sees and manages the phone's people and bookings
```
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from flows.dialogue import Answer, Ctx, Done, Flow, Next, Outcome, Prompt, Retry, Step
from flows.identity import mask_phone, normalise_phone

CODE_VALID = timedelta(minutes=10)
MAX_TRIES = 5


def _start(ctx: Ctx) -> Outcome:
    if ctx.channel == "sms":
        return Done(ctx.t("link.already"))
    return Next("phone")


def _phone(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("link.phone"))


def _read_phone(ctx: Ctx, answer: Answer) -> Outcome:
    phone = normalise_phone(answer.text)
    if phone is None:
        return Retry(ctx.t("reg.phone_bad"))
    code = f"{secrets.randbelow(1_000_000):06d}"
    ctx.data.update(phone=phone, code=code, tries=0, until=(ctx.now + CODE_VALID).isoformat())
    # Asked for by the person writing: sent even to a number that opted out of notices.
    key = f"link:{ctx.channel}:{ctx.address}:{phone}:{ctx.now.isoformat()}"
    ctx.store.enqueue("sms", phone, ctx.t("link.sms", code=code), key, ctx.now, ctx.now, "reply",
                      params={"code": code})  # fmt: skip
    return Next("code")


def _code(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("link.code", phone=mask_phone(ctx.data["phone"])))


def _read_code(ctx: Ctx, answer: Answer) -> Outcome:
    data = ctx.data
    if ctx.now > datetime.fromisoformat(data["until"]) or data["tries"] >= MAX_TRIES:
        return Done(ctx.t("link.expired"))
    given = "".join(ch for ch in answer.text if ch.isdigit())
    if not hmac.compare_digest(given.encode(), str(data["code"]).encode()):
        data["tries"] += 1
        if data["tries"] >= MAX_TRIES:
            return Done(ctx.t("link.expired"))
        return Retry(ctx.t("link.wrong"))
    account = ctx.store.link_address(
        ctx.channel, ctx.address, data["phone"], now=ctx.now, actor=ctx.actor
    )
    ctx.relink(account)
    return Done(ctx.t("link.done", phone=mask_phone(data["phone"])))


LINK = Flow(
    name="link",
    first="phone",
    start=_start,
    steps={"phone": Step(_phone, _read_phone), "code": Step(_code, _read_code)},
)
