"""What was in progress, said to a resident who comes back to a flow left for hours (the
policy's ``flow_recap_hours``; after ``flow_expires_hours`` it has ended instead): "您3小时前在为
王小明预约第1剂（天河体育中心接种点，6月18日 周五），还差：时段。" before the step's question,
which alone they would no longer place."""

from __future__ import annotations

from datetime import date
from typing import Any

from flows.dialogue import Ctx
from flows.places import site_name
from flows.register_said import listed
from flows.resume_texts import LEFT, LEFT_REGISTER

_FLOWS = ("book", "register", "reschedule", "cancel")
_END = {"zh": "。", "en": "."}


def recap(ctx: Ctx, flow: str, step: str | None, data: dict[str, Any], hours: int) -> str:
    """One line: what flow ``flow`` (at ``step``, with ``data``) was doing, for whom, with
    what was chosen, and what is left; "" for a flow this says nothing of."""
    if flow not in _FLOWS:
        return ""
    who = _who(ctx, data)
    if flow == "book" and who and data.get("dose"):
        place = _place(ctx, data)
        key = "resume.book.at" if place else "resume.book"
        said = ctx.t(key, hours=hours, name=who, dose=data["dose"], place=place)
    elif flow == "register" and data.get("name"):
        said = ctx.t("resume.register.name", hours=hours, name=data["name"])
    else:
        said = ctx.t("resume.book.any" if flow == "book" else f"resume.{flow}", hours=hours)
    left = (LEFT_REGISTER if flow == "register" else LEFT).get(_step_kind(step))
    return said + (ctx.t("resume.left", left=ctx.t(left)) if left else _END[ctx.lang])


def _who(ctx: Ctx, data: dict[str, Any]) -> str:
    resident = data.get("resident_id")
    person = ctx.resident(int(resident)) if resident else None
    return person.name if person is not None else ""


def _place(ctx: Ctx, data: dict[str, Any]) -> str:
    """The site and the day chosen so far; "" if neither is."""
    parts = []
    if data.get("site_id") and (site := ctx.store.site(int(data["site_id"]))) is not None:
        parts.append(site_name(ctx.lang, site))
    if isinstance(data.get("day"), str):
        parts.append(ctx.day(date.fromisoformat(data["day"])))
    return listed(ctx, parts)


def _step_kind(step: str | None) -> str:
    """The screening's one-at-a-time questions (q_allergy) are the health questions too."""
    if step is None:
        return ""
    if step.startswith("q_"):
        return "screening"
    return step
