"""What vaxbot says about privacy: the separate consent to health information, documents that
cannot be registered here (saying nothing about who holds them), the daily cap on ID numbers
tried, link codes and links, and undoing them (zh, en; merged into ``flows.texts.TEXTS``)."""

PRIVACY_TEXT: dict[str, tuple[str, str]] = {
    "reg.consent": (
        "预登记须知：请如实填写，仅用于疫苗预约和接种核对。\n"
        "健康信息（单独同意）：过敏、怀孕等属敏感信息，仅用于接种筛查，接种后限期删除。"
        "回复1即同意两项。",
        "Pre-registration: give true details; used only to book and verify your vaccination.\n"
        "Health information (agreed separately): allergies, pregnancy etc. are sensitive; used "
        "only for screening, deleted after. 1 agrees to both.",
    ),
    "reg.id_kept": ("证件号码已记下。", "ID number noted."),
    "reg.consent.again": (
        "回复1同意上面的须知（含健康信息），继续。",
        "Reply 1 to agree to the notice above (health information included) and go on.",
    ),
    "reg.agree": ("同意", "I agree"),
    "reg.decline": ("不同意", "I do not agree"),
    "reg.agree_notice_only": ("只同意须知，不提供健康信息", "Only the notice, no health info"),
    "reg.health_declined": (
        "未同意健康信息：无法在线筛查和预约，不会保存任何信息。可回复 人工 由客服协助。",
        "Health information not agreed: online screening and booking are not possible; "
        "nothing was stored. Reply AGENT for help.",
    ),
    "reg.id.unavailable": (
        "该证件暂不能在此登记。如为家人登记，请由原登记的家人操作；或回复 人工 由客服核实。",
        "This ID cannot be registered here. For a family member, ask whoever registered "
        "them; or reply AGENT to have it checked.",
    ),
    "reg.id.yours": (
        "{name}已在本号码登记，无需再登记。回复 查询 查看。",
        "{name} is already registered on this number. Reply STATUS to see.",
    ),
    "reg.id.too_many": (
        "今天尝试登记的证件号码已达上限，请明天再试，或回复 人工。",
        "Too many ID numbers tried today. Try again tomorrow, or reply AGENT.",
    ),
    "reg.id.attempt_notice": (
        "【疫苗预约】有人尝试在另一个号码登记{name}的证件，未成功。如有疑问请致电客服热线。",
        "[Vaccination] Someone tried to register {name}'s ID from another number; it was "
        "refused. Questions? Call the hotline.",
    ),
    "link.too_many": (
        "该手机号1小时内验证码已发送过多，请稍后再试。",
        "Too many codes were sent to that number this hour. Please try later.",
    ),
    "link.notice.telegram": (
        "【疫苗预约】您的预约账户刚绑定了新的Telegram账号。如非本人操作，回复 解绑 即可全部解除。",
        "[Vaccination] A new Telegram chat was just linked to your booking account. Not you? "
        "Reply UNLINK to remove every link.",
    ),
    "link.notice.email": (
        "【疫苗预约】您的预约账户刚绑定了新的邮箱。如非本人操作，回复 解绑 即可全部解除。",
        "[Vaccination] A new email address was just linked to your booking account. Not you? "
        "Reply UNLINK to remove every link.",
    ),
    "link.notice.other": (
        "【疫苗预约】您的预约账户刚绑定了新的聊天账号。如非本人操作，回复 解绑 即可全部解除。",
        "[Vaccination] A new chat was just linked to your booking account. Not you? "
        "Reply UNLINK to remove every link.",
    ),
    "unlink.done": (
        "已解除{n}个绑定：它们不能再查看和管理本号码名下的预约。",
        "{n} link(s) removed: they can no longer see or manage this number's bookings.",
    ),
    "unlink.none": ("本号码没有绑定其他账号。", "Nothing is linked to this number."),
    "unlink.sms_only": (
        "请用手机短信发送 解绑：解除该号码的全部绑定。",
        "Send UNLINK by SMS from the phone to remove its links.",
    ),
}
