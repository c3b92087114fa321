"""What the free-text tests share: a resident, their mother, and dose 1 on record."""

from __future__ import annotations

from datetime import date

from bot.messages import Reply
from store import Dose, Store
from tests.conftest import Clock, Phone

PHONE = "+8613800138000"
ZHANG = "440106199001011235"
MOTHER = "440106195205051222"
REGISTER_SELF = ("登记", "1", "1", "张三", "1", ZHANG, "1", "1")


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
