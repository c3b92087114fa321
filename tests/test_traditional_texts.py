"""Every reply text rendered in Traditional characters: 后 ("after") always becomes 後."""

from __future__ import annotations

import re

import pytest

from bot.nlu.normalise import to_traditional
from flows.answer_texts import ANSWER_TEXTS
from flows.texts import TEXTS

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
WITH_HOU = sorted((key, zh) for key, (zh, _) in {**TEXTS, **ANSWER_TEXTS}.items() if "后" in zh)


def test_there_are_texts_with_hou() -> None:
    assert len(WITH_HOU) > 10
    assert any("天后" in zh for _, zh in WITH_HOU)


@pytest.mark.parametrize("filled", ["7", "十四"])
@pytest.mark.parametrize(("key", "zh"), WITH_HOU, ids=[key for key, _ in WITH_HOU])
def test_hou_is_written_hou_in_traditional(key: str, zh: str, filled: str) -> None:
    """Placeholders filled with a number, as most are (天数, 分钟, 周岁)."""
    rendered = to_traditional(_PLACEHOLDER.sub(filled, zh))
    assert "后" not in rendered, rendered


def test_the_goddess_keeps_her_name() -> None:
    assert to_traditional("天后宫接种点") == "天后宮接種點"
