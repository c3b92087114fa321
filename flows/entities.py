"""What a resident's free text said: the interpreter's reading, as the flows use it.

The interpreter (``bot.nlu``) turns a message into an ``Intent`` name and ``Entities``; the flows
read the entities to fill their steps and the answers read them to be specific ("天河 booking
hours", "the interval for dose 2"). Kept here, below the engine, so that flows never import
``bot``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Literal

Part = Literal["morning", "afternoon", "evening"]

# The kinds of question hotlines answer all day (DESIGN.md §1 "Questions"); the interpreter's
# intent for each is ``ask.<topic>``.
TOPICS: tuple[str, ...] = (
    "pregnancy",  # pregnancy and breastfeeding
    "allergy",  # allergies
    "chronic",  # chronic disease, fever, illness
    "neuro",  # epilepsy, a progressive neurological disease, Guillain-Barre syndrome
    "age",  # age limits (under 18, 60+, 70+, 76+)
    "interval",  # days between doses
    "maker",  # which manufacturer for the next dose
    "bring",  # what to bring
    "observation",  # how long to stay after the shot
    "cost",  # it is free
    "hours",  # booking hours per district, maintenance
    "release",  # when places are released
    "walkin",  # walk-ins: none, appointment only
    "evening",  # evening sessions
    "mobile",  # mobile vaccination vehicles
    "accessible",  # accessibility
    "site",  # a site's address and opening hours
    "noshow",  # what happens after a missed appointment
    "residency",  # who may book here: any hukou, Hong Kong/Macau/Taiwan, foreigners (passport)
    "after",  # feeling unwell after the shot (fever, a sore arm): what to do
    "doctor",  # what the rules do not list (menstruation, another vaccine lately): the doctor
    "hotline",  # the hotline's number (policy contact.hotline); 人工 for a call-back
    "full",  # a complaint: no places, the system down (系统又崩了): why, the queue, 人工
    "certificate",  # proof of vaccination: where the record is (policy records.*)
    "busy",  # which site has the most free places (the store), then booking there
    "aftercare",  # bathing, drinking, food, exercise after the shot (policy aftercare.*)
    "sms",  # no SMS came: how to look (查询), and this phone's bookings again
    "weekend",  # sessions on Saturday and Sunday: the weekend days with places (the store)
)


@dataclass(frozen=True, slots=True)
class Entities:
    """Everything a message named that a flow or an answer can use; None when not said.

    ``district`` is a policy district key (``tianhe``); ``site`` a site id in the store;
    ``maker`` a manufacturer id from the policy (``sinovac``), the one named last (wanted);
    ``first_maker`` the one named first when a message names two (第一针科兴，第二针打国药:
    the maker of an earlier dose); ``first_district`` and ``first_site`` where an earlier dose
    was given, named in a clause that tells of it (佢第一针喺白云打嘅: not the place wanted,
    which ``district`` and ``site`` are); ``relation`` one of
    ``self``, ``mother``, ``father``, ``grandmother``, ``grandfather``, ``spouse``, ``child``,
    ``sibling``, ``other``, ``new`` (someone not on the phone yet: 再帮一个人约); ``dose`` 1, 2,
    3 … or 0 for "a booster" (the dose after the full course). ``not_day`` and ``not_part``: a
    day or part of day ruled out (星期六不行, 唔要朝早, not saturday), never in ``day``/``part``
    as well; ``by_hour`` / ``from_hour``: an hour as a bound (10点以前 / after 2pm);
    ``from_day`` / ``by_day``: a day as a bound (周三之后, before friday: ``flows.day_bounds``),
    never in ``day`` as well.
    """

    dose: int | None = None
    relation: str | None = None
    day: date | None = None
    part: Part | None = None
    hour: int | None = None
    district: str | None = None
    site: int | None = None
    maker: str | None = None
    first_maker: str | None = None
    first_district: str | None = None
    first_site: int | None = None
    weekend: bool = False
    weekdays: bool = False  # Monday to Friday only (平日, 周末唔得, not on weekends)
    same_site: bool = False  # where the last dose was given (原来嘅地方, same place as last time)
    week: date | None = None  # the Monday of the week wanted, when no day is said (下周)
    age: int | None = None
    born: int | None = None  # a year of birth said (1950年出世, born in 1950)
    too_far: date | None = None  # a day named beyond what can ever be booked (9999-12-31)
    not_day: date | None = None
    not_part: Part | None = None
    by_hour: int | None = None
    from_hour: int | None = None
    from_day: date | None = None  # after wednesday, 周三之后: the first day wanted (inclusive)
    by_day: date | None = None  # before friday, 星期五前: the last day wanted (inclusive)

    def said(self) -> dict[str, Any]:
        """The entities given, as plain values (dates as ISO text): for state and scoring."""
        out: dict[str, Any] = {}
        for key in _FIELDS:
            value = getattr(self, key)
            if value is None or value is False:
                continue
            out[key] = value.isoformat() if isinstance(value, date) else value
        return out

    @classmethod
    def load(cls, raw: dict[str, Any]) -> Entities:
        values = {k: v for k, v in raw.items() if k in _FIELDS}
        if isinstance(values.get("day"), str):
            values["day"] = date.fromisoformat(values["day"])
        for key in ("too_far", "week", "not_day", "from_day", "by_day"):
            if isinstance(values.get(key), str):
                values[key] = date.fromisoformat(values[key])
        return cls(**values)

    def __bool__(self) -> bool:
        return bool(self.said())


_FIELDS = tuple(f.name for f in fields(Entities))
