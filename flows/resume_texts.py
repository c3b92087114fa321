"""What was in progress, said to a resident back after hours (``flows.resume``), zh and en;
merged into ``flows.texts.TEXTS`` with the hours' texts."""

from __future__ import annotations

RESUME_TEXTS: dict[str, tuple[str, str]] = {
    "resume.book": (
        "您{hours}小时前在为{name}预约第{dose}剂",
        "{hours} h ago you were booking dose {dose} for {name}",
    ),
    "resume.book.at": (
        "您{hours}小时前在为{name}预约第{dose}剂（{place}）",
        "{hours} h ago you were booking dose {dose} for {name} ({place})",
    ),
    "resume.register.name": (
        "您{hours}小时前在登记{name}",
        "{hours} h ago you were registering {name}",
    ),
    "resume.book.any": (
        "您{hours}小时前在预约接种",
        "{hours} h ago you were booking a vaccination",
    ),
    "resume.register": ("您{hours}小时前在预登记", "{hours} h ago you were pre-registering"),
    "resume.reschedule": ("您{hours}小时前在改期", "{hours} h ago you were moving a booking"),
    "resume.cancel": ("您{hours}小时前在取消预约", "{hours} h ago you were cancelling a booking"),
    "resume.left": ("，还差：{left}。", "; still to do: {left}."),
    "left.person": ("选接种人", "who it is for"),
    "left.screening": ("健康问题", "the health questions"),
    "left.declare": ("第1针的记录", "the record of dose 1"),
    "left.where": ("接种地点", "the place"),
    "left.site": ("接种点", "the site"),
    "left.date": ("日期和时段", "the day and time"),
    "left.period": ("时段", "the time"),
    "left.companion": ("陪同家属", "the companion"),
    "left.confirm": ("确认", "your confirmation"),
    "left.queue": ("排队登记", "joining the queue"),
    "left.consent": ("同意须知", "agreeing to the notice"),
    "left.who": ("为谁登记", "who it is for"),
    "left.name": ("姓名及证件", "the name and ID"),
    "left.document": ("证件", "the ID"),
    "left.phone": ("手机号和居住区", "the mobile and district"),
    "left.home": ("居住区", "the district you live in"),
    "left.pick": ("选哪个预约", "which booking"),
}

# What is left at each step, by flow (the registration's "district" is where one lives).
LEFT: dict[str, str] = {
    "person": "left.person",
    "screening": "left.screening",
    "declare": "left.declare",
    "declare_date": "left.declare",
    "declare_maker": "left.declare",
    "declare_where": "left.declare",
    "where": "left.where",
    "district": "left.where",
    "site": "left.site",
    "date": "left.date",
    "period": "left.period",
    "companion_name": "left.companion",
    "companion_phone": "left.companion",
    "confirm": "left.confirm",
    "queue": "left.queue",
    "queue_period": "left.queue",
    "pick": "left.pick",
}
LEFT_REGISTER: dict[str, str] = {
    "consent": "left.consent",
    "who": "left.who",
    "who_name": "left.who",
    "name": "left.name",
    "document": "left.document",
    "id_number": "left.document",
    "passport": "left.document",
    "nationality": "left.document",
    "birth_date": "left.document",
    "phone": "left.phone",
    "home": "left.home",
    "district": "left.home",
}
