"""What a person's typed details are read as, at registration and for a companion: a name
(a day, a sentence or a reference is asked again) and a mobile number (the sender's own
offered)."""

from __future__ import annotations

from flows.dialogue import Answer, Ctx, Next, Outcome, Prompt, Retry, numbered
from flows.identity import mask_phone, normalise_phone
from flows.minds import says, this_phone
from flows.names import NAME_LIMIT, Kind, Reading, clean_name, read_name


def take_name(ctx: Ctx, answer: Answer, key: str, then: str) -> Outcome:
    """Store a person's name typed as ``answer`` under ``key`` and go to ``then``; a day, a
    sentence or a reference is not stored but asked again (``flows.names``); text that reads
    like a sentence but may be a name is taken when sent a second time."""
    reading = read_name(answer.text, answer.simple, answer.said, companion=key != "name")
    doubt = ctx.data.pop("name_doubt", None)
    if reading.kind is Kind.DOUBTFUL and doubt == clean_name(answer.text):
        reading = Reading(Kind.NAME, clean_name(answer.text).strip("。.!！~～,，"))  # sent again
    if reading.kind is Kind.NAME:
        ctx.data[key] = reading.name
        return Next(then)
    if reading.kind is Kind.BAD:
        return Retry(ctx.t("reg.name_bad", limit=NAME_LIMIT))
    if reading.kind is Kind.NOBODY:  # 我自己去，冇人陪: the rule, and who can help
        return Retry("", Prompt(ctx.t("companion.nobody", min=ctx.policy.ages.companion)))
    if reading.kind is Kind.NONSENSE:  # asdfgh, 哈哈哈: asked again, never taken
        return Retry(ctx.t("name.nonsense"), sure=True)
    if reading.kind is Kind.WHAT:  # 我不知道要填什么: what is asked, said plainly
        return Retry(ctx.t("name.what"), sure=True)
    if reading.kind is Kind.DOUBTFUL:
        ctx.data["name_doubt"] = clean_name(answer.text)
    return Retry(ctx.t("name.only"))


def phone_prompt(ctx: Ctx, key: str) -> Prompt:
    """Ask for a mobile number, offering the sender's own (option 1) where the channel has it."""
    own = ctx.sender_phone
    if own is None:
        return Prompt(ctx.t(key))
    said = ".operator" if ctx.channel == "operator" else ""  # the caller's number, not "this"
    this = ctx.t(f"reg.phone.this{said}", phone=mask_phone(own))
    return Prompt(ctx.t(key + said), numbered([(this, own)]))


def take_phone(ctx: Ctx, answer: Answer, key: str, then: str) -> Outcome:
    """Store the chosen or typed mobile number under ``key`` and go to ``then``."""
    phone = str(answer.value) if answer.value else normalise_phone(answer.text)
    phone = phone or this_phone(ctx, answer)  # 佢冇手机，用我嘅 / use mine: the sender's own
    if phone is None:
        mine = ctx.sender_phone is None and says(answer, "this_phone")
        return Retry(ctx.t("mind.no_phone" if mine else "reg.phone_bad"))
    ctx.data[key] = phone
    return Next(then)
