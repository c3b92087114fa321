"""Linking a Telegram chat or an email address to the identity of a phone (绑定 / LINK), and
undoing it (解绑 / UNLINK).

Link codes follow NIST SP 800-63B for out-of-band codes: valid 10 minutes, single use, void
after 5 wrong tries, at most 5 codes per phone per hour whatever addresses ask; the store keeps
only their keyed hash. Once linked, the phone is texted, with how to undo it (解绑 by SMS).

```mermaid
stateDiagram-v2
    [*] --> [*]: on SMS (the number is the identity already)
    [*] --> phone
    phone --> phone: the number was sent 5 codes this hour (nothing texted)
    phone --> code: a 6-digit code is texted to that number
    code --> code: wrong code (at most 5 tries, 10 minutes)
    code --> [*]: linked: this address now sees and manages the phone's people and bookings;
    code --> [*]: the phone is texted how to undo it
```
"""

from __future__ import annotations

from datetime import timedelta

from flows.dialogue import Answer, Ctx, Done, Flow, Next, Outcome, Prompt, Retry, Step
from flows.identity import mask_phone, normalise_phone

CODE_VALID = timedelta(minutes=10)
MAX_TRIES = 5
CODES_PER_PHONE_HOUR = 5


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
    issued = ctx.store.issue_link_code(
        phone, ctx.channel, ctx.address, ctx.now, CODE_VALID, CODES_PER_PHONE_HOUR
    )
    if issued is None:
        return Done(ctx.t("link.too_many"))
    code, number = issued
    ctx.data.update(phone=phone)
    # Asked for by the person writing: sent even to a number that opted out of notices.
    key = f"link:{number}"
    ctx.store.enqueue("sms", phone, ctx.t("link.sms", code=code), key, ctx.now, ctx.now, "reply",
                      params={"code": code})  # fmt: skip
    return Next("code")


def _code(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("link.code", phone=mask_phone(ctx.data["phone"])))


def _read_code(ctx: Ctx, answer: Answer) -> Outcome:
    given = "".join(ch for ch in answer.text if ch.isdigit())[:6]
    checked = ctx.store.check_link_code(ctx.channel, ctx.address, given, ctx.now, MAX_TRIES)
    if checked.outcome == "void" or checked.phone is None:
        return (
            Retry(ctx.t("link.wrong"))
            if checked.outcome == "wrong"
            else Done(ctx.t("link.expired"))
        )
    phone = checked.phone
    account = ctx.store.link_address(ctx.channel, ctx.address, phone, now=ctx.now, actor=ctx.actor)
    ctx.relink(account)
    kind = ctx.channel if ctx.channel in ("telegram", "email") else "other"
    notice = ctx.t(f"link.notice.{kind}")
    key = f"linked:{ctx.channel}:{ctx.address}:{ctx.now.isoformat()}"
    ctx.store.enqueue("sms", phone, notice, key, ctx.now, ctx.now, "reply")
    return Done(ctx.t("link.done", phone=mask_phone(phone)))


def _unlink(ctx: Ctx) -> Outcome:
    """解绑 from the phone (by SMS): every chat and address linked to its account is unlinked."""
    if ctx.channel != "sms":
        return Done(ctx.t("unlink.sms_only"))
    removed = ctx.store.unlink_others(ctx.account_id, "sms", ctx.now, ctx.actor)
    return Done(ctx.t("unlink.done", n=removed) if removed else ctx.t("unlink.none"))


LINK = Flow(
    name="link",
    first="phone",
    start=_start,
    steps={"phone": Step(_phone, _read_phone), "code": Step(_code, _read_code)},
)

UNLINK = Flow(name="unlink", first="none", start=_unlink, steps={})
