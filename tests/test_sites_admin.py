"""`vaxbot sites import`: sites and their attributes, including closure on public holidays."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from channels.cli import main
from flows.holidays import holidays_between
from store import SlotFilter, Store

HEADER = (
    "district,name_zh,name_en,address_zh,address_en,hours,evening,mobile,accessible,"
    "closed_on_holidays"
)


def write(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", "utf-8")
    return path


@pytest.mark.backends("sqlite", "postgresql")
def test_sites_are_added_updated_and_bad_rows_reported(
    store: Store, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write(
        tmp_path / "sites.csv",
        "tianhe,珠江新城接种点,Zhujiang New Town Site,花城大道1号,1 Huacheng Ave,"
        "08:00-18:00,0,0,1,是",
        "tianhe,天河体育中心接种点,Tianhe Sports Centre,天河路299号,299 Tianhe Rd,"
        "08:00-21:00,1,0,1,0",
        "nowhere,某地,Somewhere,某路,Some Rd,,0,0,0,0",
        "tianhe,某地,Flagless,某路,Some Rd,,maybe,0,0,0",
    )
    assert main(["sites", "import", str(csv), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "row 2: imported: added" in out and "row 3: imported: updated" in out
    assert "row 4: rejected: district: unknown district 'nowhere'" in out
    assert "row 5: rejected: evening: expected 1/0" in out
    added = store.site_named("Zhujiang New Town Site")
    assert added is not None and added.closed_on_holidays and added.accessible
    updated = store.site_named("Tianhe Sports Centre")
    assert updated is not None and updated.hours == "08:00-21:00"
    assert store.site_named("Somewhere") is None


def test_a_site_closed_on_holidays_offers_no_places_on_national_day(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    csv = write(
        tmp_path / "sites.csv",
        "tianhe,节假日休息点,Holiday Closed Site,某路1号,1 Some Rd,08:00-18:00,0,0,1,1",
        "tianhe,节假日开放点,Holiday Open Site,某路2号,2 Some Rd,08:00-18:00,0,0,1,0",
    )
    assert main(["sites", "import", str(csv), "--db", str(db_path)]) == 0
    closed, open_ = store.site_named("Holiday Closed Site"), store.site_named("Holiday Open Site")
    assert closed is not None and open_ is not None
    now = datetime.fromisoformat("2021-09-29T09:00:00+08:00")
    rows = [
        {"site_id": site.id, "product_id": "coronavac", "day": day, "start": "08:00",
         "end": "10:00", "capacity": 10, "released_at": now.isoformat()}
        for site in (closed, open_)
        for day in ("2021-09-30", "2021-10-01", "2021-10-08")
    ]  # fmt: skip
    store.add_slots(rows)
    first, last = date(2021, 9, 30), date(2021, 10, 8)
    only = SlotFilter(None, holidays_between(first, last))
    closed_days = [day.isoformat() for day, _ in store.open_days(closed.id, first, last, now, only)]
    open_days = [day.isoformat() for day, _ in store.open_days(open_.id, first, last, now, only)]
    assert closed_days == ["2021-09-30", "2021-10-08"]  # 1 Oct is National Day
    assert open_days == ["2021-09-30", "2021-10-01", "2021-10-08"]
