"""Group booking from a roster CSV (``bot.roster``): each row booked or refused on its own."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.clock import parse_moment
from bot.records import TableError
from bot.roster import Outcome, import_roster, read_roster, write_results
from flows.identity import check_character
from flows.policy import Policy
from store import Dose, Store
from tests.conftest import NOW
from tests.fakes import tables

BACKENDS = ("sqlite", "postgresql")
ACTOR = "operator:王芳"
HEADER = "name,id_number,phone,district,site,date,period\n"


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


ADULT = id_number("44010619800101123")  # born 1980, male
SECOND = id_number("44010619750505124")  # born 1975, female
CHILD = id_number("44010620100101123")  # born 2010: 11 years old


def now(policy: Policy) -> datetime:
    return parse_moment(NOW, policy.zone)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_rows_are_booked_and_a_bad_row_is_reported(
    tmp_path: Path, store: Store, policy: Policy
) -> None:
    path = write(
        tmp_path,
        HEADER
        + f"张三,{ADULT},13800138001,tianhe,,,\n"
        + f"李四,{SECOND},13800138002,天河区,石牌街社区卫生服务中心,2021-06-19,10:00\n"
        + f"小明,{CHILD},13800138003,tianhe,,,\n"
        + "王五,123,13800138004,tianhe,,,\n",
    )
    seen: list[tuple[int, int]] = []
    results = import_roster(
        store, policy, read_roster(path), now(policy), ACTOR, lambda d, t: seen.append((d, t))
    )

    assert [r.outcome for r in results] == [
        Outcome.BOOKED, Outcome.BOOKED, Outcome.REJECTED, Outcome.REJECTED,
    ]  # fmt: skip
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert results[1].site == "石牌街社区卫生服务中心"
    assert (results[1].day, results[1].period) == ("2021-06-19", "10:00-12:00")
    assert "under 18" in results[2].reason
    assert "ID number" in results[3].reason and results[3].row == 5
    bookings = [{k: b[k] for k in ("actor", "channel", "dose")} for b in store.booking_rows()]
    assert bookings == [{"actor": ACTOR, "channel": "roster", "dose": 1}] * 2
    # the refused child is not left registered; the screening note says who vouched
    assert store.resident_by_document("resident_id", CHILD) is None
    adult = store.resident_by_document("resident_id", ADULT)
    assert adult is not None and adult.phone == "+8613800138001"
    screening = store.latest_screening(adult.id)
    assert screening is not None and "operator:王芳" in (screening.reason or "")
    assert not any(screening.answers.values())
    # and the report masks IDs and phones
    out = io.StringIO()
    write_results(results, out)
    assert ADULT not in out.getvalue() and "13800138001" not in out.getvalue()
    assert out.getvalue().splitlines()[0].startswith("row,status,name")


def test_importing_again_skips_people_already_booked(
    tmp_path: Path, store: Store, policy: Policy
) -> None:
    path = write(tmp_path, "name,id_number,phone,district\n" + f"张三,{ADULT},13800138001,tianhe\n")
    first = import_roster(store, policy, read_roster(path), now(policy), ACTOR)
    again = import_roster(store, policy, read_roster(path), now(policy), ACTOR)
    assert first[0].outcome is Outcome.BOOKED
    assert again[0].outcome is Outcome.SKIPPED and first[0].code in again[0].reason


def test_second_dose_keeps_the_manufacturer_and_the_interval(
    tmp_path: Path, store: Store, policy: Policy
) -> None:
    path = write(tmp_path, "name,id_number,phone,district\n" + f"张三,{ADULT},13800138001,tianhe\n")
    import_roster(store, policy, read_roster(path), now(policy), ACTOR)
    adult = store.resident_by_document("resident_id", ADULT)
    assert adult is not None
    tables.update(store, "bookings", status="cancelled")
    store.add_dose(Dose(adult.id, 1, date(2021, 5, 30), "coronavac", None, "import"),
                   now(policy), ACTOR, "cli")  # fmt: skip
    results = import_roster(store, policy, read_roster(path), now(policy), ACTOR)
    assert results[0].outcome is Outcome.BOOKED, results[0].reason
    booking = store.booking_by_code(results[0].code)
    assert booking is not None and booking.dose == 2
    assert booking.slot.product_id == "coronavac"  # 天河体育中心, not the bbibp site
    assert booking.slot.day >= date(2021, 6, 20)  # 21 days after 30 May


def test_unknown_site_and_name_mismatch_are_refused(
    tmp_path: Path, store: Store, policy: Policy
) -> None:
    path = write(
        tmp_path,
        HEADER
        + f"张三,{ADULT},13800138001,tianhe,,,\n"
        + f"张四,{ADULT},13800138001,tianhe,,,\n"
        + f"李四,{SECOND},13800138002,tianhe,Nowhere,,\n"
        + f"李四,{SECOND},13800138002,haizhu,Tianhe Sports Centre,,\n",
    )
    results = import_roster(store, policy, read_roster(path), now(policy), ACTOR)
    assert [r.outcome for r in results][1:] == [Outcome.REJECTED] * 3
    assert "another name" in results[1].reason
    assert "unknown site" in results[2].reason
    assert "not in district" in results[3].reason


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="missing column"):
        read_roster(write(tmp_path, "name,phone\n张三,13800138001\n"))
