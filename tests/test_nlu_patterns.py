"""The interpreter's shortcuts never change what it finds: the phrases found in one pass, and the
regular expressions skipped for a message lacking a character every match needs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.nlu.patterns import Patterns, required, required_sets
from bot.nlu.phrases import Phrases
from flows.lexicon import load

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [
    *sorted((ROOT / "flows" / "corpus").glob("*.jsonl")),
    *sorted((ROOT / "tests" / "nlu").glob("*.jsonl")),
]


def corpus_texts() -> list[str]:
    texts = []
    for path in CORPORA:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"].lower())
    return texts


@pytest.mark.parametrize(
    ("pattern", "any_of"),
    [
        ("想.{0,8}打", [{"想"}, {"打"}]),
        ("(帮|同|替|给|代).{0,6}(约|预约|打|登记)", [set("约预打登")]),  # the smaller set
        ("[一二三]+[多几]?岁", [{"岁"}]),
        ("^我?(几时|哪天)(打针|接种)", [set("几哪"), set("打接")]),  # 我 is optional
        ("(?i)shot", [{"s", "S"}, {"h", "H"}, {"o", "O"}, {"t", "T"}]),
        ("(不要|唔要)?$", None),  # matches an empty text
        (".{0,3}[0-9]+", None),  # no fixed character
        ("(a|b.*|)c", [{"c"}]),  # an empty branch: the group requires nothing, c still does
    ],
)
def test_required_characters(pattern: str, any_of: list[set[str]] | None) -> None:
    chars = required(re.compile(pattern))
    if any_of is None:
        assert chars is None
    else:
        assert chars is not None and set(chars) in any_of


@pytest.mark.parametrize(
    ("pattern", "sets"),
    [
        ("想.{0,8}打", [{"想"}, {"打"}]),
        ("(几天|好耐).{0,6}(都|也)?(约不到|冇位)", [set("约冇"), set("几好")]),  # 都 optional
        ("^我?(几时|哪天)(打针|接种)", [set("几哪"), set("打接")]),
        ("(不要|唔要)?$", []),
    ],
)
def test_every_part_that_needs_a_character_is_a_set(pattern: str, sets: list[set[str]]) -> None:
    assert [set(chars) for chars in required_sets(re.compile(pattern))] == sets


def test_a_message_lacking_one_part_is_not_searched() -> None:
    compiled = re.compile("(几天|好耐).{0,6}(约不到|冇位)")
    searched: list[str] = []

    class Counting:
        pattern = compiled.pattern
        flags = compiled.flags

        def search(self, text: str) -> re.Match[str] | None:
            searched.append(text)
            return compiled.search(text)

    patterns = Patterns([(Counting(), "full")])  # type: ignore[list-item]
    assert patterns.matching("几天都约不到") == ["full"]
    assert patterns.matching("一天打几针") == []  # 几 but neither 约 nor 冇
    assert searched == ["几天都约不到"]


def test_a_pattern_is_never_skipped_where_it_matches() -> None:
    patterns = [pattern for intent in load().intents.values() for pattern, _ in intent.patterns]
    every = Patterns((pattern, index) for index, pattern in enumerate(patterns))
    for text in corpus_texts():
        expected = [index for index, pattern in enumerate(patterns) if pattern.search(text)]
        assert every.matching(text) == expected, text


def test_phrases_found_overlapping_and_longest_first() -> None:
    phrases = Phrases([("预约", "book"), ("我的预约", "status"), ("约", "short"), ("dose 2", "d2")])
    found = phrases.find("查我的预约 dose 2")
    assert [phrase for phrase, _ in found][:3] == ["我的预约", "预约", "约"]
    assert ("dose 2", "d2") in found
    assert phrases.find("dose 25") == []  # a short Latin phrase only as a whole word
    assert Phrases[str]([]).find("什么都没有") == []


def test_latin_phrases_whole_words_plurals_and_one_letter_words() -> None:
    phrases = Phrases([("3 dose", "zhifei"), ("shot", "shot"), ("pregnan", "pregnancy")])
    assert phrases.find("the 3 dose one") == [("3 dose", "zhifei")]
    assert phrases.find("two shots") == [("shot", "shot")]  # a short word or its plural
    assert phrases.find("shotgun") == []  # not the start of a longer word
    assert phrases.find("i am pregnant") == [("pregnan", "pregnancy")]  # a long one's start
    assert phrases.find("shot, 3 dose") == [("shot", "shot"), ("3 dose", "zhifei")]  # as found
