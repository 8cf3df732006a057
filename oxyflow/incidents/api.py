"""Incidents (obstacles) under /api/v1/: list, log, read, comment, assign, re-grade and
move through the workflow. The same rules as the pages (:mod:`oxyflow.incidents.services`);
an incident out of sight answers 404, an illegal status change 409."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import StrictFloat

from oxyflow.api import ErrorOut, InputSchema, django_validation_detail, error_body
from oxyflow.incidents import services
from oxyflow.incidents.models import (
    ACTIVE_STATUSES,
    IllegalTransition,
    Incident,
    IncidentComment,
    IncidentEvent,
    IncidentKind,
    IncidentStatus,
    Severity,
)
from oxyflow.registry import models as reg
from oxyflow.registry.services import get_visible

router = Router(tags=["incidents"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
LIST_LIMIT = 500


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


class IncidentOut(Schema):
    id: int
    kind: str
    severity: str
    title: str
    description: str
    status: str
    region: str = Field(..., alias="region.code")
    sites: list[str] = Field(..., description="Codes of the linked sites, in linking order.")
    latitude_deg: Decimal | None = Field(None, alias="latitude")
    longitude_deg: Decimal | None = Field(None, alias="longitude")
    location_deg: list[float] | None = Field(
        None,
        description="[latitude, longitude] to draw it: its own, else its first site's.",
    )
    reported_by: str
    opened_at: datetime
    assigned_to: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str
    closed_at: datetime | None
    time_to_resolution_hours: float | None = Field(
        None, description="From opening to resolution; null while unresolved."
    )

    @staticmethod
    def resolve_sites(obj: Incident) -> list[str]:
        return [site.code for site in services.linked_sites(obj)]

    @staticmethod
    def resolve_location_deg(obj: Incident) -> list[float] | None:
        location = services.incident_location(obj)
        return list(location) if location else None

    @staticmethod
    def resolve_reported_by(obj: Incident) -> str:
        return obj.reported_by.get_username()

    @staticmethod
    def resolve_assigned_to(obj: Incident) -> str | None:
        return _username(obj.assigned_to)

    @staticmethod
    def resolve_resolved_by(obj: Incident) -> str | None:
        return _username(obj.resolved_by)

    @staticmethod
    def resolve_time_to_resolution_hours(obj: Incident) -> float | None:
        duration = obj.time_to_resolution
        return None if duration is None else round(duration.total_seconds() / 3600, 2)


class CommentOut(Schema):
    id: int
    author: str
    created_at: datetime
    text: str

    @staticmethod
    def resolve_author(obj: IncidentComment) -> str:
        return obj.author.get_username()


class EventOut(Schema):
    at: datetime
    actor: str
    kind: str = Field(..., description="created, status, assigned or severity")
    old_value: str
    new_value: str
    note: str

    @staticmethod
    def resolve_actor(obj: IncidentEvent) -> str:
        return obj.actor.get_username()


class IncidentDetailOut(IncidentOut):
    comments: list[CommentOut]
    events: list[EventOut]
    allowed_statuses: list[str] = Field(..., description="The statuses you may move it to now.")

    @staticmethod
    def resolve_comments(obj: Incident) -> list[Any]:
        return list(obj.comments.select_related("author"))

    @staticmethod
    def resolve_events(obj: Incident) -> list[Any]:
        return list(obj.events.select_related("actor"))

    @staticmethod
    def resolve_allowed_statuses(obj: Incident, context: Any) -> list[str]:
        user = context["request"].user
        return [str(s) for s in services.allowed_targets(user, obj)]


class IncidentFilter(Schema):
    status: IncidentStatus | None = None
    active: bool | None = Field(None, description="true: open or in progress only.")
    kind: IncidentKind | None = None
    severity: Severity | None = None
    region: str | None = Field(
        None, description="Code of a region: incidents in it or below, or at a site there."
    )
    site: str | None = Field(None, description="Code of a site: incidents linked to it.")


@router.get(
    "/incidents",
    response={200: list[IncidentOut], **READ_ERRORS},
    summary=f"Incidents you see: active first, most severe first (at most {LIST_LIMIT})",
)
def list_incidents(request: HttpRequest, filters: Query[IncidentFilter]) -> Any:
    qs = services.visible_incidents(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.active is not None:
        active = list(ACTIVE_STATUSES)
        qs = qs.filter(status__in=active) if filters.active else qs.exclude(status__in=active)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.region:
        root = get_visible(reg.Region.objects.all(), request.user, code=filters.region)
        qs = services.in_region(qs, root)
    if filters.site:
        site = get_visible(reg.Site.objects.all(), request.user, code=filters.site)
        qs = qs.filter(sites=site)
    return list(qs[:LIST_LIMIT])


class IncidentIn(InputSchema):
    kind: IncidentKind
    severity: Severity
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    region: str | None = Field(
        None, max_length=40, description="Region code; default: the first site's region."
    )
    sites: list[str] = Field(
        default_factory=list, max_length=50, description="Codes of the sites it affects."
    )
    latitude_deg: StrictFloat | None = Field(None, ge=-90, le=90)
    longitude_deg: StrictFloat | None = Field(None, ge=-180, le=180)


class FieldError(Exception):
    """A body field refused here, answered 422 at ``loc``."""

    def __init__(self, loc: list[str | int], message: str, value: Any = None) -> None:
        super().__init__(message)
        self.loc = loc
        self.value = value


def _sites(user: Any, codes: list[str]) -> list[reg.Site]:
    found = {s.code: s for s in services.loggable_sites(user).filter(code__in=codes)}
    for index, code in enumerate(codes):
        if code not in found:
            raise FieldError(
                ["body", "sites", index],
                _("No site %(code)s in your scope.") % {"code": code},
                code,
            )
    return [found[code] for code in codes]


def _region(user: Any, code: str | None, sites: list[reg.Site]) -> reg.Region | None:
    if code is None:
        return None
    for site in sites:
        if site.region.code == code:
            return site.region
    region = services.placeable_regions(user).filter(code=code).first()
    if region is None:
        raise FieldError(
            ["body", "region"],
            _("You may not log an incident in region %(code)s.") % {"code": code},
            code,
        )
    return region


def _coordinate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _detail(user: Any, pk: int) -> Incident:
    return services.get_incident(user, pk)


@router.post(
    "/incidents",
    response={201: IncidentDetailOut, **ERRORS},
    summary="Log an incident",
    description=(
        "201 with the new open incident. Viewers and users without a role: 403. A site "
        "or region out of your reach: 422 naming the field. Send `Idempotency-Key` to "
        "make a retry safe."
    ),
)
def create_incident(
    request: HttpRequest,
    payload: IncidentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    if not services.can_log(request.user):
        raise PermissionDenied(_("Your role may read incidents but not log them."))
    try:
        sites = _sites(request.user, payload.sites)
        region = _region(request.user, payload.region, sites)
    except FieldError as exc:
        return Status(422, error_body(exc.loc, str(exc), "value_error", exc.value))
    data = services.IncidentIn(
        kind=payload.kind,
        severity=payload.severity,
        title=payload.title,
        description=payload.description,
        region=region,
        sites=sites,
        latitude=_coordinate(payload.latitude_deg),
        longitude=_coordinate(payload.longitude_deg),
    )
    try:
        incident = services.log_incident(user=request.user, data=data)
    except ValidationError as exc:
        # The model's coordinate fields are the body's ``*_deg``.
        detail = django_validation_detail(exc)
        for item in detail:
            if item["loc"][1:] in (["latitude"], ["longitude"]):
                item["loc"] = ["body", f"{item['loc'][1]}_deg"]
        return Status(422, {"detail": detail})
    return Status(201, _detail(request.user, incident.pk))


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentDetailOut, **READ_ERRORS},
    summary="One incident with its comments and history",
)
def get_incident(request: HttpRequest, incident_id: int) -> Any:
    return _detail(request.user, incident_id)


class CommentIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=services.COMMENT_MAX_LENGTH)


@router.post(
    "/incidents/{incident_id}/comments",
    response={201: CommentOut, **ERRORS},
    summary="Comment on an incident (anyone who sees it, except viewers)",
)
def add_comment(
    request: HttpRequest,
    incident_id: int,
    payload: CommentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    incident = _detail(request.user, incident_id)
    return Status(201, services.comment(user=request.user, incident=incident, text=payload.text))


class AssignIn(InputSchema):
    assignee: str | None = Field(
        ..., max_length=150, description="Username of a user who sees it; null: nobody."
    )


@router.post(
    "/incidents/{incident_id}/assign",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Assign an incident (ministry and the region's coordinators)",
)
def assign_incident(request: HttpRequest, incident_id: int, payload: AssignIn) -> Any:
    incident = _detail(request.user, incident_id)
    assignee = None
    if payload.assignee is not None:
        assignee = get_user_model().objects.filter(username=payload.assignee).first()
        if assignee is None:
            # The same answer as for a user who cannot see it: usernames are not probed.
            raise ValidationError(
                {
                    "assignee": _("%(user)s cannot work on this incident: they do not see it.")
                    % {"user": payload.assignee}
                }
            )
    services.assign(user=request.user, incident=incident, assignee=assignee)
    return _detail(request.user, incident_id)


class SeverityIn(InputSchema):
    severity: Severity


@router.post(
    "/incidents/{incident_id}/severity",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Re-grade an incident (ministry and the region's coordinators)",
)
def regrade_incident(request: HttpRequest, incident_id: int, payload: SeverityIn) -> Any:
    incident = _detail(request.user, incident_id)
    services.change_severity(user=request.user, incident=incident, severity=payload.severity)
    return _detail(request.user, incident_id)


class TransitionIn(InputSchema):
    status: IncidentStatus = Field(..., description="The status to move to.")
    resolution: str = Field(
        "", max_length=5000, description="How the obstacle was cleared: required to resolve."
    )
    note: str = Field("", max_length=5000, description="Why (kept in the history).")


@router.post(
    "/incidents/{incident_id}/transition",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Move an incident through open → in progress → resolved → closed",
    description=(
        "Legal moves: open → in progress or resolved; in progress → resolved; resolved → "
        "closed or open (reopen). Any other: 409. Managers make every legal move; the "
        "assignee may start and resolve (else 403). Resolving without `resolution`: 422."
    ),
)
def transition_incident(request: HttpRequest, incident_id: int, payload: TransitionIn) -> Any:
    incident = _detail(request.user, incident_id)
    try:
        services.transition(
            user=request.user,
            incident=incident,
            to=payload.status,
            resolution=payload.resolution,
            note=payload.note,
        )
    except IllegalTransition as exc:
        return Status(
            409,
            error_body(["body", "status"], str(exc), "illegal_transition", payload.status.value),
        )
    return _detail(request.user, incident_id)
