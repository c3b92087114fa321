"""The health questions before a booking: all in one message, or one at a time.

One message lists the questions that apply, numbered; the resident answers "没有/都没有/none",
or with the numbers or the words of those that apply ("1 3", "发烧", "pregnant"). An answer
that cannot be read — or "one by one" — switches to one question at a time (steps ``q_<key>``).
Either way the outcome is the same verdict (flows.eligibility): refuse, defer, or book with an
assessment on site.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from flows.dialogue import Answer, Ctx, Next, Outcome, Prompt, Retry, Step, yes_no
from flows.eligibility import QUESTIONS, Question, questions_for
from flows.mid_flow import confused

# Words that answer a question "yes" when written without a negation before them.
CONDITION_WORDS: dict[str, tuple[str, ...]] = {
    "allergy": ("过敏", "allerg"),
    "severe_reaction": (
        *("严重过敏", "严重反应", "严重的过敏", "severe", "reaction", "anaphyla"),
        # what residents say a bad reaction to the last shot looked like
        *("红疹", "皮疹", "出疹", "风疹块", "荨麻疹", "休克", "呼吸困难", "喉咙肿", "晕倒"),
        *("rash", "hives"),
    ),
    "illness": (
        "发烧",
        "发热",
        "紧烧",  # 发紧烧 (Cantonese: running a fever)
        "高烧",
        "低烧",
        "急性",
        "生病",
        "感冒",
        "咳",
        "病发作",
        "不舒服",
        "唔舒服",
        "fever",
        "ill",
        "sick",
        "flu",
    ),
    "pregnancy": (
        *("怀孕", "孕", "哺乳", "喂奶", "母乳", "pregnan", "breastfe"),
        *("有咗bb", "有bb", "大肚", "有喜", "怀咗"),  # Cantonese and everyday words
        # breastfeeding and just after a birth, as said in Cantonese and English
        *("喂紧奶", "喂紧母乳", "喂人奶", "生完仔", "生完女", "生完bb", "刚生完", "啱啱生"),
        *("坐月", "坐紧月", "月子", "产后"),
        *("nursing", "lactat", "postpartum", "gave birth", "had a baby", "expecting"),
    ),
    "neuro": (
        *("癫痫", "神经", "格林", "巴利", "epilep", "neuro", "guillain"),
        *("羊癫疯", "羊角风", "发羊吊", "抽搐", "seizure"),  # everyday words for epilepsy
    ),
    "risk_area": ("风险", "中高风险", "疫区", "risk"),
}
NONE_WORDS = re.compile(
    r"^(?:(都|全部|全都|以上|以上都|统统|全部都)?(没有|没|无|冇|否|不是|唔系|无以上情况|没有以上情况)"
    r"(有|啊|呀|喔|哦|的|嘅|情况)*)+$|^(none|no|nope|nothing|none of them|none of these|n)$"
    # in English words: nope none of those, none of the above, no to all, all no; meiyou
    r"|^(?:(?:no|nope|nah|all)[\s,.!]+)?(?:none|nothing|no|not any|neither)(?:[\s,.!]+(?:of "
    r"(?:them|these|those|the above|it|that)|to (?:all|everything|any|them)|at all|apply|applies"
    r"|here|listed|for me|to me|thanks|thx|pls|please))*[\s.!]*$|^(?:dou\s*)?mei\s*you$"
)
ONE_BY_ONE = (
    "逐条",
    "逐个",
    "一个一个",
    "一条一条",
    "分开问",
    "一个个",
    "one by one",
    "one at a time",
)
NEGATIONS = ("没有", "没", "无", "冇", "不", "唔", "no ", "not ", "never ")
# Denials that reach to the end of their clause (没有对疫苗过敏, 冇去过中高风险地区, I have not been
# to a risk area); 不 and 唔 (NEGATIONS) only just before the word (不过敏, 唔舒服 is one).
DENIALS = ("没有", "没", "冇", "无", "未", "no ", "not ", "never ", "n't ", "dont ", "didnt ",
           "havent ", "hasnt ", "doesnt ", "without ")  # fmt: skip
# Where a clause begins: a negation before it denies nothing after it (没有过敏，但是有糖尿病;
# no fever but a cough). 不过 only as "but" (不过敏 is "no allergy").
_CLAUSE_START = re.compile(
    r"[,，。.;；!！?？、]|但是|但|不过(?!敏)|可是|however|\bbut\b|\bthough\b|\bexcept\b"
)
# punctuation, and emoji after an answer (没有👍)
_PUNCTUATION = re.compile(r"[\s,，、。.!！~～;；\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]+")
# An allergy to something named that is not the vaccine (鸡蛋, 青霉素, penicillin): the first
# question asks about the vaccine's components, so such an answer is asked about, not taken.
_ALLERGENS = "鸡蛋|蛋|海鲜|花粉|青霉素|头孢|抗生素|药物|芒果|牛奶|花生|坚果|虾|蟹|尘螨|酒精"
OTHER_ALLERGEN = re.compile(
    rf"对(?!疫苗|成分|针)[^，,。.;；\s]{{1,6}}过敏|(?:{_ALLERGENS})过敏"
    r"|allergic to (?!(?:the |any |a )?(?:vaccine|component|it\b|jab|shot))\w+"
    r"|(?:egg|penicillin|peanut|seafood|pollen|nut|shellfish|milk|dust)s? allerg"
)
_NUMBERS = re.compile(r"[0-9]+")
# Beside numbers, what makes them no list of items (2月30日, 12:30, -1, 1-3: asked one at a time)
_NOT_ITEMS = re.compile(r"[月日年点點时時分秒岁歲:：/\\\-%]")
# A question about what an item means or whether something counts as it (什么是格林巴利, 风险区
# 是指哪里, 我有鼻炎算急性病吗, what is guillain barre, does a sore arm count): the item is
# explained and the list asked again; nothing is taken as an answer (格林巴利 in it is no "yes").
MEANING = re.compile(
    r"什么是|是什么|甚么是|是甚么|什么叫|甚么叫|啥叫|啥是|是啥|咩叫|乜叫|系咩|係咩|是咩|咩嚟|乜嚟|是指|指的是|指什么"
    r"|指咩|什么意思|甚么意思|咩意思|乜意思|啥意思|意思是|算不算|算唔算|算[^，,。.；;]{0,8}[吗嗎嘛]"
    r"|属不属于|属唔属于|属于[^，,。.]{0,8}[吗嗎]|包不包括|包唔包括|包括[^，,。.]{0,8}[吗嗎]"
    r"|\bwhat(?:'s| is| are| does| do)\b|\bmean(?:s|ing)?\b|\bcounts?\b|\bconsidered\b"
    r"|\bincludes?\b"
)
# Someone said to have something, in a question about what it means: 我有鼻炎算急性病吗.
_HOLDER = re.compile(
    r"(?:我|佢|他|她|阿妈|妈|爸)(?:有|患|得|是|怀|对|喺|在|之前|以前|曾|最近|今|而家|现在)"
    r"|\bi(?:'ve| have| had| am|'m)\b|\b(?:my|he|she)\b"
)
_ITEM_NUMBER = re.compile(r"(?<![0-9])[1-9](?![0-9])")
# Any condition word at all: most messages have none, and one search in C says so.
_ANY_CONDITION = re.compile("|".join(re.escape(w) for ws in CONDITION_WORDS.values() for w in ws))

Then = Callable[[Ctx], Outcome]


def questions(ctx: Ctx) -> list[Question]:
    """The questions that apply to the person and dose being booked (``questions_for``)."""
    _, sex, _, _ = ctx.data["person"]
    dose = int(ctx.data["dose"])
    resident_id = int(ctx.data["resident_id"])
    screened = dose > 1 and ctx.once(
        ("screened_before", resident_id, dose),
        lambda: ctx.store.screened_before(resident_id, dose),
    )
    return questions_for(dose, sex, screened_before=screened)


def _name(ctx: Ctx) -> str:
    return str(ctx.data["person"][0])


def read_all(text: str, questions: list[Question]) -> dict[str, bool] | None:
    """The answers to every question in ``questions`` that ``text`` gives, or None when it
    cannot be read as an answer to the list."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()  # １ ③ are 1 3
    bare = _PUNCTUATION.sub("", folded)
    if NONE_WORDS.match(bare) or NONE_WORDS.match(folded):
        return dict.fromkeys((q.key for q in questions), False)
    runs = _NUMBERS.findall(folded)
    if runs and len(rest := _PUNCTUATION.sub("", _NUMBERS.sub("", bare))) <= 4:
        if not all(_items(run, len(questions)) for run in runs) or _NOT_ITEMS.search(rest):
            return None  # 0, 6, 11, 2月30日, -1: not item numbers; asked one at a time
        if _negated(rest):
            return None  # 没有1, 不是1, 1到3都没有: which ones, asked one at a time
        numbers = set("".join(runs))
        return {q.key: str(i) in numbers for i, q in enumerate(questions, 1)}
    said = {q.key for q in questions if _affirmed(folded, CONDITION_WORDS[q.key])}
    if "severe_reaction" in said and "过敏" not in folded.replace("严重过敏", ""):
        said.discard("allergy")  # 严重过敏反应 is the second question, not the first
    if "allergy" in said and OTHER_ALLERGEN.search(folded):
        return None  # 我对鸡蛋过敏: whether to the vaccine is asked on its own
    if said:
        return {q.key: q.key in said for q in questions}
    return None


def _items(run: str, count: int) -> bool:
    """Whether a run of digits names items of a list of ``count``: each once, none 0 or past
    the end (13 is 1 and 3; 11, 10, 2021 are no items)."""
    return len(set(run)) == len(run) and all("1" <= digit <= str(count) for digit in run)


def conditions_said(text: str) -> list[str]:
    """The conditions a message states, not denied (我怀孕了, 今日发紧烧, I'm pregnant; not
    没有过敏): said in a booking request or mid-flow, they are asked about, never passed on a
    bare 没有."""
    folded = text.casefold()
    if not _ANY_CONDITION.search(folded):
        return []
    if MEANING.search(folded) and not _HOLDER.search(folded):
        return []  # 格林巴利是什么: asks what it is, says nobody has it (我有鼻炎算吗 does)
    said = [key for key, words in CONDITION_WORDS.items() if _affirmed(folded, words)]
    if "severe_reaction" in said and "过敏" not in folded.replace("严重过敏", ""):
        return [key for key in said if key != "allergy"]  # 严重过敏: the severe reaction
    return said


def items_asked_about(text: str, questions: list[Question]) -> list[Question]:
    """The items of the list a question about their meaning names, by words or by number
    (第4项是什么意思); empty if ``text`` asks no such question or names none."""
    folded = text.casefold()
    if not MEANING.search(folded):
        return []
    named = {key for key, words in CONDITION_WORDS.items() if named_in(folded, words)}
    if "severe_reaction" in named:
        named.discard("allergy")  # severe allergic reaction: the second item, not the first
    numbers = {int(n) for n in _ITEM_NUMBER.findall(folded)}
    return [q for i, q in enumerate(questions, 1) if q.key in named or i in numbers][
        :2
    ]  # two explanations at most: the reply stays within an SMS or two


def none_said(text: str) -> bool:
    """Whether ``text`` says none of the list applies, and nothing else (没有没有, 都冇👍)."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    return bool(NONE_WORDS.match(_PUNCTUATION.sub("", folded)))


def _owns_list(text: str) -> bool:
    """What the list step reads itself: a question about an item, or none said (没有没有 is
    no question, although it holds 有没有)."""
    return asks_meaning(text) or none_said(text)


def asks_meaning(text: str) -> bool:
    """Whether ``text`` asks what an item of the list means, naming it by words or number: the
    list step reads it (``Step.own``), so it is explained there, not answered as a question
    about the rule (什么叫中高风险区 is no question about a site's address)."""
    folded = text.casefold()
    if not MEANING.search(folded):
        return False
    named = any(named_in(folded, words) for words in CONDITION_WORDS.values())
    return named or bool(_ITEM_NUMBER.search(folded))


def means(ctx: Ctx, key: str, n: int | None = None) -> str:
    """What item ``key`` means: item ``n`` of the list, or the question asked on its own."""
    item = ctx.t("screen.item", n=n) if n is not None else ctx.t("screen.this_item")
    return ctx.t(f"screen.means.{key}", item=item)


def _occurrences(text: str, word: str) -> Iterator[int]:
    """Where ``word`` stands in ``text``; a word in Latin letters only at a word's start ("ill",
    not "will")."""
    at = text.find(word)
    while at >= 0:
        if not (at > 0 and word.isascii() and text[at - 1].isalnum()):
            yield at
        at = text.find(word, at + 1)


def named_in(text: str, words: tuple[str, ...]) -> bool:
    """Whether one of ``words`` is in ``text``, denied or not."""
    return any(next(_occurrences(text, word), None) is not None for word in words)


def health_said(ctx: Ctx) -> list[str]:
    """The conditions stated so far in this booking (kept with what the resident wants)."""
    return list((ctx.data.get("wish") or {}).get("health") or ())


def _negated(words: str) -> bool:
    """Whether the words around the numbers of an answer deny something."""
    return any(negation.strip() in words for negation in (*NEGATIONS, "否", "none", "n't"))


def _affirmed(text: str, words: tuple[str, ...]) -> bool:
    """Whether one of ``words`` is in ``text`` with no negation before it in its clause
    (没有对疫苗过敏, 冇去过中高风险地区, I have not been to a risk area: denied; 没发烧但咳嗽: the
    cough is said)."""
    for word in words:
        for at in _occurrences(text, word):
            clause = _CLAUSE_START.split(text[:at])[-1]
            near = clause[-4:]  # 不/唔 deny only what follows them (不好意思，我怀孕了)
            if not any(neg in clause for neg in DENIALS) and not any(n in near for n in NEGATIONS):
                return True
    return False


def steps(conclude: Then) -> dict[str, Step]:
    """The screening steps: ``screening`` (all at once) and ``q_<key>`` (one at a time);
    ``conclude`` is called once every question that applies is answered."""
    from flows.screening_one import read_one  # it reads with this module's words

    def ask_all(ctx: Ctx) -> Prompt:
        lines = [ctx.t("screen.all", name=_name(ctx))]
        lines += [f"{i} {ctx.t(f'screen.{q.key}')}" for i, q in enumerate(questions(ctx), 1)]
        lines.append(ctx.t("screen.how"))
        return Prompt("\n".join(lines))

    def ask_again(ctx: Ctx) -> Prompt:
        """After a question answered at the list: one line, not the list again (SMS)."""
        return Prompt(ctx.t("screen.again", name=_name(ctx)))

    def read_all_step(ctx: Ctx, answer: Answer) -> Outcome:
        text = answer.words
        if any(word in text.casefold() for word in ONE_BY_ONE):
            return next_question(ctx)
        asked = questions(ctx)
        if explained := items_asked_about(text, asked):
            lines = [means(ctx, q.key, asked.index(q) + 1) for q in explained]
            return Retry("\n".join(lines), sure=True)
        answers = read_all(text, asked)
        lost = confused(answer.words)  # 我不懂, ？？？: one at a time, said kindly
        if answers is None and answer.question and not conditions_said(text) and not lost:
            # 打完可以饮酒吗: a question, not an answer (the engine says it is not known here)
            return Retry(ctx.t("ask.unknown"))
        if answers is None:  # unclear: one question at a time, from the first
            return next_question(ctx, note=ctx.t("screen.one_by_one" + ".ok" * lost))
        said = [q.key for q in asked if q.key in health_said(ctx) and not answers[q.key]]
        if said:  # 我怀孕了，想预约 … 没有: what was said is asked, never passed over
            ctx.data["answers"].update({k: v for k, v in answers.items() if k not in said})
            what = "、".join(ctx.t(f"screen.{key}") for key in said)
            return next_question(ctx, note=ctx.t("screen.said_before", what=what))
        ctx.data["answers"].update(answers)
        return conclude(ctx)

    def next_question(ctx: Ctx, note: str | None = None) -> Outcome:
        answers: dict[str, bool] = ctx.data["answers"]
        for question in questions(ctx):
            if question.key not in answers:
                return Next(f"q_{question.key}", note=note)
        return conclude(ctx)

    def one(question: Question) -> Step:
        def ask(ctx: Ctx) -> Prompt:
            prompt = ctx.t(f"q.{question.key}", name=_name(ctx))
            return Prompt(prompt, yes_no(ctx.t("yes"), ctx.t("no"), approving=False))

        def read(ctx: Ctx, answer: Answer) -> Outcome:
            if answer.option is None:  # words the step owns (``read_one``)
                kind = read_one(answer.words, question.key)
                if kind not in ("no", "yes"):
                    return explain(ctx, question, answer.words, kind)
                yes = kind == "yes"  # 有，发烧; a no in words (冇啊嘛, 应该没有) is a no
            else:
                yes = answer.value == "yes"
            ctx.data["answers"][question.key] = yes
            if yes:  # the first "yes" settles it: no need to ask the rest
                return conclude(ctx)
            return next_question(ctx)

        def owns(text: str) -> bool:
            return read_one(text, question.key) is not None

        return Step(ask, read, free_text=False, own=owns)

    def explain(ctx: Ctx, question: Question, text: str, kind: str | None) -> Retry:
        """What the question asked on its own means, and the question again: asked about,
        not known, a hedged yes or something else named; nothing is taken as the answer."""
        asked = questions(ctx)
        named = [q for q in items_asked_about(text, asked) if q.key != question.key]
        lines = [means(ctx, question.key)]
        lines += [means(ctx, q.key, asked.index(q) + 1) for q in named[:1]]
        if kind == "unsure":
            lines.append(ctx.t("screen.unsure"))
        # the question again in its short words: an explanation and it fit three SMS
        short = ctx.t("screen.one_again", what=ctx.t(f"screen.{question.key}"))
        options = yes_no(ctx.t("yes"), ctx.t("no"), approving=False)
        return Retry("\n".join(lines), Prompt(short, options), sure=True)

    return {
        "screening": Step(ask_all, read_all_step, again=ask_again, own=_owns_list),
        **{f"q_{question.key}": one(question) for question in QUESTIONS},
    }
