"""What the free-text tests share: a resident, their mother, and dose 1 on record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from bot.messages import Reply
from store import Dose, Store
from tests.conftest import Clock, Phone

PHONE = "+8613800138000"
ZHANG = "440106199001011235"
MOTHER = "440106195205051222"
REGISTER_SELF = ("登记", "1", "1", "张三", "1", ZHANG, "1", "1")
# register oneself, the mother (as 妈妈), and book her for tomorrow morning
MOTHER_BOOKED = (
    *REGISTER_SELF,
    "帮我妈妈登记",
    "1",
    f"李秀英 {MOTHER}",
    "13900139000",
    "1",
    "帮我妈约明天上午",
    "没有",
    "1",
    "1",
    "1",
    "1",
)
AGAIN = ("退出", "预约", "没有")  # registered: straight to the health questions, then district


def texts(replies: list[Reply]) -> str:
    return "\n".join(reply.text for reply in replies)


def with_dose_1(phone: Phone, store: Store, clock: Clock, day: str = "2021-05-20") -> int:
    phone.run(*REGISTER_SELF)
    resident = store.resident_by_document("resident_id", ZHANG)
    assert resident is not None
    store.add_dose(
        Dose(resident.id, 1, date.fromisoformat(day), "coronavac", 1, "import"), clock(), "t", "t"
    )
    return resident.id


def each(
    phone: Phone, first: tuple[str, ...], then: tuple[str, ...], texts: list[str]
) -> Iterator[tuple[str, list[Reply]]]:
    """The replies to each of ``texts``, sent at the step ``first`` (the first time) or
    ``AGAIN`` + ``then`` (each time after) leads to."""
    phone.run(*first)
    for n, text in enumerate(texts):
        if n:
            phone.run(*AGAIN, *then)
        yield text, phone.send(text)
