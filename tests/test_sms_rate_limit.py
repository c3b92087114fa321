"""The SMS rate limit over the Twilio webhook: the 21st message in a minute gets one polite
reply, then silence, and nothing stored changes.
"""

from __future__ import annotations

import pytest

from flows.policy import Policy
from flows.texts import text
from store import Store
from tests.conftest import Clock
from tests.sms_support import (
    OTHER_PHONE,
    Http,
    Ticker,
    serve,
    snapshot,
    state,
)


@pytest.mark.backends("sqlite", "postgresql")
def test_the_21st_message_in_a_minute_gets_one_polite_reply_then_silence(
    store: Store, policy: Policy, clock: Clock
) -> None:
    ticker = Ticker()

    async def scenario(http: Http) -> None:
        for n in range(20):
            ticker.value += 1.0
            assert (await http.twilio("帮助")).twiml == [text("zh", "help")], n
        rows = snapshot(store)
        conversation = state(store)

        ticker.value += 1.0
        polite = await http.twilio("帮助")
        assert polite.twiml == [text("zh", "rate_limited")]
        ticker.value += 1.0
        silent = await http.twilio("帮助")
        assert silent.status == 200 and silent.twiml == []
        assert "<Response/>" in silent.text
        assert snapshot(store) == rows and state(store) == conversation

        other = await http.twilio("帮助", sender=OTHER_PHONE)  # others are not limited
        assert other.twiml == [text("zh", "help")]

        ticker.value += 60.0  # a minute later: welcome again
        assert (await http.twilio("帮助")).twiml == [text("zh", "help")]

    serve(store, policy, clock, scenario, ticker)
