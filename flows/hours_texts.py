"""What vaxbot says about when booking is open: maintenance, a district's hours, when it opens
next, a booking too close to change once made, and a conversation left unfinished too long
(zh, en; merged into ``flows.texts.TEXTS``), and what was in progress, said to one back after
hours (``flows.resume_texts``)."""

from flows.resume_texts import RESUME_TEXTS

HOURS_TEXTS: dict[str, tuple[str, str]] = {
    **RESUME_TEXTS,
    "book.maintenance": (
        "每天{window}为系统维护时间，暂停预约。",
        "Booking is closed for maintenance every day {window}.",
    ),
    "book.opens_today": ("{district}今天{start}起可约。", " {district}: from {start} today."),
    "book.opens_tomorrow": ("{district}明天{start}起可约。", " {district}: from {start} tomorrow."),
    "book.final_today": (
        "注意：当天的预约确认后不能取消或改期，未到将计爽约。",
        "Note: a booking for today cannot be cancelled or changed once confirmed; not coming "
        "counts as a missed appointment.",
    ),
    "book.final": (
        "注意：接种前{days}天内的预约，确认后不能取消或改期，未到将计爽约。",
        "Note: within {days} days of the shot, a booking cannot be cancelled or changed once "
        "confirmed; not coming counts as a missed appointment.",
    ),
    "time.invalid": ("{time}不是有效的时间。", "{time} is not a valid time."),
    "flow.expired": ("上次未完成的操作已超时结束。", "What you left unfinished earlier has ended."),
    "book.next_today": ("今天{start}起可约。", " Open from {start} today."),
    "book.next_tomorrow": ("明天{start}起可约。", " Open from {start} tomorrow."),
    "book.closed": (
        "{district}每天{window}开放预约，现在不能预约。",
        "{district} takes bookings daily {window}; it is closed now.",
    ),
}
