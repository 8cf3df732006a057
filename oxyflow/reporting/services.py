"""Take in daily reports: validate, flag, version, post to the ledger, refresh autonomy.

Every way in (API, phone form, file upload) builds the same plain input values and
calls :func:`submit_facility_report` or :func:`submit_producer_report`, so the rules
hold alike everywhere. A refused report raises :class:`ReportRejected` with one
message per field path (``lox_tanks.0.level``) and stores nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.core import reporting as rules
from oxyflow.core import units
from oxyflow.core.calendars import WorkingCalendar
from oxyflow.registry import models as reg
from oxyflow.reporting.models import (
    Channel,
    ProducerReport,
    ProducerReportLine,
    PsaStatus,
    ReportBase,
    ReportingRule,
    TankReading,
)

logger = logging.getLogger(__name__)

# Tank levels: a share of the tank, a mass, or a volume of liquid.
LEVEL_UNITS = ("%", "kg", "t", "L", "kL")
# Consumption: gas (Nm³; "m3" means Nm³), LOX mass, or litres of liquid oxygen.
CONSUMPTION_UNITS = ("Nm3", "m3", "kg", "t", "L", "kL")
PSA_UNITS = ("m3/h", "Nm3/h")
MAX_PATIENTS = 100_000
# Stored quantities have 14 digits, 3 of them decimals: a converted figure must fit.
STORED_LIMIT = Decimal("1e11")


class ReportRejected(Exception):
    """A report breaks a hard rule: ``errors`` maps field paths to messages."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors = {key: list(messages) for key, messages in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


# ------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class TankLevelIn:
    """A tank level as typed: ``tank`` is the tank's name (optional with one tank)."""

    level: Any
    unit: str
    tank: str = ""


@dataclass(frozen=True)
class CylindersIn:
    cylinder_type: str
    full: Any
    empty: Any = 0
    used: Any = None


@dataclass(frozen=True)
class FacilityReportIn:
    report_date: date
    patients_low_flow: Any
    patients_high_flow: Any
    patients_ventilated: Any
    as_of: datetime | None = None
    beds_occupied: Any = None
    beds_occupied_oxygen: Any = None
    beds_occupied_icu: Any = None
    lox_tanks: Sequence[TankLevelIn] = ()
    cylinders: Sequence[CylindersIn] = ()
    concentrators_in_use: Any = 0
    concentrators_idle: Any = 0
    concentrators_broken: Any = 0
    psa_status: str = PsaStatus.NONE
    psa_output: Any = None
    psa_output_unit: str = "m3/h"
    consumption: Any = None
    consumption_unit: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ProductLineIn:
    product: str
    produced: Any
    stock: Any
    available_tomorrow: Any
    unit: str = ""


@dataclass(frozen=True)
class ProducerReportIn:
    report_date: date
    lines: Sequence[ProductLineIn]
    as_of: datetime | None = None
    downtime_hours: Any = 0
    downtime_cause: str = "none"
    notes: str = ""


@dataclass(frozen=True)
class Submission:
    """Who sends a report, how, and under which key; a correction says why."""

    user: Any
    key: str
    channel: str = Channel.API
    reported_by_name: str = ""
    correction_reason: str = ""
    now: datetime | None = None


@dataclass
class Outcome:
    """The stored report; ``created`` is False when the key had been seen (a retry)."""

    report: ReportBase
    created: bool
    flags: list[dict[str, Any]] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


class _Errors:
    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.items.setdefault(path, []).append(message)

    def raise_if_any(self) -> None:
        if self.items:
            raise ReportRejected(self.items)


def _count(errors: _Errors, path: str, value: Any, *, required: bool = True) -> int | None:
    if value is None or value == "":
        if required:
            errors.add(path, _("This figure is required (a whole number, 0 or more)."))
        return None
    if isinstance(value, bool):
        errors.add(path, _("Give a whole number, 0 or more."))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.add(path, _("“%(value)s” is not a number.") % {"value": value})
        return None
    if not number.is_finite() or number != number.to_integral_value():
        errors.add(path, _("%(value)s is not a whole number.") % {"value": value})
        return None
    if number < 0:
        errors.add(path, _("%(value)s is negative; counts are 0 or more.") % {"value": value})
        return None
    if number > MAX_PATIENTS:
        errors.add(
            path, _("%(value)s is more than %(max)s.") % {"value": value, "max": MAX_PATIENTS}
        )
        return None
    return int(number)


def _number(errors: _Errors, path: str, value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        errors.add(path, _("Give a number."))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.add(path, _("“%(value)s” is not a number.") % {"value": value})
        return None
    if not number.is_finite():
        errors.add(path, _("“%(value)s” is not a number.") % {"value": value})
        return None
    if number < 0:
        errors.add(path, _("%(value)s is negative; give 0 or more.") % {"value": value})
        return None
    if number >= Decimal("1e10"):
        errors.add(path, _("%(value)s is too large.") % {"value": value})
        return None
    return number


def _unit_error(errors: _Errors, path: str, unit: str, allowed: Sequence[str]) -> None:
    errors.add(
        path,
        _("“%(unit)s” does not fit this field; allowed units: %(allowed)s.")
        % {"unit": unit, "allowed": ", ".join(allowed)},
    )


def _match_unit(unit: str, allowed: Sequence[str]) -> str | None:
    wanted = "".join(unit.split()).replace("³", "3").lower()
    return next((u for u in allowed if u.lower() == wanted), None)


def _mass_kg(value: Decimal, unit: str) -> Decimal:
    """kg of LOX for a mass or a liquid volume (unit among LEVEL_UNITS minus %)."""
    if unit in ("kg", "t"):
        quantity = units.parse_quantity(float(value), unit, "mass")
    else:
        quantity = units.lox_liquid_volume_to_mass(
            units.parse_quantity(float(value), unit, "liquid_volume")
        )
    return Decimal(str(round(units.to_magnitude(quantity, "kg"), 3)))


def _kg_to_nm3(kg: float) -> float:
    return units.to_magnitude(units.lox_mass_to_gas_volume(units.Quantity(kg, "kg")), "Nm3")


@lru_cache(maxsize=64)
def _calendar(iso: str, zone: str, weekend: tuple[int, ...]) -> WorkingCalendar:
    return WorkingCalendar(country_code=iso, time_zone=zone, weekend_days=frozenset(weekend))


def site_calendar(site: reg.Site) -> WorkingCalendar:
    """The working calendar (time zone, weekend, holidays) of a site's country."""
    country_code = site.region.path.split("/", 1)[0]
    country = _country(country_code)
    return _calendar(country[0], country[1], country[2])


@lru_cache(maxsize=64)
def _country(region_code: str) -> tuple[str, str, tuple[int, ...]]:
    country = reg.Country.objects.get(region__code=region_code)
    return country.iso_code, country.time_zone, tuple(int(d) for d in country.weekend_days)


def forget_cached_countries() -> None:
    """Drop cached country calendars (after a country's settings change; in tests)."""
    _country.cache_clear()


def reporting_rule(site: reg.Site) -> rules.ReportingRule:
    """The rule of the nearest region up from the site; by default daily by 10:00."""
    codes = site.region.path.split("/")
    found = {r.region.code: r for r in ReportingRule.objects.filter(region__code__in=codes)}
    for code in reversed(codes):
        if code in found:
            rule = found[code]
            return rules.ReportingRule(rule.deadline, rule.on_weekends, rule.on_holidays)
    return rules.ReportingRule()


def _check_when(
    errors: _Errors, site: reg.Site, report_date: date, as_of: datetime | None, now: datetime
) -> datetime:
    calendar = site_calendar(site)
    today = calendar.local_date(now)
    if report_date > today:
        errors.add(
            "report_date",
            _("%(day)s is in the future: today is %(today)s in %(zone)s.")
            % {
                "day": report_date.isoformat(),
                "today": today.isoformat(),
                "zone": calendar.time_zone,
            },
        )
        return now
    if (today - report_date).days > rules.MAX_REPORT_AGE_DAYS:
        errors.add(
            "report_date",
            _("%(day)s is more than %(n)s days ago; older reports cannot be entered.")
            % {"day": report_date.isoformat(), "n": rules.MAX_REPORT_AGE_DAYS},
        )
        return now
    if as_of is None:
        if report_date == calendar.local_date(now):
            return now
        end = calendar.day_bounds(report_date)[1]
        return end - timedelta(seconds=1)
    if as_of.tzinfo is None:
        errors.add("as_of", _("Give the time with its time zone."))
        return now
    if as_of > now + timedelta(minutes=5):
        errors.add("as_of", _("%(when)s is in the future.") % {"when": as_of.isoformat()})
    elif calendar.local_date(as_of) not in (report_date, report_date + timedelta(days=1)):
        errors.add(
            "as_of",
            _("%(when)s does not fall on the report day %(day)s (or the next morning).")
            % {"when": as_of.isoformat(), "day": report_date.isoformat()},
        )
    return as_of


def _check_reason(errors: _Errors, submission: Submission, is_correction: bool) -> None:
    if is_correction and not submission.correction_reason.strip():
        errors.add(
            "correction_reason",
            _("A report for this day already exists: say why you correct it."),
        )


def _check_text(errors: _Errors, path: str, text: str, limit: int = 5000) -> str:
    if "\x00" in text:
        errors.add(path, _("The text contains a NUL character, which is not allowed."))
    elif len(text) > limit:
        errors.add(path, _("Keep this under %(n)s characters.") % {"n": limit})
    return text.strip()


# ------------------------------------------------------------------ facility reports


@dataclass
class _FacilityFigures:
    counts: dict[str, int | None]
    tanks: list[tuple[reg.LoxTank, Decimal, str, Decimal]]
    cylinders: list[tuple[reg.CylinderType, int, int, int | None]]
    psa_output_nm3_per_h: Decimal
    consumption: tuple[Decimal, str, Decimal] | None


def _validate_facility(
    errors: _Errors,
    facility: reg.Facility,
    data: FacilityReportIn,
    registered_tanks: Sequence[reg.LoxTank],
    types: Mapping[str, reg.CylinderType],
) -> _FacilityFigures:
    counts: dict[str, int | None] = {}
    for name in ("patients_low_flow", "patients_high_flow", "patients_ventilated"):
        counts[name] = _count(errors, name, getattr(data, name))
    for name in ("beds_occupied", "beds_occupied_oxygen", "beds_occupied_icu"):
        counts[name] = _count(errors, name, getattr(data, name), required=False)
    for name in ("concentrators_in_use", "concentrators_idle", "concentrators_broken"):
        counts[name] = _count(errors, name, getattr(data, name) or 0)
    total = counts["beds_occupied"]
    for part in ("beds_occupied_oxygen", "beds_occupied_icu"):
        value = counts[part]
        if total is not None and value is not None and value > total:
            errors.add(
                part,
                _("%(value)s is more than the beds occupied in total (%(total)s).")
                % {"value": value, "total": total},
            )

    tanks_by_name = {t.name: t for t in registered_tanks}
    tanks: list[tuple[reg.LoxTank, Decimal, str, Decimal]] = []
    seen_tanks: set[int] = set()
    for i, item in enumerate(data.lox_tanks):
        path = f"lox_tanks.{i}"
        tank = tanks_by_name.get(item.tank.strip()) if item.tank.strip() else None
        if tank is None and not item.tank.strip() and len(tanks_by_name) == 1:
            tank = next(iter(tanks_by_name.values()))
        if tank is None:
            known = ", ".join(sorted(tanks_by_name)) or _("none registered")
            errors.add(
                f"{path}.tank",
                _("Unknown tank “%(tank)s” at %(site)s; its tanks: %(known)s.")
                % {"tank": item.tank, "site": facility.code, "known": known},
            )
            continue
        if tank.pk in seen_tanks:
            errors.add(f"{path}.tank", _("Tank “%(tank)s” is given twice.") % {"tank": tank.name})
            continue
        seen_tanks.add(tank.pk)
        unit = _match_unit(item.unit, LEVEL_UNITS)
        if unit is None:
            _unit_error(errors, f"{path}.unit", item.unit, LEVEL_UNITS)
            continue
        value = _number(errors, f"{path}.level", item.level)
        if value is None:
            continue
        capacity_kg = Decimal(str(round(tank.capacity_kg(), 3)))
        if unit == "%":
            if value > 100:
                errors.add(f"{path}.level", _("%(value)s %% is above 100 %%.") % {"value": value})
                continue
            level_kg = (capacity_kg * value / 100).quantize(Decimal("0.001"))
        else:
            level_kg = _mass_kg(value, unit)
        if level_kg > capacity_kg:
            errors.add(
                f"{path}.level",
                _("%(value)s %(unit)s (%(kg)s kg) is more than the tank holds (%(cap)s kg).")
                % {"value": value, "unit": unit, "kg": level_kg, "cap": capacity_kg},
            )
            continue
        tanks.append((tank, value, unit, level_kg))

    cylinders: list[tuple[reg.CylinderType, int, int, int | None]] = []
    seen_types: set[str] = set()
    for i, item in enumerate(data.cylinders):
        path = f"cylinders.{i}"
        cylinder_type = types.get(item.cylinder_type.strip())
        if cylinder_type is None:
            errors.add(
                f"{path}.cylinder_type",
                _("Unknown cylinder type “%(code)s”; known types: %(known)s.")
                % {"code": item.cylinder_type, "known": ", ".join(sorted(types))},
            )
            continue
        if cylinder_type.code in seen_types:
            errors.add(
                f"{path}.cylinder_type",
                _("Cylinder type “%(code)s” is given twice.") % {"code": cylinder_type.code},
            )
            continue
        seen_types.add(cylinder_type.code)
        full = _count(errors, f"{path}.full", item.full)
        empty = _count(errors, f"{path}.empty", item.empty or 0)
        used = _count(errors, f"{path}.used", item.used, required=False)
        if full is not None and empty is not None:
            cylinders.append((cylinder_type, full, empty, used))

    psa_output = Decimal(0)
    if data.psa_status not in PsaStatus.values:
        errors.add(
            "psa_status",
            _("“%(value)s” is not a PSA status; allowed: %(allowed)s.")
            % {"value": data.psa_status, "allowed": ", ".join(PsaStatus.values)},
        )
    if data.psa_output not in (None, ""):
        unit = _match_unit(data.psa_output_unit, PSA_UNITS)
        value = _number(errors, "psa_output", data.psa_output)
        if unit is None:
            _unit_error(errors, "psa_output_unit", data.psa_output_unit, PSA_UNITS)
        elif value is not None:
            psa_output = value
            if value > 0 and data.psa_status in (PsaStatus.NONE, PsaStatus.DOWN):
                errors.add(
                    "psa_output",
                    _("A PSA plant that is down or absent produces nothing; set its status."),
                )
            elif value > 1000:
                errors.add(
                    "psa_output", _("%(value)s Nm³/h is more than 1,000 Nm³/h.") % {"value": value}
                )

    consumption = None
    if data.consumption not in (None, ""):
        unit = _match_unit(data.consumption_unit, CONSUMPTION_UNITS)
        value = _number(errors, "consumption", data.consumption)
        if unit is None:
            _unit_error(errors, "consumption_unit", data.consumption_unit, CONSUMPTION_UNITS)
        elif value is not None:
            if unit in ("Nm3", "m3"):
                nm3 = value
            else:
                nm3 = Decimal(str(round(_kg_to_nm3(float(_mass_kg(value, unit))), 3)))
            if nm3 >= STORED_LIMIT:
                errors.add(
                    "consumption",
                    _("%(value)s %(unit)s is more oxygen than any facility uses.")
                    % {"value": value, "unit": unit},
                )
            else:
                consumption = (value, unit, nm3)
    return _FacilityFigures(counts, tanks, cylinders, psa_output, consumption)


def _existing(model: type[ReportBase], site_field: str, site: reg.Site, key: str) -> Any:
    return model.objects.filter(**{site_field: site, "submission_key": key}).first()


def _check_key(errors: _Errors, key: str) -> None:
    if not key or not key.strip() or len(key) > 200 or "\x00" in key:
        errors.add("submission_key", _("Every submission needs a key of 1–200 characters."))


def _lock_site(site: reg.Site) -> None:
    # One writer per site at a time: versions of a site-day are numbered in order, and
    # the ledger's count reconciliation sees the previous report's postings.
    reg.Site.objects.select_for_update().filter(pk=site.pk).values_list("pk", flat=True).first()


def _check_can_report(user: Any, site: reg.Site) -> None:
    """Staff of the site, its coordinators and the ministry may report; viewers may not."""
    if not scopes.can_edit(user, site):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("You may not report for %(site)s.") % {"site": site.code})


def submit_facility_report(
    *, facility: reg.Facility, data: FacilityReportIn, submission: Submission
) -> Outcome:
    """Validate and store a facility's daily report (or a correction of it).

    A key seen before for this facility returns the first report unchanged. A report
    for a day that already has one is a correction: a new version, the old one kept.
    Stored through :mod:`oxyflow.reporting.ingest`, the path batches take too.

    Raises
    ------
    ReportRejected
        On any hard error, naming each field; nothing is stored.
    PermissionDenied
        If the user may not report for this facility.
    """
    from oxyflow.reporting import ingest

    return ingest.submit_one(facility=facility, data=data, submission=submission)


# ------------------------------------------------------------------ producer reports


def _validate_producer(
    errors: _Errors, producer: reg.Producer, data: ProducerReportIn
) -> list[tuple[reg.Product, str, Decimal, Decimal, Decimal]]:
    products = {p.code: p for p in reg.Product.objects.all()}
    lines: list[tuple[reg.Product, str, Decimal, Decimal, Decimal]] = []
    seen: set[str] = set()
    if not data.lines:
        errors.add("lines", _("Give at least one product line."))
    for i, item in enumerate(data.lines):
        path = f"lines.{i}"
        product = products.get(item.product.strip())
        if product is None:
            errors.add(
                f"{path}.product",
                _("Unknown product “%(code)s”; known products: %(known)s.")
                % {"code": item.product, "known": ", ".join(sorted(products))},
            )
            continue
        if product.code in seen:
            errors.add(
                f"{path}.product", _("Product “%(code)s” is given twice.") % {"code": product.code}
            )
            continue
        seen.add(product.code)
        unit = product.unit_of_issue
        allowed = ("kg", "t", "L", "kL") if unit == reg.UnitOfIssue.KG else (unit,)
        typed = _match_unit(item.unit, allowed) if item.unit else unit
        if typed is None:
            _unit_error(errors, f"{path}.unit", item.unit, allowed)
            continue
        values = []
        for name in ("produced", "stock", "available_tomorrow"):
            value = _number(errors, f"{path}.{name}", getattr(item, name))
            if value is not None and typed != unit:
                value = _mass_kg(value, typed)
                if value >= STORED_LIMIT:
                    errors.add(
                        f"{path}.{name}",
                        _("%(value)s %(unit)s is too large.")
                        % {"value": getattr(item, name), "unit": typed},
                    )
                    value = None
            if value is not None and unit != reg.UnitOfIssue.KG and value != int(value):
                errors.add(
                    f"{path}.{name}", _("%(value)s is not a whole number.") % {"value": value}
                )
                value = None
            values.append(value)
        if None not in values:
            lines.append((product, unit, values[0], values[1], values[2]))  # type: ignore[arg-type]
    hours = _number(errors, "downtime_hours", data.downtime_hours or 0)
    if hours is not None and hours > 24:
        errors.add("downtime_hours", _("%(value)s h is more than a day.") % {"value": hours})
    from oxyflow.reporting.models import DowntimeCause

    if data.downtime_cause not in DowntimeCause.values:
        errors.add(
            "downtime_cause",
            _("“%(value)s” is not a downtime cause; allowed: %(allowed)s.")
            % {"value": data.downtime_cause, "allowed": ", ".join(DowntimeCause.values)},
        )
    elif hours and data.downtime_cause == DowntimeCause.NONE:
        errors.add("downtime_cause", _("Give the cause of the downtime."))
    return lines


def submit_producer_report(
    *, producer: reg.Producer, data: ProducerReportIn, submission: Submission
) -> Outcome:
    """Validate and store a producer's daily report (or a correction of it).

    Raises
    ------
    ReportRejected
        On any hard error, naming each field; nothing is stored.
    PermissionDenied
        If the user may not report for this producer.
    """
    _check_can_report(submission.user, producer)
    now = submission.now or timezone.now()
    errors = _Errors()
    _check_key(errors, submission.key)
    errors.raise_if_any()
    found = _existing(ProducerReport, "producer", producer, submission.key)
    if found is not None:
        return Outcome(found, False, list(found.flags))
    as_of = _check_when(errors, producer, data.report_date, data.as_of, now)
    lines = _validate_producer(errors, producer, data)
    notes = _check_text(errors, "notes", data.notes)
    reported_by = _check_text(errors, "reported_by_name", submission.reported_by_name, 200)
    reason = _check_text(errors, "correction_reason", submission.correction_reason)
    errors.raise_if_any()

    from oxyflow.alerts import engine as alert_engine
    from oxyflow.reporting import ledger_posting

    for attempt in range(3):
        try:
            with transaction.atomic():
                _lock_site(producer)
                current = (
                    ProducerReport.objects.select_for_update()
                    .filter(producer=producer, report_date=data.report_date, is_current=True)
                    .first()
                )
                _check_reason(errors, submission, current is not None)
                errors.raise_if_any()
                report = ProducerReport(
                    producer=producer,
                    report_date=data.report_date,
                    as_of=as_of,
                    version=(current.version + 1) if current else 1,
                    supersedes=current,
                    correction_reason=reason if current else "",
                    received_at=now,
                    first_received_at=current.first_received_at if current else now,
                    entered_by=submission.user if submission.user.is_authenticated else None,
                    reported_by_name=reported_by,
                    channel=submission.channel,
                    submission_key=submission.key,
                    notes=notes,
                    downtime_hours=Decimal(str(data.downtime_hours or 0)),
                    downtime_cause=data.downtime_cause,
                )
                if current is not None:
                    current.is_current = False
                    current.save(update_fields=["is_current"])
                report.save()
                ProducerReportLine.objects.bulk_create(
                    ProducerReportLine(
                        report=report,
                        product=product,
                        unit=unit,
                        produced=produced,
                        stock=stock,
                        available_tomorrow=available,
                    )
                    for product, unit, produced, stock, available in lines
                )
                ledger_posting.post_producer_report(report, superseded=current, by=submission.user)
                # Production down and the late report, evaluated with the report stored.
                alert_engine.after_producer_report(producer.pk, now=now)
            break
        except IntegrityError:
            # A concurrent submission won the race: with the same key, answer with its
            # report; with another key for the same day, try again as a correction.
            found = _existing(ProducerReport, "producer", producer, submission.key)
            if found is not None:
                return Outcome(found, False, list(found.flags))
            if attempt == 2:
                raise
    return Outcome(report, True, [])


# ------------------------------------------------------------------------- telemetry


def record_tank_reading(
    *,
    tank: reg.LoxTank,
    sensor_id: str,
    measured_at: datetime,
    value: Any,
    unit: str,
    user: Any,
    now: datetime,
) -> tuple[TankReading, bool]:
    """Store a sensor's tank level; the same sensor and time twice is stored once.

    Returns the reading and whether it is new; a new reading refreshes the facility's
    autonomy.

    Raises
    ------
    ReportRejected
        On a unit that does not fit, a level below 0 or above the tank's capacity, a
        time without zone or in the future.
    PermissionDenied
        If the user may not report for the tank's facility.
    """
    _check_can_report(user, tank.facility)
    errors = _Errors()
    sensor = _check_text(errors, "sensor_id", sensor_id, 100)
    if not sensor:
        errors.add("sensor_id", _("Name the sensor."))
    if measured_at.tzinfo is None:
        errors.add("measured_at", _("Give the time with its time zone."))
    elif measured_at > now + timedelta(minutes=5):
        errors.add(
            "measured_at", _("%(when)s is in the future.") % {"when": measured_at.isoformat()}
        )
    matched = _match_unit(unit, LEVEL_UNITS)
    number = _number(errors, "value", value)
    level_kg = None
    if matched is None:
        _unit_error(errors, "unit", unit, LEVEL_UNITS)
    elif number is not None:
        capacity_kg = Decimal(str(round(tank.capacity_kg(), 3)))
        if matched == "%":
            level_kg = (capacity_kg * number / 100).quantize(Decimal("0.001"))
        else:
            level_kg = _mass_kg(number, matched)
        if level_kg > capacity_kg:
            errors.add(
                "value",
                _("%(value)s %(unit)s (%(kg)s kg) is more than the tank holds (%(cap)s kg).")
                % {"value": number, "unit": matched, "kg": level_kg, "cap": capacity_kg},
            )
    errors.raise_if_any()
    assert number is not None
    assert matched is not None
    assert level_kg is not None
    existing = TankReading.objects.filter(
        tank=tank, sensor_id=sensor, measured_at=measured_at
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            reading = TankReading.objects.create(
                tank=tank,
                sensor_id=sensor,
                measured_at=measured_at,
                value=number,
                unit=matched,
                level_kg=level_kg,
                received_by=user if user.is_authenticated else None,
            )
    except IntegrityError:
        found = TankReading.objects.get(tank=tank, sensor_id=sensor, measured_at=measured_at)
        return found, False
    from oxyflow.reporting import status

    status.refresh_status(tank.facility, now=now)
    return reading, True
