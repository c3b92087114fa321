"""Texts of a day or time of day ruled out (``flows.refusals``) and of no preference or the
soonest place wanted (``flows.soonest``)."""

from __future__ import annotations

REFUSAL_TEXTS: dict[str, tuple[str, str]] = {
    "refuse.day": ("好的，不约{day}。", "OK, not {day}."),
    "refuse.weekend": ("好的，不约周末。", "OK, not at the weekend."),
    "refuse.part": ("好的，不要{part}。", "OK, not in the {part}."),
    "refuse.part_full": (
        "好的，不要{part}；{day}其他时段已无名额，请另选日期。",
        "OK, not in the {part}; {day} has no other places. Choose another date.",
    ),
    "refuse.none_left": (
        "好的，不约{day}；此接种点没有其他可约日期。",
        "OK, not {day}; this site has no other dates.",
    ),
    "time.kept": ("好的，只约{what}的时段。", "OK, only periods {what}."),
    "time.none_here": (
        "此接种点没有{what}的时段（时段在{first}至{last}之间）。",
        "This site has no periods {what}; its periods run from {first} to {last}.",
    ),
    "time.none": ("没有{what}的可约时段。", "No places left {what}."),
    "time.by": ("{time}前结束", "ending by {time}"),
    "time.by.start": ("{time}前开始", "starting before {time}"),
    "time.from": ("{time}后开始", "starting from {time}"),
    "time.at": ("含{time}", "at {time}"),
    "bound.from": ("{day}起", "from {day}"),
    "bound.by": ("{day}及以前", "up to {day}"),
    "bound.kept": ("好的，只约{what}的日期。", "OK, only dates {what}."),
    "bound.none": (
        "{what}暂无可约日期（名额只提前{n}天放出）。",
        "No dates {what} yet (places are released only {n} days ahead).",
    ),
    "soonest.picked": ("已为您选最早可约：{what}。", "The earliest place: {what}."),
    "soonest.none": (
        "暂无可约名额。可回复 排队 登记候补，或回复 人工。",
        "No places left to book. Reply QUEUE to join the waiting list, or AGENT.",
    ),
    "soonest.either_full": (
        "{first}和{second}都已无名额，最近可约：",
        "No places on {first} or {second}. Nearest dates:",
    ),
    "later.first": (
        "名额只提前{n}天放出，那么远的还不能约，稍后可选最近的日子。",
        "Places are released only {n} days ahead, so that is too far yet: choose from the soonest.",
    ),
    "later.not_yet": (
        "名额只提前{n}天放出，还不能约那么远。最近可约：",
        "Places are released only {n} days ahead; that is too far yet. Soonest dates:",
    ),
}
