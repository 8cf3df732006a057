"""Alerts and the on-call roster under /api/v1/.

An alert out of the caller's sight answers 404; acting on one it may only read, 403; a
lifecycle step not allowed from the alert's status (acknowledging a resolved alert,
resolving it twice), 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from oxyflow.accounts import scopes
from oxyflow.alerts import services
from oxyflow.alerts.models import (
    ACTIVE_STATUSES,
    AlertKind,
    AlertStatus,
    AlertTransitionError,
    EscalationLevel,
)
from oxyflow.api import ErrorOut, InputSchema, Instant, error_body
from oxyflow.registry import models as reg

router = Router(tags=["alerts"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
LIST_LIMIT = 500


class AlertOut(Schema):
    id: int
    kind: str
    severity: str
    status: str
    site: str = Field(..., alias="site.code")
    site_name: str = Field(..., alias="site.name")
    region: str = Field(..., alias="site.region.code")
    value: float = Field(..., description="The measure, in `unit`.")
    unit: str = Field(..., description="h (hours), % or flags.")
    description: str
    basis: str
    condition_key: str
    opened_at: datetime
    escalation_level: str = Field(..., description="facility, district, province, ministry")
    escalated_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None = Field(None, alias="acknowledged_by.username")
    resolved_at: datetime | None
    resolved_by: str | None = Field(None, alias="resolved_by.username")
    resolution: str

    @staticmethod
    def resolve_description(obj: Any) -> str:
        return str(obj.describe())

    @staticmethod
    def resolve_escalation_level(obj: Any) -> str:
        return EscalationLevel(obj.escalation_level).name.lower()


class EventOut(Schema):
    kind: str
    at: datetime
    by: str | None = Field(None, alias="by.username")
    level: int
    text: str


class NotificationOut(Schema):
    level: int
    severity: str
    channel: str
    recipient: str = Field(
        description="address or number; empty unless you manage the roster of the alert's region"
    )
    status: str
    created_at: datetime
    sent_at: datetime | None


class AlertDetailOut(AlertOut):
    events: list[EventOut]
    notifications: list[NotificationOut]

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.select_related("by"))

    @staticmethod
    def resolve_notifications(obj: Any, context: Any) -> list[Any]:
        shown = services.sees_recipients(context["request"].user, obj)
        return [
            {
                "level": n.level,
                "severity": n.severity,
                "channel": n.channel,
                "recipient": n.recipient if shown else "",
                "status": n.status,
                "created_at": n.created_at,
                "sent_at": n.sent_at,
            }
            for n in obj.notifications.order_by("created_at", "pk")
        ]


class AlertFilter(Schema):
    status: str = Field(
        "active", description="active (open or acknowledged), open, acknowledged, resolved, all"
    )
    severity: str | None = Field(None, description="warning or critical")
    kind: str | None = Field(None, description=", ".join(AlertKind.values))
    region: str | None = Field(None, description="Region code: that region and below.")
    site: str | None = Field(None, description="Site code.")


class ResolveIn(InputSchema):
    note: str = Field("", max_length=2000, description="What was done.")


def _bad_filter(field: str, value: str, allowed: list[str]) -> Any:
    return Status(
        422,
        error_body(
            ["query", field],
            f"“{value}” is not one of: {', '.join(allowed)}.",
            "value_error",
            value,
        ),
    )


@router.get(
    "/alerts",
    response={200: list[AlertOut], **READ_ERRORS},
    summary="Alerts in the caller's scope, most urgent first",
    description=f"Critical before warning, newest first; at most {LIST_LIMIT}.",
)
def list_alerts(request: HttpRequest, filters: Query[AlertFilter]) -> Any:
    region = None
    if filters.region:
        # A region out of scope answers as an unknown one does.
        region = (
            scopes.visible(reg.Region.objects.all(), request.user)
            .filter(code=filters.region)
            .first()
        )
        if region is None:
            raise Http404
    alerts = services.alerts_visible(request.user, region).annotate(urgency=services.URGENCY)
    statuses = ["active", *AlertStatus.values, "all"]
    if filters.status not in statuses:
        return _bad_filter("status", filters.status, statuses)
    if filters.status == "active":
        alerts = alerts.filter(status__in=ACTIVE_STATUSES)
    elif filters.status != "all":
        alerts = alerts.filter(status=filters.status)
    if filters.severity:
        if filters.severity not in ("warning", "critical"):
            return _bad_filter("severity", filters.severity, ["warning", "critical"])
        alerts = alerts.filter(severity=filters.severity)
    if filters.kind:
        if filters.kind not in AlertKind.values:
            return _bad_filter("kind", filters.kind, list(AlertKind.values))
        alerts = alerts.filter(kind=filters.kind)
    if filters.site:
        alerts = alerts.filter(site__code=filters.site)
    return list(alerts.order_by("urgency", "-opened_at", "pk")[:LIST_LIMIT])


def _get(request: HttpRequest, alert_id: int) -> Any:
    alert = services.alerts_visible(request.user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return alert


@router.get(
    "/alerts/{alert_id}",
    response={200: AlertDetailOut, **READ_ERRORS},
    summary="One alert with its history and the messages sent",
)
def get_alert(request: HttpRequest, alert_id: int) -> Any:
    return _get(request, alert_id)


def _conflict(exc: AlertTransitionError) -> Any:
    return Status(409, error_body(["path", "alert_id"], str(exc), "conflict", exc.alert.pk))


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertDetailOut, **ERRORS},
    summary="Acknowledge an open alert: it stops escalating",
)
def acknowledge_alert(request: HttpRequest, alert_id: int) -> Any:
    try:
        services.acknowledge(alert_id=alert_id, user=request.user, now=timezone.now())
    except AlertTransitionError as exc:
        return _conflict(exc)
    return _get(request, alert_id)


@router.post(
    "/alerts/{alert_id}/resolve",
    response={200: AlertDetailOut, **ERRORS},
    summary="Resolve an open or acknowledged alert",
    description=(
        'Body: `{"note": "…"}` (the note may be left out: `{}`). The engine opens a new '
        "alert at its next run if the condition still holds."
    ),
)
def resolve_alert(request: HttpRequest, alert_id: int, payload: ResolveIn) -> Any:
    note = payload.note
    try:
        services.resolve(alert_id=alert_id, user=request.user, now=timezone.now(), note=note)
    except AlertTransitionError as exc:
        return _conflict(exc)
    return _get(request, alert_id)


# ------------------------------------------------------------------------- the roster


class ShiftOut(Schema):
    id: int
    region: str = Field(..., alias="region.code")
    user: str = Field(..., alias="user.username")
    starts_at: datetime
    ends_at: datetime
    phone: str
    note: str


class ShiftIn(InputSchema):
    region: str = Field(
        ..., max_length=40, description="Region code (district, province, country)."
    )
    user: str = Field(..., max_length=150, description="Username of the person on duty.")
    starts_at: Instant
    ends_at: Instant
    phone: str = Field("", max_length=30, description="Phone for SMS; default: the profile's.")
    note: str = Field("", max_length=200)


class ShiftQuery(Schema):
    region: str | None = Field(None, description="region code: that region's shifts only")


@router.get(
    "/on-call-shifts",
    response={200: list[ShiftOut], **READ_ERRORS},
    summary="On-call shifts in the caller's scope that have not ended",
)
def list_shifts(request: HttpRequest, query: Query[ShiftQuery]) -> Any:
    shifts = services.shifts_visible(request.user).filter(ends_at__gt=timezone.now())
    if query.region:
        shifts = shifts.filter(region__code=query.region)
    return list(shifts.order_by("region__path", "starts_at", "pk"))


@router.post(
    "/on-call-shifts",
    response={201: ShiftOut, **ERRORS},
    summary="Put someone on duty for a region",
)
def create_shift(request: HttpRequest, payload: ShiftIn) -> Any:
    region = services.roster_regions(request.user).filter(code=payload.region).first()
    if region is None:
        raise Http404
    # Someone the caller may not put on duty answers as an unknown user does.
    person = services.roster_people(request.user).filter(username=payload.user).first()
    if person is None:
        return Status(
            422,
            error_body(["body", "user"], "No such user.", "value_error", payload.user),
        )
    shift = services.add_shift(
        user=request.user,
        region=region,
        person=person,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        phone=payload.phone,
        note=payload.note,
    )
    return Status(201, services.shifts_visible(request.user).get(pk=shift.pk))


@router.delete(
    "/on-call-shifts/{shift_id}",
    response={204: None, **ERRORS},
    summary="Take a shift off the roster",
)
def delete_shift(request: HttpRequest, shift_id: int) -> Any:
    services.remove_shift(user=request.user, shift_id=shift_id)
    return Status(204, None)
