"""What the 通知方式 / NOTIFY flow says (zh, en; merged into ``flows.texts.TEXTS``)."""

NOTIFY_TEXTS: dict[str, tuple[str, str]] = {
    "notify.ask": ("通知（提醒、名额、预约确认）发到哪里？现在：{current}",
                   "Where should notices (reminders, offers, confirmations) go? Now: {current}"),
    "notify.last": ("最近使用的方式", "Where I last wrote"),
    "notify.done": ("好的，以后通知发到：{current}。", "Done: notices will go to {current}."),
    "notify.bad": ("请回复选项的数字。", "Please reply with an option's number."),
    "notify.sms": ("短信", "SMS"),
    "notify.wechat": ("微信", "WeChat"),
    "notify.telegram": ("Telegram 电报", "Telegram"),
    "notify.email": ("电子邮件", "Email"),
}  # fmt: skip
