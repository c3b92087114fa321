"""Every sentence vaxbot says, in Simplified Chinese first and English second.

Keep them short: a Chinese SMS segment holds 70 characters. A test checks that every key has both
languages and that both use the same placeholders.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from flows.change_texts import CHANGE_TEXTS
from flows.field_texts import FIELD_TEXTS
from flows.free_texts import FREE_TEXT
from flows.holiday_texts import HOLIDAY_TEXTS
from flows.hours_texts import HOURS_TEXTS
from flows.later_texts import LATER_TEXTS
from flows.mind_texts import MIND_TEXTS
from flows.name_texts import NAME_TEXTS
from flows.notify_texts import NOTIFY_TEXTS
from flows.operator_texts import OPERATOR_TEXT
from flows.privacy_texts import PRIVACY_TEXT
from flows.refusal_texts import REFUSAL_TEXTS
from flows.verbatim import note_filled

Lang = Literal["zh", "en"]

TEXTS: dict[str, tuple[str, str]] = {
    **FREE_TEXT,
    **PRIVACY_TEXT,
    **NOTIFY_TEXTS,
    **OPERATOR_TEXT,
    **LATER_TEXTS,
    **HOURS_TEXTS,
    **NAME_TEXTS,
    **HOLIDAY_TEXTS,
    **MIND_TEXTS,
    **FIELD_TEXTS,
    **REFUSAL_TEXTS,
    **CHANGE_TEXTS,
    # -- global --------------------------------------------------------------------------------
    "welcome": (
        "您好！这里是新冠疫苗接种预约。请回复数字选择：",
        "Hello! This is COVID-19 vaccination booking. Reply with a number:",
    ),
    "menu": ("请回复数字选择：", "Reply with a number:"),
    "menu.book": ("预约接种", "Book a vaccination"),
    "menu.status": ("查询预约", "My bookings"),
    "menu.cancel": ("取消预约", "Cancel a booking"),
    "menu.reschedule": ("改期", "Change a booking"),
    "menu.register": ("预登记", "Pre-register"),
    "menu.agent": ("人工服务", "Talk to a person"),
    "help": (
        "直接说您要办的事即可，如“明天上午打第二针”“孕妇能打吗”。指令：预约 查询 取消 改期 登记"
        " 绑定 解绑 菜单 返回 退出 人工 接受 放弃 通知方式 退订 订阅 语言 帮助 EN",
        'Just say what you need, e.g. "2nd dose tomorrow morning". Commands: BOOK, STATUS, '
        "CANCEL BOOKING, RESCHEDULE, REGISTER, LINK, UNLINK, MENU, BACK, EXIT, AGENT, ACCEPT, "
        "DECLINE, NOTIFY, NOTICES OFF, START, LANG, CHINESE, HELP",
    ),
    "empty": (
        "请发送文字内容。回复 帮助 查看用法。",
        "Please send some text. Reply HELP for help.",
    ),
    "too_long": (
        "消息太长（{limit}字以内）。请简短回复，或回复 帮助。",
        "That message is too long (limit {limit} characters). Reply HELP for help.",
    ),
    "quit": (
        "已退出，未保存本次填写。回复 菜单 重新开始。",
        "Stopped. Nothing was saved. Reply MENU.",
    ),
    "quit.cancel": (
        "已停止，未保存本次填写。要取消已有的预约，请再回复 取消。",
        "Stopped. Nothing was saved. To cancel a booking you have, reply CANCEL again.",
    ),
    "nothing_to_quit": ("当前没有进行中的操作。", "Nothing in progress."),
    "back_at_start": ("已是第一步。", "This is already the first step."),
    "lang.ask": ("请选择语言：", "Choose a language:"),
    "lang.set": ("已切换为中文。", "Language set to English."),
    "agent": (
        "已登记回电请求，工作人员将致电 {phone}。",
        "Call-back requested: an operator will call {phone}.",
    ),
    "agent.no_phone": (
        "已登记人工服务请求，工作人员会尽快联系您。",
        "Request recorded: an operator will contact you soon.",
    ),
    "error": (
        "抱歉，系统出错，您的信息未受影响。请稍后再试，或回复 人工。",
        "Sorry, something went wrong; nothing you saved was changed. Try again or reply AGENT.",
    ),
    "telegram.stale": (
        "这些按钮已过期，请在最新的消息中选择。",
        "Those buttons are out of date: please use the latest message.",
    ),
    "rate_limited": (
        "消息太频繁，请稍后再发。如需帮助请致电热线。",
        "Too many messages; please wait a minute. For help, call the hotline.",
    ),
    "pick_number": ("请回复 1 到 {n} 之间的数字。", "Please reply with a number from 1 to {n}."),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    # -- registration ------------------------------------------------------------------------
    "reg.declined": (
        "未同意，不会保存任何信息。回复 菜单 返回。",
        "Not agreed: nothing was stored. Reply MENU to return.",
    ),
    "reg.cap": (
        "每个手机号最多管理{n}人，已达上限。如需帮助请回复 人工。",
        "One phone can manage at most {n} people; this one is full. Reply AGENT for help.",
    ),
    "reg.who": ("为谁登记？", "Who are you registering?"),
    "reg.who.self": ("本人", "Myself"),
    "reg.who.other": ("家人或他人（代办）", "A family member or someone else"),
    "reg.document": ("请选择证件类型：", "Choose the identity document:"),
    "reg.document.id": ("居民身份证", "Resident ID card"),
    "reg.document.passport": ("护照", "Passport"),
    "reg.passport": ("请输入护照号码：", "Enter the passport number:"),
    "reg.passport_bad": (
        "护照号码应为5-20位字母或数字，请重新输入。",
        "A passport number is 5-20 letters or digits. Please try again.",
    ),
    "reg.nationality": ("请输入国籍：", "Enter the nationality:"),
    "reg.birth_date": (
        "请输入出生日期（如1990-01-31）：",
        "Enter the date of birth (e.g. 1990-01-31):",
    ),
    "reg.birth_date_bad": (
        "出生日期无效，请按1990-01-31格式输入。",
        "That date of birth is not valid. Please use the form 1990-01-31.",
    ),
    "reg.phone.other": (
        "接种人本人手机号？回复1使用本机号码，或输入其本人号码：",
        "The person's own mobile? Reply 1 to use this number, or type theirs:",
    ),
    "reg.for_other": ("好的，为家人登记。", "OK, registering a family member."),
    "reg.for_self": ("好的，为您本人登记。", "OK, registering you."),
    "reg.name": ("请输入接种人姓名（与证件一致）：", "Enter the person's full name as on the ID:"),
    "reg.name_bad": (
        "姓名请用文字填写，{limit}字以内。",
        "Please type the name in letters, at most {limit} characters.",
    ),
    "reg.id": ("请输入18位居民身份证号码：", "Enter the 18-character resident ID number:"),
    "reg.id.length": (
        "身份证号应为18位，您输入了{n}位，请重新输入。",
        "An ID number has 18 characters; you sent {n}. Please try again.",
    ),
    "reg.id.characters": (
        "身份证号只含数字，末位可为X，请重新输入。",
        "An ID number is digits, the last may be X. Please try again.",
    ),
    "reg.id.birth_date": (
        "身份证号中的出生日期无效，请核对后重新输入。",
        "The birth date in that ID number is not valid. Please check it.",
    ),
    "reg.id.checksum": (
        "身份证号校验位不符，请核对后重新输入。",
        "That ID number's check character is wrong. Please check it.",
    ),
    "reg.phone": ("请输入接种人手机号：", "Enter the person's mobile number:"),
    "reg.phone.this": ("使用本机号码 {phone}", "Use this number {phone}"),
    "reg.phone.ask_or_pick": (
        "接种人手机号？可回复1使用本机号码，或直接输入其他号码：",
        "The person's mobile number? Reply 1 for this number, or type another:",
    ),
    "reg.phone_bad": (
        "手机号无效，请输入11位手机号码。",
        "That is not a valid mobile number. Please enter an 11-digit mobile.",
    ),
    "reg.district": ("请选择居住地所在区：", "Choose the district where the person lives:"),
    "reg.district.guess.self": ("您住在{district}吗？", "Do you live in {district}?"),
    "reg.district.guess.other": ("{name}住在{district}吗？", "Does {name} live in {district}?"),
    "reg.district.other": ("选择其他区", "Choose another district"),
    "reg.book_now": ("为{name}预约接种", "Book a vaccination for {name}"),
    "reg.done": (
        "预登记成功！{name}的预登记码：{code}。",
        "Pre-registered! {name}'s pre-registration code: {code}.",
    ),
    # -- eligibility ---------------------------------------------------------------------------
    "q.allergy": (
        "{name}是否对疫苗的任何成分过敏？",
        "Is {name} allergic to any component of the vaccine?",
    ),
    "q.severe_reaction": (
        "{name}以前接种疫苗是否出现过严重过敏反应（如呼吸困难、血管性水肿）？",
        "Has {name} ever had a severe allergic reaction to a vaccine (e.g. trouble breathing)?",
    ),
    "q.illness": (
        "{name}目前是否发热、患急性疾病，或慢性病正在急性发作？",
        "Does {name} have a fever, an acute illness, or a chronic disease flaring up now?",
    ),
    "q.pregnancy": ("{name}是否正在怀孕或哺乳？", "Is {name} pregnant or breastfeeding?"),
    "q.neuro": (
        "{name}是否患未控制的癫痫或其他进行性神经系统疾病，或有格林巴利综合征病史？",
        "Does {name} have uncontrolled epilepsy, a progressive neurological disease, or a "
        "history of Guillain-Barré syndrome?",
    ),
    "q.risk_area": (
        "{name}近14天是否到过中、高风险地区？",
        "Has {name} been in a medium- or high-risk area in the last 14 days?",
    ),
    "verdict.eligible": ("{name}符合接种条件。", "{name} can be vaccinated."),
    "verdict.assess": (
        "{name}可以预约，接种前需现场评估健康状况。",
        "{name} can book; a health assessment is done on site before the shot.",
    ),
    "verdict.not_eligible.allergy": (
        "对疫苗成分过敏者不能接种，本次不能预约。",
        "People allergic to a vaccine component cannot be vaccinated, so no booking.",
    ),
    "verdict.not_eligible.severe_reaction": (
        "曾有疫苗严重过敏反应者不能接种，本次不能预约。",
        "People with a past severe reaction to a vaccine cannot be vaccinated, so no booking.",
    ),
    "verdict.not_eligible.neuro": (
        "患未控制的癫痫、进行性神经系统疾病或有格林巴利综合征病史者不能接种。",
        "Uncontrolled epilepsy, progressive neurological disease or Guillain-Barré history: "
        "no vaccination.",
    ),
    "verdict.deferred.illness": (
        "发热或患病期间暂缓接种。康复后请再发 预约。",
        "Vaccination waits while ill or feverish. Send BOOK again once recovered.",
    ),
    "verdict.deferred.pregnancy": (
        "怀孕或哺乳期间暂缓接种，之后请再发 预约。",
        "Vaccination waits during pregnancy or breastfeeding. Send BOOK again afterwards.",
    ),
    "verdict.deferred.risk_area": (
        "到过中高风险地区者暂缓预约，满14天后请再发 预约。",
        "After a medium- or high-risk area, wait 14 days, then send BOOK again.",
    ),
    "age.too_young": (
        "{name}未满{min}周岁，暂不能预约；{day}起可预约。",
        "{name} is under {min}; booking opens on {day}.",
    ),
    "reg.too_young": (
        "{name}未满{min}周岁，{day}起可预约；现在可先完成预登记。",
        "{name} is under {min}: booking opens on {day}. You can pre-register now.",
    ),
    "age.too_young_on": (
        "{name}在{day}未满{min}周岁，请选{from_day}或以后的日期。",
        "{name} is under {min} on {day}; choose {from_day} or later.",
    ),
    "age.assessment": ("{min}岁以上现场评估健康。", "Aged {min}+: health check on site."),
    "age.companion": ("陪同家属：{companion} {phone}。", "Companion: {companion}, {phone}."),
    "age.green_channel": ("{min}岁以上走绿色通道。", "Aged {min}+: priority lane."),
    "companion.name": (
        "{name}已满{min}岁，须家属陪同接种。请输入陪同家属姓名：",
        "{name} is {min} or over and must come with a family member. Their name:",
    ),
    "companion.phone": ("请输入陪同家属手机号：", "The family member's mobile number:"),
    # -- booking -------------------------------------------------------------------------------
    "book.dose_is": (
        "按记录，{name}本次应打第{dose}针（不是第{wanted}针）。",
        "By the records, {name} is due dose {dose} (not dose {wanted}).",
    ),
    "book.site_elsewhere": (
        "{site}在{district}，不在{said}。请选择区：",
        "{site} is in {district}, not {said}. Choose a district:",
    ),
    "book.site_other_maker": (
        "{site}没有{product}（第{dose}剂须与第1剂同厂家）。",
        "{site} has no {product} (dose {dose} must match dose 1's maker).",
    ),
    "book.site_no_maker": (
        "{site}没有{product}，请另选接种点。",
        "{site} has no {product}; please choose another site.",
    ),
    "book.site_full": (
        "{site}近期已约满。",
        "{site} has no places left soon.",
    ),
    "book.not_released": (
        "{day}的名额{release} {time}放出，现在还不能约。最近可约：",
        "Places for {day} are released {release} at {time}; not yet. Nearest dates:",
    ),
    "book.who": ("为谁预约？", "Who is the booking for?"),
    "book.who.new": ("新的人", "Someone new"),
    "book.kept": ("好的，改为：{what}。", "OK, changed to: {what}."),
    "book.noted": ("好的，{what}。", "OK: {what}."),
    "book.move_it": ("改期", "Change it"),
    "book.already": (
        "{name}已有第{dose}剂预约：{day} {period} {site}，预约码{code}。",
        "{name} already has a dose-{dose} booking: {day} {period} at {site}, code {code}.",
    ),
    "book.done_all": (
        "{name}已完成全部接种，无需再预约。",
        "{name} has completed all doses; no booking needed.",
    ),
    "book.district": ("请选择接种点所在区：", "Choose the district of the vaccination site:"),
    "book.home": ("（居住地）", " (home)"),
    "book.site": ("请选择接种点：", "Choose a site:"),
    "book.no_sites": (
        "{district}暂无可预约名额：可选其他区，或排队等候分配。",
        "No places left in {district} now: choose another district, or join the queue.",
    ),
    "book.date": (
        "请选择日期，或直接输入（如：明天、6月20日）：",
        "Choose a date, or type one (e.g. tomorrow, 20 June):",
    ),
    "book.other_site": ("选择其他接种点", "Choose another site"),
    "book.no_dates": (
        "该接种点近期已约满，请选择其他接种点。",
        "This site is fully booked for now. Please choose another site.",
    ),
    "book.date_past": ("{day}已过，最近可约：", "{day} has passed. Nearest dates with places:"),
    "book.date_full": (
        "{day}无可约名额，最近可约：",
        "No places on {day}. Nearest dates with places:",
    ),
    "book.date_too_far": (
        "{day}超出可预约范围，只能预约近期日期。",
        "{day} is beyond the booking range: only the coming days can be booked.",
    ),
    "book.date_unknown": (
        "没看懂这个日期，请回复数字或输入日期（如：明天、6月20日）。",
        "I could not read that date. Reply with a number or a date (e.g. tomorrow, 20 June).",
    ),
    "book.period": ("{day} 请选择时段：", "{day}: choose a time:"),
    "book.period_none": (
        "{day}该时段无名额，请选择：",
        "No places at that time on {day}. Choose one of:",
    ),
    "book.left": ("剩{n}", "{n} left"),
    "book.tag.evening": ("夜场", "evening"),
    "book.tag.mobile": ("流动接种车", "mobile unit"),
    "book.wish.evening": ("有夜场的接种点：", "Sites with evening sessions:"),
    "book.wish.accessible": ("无障碍接种点：", "Sites with step-free access:"),
    "book.wish_none": (
        "该区没有符合要求的接种点，请选择：",
        "No site in this district has that. Choose one of:",
    ),
    "book.weekend_days": ("周末可约日期：", "Weekend dates with places:"),
    "book.week_days": ("{week}可约日期：", "Dates {week} with places:"),
    "book.weekend_of": ("{sat}-{sun}周末", "the weekend of {sat}-{sun}"),
    "book.week_not_released": (
        "{week}的名额{release} {time}起放出，现在还不能约。最近可约：",
        "Places for {week} are released from {release} at {time}; not yet. Nearest dates:",
    ),
    "book.week_full": ("{week}已约满，最近可约：", "Fully booked {week}. Nearest dates:"),
    "book.no_weekend": (
        "近期周末已约满，请选择其他日期：",
        "No weekend places for now. Choose another date:",
    ),
    "book.barred": (
        "{name}爽约已超过{n}次，不能自助预约。请致电热线或联系所在居委会。",
        "{name} has missed more than {n} appointments, so cannot book here. "
        "Please call the hotline or your neighbourhood committee.",
    ),
    "book.campaign": (
        "{start}至{end}为{name}：仅限第{dose}剂且距上一剂超过{days}天者预约，其他人{after}起可约，"
        "届时回复 预约。",
        "{start} to {end} is {name}: only dose {dose}, more than {days} days after the last "
        "dose, may book. Everyone else from {after}: reply BOOK then.",
    ),
    "book.campaign_first": (
        "{start}至{end}仅限第{dose}剂（距上一剂超{days}天）预约，其他人{after}起可约；现在可先预登记。",
        "{start} to {end}: dose {dose} only ({days}+ days after the last). Others from {after}; "
        "you can pre-register now.",
    ),
    "book.where": (
        "第{dose}剂须用同一厂家疫苗。请选择接种地点：",
        "Dose {dose} must be from the same maker. Where?",
    ),
    "book.where.same": ("上一剂的接种点：{site}", "Where the last dose was: {site}"),
    "book.where.pick": ("请选择接种地点：", "Where?"),
    "book.where.home": ("居住地{district}的接种点", "A site in my home district, {district}"),
    "book.where.home.their": (
        "{name}居住地{district}的接种点",
        "A site in {name}'s home district, {district}",
    ),
    "book.where.other": ("其他区", "Another district"),
    "book.not_yet": (
        "{name}的第{dose}剂{day}起可约，目前还没有该日的名额。",
        "{name} can have dose {dose} from {day}; no places for then are out yet.",
    ),
    "book.too_early": (
        "第{dose}剂须在上一剂满{min}天后，最早{day}。",
        "Dose {dose} must be at least {min} days after the last, so from {day}.",
    ),
    "book.overdue": (
        "已超{max}天间隔，请尽快接种。",
        "Overdue ({max}+ days): come soon.",
    ),
    "queue.offer": (
        "加入预登记排队，有名额时短信通知",
        "Join the queue; we text when a place is free",
    ),
    "queue.ask": ("是否加入预登记排队？", "Join the pre-registration queue?"),
    "queue.join": ("加入排队", "Join the queue"),
    "queue.skip": ("不用了", "No, thanks"),
    "queue.joined": (
        "已为{name}加入排队，有名额时短信通知。",
        "{name} is in the queue; we will text when a place is found.",
    ),
    "queue.companion": (
        "{name}已满{min}岁，接受名额时须提供陪同家属姓名和手机号。",
        "{name} is {min} or over: accepting a place, give a family member's name and mobile.",
    ),
    "queue.already": ("{name}已在排队中。", "{name} is already in the queue."),
    "queue.declined": ("好的，未加入排队。", "OK, not queued."),
    "queue.period": ("希望安排在什么时段？", "What time of day suits you best?"),
    "part.morning": ("上午", "Morning"),
    "part.afternoon": ("下午", "Afternoon"),
    "part.evening": ("晚上", "Evening"),
    "part.any": ("都可以", "Any time"),
    "book.confirm": (
        "请确认：{name}，第{dose}剂，{day} {period}，{site}（{address}），{product}。",
        "Please confirm: {name}, dose {dose}, {day} {period}, {site} ({address}), {product}.",
    ),
    "book.confirm.yes": ("确认预约", "Confirm"),
    "book.confirm.change": ("改选日期", "Change the date"),
    "book.taken": (
        "抱歉，该时段刚被约满，请重新选择。",
        "Sorry, that time was just taken. Please choose again.",
    ),
    "book.success": (
        "预约成功！预约码{code}。{name}，第{dose}剂，{day} {period}，{site}，{address}。"
        "请带预约所用证件，接种后留观30分钟。",
        "Booked! Code {code}. {name}, dose {dose}, {day} {period}, {site}, {address}. "
        "Bring the ID used to book; stay 30 min after.",
    ),
}

WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(lang: Lang, day: date, today: date) -> str:
    """A date as residents read it: ``6月20日 周日`` / ``Sun 20 Jun``, with the year when it is
    not this year's."""
    weekday = WEEKDAYS[lang][day.weekday()]
    other_year = day.year != today.year
    if lang == "zh":
        year = f"{day.year}年" if other_year else ""
        return f"{year}{day.month}月{day.day}日 {weekday}"
    year = f" {day.year}" if other_year else ""
    return f"{weekday} {day.day} {MONTHS_EN[day.month - 1]}{year}"


def format_week(lang: Lang, monday: date, today: date) -> str:
    """The week starting ``monday``: ``下周`` / ``next week``, ``下下周`` / ``the week after
    next``, or the week of its Monday further on."""
    ahead = (monday - (today - timedelta(days=today.weekday()))).days // 7
    names = {"zh": ("下周", "下下周"), "en": ("next week", "the week after next")}[lang]
    if ahead in (1, 2):
        return names[ahead - 1]
    start = format_day(lang, monday, today)
    return f"{start}起的一周" if lang == "zh" else f"the week of {start}"


def fill(catalogue: dict[str, tuple[str, str]], lang: Lang, key: str, **values: object) -> str:
    """The sentence ``key`` of a (zh, en) catalogue in ``lang``, its placeholders filled."""
    zh, en = catalogue[key]
    template = zh if lang == "zh" else en
    if not values:
        return template
    note_filled(values)  # names, sites, codes: never converted to another script
    return template.format(**values)


def text(lang: Lang, key: str, **values: object) -> str:
    return fill(TEXTS, lang, key, **values)
