"""Every string of the console's own UI, in Chinese and English (one table).

Resident-facing texts (the engine's replies in the chat pane) come from ``flows.texts``.
"""

from __future__ import annotations

from typing import Literal

UiLang = Literal["zh", "en"]

UI: dict[str, tuple[str, str]] = {
    # footer bindings
    "k.caller": ("来电", "Caller"),
    "k.followups": ("回访", "Follow-ups"),
    "k.roster": ("团体预约", "Group"),
    "k.dashboard": ("概览", "Dashboard"),
    "k.lang": ("English", "中文"),
    "k.quit": ("退出", "Quit"),
    "k.lookup": ("查找", "Find"),
    "k.cancel": ("取消预约", "Cancel"),
    "k.reschedule": ("改约", "Reschedule"),
    "k.attend": ("已接种", "Attended"),
    "k.noshow": ("爽约", "No-show"),
    "k.unbar": ("解除限制", "Lift bar"),
    "k.chat": ("代为预约", "Book"),
    "k.outcome": ("记录结果", "Outcome"),
    "k.refresh": ("刷新", "Refresh"),
    "k.import": ("导入", "Import"),
    "k.export": ("导出", "Export"),
    "k.yes": ("确认", "Yes"),
    "k.no": ("返回", "No"),
    # caller screen
    "lookup.placeholder": (
        "手机号 / 身份证号 / 姓名 / 预约码 B… / 预登记码 R…",
        "phone / ID number / name / booking code B… / pre-registration R…",
    ),
    "lookup.none": ("没有找到：{query}", "Nothing found for: {query}"),
    "lookup.new": (
        "新来电 {phone}：按 Ctrl+B，在“代为预约”中输入“登记”为其登记",
        "New caller {phone}: Ctrl+B, then type “register” to register them",
    ),
    "lookup.found": ("来电 {phone}：{n} 人", "Caller {phone}: {n} people"),
    "lookup.start": ("输入来电者的手机号等，按回车", "Type the caller's phone etc. and Enter"),
    "tab.person": ("人员", "People"),
    "tab.book": ("代为预约", "Book on behalf"),
    "col.name": ("姓名", "Name"),
    "col.id": ("证件号", "ID"),
    "col.age": ("年龄", "Age"),
    "col.district": ("区", "District"),
    "col.status": ("状态", "Status"),
    "col.code": ("预约码", "Code"),
    "col.dose": ("剂次", "Dose"),
    "col.date": ("日期", "Date"),
    "col.period": ("时段", "Period"),
    "col.site": ("接种点", "Site"),
    "col.places": ("余量", "Left"),
    "col.product": ("疫苗", "Vaccine"),
    "col.when": ("时间", "When"),
    "col.who": ("操作人", "By"),
    "col.action": ("操作", "Action"),
    "col.level": ("级别", "Level"),
    "col.phone": ("手机号", "Phone"),
    "col.reason": ("原因", "Reason"),
    "col.since": ("自", "Since"),
    "col.last": ("上次", "Last call"),
    "col.row": ("行", "Row"),
    "col.result": ("结果", "Result"),
    "col.booked": ("已约", "Booked"),
    "col.capacity": ("容量", "Capacity"),
    "col.used": ("使用", "Used"),
    "screening.none": ("无筛查记录", "no screening on record"),
    "screening": ("筛查 {at}：第{dose}剂 {outcome}", "screening {at}: dose {dose} {outcome}"),
    "doses.none": ("无接种记录", "no doses on record"),
    "doses": ("已接种：{doses}", "doses: {doses}"),
    "history": ("记录", "History"),
    "pick.district": ("区", "District"),
    "pick.hint": (
        "余量实时刷新；选中时段后在预约表按 r 改约",
        "places refresh live; pick a period, then r on a booking to move it",
    ),
    "chat.placeholder": ("代来电者输入…（回车发送）", "Type for the caller… (Enter)"),
    "chat.book_word": ("预约", "book"),
    "chat.need_caller": ("请先查找来电者", "Look the caller up first"),
    "chat.started": ("与 {phone} 的对话（渠道 operator）", "Conversation for {phone} (operator)"),
    "act.pick_booking": ("请先在预约表中选中一条预约", "Select a booking in the table first"),
    "act.pick_person": ("请先选中一个人", "Select a person first"),
    "act.pick_slot": ("请先在“代为预约”页选中一个时段", "Pick a period in the Book tab first"),
    "act.confirm_cancel": (
        "取消预约 {code}（{day} {period}）？",
        "Cancel {code} ({day} {period})?",
    ),
    "act.confirm_move": (
        "将 {code} 改到 {site} {day} {period}？",
        "Move {code} to {site} {day} {period}?",
    ),
    "act.confirm_noshow": ("将 {code} 记为爽约？", "Mark {code} a no-show?"),
    "act.confirm_unbar": ("解除 {name} 的预约限制？", "Lift the booking bar of {name}?"),
    "act.cancelled": ("已取消 {code}", "{code} cancelled"),
    "act.moved": ("{code} 已改到 {day} {period}", "{code} moved to {day} {period}"),
    "act.noshow": ("{code} 已记为爽约", "{code} marked a no-show"),
    "act.unbarred": ("已解除 {name} 的限制", "Bar lifted for {name}"),
    "act.failed": ("未完成：{why}", "Not done: {why}"),
    "act.not_active": ("预约已不是有效状态", "the booking is no longer active"),
    "act.full": ("该时段已约满", "that period is full"),
    "misfit.product": ("第{dose}剂须为同一厂家：{products}", "dose {dose} must be {products}"),
    "misfit.early": ("第{dose}剂最早 {day}", "dose {dose} not before {day}"),
    "misfit.too_young": ("当天未满{min}岁", "under {min} on that day"),
    # flows.rules: may this person book now (the people table's status, refusals)
    "rule.None": ("可预约第{dose}剂", "may book dose {dose}"),
    "rule.barred": ("已限制（爽约{n}次）", "barred ({n} no-shows)"),
    "rule.complete": ("已全部接种", "all doses done"),
    "rule.already": ("已约第{dose}剂", "dose {dose} booked"),
    "rule.campaign": ("优先时段，暂不可约", "priority days: not yet"),
    "rule.too_young": ("未满{min}岁", "under {min}"),
    "rule.maintenance": ("维护时段，可排队", "maintenance hours: queue"),
    "act.not_over": ("时段尚未结束", "the period is not over yet"),
    "act.supervisor_only": ("只有组长可以这样做", "Only a supervisor may do that"),
    "act.not_barred": ("此人未被限制", "this person is not barred"),
    # follow-ups
    "fu.callbacks": ("回拨请求（人工）", "Call-back requests (agent)"),
    "fu.cases": ("逾期未接种第二剂（黄/红）", "Overdue next doses (yellow/red)"),
    "fu.pick": ("选择结果（数字）", "Choose the outcome (number)"),
    "fu.recorded": ("#{id}：{outcome}", "#{id}: {outcome}"),
    "fu.none": ("请先选中一行", "Select a row first"),
    "out.booked": ("已预约", "booked"),
    "out.will-book": ("将自行预约", "will book"),
    "out.declined": ("不再接种", "declined"),
    "out.no-answer": ("无人接听", "no answer"),
    "out.wrong-number": ("号码错误", "wrong number"),
    "out.resolved": ("已解决", "resolved"),
    # roster
    "ro.path": ("名单 CSV 文件路径", "Roster CSV file path"),
    "ro.source": ("来源（居委会/单位）", "From (committee / employer)"),
    "ro.idle": (
        "列：name,id_number,phone,district[,site,date,period]",
        "columns: name,id_number,phone,district[,site,date,period]",
    ),
    "ro.running": ("导入中… {done}/{total}", "Importing… {done}/{total}"),
    "ro.done": (
        "完成：预约 {booked}，跳过 {skipped}，未约 {rejected}",
        "Done: booked {booked}, skipped {skipped}, refused {rejected}",
    ),
    "ro.error": ("无法读取：{why}", "Cannot read: {why}"),
    "ro.exported": ("结果已导出到 {path}", "Results written to {path}"),
    "ro.nothing": ("还没有结果可导出", "No results to export yet"),
    # dashboard
    "db.title": ("{day} 概览", "Overview {day}"),
    "db.today": ("今日预约 {n}", "Bookings today {n}"),
    "db.attended": ("已接种 {n}", "attended {n}"),
    "db.noshows": ("今日爽约 {n}（累计 {total}）", "no-shows today {n} ({total} in all)"),
    "db.queue": ("预登记排队 {n}", "Waiting in the queue {n}"),
    "db.callbacks": ("待回拨 {n}", "Open call-backs {n}"),
    "db.followups": ("待回访 {n}", "Open follow-ups {n}"),
    "db.week": ("未来7天已约", "Booked next 7 days"),
    # misc
    "status.active": ("有效", "active"),
    "status.cancelled": ("已取消", "cancelled"),
    "status.attended": ("已接种", "attended"),
    "status.noshow": ("爽约", "no-show"),
    "operator": ("{role} {name} 已登录", "{role} {name} logged in"),
    "role.operator": ("接线员", "Operator"),
    "role.supervisor": ("组长", "Supervisor"),
    # login and the idle lock
    "login.title": ("疫苗预约热线：请登录", "Vaccination hotline: log in"),
    "login.locked": (
        "已锁定（{name}）：请输入密码解锁",
        "Locked ({name}): your password to unlock",
    ),
    "login.name": ("接线员姓名", "Operator name"),
    "login.password": ("密码", "Password"),
    "login.code": ("动态验证码（组长，如已启用）", "TOTP code (supervisors, if enrolled)"),
    "login.refused": ("登录失败：{why}", "Login refused: {why}"),
    "title": ("疫苗预约热线", "Vaccination hotline"),
}


def ui(lang: UiLang, key: str, **values: object) -> str:
    """The UI string ``key`` in ``lang``, with ``values`` filled in."""
    zh, en = UI[key]
    template = zh if lang == "zh" else en
    return template.format(**values) if values else template
