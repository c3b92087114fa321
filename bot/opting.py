"""STOP and START (退订, 恢复): notices stopped or resumed for the sender, per person."""

from __future__ import annotations

from flows.dialogue import Ctx


def opt(ctx: Ctx, account: int | None, out: bool) -> None:
    """Stop (``out``) or resume the notices to the sender's number and, when the sender has
    an account (``account``), to that account's phone as well."""
    # keyed by the number notices are sent to (E.164), whatever form it came in
    address = ctx.sender_phone or ctx.address
    ctx.store.set_opt_out(ctx.channel, address, out, ctx.now)
    # per person, not per channel: notices are queued for the account's phone
    phone = ctx.store.account_phone(account) if account is not None else None
    if phone and (ctx.channel, address) != ("sms", phone):
        ctx.store.set_opt_out("sms", phone, out, ctx.now)
