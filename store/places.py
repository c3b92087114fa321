"""Places: districts, vaccine products, sites, their slots and the daily release of slots, and
the listings of where and when places can be booked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from store.db import Db
from store.models import ANY_SLOT, Site, Slot, SlotFilter, StoreError
from store.rows import (
    BOOKABLE,
    SITE_COLUMNS,
    SLOT_COLUMNS,
    filtered,
    marks,
    moment,
    site,
    slot,
    stamp,
)

SITE_FIELDS = frozenset({
    "district_id", "name_zh", "name_en", "address_zh", "address_en", "hours",
    "evening", "mobile", "accessible", "closed_on_holidays",
})  # fmt: skip
_FLAGS = frozenset({"evening", "mobile", "accessible", "closed_on_holidays"})


class Places:
    def __init__(self, db: Db) -> None:
        self._db = db

    # -- reference data ----------------------------------------------------------------------

    def sync_districts(self, districts: Iterable[tuple[str, str, str]]) -> None:
        self._db.execute_many(
            "INSERT INTO districts (id, name_zh, name_en) VALUES (:id, :zh, :en) "
            "ON CONFLICT (id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en",
            ({"id": i, "zh": zh, "en": en} for i, zh, en in districts),
        )

    def sync_products(self, products: Iterable[tuple[str, str, str, str, int]]) -> None:
        self._db.execute_many(
            "INSERT INTO products (id, name_zh, name_en, manufacturer, doses) "
            "VALUES (:id, :zh, :en, :maker, :doses) ON CONFLICT (id) DO UPDATE SET "
            "name_zh = excluded.name_zh, name_en = excluded.name_en, "
            "manufacturer = excluded.manufacturer, doses = excluded.doses",
            ({"id": i, "zh": zh, "en": en, "maker": m, "doses": n} for i, zh, en, m, n in products),
        )

    def districts(self) -> list[tuple[str, str, str]]:
        """Every district: id, Chinese and English name, by id."""
        return [(str(i), str(zh), str(en)) for i, zh, en in self._db.all(
            "SELECT id, name_zh, name_en FROM districts ORDER BY id")]  # fmt: skip

    # -- sites -------------------------------------------------------------------------------

    def add_site(
        self,
        *,
        district_id: str,
        name_zh: str,
        name_en: str,
        address_zh: str,
        address_en: str,
        hours: str = "",
        evening: bool = False,
        mobile: bool = False,
        accessible: bool = False,
        closed_on_holidays: bool = False,
    ) -> int:
        with self._db.transaction():
            return self._db.insert(
                "INSERT INTO sites (district_id, name_zh, name_en, address_zh, address_en, hours, "
                "evening, mobile, accessible, closed_on_holidays) VALUES (:district_id, :name_zh, "
                ":name_en, :address_zh, :address_en, :hours, :evening, :mobile, :accessible, "
                ":closed_on_holidays)",
                {"district_id": district_id, "name_zh": name_zh, "name_en": name_en,
                 "address_zh": address_zh, "address_en": address_en, "hours": hours,
                 "evening": int(evening), "mobile": int(mobile), "accessible": int(accessible),
                 "closed_on_holidays": int(closed_on_holidays)},
            )  # fmt: skip

    def update_site(self, /, site_id: int, **fields: Any) -> None:
        """Change a site's name, address, hours or attributes (columns of ``sites``)."""
        unknown = set(fields) - SITE_FIELDS
        if unknown:
            raise StoreError(f"not site fields: {sorted(unknown)}")
        values = {name: int(v) if name in _FLAGS else v for name, v in fields.items()}
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        with self._db.transaction():
            self._db.execute(
                f"UPDATE sites SET {assignments} WHERE id = :id", {**values, "id": site_id}
            )

    def site_ids(self) -> dict[str, int]:
        """Every site's id by its English name."""
        return {str(name): int(site_id) for site_id, name in self._db.all(
            "SELECT id, name_en FROM sites")}  # fmt: skip

    def site(self, site_id: int) -> Site | None:
        row = self._db.one(f"SELECT {SITE_COLUMNS} FROM sites s WHERE s.id = :id", {"id": site_id})
        return site(row) if row else None

    def site_named(self, name: str) -> Site | None:
        """A site by its Chinese or English name (case-insensitive)."""
        row = self._db.one(
            f"SELECT {SITE_COLUMNS} FROM sites s "
            "WHERE s.name_zh = :name OR lower(s.name_en) = lower(:name)",
            {"name": name},
        )
        return site(row) if row else None

    def sites(self, district_id: str | None = None) -> list[Site]:
        """Every site (of a district, or all), by id."""
        where = "WHERE s.district_id = :district " if district_id is not None else ""
        rows = self._db.all(
            f"SELECT {SITE_COLUMNS} FROM sites s {where}ORDER BY s.id", {"district": district_id}
        )
        return [site(row) for row in rows]

    def sites_stocking(
        self, products: Sequence[str], from_day: date, district_id: str | None = None
    ) -> list[Site]:
        """Sites (of a district, or all) with slots of these products on ``from_day`` or later,
        released or not, full or not; by id."""
        listed, params = marks("p", products)
        where = "s.district_id = :district AND " if district_id is not None else ""
        rows = self._db.all(
            f"SELECT {SITE_COLUMNS} FROM sites s WHERE {where}"
            f"EXISTS (SELECT 1 FROM slots t WHERE t.site_id = s.id AND t.day >= :day "
            f"AND t.product_id IN ({listed})) ORDER BY s.id",
            {**params, "district": district_id, "day": from_day.isoformat()},
        )
        return [site(row) for row in rows]

    # -- slots -------------------------------------------------------------------------------

    def add_slots(self, rows: Iterable[dict[str, Any]], skip_existing: bool = False) -> int:
        """Insert slots (site_id, product_id, day, start, end, capacity, released_at).

        With ``skip_existing``, a slot already there (same site, product, day, start) is kept
        as it is; otherwise it is an error. Returns the number inserted.
        """
        conflict = " ON CONFLICT (site_id, product_id, day, start) DO NOTHING"
        with self._db.transaction():
            return self._db.execute_many(
                'INSERT INTO slots (site_id, product_id, day, start, "end", capacity, released_at) '
                f"VALUES (:site_id, :product_id, :day, :start, :end, :capacity, :released_at)"
                f"{conflict if skip_existing else ''}",
                rows,
            )

    def slot(self, slot_id: int) -> Slot | None:
        row = self._db.one(f"SELECT {SLOT_COLUMNS} FROM slots t WHERE t.id = :id", {"id": slot_id})
        return slot(row) if row else None

    def slot_at(self, site_id: int, day: date | str, start: str) -> Slot | None:
        """The slot of a site starting at ``start`` on ``day`` (the first by product)."""
        row = self._db.one(
            f"SELECT {SLOT_COLUMNS} FROM slots t WHERE t.site_id = :site AND t.day = :day "
            "AND t.start = :start ORDER BY t.id LIMIT 1",
            {"site": site_id, "day": str(day), "start": start},
        )
        return slot(row) if row else None

    def slots(self, site_id: int | None = None, day: date | str | None = None) -> list[Slot]:
        """Every slot (of a site, on a day, where given), released or not, by id."""
        given = {"site_id": site_id, "day": None if day is None else str(day)}
        params = {name: value for name, value in given.items() if value is not None}
        where = " AND ".join(f"t.{name} = :{name}" for name in params) or "1 = 1"
        rows = self._db.all(
            f"SELECT {SLOT_COLUMNS} FROM slots t WHERE {where} ORDER BY t.id", params
        )
        return [slot(row) for row in rows]

    def release_due(self, last_day: date, now: datetime) -> int:
        """Release every unreleased slot up to ``last_day``; returns how many. Idempotent."""
        with self._db.transaction():
            return self._db.execute(
                "UPDATE slots SET released_at = :now WHERE released_at IS NULL AND day <= :last",
                {"now": stamp(now), "last": last_day.isoformat()},
            )

    # -- where and when places can be booked -------------------------------------------------

    def sites_with_places(
        self,
        district_id: str | None,
        first: date,
        last: date,
        now: datetime,
        only: SlotFilter = ANY_SLOT,
    ) -> list[tuple[Site, int]]:
        """Sites (of a district, or all) with their bookable places from ``first`` to ``last``."""
        where, params = filtered(only)
        district = "WHERE s.district_id = :district " if district_id is not None else ""
        rows = self._db.all(
            f"SELECT {SITE_COLUMNS}, COALESCE(SUM(t.capacity - t.booked), 0) FROM sites s "
            f"LEFT JOIN slots t ON t.site_id = s.id AND t.day BETWEEN :first AND :last "
            f"AND {BOOKABLE}{where} {district}GROUP BY s.id ORDER BY s.id",
            {**params, **moment(now), "first": first.isoformat(), "last": last.isoformat(),
             "district": district_id},
        )  # fmt: skip
        return [(site(row), int(row[11])) for row in rows]

    def open_days(
        self, site_id: int, first: date, last: date, now: datetime, only: SlotFilter = ANY_SLOT
    ) -> list[tuple[date, int]]:
        """Days from ``first`` to ``last`` with bookable places left at a site, and how many."""
        where, params = filtered(only)
        rows = self._db.all(
            "SELECT t.day, SUM(t.capacity - t.booked) FROM slots t "
            "JOIN sites s ON s.id = t.site_id WHERE t.site_id = :site "
            f"AND t.day BETWEEN :first AND :last AND {BOOKABLE}{where} "
            "GROUP BY t.day ORDER BY t.day",
            {**params, **moment(now), "site": site_id, "first": first.isoformat(),
             "last": last.isoformat()},
        )  # fmt: skip
        return [(date.fromisoformat(day), int(left)) for day, left in rows]

    def open_slots(
        self, site_id: int, day: date, now: datetime, only: SlotFilter = ANY_SLOT
    ) -> list[Slot]:
        """Bookable slots of a site on a day, in time order."""
        where, params = filtered(only)
        rows = self._db.all(
            f"SELECT {SLOT_COLUMNS} FROM slots t JOIN sites s ON s.id = t.site_id "
            f"WHERE t.site_id = :site AND t.day = :day AND {BOOKABLE}{where} "
            "ORDER BY t.start, t.product_id",
            {**params, **moment(now), "site": site_id, "day": day.isoformat()},
        )
        return [slot(row) for row in rows]

    def assignable_places(
        self, first_day: date, last_day: date, now: datetime, holidays: Sequence[date] = ()
    ) -> list[tuple[int, str, str, str, str, int]]:
        """Bookable slots from ``first_day`` to ``last_day`` with places left: released, not
        started, and not at a site closed on one of ``holidays``.

        Each row: slot id, district, product, day (ISO), start ("HH:MM"), places left.
        """
        where, params = filtered(SlotFilter(holidays=tuple(holidays)))
        rows = self._db.all(
            "SELECT t.id, s.district_id, t.product_id, t.day, t.start, t.capacity - t.booked "
            "FROM slots t JOIN sites s ON s.id = t.site_id "
            f"WHERE t.day BETWEEN :first AND :last AND {BOOKABLE}{where}",
            {**params, **moment(now), "first": first_day.isoformat(),
             "last": last_day.isoformat()},
        )  # fmt: skip
        return rows

    # -- capacity, for the console's figures and for tests -----------------------------------

    def capacity_by_site(self, day: date) -> list[dict[str, Any]]:
        """Each site's capacity and places booked on ``day``: district, name_zh, name_en,
        capacity, booked; by district, then site."""
        return self._db.dicts(
            "SELECT s.district_id AS district, s.name_zh, s.name_en, "
            "COALESCE(SUM(t.capacity), 0) AS capacity, COALESCE(SUM(t.booked), 0) AS booked "
            "FROM sites s LEFT JOIN slots t ON t.site_id = s.id AND t.day = :day "
            "GROUP BY s.id ORDER BY s.district_id, s.id",
            {"day": day.isoformat()},
        )
