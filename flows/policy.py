"""The policy: every number the domain rules use, loaded from TOML.

The shipped ``default_policy.toml`` reproduces DESIGN.md §1. A deployer's file (``--config``) is
merged over it key by key, so it only needs what it changes. Validation errors name the key and
the problem (``PolicyError``).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Hashable
from datetime import date, time
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)


class PolicyError(ValueError):
    """The policy file cannot be used; the message names the file, key and problem."""


_HHMM = re.compile(r"([0-9]{2}):([0-9]{2})")


def parse_hhmm(value: str) -> time:
    try:
        match = _HHMM.fullmatch(value)
        if match is None:
            raise ValueError
        return time(int(match[1]), int(match[2]))
    except ValueError:
        raise ValueError(f'expected a time "HH:MM", got {value!r}') from None


def _check_hhmm(value: str) -> str:
    parse_hhmm(value)
    return value


def _check_range(value: str) -> str:
    parts = value.split("-")
    if len(parts) != 2:
        raise ValueError(f'expected a range "HH:MM-HH:MM", got {value!r}')
    try:
        for part in parts:
            parse_hhmm(part)
    except ValueError:
        raise ValueError(f'expected a range "HH:MM-HH:MM", got {value!r}') from None
    return value


HHMM = Annotated[str, AfterValidator(_check_hhmm)]
TimeRange = Annotated[str, AfterValidator(_check_range)]


@functools.lru_cache(maxsize=256)  # a few ranges, read on every booking turn
def time_range(value: str) -> tuple[time, time]:
    start, end = value.split("-")
    return parse_hhmm(start), parse_hhmm(end)


def in_range(moment: time, span: str) -> bool:
    """Whether a time of day falls in ``HH:MM-HH:MM`` (start inclusive, end exclusive).

    A range whose end is before its start wraps over midnight (``20:00-08:00``).
    """
    start, end = time_range(span)
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Registration(_Model):
    max_people_per_phone: int = Field(ge=1, le=50)
    questionnaire_version: str = Field(min_length=1)
    # Distinct ID numbers one sender may try to register per day (enumeration stops early).
    max_ids_per_day: int = Field(default=3, ge=1, le=100)
    # The wording version of the notice and of the separate health-information consent.
    consent_version: str = Field(default="2021-06-a", min_length=1)


class Contact(_Model):
    # The number residents call (said when they ask for it; 人工 files a call-back instead).
    hotline: str = Field(default="12345", pattern=r"^\+?[0-9][0-9 -]{1,22}[0-9]$")


class Records(_Model):
    """Where a resident finds proof of vaccination (said when asked: 接种证明在哪里看)."""

    # Where the electronic record is seen (an app, a mini program, a website); empty: none said.
    online_zh: str = Field(default="粤康码（粤省事小程序）", max_length=30)
    online_en: str = Field(default="the Yuekang health code (Yueshengshi app)", max_length=60)
    # Whether the site hands out a paper record (接种凭证) after the shot.
    paper: bool = True


class Aftercare(_Model):
    """The usual advice after the shot (China CDC's 接种须知), said when asked (打完可以洗澡吗)."""

    keep_dry_hours: int = Field(default=24, ge=0, le=168)  # keep the injection site dry
    avoid_days: int = Field(default=7, ge=0, le=60)  # no alcohol, spicy food, hard exercise


class Ages(_Model):
    minimum: int = Field(ge=0, le=120)
    assessment: int = Field(ge=0, le=120)
    companion: int = Field(ge=0, le=120)
    green_channel: int = Field(ge=0, le=120)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.minimum <= self.assessment <= self.companion <= self.green_channel:
            raise ValueError("must satisfy minimum <= assessment <= companion <= green_channel")
        return self


class Booking(_Model):
    maintenance: TimeRange
    release_time: HHMM
    release_days_ahead: int = Field(ge=0, le=60)
    cancel_cutoff_days: int = Field(ge=0, le=30)
    noshow_limit: int = Field(ge=0, le=100)
    days_listed: int = Field(ge=1, le=60)
    observation_minutes: int = Field(ge=0, le=240)
    flow_expires_hours: int = Field(default=12, ge=1, le=720)
    flow_recap_hours: int = Field(default=3, ge=1, le=720)  # what was in progress, said


class Assignment(_Model):
    offer_hours: int = Field(ge=1, le=168)
    other_districts: bool


class Followup(_Model):
    yellow_after_due_days: int = Field(ge=0, le=365)
    red_before_limit_days: int = Field(ge=0, le=365)
    quiet_hours: TimeRange


class Jobs(_Model):
    reminders_at: HHMM
    alerts_at: HHMM
    assign_at: HHMM
    noshow_at: HHMM
    purge_at: HHMM = "03:30"


class Retention(_Model):
    """Days each kind of data is kept (docs/privacy.md); purged by the worker and `vaxbot
    purge`."""

    message_ids_days: int = Field(default=7, ge=1, le=3650)
    idle_conversation_days: int = Field(default=30, ge=1, le=3650)
    stranger_account_days: int = Field(default=30, ge=1, le=3650)
    delivered_outbox_days: int = Field(default=30, ge=1, le=3650)
    screening_after_appointment_days: int = Field(default=90, ge=1, le=3650)


class Outbox(_Model):
    max_attempts: int = Field(ge=1, le=100)
    backoff_seconds: int = Field(ge=1, le=86_400)
    backoff_cap_seconds: int = Field(ge=1, le=604_800)


_AREA_CODE = re.compile(r"[0-9]{6}")


def _check_area_codes(codes: tuple[str, ...]) -> tuple[str, ...]:
    for code in codes:
        if not _AREA_CODE.fullmatch(code):
            raise ValueError(f"an area code is 6 digits (the start of a resident ID), got {code!r}")
    return codes


class District(_Model):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    window: TimeRange
    # The first 6 digits of the resident IDs issued there (GB/T 2260), old codes included: a
    # registration suggests the district an ID comes from, and asks.
    area_codes: Annotated[tuple[str, ...], AfterValidator(_check_area_codes)] = ()


class Interval(_Model):
    min_days: int = Field(ge=0)
    max_days: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max_days < self.min_days:
            raise ValueError("max_days must not be less than min_days")
        return self


class Product(_Model):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    manufacturer: str = Field(min_length=1)
    doses: int = Field(ge=1, le=10)
    intervals: tuple[Interval, ...]

    @field_validator("intervals")
    @classmethod
    def _one_interval_per_later_dose(
        cls, intervals: tuple[Interval, ...], info: ValidationInfo
    ) -> tuple[Interval, ...]:
        doses = info.data.get("doses")
        if doses is not None and len(intervals) != doses - 1:
            raise ValueError(
                f"a {doses}-dose product needs {doses - 1} interval(s), got {len(intervals)}"
            )
        return intervals


class Campaign(_Model):
    name_zh: str
    name_en: str
    start: date
    end: date
    dose: int = Field(ge=1)
    more_than_days_since_previous: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class Policy(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str
    registration: Registration
    ages: Ages
    booking: Booking
    assignment: Assignment
    followup: Followup
    jobs: Jobs
    outbox: Outbox
    retention: Retention = Retention()
    contact: Contact = Contact()
    records: Records = Records()
    aftercare: Aftercare = Aftercare()
    districts: dict[str, District] = Field(min_length=1)
    products: dict[str, Product] = Field(min_length=1)
    campaigns: tuple[Campaign, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _one_district_per_area_code(self) -> Self:
        seen: dict[str, str] = {}
        for district_id, district in self.districts.items():
            for code in district.area_codes:
                if code in seen:
                    raise ValueError(
                        f"districts: area code {code} is in both {seen[code]} and {district_id}"
                    )
                seen[code] = district_id
        return self

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _area_districts(self) -> dict[str, str]:
        return {
            code: district_id
            for district_id, district in self.districts.items()
            for code in district.area_codes
        }

    def district_of_id(self, id_number: str) -> str | None:
        """The district a resident ID was issued in, by its area code (first 6 digits); None
        for an ID from elsewhere."""
        return self._area_districts.get(id_number[:6])

    @cached_property
    def derived(self) -> dict[Hashable, Any]:
        """Values computed from this policy alone (the district list as options, say), kept
        for the policy's life: it never changes."""
        return {}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(error: ValidationError, source: str) -> PolicyError:
    lines = []
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"{source}: {key}: {message}")
    return PolicyError("\n".join(lines))


def _default_data() -> dict[str, Any]:
    text = resources.files("flows").joinpath("default_policy.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_policy(path: str | Path | None = None) -> Policy:
    """The shipped defaults, with the TOML file at ``path`` (if any) merged over them."""
    data = _default_data()
    source = "default policy"
    if path is not None:
        source = str(path)
        try:
            override = tomllib.loads(Path(path).read_text("utf-8"))
        except OSError as exc:
            raise PolicyError(f"{source}: cannot read: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"{source}: not valid TOML: {exc}") from None
        data = _merge(data, override)
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise _describe(exc, source) from None
