"""Spec for flows.policy: the shipped defaults reproduce the domain rules; deployer files merge
over them key by key; every error names the file, the dotted key and the problem."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from flows.policy import Policy, PolicyError, in_range, load_policy, time_range

# -- the defaults ------------------------------------------------------------------------------

WINDOWS = {
    "tianhe": "08:00-12:00",
    "baiyun": "08:00-12:00",
    "haizhu": "12:00-16:00",
    "panyu": "12:00-16:00",
    "zengcheng": "12:00-16:00",
    "yuexiu": "16:00-20:00",
    "liwan": "16:00-20:00",
    "huadu": "16:00-20:00",
    "nansha": "16:00-20:00",
    "conghua": "16:00-20:00",
    "huangpu": "08:00-20:00",
}
NAMES = {
    "tianhe": ("天河区", "Tianhe"),
    "baiyun": ("白云区", "Baiyun"),
    "haizhu": ("海珠区", "Haizhu"),
    "panyu": ("番禺区", "Panyu"),
    "zengcheng": ("增城区", "Zengcheng"),
    "yuexiu": ("越秀区", "Yuexiu"),
    "liwan": ("荔湾区", "Liwan"),
    "huadu": ("花都区", "Huadu"),
    "nansha": ("南沙区", "Nansha"),
    "conghua": ("从化区", "Conghua"),
    "huangpu": ("黄埔区", "Huangpu"),
}


def test_default_districts_are_the_eleven_of_guangzhou(policy: Policy) -> None:
    assert set(policy.districts) == set(WINDOWS)


@pytest.mark.parametrize(("district", "window"), list(WINDOWS.items()), ids=list(WINDOWS))
def test_default_booking_window(policy: Policy, district: str, window: str) -> None:
    assert policy.districts[district].window == window


@pytest.mark.parametrize(("district", "names"), list(NAMES.items()), ids=list(NAMES))
def test_default_district_names(policy: Policy, district: str, names: tuple[str, str]) -> None:
    assert (policy.districts[district].zh, policy.districts[district].en) == names


def hm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@pytest.mark.parametrize(
    ("district", "moment", "inside"),
    [
        pytest.param("tianhe", "07:59", False, id="tianhe-07:59-out"),
        pytest.param("tianhe", "08:00", True, id="tianhe-08:00-in"),
        pytest.param("tianhe", "11:59", True, id="tianhe-11:59-in"),
        pytest.param("tianhe", "12:00", False, id="tianhe-12:00-out"),
        pytest.param("baiyun", "12:00", False, id="baiyun-12:00-out"),
        pytest.param("haizhu", "11:59", False, id="haizhu-11:59-out"),
        pytest.param("haizhu", "12:00", True, id="haizhu-12:00-in"),
        pytest.param("panyu", "15:59", True, id="panyu-15:59-in"),
        pytest.param("zengcheng", "16:00", False, id="zengcheng-16:00-out"),
        pytest.param("yuexiu", "15:59", False, id="yuexiu-15:59-out"),
        pytest.param("yuexiu", "16:00", True, id="yuexiu-16:00-in"),
        pytest.param("liwan", "19:59", True, id="liwan-19:59-in"),
        pytest.param("liwan", "20:00", False, id="liwan-20:00-out"),
        pytest.param("conghua", "08:00", False, id="conghua-08:00-out"),
        pytest.param("huangpu", "07:59", False, id="huangpu-07:59-out"),
        pytest.param("huangpu", "08:00", True, id="huangpu-08:00-in"),
        pytest.param("huangpu", "13:30", True, id="huangpu-13:30-in"),
        pytest.param("huangpu", "19:59", True, id="huangpu-19:59-in"),
        pytest.param("huangpu", "20:00", False, id="huangpu-20:00-out"),
    ],
)
def test_window_edges(policy: Policy, district: str, moment: str, inside: bool) -> None:
    assert in_range(hm(moment), policy.districts[district].window) is inside


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        pytest.param("19:59", False, id="19:59-open"),
        pytest.param("20:00", True, id="20:00-maintenance"),
        pytest.param("23:59", True, id="23:59-maintenance"),
        pytest.param("00:00", True, id="midnight-maintenance"),
        pytest.param("07:59", True, id="07:59-maintenance"),
        pytest.param("08:00", False, id="08:00-open"),
        pytest.param("12:00", False, id="noon-open"),
    ],
)
def test_maintenance_wraps_midnight(policy: Policy, moment: str, inside: bool) -> None:
    assert policy.booking.maintenance == "20:00-08:00"
    assert in_range(hm(moment), policy.booking.maintenance) is inside


def test_no_booking_window_overlaps_maintenance(policy: Policy) -> None:
    minutes = [time(h, m) for h in range(24) for m in range(60)]
    for key, district in policy.districts.items():
        clash = [
            t
            for t in minutes
            if in_range(t, district.window) and in_range(t, policy.booking.maintenance)
        ]
        assert clash == [], key


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        pytest.param("08:00-12:00", (time(8), time(12)), id="morning"),
        pytest.param("20:00-08:00", (time(20), time(8)), id="wrapping"),
        pytest.param("00:00-23:59", (time(0), time(23, 59)), id="whole-day"),
    ],
)
def test_time_range(span: str, expected: tuple[time, time]) -> None:
    assert time_range(span) == expected


def test_default_timezone(policy: Policy) -> None:
    assert policy.timezone == "Asia/Shanghai"
    assert policy.zone.key == "Asia/Shanghai"


def test_default_ages(policy: Policy) -> None:
    ages = policy.ages
    assert (ages.minimum, ages.assessment, ages.companion, ages.green_channel) == (18, 60, 70, 76)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        pytest.param("noshow_limit", 2, id="noshow-limit"),
        pytest.param("cancel_cutoff_days", 1, id="cancel-cutoff"),
        pytest.param("release_time", "08:00", id="release-time"),
        pytest.param("release_days_ahead", 7, id="release-days-ahead"),
        pytest.param("days_listed", 7, id="days-listed"),
    ],
)
def test_default_booking_rules(policy: Policy, field: str, expected: object) -> None:
    assert getattr(policy.booking, field) == expected


def test_default_registration(policy: Policy) -> None:
    assert policy.registration.max_people_per_phone == 5
    assert policy.registration.questionnaire_version == "2021-06"


@pytest.mark.parametrize("product", ["coronavac", "bbibp"])
def test_inactivated_products_have_two_doses_21_to_56_days_apart(
    policy: Policy, product: str
) -> None:
    p = policy.products[product]
    assert "灭活" in p.zh  # inactivated
    assert p.doses == 2
    assert [(i.min_days, i.max_days) for i in p.intervals] == [(21, 56)]


def test_there_is_a_one_dose_and_a_three_dose_product(policy: Policy) -> None:
    by_doses = {p.doses: key for key, p in policy.products.items()}
    assert 1 in by_doses
    assert 3 in by_doses
    assert policy.products[by_doses[1]].intervals == ()
    assert len(policy.products[by_doses[3]].intervals) == 2


@pytest.mark.parametrize(
    ("product", "doses", "intervals"),
    [
        pytest.param("coronavac", 2, [(21, 56)], id="coronavac"),
        pytest.param("bbibp", 2, [(21, 56)], id="bbibp"),
        pytest.param("ad5", 1, [], id="ad5-one-dose"),
        pytest.param("zf2001", 3, [(28, 90), (28, 150)], id="zf2001-three-doses"),
    ],
)
def test_default_products(
    policy: Policy, product: str, doses: int, intervals: list[tuple[int, int]]
) -> None:
    p = policy.products[product]
    assert p.doses == doses
    assert [(i.min_days, i.max_days) for i in p.intervals] == intervals
    assert len(p.intervals) == p.doses - 1


def test_default_campaign_is_the_june_2021_dose_2_days(policy: Policy) -> None:
    assert len(policy.campaigns) == 1
    campaign = policy.campaigns[0]
    assert (campaign.start, campaign.end) == (date(2021, 6, 19), date(2021, 6, 21))
    assert campaign.dose == 2
    assert campaign.more_than_days_since_previous == 35


def test_defaults_load_the_same_without_and_with_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("", "utf-8")
    assert load_policy(empty) == load_policy()


# -- deployer files ----------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "deploy.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_overriding_one_number_keeps_the_rest(tmp_path: Path, policy: Policy) -> None:
    loaded = load_policy(write(tmp_path, "[booking]\nnoshow_limit = 4\n"))
    assert loaded.booking.noshow_limit == 4
    assert loaded.booking.model_dump() == {**policy.booking.model_dump(), "noshow_limit": 4}
    assert loaded.model_dump(exclude={"booking"}) == policy.model_dump(exclude={"booking"})


def test_overriding_one_district_window_keeps_its_names(tmp_path: Path, policy: Policy) -> None:
    loaded = load_policy(write(tmp_path, '[districts.tianhe]\nwindow = "09:00-13:00"\n'))
    tianhe = loaded.districts["tianhe"]
    assert (tianhe.zh, tianhe.en, tianhe.window) == ("天河区", "Tianhe", "09:00-13:00")
    assert set(loaded.districts) == set(policy.districts)
    assert loaded.districts["baiyun"] == policy.districts["baiyun"]


def test_overriding_product_intervals_keeps_its_other_fields(tmp_path: Path) -> None:
    loaded = load_policy(
        write(tmp_path, "[products.coronavac]\nintervals = [{ min_days = 14, max_days = 28 }]\n")
    )
    coronavac = loaded.products["coronavac"]
    assert [(i.min_days, i.max_days) for i in coronavac.intervals] == [(14, 28)]
    assert (coronavac.zh, coronavac.doses) == ("科兴新冠灭活疫苗", 2)


def test_a_new_district_is_added_to_the_defaults(tmp_path: Path) -> None:
    loaded = load_policy(
        write(tmp_path, '[districts.foshan]\nzh = "佛山"\nen = "Foshan"\nwindow = "09:00-17:00"\n')
    )
    assert len(loaded.districts) == 12
    assert loaded.districts["foshan"].window == "09:00-17:00"


def test_lists_are_replaced_whole(tmp_path: Path) -> None:
    assert load_policy(write(tmp_path, "campaigns = []\n")).campaigns == ()


def test_other_timezone(tmp_path: Path) -> None:
    loaded = load_policy(write(tmp_path, 'timezone = "Asia/Hong_Kong"\n'))
    assert loaded.zone.key == "Asia/Hong_Kong"


def test_campaign_dates_may_be_toml_dates(tmp_path: Path) -> None:
    loaded = load_policy(
        write(
            tmp_path,
            '[[campaigns]]\nname_zh = "x"\nname_en = "x"\n'
            "start = 2021-07-01\nend = 2021-07-01\ndose = 1\n",
        )
    )
    assert [(c.start, c.end, c.dose) for c in loaded.campaigns] == [
        (date(2021, 7, 1), date(2021, 7, 1), 1)
    ]


# -- errors ------------------------------------------------------------------------------------


def problem(tmp_path: Path, text: str) -> tuple[str, str]:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    return str(caught.value), str(path)


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        pytest.param("colour = 1\n", "colour", "unknown key", id="unknown-top-level-key"),
        pytest.param(
            "[booking]\nnoshow_limt = 3\n", "booking.noshow_limt", "unknown key", id="typo-in-key"
        ),
        pytest.param(
            '[districts.tianhe]\ncolour = "red"\n',
            "districts.tianhe.colour",
            "unknown key",
            id="unknown-district-key",
        ),
        pytest.param(
            "[products.ad5]\nintervals = [{ min_days = 1, max_days = 2, note = 3 }]\n",
            "products.ad5.intervals.0.note",
            "unknown key",
            id="unknown-interval-key",
        ),
        pytest.param(
            '[booking]\nrelease_time = "8:00"\n', "booking.release_time", "HH:MM", id="time-8:00"
        ),
        pytest.param(
            '[booking]\nrelease_time = "24:00"\n', "booking.release_time", "HH:MM", id="time-24:00"
        ),
        pytest.param(
            '[booking]\nrelease_time = "08:60"\n', "booking.release_time", "HH:MM", id="time-08:60"
        ),
        pytest.param(
            '[booking]\nrelease_time = "0800"\n', "booking.release_time", "HH:MM", id="time-0800"
        ),
        pytest.param(
            '[booking]\nrelease_time = "ab:cd"\n', "booking.release_time", "HH:MM", id="time-ab:cd"
        ),
        pytest.param(
            '[booking]\nrelease_time = "+8:00"\n', "booking.release_time", "HH:MM", id="time-+8:00"
        ),
        pytest.param(
            '[booking]\nrelease_time = " 8:00"\n',
            "booking.release_time",
            "HH:MM",
            id="time-space-8:00",
        ),
        pytest.param(
            "[booking]\nrelease_time = 08:00:00\n",
            "booking.release_time",
            "string",
            id="time-toml-time-not-string",
        ),
        pytest.param(
            '[districts.tianhe]\nwindow = "08:00"\n',
            "districts.tianhe.window",
            "HH:MM-HH:MM",
            id="range-single-time",
        ),
        pytest.param(
            '[districts.tianhe]\nwindow = "08:00-12:00-16:00"\n',
            "districts.tianhe.window",
            "HH:MM-HH:MM",
            id="range-three-parts",
        ),
        pytest.param(
            '[districts.tianhe]\nwindow = "08:00-25:00"\n',
            "districts.tianhe.window",
            "HH:MM-HH:MM",
            id="range-25:00",
        ),
        pytest.param(
            '[booking]\nmaintenance = "8pm-8am"\n',
            "booking.maintenance",
            "HH:MM-HH:MM",
            id="maintenance-8pm-8am",
        ),
        pytest.param(
            '[booking]\nnoshow_limit = "two"\n', "booking.noshow_limit", "integer", id="not-int"
        ),
        pytest.param(
            "[booking]\ncancel_cutoff_days = -1\n",
            "booking.cancel_cutoff_days",
            "greater than or equal to 0",
            id="negative-cutoff",
        ),
        pytest.param(
            "[registration]\nmax_people_per_phone = 0\n",
            "registration.max_people_per_phone",
            "greater than or equal to 1",
            id="zero-people-per-phone",
        ),
        pytest.param(
            "[products.zf2001]\nintervals = [{ min_days = 28, max_days = 90 }]\n",
            "products.zf2001.intervals",
            "needs 2 interval(s), got 1",
            id="three-dose-product-one-interval",
        ),
        pytest.param(
            '[products.x]\nzh = "x"\nen = "x"\nmanufacturer = "m"\ndoses = 1\n'
            "intervals = [{ min_days = 28, max_days = 90 }]\n",
            "products.x.intervals",
            "needs 0 interval(s), got 1",
            id="one-dose-product-one-interval",
        ),
        pytest.param(
            "[products.coronavac]\nintervals = [{ min_days = 56, max_days = 21 }]\n",
            "products.coronavac.intervals.0",
            "max_days must not be less than min_days",
            id="interval-max-before-min",
        ),
        pytest.param(
            '[products.x]\nzh = "x"\nen = "x"\ndoses = 1\nintervals = []\n',
            "products.x.manufacturer",
            "Field required",
            id="new-product-missing-field",
        ),
        pytest.param(
            "[ages]\ncompanion = 50\n",
            "ages",
            "minimum <= assessment <= companion <= green_channel",
            id="ages-out-of-order",
        ),
        pytest.param(
            "[ages]\nminimum = 61\n",
            "ages",
            "minimum <= assessment <= companion <= green_channel",
            id="minimum-above-assessment",
        ),
        pytest.param(
            '[[campaigns]]\nname_zh = "x"\nname_en = "x"\nstart = 2021-06-21\n'
            "end = 2021-06-19\ndose = 2\n",
            "campaigns.0",
            "end must not be before start",
            id="campaign-end-before-start",
        ),
        pytest.param(
            '[[campaigns]]\nname_zh = "x"\nname_en = "x"\nstart = "2021-02-30"\n'
            'end = "2021-03-01"\ndose = 2\n',
            "campaigns.0.start",
            "date",
            id="campaign-impossible-date",
        ),
        pytest.param(
            'timezone = "Mars/Olympus_Mons"\n',
            "timezone",
            "unknown time zone 'Mars/Olympus_Mons'",
            id="unknown-timezone",
        ),
        pytest.param('timezone = "CST"\n', "timezone", "unknown time zone", id="timezone-CST"),
        pytest.param('timezone = ""\n', "timezone", "unknown time zone", id="timezone-empty"),
        pytest.param(
            'timezone = "../etc/passwd"\n', "timezone", "unknown time zone", id="timezone-path"
        ),
        pytest.param('districts = "all"\n', "districts", "dictionary", id="districts-not-table"),
    ],
)
def test_errors_name_file_key_and_problem(tmp_path: Path, text: str, key: str, words: str) -> None:
    message, path = problem(tmp_path, text)
    assert f"{path}: {key}: " in message
    assert words in message


def test_every_problem_is_reported(tmp_path: Path) -> None:
    message, path = problem(
        tmp_path,
        'timezone = "Nowhere/Land"\n[booking]\nnoshow_limit = -5\ncolour = "red"\n',
    )
    lines = message.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert {line.split(": ")[1] for line in lines} == {
        "timezone",
        "booking.noshow_limit",
        "booking.colour",
    }


def test_bad_toml_syntax(tmp_path: Path) -> None:
    message, path = problem(tmp_path, "[booking\nnoshow_limit = 3\n")
    assert message.startswith(f"{path}: not valid TOML")
    assert "line 1" in message


def test_duplicate_toml_key(tmp_path: Path) -> None:
    message, path = problem(tmp_path, "[booking]\nnoshow_limit = 3\nnoshow_limit = 4\n")
    assert message.startswith(f"{path}: not valid TOML")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "policy.toml"
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == f"{path}: cannot read: No such file or directory"


def test_a_directory_is_not_a_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path}: cannot read")


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(PolicyError, ValueError)
