"""Texts of a change of mind inside a flow (``flows.minds``)."""

from __future__ import annotations

MIND_TEXTS: dict[str, tuple[str, str]] = {
    "book.near": ("按居住地{district}，地址如下：", "Near home, in {district}; their addresses:"),
    "mind.kept": (
        "好的，不改了，原预约不变。回复 菜单 查看其他服务。",
        "OK, nothing changed: your booking stays as it is. Reply MENU for more.",
    ),
    "mind.kept.cancel": (
        "好的，不取消，原预约不变。回复 菜单 查看其他服务。",
        "OK, not cancelled: your booking stays as it is. Reply MENU for more.",
    ),
    "mind.stopped": (
        "好的，已停止，未保存本次填写。回复 预约 可重新开始。",
        "OK, stopped. Nothing was saved. Reply BOOK to start again.",
    ),
    "mind.hold": (
        "好的，还没有预约（名额未保留），想好了再回复。",
        "OK, nothing is booked yet (the place is not held). Reply when you are ready.",
    ),
    "mind.hold.cancel": (
        "好的，还没有取消，想好了再回复。",
        "OK, nothing is cancelled yet. Reply when you are ready.",
    ),
    "mind.hold.move": (
        "好的，还没有改期，原预约不变，想好了再回复。",
        "OK, nothing is changed yet: your booking stays as it is. Reply when you are ready.",
    ),
    "mind.wait": ("好的，不急，想好了再回复。", "OK, no hurry: reply when you are ready."),
    "mind.fix": ("好的，请重新填写。", "OK, please give it again."),
    "mind.fix.here": ("好的，请重新回答：", "OK, once more:"),
    "mind.fix.registered": (
        "已登记的姓名、证件或手机号如需更正，请回复 人工，由工作人员核实修改。",
        "A registered name, ID or phone is corrected by staff: reply AGENT.",
    ),
    "mind.why.id_number": (
        "证件用于核对接种人身份（接种时须出示同一证件），加密保存，仅用于预约和接种。",
        "The ID is used to verify who is vaccinated (show the same one on site); it is stored "
        "encrypted, for booking and vaccination only.",
    ),
    "mind.why.document": (
        "证件用于核对接种人身份（接种时须出示同一证件），加密保存，仅用于预约和接种。",
        "The ID is used to verify who is vaccinated (show the same one on site); it is stored "
        "encrypted, for booking and vaccination only.",
    ),
    "mind.why.phone": (
        "手机号用于接收预约短信、提醒和改期通知，不作他用。",
        "The mobile number gets the booking SMS, reminders and notices; nothing else.",
    ),
    "mind.why.home": (
        "居住区用于优先推荐附近接种点和排队分配。",
        "Your home district is used to suggest nearby sites and in the queue.",
    ),
    "mind.confused.pick": (
        "请回复选项前的数字（如 1）；有疑问可回复 人工。",
        "Reply with the number in front of an option (e.g. 1), or AGENT for help.",
    ),
    "mind.what_now": (
        "请直接回答下面的问题（有选项的回复数字）；有疑问可回复 人工。",
        "Just answer the question below (a number for an option), or AGENT for help.",
    ),
    "mind.confused.type": (
        "请按下面的提示直接输入；有疑问可回复 人工。",
        "Type the answer asked for below, or AGENT for help.",
    ),
    "mind.other_day": ("好的，换一天。", "OK, another day."),
    "mind.other_time": ("好的，换个时间。", "OK, another time."),
    "mind.id_unknown": (
        "身份证号为18位，印在证件正面下方。暂时没有可回复 退出，备好后再来；或回复 人工。",
        "The ID number (18 characters) is on the front of the card. Reply QUIT and come back "
        "with it, or AGENT for help.",
    ),
    "mind.passport_unknown": (
        "护照号码印在护照照片页。暂时没有可回复 退出，备好后再来；或回复 人工。",
        "The passport number is on the photo page. Reply QUIT and come back with it, or AGENT "
        "for help.",
    ),
    "mind.phone_unknown": (
        "不知道其号码或其没有手机，可回复1使用本机号码。",
        "If you don't know their number or they have no phone, reply 1 to use this one.",
    ),
    "mind.phone_unknown.none": (
        "没有或不知道其号码，可输入家人的手机号。",
        "No number or not known: type a family member's mobile number.",
    ),
    "mind.no_phone": (
        "无法取得本机号码，请输入11位手机号码（可填家人的）。",
        "This channel has no number of yours: type an 11-digit mobile (a family member's will do).",
    ),
    "mind.same_maker": (
        "第2针起须与第1针同厂家（{product}），不能换{wanted}。",
        "Later doses must match dose 1's maker ({product}), not {wanted}.",
    ),
    "reg.who.asked": (
        "本人或家人均可登记：为自己登记回复1，为家人或他人代办回复2。",
        "You may register yourself or a family member: reply 1 for yourself, 2 for someone else.",
    ),
    "reg.who.name": (
        "是为您本人（{name}）登记吗？",
        "Are you registering yourself ({name})?",
    ),
    "reg.who.name.self": ("是，我本人", "Yes, myself"),
    "reg.who.name.other": ("不是，为家人或他人", "No, someone else"),
}
