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
    listed = set(re.split(r"[\s,，。：:、“”\"]+", reply.text.casefold()))
    missing = [
        command.name
        for command in Command
        if command not in UNLISTED[lang]
        and not any(w in listed for w, c in COMMAND_WORDS.items() if c is command)
    ]
    assert missing == []
    assert segments(render(reply)) <= 3
