"""``vaxbot sites import``: vaccination sites and what residents ask about them.

CSV columns: ``district,name_zh,name_en,address_zh,address_en,hours,evening,mobile,accessible,
closed_on_holidays`` (the last four: 1/0, yes/no, 是/否). A site is known by its English name:
importing it again updates it. ``closed_on_holidays`` sites offer no places on Chinese public
holidays.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.records import Row, RowResult, Status
from flows.policy import Policy
from store import Store

SITE_COLUMNS = (
    "district", "name_zh", "name_en", "address_zh", "address_en", "hours",
    "evening", "mobile", "accessible", "closed_on_holidays",
)  # fmt: skip
FLAGS = ("evening", "mobile", "accessible", "closed_on_holidays")
_TRUE = {"1", "yes", "y", "true", "是", "有"}
_FALSE = {"0", "no", "n", "false", "否", "无", ""}


def _flag(value: str, column: str) -> bool:
    folded = value.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(f"{column}: expected 1/0, yes/no or 是/否, got {value!r}")


def import_sites(store: Store, policy: Policy, rows: Iterable[Row]) -> list[RowResult]:
    results = []
    for number, row in rows:
        name = row["name_en"].strip()
        try:
            if row["district"].strip() not in policy.districts:
                raise ValueError(f"district: unknown district {row['district']!r}")
            for column in ("name_zh", "name_en", "address_zh", "address_en"):
                if not row[column].strip():
                    raise ValueError(f"{column}: empty")
            flags = {column: _flag(row[column], column) for column in FLAGS}
        except ValueError as exc:
            results.append(RowResult(number, Status.REJECTED, str(exc), name))
            continue
        fields = {
            "district_id": row["district"].strip(),
            "name_zh": row["name_zh"].strip(),
            "name_en": name,
            "address_zh": row["address_zh"].strip(),
            "address_en": row["address_en"].strip(),
            "hours": row["hours"].strip(),
            **flags,
        }
        existing = store.site_named(name)
        if existing is None:
            store.add_site(**fields)  # type: ignore[arg-type]
            results.append(RowResult(number, Status.IMPORTED, "added", name))
        else:
            store.update_site(existing.id, **fields)
            results.append(RowResult(number, Status.IMPORTED, "updated", name))
    return results
