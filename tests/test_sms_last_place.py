"""A place taken by someone else at the last moment, while a resident confirms it by SMS
(Twilio webhook): another choice is offered, never a dead end.
"""

from __future__ import annotations

from datetime import date

from flows.policy import Policy
from flows.texts import text
from store import Store
from tests.conftest import Clock
from tests.fakes import tables
from tests.sms_support import (
    PHONE,
    Http,
    serve,
)


def last_places(store: Store, clock: Clock) -> int:
    """Tianhe keeps two places: Tianhe Sports Centre on 18 June 14:00 and Shipai on 19 June
    08:00. Zhang San (male, Tianhe) is registered on ``PHONE``. Returns the first slot's id."""
    tables.update(store, "slots", capacity=0)
    sites = store.site_ids()
    tianhe = sites["Tianhe Sports Centre"]
    tables.update(store, "slots", {"day": "2021-06-18", "start": "14:00", "site_id": tianhe},
                  capacity=1)  # fmt: skip
    taken = tables.slot_id(store, tianhe, "2021-06-18", "14:00")
    tables.update(store, "slots", {"day": "2021-06-19", "start": "08:00",
                                   "site_id": sites["Shipai Community Health Centre"]},
                  capacity=1)  # fmt: skip
    account = store.account_for("sms", PHONE, PHONE, clock())
    store.add_resident(
        account_id=account, name="张三", id_type="resident_id", id_number="440106197601011231",
        birth_date=date(1976, 1, 1), sex="M", phone=PHONE, district_id="tianhe", now=clock(),
        actor="test", channel="test",
    )  # fmt: skip
    return int(taken)


async def to_confirmation(http: Http) -> list[str]:
    """预约, 没有 to the health questions, home district, the first site, its only day: the
    confirmation."""
    for body in ["预约", "没有", "1"]:
        said = await http.twilio(body)
    assert "天河体育中心接种点 剩1" in said.twiml[0]
    said = await http.twilio("1")  # the site
    assert "6月18日 周五 剩1" in said.twiml[0]
    return (await http.twilio("1")).twiml  # its only day (and period)


def test_a_place_taken_at_confirmation_leads_to_another_choice_not_a_dead_end(
    store: Store, policy: Policy, clock: Clock
) -> None:
    taken = last_places(store, clock)

    async def scenario(http: Http) -> None:
        confirm = await to_confirmation(http)
        assert confirm[0].startswith("请确认：张三，第1剂，6月18日 周五 14:00-16:00")
        tables.update(store, "slots", {"id": taken}, booked=1)  # someone else
        said = (await http.twilio("1")).twiml[0]
        assert said.startswith(text("zh", "book.taken"))
        # It says "choose another site": the site that still has a place must be offered.
        assert "回复1 " in said and "石牌街社区卫生服务中心" in said, said

    serve(store, policy, clock, scenario)


def test_back_after_a_place_was_taken_does_not_confirm_the_lost_place_again(
    store: Store, policy: Policy, clock: Clock
) -> None:
    taken = last_places(store, clock)

    async def scenario(http: Http) -> None:
        confirm = await to_confirmation(http)
        tables.update(store, "slots", {"id": taken}, booked=1)
        assert (await http.twilio("1")).twiml[0].startswith(text("zh", "book.taken"))
        back = (await http.twilio("返回")).twiml[0]
        assert back != confirm[0], "返回 asks to confirm the place that is gone"

    serve(store, policy, clock, scenario)
