"""Daily reports, tank telemetry and facility status under /api/v1/.

Report bodies carry every quantity with its unit (``level`` + ``unit``); the stored
report answers with normalised figures whose unit is in the field name. Rules are the
same as the phone form and the upload (:mod:`oxyflow.reporting.services`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import StrictFloat, StrictInt

from oxyflow.accounts import scopes
from oxyflow.api import Day, ErrorOut, InputSchema, Instant
from oxyflow.registry import models as reg
from oxyflow.registry.services import get_visible
from oxyflow.reporting import ingest, services, status
from oxyflow.reporting.models import (
    Channel,
    DowntimeCause,
    FacilityReport,
    FacilityStatus,
    ProducerReport,
    PsaStatus,
)

router = Router(tags=["reporting"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}

BATCH_LIMIT = 1000
KEY_DESCRIPTION = (
    "Required: any unique string (a UUID). A retry with the same key returns the first "
    "report and stores nothing new; a new key for a day already reported is a correction."
)
Number = StrictInt | StrictFloat


class TankLevelIn(InputSchema):
    tank: str = Field("", max_length=100, description="Tank name; optional with one tank.")
    level: Number
    unit: str = Field(..., max_length=10, description="One of %, kg, t, L, kL (L of liquid).")


class CylindersIn(InputSchema):
    cylinder_type: str = Field(..., max_length=40, description="Cylinder type code.")
    full: StrictInt
    empty: StrictInt = 0
    used: StrictInt | None = Field(None, description="Cylinders emptied since the last report.")


class FacilityReportIn(InputSchema):
    report_date: Day = Field(..., description="The local day the report covers.")
    as_of: Instant | None = Field(
        None, description="When the figures were read (with time zone); default: now."
    )
    patients_low_flow: StrictInt
    patients_high_flow: StrictInt = Field(..., description="High-flow nasal oxygen or NIV.")
    patients_ventilated: StrictInt
    beds_occupied: StrictInt | None = None
    beds_occupied_oxygen: StrictInt | None = None
    beds_occupied_icu: StrictInt | None = None
    lox_tanks: list[TankLevelIn] = Field(default_factory=list, max_length=50)
    cylinders: list[CylindersIn] = Field(default_factory=list, max_length=50)
    concentrators_in_use: StrictInt = 0
    concentrators_idle: StrictInt = 0
    concentrators_broken: StrictInt = 0
    psa_status: str = Field(
        PsaStatus.NONE, max_length=10, description="none, running, reduced, down"
    )
    psa_output: Number | None = None
    psa_output_unit: str = Field("m3/h", max_length=10, description="m3/h or Nm3/h")
    consumption: Number | None = Field(
        None,
        description=(
            "Oxygen drawn from the LOX tanks and cylinders since the last report (on-site "
            "PSA and concentrators count from their output); blank: derived from the stock."
        ),
    )
    consumption_unit: str = Field(
        "", max_length=10, description="Nm3 or m3 (gas), kg or t (LOX), L or kL (liquid LOX)."
    )
    notes: str = Field("", max_length=5000)
    reported_by_name: str = Field(
        "", max_length=200, description="Who gave the figures, when you enter them for them."
    )
    correction_reason: str = Field("", max_length=5000, description="Required for a correction.")


class FlagOut(Schema):
    code: str
    field: str
    value: float
    expected: float
    unit: str
    message: str


class TankLevelOut(Schema):
    tank: str = Field(..., alias="tank.name")
    level_value: Decimal
    level_unit: str
    level_kg: Decimal


class CylindersOut(Schema):
    cylinder_type: str = Field(..., alias="cylinder_type.code")
    full: int
    empty: int
    used: int | None


class ReportVersionOut(Schema):
    id: int
    version: int
    is_current: bool
    received_at: datetime
    entered_by: str | None = Field(None, alias="entered_by.username")
    reported_by_name: str
    channel: str
    correction_reason: str


class FacilityReportOut(Schema):
    id: int
    facility: str = Field(..., alias="facility.code")
    report_date: date
    as_of: datetime
    version: int
    is_current: bool
    correction_reason: str
    received_at: datetime
    first_received_at: datetime
    entered_by: str | None = Field(None, alias="entered_by.username")
    reported_by_name: str
    channel: str
    patients_low_flow: int
    patients_high_flow: int
    patients_ventilated: int
    beds_occupied: int | None
    beds_occupied_oxygen: int | None
    beds_occupied_icu: int | None
    lox_tanks: list[TankLevelOut] = Field(..., alias="tanks")
    cylinders: list[CylindersOut]
    concentrators_in_use: int
    concentrators_idle: int
    concentrators_broken: int
    psa_status: str
    psa_output_nm3_per_h: Decimal
    consumption_value: Decimal | None
    consumption_unit: str
    consumption_nm3: Decimal | None
    consumption_derived_nm3: Decimal | None
    census_demand_nm3_per_day: Decimal
    notes: str
    flags: list[FlagOut]
    needs_review: bool

    @staticmethod
    def resolve_lox_tanks(obj: FacilityReport) -> list[Any]:
        return list(obj.tanks.all())

    @staticmethod
    def resolve_cylinders(obj: FacilityReport) -> list[Any]:
        return list(obj.cylinders.all())


def _reports() -> Any:
    return FacilityReport.objects.select_related("facility", "entered_by").prefetch_related(
        "tanks__tank", "cylinders__cylinder_type"
    )


def _submission(request: HttpRequest, key: str, reported_by: str, reason: str) -> Any:
    return services.Submission(
        user=request.user,
        key=key,
        channel=Channel.PHONE if reported_by.strip() else Channel.API,
        reported_by_name=reported_by,
        correction_reason=reason,
    )


@router.post(
    "/facilities/{code}/reports",
    response={200: FacilityReportOut, 201: FacilityReportOut, **ERRORS},
    summary="Submit a facility's daily report (a second one for a day is a correction)",
    description=(
        "201 with the stored report; 200 with the first report when the Idempotency-Key "
        "was seen before. Hard errors answer 422 naming each field; plausibility flags "
        "are accepted and returned in `flags`."
    ),
)
def submit_facility_report(
    request: HttpRequest,
    code: str,
    payload: FacilityReportIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", description=KEY_DESCRIPTION),
) -> Any:
    facility = get_visible(reg.Facility.objects.select_related("region"), request.user, code=code)
    data = _data(payload)
    outcome = services.submit_facility_report(
        facility=facility,
        data=data,
        submission=_submission(
            request, idempotency_key, payload.reported_by_name, payload.correction_reason
        ),
    )
    return Status(201 if outcome.created else 200, _reports().get(pk=outcome.report.pk))


class BatchItemIn(FacilityReportIn):
    facility: str = Field(..., max_length=40, description="Facility code.")
    idempotency_key: str = Field(
        ..., min_length=1, max_length=200, description="This report's key: " + KEY_DESCRIPTION
    )


class BatchIn(InputSchema):
    reports: list[BatchItemIn] = Field(..., min_length=1, max_length=BATCH_LIMIT)


class BatchErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class BatchResultOut(Schema):
    index: int
    facility: str
    report_date: date
    outcome: str = Field(..., description="created, replayed, rejected or not_found")
    id: int | None = None
    version: int | None = None
    flags: list[FlagOut] = Field(default_factory=list)
    errors: list[BatchErrorOut] = Field(default_factory=list)


class BatchOut(Schema):
    created: int
    replayed: int
    rejected: int
    not_found: int
    results: list[BatchResultOut]


def _data(payload: FacilityReportIn) -> services.FacilityReportIn:
    return services.FacilityReportIn(
        report_date=payload.report_date,
        as_of=payload.as_of,
        patients_low_flow=payload.patients_low_flow,
        patients_high_flow=payload.patients_high_flow,
        patients_ventilated=payload.patients_ventilated,
        beds_occupied=payload.beds_occupied,
        beds_occupied_oxygen=payload.beds_occupied_oxygen,
        beds_occupied_icu=payload.beds_occupied_icu,
        lox_tanks=[services.TankLevelIn(t.level, t.unit, t.tank) for t in payload.lox_tanks],
        cylinders=[
            services.CylindersIn(c.cylinder_type, c.full, c.empty, c.used)
            for c in payload.cylinders
        ],
        concentrators_in_use=payload.concentrators_in_use,
        concentrators_idle=payload.concentrators_idle,
        concentrators_broken=payload.concentrators_broken,
        psa_status=payload.psa_status,
        psa_output=payload.psa_output,
        psa_output_unit=payload.psa_output_unit,
        consumption=payload.consumption,
        consumption_unit=payload.consumption_unit,
        notes=payload.notes,
    )


@router.post(
    "/facility-reports/batch",
    response={200: BatchOut, **ERRORS},
    summary=f"Submit up to {BATCH_LIMIT} facility reports at once (a national feed)",
    description=(
        "Each report is stored or refused on its own: `results` says, per report in the "
        "order sent, `created`, `replayed` (its key was seen before: nothing new stored), "
        "`rejected` (with `errors` naming each field, as the single-report endpoint "
        "would), or `not_found` (no such facility in your scope). The same rules as "
        "`POST /facilities/{code}/reports`; stored in one transaction."
    ),
)
def submit_facility_report_batch(request: HttpRequest, payload: BatchIn) -> Any:
    codes = {item.facility for item in payload.reports}
    facilities = {
        f.code: f
        for f in scopes.visible(
            reg.Facility.objects.filter(code__in=codes).select_related("region"), request.user
        )
    }
    items: list[ingest.FacilityItem] = []
    positions: list[int] = []
    for index, item in enumerate(payload.reports):
        facility = facilities.get(item.facility)
        if facility is None:
            continue
        channel = Channel.PHONE if item.reported_by_name.strip() else Channel.API
        items.append(
            ingest.FacilityItem(
                facility,
                _data(item),
                services.Submission(
                    user=request.user,
                    key=item.idempotency_key,
                    channel=channel,
                    reported_by_name=item.reported_by_name,
                    correction_reason=item.correction_reason,
                ),
            )
        )
        positions.append(index)
    outcomes = dict(zip(positions, ingest.ingest_facility_reports(items), strict=True))
    results = []
    counts = {"created": 0, "replayed": 0, "rejected": 0, "not_found": 0}
    for index, item in enumerate(payload.reports):
        outcome = outcomes.get(index)
        result: dict[str, Any] = {
            "index": index,
            "facility": item.facility,
            "report_date": item.report_date,
        }
        if outcome is None or outcome.forbidden:
            result["outcome"] = "not_found"
            result["errors"] = [
                {
                    "loc": ["facility"],
                    "msg": gettext("No facility %(code)s in your scope.") % {"code": item.facility},
                    "type": "not_found",
                }
            ]
        elif outcome.errors:
            result["outcome"] = "rejected"
            result["errors"] = [
                {
                    "loc": [int(p) if p.isdigit() else p for p in path.split(".")],
                    "msg": message,
                    "type": "value_error",
                }
                for path, messages in outcome.errors.items()
                for message in messages
            ]
        else:
            assert outcome.report is not None
            result["outcome"] = "created" if outcome.created else "replayed"
            result["id"] = outcome.report.pk
            result["version"] = outcome.report.version
            result["flags"] = outcome.flags
        counts[result["outcome"]] += 1
        results.append(result)
    return {**counts, "results": results}


class ReportFilter(Schema):
    since: date | None = Field(None, description="First report day included.")
    until: date | None = Field(None, description="Last report day included.")
    all_versions: bool = Field(False, description="Include superseded versions.")


def _filtered(reports: Any, filters: ReportFilter) -> list[Any]:
    """A site's reports within the filter's days, current versions unless asked, newest
    first, at most 400."""
    if not filters.all_versions:
        reports = reports.filter(is_current=True)
    if filters.since:
        reports = reports.filter(report_date__gte=filters.since)
    if filters.until:
        reports = reports.filter(report_date__lte=filters.until)
    return list(reports.order_by("-report_date", "-version")[:400])


@router.get(
    "/facilities/{code}/reports",
    response={200: list[FacilityReportOut], **READ_ERRORS},
    summary="A facility's reports, newest first",
)
def list_facility_reports(request: HttpRequest, code: str, filters: Query[ReportFilter]) -> Any:
    facility = get_visible(reg.Facility.objects.all(), request.user, code=code)
    return _filtered(_reports().filter(facility=facility), filters)


def _versions(report: Any) -> list[Any]:
    model = type(report)
    site_field = "facility" if model is FacilityReport else "producer"
    return list(
        model.objects.filter(
            **{site_field: getattr(report, f"{site_field}_id"), "report_date": report.report_date}
        )
        .select_related("entered_by")
        .order_by("version")
    )


class FacilityReportDetailOut(FacilityReportOut):
    versions: list[ReportVersionOut]

    @staticmethod
    def resolve_versions(obj: FacilityReport) -> list[Any]:
        return _versions(obj)


@router.get(
    "/facility-reports/{report_id}",
    response={200: FacilityReportDetailOut, **READ_ERRORS},
    summary="One report with every version of that day",
)
def get_facility_report(request: HttpRequest, report_id: int) -> Any:
    visible = scopes.visible(reg.Facility.objects.all(), request.user)
    return get_object_or_404(_reports().filter(facility__in=visible), pk=report_id)


# ---------------------------------------------------------------------- producers


class ProductLineIn(InputSchema):
    product: str = Field(..., max_length=40, description="Product code.")
    unit: str = Field(
        "", max_length=10, description="Default: the product's unit; LOX also takes t, L, kL."
    )
    produced: Number
    stock: Number
    available_tomorrow: Number


class ProducerReportIn(InputSchema):
    report_date: Day
    as_of: Instant | None = None
    lines: list[ProductLineIn] = Field(..., max_length=50)
    downtime_hours: Number = 0
    downtime_cause: str = Field(
        DowntimeCause.NONE, max_length=20, description=", ".join(DowntimeCause.values)
    )
    notes: str = Field("", max_length=5000)
    reported_by_name: str = Field("", max_length=200)
    correction_reason: str = Field("", max_length=5000)


class ProductLineOut(Schema):
    product: str = Field(..., alias="product.code")
    unit: str
    produced: Decimal
    stock: Decimal
    available_tomorrow: Decimal


class ProducerReportOut(Schema):
    id: int
    producer: str = Field(..., alias="producer.code")
    report_date: date
    as_of: datetime
    version: int
    is_current: bool
    correction_reason: str
    received_at: datetime
    entered_by: str | None = Field(None, alias="entered_by.username")
    reported_by_name: str
    channel: str
    lines: list[ProductLineOut]
    downtime_hours: Decimal
    downtime_cause: str
    notes: str

    @staticmethod
    def resolve_lines(obj: ProducerReport) -> list[Any]:
        return list(obj.lines.all())


def _producer_reports() -> Any:
    return ProducerReport.objects.select_related("producer", "entered_by").prefetch_related(
        "lines__product"
    )


@router.post(
    "/producers/{code}/reports",
    response={200: ProducerReportOut, 201: ProducerReportOut, **ERRORS},
    summary="Submit a producer's daily report (a second one for a day is a correction)",
)
def submit_producer_report(
    request: HttpRequest,
    code: str,
    payload: ProducerReportIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", description=KEY_DESCRIPTION),
) -> Any:
    producer = get_visible(reg.Producer.objects.select_related("region"), request.user, code=code)
    data = services.ProducerReportIn(
        report_date=payload.report_date,
        as_of=payload.as_of,
        lines=[
            services.ProductLineIn(
                line.product, line.produced, line.stock, line.available_tomorrow, line.unit
            )
            for line in payload.lines
        ],
        downtime_hours=payload.downtime_hours,
        downtime_cause=payload.downtime_cause,
        notes=payload.notes,
    )
    outcome = services.submit_producer_report(
        producer=producer,
        data=data,
        submission=_submission(
            request, idempotency_key, payload.reported_by_name, payload.correction_reason
        ),
    )
    return Status(201 if outcome.created else 200, _producer_reports().get(pk=outcome.report.pk))


@router.get(
    "/producers/{code}/reports",
    response={200: list[ProducerReportOut], **READ_ERRORS},
    summary="A producer's reports, newest first",
)
def list_producer_reports(request: HttpRequest, code: str, filters: Query[ReportFilter]) -> Any:
    producer = get_visible(reg.Producer.objects.all(), request.user, code=code)
    return _filtered(_producer_reports().filter(producer=producer), filters)


# ---------------------------------------------------------------------- telemetry


class TankReadingIn(InputSchema):
    sensor_id: str = Field(..., min_length=1, max_length=100)
    measured_at: Instant = Field(..., description="When the sensor read the level (with zone).")
    value: Number
    unit: str = Field(..., max_length=10, description="One of %, kg, t, L, kL (L of liquid).")


class TankReadingOut(Schema):
    id: int
    facility: str = Field(..., alias="tank.facility.code")
    tank: str = Field(..., alias="tank.name")
    sensor_id: str
    measured_at: datetime
    value: Decimal
    unit: str
    level_kg: Decimal
    received_at: datetime


@router.post(
    "/facilities/{code}/tanks/{tank}/readings",
    response={200: TankReadingOut, 201: TankReadingOut, **ERRORS},
    summary="A tank sensor's level reading",
    description="The same sensor and time sent twice is stored once (200 the second time).",
)
def post_tank_reading(request: HttpRequest, code: str, tank: str, payload: TankReadingIn) -> Any:
    facility = get_visible(reg.Facility.objects.select_related("region"), request.user, code=code)
    found = get_object_or_404(reg.LoxTank, facility=facility, name=tank)
    reading, created = services.record_tank_reading(
        tank=found,
        sensor_id=payload.sensor_id,
        measured_at=payload.measured_at,
        value=payload.value,
        unit=payload.unit,
        user=request.user,
        now=timezone.now(),
    )
    return Status(201 if created else 200, reading)


# ------------------------------------------------------------------------- status


class FacilityStatusOut(Schema):
    facility: str = Field(..., alias="facility.code")
    computed_at: datetime
    as_of: datetime
    report_id: int = Field(..., alias="report.id")
    report_date: date = Field(..., alias="report.report_date")
    demand_nm3_per_day: float
    demand_low_nm3_per_day: float
    demand_high_nm3_per_day: float
    demand_basis: str
    calibration_factor: float
    autonomy_hours: float = Field(..., description="At central demand, from `as_of`.")
    autonomy_low_hours: float = Field(..., description="At high demand (pessimistic).")
    autonomy_high_hours: float = Field(..., description="At low demand (optimistic).")
    hours_left_now: float = Field(..., description="Autonomy less the time since `as_of`.")
    horizon_hours: float
    runs_out_at: datetime | None
    limiting_factor: str
    usable_nm3: float
    autonomy_basis: str

    @staticmethod
    def resolve_hours_left_now(obj: FacilityStatus) -> float:
        return round(status.hours_left(obj, timezone.now()), 1)


@router.get(
    "/facilities/{code}/status",
    response={200: FacilityStatusOut, **READ_ERRORS},
    summary="Demand and autonomy from the latest report",
    description="404 when the facility has not reported yet.",
)
def get_facility_status(request: HttpRequest, code: str) -> Any:
    facility = get_visible(reg.Facility.objects.all(), request.user, code=code)
    return get_object_or_404(
        FacilityStatus.objects.select_related("facility", "report"), facility=facility
    )
