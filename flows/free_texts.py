"""What vaxbot says when it reads free text: what it did not understand, the readings it
offers when unsure, the health questions in one message, and declaring a dose given elsewhere
(zh, en; merged into ``flows.texts.TEXTS``)."""

FREE_TEXT: dict[str, tuple[str, str]] = {
    "unsure": ("您是想：", "Did you mean:"),
    "book.family": (
        "为家人亲友预约：每人先在本手机登记（一个手机最多{n}人），再逐个预约，可选同一接种点和时段。",
        "Booking for family or friends: each person is registered on this phone (up to {n}), "
        "then booked one by one; choose the same site and time for each.",
    ),
    "ask.unknown": (
        "这个问题我不清楚，可回复 人工 咨询。",
        "I can't answer that here; reply AGENT to ask a person.",
    ),
    "thanks": ("不客气！需要时回复 菜单。", "You're welcome! Reply MENU any time."),
    "menu.all": ("都不是，看菜单", "Neither: show the menu"),
    "intent.book": ("预约接种", "Book a vaccination"),
    "intent.status": ("查询我的预约", "Check my bookings"),
    "intent.cancel": ("取消预约", "Cancel a booking"),
    "intent.reschedule": ("改期", "Change a booking"),
    "intent.register": ("预登记", "Pre-register"),
    "intent.link": ("绑定手机", "Link my phone"),
    "intent.agent": ("人工服务", "Talk to a person"),
    "intent.help": ("使用帮助", "How to use this"),
    "intent.greet": ("查看功能菜单", "See the menu"),
    "intent.menu": ("从头开始（功能菜单）", "Start over (the menu)"),
    "intent.thanks": ("不用了，谢谢", "Nothing, thanks"),
    "intent.stop": ("停止通知", "Stop notifications"),
    "intent.start": ("恢复通知", "Resume notifications"),
    "intent.accept": ("接受名额", "Accept the place"),
    "intent.decline": ("放弃名额", "Decline the place"),
    "intent.ask.pregnancy": ("孕期、哺乳期能否接种", "Pregnancy and breastfeeding"),
    "intent.ask.allergy": ("过敏能否接种", "Allergies"),
    "intent.ask.chronic": ("患病、慢性病能否接种", "Illness and chronic disease"),
    "intent.ask.neuro": ("癫痫、神经系统病能否接种", "Epilepsy and nerve disease"),
    "intent.ask.age": ("年龄要求", "Age limits"),
    "intent.ask.interval": ("两针间隔", "Days between doses"),
    "intent.ask.maker": ("疫苗厂家", "Which vaccine maker"),
    "intent.ask.bring": ("要带什么", "What to bring"),
    "intent.ask.observation": ("留观时间", "Waiting after the shot"),
    "intent.ask.cost": ("费用", "Cost"),
    "intent.ask.reminder": ("短信提醒", "Reminders"),
    "intent.ask.hours": ("预约时段", "Booking hours"),
    "intent.ask.release": ("放号时间", "When places are released"),
    "intent.ask.walkin": ("能否现场接种", "Walk-ins"),
    "intent.ask.evening": ("夜场接种", "Evening sessions"),
    "intent.ask.mobile": ("流动接种车", "Mobile vaccination vehicles"),
    "intent.ask.accessible": ("无障碍", "Accessibility"),
    "intent.ask.site": ("接种点地址和时间", "A site's address and hours"),
    "intent.ask.noshow": ("爽约的后果", "Missed appointments"),
    "intent.ask.residency": ("外地户籍、境外人士能否接种", "Non-locals and foreigners"),
    "intent.ask.after": ("接种后不适怎么办", "Feeling unwell after the shot"),
    "busy.book": ("在{site}预约", "Book at {site}"),
    "intent.ask.certificate": ("接种记录和证明", "Proof of vaccination"),
    "intent.ask.busy": ("哪里空位多", "Sites with the most places"),
    "intent.ask.aftercare": ("接种后洗澡、饮酒等", "Bathing, drinking after the shot"),
    "intent.ask.doctor": ("经期、近期打过其他疫苗能否接种", "Periods, other vaccines lately"),
    "intent.ask.hotline": ("热线电话", "The hotline's number"),
    "intent.ask.full": ("约不到、没有名额", "No places, cannot book"),
    "intent.ask.sms": ("没收到短信", "No text message came"),
    "intent.ask.weekend": ("周末能否接种", "Weekend sessions"),
    "unknown": (
        "抱歉，没看懂。回复 菜单 查看功能，或 帮助。",
        "Sorry, I did not understand. Reply MENU for options or HELP.",
    ),
    "screen.all": ("{name}有以下情况吗？", "{name}: any of these?"),
    "screen.allergy": ("对疫苗成分过敏", "Vaccine allergy"),
    "screen.severe_reaction": ("曾有疫苗严重过敏反应", "Severe vaccine reaction"),
    "screen.illness": ("发热、急性病或慢性病发作", "Fever/illness/flare-up"),
    "screen.pregnancy": ("怀孕或哺乳", "Pregnant/breastfeeding"),
    "screen.neuro": ("癫痫未控制、神经系统病或格林巴利", "Epilepsy/nerve disease/GBS"),
    "screen.risk_area": ("14天内到过中高风险区", "High-risk area <14 days"),
    "screen.how": (
        "都没有请回复 没有；有则回复序号，如 1 3",
        "Reply NONE or numbers, e.g. 1 3",
    ),
    # the list asked again after a question answered at it: one line, the list is above
    "screen.again": (
        "{name}有以上情况吗？请回复 没有 或序号",
        "{name}: any of the above? Reply NONE or the numbers",
    ),
    "screen.one_by_one": ("没看懂，逐条确认：", "Let's go one by one:"),
    "screen.one_by_one.ok": ("好的，逐条确认：", "Let's go one by one:"),
    # what an item of the list means, asked at it (什么是格林巴利, 高血压算吗, what is GBS)
    "screen.item": ("第{n}项", "{n}"),  # an item of the list, in its explanation
    "screen.this_item": ("这一项", "This"),  # the question asked on its own
    # not knowing, at a question asked on its own: explained, and no answer picked for them
    "screen.unsure": (
        "如仍不确定，接种前现场医生会问诊决定；请按您所知回复。",
        "Still unsure? The doctor on site decides; answer as you know.",
    ),
    "screen.one_again": ("请确认：{what}？", "Confirm: {what}?"),  # after an explanation (no name)
    "screen.means.allergy": (
        "{item}指对疫苗成分过敏；对海鲜、青霉素等其他东西过敏不算，接种时告诉医生即可。",
        "{item} means an allergy to a vaccine's ingredients; other allergies (seafood, "
        "penicillin) are not it: tell the doctor on site.",
    ),
    "screen.means.severe_reaction": (
        "{item}指以前打疫苗后严重过敏，如呼吸困难、面部或喉咙肿胀、休克；打针处红肿疼痛不算。",
        "{item} means a severe allergic reaction to an earlier vaccine (trouble breathing, a "
        "swollen face or throat, collapse); a sore arm is not it.",
    ),
    "screen.means.illness": (
        "{item}指正在发热、患急性病，或慢性病发作、未控制；病情稳定、按时服药的慢性病（如高血压）不算。",
        "{item} means a fever, an acute illness, or a chronic disease flaring up or "
        "uncontrolled; a stable, treated one (e.g. high blood pressure) is not it.",
    ),
    "screen.means.pregnancy": (
        "{item}指正在怀孕或哺乳期；备孕不算。",
        "{item} means pregnant or breastfeeding now; planning a pregnancy is not it.",
    ),
    "screen.means.neuro": (
        "{item}指未控制的癫痫、其他进行性神经系统疾病，或得过格林巴利综合征（急性神经病变，手脚无力甚至瘫痪）。",
        "{item} means uncontrolled epilepsy or another progressive nerve disease, or ever having "
        "had Guillain-Barré syndrome (sudden weakness or paralysis).",
    ),
    "screen.means.risk_area": (
        "{item}指14天内到过官方公布的疫情中、高风险地区（以卫健委公布为准）。",
        "{item} means having been in an officially listed medium- or high-risk area in the last "
        "14 days.",
    ),
    "screen.said_before": ("您提到过：{what}。请确认：", "You mentioned: {what}. Please confirm:"),
    "screen.said_now": ("您提到：{what}。接种前请确认：", "You mentioned: {what}. Please confirm:"),
    "declare.none": (
        "系统里{name}还没有接种记录，第{dose}针需先核对第1针。",
        "No dose is on record for {name}; dose {dose} needs dose 1 checked first.",
    ),
    "declare.booked": (
        "{name}已约第{dose}剂：{day} {period} {site}，预约码{code}。第{wanted}剂须在第1剂之后。",
        "{name} is booked for dose {dose}: {day} {period}, {site}, code {code}. Dose {wanted} "
        "comes after dose 1.",
    ),
    "declare.ask.booked": (
        "{name}的第1针是否已在别处打过？是则取消上述预约。",
        "Did {name} already get dose 1 somewhere else? If so, that booking is cancelled.",
    ),
    "declare.keep": ("不是，保留该预约", "No, keep that booking"),
    "declare.cancelled": (
        "已取消第1剂预约（预约码{code}）。",
        "The dose-1 booking (code {code}) is cancelled.",
    ),
    "declare.ask": ("{name}的第1针是在别处打的吗？", "Did {name} get dose 1 somewhere else?"),
    "declare.yes": ("是，补报第1针", "Yes, declare dose 1"),
    "declare.no": ("不是，预约第1针", "No, book dose 1"),
    "declare.date": ("第1针是哪天打的？如 5月20日", "When was dose 1? e.g. 20 May"),
    "declare.date_bad": (
        "请回复第1针的日期（一年内），如 5月20日。",
        "Please give the date of dose 1 (within a year), e.g. 20 May.",
    ),
    "declare.maker": ("第1针是哪种疫苗？", "Which vaccine was dose 1?"),
    "declare.maker_unknown": (
        "第2针须与第1针同一厂家。请查看接种凭证后再预约，或回复 人工。",
        "Dose 2 must be from the same maker. Check the vaccination record and book again, "
        "or reply AGENT.",
    ),
    "declare.where": (
        "在哪个区或接种点打的？不记得请回复 不记得",
        "Which district or site was it? Reply DON'T KNOW if unsure.",
    ),
    "declare.where_bad": (
        "请回复区名或接种点名称，如 天河区；不记得请回复 不记得。",
        "Please give a district or site, e.g. Tianhe; or reply DON'T KNOW.",
    ),
    # The notices of a confirmation are short: with the age notices and the booking they must
    # fit in 3 SMS segments (tests/test_sms_render.py builds the longest).
    "declare.taken": (
        "已记录第1针（自报）：{day}，{product}。",
        "Dose 1 noted (self-declared): {day}, {product}.",
    ),
    "declare.check": (
        "第1针为自报，请带接种凭证。",
        "Dose 1 self-declared: bring its record.",
    ),
    "book.same_maker": (
        "须与第1剂同厂家，不能换{wanted}。",
        "Not {wanted}: dose 1's maker only.",
    ),
}
