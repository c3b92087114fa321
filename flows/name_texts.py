"""Texts of the name questions (``flows.names``): a name asked again, no companion; the
details a request said, taken (``flows.said_details``)."""

from __future__ import annotations

NAME_TEXTS: dict[str, tuple[str, str]] = {
    "name.only": ("请只回复姓名，如 张三。", "Please reply with the name only, e.g. Zhang San."),
    "name.nonsense": (
        "这不像姓名，请填写真实姓名（与证件一致），如 张三。",
        "That does not look like a name. Please type the real name as on the ID, e.g. Zhang San.",
    ),
    "name.what": (
        "请填写要接种的人的姓名，与身份证或护照上的一致，如 张三。",
        "Type the name of the person to be vaccinated, as on their ID card or passport, "
        "e.g. Zhang San.",
    ),
    "companion.nobody": (
        "{min}岁及以上须有家属陪同接种。家人暂不能陪同可另约日期，或回复 人工 协助。"
        "请输入陪同家属姓名：",
        "People aged {min}+ must come with a family member. Book a day they can come, "
        "or reply AGENT for help. The family member's name:",
    ),
    "reg.id.unavailable.again": (
        "该证件暂不能在此登记（家人的请由原登记者操作）。可输入其他证件号，或回复 人工。",
        "This ID cannot be registered here (a family member's: ask whoever registered "
        "them). Type another ID number, or reply AGENT.",
    ),
    "reschedule.companion_kept": (
        "陪同家属（同原预约）：{companion} {phone}。",
        "Companion (as booked): {companion}, {phone}.",
    ),
    "reschedule.companion_change": ("更换陪同家属", "Change the companion"),
    "book.booster_not_yet": (
        "按记录，{name}本次应打第{dose}针（还不是加强针）。",
        "By the records, {name} is due dose {dose} (not a booster yet).",
    ),
    "book.who.several": (
        "{names}都可能是，请回复序号。",
        "That could be {names}: reply with the number.",
    ),
    "said.taken": ("已按您所说记下：{details}。", "Taken from your message: {details}."),
    "said.id": ("身份证{number}", "ID {number}"),
    "said.phone": ("手机{phone}", "mobile {phone}"),
    "said.names": (
        "您写了两个名字（{names}），请问接种人是哪一位？",
        "You gave two names ({names}): which is the person to be vaccinated?",
    ),
    "said.phones": (
        "您写了两个号码（{phones}），请问接种人的手机号是哪个？",
        "You gave two numbers ({phones}): which is the mobile of the person to be vaccinated?",
    ),
}
