"""Rebuild :class:`FacilityDay` rows from the reports (set-based, a handful of queries).

Called inside the ingest transaction for the (facility, day) pairs it stored, so the
dashboard never lags behind a report; ``rebuild_all`` redoes everything from scratch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import cache

from django.db import transaction
from django.db.models import Q, Sum

from oxyflow.core import units
from oxyflow.dashboard.models import FacilityDay
from oxyflow.reporting.models import (
    FacilityReport,
    FacilityReportCylinders,
    FacilityReportTank,
)

_FIELDS = [
    "report",
    "region_path",
    "patients_low_flow",
    "patients_high_flow",
    "patients_ventilated",
    "beds_oxygen",
    "beds_occupied_oxygen",
    "consumption_nm3",
    "stock_nm3",
    "demand_nm3_per_day",
]
_CHUNK = 500


@cache
def nm3_per_kg() -> float:
    """Normal cubic metres of gas per kilogram of oxygen (the one factor used here)."""
    return float(units.to_magnitude(units.gas_volume_per_kg(), "Nm3/kg"))


def _build(reports: list[FacilityReport]) -> list[FacilityDay]:
    ids = [r.pk for r in reports]
    tank_kg: dict[int, float] = defaultdict(float)
    for report_id, kg in (
        FacilityReportTank.objects.filter(report_id__in=ids)
        .values_list("report_id")
        .annotate(kg=Sum("level_kg"))
        .order_by()
    ):
        tank_kg[report_id] = float(kg or 0)
    cylinder_nm3: dict[int, float] = defaultdict(float)
    for line in FacilityReportCylinders.objects.filter(report_id__in=ids).select_related(
        "cylinder_type"
    ):
        cylinder_nm3[line.report_id] += line.full * _content_nm3(line.cylinder_type)
    rows = []
    for r in reports:
        consumption = r.consumption_nm3 if r.consumption_nm3 is not None else None
        if consumption is None:
            consumption = r.consumption_derived_nm3
        rows.append(
            FacilityDay(
                facility_id=r.facility_id,
                day=r.report_date,
                report=r,
                region_path=r.facility.region.path,
                patients_low_flow=r.patients_low_flow,
                patients_high_flow=r.patients_high_flow,
                patients_ventilated=r.patients_ventilated,
                beds_oxygen=r.facility.beds_oxygen,
                beds_occupied_oxygen=r.beds_occupied_oxygen,
                consumption_nm3=None if consumption is None else float(consumption),
                stock_nm3=tank_kg[r.pk] * nm3_per_kg() + cylinder_nm3[r.pk],
                demand_nm3_per_day=float(r.census_demand_nm3_per_day),
            )
        )
    return rows


_CONTENTS: dict[int, float] = {}


def _content_nm3(cylinder_type: object) -> float:
    pk = cylinder_type.pk  # type: ignore[attr-defined]
    if pk not in _CONTENTS:
        _CONTENTS[pk] = cylinder_type.content_nm3()  # type: ignore[attr-defined]
    return _CONTENTS[pk]


def refresh(pairs: Iterable[tuple[int, date]]) -> int:
    """Rebuild the rows of these (facility id, day) pairs; return how many were written."""
    wanted = set(pairs)
    if not wanted:
        return 0
    facility_ids = {fid for fid, _ in wanted}
    days = {day for _, day in wanted}
    reports = [
        r
        for r in FacilityReport.objects.filter(
            facility_id__in=facility_ids, report_date__in=days, is_current=True
        ).select_related("facility__region")
        if (r.facility_id, r.report_date) in wanted
    ]
    rows = _build(reports)
    with transaction.atomic():
        FacilityDay.objects.bulk_create(
            rows,
            batch_size=_CHUNK,
            update_conflicts=True,
            unique_fields=["facility", "day"],
            update_fields=_FIELDS,
        )
        # A pair with no current report any more (never happens through ingest, but a
        # rebuild after an administrator's deletion must not keep a ghost row).
        found = {(r.facility_id, r.report_date) for r in reports}
        gone = wanted - found
        if gone:
            q = Q()
            for fid, day in gone:
                q |= Q(facility_id=fid, day=day)
            FacilityDay.objects.filter(q).delete()
    return len(rows)


def rebuild_all() -> int:
    """Drop every row and rebuild from all current reports."""
    written = 0
    with transaction.atomic():
        FacilityDay.objects.all().delete()
        current = FacilityReport.objects.filter(is_current=True).order_by("pk")
        last = 0
        while True:
            chunk = list(current.filter(pk__gt=last).select_related("facility__region")[:5000])
            if not chunk:
                break
            last = chunk[-1].pk
            rows = _build(chunk)
            FacilityDay.objects.bulk_create(rows, batch_size=_CHUNK)
            written += len(rows)
    return written
