"""Who is being registered, when the answer to "为谁登记？" is no option (``flows.registration``):
a question there (要本人来登记吗, can I register for my dad?) is answered and the step asked
again; a name alone (何国强) is asked about — the sender's own, or someone else's — so that
nobody is registered as their own relative (the phone question's wording depends on it).
"""

from __future__ import annotations

import re

from flows.dialogue import NO_WORDS, YES_WORDS, Answer, Ctx, Next, Option, Outcome, Prompt, Retry
from flows.identity_text import looks_like_a_name
from flows.minds import says_only, who_said
from flows.names import Kind, read_name

# A question rather than an answer (要本人来登记吗, can I register for my dad?).
# A question rather than an answer (要本人来登记吗, 使唔使本人嚟, can I register for my dad?),
# read in Simplified characters.
_ASKED = re.compile(
    r"[?？]|[吗呢咩㗎]\W*$|可唔可以|可不可以|能不能|使唔使|使不使|要不要|要唔要|得唔得|系咪|是不是|是否"
    r"|点样|怎么|怎样|^(?:can|could|may|must|should|do|does|is|are|will|how|what|who)\b",
    re.IGNORECASE,
)


def asked_who(answer: Answer) -> bool:
    """Whether the answer asks something rather than saying who it is for."""
    return _ASKED.search(answer.words.strip()) is not None


def who_name(ctx: Ctx) -> Prompt:
    name = str(ctx.data.get("name", ""))
    options = (
        Option("1", ctx.t("reg.who.name.self"), "self", YES_WORDS),  # 是
        Option("2", ctx.t("reg.who.name.other"), "other", NO_WORDS),  # 不是
    )
    return Prompt(ctx.t("reg.who.name", name=name), options)


def read_who_name(ctx: Ctx, answer: Answer) -> Outcome:
    """A name given at 为谁登记？: the sender's own (是, 本人) or another's (不是，是我妈)."""
    if answer.option is not None:
        relation = answer.value
    elif says_only(answer, "oneself"):
        relation = "self"
    else:
        relation = who_said(answer.said.relation)
    if relation is None:
        return Retry(ctx.t("pick_number", n=2))
    ctx.data["relation"] = relation
    return Next("document")


_LATIN_NAME = re.compile(r"[A-Z][a-z'-]+(?: [A-Z][a-z'-]+){1,3}")


def names_someone(answer: Answer) -> bool:
    """A person's name (张伟, 我叫何国强, Li Ming) answered to who it is for."""
    reading = read_name(answer.words, answer.words, answer.said)  # 陳大文 as 陈大文
    name = reading.name if reading.kind is Kind.NAME else ""
    return looks_like_a_name(name) or bool(_LATIN_NAME.fullmatch(name))
