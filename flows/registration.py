"""Pre-registration (预登记) of oneself or of a family member, ending in a pre-registration code.

```mermaid
stateDiagram-v2
    [*] --> [*]: this phone already manages the most people allowed
    [*] --> consent
    [*] --> [*]: an age under the minimum said (the rule; 1 pre-registers anyway)
    [*] --> adult: a grandchild: 18 yet? (flows.register_age)
    adult --> consent: yes, or an age from the minimum on
    consent --> who: agree (to the notice, and separately to health information)
    consent --> name: agree, and who it is for was already said (帮我妈妈登记)
    consent --> [*]: decline, or the notice only (nothing stored)
    who --> name: myself / someone else
    who --> who: a question (要本人来登记吗), answered
    who --> who_name: a name (何国强): is it the sender's own?
    who_name --> document: myself / someone else
    name --> document
    name --> phone: the name and a valid resident ID in one message (张三 440106…)
    name --> id_number: the name and a resident ID that is not valid (the problem said)
    document --> id_number: resident ID
    document --> phone: a valid resident ID typed instead of a number
    document --> passport: passport
    passport --> nationality
    nationality --> birth_date: a country or region (ISO 3166, flows.countries)
    nationality --> phone: and the birth date, typed one step early
    id_number --> phone: valid, not yet registered
    birth_date --> phone: not yet registered
    id_number --> [*]: cannot be registered here (nothing said of who holds it; the phone on
    id_number --> [*]: record is texted), or too many ID numbers tried today
    phone --> home: a resident ID issued in one of the policy's districts
    phone --> district: otherwise
    home --> district: lives elsewhere
    home --> [*]: resident stored in the district named instead (海珠), code given
    home --> [*]: resident stored in the ID's district, code given
    district --> [*]: resident stored, code given
```

Registering outside a booking ends with an offer to book for the person right away
(``Done.offer``); on the way to a booking, the booking goes on by itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from flows.booking_state import with_note
from flows.countries import read_country
from flows.dates import parse_birth_date
from flows.dialogue import (
    Answer,
    Ctx,
    Done,
    Flow,
    Next,
    Option,
    Outcome,
    Prompt,
    Retry,
    Step,
    agree_or_not,
    numbered,
    yes_no,
)
from flows.identity import IdProblem, clean_id, parse_resident_id
from flows.identity_text import name_and_id
from flows.minds import says_only, who_said
from flows.names import NAME_LIMIT, Kind, names_or_asks, read_name, valid_name
from flows.places import district_name, district_options, district_spelled
from flows.register_age import (
    adult,
    age_beside_name,
    at_start,
    known,
    read_adult,
    too_young_note,
    without_age,
)
from flows.register_document import document_said, in_words, number_in, region_known
from flows.register_fix import heard
from flows.register_said import details, fill, name_choices, said_name
from flows.register_who import asked_who, names_someone, read_who_name, who_name
from flows.two_people import then_next
from flows.typed_fields import phone_prompt, take_name, take_phone
from store import DuplicateDocument, Resident

_PASSPORT = re.compile(r"[A-Z0-9]{5,20}")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def _duplicate(
    ctx: Ctx, existing: Resident, again: Callable[[str], Outcome] | None = None
) -> Outcome:
    """A document registered already: the sender learns nothing of who holds it (no oracle);
    the person's own phone is told of the attempt, once a day. With ``again``, the resident
    may type another number (what was given so far is kept); without, the flow ends."""
    if existing.account_id == ctx.account_id:  # on the sender's own account: theirs to know
        # on the way to a booking, it goes on for them
        return Done(ctx.t("reg.id.yours", name=existing.name), carry={"resident_id": existing.id})
    key = f"id-attempt:{existing.id}:{ctx.today.isoformat()}"
    notice = ctx.t("reg.id.attempt_notice", name=existing.name)
    ctx.store.enqueue("sms", existing.phone, notice, key, ctx.now, ctx.now)
    if again is not None:
        return again(ctx.t("reg.id.unavailable.again"))
    return Done(ctx.t("reg.id.unavailable"), abort=True)


def _look_up(
    ctx: Ctx, id_type: str, number: str, again: Callable[[str], Outcome]
) -> Outcome | None:
    """Count the document among those the sender tried today (a capped number), and refuse
    it if it is registered already (``again`` with the reason: another may be typed); None
    if it may be registered."""
    index = ctx.store.document_indexes(id_type, number)[0]
    cap = ctx.policy.registration.max_ids_per_day
    if not ctx.store.note_id_attempt(ctx.channel, ctx.address, index, ctx.now, cap):
        return Done(ctx.t("reg.id.too_many"), abort=True)
    existing = ctx.store.resident_by_document(id_type, number)
    return _duplicate(ctx, existing, again) if existing else None


def _start(ctx: Ctx) -> Outcome:
    cap = ctx.policy.registration.max_people_per_phone
    if len(ctx.people()) >= cap:
        return Done(ctx.t("reg.cap", n=cap), abort=True)
    if not ctx.data.get("relation") and (implied := details(ctx).get("relation")):
        ctx.data["relation"] = implied  # 我叫张三: oneself; 她叫王秀英: someone else
    if ctx.data.get("relation"):
        ctx.data["relation"] = who_said(ctx.data["relation"])  # 给新的人登记: someone else
    # 帮我妈登记: she is here already; 她16岁, 我孙仔: the age rule before any data
    return known(ctx, details(ctx)) or at_start(ctx) or Next("consent")


def _consent(ctx: Ctx) -> Prompt:
    notice_only = Option("3", ctx.t("reg.agree_notice_only"), "notice")
    options = (*agree_or_not(ctx.t("reg.agree"), ctx.t("reg.decline")), notice_only)
    return Prompt(ctx.t("reg.consent"), options)


def _consent_again(ctx: Ctx) -> Prompt:
    """The consent asked again after a question answered: the notice was just sent in full."""
    return Prompt(ctx.t("reg.consent.again"), _consent(ctx).options)


def _read_consent(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.value == "yes":  # to the notice, and separately to health information
        ctx.data["consent_at"] = ctx.now.isoformat(timespec="seconds")
        return said_identity(ctx, "name") if _said_who(ctx) else Next("who")
    if answer.value == "notice":
        return Done(ctx.t("reg.health_declined"), abort=True)
    return Done(ctx.t("reg.declined"), abort=True)


def _who(ctx: Ctx) -> Prompt:
    return Prompt(
        ctx.t("reg.who"),
        numbered([(ctx.t("reg.who.self"), "self"), (ctx.t("reg.who.other"), "other")]),
    )


def _read_who(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.option is not None:
        relation = answer.value
    elif asked_who(answer):  # 要本人来登记吗: answered (no refusal), who it is for asked again
        return Next("who", note=ctx.t("reg.who.asked"))
    elif says_only(answer, "oneself"):  # 我, me
        relation = "self"
    else:
        relation = who_said(answer.said.relation)  # 我自己, 我阿妈, 另一个人
    if relation is None and names_someone(answer):  # 何国强: oneself or someone else? asked
        return take_name(ctx, answer, "name", then="who_name")
    if relation is None:
        return Retry(ctx.t("pick_number", n=2))
    ctx.data["relation"] = relation  # self, other, or what was said: mother, father…
    return said_identity(ctx, "name")


def _said_who(ctx: Ctx) -> bool:
    """Whether who is being registered was said before the flow began (the interpreter puts
    ``relation``, e.g. "self" or "mother", in the flow's data): then it is not asked again.
    Stored as said (mother, father…), so that 帮我妈约 finds her later."""
    return bool(ctx.data.get("relation"))


def _name(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("reg.name"), name_choices(ctx))  # 1 张三 2 李四: both were given


def _read_name(ctx: Ctx, answer: Answer) -> Outcome:
    said = who_said(answer.said.relation)
    asked = answer.intent in ("book", "register")
    if said is not None and asked and said != ctx.data.get("relation"):
        ctx.data["relation"] = said  # 不是我，是给我妈约: not a name, but who it is for
        return Retry(ctx.t("reg.for_self" if said == "self" else "reg.for_other"))
    if answer.option is not None:  # one of the two names the request gave
        answer = Answer(str(answer.value), None)
    details(ctx).pop("names", None)
    aged = answer.said.age is not None or answer.said.born is not None  # 王秀英，78岁: told
    if aged or age_beside_name(answer.words) is not None:  # Wang Xiuying, 78
        answer = replace(answer, text=without_age(answer.text), simple=without_age(answer.words))
    found = name_and_id(answer.text)
    if found is None:
        taken = take_name(ctx, answer, "name", then="document")
        said = ctx.data.pop("identity", None)  # the ID number written in the request
        if said and isinstance(taken, Next) and taken.step == "document":
            return _take_id(ctx, said[1], lambda note: Next("id_number", note=note))
        return taken
    # The name and a resident ID in one message: both taken, the document questions skipped.
    # What is left once the number is taken out is read as any answer here is: lead-in words
    # (身份证号是, my ID is, 我个…系) are no name, so the number is kept and the name asked.
    rest, id_number = found
    simple = (name_and_id(answer.words) or found)[0]
    reading = read_name(rest, simple, answer.said) if rest else None
    if reading is None or reading.kind is not Kind.NAME:
        ctx.data["identity"] = ["", id_number]  # taken after the name, as from a request
        bad = reading is not None and reading.kind is Kind.BAD
        return Retry(ctx.t("reg.name_bad", limit=NAME_LIMIT) if bad else ctx.t("reg.id_kept"))
    ctx.data["name"] = reading.name
    return _take_id(ctx, id_number, lambda note: Next("id_number", note=note))


def said_identity(ctx: Ctx, then: str) -> Outcome:
    """Go on to ``then`` (the name), unless the request that started the registration wrote
    the person's name and ID number (``identity``): then both are taken, those steps skipped."""
    note = said_name(ctx)  # 我叫张三 (flows.said_details): said back; two names: asked
    said = ctx.data.get("identity")
    if said and said[0]:
        ctx.data.pop("identity")
        ctx.data["name"] = said[0]
        return with_note(_take_id(ctx, said[1], lambda n: Next("id_number", note=n)), note)
    return Next("document" if "name" in ctx.data else then, note=note)  # the number: later


def _document(ctx: Ctx) -> Prompt:
    return Prompt(
        ctx.t("reg.document"),
        numbered([(ctx.t("reg.document.id"), "id"), (ctx.t("reg.document.passport"), "passport")]),
    )


def _read_document(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.option is not None:
        return Next("id_number" if answer.value == "id" else "passport")
    if _ID_SHAPE.fullmatch(clean_id(answer.text)):  # the ID itself instead of "1"
        return _take_id(ctx, answer.text, lambda note: Next("id_number", note=note))
    said = document_said(answer.text)  # i have a passport, pasport, 回乡证, residence permit
    if said is None:
        return Retry(ctx.t("pick_number", n=2))
    note = ctx.t(said.note) if said.note else None
    if said.note == "reg.document.permit":  # 回乡证, 台胞证: a document of its own
        ctx.data["permit"] = said.region or ""
    if said.step is None:  # a driving licence, no ID card: what can be used
        return Retry(note or ctx.t("pick_number", n=2), sure=True)
    return Next(said.step, note=note)


def _id_number(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("reg.id"))


def _read_id_number(ctx: Ctx, answer: Answer) -> Outcome:
    found = name_and_id(answer.text)
    if found is None:
        return _take_id(ctx, answer.text, Retry)
    name, id_number = found
    if name and valid_name(name):  # 李雷 4401…: the name typed again with it
        ctx.data["name"] = name
    return _take_id(ctx, id_number, Retry)


def _take_id(ctx: Ctx, text: str, problem: Callable[[str], Outcome]) -> Outcome:
    """Validate and store a resident ID typed as ``text``, then ask for the phone; what
    ``problem`` makes of the reason if it is not valid."""
    parsed = parse_resident_id(text, ctx.today)
    if isinstance(parsed, IdProblem):
        return problem(ctx.t(f"reg.id.{parsed.value}", n=len(text.replace(" ", ""))))
    if refused := _look_up(ctx, "resident_id", parsed.number, problem):
        return refused
    ctx.data.update(
        id_type="resident_id",
        id_number=parsed.number,
        birth_date=parsed.birth_date.isoformat(),
        sex=parsed.sex,
    )
    return Next("phone", note=too_young_note(ctx, parsed.birth_date))


def _passport(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("reg.permit" if "permit" in ctx.data else "reg.passport"))


def _read_passport(ctx: Ctx, answer: Answer) -> Outcome:
    number = unicodedata.normalize("NFKC", answer.text).replace(" ", "").upper()
    if not _PASSPORT.fullmatch(number) or in_words(answer.text):
        number = number_in(answer.text) or ""  # my passport no is E12345678
    if not _PASSPORT.fullmatch(number):
        return Retry(ctx.t("reg.passport_bad"))
    kind = "permit" if "permit" in ctx.data else "passport"
    if refused := _look_up(ctx, kind, number, Retry):
        return refused
    ctx.data.update(id_type=kind, id_number=number, sex=None)
    return region_known(ctx, number) or Next("nationality")


def _nationality(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("reg.permit.region" if "permit" in ctx.data else "reg.nationality"))


def _read_nationality(ctx: Ctx, answer: Answer) -> Outcome:
    country = read_country(answer.text, answer.simple)  # flows.countries: ISO 3166, stored as GBR
    if country is None:
        born = parse_birth_date(answer.text, ctx.today)  # the birth date one step early: kept
        if born is None or born.year < 1900:
            return Retry("", Prompt(ctx.t("reg.nationality_bad")))
        ctx.data["early_birth_date"] = born.isoformat()
        return Retry("", Prompt(ctx.t("reg.nationality_date", day=ctx.day(born))))
    ctx.data["nationality"] = country.code
    said = ctx.t("reg.nationality_ok", country=ctx.name_of(country.zh, country.en))
    early = ctx.data.pop("early_birth_date", None)
    if early is None:
        return Next("birth_date", note=said)
    ctx.data["birth_date"] = early
    young = too_young_note(ctx, date.fromisoformat(early))
    return Next("phone", note=" ".join(filter(None, (said, young))))


def _birth_date(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("reg.birth_date"))


def _read_birth_date(ctx: Ctx, answer: Answer) -> Outcome:
    born = parse_birth_date(answer.text, ctx.today)
    if born is None or born.year < 1900:
        return Retry(ctx.t("reg.birth_date_bad"))
    ctx.data["birth_date"] = born.isoformat()
    return Next("phone")


def _phone(ctx: Ctx) -> Prompt:
    if ctx.sender_phone is None:
        return phone_prompt(ctx, "reg.phone")
    own = ctx.data.get("relation") == "self"
    return phone_prompt(ctx, "reg.phone.ask_or_pick" if own else "reg.phone.other")


def _read_phone(ctx: Ctx, answer: Answer) -> Outcome:
    return take_phone(ctx, answer, "phone", then="home" if _home(ctx) else "district")


def _home(ctx: Ctx) -> str | None:
    """The district the person's resident ID was issued in (its area code), if the policy
    has it: suggested, never assumed — people move."""
    if ctx.data.get("id_type") != "resident_id":
        return None
    return ctx.policy.district_of_id(str(ctx.data["id_number"]))


def _home_prompt(ctx: Ctx) -> Prompt:
    home = _home(ctx)
    assert home is not None
    values = {"district": district_name(ctx, home), "name": ctx.data["name"]}
    own = ctx.data.get("relation") == "self"
    question = ctx.t("reg.district.guess.self" if own else "reg.district.guess.other", **values)
    return Prompt(question, yes_no(ctx.t("yes"), ctx.t("reg.district.other")))


def _read_home(ctx: Ctx, answer: Answer) -> Outcome:
    home = _home(ctx)
    if answer.option is None:  # a district named instead (天河, 海珠区, Tian He): that one
        said = district_spelled(ctx, answer.text)
        return _register(ctx, said) if said else Retry(ctx.t("pick_number", n=2))
    if answer.value != "yes" or home is None:
        return Next("district")
    return _register(ctx, home)


def _district(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t("reg.district"), district_options(ctx))


def _read_district(ctx: Ctx, answer: Answer) -> Outcome:
    return _register(ctx, str(answer.value))


def _register(ctx: Ctx, district_id: str) -> Outcome:
    data = ctx.data
    try:
        resident = ctx.store.add_resident(
            account_id=ctx.account_id,
            name=data["name"],
            id_type=data["id_type"],
            id_number=data["id_number"],
            birth_date=date.fromisoformat(data["birth_date"]),
            sex=data["sex"],
            phone=data["phone"],
            district_id=district_id,
            now=ctx.now,
            actor=ctx.actor,
            channel=ctx.channel,
            relation=data.get("relation", "self"),
            nationality=data.get("nationality"),
        )
    except DuplicateDocument as exc:  # registered elsewhere while this conversation went on
        return _duplicate(ctx, exc.existing)
    index = ctx.store.document_indexes(data["id_type"], data["id_number"])[0]
    ctx.store.id_registered(ctx.channel, ctx.address, index, ctx.now)
    at = str(data.get("consent_at") or ctx.now.isoformat(timespec="seconds"))
    ctx.store.record_consents(
        ctx.account_id, resident.id, [("notice", at), ("health", at)],
        ctx.policy.registration.consent_version, ctx.channel,
    )  # fmt: skip
    ctx.registered(resident)
    book = Option("1", ctx.t("reg.book_now", name=resident.name), "flow:book")
    then, carry = then_next(ctx, "register", resident, 2)  # 帮我同我老公登记: the other next
    return Done(
        ctx.t("reg.done", name=resident.name, code=resident.prereg_code),
        carry={**carry, "resident_id": resident.id},
        offer=(book, *then),  # outside a booking: "1" (or 预约) books for them next
    )


def _revise(ctx: Ctx, answer: Answer) -> Outcome | None:
    """A district named in a sentence where the home district is asked (i live in tianhe,
    tianhe district, 我住海珠): that one, not a wish for the booking to come said back."""
    if ctx.step not in ("home", "district") or answer.option is not None:
        return None
    said = answer.said.district or district_spelled(ctx, answer.text)  # tian he qu
    return _register(ctx, said) if said else None


STEPS = {
    "adult": Step(adult, read_adult),
    "consent": Step(_consent, _read_consent, free_text=False, again=_consent_again),
    "who": Step(_who, _read_who),
    "who_name": Step(who_name, read_who_name),
    "name": Step(_name, _read_name, own=names_or_asks),
    "document": Step(_document, _read_document),
    "id_number": Step(_id_number, _read_id_number),
    "passport": Step(_passport, _read_passport),
    "nationality": Step(_nationality, _read_nationality),
    "birth_date": Step(_birth_date, _read_birth_date),
    "phone": Step(_phone, _read_phone),
    "home": Step(_home_prompt, _read_home),
    "district": Step(_district, _read_district, free_text=False),
}
REGISTRATION = Flow(
    name="register",
    first="consent",
    start=_start,
    revise=_revise,
    heard=heard,
    # a phone and a district the request said (flows.said_details) are not asked
    steps={k: replace(s, answer=fill(k, s.answer, _register, _home)) for k, s in STEPS.items()},
)
