"""Texts of the checked fields (nationality, a document named in words) and of a missed
appointment (``flows.missed``)."""

from __future__ import annotations

FIELD_TEXTS: dict[str, tuple[str, str]] = {
    "reg.nationality_bad": (
        "未能识别国籍。请填写国家或地区，例如：美国、英国、USA：",
        "Not a country or region we know. Type the nationality, e.g. United Kingdom, USA:",
    ),
    "reg.nationality_ok": ("国籍：{country}。", "Nationality: {country}."),
    "reg.nationality_date": (
        "已记下出生日期{day}。请填写国籍，例如：美国：",
        "Date of birth {day} noted. First the nationality, e.g. United Kingdom:",
    ),
    "reg.document.permit": (
        "用回乡证/台胞证登记。",
        "Registering with your Mainland Travel Permit.",
    ),
    "reg.document.hmt": ("回乡证、台胞证", "Mainland Travel Permit"),
    "reg.permit": ("请输入通行证号码：", "Enter the permit number:"),
    "reg.permit.region": (
        "请填写所属地区：香港、澳门或台湾：",
        "Which region issued it: Hong Kong, Macau or Taiwan?",
    ),
    "reg.permit.region_ok": ("地区：{region}。", "Region: {region}."),
    "reg.document.residence": (
        "外国人请用护照登记（居留许可在护照上）。",
        "Register with your passport (the residence permit is in it).",
    ),
    "reg.document.mainland": (
        "港澳通行证不能用于登记，请用居民身份证。",
        "A mainland travel permit cannot be used: register with the resident ID card.",
    ),
    "reg.document.hmt_residence": (
        "港澳台居民居住证的18位号码按身份证填写。",
        "A Hong Kong, Macau or Taiwan residence permit's 18-character number is typed as an ID.",
    ),
    "reg.document.other": (
        "只能用居民身份证或护照登记。",
        "Only a resident ID card or a passport can be used.",
    ),
    "reg.document.no_id": (
        "没有身份证可回复2用护照登记，或回复 人工。",
        "No ID card? Reply 2 to register with a passport, or AGENT for help.",
    ),
    "reg.age.aged": ("{age}岁", "aged {age}"),
    "reg.age.born": ("{year}年出生", "born in {year}"),
    "reg.age.too_young": (
        "{aged}，未满{min}周岁，暂不能预约接种，现在不用登记；满{min}周岁后再回复 预约。",
        "{aged}: under {min}, cannot be vaccinated yet; no need to register now. Reply BOOK "
        "once {min}.",
    ),
    "reg.age.under": (
        "未满{min}周岁暂不能预约接种，现在不用登记；满{min}周岁后再回复 预约。",
        "Under {min}: cannot be vaccinated yet; no need to register now. Reply BOOK once {min}.",
    ),
    "reg.age.ok": ("{aged}可以预约。", "{aged}: can book."),  # our words: converted
    "reg.age.first": ("{rule}也可现在先登记。", "{rule} You may register now all the same."),
    "reg.age.anyway": ("仍要先预登记", "Pre-register anyway"),
    "reg.age.ask": ("接种人满{min}周岁了吗？", "Is the person to be vaccinated {min} or older?"),
    "reg.age.adult": ("已满{min}周岁", "{min} or older"),
    "reg.age.minor": ("未满", "Not yet"),
    "reg.known": (
        "{name}已在本机登记，预登记码：{code}，不用再登记。",
        "{name} is registered on this phone already (code {code}): no need to register again.",
    ),
    "reg.another": ("登记另一位", "Register someone else"),
    "fix.name_done": ("姓名已改为：{name}。", "Name changed to {name}."),
    "fix.name_ask": ("请输入正确的姓名（与证件一致）：", "Type the right name, as on the ID:"),
    "fix.again": ("好的，请重新填写。", "OK, once more."),
    "two.self": ("您本人", "yourself"),
    "two.other": ("另一位", "the other person"),
    "two.book": (
        "一次为一位预约：先为{first}约，约好后再为{second}约。",
        "One booking at a time: first {first}, then {second}.",
    ),
    "two.register": (
        "一次登记一位：先登记{first}，之后再登记{second}。",
        "One registration at a time: first {first}, then {second}.",
    ),
    "two.next.book": ("接着为{who}预约", "Now book for {who}"),
    "two.next.register": ("接着登记{who}", "Now register {who}"),
    "two.which": (
        "一次为一位预约：先为{first}还是{second}？请回复序号，约好后再约另一位。",
        "One booking at a time: {first} or {second} first? Reply with the number; the other "
        "comes next.",
    ),
    "two.now": (
        "现在为{name}预约，一次一位；约好后再为{other}约。",
        "Booking for {name} now, one at a time; {other} comes next.",
    ),
    "missed.booking": (
        "{day}的预约已过（未接种）。",
        "The appointment on {day} has passed (no vaccination recorded).",
    ),
    "missed.count": (
        "已计爽约{n}次，第{nth}次起不能自助预约。",
        "No-shows: {n} (from no-show {nth} on, booking here is barred).",
    ),
    "missed.rebook": ("回复 预约 重新预约。", "Reply BOOK to book again."),
    "missed.barred": (
        "爽约已超过{limit}次，请致电热线{hotline}或联系居委会预约。",
        "More than {limit} no-shows: please call the hotline {hotline} or your neighbourhood "
        "committee to book.",
    ),
}
