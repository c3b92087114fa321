"""What residents read after booking, in Chinese and English: notices (reminders, alerts),
linking a chat to a phone, the calendar entry, offers from the queue and the status lines.
Merged into ``flows.texts.TEXTS``."""

from __future__ import annotations

LATER_TEXTS: dict[str, tuple[str, str]] = {
    # -- notifications ---------------------------------------------------------------------------
    "reminder": (
        "提醒：{name}明天（{day}）{period}在{site}接种第{dose}剂，预约码{code}。请带身份证件。",
        "Reminder: {name}, dose {dose} tomorrow ({day}) {period} at {site}, code {code}. "
        "Bring the ID document.",
    ),
    "reminder.today": (
        "提醒：{name}今天（{day}）{period}在{site}接种第{dose}剂，预约码{code}。请带身份证件。",
        "Reminder: {name}, dose {dose} today ({day}) {period} at {site}, code {code}. "
        "Bring the ID document.",
    ),
    "alert.blue": (
        "{name}的第{dose}剂已可预约，回复 预约 即可。回复 退订 不再提醒。",
        "{name} can now book dose {dose}: reply BOOK. Reply STOP for no more reminders.",
    ),
    "alert.yellow": (
        "{name}的第{dose}剂已逾期，请尽快回复 预约 或致电热线。",
        "{name}'s dose {dose} is overdue: reply BOOK soon or call the hotline.",
    ),
    "alert.red": (
        "紧急：{name}的第{dose}剂须在{day}前接种，请尽快回复 预约 或致电热线。",
        "Urgent: {name} must have dose {dose} by {day}. Reply BOOK or call the hotline.",
    ),
    "optout.done": (
        "已退订通知。仍可随时发送 预约 或 查询。回复 订阅 恢复通知。",
        "Notifications stopped. You can still send BOOK or STATUS. Reply START to resume.",
    ),
    "optin.done": ("已恢复通知。", "Notifications resumed."),
    # -- linking an identity ----------------------------------------------------------------------
    "link.already": (
        "短信渠道即以手机号识别，无需绑定。",
        "By SMS your number is your identity: nothing to link.",
    ),
    "link.phone": (
        "请输入您短信预约时使用的手机号，我们将发送验证码：",
        "Enter the mobile number you use by SMS; we will text it a code:",
    ),
    "link.sms": (
        "验证码{code}，用于绑定疫苗预约账户，10分钟内有效。非本人操作请忽略。",
        "Code {code} links your vaccination booking account; valid 10 minutes. Not you? Ignore it.",
    ),
    "link.code": (
        "验证码已发送到{phone}，请回复6位验证码：",
        "A code was sent to {phone}. Reply with the 6 digits:",
    ),
    "link.wrong": ("验证码不对，请重新输入。", "That code is not right. Please try again."),
    "link.expired": (
        "验证码已失效，请重新发送 绑定。",
        "The code has expired or was tried too often. Send LINK again.",
    ),
    "link.done": (
        "绑定成功！可在此查看和管理{phone}名下的预约。",
        "Linked! You can now see and manage the bookings of {phone} here.",
    ),
    # -- the calendar entry sent with a confirmation (.ics) -----------------------------------
    "ics.summary": ("新冠疫苗第{dose}剂（{name}）", "COVID-19 vaccination, dose {dose} ({name})"),
    "ics.note": (
        "预约码 {code}。请携带本人身份证件，接种后留观{minutes}分钟。",
        "Booking code {code}. Bring your ID document; stay {minutes} minutes after.",
    ),
    # -- offers from the queue -----------------------------------------------------------------
    "offer.sms": (
        "{name}的接种名额：{day} {period} {site}。回复1接受，回复2放弃，{until}前有效。",
        "A place for {name}: {day} {period}, {site}. Reply 1 to accept, 2 to decline, by {until}.",
    ),
    "offer.expired": (
        "{name}未在{until}前确认，{day} {period}的名额已让给他人。仍需接种请回复 预约。",
        "{name}'s place ({day} {period}) was not accepted by {until} and went to someone "
        "else. Still need it? Reply BOOK.",
    ),
    "offer.accepted": (
        "已接受。预约码{code}：{name}，第{dose}剂，{day} {period}，{site}，{address}。"
        "请带预约所用证件，接种后留观30分钟。",
        "Accepted. Code {code}: {name}, dose {dose}, {day} {period}, {site}, {address}. "
        "Bring the ID used to book; stay 30 min after.",
    ),
    "offer.declined": (
        "已放弃该名额。如需预约请回复 预约。",
        "Place declined. Reply BOOK to book another time.",
    ),
    "offer.which.accept": (
        "有{n}个名额等您确认，接受哪一个？",
        "{n} places are waiting for your answer. Which one do you accept?",
    ),
    "offer.which.decline": (
        "有{n}个名额等您确认，放弃哪一个？",
        "{n} places are waiting for your answer. Which one do you decline?",
    ),
    "offer.more": (
        "还有{n}个名额等您确认，回复1接受、回复2放弃。",
        "{n} more waiting for your answer: reply 1 to accept, 2 to decline.",
    ),
    "offer.closed": (
        "该名额已过期或已处理。回复 预约 重新预约。",
        "That offer has expired or was already answered. Reply BOOK to book.",
    ),
    "offer.already": (
        "{name}已有预约，该名额已释放给他人。",
        "{name} already has a booking; the offered place went to someone else.",
    ),
    # -- status --------------------------------------------------------------------------------
    "status.none": (
        "此号码还没有登记接种人。回复 预约 开始。",
        "No one is registered with this number yet. Reply BOOK to start.",
    ),
    "status.person": ("{name}：预登记码{code}", "{name}: pre-registration code {code}"),
    "status.booking": (
        "第{dose}剂 {day} {period} {site} 预约码{code}",
        "dose {dose} {day} {period} {site}, code {code}",
    ),
    "status.no_booking": ("暂无预约", "no booking"),
    "status.dose": ("已接种第{dose}剂 {day} {product}", "dose {dose} received {day}, {product}"),
    "status.next_due": ("第{dose}剂{day}起可约", "dose {dose} can be booked from {day}"),
    "status.complete": ("已完成全部接种", "all doses done"),
    "status.queued": (
        "{from_day}起排队（第{dose}剂），第{n}位，有名额时短信通知",
        "queued for dose {dose} since {from_day}, number {n}: we text when a place is found",
    ),
    "status.queued.off": (
        "{phone}已退订短信，暂不分配名额；该号码回复 订阅 即恢复",
        "{phone} opted out of texts, so no place is offered; reply START from it to resume",
    ),
    # an open offer told by 查询: outside a flow a bare 1/2 answers it, as after the offer SMS;
    # inside another flow it would answer that flow's question, so the command words are told
    "status.offer": (
        "待确认名额：{day} {period} {site}。回复1接受，回复2放弃，{until}前有效。",
        "Place offered: {day} {period}, {site}. Reply 1 to accept, 2 to decline, by {until}.",
    ),
    "status.offer.words": (
        "待确认名额：{day} {period} {site}。回复 接受 或 放弃，{until}前有效。",
        "Place offered: {day} {period}, {site}. Reply ACCEPT or DECLINE by {until}.",
    ),
    "status.barred": (
        "爽约超过{n}次，请致电热线预约",
        "more than {n} missed appointments: please call the hotline",
    ),
}
