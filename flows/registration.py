"""Pre-registration (预登记): consent, name, resident ID, phone, district → pre-registration code.

```mermaid
stateDiagram-v2
    [*] --> consent
    consent --> name: agree
    consent --> [*]: decline (nothing stored)
    name --> id_number
    id_number --> phone: valid, not yet registered
    id_number --> [*]: already registered (masked phone, hotline)
    phone --> district
    district --> [*]: resident stored, code sent
```
"""

from __future__ import annotations

import unicodedata
from datetime import date

from flows.dialogue import (
    Answer,
    Ctx,
    Done,
    Flow,
    Next,
    Outcome,
    Prompt,
    Retry,
    Step,
    numbered,
    yes_no,
)
from flows.identity import IdProblem, mask_phone, normalise_phone, parse_resident_id
from flows.places import district_options
from store import DuplicateDocument

NAME_LIMIT = 40
_NAME_PUNCTUATION = set(" ·•.-'")


def _consent(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("reg.consent"), yes_no(ctx.t("reg.agree"), ctx.t("reg.decline")))


def _read_consent(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value == "yes":
        return Next("name")
    return Done(ctx.t("reg.declined"), abort=True)


def _name(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("reg.name"))


def valid_name(name: str) -> bool:
    letters = [ch for ch in name if ch not in _NAME_PUNCTUATION]
    return (
        0 < len(name) <= NAME_LIMIT
        and bool(letters)
        and all(unicodedata.category(ch).startswith("L") for ch in letters)
    )


def _read_name(ctx: Ctx, answer: Answer) -> Outcome:
    name = " ".join(answer.text.split())
    if not valid_name(name):
        return Retry(ctx.t("reg.name_bad", limit=NAME_LIMIT))
    ctx.data["name"] = name
    return Next("id_number")


def _id_number(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("reg.id"))


def _read_id_number(ctx: Ctx, answer: Answer) -> Outcome:
    parsed = parse_resident_id(answer.text, ctx.today)
    if isinstance(parsed, IdProblem):
        return Retry(ctx.t(f"reg.id.{parsed.value}", n=len(answer.text.replace(" ", ""))))
    existing = ctx.store.resident_by_document("resident_id", parsed.number)
    if existing:
        return Done(ctx.t("reg.id.duplicate", phone=mask_phone(existing.phone)), abort=True)
    ctx.data.update(
        id_number=parsed.number, birth_date=parsed.birth_date.isoformat(), sex=parsed.sex
    )
    return Next("phone")


def _phone(ctx: Ctx) -> Prompt:
    own = ctx.sender_phone
    if own is None:
        return Prompt(ctx.t("reg.phone"))
    return Prompt(
        ctx.t("reg.phone.ask_or_pick"),
        numbered([(ctx.t("reg.phone.this", phone=mask_phone(own)), own)]),
    )


def _read_phone(ctx: Ctx, answer: Answer) -> Outcome:
    phone = str(answer.value) if answer.value else normalise_phone(answer.text)
    if phone is None:
        return Retry(ctx.t("reg.phone_bad"))
    ctx.data["phone"] = phone
    return Next("district")


def _district(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("reg.district"), district_options(ctx))


def _read_district(ctx: Ctx, answer: Answer) -> Outcome:
    try:
        resident = ctx.store.add_resident(
            account_id=ctx.account_id,
            name=ctx.data["name"],
            id_type="resident_id",
            id_number=ctx.data["id_number"],
            birth_date=date.fromisoformat(ctx.data["birth_date"]),
            sex=ctx.data["sex"],
            phone=ctx.data["phone"],
            district_id=str(answer.value),
            now=ctx.now,
            actor=ctx.actor,
            channel=ctx.channel,
        )
    except DuplicateDocument as exc:  # registered elsewhere while this conversation went on
        return Done(ctx.t("reg.id.duplicate", phone=mask_phone(exc.existing.phone)), abort=True)
    return Done(ctx.t("reg.done", name=resident.name, code=resident.prereg_code))


REGISTRATION = Flow(
    name="register",
    first="consent",
    steps={
        "consent": Step(_consent, _read_consent, free_text=False),
        "name": Step(_name, _read_name),
        "id_number": Step(_id_number, _read_id_number),
        "phone": Step(_phone, _read_phone),
        "district": Step(_district, _read_district, free_text=False),
    },
)
