"""Where notices go (通知方式 / NOTIFY): reminders, alerts, offers and booking copies.

```mermaid
stateDiagram-v2
    [*] --> choose: the channels this account can be reached on, and "where I last wrote"
    choose --> [*]: recorded for the account (every channel linked to it)
```

By default notices go where the person last wrote; a choice here holds until changed. SMS to the
phone stays the fallback when the chosen channel cannot deliver.
"""

from __future__ import annotations

from flows.dialogue import Answer, Ctx, Done, Flow, Next, Outcome, Prompt, Retry, Step, numbered


def _label(ctx: Ctx, channel: str | None) -> str:
    return ctx.t(f"notify.{channel}") if channel else ctx.t("notify.last")


def _choose(ctx: Ctx) -> Prompt:
    channels = ctx.store.account_channels(ctx.account_id)
    current = _label(ctx, ctx.store.notify_channel(ctx.account_id))
    options = numbered(
        [*((_label(ctx, ch), ch) for ch in channels), (ctx.t("notify.last"), "last")]
    )
    return Prompt(ctx.t("notify.ask", current=current), options)


def _read(ctx: Ctx, answer: Answer) -> Outcome:
    if not isinstance(answer.value, str):
        return Retry(ctx.t("notify.bad"))
    channel = None if answer.value == "last" else answer.value
    ctx.store.set_notify_channel(ctx.account_id, channel)
    return Done(ctx.t("notify.done", current=_label(ctx, channel)))


NOTIFY = Flow(
    name="notify",
    first="choose",
    start=lambda ctx: Next("choose"),
    steps={"choose": Step(_choose, _read)},
)
