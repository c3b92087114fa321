"""The sentences of ``flows.answers``: answers to residents' questions, Chinese first, English
second, in the style of ``flows.texts``.

Every number and name is a placeholder filled from the policy or the store; none is written here.
An answer is a few of these joined and must fit two SMS segments (``LIMITS``); a test checks
that every key has both languages with the same placeholders.
"""

from __future__ import annotations

from flows.texts import Lang, fill

# Two SMS segments: UCS-2 67 characters each when split, GSM-7 153 each.
LIMITS: dict[Lang, int] = {"zh": 134, "en": 306}

# Three SMS segments: several questions answered in one reply (``answers.answer_all``).
LIMITS3: dict[Lang, int] = {"zh": 201, "en": 459}

# How a list of names is joined (not sentences: kept apart from the catalogue).
SEPARATORS: dict[Lang, str] = {"zh": "、", "en": ", "}
# How sentences are joined: Chinese ends them with "。" already, English needs a space.
SPACES: dict[Lang, str] = {"zh": "", "en": " "}

ANSWER_TEXTS: dict[str, tuple[str, str]] = {
    # -- the next step, closing every answer -----------------------------------------------------
    "close.book": ("回复 预约 即可预约。", "Reply BOOK to book."),
    "close.site": ("回复 预约 选接种点和时段。", "Reply BOOK to choose a site and time."),
    "close.queue": (
        "现在回复 预约 可先登记排队。",
        "Reply BOOK now to join the queue instead.",
    ),
    "close.cancel": ("回复 取消 取消预约。", "Reply MENU and choose Cancel a booking."),
    "close.code": ("回复 查询 查看预约码。", "Reply STATUS for your booking code."),
    "close.status": ("回复 查询 查看接种记录。", "Reply STATUS to see the doses on record."),
    "close.busy": ("回复 预约 在第一个接种点预约。", "Reply BOOK to book at the first."),
    # -- several questions in one message (answers.answer_all) ---------------------------------
    "asked.later": (
        "您还问了：{topics}，请另发一条再问。",
        "You also asked about: {topics}. Please ask that in a message of its own.",
    ),
    # -- lists -------------------------------------------------------------------------------
    "list.more": ("{names}等{n}处", "{names} ({n} in all)"),
    "list.count": ("共{n}处", "{n} in all"),
    "list.by_district": ("问某区请带上区名。", "Name a district to see its own."),
    "site.labelled": ("{name}（{note}）", "{name} ({note})"),
    # -- health --------------------------------------------------------------------------------
    "pregnancy": (
        "怀孕或哺乳期间暂缓接种新冠疫苗，结束后再预约；备孕不在禁忌之列，由现场医生判断。"
        "预约时会询问，请如实回答。",
        "Vaccination waits during pregnancy and breastfeeding: book once they are over. "
        "Planning a pregnancy is not a contraindication; the doctor on site decides. "
        "The booking asks about it; please answer truthfully.",
    ),
    "after": (
        "接种后须现场留观{minutes}分钟。回家后如发热、接种处红肿疼痛等不适持续或加重，"
        "请及时就医或回复 人工。",
        "Stay {minutes} minutes on site after the shot. At home, if a fever, a sore arm or "
        "feeling unwell lasts or gets worse, see a doctor or reply AGENT.",
    ),
    "doctor": (
        "经期、近期打过其他疫苗等不在接种禁忌之列，规定也未写与其他疫苗的间隔：请接种时如实告诉现场医生，"
        "由医生判断；有疑问可回复 人工。",
        "A period or another vaccine taken lately is not among the contraindications, and the "
        "rules set no gap after other vaccines: tell the doctor on site, who decides. Questions: "
        "reply AGENT.",
    ),
    "allergy": (
        "对疫苗任何成分过敏，或以前接种疫苗出现过严重过敏反应（如呼吸困难、血管性水肿）者不能接种。"
        "其他过敏史请在接种时如实告知医生。",
        "People allergic to any vaccine component, or who had a severe allergic reaction to a "
        "vaccine (e.g. trouble breathing, swelling), cannot be vaccinated. Tell the doctor on "
        "site about any other allergy.",
    ),
    "neuro": (
        "未控制的癫痫或其他进行性神经系统疾病患者、有格林巴利综合征病史者不能接种。"
        "癫痫已控制的请接种时如实告知现场医生，由医生判断。",
        "No vaccination with uncontrolled epilepsy or another progressive neurological disease, "
        "or after Guillain-Barre syndrome. Epilepsy under control: tell the doctor on site, who "
        "decides.",
    ),
    "chronic": (
        "发热、急性疾病、严重慢性病或慢性病急性发作期间不能接种，康复或病情稳定后再预约。"
        "接种前现场做健康筛查，{assessment}岁及以上另做健康评估。",
        "No vaccination during a fever, an acute illness, a severe chronic disease or a flare "
        "of a chronic disease: book once recovered or stable. Everyone is screened on site; "
        "people aged {assessment}+ also get a health assessment.",
    ),
    # -- age -----------------------------------------------------------------------------------
    "age": (
        "未满{minimum}周岁暂不能预约。{assessment}岁及以上接种前现场评估健康状况；"
        "{companion}岁及以上须家属陪同；{green}岁及以上走绿色通道。",
        "Under {minimum}: no booking yet. From {assessment}: a health assessment on site; "
        "from {companion}: a family member must come along; from {green}: the green channel "
        "(priority lane).",
    ),
    "age.too_young": (
        "{age}岁未满{minimum}周岁，暂不能预约；满{minimum}周岁后再回复 预约。",
        "At {age}, under {minimum}: no booking yet. Reply BOOK once {minimum} or older.",
    ),
    "age.ok": ("{age}岁可以预约。", "At {age} you can book."),
    "age.assessment": ("接种前现场评估健康状况。", "A health assessment is done on site."),
    "age.companion": (
        "须家属陪同，预约时登记陪同人。",
        "A family member must come along (named when booking).",
    ),
    "age.green_channel": ("可走绿色通道优先接种。", "The green channel (priority lane) applies."),
    # -- who may book here (hukou, nationality, document) --------------------------------------
    "residency": (
        "不限户籍，在本市生活或工作、年满{minimum}周岁均可预约。",
        "Any hukou: anyone aged {minimum}+ who lives or works here can book.",
    ),
    "residency.any": ("不限户籍。", "Hukou does not matter."),
    "residency.passport": (
        "没有内地居民身份证的可用护照登记。",
        "No mainland resident ID card? Register with a passport.",
    ),
    # -- doses ---------------------------------------------------------------------------------
    "interval.label.doses": ("{doses}剂次疫苗", "{doses}-dose vaccines"),
    "interval.one": ("{label}只需1剂。", "{label}: one dose only."),
    "interval.step": (
        "第{previous}剂后{min}-{max}天接种第{dose}剂",
        "{min}-{max} days from dose {previous} to dose {dose}",
    ),
    "interval.steps": ("{label}：{steps}。", "{label}: {steps}."),
    "interval.yours": (
        "{name}第{dose}剂{day}起可约，{last}前接种为按时。",
        "{name}: dose {dose} can be booked from {day}; on time until {last}.",
    ),
    "interval.yours_late": (
        "{name}第{dose}剂已超过最长间隔（{last}），仍可接种，请尽快。",
        "{name}: dose {dose} is past the longest interval ({last}); still book it, soon.",
    ),
    "interval.overdue": (
        "超过最长间隔仍可接种，请尽快。",
        "Late? You can still book; come soon.",
    ),
    "interval.name_it": (
        "问具体疫苗请带上名称或厂家。",
        "Name the vaccine or maker for its own schedule.",
    ),
    "interval.course": ("{label}共{doses}剂。", "{label}: {doses} doses in all."),
    "interval.first": (
        "第1剂无需等待，号源放出即可预约。",
        "Dose 1 has no waiting time: book once places are released.",
    ),
    "interval.none": (
        "目前没有需要第{dose}剂的疫苗。",
        "No vaccine here has a dose {dose}.",
    ),
    "interval.booster": (
        "加强针暂未开放预约。",
        "Booster doses cannot be booked here yet.",
    ),
    "maker": (
        "第2剂及以后须与第1剂同一厂家。默认在第1剂接种点，也可在居住地所在区"
        "任一有该厂家疫苗的接种点预约。",
        "Every later dose must be from the same maker as dose 1. It is booked at the dose-1 "
        "site by default, or at any site in your home district that has that maker's vaccine.",
    ),
    "maker.sites": ("{product}：{sites}有此疫苗。", "{product}: at {sites}."),
    "maker.sites.district": (
        "{product}：{district}{sites}有此疫苗。",
        "{product} in {district}: at {sites}.",
    ),
    "maker.none": ("{product}：暂无接种点有此疫苗。", "{product}: no site has it at present."),
    "maker.none.district": (
        "{product}：{district}暂无接种点有此疫苗。",
        "{product}: no site in {district} has it at present.",
    ),
    "maker.same": (
        "第2剂及以后须与第1剂同一厂家：第1剂是{product}才可接着打。",
        "Every later dose must be from the same maker as dose 1: {product} only after {product}.",
    ),
    "maker.first": (
        "第2剂及以后须与第1剂同一厂家：第1剂是{first}，后续也须{first}。",
        "Every later dose must be from the same maker as dose 1: {first}.",
    ),
    "maker.switch": (
        "不可以：第2剂及以后须与第1剂同一厂家。第1剂是{first}，后续也须{first}，不能换{wanted}。",
        "No: every later dose must be from the same maker as dose 1. Dose 1 was {first}, so "
        "later doses must be {first} too, not {wanted}.",
    ),
    # -- the appointment -----------------------------------------------------------------------
    "bring.documents": (
        "可用证件：{documents}，接种时出示预约所用的那一种。",
        "Documents accepted: {documents}; show the one used to book.",
    ),
    "bring": (
        "请携带本人有效身份证件（须与预约时所用证件一致）和预约码，戴好口罩；"
        "{companion}岁及以上须家属陪同。",
        "Bring the ID document used to book (it must match the booking) and your booking "
        "code, and wear a mask. People aged {companion}+ need a family member with them.",
    ),
    "observation": (
        "接种后须在现场留观{minutes}分钟，如有不适立即告知医务人员。",
        "Stay on site {minutes} minutes after the shot; tell the staff at once if unwell.",
    ),
    "cost": (
        "新冠疫苗免费接种，预约和接种均不收费。",
        "COVID-19 vaccination is free: booking and the shot cost nothing.",
    ),
    "reminder": (
        "预约成功后，接种前一天{time}左右会发短信提醒时间和地点；第2针到期时也会提醒。"
        "夜间{quiet}不发短信。",
        "Once booked, you get an SMS reminder of the time and place the day before, around "
        "{time}, and another when dose 2 is due. No SMS is sent at night ({quiet}).",
    ),
    "walkin": (
        "所有接种点只接受预约，不设现场派号，不预约不接种。请预约成功后再前往。",
        "Every site is appointment only: no walk-ins, no tickets on site. Please come only "
        "with a booking.",
    ),
    # -- booking hours and release -------------------------------------------------------------
    "hours": ("各区预约时段：{windows}。", "Booking hours by district: {windows}."),
    "hours.group": ("{districts} {window}", "{districts} {window}"),
    "hours.ask_district": (
        "各区预约时段不同，请说明哪个区，如“{district}几点预约”。",
        'Each district has its own hours: ask for one, e.g. "{district} hours".',
    ),
    "hours.maintenance": (
        "{window}系统维护，不能预约。",
        "No booking {window} (maintenance).",
    ),
    "hours.district": (
        "{district}每天{window}可预约。",
        "{district} can be booked daily {window}.",
    ),
    "hours.open": ("现在可以预约。", "Booking is open now."),
    "hours.closed.today": (
        "现在不在预约时段，今天{start}开放。",
        "Closed now; it opens today at {start}.",
    ),
    "hours.closed.tomorrow": (
        "现在不在预约时段，明天{start}开放。",
        "Closed now; it opens tomorrow at {start}.",
    ),
    "release": (
        "每天{time}集中放号，放出{days}天后那一天的号源，放号前看不到。",
        "Places are released together every day at {time}, for the day {days} days ahead; "
        "before that they cannot be seen.",
    ),
    "full": (
        "抱歉让您久等了。每天{time}放出{days}天内的号，各区在各自时段开放预约，约满即止。"
        "约不到可回复 预约 登记排队，有名额会短信通知您；仍有问题请回复 人工。",
        "Sorry for the trouble. Places are released every day at {time} for the next {days} "
        "days, and each district takes bookings in its own hours until they are gone. Reply "
        "BOOK to join the queue (you are texted when a place is found), or AGENT if it goes on.",
    ),
    "release.same_day": (
        "每天{time}集中放出当天的号源，放号前看不到。",
        "Each day's places are released together at {time} that day; before that they "
        "cannot be seen.",
    ),
    # -- sites ---------------------------------------------------------------------------------
    "evening": ("有夜间接种的接种点：{sites}。", "Sites with evening sessions: {sites}."),
    "evening.district": (
        "{district}有夜间接种的接种点：{sites}。",
        "Evening sessions in {district}: {sites}.",
    ),
    "evening.none": ("目前没有夜间接种的接种点。", "No site has evening sessions at present."),
    "evening.none.district": (
        "{district}目前没有夜间接种的接种点。",
        "No site in {district} has evening sessions at present.",
    ),
    "mobile": ("流动接种车：{sites}。", "Mobile vaccination vehicles: {sites}."),
    "mobile.district": (
        "{district}流动接种车：{sites}。",
        "Mobile vehicles in {district}: {sites}.",
    ),
    "mobile.none": ("目前没有流动接种车。", "No mobile vaccination vehicle at present."),
    "mobile.none.district": (
        "{district}目前没有流动接种车。",
        "No mobile vaccination vehicle in {district} at present.",
    ),
    "accessible": ("无障碍接种点：{sites}。", "Accessible sites: {sites}."),
    "accessible.district": (
        "{district}无障碍接种点：{sites}。",
        "Accessible sites in {district}: {sites}.",
    ),
    "accessible.none": ("目前没有无障碍接种点。", "No accessible site at present."),
    "accessible.none.district": (
        "{district}目前没有无障碍接种点。",
        "No accessible site in {district} at present.",
    ),
    "accessible.help": (
        "行动不便需协助请回复 人工。",
        "Need help getting there? Reply AGENT.",
    ),
    "site": (
        "{name}：{district}{address}，开放时间{hours}。",
        "{name}: {address}, {district}. Open {hours}.",
    ),
    "site.no_hours": ("{name}：{district}{address}。", "{name}: {address}, {district}."),
    "site.evening": ("有夜间接种。", "Evening sessions."),
    "site.mobile": ("为流动接种车。", "A mobile vaccination vehicle."),
    "site.accessible": ("有无障碍设施。", "Accessible."),
    "site.ask": (
        "请说出接种点名称，如“{example}地址”。",
        'Name the site, e.g. "{example} address".',
    ),
    "site.ask.district": (
        "{district}接种点：{sites}。问地址请说出名称。",
        "Sites in {district}: {sites}. Name one for its address.",
    ),
    "site.ask.plain": ("请说出接种点名称。", "Name the site."),
    "site.none": ("暂无接种点信息。", "No site is listed at present."),
    "hotline": (
        "咨询热线：{number}。回复 人工 可请工作人员回电。",
        "Hotline: {number}. Reply AGENT to have an operator call you back.",
    ),
    # -- proof of vaccination (policy records.*) ------------------------------------------------
    "certificate": (
        "每剂接种后由接种点录入系统，可在{online}查看电子接种记录。",
        "Each dose is entered by the site; see your electronic record in {online}.",
    ),
    "certificate.paper": (
        "接种现场另发纸质接种凭证，请妥善保管。",
        "The site also gives you a paper record: keep it safe.",
    ),
    "certificate.hotline": (
        "每剂接种后由接种点录入系统；需要证明请致电{number}。",
        "Each dose is entered by the site; for proof, call {number}.",
    ),
    # -- the sites with the most free places (store: released, bookable places) ---------------
    "busy": (
        "未来{days}天空位最多：{places}。",
        "Most free places in the next {days} days: {places}.",
    ),
    "busy.district": (
        "{district}未来{days}天空位最多：{places}。",
        "Most free places in {district} in the next {days} days: {places}.",
    ),
    "busy.label": ("{name}（{n}个）", "{name} ({n})"),
    "busy.label.district": ("{name}（{district}，{n}个）", "{name} ({district}, {n})"),
    "busy.none": (
        "未来{days}天暂无可约空位，每天{time}放号。",
        "No free places in the next {days} days; places are released daily at {time}.",
    ),
    "busy.none.district": (
        "{district}未来{days}天暂无可约空位，每天{time}放号。",
        "No free places in {district} in the next {days} days; released daily at {time}.",
    ),
    # -- after the shot: bathing, drinking, food, exercise (policy aftercare.*) ----------------
    "aftercare": (
        "接种后{hours}小时内针口保持干燥，可洗澡但勿揉搓针口；{days}天内不饮酒，"
        "少吃辛辣刺激食物，避免剧烈运动，多喝水多休息。不适持续请就医或回复 人工。",
        "Keep the injection site dry for {hours} hours: a shower is fine, but do not rub it. "
        "For {days} days no alcohol, spicy food or hard exercise; drink water and rest. If you "
        "feel unwell and it lasts, see a doctor or reply AGENT.",
    ),
    # -- the sender's own bookings and doses (flows/answers_mine.py) ----------------------------
    "mine.booked": ("{name} {day} {period}的预约在：", "{name}'s booking, {day} {period}, is at:"),
    "mine.booked.each": (
        "{name} {day} {period} {site}（{address}）",
        "{name}: {day} {period}, {site} ({address})",
    ),
    "mine.dose": ("{name}第{dose}剂于{day}接种，接种点：", "{name} had dose {dose} on {day} at:"),
    "mine.dose.nowhere": (
        "{name}第{dose}剂于{day}接种，记录中没有接种点，可回复 人工 查询。",
        "{name} had dose {dose} on {day}; the site is not on record here: reply AGENT to ask.",
    ),
    "mine.when.booked": (
        "{name}第{dose}剂已约：{day} {period} {site}。",
        "{name}'s dose {dose} is booked: {day} {period}, {site}.",
    ),
    "mine.when.after": (
        "{name}第{before}剂约在{day}；第{dose}剂在{first}至{last}之间接种。",
        "{name}'s dose {before} is booked for {day}; dose {dose} is due from {first} to {last}.",
    ),
    "sms": (
        "短信偶有延迟或被拦截，随时回复 查询 可看预约。",
        "Texts are sometimes late or blocked; reply STATUS any time to see your bookings.",
    ),
    "sms.yours": ("您的预约：{bookings}。", "Your bookings: {bookings}."),
    "sms.none": ("本手机暂无预约。", "There is no booking on this phone."),
    "close.sms": ("仍有问题请回复 人工。", "Still stuck? Reply AGENT."),
    "maker.offered": (
        "目前接种点有：{makers}。疫苗随接种点而定，选接种点即可。",
        "The sites have: {makers}. The vaccine goes with the site you choose.",
    ),
    "maker.own": ("第2剂起须与第1剂同一厂家。", "Later doses must be from the dose-1 maker."),
    "weekend": (
        "周六、周日也接种，同样须预约。",
        "Sites vaccinate on Saturdays and Sundays too, by appointment.",
    ),
    "weekend.days": ("近期有号的周末：{days}。", "Weekend days with places: {days}."),
    "weekend.none": (
        "近期周末暂无空位，每天{time}放号。",
        "No weekend places at present; places are released daily at {time}.",
    ),
    # -- missed appointments -------------------------------------------------------------------
    "noshow": (
        "不能按时接种请最迟在接种日{days}天前取消，当天不能取消。",
        "If you cannot come, cancel at the latest {days} day(s) before; not on the day.",
    ),
    "noshow.same_day": (
        "不能按时接种请在接种时段开始前取消。",
        "If you cannot come, cancel before the appointment starts.",
    ),
    "noshow.count": (
        "未取消又未接种计爽约，第{nth}次爽约起不能自助预约，须致电热线或通过居委会预约。",
        "A missed appointment not cancelled is a no-show; from no-show {nth} on, booking here "
        "is barred: call the hotline or your neighbourhood committee.",
    ),
}


def answer_text(lang: Lang, key: str, **values: object) -> str:
    return fill(ANSWER_TEXTS, lang, key, **values)
