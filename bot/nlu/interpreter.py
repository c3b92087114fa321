"""The interpreter: a message in, the likeliest intents and the entities it names out.

Deterministic and local: the lexicon's cues (words and patterns with weights) are summed per
intent; a mark of a question lifts the questions (``ask.*``), entities a booking needs lift
``book``. The highest score wins when it reaches the threshold and leads the next by the
margin; otherwise the two likeliest are offered, or nothing is understood. Entities come from
the lexicon (dose, relation, part of day, weekend), flows/dates.py (days and hours), the policy
(districts, makers) and the store (sites, re-read every ``sites_ttl`` seconds).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.nlu.ages import CN_DIGIT, age_in, born_in
from bot.nlu.classifier import NaiveBayes, trained
from bot.nlu.clauses import questions_in
from bot.nlu.names import Names, earlier_clauses, first_of_makers, maker_named_last
from bot.nlu.normalise import Normaliser, Text, in_traditional_script
from bot.nlu.patterns import Patterns
from bot.nlu.phrases import Phrases
from bot.nlu.reading import NONE, Reading
from bot.nlu.wanted import either_days, not_ruled_out, ruled_out, wanted_when, week_part
from flows.dates import next_monday
from flows.day_bounds import day_bound, may_bound
from flows.entities import Entities, Part
from flows.festivals import may_name_festival
from flows.lexicon import PARTS, Lexicon, load
from flows.mind_words import bare
from flows.policy import Policy
from store import Site

_DATE_MARK = re.compile(
    r"(?<![0-9])[0-9]{1,4}(?![0-9])|[今明后昨前]天|周[一二三四五六日天末]|星期|礼拜|"
    r"[一二三四五六七八九十两][月日号点时]|[一二三四五六七八九十两]个?[天周]|[上下]午|[早晚]|"
    r"today|tomorrow|tonight|yesterday|ago|month|"
    r"mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|next|week"
)
# A place given to someone else (give it to another person, 让畀另一个人): nobody to book.
_GIVEN_TO = re.compile(r"(?:\bto|让给?|畀|俾|(?:名额|号|位|place|slot|spot)\S{0,4}给)\s*$")
# An ID or mobile number written in a message (身份证4401…, 手机13800138000), with the words that
# name it: read without it (身份证 there gives a number; it does not ask what to bring).
_LONG_NUMBER = re.compile(r"[0-9]{11}")
_NUMBER_GIVEN = re.compile(
    r"(?:(?:居民)?身份证(?:号码|号)?|证件号码?|手机(?:号码|号)?|电话(?:号码)?"
    r"|\bid\b(?:\s*(?:card|number|no\.?))?|\bphone(?: number)?)?\s*[:：]?\s*"
    r"(?<![0-9])(?:[0-9]{17}[0-9x]|(?:\+?86)?1[3-9][0-9]{9})(?![0-9])"
)
# 打唔打得, 可不可以, 能不能: the Chinese yes-no question by repetition.
_ALTERNATIVE_QUESTION = re.compile(r"(.)[唔不没冇]\1")
# An English clause that opens with a modal or auxiliary verb asks something, question mark or
# not ("can breastfeeding mothers get it", "my dad has diabetes, can he get vaccinated").
_ENGLISH_QUESTION = re.compile(
    r"(?:^|[,.;!?]\s*)(?:can|could|may|should|is|are|do|does|will|would|must)\b(?! (?:you|u)\b)"
    r"|\bcan (?:he|she|they|we|people|someone|anyone|a|an)\b"
    r"|\b(?:is|can|could|may|should|will|does) (?:he|she)\b(?! is\b)"
)
# 能打针不, 可以打没: a yes-no question closed by 不/没 after a modal.
_TRAILING_NOT = re.compile(r"(?:能|可以|可|行|好|得|是|有|要|会)\S{0,8}[不没][?？。!！~\s]*$")
# A greeting that asks whether anyone is there (在吗？, 有人吗？) asks nothing about the rest;
# a leading 早晨 (Cantonese "good morning") is a greeting, not a part of the day.
_GREETING_ASK = re.compile(
    r"^(?:你好|您好|喂)?[,，\s]*(?:在吗|在不在|有人吗|有冇人)[?？!！,，.。\s]+"
)
_MORNING_GREETING = re.compile(r"^早晨(?:呀|啊|喔|哦|啦)?(?:[,，!！.。~～\s]+|$)")
_DOSE_NUMBER = re.compile(r"第\s*([一二三四1-4])\s*[针剂]")
# One message per lazily loaded part: Chinese numerals and a time (cn2an), a phrase only
# dateparser reads, Traditional characters (OpenCC), a site's name (the names).
_WARM_UP = ("下周一上午十点打第二针", "I'd like to book in 3 days please", "幫我預約明天下午的疫苗")


def flows_named(scores: dict[str, float]) -> list[float]:
    """The scores of the flows other than booking a message may start."""
    return [scores.get(name, 0) for name in ("cancel", "reschedule", "status", "register")]


def _asked(topics: frozenset[str]) -> bool:
    """Whether the cues named a question's topic (an ``ask.*`` intent)."""
    return any(name.startswith("ask.") for name in topics)


def _occurrences(text: str, word: str) -> list[int]:
    """Where ``word`` starts in ``text``."""
    starts = []
    start = text.find(word)
    while start >= 0:
        starts.append(start)
        start = text.find(word, start + 1)
    return starts


class Interpreter:
    def __init__(
        self,
        policy: Policy,
        sites: Callable[[], list[Site]],
        lexicon: Lexicon | None = None,
        sites_ttl: float = 5.0,
        classifier: NaiveBayes | None = None,
    ) -> None:
        self.policy = policy
        self.lexicon = lexicon = lexicon or load()
        self.normalise = Normaliser(lexicon)
        self._sites = sites
        self._sites_ttl = sites_ttl
        self.classifier = classifier if classifier is not None else trained(lexicon)
        self._names: Names | None = None
        self._names_at = 0.0
        self._names_of: tuple[tuple[int, str, str, str], ...] = ()
        # equal scores are ranked in the lexicon's order, whatever the order cues were found in
        self._order = {name: index for index, name in enumerate(lexicon.intents)}
        self._patterns = Patterns(
            (pattern, (intent.name, weight))
            for intent in lexicon.intents.values()
            for pattern, weight in intent.patterns
        )
        question_words = lexicon.question
        self._whenever = tuple(  # 都可以, 边个都得, whichever: no question in them
            w
            for w in (*lexicon.parts.get("any", ()), *lexicon.wishes.get("earliest", ()))
            if any(q in w and q != w for q in question_words)
        )
        self._words: Phrases[tuple[str, str | int, float]] = Phrases(
            [
                *((w, ("part", part, 0.0)) for part in PARTS for w in lexicon.parts[part]),
                *((w, ("weekend", 1, 0.0)) for w in lexicon.weekend),
                *((w, ("weekdays", 1, 0.0)) for w in lexicon.weekdays),
                *((w, ("same_site", 1, 0.0)) for w in lexicon.wishes.get("same_site", ())),
                *((w, ("week", 1, 0.0)) for w in lexicon.next_week),
                *((w, ("week", 2, 0.0)) for w in lexicon.week_after_next),
                *((w, ("question", 1, 0.0)) for w in lexicon.question),
                *((w, ("dose", n, 0.0)) for n, words in lexicon.doses.items() for w in words),
                *((w, ("relation", r, 0.0)) for r, ws in lexicon.relations.items() for w in ws),
                *(
                    (word, ("cue", intent.name, weight))
                    for intent in lexicon.intents.values()
                    for word, weight in intent.cues
                ),
            ]
        )

    @property
    def names(self) -> Names:
        """Place and maker names: the store's sites are looked at again at most every
        ``sites_ttl`` s, and the names rebuilt (a tenth of a second or more) only when a site
        was added, renamed or moved."""
        now = time.monotonic()
        if self._names is None or now - self._names_at >= self._sites_ttl:
            sites = self._sites()
            named = tuple((s.id, s.district_id, s.name_zh, s.name_en) for s in sites)
            if self._names is None or named != self._names_of:
                self._names = Names(self.policy, self.lexicon, sites)
                self._names_of = named
            self._names_at = now
        return self._names

    def site_names(self) -> tuple[str, ...]:
        """The sites' Chinese names as stored (re-read as ``names`` is)."""
        self.names  # noqa: B018  (refreshes the sites seen)
        return tuple(name for _, _, name, _ in self._names_of)

    def read(self, message: str, today: date) -> Reading:
        return self.read_text(self.normalise(message), today)

    def warm(self, today: date) -> None:
        """Load now what the first messages would otherwise wait for (0.1 s and more, once):
        place names, date parsers, script converters. Called by long-running processes."""
        for message in _WARM_UP:
            self.read(message, today)
        in_traditional_script("")  # the replies' script, told at each Chinese SMS

    def read_text(self, said: Text, today: date) -> Reading:
        """``read`` for a message already normalised."""
        if _LONG_NUMBER.search(said.text):  # an ID or phone number is data, not words
            said = replace(said, text=_NUMBER_GIVEN.sub(" ", said.text))
        text = said.text
        found = self._words.find(text)
        greeting = _MORNING_GREETING.match(text)
        if greeting is not None and greeting.end() < len(text):
            rest = Text(text[greeting.end() :], said.script, said.cjk, said.latin_words)
            entities = self._entities(rest, self._words.find(rest.text), today)
        elif greeting is not None:
            entities = Entities()
        else:
            entities = self._entities(said, found, today)
        scores = self._score(text, found)
        topics = frozenset(name for name, score in scores.items() if score > 0)
        # the topics a word of their own names (免费, 带什么), not a hint (身份证 for what to bring)
        over = self.lexicon.scoring.background_over
        named = frozenset(name for name, score in scores.items() if score >= over)
        self._second_opinion(scores, text)
        question = self._question(text, found)
        request = self._request(text, found)
        also = self._weigh(scores, entities, question, request, text, topics, named)
        order = self._order
        ranked = tuple(sorted(scores.items(), key=lambda item: (-item[1], order.get(item[0], 0))))
        top, best = ranked[0] if ranked else (NONE, 0.0)
        understood = best >= self.lexicon.scoring.threshold and top != NONE
        asked: tuple[str, ...] = ()
        if understood and question and top.startswith("ask."):  # 隔几耐？使唔使带？: both
            asked = questions_in(text, top, self._score, self._words.find, self.lexicon.scoring)
        runner = ranked[1][1] if len(ranked) > 1 and ranked[1][0] not in asked else 0.0
        if top == "cancel":  # 明天去不了，帮我取消: the day and time of the booking to cancel
            day, part = entities.day or entities.not_day, entities.part or entities.not_part
            entities = replace(entities, day=day, part=part)
        return Reading(
            intent=top if understood else NONE,
            confident=understood and best - runner >= self.lexicon.scoring.margin,
            entities=entities,
            question=question,
            script=said.script,
            english=said.latin_words > 0 and said.cjk == 0,
            ranked=ranked,
            text=text,
            also=also if understood and top == "book" else None,
            asked=asked,
        )

    def _question(self, text: str, found: list[tuple[str, tuple[str, str | int, float]]]) -> bool:
        """Whether the message asks something: a mark of a question (吗, 多久, ?), a question
        by repetition (打唔打得), an English clause opening with a modal (can he …); the mark of
        a leading 在吗？ / 有人吗？ does not count."""
        asked = text
        opening = _GREETING_ASK.match(text)
        if opening is not None:
            asked = text[opening.end() :]
        for whenever in self._whenever:  # "any" in "any day" (whenever suits) asks nothing
            if whenever in asked:
                asked = asked.replace(whenever, " ")
        return (
            any(kind == "question" and word in asked for word, (kind, _, _) in found)
            or bool(_ALTERNATIVE_QUESTION.search(asked))
            or bool(_ENGLISH_QUESTION.search(asked))
            or bool(_TRAILING_NOT.search(asked))
        )

    def _request(self, text: str, found: list[tuple[str, tuple[str, str | int, float]]]) -> bool:
        """Whether the message asks for a booking (我想约, book me in): a request pattern that
        is not part of a question's own words about booking (what time can I book for Yuexiu:
        `book for` overlaps `what time can i book`, which asks about the booking hours); a
        topic's word inside it is no such question (我能帮家里老人约吗: 老人 names the person)."""
        matches = list(self.lexicon.scoring.request.finditer(text))
        if not matches:
            return False
        booking = self.lexicon.scoring.booking_words
        spans = [
            (start, start + len(word))
            for word, (kind, name, _) in found
            if kind == "cue" and str(name).startswith("ask.") and any(b in word for b in booking)
            for start in _occurrences(text, word)
        ]
        return any(
            not any(start < m.end() and m.start() < end for start, end in spans) for m in matches
        )

    def _second_opinion(self, scores: dict[str, float], text: str) -> None:
        """The classifier's probabilities, weighted, added to the scores — unless the cues
        already decide (the leader ahead by more than the classifier could change)."""
        scoring = self.lexicon.scoring
        weight = scoring.classifier_weight
        best, runner = sorted((*scores.values(), 0.0, 0.0), reverse=True)[:2]
        if best >= scoring.threshold and best - runner > weight + scoring.margin:
            return
        for intent, p in self.classifier.probabilities(text).items():
            if p >= 0.05:
                scores[intent] = scores.get(intent, 0.0) + weight * p

    def _weigh(
        self,
        scores: dict[str, float],
        entities: Entities,
        question: bool,
        request: bool,
        text: str,
        topics: frozenset[str],
        named: frozenset[str],
    ) -> str | None:
        """Adjust the cue scores for what the message is: a question, a statement naming
        what a booking needs, or a request. Returns a question also asked in a request.
        ``topics``: the intents the cues named, before the classifier's second opinion;
        ``named``: those whose cues reach ``background_over`` (a word of their own)."""
        scoring = self.lexicon.scoring
        asks = [name for name in scores if name.startswith("ask.")]
        wanted = set(entities.said()) & scoring.booking_entities
        if question and wanted == {"part"} and any(scores[a] >= scoring.threshold for a in asks):
            wanted = set()  # 晚上有地方打吗: the time of day is what is asked about
        if question:
            for name in asks:
                scores[name] += scoring.question_bonus
            if asks and "book" in scores:
                scores["book"] = max(0.0, scores["book"] - scoring.question_penalty)
        elif scores.get("book", 0) > 0 and (request or wanted or "约" in text):
            factor = scoring.site_statement_factor if entities.site else scoring.statement_factor
            for name in asks:
                scores[name] *= factor
        if entities.age is not None and question:
            scores["ask.age"] = scores.get("ask.age", 0) + 1.5
        for name in scoring.background - topics:
            # who is asking is said in words (外地, 香港, foreigner): never the classifier's
            # guess alone (Can I get a slot tonight? is no question of where one is from)
            scores.pop(name, None)
        for name in scoring.background & topics:
            # who is asking is background to the topic asked (外地户口打疫苗免费吗: the cost;
            # an age is none, 我70岁外地人可以打吗: the answer tells that age) and to a
            # booking's day, time or site (我是外地的，周六上午有位吗); not to a district,
            # which may be where one lives or works (我户口在湖南，人在番禺上班，可以约吗)
            other = named - scoring.background - {"ask.age"}
            if any(a.startswith("ask.") for a in other) or wanted & scoring.background_entities:
                scores[name] *= scoring.background_factor
        if entities.site is not None and question and "ask.site" in scores:
            scores["ask.site"] += 1.0
        if (
            max(flows_named(scores), default=0) < scoring.threshold
            and wanted
            # a question whose topic no cue names (Can I get Sinopharm on the 28th?) still
            # books what it names; who is asking (外地) is no topic here
            and (
                scores.get("book", 0) > 0
                or not (topics - scoring.background).intersection(asks)
                or not question
            )
        ):
            bonus = scoring.first_entity_bonus + scoring.booking_entity_bonus * (len(wanted) > 1)
            scores["book"] = scores.get("book", 0) + bonus
        if entities.weekend and question and not request and not _asked(topics):
            # 周末有得打吗, can I get it at the weekend: a booking for the weekend's days
            lead = max((v for k, v in scores.items() if k != "book"), default=0.0)
            scores["book"] = max(scores.get("book", 0.0), lead + scoring.margin, scoring.threshold)
        stated = entities.day is not None and (entities.site or entities.district)
        if stated and not question and max(flows_named(scores)) < scoring.threshold:
            # 京溪流动接种车 下周一, 夜场 天河 礼拜日: a day and a place stated, nothing asked —
            # a booking's details (unless a cue names another flow: 取消礼拜日天河的)
            lead = max((v for k, v in scores.items() if k != "book"), default=0.0)
            scores["book"] = max(scores.get("book", 0), lead + scoring.margin)
        if entities.age is not None and question and not request:
            asked = {name for name in topics if name.startswith("ask.")} - {"ask.age"}
            booking = any(word in text for word in scoring.booking_words)
            if not asked and not booking and not wanted - {"relation", "dose"}:
                # 我妈80岁能打吗, my grandma is 80, can she get vaccinated?: an age stated in
                # a question that names no other topic and no day or place asks about age
                lead = max((v for k, v in scores.items() if k != "ask.age"), default=0.0)
                scores["ask.age"] = max(scores["ask.age"], lead + scoring.margin)
        if request:
            scores["book"] = scores.get("book", 0) + scoring.request_bonus
            best_ask = max(asks, key=lambda name: scores[name], default=None)
            for name in asks:  # the request leads every question (帮老人预约，要带啥: not 老人)
                scores[name] = min(scores[name], scores["book"] - scoring.margin)
            if question and best_ask is not None and scores[best_ask] >= scoring.threshold:
                return best_ask
        return None

    def _score(
        self, text: str, found: list[tuple[str, tuple[str, str | int, float]]]
    ) -> dict[str, float]:
        scores: dict[str, float] = defaultdict(float)
        # A cue inside a longer cue counts only as the longer one: 预约 in 我的预约 (status) or
        # 不预约 (walk-ins) is no booking request, 在哪 in 在哪里 no second question.
        cues = [(word, str(name), weight) for word, (kind, name, weight) in found if kind == "cue"]
        words = {word for word, _, _ in cues}
        for word, name, weight in cues:
            if not any(word != other and word in other for other in words):
                scores[name] += weight
        for name, weight in self._patterns.matching(text):
            scores[name] += weight
        return scores

    def _entities(
        self, said: Text, found: list[tuple[str, tuple[str, str | int, float]]], today: date
    ) -> Entities:
        text = said.text
        values: dict[str, list[tuple[str, str | int]]] = defaultdict(list)
        for word, (kind, value, _) in found:
            if kind != "cue":
                values[kind].append((word, value))
        dose = self._dose(text, values["dose"])
        cues = [word for word, (kind, _, _) in found if kind == "cue"]
        relation = self._relation(text, values["relation"], cues)
        if relation in (None, "other") and self._someone_new(text):  # 再帮个阿伯约
            relation = "new"
        part: Part | None = None
        day: date | None = None
        hour: int | None = None
        too_far: date | None = None
        bounds: tuple[int | None, int | None] = (None, None)
        marked = bool(_DATE_MARK.search(text)) or may_name_festival(text)  # 中秋节那天
        if marked:
            when = wanted_when(text, today)
            if when is not None:
                day, part, hour, too_far = when.day, when.part, when.hour, when.too_far
                bounds = (when.by_hour, when.from_hour)
        if part is None and values["part"]:
            wanted = not_ruled_out(text)  # 上午不行，下午: the part of day wanted
            named = [(w, v) for w, v in values["part"] if wanted is None or w in wanted]
            parts = {str(v) for _, v in named or values["part"]}
            if len(parts) == 1:  # 上午下午都行 names no part
                part = parts.pop()  # type: ignore[assignment]
        refused = ruled_out(text, today) if marked or values["part"] else None
        not_day, not_part = (refused.day, refused.part) if refused else (None, None)
        day = None if day == not_day else day  # 星期六不行: Saturday is not the day wanted
        part = None if part == not_part else part  # 唔要朝早, anything but the morning
        weekend, weekdays, day, not_day = week_part(text, values, day, not_day)  # 周末唔得
        bound = None
        if (day or not_day) is not None and may_bound(text):  # 周三之后, before friday
            bound = day_bound(text, today)
            if bound is not None:
                day = not_day = None  # the days after it are wanted, not it
        if marked and day is None and bound is None:  # 明天或者后天都得: those days offered
            bound = either_days(text, today)
        earlier = earlier_clauses(text, later_wanted=dose is not None and dose != 1)
        district, site, makers, given_in, given_at = self.names.places(text, earlier)
        weeks = max((int(n) for _, n in values["week"]), default=0)  # 下下周 holds 下周 too
        weeks = 0 if bound is not None else weeks  # 下周三以后: a bound, not the week
        return Entities(
            dose=dose,
            relation=relation,
            day=day,
            part=part,
            hour=hour,
            district=district,
            site=site,
            maker=maker_named_last(text, makers),
            first_maker=first_of_makers(text, makers),
            first_district=given_in,
            first_site=given_at,
            weekend=weekend and day is None,
            same_site=bool(values["same_site"]) and site is None and district is None,
            weekdays=weekdays,
            week=next_monday(today, weeks) if weeks and day is None else None,
            age=age_in(text),
            born=born_in(text),
            too_far=too_far,
            not_day=not_day,
            not_part=not_part,
            by_hour=bounds[0],
            from_hour=bounds[1],
            from_day=bound[0] if bound else None,
            by_day=bound[1] if bound else None,
        )

    @staticmethod
    def _dose(text: str, said: list[tuple[str, str | int]]) -> int | None:
        numbers = {int(value) for _, value in said}
        for match in _DOSE_NUMBER.finditer(text):
            digit = match.group(1)
            numbers.add(int(digit) if digit.isdigit() else CN_DIGIT[digit])
        if not numbers:
            return None
        if 0 in numbers:
            return 0
        return max(numbers)  # 打了第一针，想约第二针: the dose wanted is the later one

    @staticmethod
    def _relation(text: str, said: list[tuple[str, str | int]], cues: list[str]) -> str | None:
        """The person meant: someone other than oneself when named, the first one named (帮我外婆
        约…要家人陪吗: the grandmother, not the family member coming along). A relation word
        inside a longer one (老公公, 老公) or inside a question's words (备孕…要孩子: no child
        yet) is not one."""
        if not said:
            return None
        words = [word for word, _ in said]
        alone = bare(text)
        kept = [
            (text.find(word), "new" if value == "new_alone" else str(value))
            for word, value in said
            if not any(word != other and word in other for other in (*words, *cues))
            # 还有一个 / one more alone: someone new; 还有一个问题 names nobody
            and (value != "new_alone" or alone == bare(word))
            # give the place to another person: a place given away, nobody to book
            and not (value == "new" and _GIVEN_TO.search(text[: text.find(word)]))
        ]
        others = sorted(found for found in kept if found[1] != "self")
        if others:
            return others[0][1]
        return "self" if kept else None

    def _someone_new(self, text: str) -> bool:
        """Whether the text asks for one more person (再帮个阿伯约, a different person) by the
        lexicon's ``[someone_new]`` patterns; not a place given away (名额让畀其他人)."""
        for pattern in self.lexicon.someone_new:
            found = pattern.search(text)
            if found is not None and not _GIVEN_TO.search(text[: found.start()]):
                return True
        return False
