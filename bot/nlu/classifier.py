"""A small naive Bayes classifier over character and word n-grams, trained at start-up on the
lexicon's examples and the training corpus it names: the interpreter's second opinion, for
phrasings no cue covers. Deterministic, pure Python, trained in well under a second; scoring
a message touches only the n-grams it contains.
"""

from __future__ import annotations

import itertools
import json
import math
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from bot.nlu.normalise import Normaliser
from flows.lexicon import Lexicon

_LATIN = re.compile(r"[a-z0-9']+")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def features(text: str) -> set[str]:
    """Chinese characters and character pairs; English words and word pairs."""
    found: set[str] = set()
    for run in _CJK_RUN.findall(text):
        found.update(run)
        found.update(map(operator.add, run, run[1:]))
    words = _LATIN.findall(text)
    if words:
        found.update(["w:" + w for w in words])
        found.update([f"w:{a} {b}" for a, b in itertools.pairwise(words)])
    return found


class NaiveBayes:
    """Multinomial naive Bayes (Bernoulli-style presence counts, add-one smoothing)."""

    def __init__(self, examples: Iterable[tuple[str, str]], alpha: float = 0.05) -> None:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        docs: Counter[str] = Counter()
        vocabulary: set[str] = set()
        for text, intent in examples:
            found = features(text)
            counts[intent].update(found)
            docs[intent] += 1
            vocabulary |= found
        total = sum(docs.values()) or 1
        size = len(vocabulary) + 1
        self.intents = sorted(docs)
        self.prior = [math.log(docs[i] / total) for i in self.intents]
        self.unseen: list[float] = []
        weights: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, intent in enumerate(self.intents):
            mass = sum(counts[intent].values()) + alpha * size
            unseen = math.log(alpha / mass)
            self.unseen.append(unseen)
            for feature, n in counts[intent].items():
                weights[feature].append((index, math.log((n + alpha) / mass) - unseen))
        # per n-gram, the intents it was seen with and how much it speaks for each
        self.weights = {feature: tuple(pairs) for feature, pairs in weights.items()}

    def probabilities(self, text: str) -> dict[str, float]:
        """p(intent | text) for every intent seen in training (none if no n-gram is known)."""
        weights = self.weights
        known = [weights[f] for f in features(text) if f in weights]
        if not known:
            return {}
        n = len(known)
        logs = [prior + unseen * n for prior, unseen in zip(self.prior, self.unseen, strict=True)]
        for pairs in known:
            for index, weight in pairs:
                logs[index] += weight
        top = max(logs)
        exp = [math.exp(v - top) for v in logs]
        norm = sum(exp)
        return {intent: e / norm for intent, e in zip(self.intents, exp, strict=True)}


_TRAINED: dict[int, tuple[Lexicon, NaiveBayes]] = {}


def trained(lexicon: Lexicon, files: Iterable[Path] | None = None) -> NaiveBayes:
    """A classifier trained on the lexicon's examples and its training corpus (or ``files``);
    trained once per lexicon (and process) when ``files`` is not given."""
    if files is None:
        cached = _TRAINED.get(id(lexicon))
        if cached is not None and cached[0] is lexicon:
            return cached[1]
        classifier = _train(lexicon, lexicon.training)
        _TRAINED[id(lexicon)] = (lexicon, classifier)
        return classifier
    return _train(lexicon, files)


def _train(lexicon: Lexicon, files: Iterable[Path]) -> NaiveBayes:
    normalise = Normaliser(lexicon)
    examples = [
        (normalise(text).text, intent.name)
        for intent in lexicon.intents.values()
        for text in intent.examples
    ]
    for path in files:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                labelled = json.loads(line)
                examples.append((normalise(labelled["text"]).text, labelled["intent"]))
    return NaiveBayes(examples)
