"""Demo data for Guangzhou: every district of the policy, a few sites each, released slots;
and the moment a demo chat can book at, whatever the hour it is run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flows.holidays import holidays_between
from flows.policy import Policy, parse_hhmm, time_range
from flows.schedule import Window, campaign_now, window
from store import SlotFilter, Store

DEMO_JOB = "seed-demo"  # recorded in the jobs table: the database holds the demo
LOOK_AHEAD_DAYS = 31  # how far ahead a demo chat looks for a moment booking is open


@dataclass(frozen=True)
class DemoSite:
    district: str
    name_zh: str
    name_en: str
    address_zh: str
    address_en: str
    product: str
    evening: bool = False
    mobile: bool = False
    accessible: bool = True
    closed_on_holidays: bool = False  # offers no slots on public holidays


SITES = (
    DemoSite("tianhe", "天河体育中心接种点", "Tianhe Sports Centre", "天河路299号",
             "299 Tianhe Rd", "coronavac", evening=True),
    DemoSite("tianhe", "石牌街社区卫生服务中心", "Shipai Community Health Centre",
             "石牌东路33号", "33 Shipai East Rd", "bbibp", closed_on_holidays=True),
    DemoSite("baiyun", "白云国际会议中心接种点", "Baiyun Convention Centre", "白云大道南1号",
             "1 Baiyun Ave South", "bbibp"),
    DemoSite("baiyun", "京溪街流动接种车", "Jingxi Mobile Vaccination Vehicle", "京溪路广场",
             "Jingxi Rd Square", "coronavac", mobile=True, accessible=False),
    DemoSite("haizhu", "海珠区疾控接种门诊", "Haizhu CDC Clinic", "南洲路170号",
             "170 Nanzhou Rd", "coronavac"),
    DemoSite("haizhu", "琶洲会展中心接种点", "Pazhou Exhibition Centre", "阅江中路380号",
             "380 Yuejiang Middle Rd", "zf2001", evening=True),
    DemoSite("panyu", "番禺区体育馆接种点", "Panyu Gymnasium", "桥南街福愉东路8号",
             "8 Fuyu East Rd", "bbibp"),
    DemoSite("panyu", "市桥街社区卫生服务中心", "Shiqiao Community Health Centre",
             "环城中路118号", "118 Huancheng Middle Rd", "coronavac"),
    DemoSite("zengcheng", "增城区人民医院接种点", "Zengcheng People's Hospital",
             "荔城街府佑路1号", "1 Fuyou Rd", "coronavac"),
    DemoSite("zengcheng", "新塘镇流动接种车", "Xintang Mobile Vaccination Vehicle",
             "新塘镇政府广场", "Xintang Town Square", "ad5", mobile=True, accessible=False),
    DemoSite("yuexiu", "越秀区疾控接种门诊", "Yuexiu CDC Clinic", "越华路22号",
             "22 Yuehua Rd", "bbibp", evening=True),
    DemoSite("yuexiu", "北京街社区卫生服务中心", "Beijing Jie Community Health Centre",
             "大南路34号", "34 Danan Rd", "coronavac"),
    DemoSite("liwan", "荔湾区体育馆接种点", "Liwan Gymnasium", "中山八路55号",
             "55 Zhongshan 8th Rd", "coronavac"),
    DemoSite("liwan", "芳村社区卫生服务中心", "Fangcun Community Health Centre",
             "花地大道中78号", "78 Huadi Ave Middle", "bbibp"),
    DemoSite("huadu", "花都区人民医院接种点", "Huadu People's Hospital", "新华路48号",
             "48 Xinhua Rd", "bbibp"),
    DemoSite("huadu", "新华街社区卫生服务中心", "Xinhua Community Health Centre",
             "公益路3号", "3 Gongyi Rd", "coronavac"),
    DemoSite("nansha", "南沙区体育馆接种点", "Nansha Gymnasium", "凤凰大道1号",
             "1 Fenghuang Ave", "coronavac"),
    DemoSite("nansha", "黄阁镇社区卫生服务中心", "Huangge Community Health Centre",
             "黄阁大道中16号", "16 Huangge Ave Middle", "ad5"),
    DemoSite("conghua", "从化区中医院接种点", "Conghua TCM Hospital", "街口街新城中路68号",
             "68 Xincheng Middle Rd", "coronavac"),
    DemoSite("conghua", "温泉镇流动接种车", "Wenquan Mobile Vaccination Vehicle",
             "温泉镇文化广场", "Wenquan Culture Square", "bbibp", mobile=True, accessible=False),
    DemoSite("huangpu", "黄埔区体育中心接种点", "Huangpu Sports Centre", "大沙地东路1号",
             "1 Dashadi East Rd", "bbibp", evening=True),
    DemoSite("huangpu", "萝岗社区卫生服务中心", "Luogang Community Health Centre",
             "萝岗大道12号", "12 Luogang Ave", "zf2001"),
)  # fmt: skip

DAY_PERIODS = (("08:00", "10:00", 40), ("10:00", "12:00", 40), ("14:00", "16:00", 30),
               ("16:00", "18:00", 30))  # fmt: skip
EVENING_PERIOD = ("18:30", "20:30", 20)


def sync_reference(store: Store, policy: Policy) -> None:
    """Districts and products of the policy, mirrored into the store."""
    store.sync_districts((key, d.zh, d.en) for key, d in policy.districts.items())
    store.sync_products(
        (key, p.zh, p.en, p.manufacturer, p.doses) for key, p in policy.products.items()
    )


def seed_demo(store: Store, policy: Policy, today: date, days: int, now: datetime) -> int:
    """Create the demo sites (once) and released slots for ``days`` days from ``today``.

    Running it again keeps what exists and adds only missing slots; returns slots added.
    """
    sync_reference(store, policy)
    existing = store.site_ids()
    site_ids: list[tuple[int, DemoSite]] = []
    for site in SITES:
        if site.district not in policy.districts or site.product not in policy.products:
            continue  # a deployer's policy without this district or product
        site_id = existing.get(site.name_en)
        if site_id is None:
            site_id = store.add_site(
                district_id=site.district,
                name_zh=site.name_zh,
                name_en=site.name_en,
                address_zh=site.address_zh,
                address_en=site.address_en,
                hours="08:00-20:30" if site.evening else "08:00-18:00",
                evening=site.evening,
                mobile=site.mobile,
                accessible=site.accessible,
                closed_on_holidays=site.closed_on_holidays,
            )
        site_ids.append((site_id, site))
    # Demo slots are released from the start of the first day, so a frozen clock on that day
    # (VAXBOT_NOW) already sees them.
    released = min(now, datetime.combine(today, time(0), now.tzinfo)).isoformat(timespec="seconds")
    rows = [
        {
            "site_id": site_id,
            "product_id": site.product,
            "day": (today + timedelta(days=offset)).isoformat(),
            "start": start,
            "end": end,
            "capacity": capacity,
            "released_at": released,
        }
        for site_id, site in site_ids
        for offset in range(days)
        for start, end, capacity in DAY_PERIODS + ((EVENING_PERIOD,) if site.evening else ())
    ]
    added = store.add_slots(rows, skip_existing=True)
    store.job_done(DEMO_JOB, today.isoformat(), now)
    return added


def is_demo(store: Store) -> bool:
    """Whether ``seed-demo`` made (or topped up) this database."""
    return store.last_job_key(DEMO_JOB) is not None


def bookable_now(
    store: Store, policy: Policy, now: datetime, holidays: tuple[date, ...] | None = None
) -> bool:
    """Whether a resident can book a first dose at ``now``: some district's window is open (not
    the maintenance hours, not a priority campaign's day) and it has places left to offer.
    ``holidays``: the public holidays of the days listed, if already known."""
    if campaign_now(policy, now.date()) is not None:
        return False
    districts = {key for key in policy.districts if window(policy, key, now) is Window.OPEN}
    if not districts:
        return False
    first = now.date()
    last = first + timedelta(days=policy.booking.days_listed - 1)
    if holidays is None:
        holidays = holidays_between(first, last)
    only = SlotFilter(holidays=tuple(day for day in holidays if first <= day <= last))
    sites = store.sites_with_places(None, first, last, now, only)
    return any(left > 0 and site.district_id in districts for site, left in sites)


def booking_moment(
    store: Store, policy: Policy, after: datetime, days: int = LOOK_AHEAD_DAYS
) -> datetime | None:
    """``after`` if a resident can book then, else the next moment within ``days`` days at which
    one can: a district's window opening, the end of the maintenance hours or the daily release.
    None when there is none (the demo's places are all in the past)."""
    first = after.date()
    holidays = holidays_between(first, first + timedelta(days=days + policy.booking.days_listed))
    if bookable_now(store, policy, after, holidays):
        return after
    starts = sorted(
        {time_range(district.window)[0] for district in policy.districts.values()}
        | {time_range(policy.booking.maintenance)[1], parse_hhmm(policy.booking.release_time)}
    )
    for offset in range(days + 1):
        day = first + timedelta(days=offset)
        for start in starts:
            moment = datetime.combine(day, start, after.tzinfo)
            if moment > after and bookable_now(store, policy, moment, holidays):
                return moment
    return None
