"""What residents read about public holidays at the date step, in Chinese and English.
Merged into ``flows.texts.TEXTS``; holiday keys are chinese-calendar's ``Holiday`` names."""

from __future__ import annotations

HOLIDAY_TEXTS: dict[str, tuple[str, str]] = {
    "book.holiday_closed": (
        "{day}{holiday}放假（{first}至{last}），接种点不开，最近可约：",
        "{day}: the site is closed for {holiday} ({first} to {last}). Nearest dates with places:",
    ),
    "book.holiday_closed_day": (
        "{day}{holiday}放假，接种点不开，最近可约：",
        "{day}: the site is closed for {holiday}. Nearest dates with places:",
    ),
    "book.holiday_in_week": (
        "{holiday}放假（{first}至{last}），接种点不开。",
        "The site is closed for {holiday} ({first} to {last}). ",
    ),
    "holiday.new_years_day": ("元旦", "New Year's Day"),
    "holiday.spring_festival": ("春节", "Chinese New Year"),
    "holiday.tomb_sweeping_day": ("清明节", "Qingming"),
    "holiday.labour_day": ("劳动节", "Labour Day"),
    "holiday.dragon_boat_festival": ("端午节", "the Dragon Boat Festival"),
    "holiday.national_day": ("国庆节", "National Day"),
    "holiday.mid_autumn_festival": ("中秋节", "the Mid-Autumn Festival"),
    "holiday.anti_fascist_70th_day": ("抗战胜利纪念日", "Victory Day"),
}
