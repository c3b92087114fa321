"""Texts of the checked fields (nationality) and of a missed appointment (``flows.missed``)."""

from __future__ import annotations

FIELD_TEXTS: dict[str, tuple[str, str]] = {
    "reg.nationality_bad": (
        "未能识别国籍。请填写国家或地区，例如：美国、英国、USA：",
        "Not a country or region we know. Type the nationality, e.g. United Kingdom, USA:",
    ),
    "reg.nationality_ok": ("国籍：{country}。", "Nationality: {country}."),
    "reg.nationality_date": (
        "已记下出生日期{day}。请填写国籍，例如：美国：",
        "Date of birth {day} noted. First the nationality, e.g. United Kingdom:",
    ),
    "missed.booking": (
        "{day}的预约已过（未接种）。",
        "The appointment on {day} has passed (no vaccination recorded).",
    ),
    "missed.count": (
        "已计爽约{n}次，第{nth}次起不能自助预约。",
        "No-shows: {n} (from no-show {nth} on, booking here is barred).",
    ),
    "missed.rebook": ("回复 预约 重新预约。", "Reply BOOK to book again."),
    "missed.barred": (
        "爽约已超过{limit}次，请致电热线{hotline}或联系居委会预约。",
        "More than {limit} no-shows: please call the hotline {hotline} or your neighbourhood "
        "committee to book.",
    ),
}
