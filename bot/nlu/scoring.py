"""Scoring the interpreter on a labelled file, as ``rasa test nlu`` does.

The file has one JSON object per line: ``{"text": …, "intent": …, "entities": {…}}`` (see
tests/nlu/README.md). Days are labelled for a fixed ``today`` (the corpus says which); sites by
their Chinese name, found in the store the interpreter reads.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.nlu.interpreter import Interpreter

CORPUS_TODAY = date(2021, 6, 17)  # the day the corpus's relative days are labelled from


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    entities: dict[str, Any]


@dataclass
class Scores:
    total: int = 0
    intent_right: int = 0
    entity_true: int = 0  # labelled and found with the right value
    entity_found: int = 0  # found by the interpreter
    entity_labelled: int = 0
    confused: Counter[tuple[str, str]] = field(default_factory=Counter)  # (labelled, read)
    per_entity: dict[str, list[int]] = field(default_factory=dict)  # name -> [tp, found, gold]
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # text, labelled, read

    @property
    def accuracy(self) -> float:
        return self.intent_right / self.total if self.total else 0.0

    @property
    def precision(self) -> float:
        return self.entity_true / self.entity_found if self.entity_found else 1.0

    @property
    def recall(self) -> float:
        return self.entity_true / self.entity_labelled if self.entity_labelled else 1.0


def read_examples(path: Path) -> list[Example]:
    """The labelled messages in ``path``; ValueError naming the line that is wrong."""
    examples = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            examples.append(Example(raw["text"], raw["intent"], dict(raw.get("entities", {}))))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a labelled message ({error})") from None
    return examples


def score(interpreter: Interpreter, examples: Iterable[Example], sites: dict[str, int]) -> Scores:
    """Intent accuracy and entity precision/recall of ``interpreter`` over ``examples``;
    ``sites`` maps a site's Chinese name to its id."""
    names = {site_id: name for name, site_id in sites.items()}
    scores = Scores()
    for example in examples:
        reading = interpreter.read(example.text, CORPUS_TODAY)
        scores.total += 1
        if reading.intent == example.intent:
            scores.intent_right += 1
        else:
            scores.confused[(example.intent, reading.intent)] += 1
            scores.wrong.append((example.text, example.intent, reading.intent))
        found = reading.entities.said()
        found.pop("hour", None)  # not labelled: the part of day is
        found.pop("too_far", None)
        found.pop("week", None)  # not labelled: 下周 on its own is vague (tests/nlu/README.md)
        for earlier in ("first_maker", "first_district", "first_site"):
            found.pop(earlier, None)  # not labelled: what is wanted (the maker named last) is
        if "site" in found:
            found["site"] = names.get(found["site"], found["site"])
        for key in set(found) | set(example.entities):
            counts = scores.per_entity.setdefault(key, [0, 0, 0])
            got, gold = found.get(key), example.entities.get(key)
            if got is not None:
                scores.entity_found += 1
                counts[1] += 1
            if gold is not None:
                scores.entity_labelled += 1
                counts[2] += 1
            if got is not None and got == gold:
                scores.entity_true += 1
                counts[0] += 1
    return scores


def report(scores: Scores, worst: int = 10) -> list[str]:
    lines = [
        f"messages {scores.total}",
        f"intent accuracy {scores.accuracy:.3f} ({scores.intent_right}/{scores.total})",
        f"entity precision {scores.precision:.3f}  recall {scores.recall:.3f}",
    ]
    for name, (right, found, gold) in sorted(scores.per_entity.items()):
        precision = right / found if found else 1.0
        recall = right / gold if gold else 1.0
        lines.append(f"  {name:<9} precision {precision:.3f}  recall {recall:.3f}  ({gold})")
    if scores.confused:
        lines.append("most confused (labelled -> read):")
        lines += [f"  {a} -> {b}: {n}" for (a, b), n in scores.confused.most_common(worst)]
    return lines
