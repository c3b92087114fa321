"""HELP names every command word that works, in the resident's language, within 3 SMS."""

from __future__ import annotations

import re

import pytest

from bot.matching import COMMAND_WORDS, Command
from channels.sms.render import render, segments
from tests.conftest import Phone

# Not listed: a greeting is not a command, and the language in use needs no switch to it.
UNLISTED = {"zh": {Command.GREET, Command.ZH}, "en": {Command.GREET, Command.EN}}


@pytest.mark.parametrize(("word", "lang"), [("帮助", "zh"), ("HELP", "en")])
def test_help_lists_every_command(phone: Phone, word: str, lang: str) -> None:
    (reply,) = phone.send(word)
    folded = reply.text.casefold()
    listed = set(re.split(r"[\s,，。：:、“”\"]+", folded))

    def names(word: str) -> bool:  # a whole word, or a phrase of whole words ("cancel booking")
        phrase = re.compile(rf"\b{re.escape(word)}\b")
        return word in listed or (" " in word and phrase.search(folded) is not None)

    missing = [
        command.name
        for command in Command
        if command not in UNLISTED[lang]
        and not any(names(w) for w, c in COMMAND_WORDS.items() if c is command)
    ]
    assert missing == []
    assert segments(render(reply)) <= 3
