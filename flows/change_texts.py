"""What the bot says when a booking is cancelled or moved (flows/changes.py), and about whose
bookings on a phone of several people (flows/whose.py): a relative not registered here, the
others on the phone, cancelling them all; a district typed where a site is asked. Merged into
``flows.texts.TEXTS``."""

from __future__ import annotations

CHANGE_TEXTS: dict[str, tuple[str, str]] = {
    # -- cancel and reschedule -----------------------------------------------------------------
    "change.none": ("您名下没有有效预约。", "You have no active booking."),
    "change.book_instead": ("按所说时间预约接种", "Book a vaccination for that time"),
    "change.none_of": (
        "{name}没有有效预约，回复 查询 看本机的预约。",
        "{name} has no active booking. Reply STATUS for this phone's bookings.",
    ),
    "change.pick": ("请选择预约：", "Which booking?"),
    "change.label": ("{name} 第{dose}剂 {day} {period}", "{name} dose {dose} {day} {period}"),
    "change.gone": (
        "该预约已不存在或已取消。回复 查询 查看。",
        "That booking is no longer active. Reply STATUS to check.",
    ),
    "cancel.ask": (
        "确认取消{name}第{dose}剂预约（{day} {period} {site}）？",
        "Cancel {name}'s dose-{dose} booking ({day} {period}, {site})?",
    ),
    "cancel.yes": ("确认取消", "Yes, cancel it"),
    "cancel.no": ("不取消", "No, keep it"),
    "cancel.done": (
        "已取消预约{code}，名额已释放。",
        "Booking {code} cancelled; the place is freed.",
    ),
    "cancel.kept": ("未取消，预约保留。", "Not cancelled: the booking stands."),
    "cancel.too_late": (
        "须至少提前{days}天取消，现已不能取消。未按时接种将计爽约，超过{limit}次将不能自助预约。"
        "特殊情况请回复 人工。",
        "Bookings can be cancelled up to {days} day(s) before; too late now. A missed "
        "appointment counts as a no-show; more than {limit} bar self-service booking. "
        "Something serious? Reply AGENT.",
    ),
    "reschedule.too_late": (
        "须至少提前{days}天改期，现已不能改期。未按时接种将计爽约，超过{limit}次将不能自助预约。"
        "特殊情况请回复 人工。",
        "Bookings can be changed up to {days} day(s) before; too late now. A missed "
        "appointment counts as a no-show; more than {limit} bar self-service booking. "
        "Something serious? Reply AGENT.",
    ),
    "reschedule.intro": (
        "为{name}改期（原预约{day} {period}，新时间约好后才释放）。",
        "Changing {name}'s booking ({day} {period}; kept until the new one is secured).",
    ),
    "reschedule.success": (
        "改期成功！预约码{code}。{name}，第{dose}剂，{day} {period}，{site}，{address}。"
        "原时段已释放。",
        "Changed! Code {code}. {name}, dose {dose}, {day} {period}, {site}, {address}. "
        "The old time is freed.",
    ),
    "whose.not_here": (
        "本机未登记您的{who}，无法查询或更改其预约。如{who}用其他手机登记，请用该手机查询；"
        "要为{who}登记，回复 登记。",
        "Your {who} is not registered on this phone, so their bookings can't be seen or "
        "changed here. If registered from another phone, ask from that phone; to register "
        "them here, reply REGISTER.",
    ),
    "whose.others": (
        "本机还有{n}人，回复 查询 看全部。",
        "{n} more on this phone: reply STATUS for all.",
    ),
    "whose.mother": ("母亲", "mother"),
    "whose.father": ("父亲", "father"),
    "whose.grandmother": ("祖母/外婆", "grandmother"),
    "whose.grandfather": ("祖父/外公", "grandfather"),
    "whose.spouse": ("配偶", "spouse"),
    "whose.child": ("子女", "child"),
    "whose.sibling": ("兄弟姐妹", "brother or sister"),
    "whose.mother_in_law": ("岳母/婆婆", "mother-in-law"),
    "whose.father_in_law": ("岳父/公公", "father-in-law"),
    "whose.grandchild": ("孙辈", "grandchild"),
    # -- cancelling everyone's ----------------------------------------------------------------
    "cancel_all.ask": (
        "确认取消以下{n}个预约？\n{lines}",
        "Cancel these {n} bookings?\n{lines}",
    ),
    "cancel_all.late": (
        "（{lines}：当天不能取消）",
        "({lines}: too late to cancel)",
    ),
    "cancel_all.yes": ("确认全部取消", "Yes, cancel them all"),
    "cancel_all.done": (
        "已取消{n}个预约（{codes}），名额已释放。",
        "{n} bookings cancelled ({codes}); the places are freed.",
    ),
    "reschedule.one_at_a_time": (
        "改期一次改一个预约，请先选一个：",
        "Bookings are changed one at a time; choose one first:",
    ),
    # -- a district typed at the site question (flows/site_district.py) ----------------------
    "book.site.district_same": (
        "这些就是{district}的接种点。",
        "These are the sites in {district}.",
    ),
    "book.site.district_other": (
        "现在列出的是{current}的接种点。要换到{district}吗？",
        "These are the sites in {current}. Switch to {district}?",
    ),
    "book.site.district_switch": ("换到{district}", "Switch to {district}"),
    "book.site.district_stay": ("留在{current}", "Stay in {current}"),
}
