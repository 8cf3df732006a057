"""Incidents shared by pages, API, dashboard and map: who may do what, and every change.

Visibility: ``scopes.visible(Incident…)`` (rule registered in :mod:`.apps`) gives
regional roles the incidents placed in their region and below, and everyone the
incidents linked to a site they see; :func:`visible_incidents` adds the incidents a
user logged themselves (a scope rule cannot, as it does not know the user). Use
:func:`visible_incidents` whenever a user looks at incidents.

Rights: managing (assign, change severity, close, reopen) belongs to the ministry and
coordinators whose region holds the incident; the assignee may also start and resolve
it; anyone who sees it may comment except viewers; anyone with a role may log one,
within the places described in :func:`check_placement`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.accounts.models import Role
from oxyflow.incidents.models import (
    ACTIVE_STATUSES,
    SEVERITY_RANK,
    TRANSITIONS,
    EventKind,
    Incident,
    IncidentComment,
    IncidentEvent,
    IncidentSite,
    IncidentStatus,
    Severity,
)
from oxyflow.incidents.models import (
    IllegalTransition as IllegalTransition,
)
from oxyflow.registry import models as reg

logger = logging.getLogger(__name__)

COMMENT_MAX_LENGTH = 5000
# What an assignee who is not a manager may do to the incident assigned to them.
ASSIGNEE_TARGETS = frozenset({IncidentStatus.IN_PROGRESS, IncidentStatus.RESOLVED})


def now() -> datetime:
    """The clock of this module (tests replace it)."""
    return timezone.now()


# --- the scope rule ----------------------------------------------------------------------


def scope_rule(scope: scopes.Scope, edit: bool) -> Q:
    """Incidents a scope reaches: by region for regional roles (viewers read only), and,
    to read, every incident linked to a site the scope sees."""
    by_region = scopes.region_q(scope, "region__", edit=edit)
    if edit:
        return by_region
    seen_sites = reg.Site.objects.filter(scopes.site_q(scope, "", edit=False)).values("pk")
    linked = IncidentSite.objects.filter(site__in=seen_sites).values("incident_id")
    return by_region | Q(pk__in=linked)


def child_scope_rule(scope: scopes.Scope, edit: bool) -> Q:
    """Comments, events and site links follow their incident."""
    reached = Incident.objects.filter(scope_rule(scope, edit)).values("pk")
    return Q(incident__in=reached)


# --- reading -----------------------------------------------------------------------------


def _ordered(qs: models.QuerySet[Incident]) -> models.QuerySet[Incident]:
    """Active first, then most severe, then oldest: the order in which to clear them."""
    return qs.annotate(
        _active=Case(
            When(status__in=list(ACTIVE_STATUSES), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        _rank=Case(
            *[When(severity=s, then=Value(r)) for s, r in SEVERITY_RANK.items()],
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).order_by("_active", "-_rank", "opened_at", "pk")


def visible_incidents(user: Any) -> models.QuerySet[Incident]:
    """Every incident the user may see (scope rule, plus those they logged), in the
    order to clear them, with what lists and the map need loaded."""
    scope = scopes.scope_for(user)
    if scope.role is None and not scope.superuser:
        return Incident.objects.none()
    in_scope = scopes.visible(Incident.objects.all(), user).values("pk")
    qs = Incident.objects.filter(Q(pk__in=in_scope) | Q(reported_by_id=user.pk))
    return _ordered(
        qs.select_related("region", "reported_by", "assigned_to", "resolved_by")
    ).prefetch_related("site_links__site")


def get_incident(user: Any, pk: int) -> Incident:
    """One incident the user may see, else 404 (never revealing that it exists)."""
    try:
        return visible_incidents(user).get(pk=pk)
    except Incident.DoesNotExist:
        raise Http404 from None


def open_incidents(user: Any, region: reg.Region | None = None) -> models.QuerySet[Incident]:
    """Incidents the user sees that are not resolved or closed.

    ``region``: only those placed in it or below, or linked to a site in it or below;
    ``None``: all the user sees. Most severe first, then oldest.
    """
    qs = visible_incidents(user).filter(status__in=list(ACTIVE_STATUSES))
    return qs if region is None else in_region(qs, region)


def in_region(qs: models.QuerySet[Incident], region: reg.Region) -> models.QuerySet[Incident]:
    """The incidents of ``qs`` placed in ``region`` or below, or linked to a site there."""
    linked = IncidentSite.objects.filter(site__region__path__startswith=region.path)
    return qs.filter(
        Q(region__path__startswith=region.path) | Q(pk__in=linked.values("incident_id"))
    )


def incidents_for_site(
    user: Any, site: reg.Site, *, include_resolved: bool = False
) -> models.QuerySet[Incident]:
    """The incidents linked to ``site`` that the user sees; active ones unless asked."""
    qs = visible_incidents(user).filter(
        pk__in=IncidentSite.objects.filter(site_id=site.pk).values("incident_id")
    )
    if not include_resolved:
        qs = qs.filter(status__in=list(ACTIVE_STATUSES))
    return qs


def incident_location(incident: Incident) -> tuple[float, float] | None:
    """Where to draw the incident, as (latitude °, longitude °): its own coordinates,
    else its first linked site's, else ``None`` (place it by its region, or list it)."""
    if incident.latitude is not None and incident.longitude is not None:
        return float(incident.latitude), float(incident.longitude)
    for link in incident.site_links.all():
        return float(link.site.latitude), float(link.site.longitude)
    return None


def linked_sites(incident: Incident) -> list[reg.Site]:
    """The linked sites in the order they were linked."""
    return [link.site for link in incident.site_links.all()]


def format_duration(duration: timedelta | None) -> str:
    """A duration with its unit for people: "45 min", "3 h 20 min", "2 d 4 h"."""
    if duration is None:
        return "—"
    minutes = max(0, int(duration.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
    return _("%(minutes)d min") % {"minutes": mins}


# --- rights ------------------------------------------------------------------------------


def can_log(user: Any) -> bool:
    """Whether the user may log incidents at all (where is :func:`check_placement`)."""
    scope = scopes.scope_for(user)
    return scope.superuser or scope.role not in (None, Role.VIEWER)


def can_manage(user: Any, incident: Incident) -> bool:
    """Ministry and coordinators whose region holds the incident (assign, close, …)."""
    return scopes.can_edit(user, incident)


def can_comment(user: Any, incident: Incident) -> bool:
    return can_log(user) and visible_incidents(user).filter(pk=incident.pk).exists()


def _is_assignee(user: Any, incident: Incident) -> bool:
    return incident.assigned_to_id is not None and incident.assigned_to_id == user.pk


def allowed_targets(user: Any, incident: Incident) -> list[IncidentStatus]:
    """The statuses this user may move the incident to now (for buttons)."""
    legal = TRANSITIONS[IncidentStatus(incident.status)]
    if can_manage(user, incident):
        permitted = legal
    elif _is_assignee(user, incident) and can_comment(user, incident):
        permitted = legal & ASSIGNEE_TARGETS
    else:
        permitted = frozenset()
    return [s for s in IncidentStatus if s in permitted]


def placeable_regions(user: Any) -> models.QuerySet[reg.Region]:
    """Regions where the user may place an incident without linking a site there."""
    scope = scopes.scope_for(user)
    regions = reg.Region.objects.active()
    if scope.superuser:
        return regions
    if scope.role in (Role.MINISTRY, Role.COORDINATOR) and scope.region_path:
        return regions.filter(path__startswith=scope.region_path)
    if scope.role == Role.FACILITY_STAFF:
        paths = set(
            reg.Facility.objects.filter(pk__in=scope.facility_ids).values_list(
                "region__path", flat=True
            )
        )
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(path__startswith=path)
        return regions.filter(q)
    if scope.role == Role.PRODUCER_STAFF and scope.organisation_id:
        # Producers and transporters work nationally for their organisation: a tanker
        # may be held anywhere in the country.
        country = (
            reg.Organisation.objects.filter(pk=scope.organisation_id)
            .values_list("country__region__path", flat=True)
            .first()
        )
        return regions.filter(path__startswith=country) if country else regions.none()
    return regions.none()


def loggable_sites(user: Any) -> models.QuerySet[reg.Site]:
    """Sites the user may link to an incident: those it sees, not retired."""
    return scopes.visible(reg.Site.objects.active().select_related("region"), user).order_by("name")


def assignable_users(incident: Incident) -> models.QuerySet[Any]:
    """Active users who see the incident and may act on it (not viewers).

    Candidates are the users whose scope can reach it — regional roles above its region,
    staff of its linked sites and the reporter — each then checked against the scope
    layer, so the list never disagrees with what the assignee will see.
    """
    user_model = get_user_model()
    parts = incident.region.path.strip("/").split("/")
    ancestor_paths = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    site_ids = [link.site_id for link in incident.site_links.all()]
    organisations = reg.Site.objects.filter(pk__in=site_ids, organisation__isnull=False).values(
        "organisation_id"
    )
    candidates = (
        user_model.objects.filter(is_active=True)
        .filter(
            Q(
                profile__role__in=[Role.MINISTRY, Role.COORDINATOR],
                profile__region__path__in=ancestor_paths,
            )
            | Q(profile__role=Role.FACILITY_STAFF, profile__facilities__in=site_ids)
            | Q(profile__role=Role.PRODUCER_STAFF, profile__organisation__in=organisations)
            | Q(pk=incident.reported_by_id, profile__isnull=False)
        )
        .exclude(profile__role=Role.VIEWER)
        .distinct()
        .order_by("username")
    )
    keep = [u.pk for u in candidates if _may_be_assigned(u, incident)]
    return user_model.objects.filter(pk__in=keep).order_by("username")


def _may_be_assigned(user: Any, incident: Incident) -> bool:
    return (
        user.is_active and can_log(user) and visible_incidents(user).filter(pk=incident.pk).exists()
    )


def check_placement(user: Any, region: reg.Region, sites: Sequence[reg.Site]) -> None:
    """Refuse an incident placed where the user may not log one (``ValidationError``
    naming ``region``). Allowed: a region from :func:`placeable_regions`, or the region
    of one of the linked sites (a coordinator may log a fault at a supplier's plant)."""
    if region.pk in {s.region_id for s in sites}:
        return
    if placeable_regions(user).filter(pk=region.pk).exists():
        return
    raise ValidationError(
        {"region": _("You may not log an incident in region %(code)s.") % {"code": region.code}}
    )


# --- changes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentIn:
    """What a person reports. ``region`` may be left out when sites are linked: the
    first site's region is used. Coordinates in degrees (WGS 84), both or neither."""

    kind: str
    severity: str
    title: str
    description: str = ""
    region: reg.Region | None = None
    sites: Sequence[reg.Site] = field(default_factory=tuple)
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _event(
    incident: Incident,
    actor: Any,
    kind: EventKind,
    old: str,
    new: str,
    at: datetime,
    note: str = "",
) -> None:
    IncidentEvent.objects.create(
        incident=incident,
        actor=actor,
        kind=kind,
        old_value=old[:200],
        new_value=new[:200],
        at=at,
        note=note,
    )


def _username(user: Any) -> str:
    return user.get_username() if user is not None else ""


def log_incident(*, user: Any, data: IncidentIn, at: datetime | None = None) -> Incident:
    """Store a new open incident reported by ``user``.

    Raises ``PermissionDenied`` for a user who may not log (viewers, outsiders) and
    ``ValidationError`` naming the field for bad input or a place outside the user's
    reach; nothing is stored then.
    """
    if not can_log(user):
        raise PermissionDenied(_("Your role may read incidents but not log them."))
    at = at or now()
    sites = list(dict.fromkeys(data.sites))
    seen = set(
        loggable_sites(user).filter(pk__in=[s.pk for s in sites]).values_list("pk", flat=True)
    )
    for site in sites:
        if site.pk not in seen:
            raise ValidationError(
                {"sites": _("No site %(code)s in your scope.") % {"code": site.code}}
            )
    region = data.region or (sites[0].region if sites else None)
    if region is None:
        raise ValidationError(
            {"region": _("Give the region where the obstacle is, or link a site.")}
        )
    incident = Incident(
        kind=data.kind,
        severity=data.severity,
        title=data.title.strip(),
        description=data.description.strip(),
        region=region,
        latitude=data.latitude,
        longitude=data.longitude,
        reported_by=user,
        opened_at=at,
    )
    incident.full_clean()
    check_placement(user, region, sites)
    with transaction.atomic():
        incident.save()
        IncidentSite.objects.bulk_create(IncidentSite(incident=incident, site=s) for s in sites)
        _event(incident, user, EventKind.CREATED, "", IncidentStatus.OPEN, at)
    logger.info("incident %s logged by %s in %s", incident.pk, _username(user), region.code)
    return incident


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().select_related("region").get(pk=incident.pk)


def comment(
    *, user: Any, incident: Incident, text: str, at: datetime | None = None
) -> IncidentComment:
    """Add a comment; ``PermissionDenied`` for viewers, ``ValidationError`` on ``text``."""
    if not can_comment(user, incident):
        raise PermissionDenied(_("You may read this incident but not comment on it."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("A comment has at most %(limit)d characters, not %(length)d.")
                % {"limit": COMMENT_MAX_LENGTH, "length": len(text)}
            }
        )
    note = IncidentComment(incident=incident, author=user, text=text, created_at=at or now())
    note.full_clean()
    note.save()
    return note


def assign(
    *, user: Any, incident: Incident, assignee: Any | None, at: datetime | None = None
) -> Incident:
    """Give the incident to ``assignee`` (``None``: nobody). Managers only; the assignee
    must be an active user who sees the incident and is not a viewer."""
    if not can_manage(user, incident):
        raise PermissionDenied(_("Only the ministry and the region's coordinators assign."))
    if assignee is not None and not _may_be_assigned(assignee, incident):
        raise ValidationError(
            {
                "assignee": _("%(user)s cannot work on this incident: they do not see it.")
                % {"user": _username(assignee)}
            }
        )
    with transaction.atomic():
        locked = _locked(incident)
        if locked.assigned_to_id == (assignee.pk if assignee else None):
            return locked
        old = _username(locked.assigned_to)
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to"])
        _event(locked, user, EventKind.ASSIGNED, old, _username(assignee), at or now())
    return locked


def change_severity(
    *, user: Any, incident: Incident, severity: str, at: datetime | None = None
) -> Incident:
    """Re-grade the incident (managers only); ``ValidationError`` on ``severity``."""
    if not can_manage(user, incident):
        raise PermissionDenied(_("Only the ministry and the region's coordinators re-grade."))
    if severity not in Severity.values:
        raise ValidationError(
            {
                "severity": _("%(value)s is not a severity; use one of: %(choices)s.")
                % {"value": severity, "choices": ", ".join(Severity.values)}
            }
        )
    with transaction.atomic():
        locked = _locked(incident)
        if locked.severity == severity:
            return locked
        old = locked.severity
        locked.severity = severity
        locked.save(update_fields=["severity"])
        _event(locked, user, EventKind.SEVERITY, old, severity, at or now())
    return locked


def transition(
    *,
    user: Any,
    incident: Incident,
    to: str,
    resolution: str = "",
    note: str = "",
    at: datetime | None = None,
) -> Incident:
    """Move the incident to status ``to``; ``resolution`` says how it was cleared
    (required to resolve), ``note`` why otherwise (kept in the history).

    Managers may make every legal move; the assignee may start and resolve. Raises
    ``PermissionDenied`` for anyone else (or an assignee closing or reopening),
    :class:`IllegalTransition` for a move the workflow forbids, and ``ValidationError``
    naming ``resolution`` when resolving without saying how.
    """
    at = at or now()
    with transaction.atomic():
        # Rights are judged on the stored row, not on a copy the caller may hold.
        locked = _locked(incident)
        manager = can_manage(user, locked)
        if not manager and not (_is_assignee(user, locked) and can_comment(user, locked)):
            raise PermissionDenied(
                _("Only the region's coordinators, the ministry and the assignee move it.")
            )
        if (
            not manager
            and to in TRANSITIONS[IncidentStatus(locked.status)]
            and to not in ASSIGNEE_TARGETS
        ):
            raise PermissionDenied(
                _("Only the region's coordinators and the ministry close or reopen.")
            )
        old = locked.move_to(to, by=user, at=at, resolution=resolution)
        locked.save()
        if locked.status == IncidentStatus.RESOLVED:
            note = locked.resolution
        _event(locked, user, EventKind.STATUS, old, locked.status, at, note.strip())
    return locked
