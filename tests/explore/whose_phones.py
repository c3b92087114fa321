"""Phones for the whose-bookings exploration (session 14): one, two and three people on a
phone, with and without bookings, built through the real engine on a copy of the seeded demo.
Used by ``run_whose.py`` (not a test)."""

from __future__ import annotations

from datetime import date

from flows.identity import check_character

SELF_ID = "440106199001011235"  # 张三
MOTHER_ID = "440106195205051222"  # 李秀英
FATHER_17 = "44010619650303101"
FATHER_ID = FATHER_17 + check_character(FATHER_17)  # 张建国
SELF = ("登记", "1", "1", "张三", "1", SELF_ID, "1", "1")
MOTHER = ("帮我妈妈登记", "1", f"李秀英 {MOTHER_ID}", "13900139000", "1")
FATHER = ("帮我爸爸登记", "1", f"张建国 {FATHER_ID}", "13900139001", "1")
BOOK_SELF = ("退出", "预约", "1", "没有", "1", "1", "3", "1", "1")
BOOK_ALONE = ("退出", "预约", "没有", "1", "1", "3", "1", "1")  # nobody else: not asked whom
BOOK_MOTHER = ("退出", "帮我妈约明天上午", "没有", "1", "1", "1", "1")
BOOK_FATHER = ("退出", "帮我爸约后天上午", "没有", "1", "1", "1", "1")

# name: (messages, dose 1 on record for these ID numbers)
PHONES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "p1_none": (SELF, ()),
    "p1_booked": ((*SELF, *BOOK_ALONE), ()),
    "p2_none": ((*SELF, *MOTHER), ()),
    "p2_mother": ((*SELF, *MOTHER, *BOOK_MOTHER), ()),
    "p2_both": ((*SELF, *MOTHER, *BOOK_MOTHER, *BOOK_SELF), ()),
    "p2_dose1": ((*SELF, *MOTHER), (MOTHER_ID,)),
    "p3_none": ((*SELF, *MOTHER, *FATHER), ()),
    "p3_all": ((*SELF, *MOTHER, *FATHER, *BOOK_MOTHER, *BOOK_FATHER, *BOOK_SELF), ()),
    "p3_two": ((*SELF, *MOTHER, *FATHER, *BOOK_MOTHER, *BOOK_FATHER), ()),
    "p3_dose1": ((*SELF, *MOTHER, *FATHER, *BOOK_MOTHER), (FATHER_ID,)),
}
DOSE_1_DAY = date(2021, 5, 20)
