"""A change of mind inside a flow, at any step (issue 13, "mid-conversation"): giving up what is
being done (算了，唔改啦), someone else after all (不是我，是给我妈约 at the ID number), this phone
for a number asked for (佢冇手机，用我嘅), not knowing what is asked (不知道喔 at the ID number),
and another maker than dose 1's wanted for dose 2 (第二针想打国药).

The words are the lexicon's ``[minds]`` lists; the interpreter's reading (intent, entities) says
whether anything else was said. An exact answer (a number, an option's words, a command) never
comes here: the engine matches it first. Nothing here books or stores anything. No
preference (随便, 最快) at a place or time step is ``flows.soonest``'s: the earliest place.
"""

from __future__ import annotations

import re
import unicodedata

from flows import lexicon
from flows.dialogue import Answer, Ctx, Done, Next, Outcome, Retry
from flows.mid_flow import mid_flow
from flows.mind_words import bare, words_say
from flows.near import near
from flows.screening import conditions_said, questions, read_all
from flows.soonest import soonest
from store import Resident

# Flows that change a booking already made: giving up there keeps it as it is.
CHANGES = frozenset({"reschedule", "cancel"})
# Flows where giving up stops what is being filled in (as 退出 does). An offer is declined by
# its own words, never by 算了.
STOPPABLE = frozenset({"book", "register", "link", "unlink", "notify", "status"})
# Intents that may come with a give-up word and still mean giving up: nothing else, or a cue
# of stopping or changing (算了，不想改了 has 想改; 算了，不约了 has 不约了). A booking asked for
# (算了，还是约吧) or a question is something else.
GIVE_UP_INTENTS = frozenset({"none", "cancel", "decline", "reschedule", "menu", "thanks"})
# Registration steps after the name: someone else named there starts again from the name.
AFTER_NAME = frozenset(
    {"document", "id_number", "passport", "nationality", "birth_date", "phone", "home", "district"}
)
# Registration steps that ask for a document's number: not knowing it gets where to find it.
DOCUMENT_STEPS = frozenset({"id_number", "passport"})
# Booking steps whose free text is theirs alone (dose 1's maker is asked at declare_maker).
OWN_WORDS = frozenset({"declare", "declare_date", "declare_maker", "declare_where"})
# Flows about one person already chosen, where a request may name another one instead.
PERSON_FLOWS = frozenset({"book", "reschedule"})
# What a request for someone (帮我妈约, 我妈也要改, 再帮一个人约) is read as.
REQUESTS = frozenset({"book", "reschedule", "register"})
# Steps whose words name the companion coming along, not the person booked.
COMPANION_STEPS = frozenset({"companion_name", "companion_phone"})
_DIGITS = re.compile(r"\d")


def says(answer: Answer, kind: str) -> bool:
    """Whether the answer holds one of the lexicon's ``[minds] kind`` words."""
    return words_say(answer.words, kind)


def other_site(words: str) -> bool:
    """换个地方, another site: read by the steps after the site (``Step.own``), never answered
    as a question about a site."""
    return words_say(words, "other_site")


# What is no word of its own around a short answer (我啊, me please, 本人。).
def says_only(answer: Answer, kind: str) -> bool:
    """Whether the whole answer is one of the lexicon's ``[minds] kind`` words (我, me: oneself
    only when said alone), whatever the punctuation and particles around it."""
    said = bare(answer.words)
    return bool(said) and any(said == bare(word) for word in lexicon.load().minds.get(kind, ()))


def who_said(relation: str | None) -> str | None:
    """A relation as a registration keeps it: someone new (另一个人) is someone else."""
    return "other" if relation == "new" else relation


def changed_mind(ctx: Ctx, flow: str, step: str, answer: Answer) -> Outcome | None:
    """What a message that is no option and no question means at ``step`` of ``flow`` when it
    changes the resident's mind; None when it does not (the step reads it as usual)."""
    if (held := _hold(ctx, flow, step, answer)) is not None:
        return held  # 等等 / no wait at a confirmation: nothing done, asked again
    if (fixed := mid_flow(ctx, flow, step, answer)) is not None:
        return fixed  # 等我问下我老公 / 名字打错了 / 地点错了 at any step
    if (again := _other_day(ctx, flow, step, answer)) is not None:
        return again  # 算了换个日子 at the time step: the date of this booking, not a stop
    if (gave_up := _give_up(ctx, flow, answer)) is not None:
        return gave_up
    if flow in ("book", "reschedule") and (picked := soonest(ctx, step, answer)) is not None:
        return picked  # 随便 / 最快 / 听日或者后日都得 / 月底 at a place or time step
    if flow in ("book", "reschedule") and (nearby := near(ctx, step, answer)) is not None:
        return nearby  # 就近啦 / near my home at a place step: the home district's sites
    if flow == "register":
        return _register(ctx, step, answer)
    if flow in PERSON_FLOWS and (other := _another_person(ctx, step, answer)) is not None:
        return other
    if flow == "book" and step not in OWN_WORDS and not ctx.data.get("reschedule"):
        return _maker(ctx, answer)
    return None


# Steps where another day (换个日子) goes back to the date of the booking in progress.
DAY_CHOSEN_STEPS = frozenset({"date", "period", "confirm"})
# Words that ask for something to be done (约, book): with them, 等等 holds nothing back.
_DOING = re.compile(r"约|登记|取消|改|(?<![a-z])(?:book|cancel|change|move|register)")


def _nothing_named(answer: Answer) -> bool:
    """Whether the answer names no day, week, time of day, place or refusal (a person may be
    named: 等我问下阿妈先)."""
    said = answer.said.said()
    said.pop("relation", None)
    return not said


def _hold(ctx: Ctx, flow: str, step: str, answer: Answer) -> Outcome | None:
    """等等 / 等一下 / no wait / let me ask my mum first, at a confirmation: nothing is booked or
    cancelled, and the confirmation is asked again (a day, a time or a place said with it is
    read as a change instead; 等等，帮我妈约 asks for something)."""
    if step != "confirm" or flow not in ("book", "reschedule", "cancel"):
        return None
    if not says(answer, "hold") or not _nothing_named(answer):
        return None
    if _DOING.search(unicodedata.normalize("NFKC", answer.words).casefold()):
        return None
    key = {"cancel": "mind.hold.cancel", "reschedule": "mind.hold.move"}.get(flow, "mind.hold")
    return Retry(ctx.t(key))


def _other_day(ctx: Ctx, flow: str, step: str, answer: Answer) -> Outcome | None:
    """算了换个日子 / 换一天 / another day once a day is chosen: back to the date question of the
    same booking (the time of day wished for still holds); not a stop, nor a move of another
    booking. 换个时间 at the time step: all the day's periods again. A day said with it (换到
    后天) is read as usual."""
    if flow not in ("book", "reschedule") or step not in DAY_CHOSEN_STEPS:
        return None
    if step == "period" and says(answer, "other_time") and _nothing_named(answer):
        for key in ("part", "hour", "by_hour", "from_hour"):  # 换个时间: every period again
            ctx.data[key] = None
        return Retry(ctx.t("mind.other_time"))
    if step == "confirm" and says(answer, "other_time") and _nothing_named(answer):
        ctx.data.pop("slot_id", None)  # change the time: the same day's periods, all of them
        for key in ("part", "hour", "by_hour", "from_hour"):
            ctx.data[key] = None
        return Next("period", note=ctx.t("mind.other_time"), rewind=True)
    if "site_id" not in ctx.data or not says(answer, "other_day") or not _nothing_named(answer):
        return None
    for key in ("day", "slot_id"):
        ctx.data.pop(key, None)
    return Next("date", note=ctx.t("mind.other_day"), rewind=True)


def _give_up(ctx: Ctx, flow: str, answer: Answer) -> Outcome | None:
    """算了，唔改啦 / 算啦，就原来嗰个 / never mind: nothing new said, the change given up."""
    changing, stopping = flow in CHANGES, says(answer, "stop")
    if answer.said or (not stopping and (answer.intent or "none") not in GIVE_UP_INTENTS):
        return None  # 算了，改成后天: a change; 算了，还是约吧: a booking (不登记了 is none)
    if flow == "cancel" and stopping and not says(answer, "give_up"):
        return None  # 唔打喇 at 确认取消？: the cancellation's own yes
    if not (says(answer, "give_up") or stopping or (changing and says(answer, "keep"))):
        return None
    if changing:
        return Done(ctx.t("mind.kept.cancel" if flow == "cancel" else "mind.kept"), abort=True)
    if flow in STOPPABLE:
        return Done(ctx.t("mind.stopped"), abort=True)
    return None


def _another_person(ctx: Ctx, step: str, answer: Answer) -> Outcome | None:
    """A request for someone else than the person being booked or moved (帮我妈约明天上午 while
    booking her husband, 我妈也要改, 再帮一个人约): the flow left for them, with what was said;
    the booking's start finds who is meant (switches, asks, or registers someone new)."""
    relation, chosen = answer.said.relation, ctx.data.get("resident_id")
    if relation is None or step in COMPANION_STEPS or answer.intent not in REQUESTS:
        return None  # 我女儿陪佢 names a companion; 我太太说… in a health answer, nobody
    if step == "screening" and read_all(answer.words, questions(ctx)) is not None:
        return None  # 没有。我太太说我去过高风险区: a health answer, whoever it names
    said = answer.said.said()
    if health := conditions_said(answer.words):  # 帮我妈约，佢发紧烧: asked of her, not passed
        said["health"] = health
    if relation == "new":  # never the person already here
        return Done("", then="book", carry={"wish": said})
    if chosen is None or step in OWN_WORDS or not answer.confident:
        return None  # nobody chosen yet: the booking reads it (flows.booking_place.revise)
    meant, sure = people_meant(ctx.people(), relation)
    if any(person.id == chosen for person in meant):
        return None  # the same person (帮我妈约 while booking her)
    moving = answer.intent == "reschedule" or ctx.data.get("reschedule")
    if moving and sure and len(meant) == 1 and ctx.bookings(meant[0].id):
        # 我妈也要改，改到明天上午: her booking moved, not his
        return Done("", then="reschedule", carry={"wish": said, "named": meant[0].id})
    return Done("", then="book", carry={"wish": said})


# Who a relation word can be, by the sex on their ID (a father is no woman).
_SEX_OF = {
    **{"father": "M", "grandfather": "M", "mother": "F", "grandmother": "F"},
    **{"father_in_law": "M", "mother_in_law": "F"},
}


def people_meant(people: list[Resident], relation: str) -> tuple[list[Resident], bool]:
    """The people on the phone ``relation`` (本人, 妈妈, 朋友…) can mean, and whether they are
    surely meant: those registered as that relation; else those registered without one
    (family, a relative) whose sex does not rule them out, which is a guess to be asked."""
    selves = [p for p in people if p.relation == "self"]
    if relation == "self":
        return selves, len(selves) == 1
    # several "self" on one phone (registered before relations were kept): any may be family
    others = [p for p in people if p.relation != "self" or len(selves) > 1]
    named = [p for p in others if p.relation == relation]
    if named:
        return named, True
    sex = _SEX_OF.get(relation)
    unnamed = [
        p
        for p in others
        if p.relation in ("other", "self") and (sex is None or p.sex in (sex, None))
    ]
    return unnamed, False


def _register(ctx: Ctx, step: str, answer: Answer) -> Outcome | None:
    if step in AFTER_NAME and (said := _someone_else(ctx, step, answer)) is not None:
        # 不是我，是给我妈约 after the name: who it is for, and their name asked again
        for key in ("name", "id_type", "id_number", "birth_date", "sex", "nationality", "phone"):
            ctx.data.pop(key, None)
        ctx.data["relation"] = said
        note = ctx.t("reg.for_self" if said == "self" else "reg.for_other")
        return Next("name", note=note, rewind=True)
    if step in DOCUMENT_STEPS and (says(answer, "unknown") or not _DIGITS.search(answer.text)):
        # 不知道喔: where the number is, not "you sent 4 characters"
        return Retry(ctx.t("mind.id_unknown" if step == "id_number" else "mind.passport_unknown"))
    if step == "phone" and says(answer, "unknown") and not _DIGITS.search(answer.text):
        own = ctx.sender_phone is not None and ctx.channel != "operator"
        return Retry(ctx.t("mind.phone_unknown" if own else "mind.phone_unknown.none"))
    return None


def _someone_else(ctx: Ctx, step: str, answer: Answer) -> str | None:
    """The relation a request names when it is not the one being registered: 本人 for someone
    else or the other way round, or another relative than the one said. A relative named after
    家人或他人 says who they are, not someone new; at the phone question only a clear request
    counts (用我妈的号码 is her number, not her registration)."""
    said, now = who_said(answer.said.relation), ctx.data.get("relation")
    if said is None or now is None or said == now or answer.intent not in ("book", "register"):
        return None
    if now == "other" and said != "self":
        return None
    if step == "phone" and not answer.confident:
        return None
    return said


def this_phone(ctx: Ctx, answer: Answer) -> str | None:
    """The sender's own number, for a phone asked for and answered 佢冇手机，用我嘅 / 用返呢个号码
    / use mine (no digits typed); None otherwise."""
    own = ctx.sender_phone
    if own is None or _DIGITS.search(answer.text) or not says(answer, "this_phone"):
        return None
    return own


def _maker(ctx: Ctx, answer: Answer) -> Outcome | None:
    """第二针想打国药 inside the booking: dose 2 is dose 1's maker, said at once (and kept, so
    the confirmation says it again), the step asked again."""
    said = answer.said
    rest = said.said()
    for key in ("maker", "first_maker", "dose"):
        rest.pop(key, None)
    if said.maker is None or rest:
        return None  # nothing of a maker, or a day or place said with it: the booking reads it
    note = other_maker_note(ctx, said.maker)
    if note is None:
        return None
    ctx.data["wish"] = {**(ctx.data.get("wish") or {}), "maker": said.maker}
    return Retry(note)


def other_maker_note(ctx: Ctx, wanted: str | None = None) -> str | None:
    """须与第1剂同厂家（科兴），不能换国药: when the maker wanted (``wanted``, else the wish's)
    is not that of the dose on record; None when it is, or nothing is on record."""
    if wanted is None:
        wanted = (ctx.data.get("wish") or {}).get("maker")
    first = ctx.policy.products.get(str(ctx.data.get("previous_product")))
    if wanted is None or first is None or first.manufacturer == wanted:
        return None
    others = [p for p in ctx.policy.products.values() if p.manufacturer == wanted]
    if not others:
        return None
    sep = "、" if ctx.lang == "zh" else ", "
    return ctx.t(
        "mind.same_maker",
        product=ctx.name_of(first.zh, first.en),
        wanted=sep.join(ctx.name_of(p.zh, p.en) for p in others),
    )
