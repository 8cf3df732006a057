"""Rules for daily reports: when one is due, whether it is late, and what looks wrong.

Pure functions: the clock, the calendar and the figures come in as arguments.

Two kinds of finding on a report:
- hard errors are refused by the caller (a negative count, a future date, …);
- plausibility *flags* (:class:`Flag`) are accepted with the report and shown to the
  coordinator: consumption far from the census-based demand, or a figure about 1,000
  times off, the kilolitre/tonne slip India's 2021 oxygen audit found.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from oxyflow.core.calendars import WorkingCalendar
from oxyflow.core.units import UnitMixup, looks_like_unit_mixup


class ReportingError(ValueError):
    """A reporting input breaks a rule; names the field, value and rule."""

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}={value} is invalid: {rule}")


# ------------------------------------------------------------------------ calendar


@dataclass(frozen=True)
class ReportingRule:
    """When a site reports: every day by ``deadline`` (local time), unless excluded.

    Oxygen is consumed every day, so by default reports are due on weekends and public
    holidays too (Algeria's ministry required exactly that); a region may exempt them.
    """

    deadline: time = time(10, 0)
    on_weekends: bool = True
    on_holidays: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.deadline, time) or self.deadline.tzinfo is not None:
            raise ReportingError("deadline", self.deadline, "must be a local time of day")


class ReportStatus(enum.StrEnum):
    NOT_DUE = "not_due"  # no report expected that day (exempt weekend or holiday)
    PENDING = "pending"  # due, not in yet, the deadline has not passed
    ON_TIME = "on_time"
    LATE = "late"  # received after the deadline
    MISSING = "missing"  # not received and the deadline has passed


def is_due(rule: ReportingRule, calendar: WorkingCalendar, day: date) -> bool:
    """Whether a report for local ``day`` is expected."""
    if not rule.on_weekends and calendar.is_weekend(day):
        return False
    return rule.on_holidays or calendar.holiday_name(day) is None


def due_days(
    rule: ReportingRule, calendar: WorkingCalendar, start: date, end: date
) -> Iterator[date]:
    """The local days in ``[start, end)`` on which a report is due."""
    if end < start:
        raise ReportingError("end", end.isoformat(), f"must not be before {start.isoformat()}")
    for offset in range((end - start).days):
        day = start + timedelta(days=offset)
        if is_due(rule, calendar, day):
            yield day


def deadline_at(rule: ReportingRule, calendar: WorkingCalendar, day: date) -> datetime:
    """The UTC instant of ``day``'s deadline in the calendar's time zone."""
    return datetime.combine(day, rule.deadline, tzinfo=calendar.zone).astimezone(UTC)


def report_status(
    rule: ReportingRule,
    calendar: WorkingCalendar,
    day: date,
    *,
    received_at: datetime | None,
    now: datetime,
) -> ReportStatus:
    """Where the report for local ``day`` stands at ``now`` (aware datetimes).

    ``received_at`` is when the first version arrived (a later correction does not make
    a report late).
    """
    if now.tzinfo is None or (received_at is not None and received_at.tzinfo is None):
        raise ReportingError("now", now.isoformat(), "must be timezone-aware")
    if not is_due(rule, calendar, day):
        return ReportStatus.NOT_DUE
    deadline = deadline_at(rule, calendar, day)
    if received_at is not None:
        return ReportStatus.ON_TIME if received_at <= deadline else ReportStatus.LATE
    return ReportStatus.PENDING if now <= deadline else ReportStatus.MISSING


# How far back a report may be entered or corrected: late paperwork, not archaeology.
MAX_REPORT_AGE_DAYS: Final = 90


def check_report_day(
    calendar: WorkingCalendar,
    day: date,
    *,
    now: datetime,
    max_age_days: int = MAX_REPORT_AGE_DAYS,
) -> None:
    """Refuse a report for a day not begun yet, or older than ``max_age_days``.

    Both are reckoned in the site's time zone.

    Raises
    ------
    ReportingError
        ``report_date`` in the future of the site's local date, or too old.
    """
    today = calendar.local_date(now)
    if day > today:
        raise ReportingError(
            "report_date",
            day.isoformat(),
            f"is in the future: today is {today.isoformat()} in {calendar.time_zone}",
        )
    if (today - day).days > max_age_days:
        raise ReportingError(
            "report_date",
            day.isoformat(),
            f"is more than {max_age_days} days ago (today is {today.isoformat()})",
        )


# --------------------------------------------------------------------- plausibility


class FlagCode(enum.StrEnum):
    CONSUMPTION_HIGH = "consumption_high"
    CONSUMPTION_LOW = "consumption_low"
    KG_ENTERED_AS_TONNES = "kg_entered_as_tonnes"
    TONNES_ENTERED_AS_KG = "tonnes_entered_as_kg"


# Issue 4: consumption beyond 3x or under 0.3x the census-based demand is flagged.
HIGH_CONSUMPTION_RATIO: Final = 3.0
LOW_CONSUMPTION_RATIO: Final = 0.3


@dataclass(frozen=True)
class Flag:
    """A plausibility warning on one field: accepted, but shown to the coordinator."""

    code: FlagCode
    field: str
    value: float
    expected: float
    unit: str
    message: str


def check_consumption(
    consumed_nm3_per_day: float, census_nm3_per_day: float, *, field: str = "consumption"
) -> Flag | None:
    """Flag consumption beyond 3x or under 0.3x the census-based demand (both Nm³/day).

    No flag when the census gives no demand (nothing to compare with).
    """
    for name, value in (("consumed", consumed_nm3_per_day), ("census", census_nm3_per_day)):
        if not (math.isfinite(value) and value >= 0):
            raise ReportingError(name, value, "must be a finite number ≥ 0")
    if census_nm3_per_day <= 0:
        return None
    ratio = consumed_nm3_per_day / census_nm3_per_day
    if ratio > HIGH_CONSUMPTION_RATIO:
        code, bound = FlagCode.CONSUMPTION_HIGH, f"more than {HIGH_CONSUMPTION_RATIO:g}x"
    elif ratio < LOW_CONSUMPTION_RATIO:
        code, bound = FlagCode.CONSUMPTION_LOW, f"less than {LOW_CONSUMPTION_RATIO:g}x"
    else:
        return None
    return Flag(
        code,
        field,
        consumed_nm3_per_day,
        census_nm3_per_day,
        "Nm3/day",
        f"consumption {consumed_nm3_per_day:.1f} Nm³/day is {bound} the census-based demand "
        f"{census_nm3_per_day:.1f} Nm³/day (ratio {ratio:.2f})",
    )


def check_mass_slip(value_kg: float, expected_kg: float, *, field: str) -> Flag | None:
    """Flag a mass about 1,000x above or below what was expected (kg ↔ t, kL ↔ t slips).

    ``expected_kg`` is a reference the value should be near: the previous report's
    level, or the consumption the census implies. No flag when it is not positive.
    """
    if not (math.isfinite(expected_kg) and expected_kg > 0) or not math.isfinite(value_kg):
        return None
    slip = looks_like_unit_mixup(value_kg, expected_kg)
    if slip is None:
        return None
    code = (
        FlagCode.KG_ENTERED_AS_TONNES
        if slip is UnitMixup.KG_ENTERED_AS_TONNES
        else FlagCode.TONNES_ENTERED_AS_KG
    )
    direction = "1,000 times more" if code is FlagCode.KG_ENTERED_AS_TONNES else "1,000 times less"
    return Flag(
        code,
        field,
        value_kg,
        expected_kg,
        "kg",
        f"{value_kg:g} kg is about {direction} than the expected {expected_kg:g} kg: "
        "check the unit (kg, t, L, kL)",
    )
