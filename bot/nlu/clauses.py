"""Several questions in one message (孕妇可以打吗？要带什么证件？, how long between doses and
does it cost anything?): the topic each clause asks about by words of its own, in the order
asked, so that every one is answered, not only the likeliest."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.nlu.reading import NONE
from flows.lexicon import Scoring

# Where one question ends and another may begin: a question mark or a full stop, a comma, an
# English "and"/"also", or 另外 / 顺便问 (by the way). Not 还有 or 仲有, which also mean "still
# has" (还有位吗).
_CLAUSE = re.compile(
    r"[?？。；;!！,，]+|\s+(?:and|also|plus|another thing)\s+|另外|顺便问(?:下|一下|埋)?|以及"
)
Found = list[tuple[str, Any]]  # the lexicon's words found in a text (``Phrases.find``)
MOST = 3  # topics answered from one message at most


def questions_in(
    text: str,
    top: str,
    score: Callable[[str, Found], Mapping[str, float]],
    find: Callable[[str], Found],
    scoring: Scoring,
) -> tuple[str, ...]:
    """The ``ask.*`` intents the clauses of ``text`` each name by cues of their own: the
    ``score`` of the words ``find`` finds in the clause reaches ``background_over`` and leads
    the clause's other intents by ``margin``. In the order asked; empty unless there are two
    or more, one of them ``top`` (the likeliest reading). A topic that tells who is asking
    (``background``: 外地, 香港) is none."""
    background, over, margin = scoring.background, scoring.background_over, scoring.margin
    clauses = [clause.strip() for clause in _CLAUSE.split(text)]
    if sum(1 for clause in clauses if clause) < 2:
        return ()
    topics: list[str] = []
    for clause in clauses:
        if not clause:
            continue
        # a question's clause may name a booking's words too (打疫苗要钱吗, 要唔要钱: 唔要):
        # only the questions (and what vaxbot does not answer) compete with each other
        scores = score(clause, find(clause))
        ranked = sorted(
            (
                (name, value)
                for name, value in scores.items()
                if name.startswith("ask.") or name == NONE
            ),
            key=lambda item: -item[1],
        )
        if not ranked:
            continue
        best, lead = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        if (
            best != NONE
            and best not in background
            and lead >= over
            and lead - runner >= margin
            and best not in topics
        ):
            topics.append(best)
    return tuple(topics[:MOST]) if len(topics) > 1 and top in topics[:MOST] else ()
