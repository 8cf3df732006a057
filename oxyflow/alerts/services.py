"""What pages, the API and the dashboard ask of alerts; people's actions on them.

Permissions go through :mod:`oxyflow.accounts.scopes` only: an alert a user cannot see
is 404; acting on one (acknowledge, resolve) needs the right to change its site —
regional roles in scope and the site's own staff, never a viewer (403).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.accounts.models import Profile, Role
from oxyflow.alerts.escalation import LADDER_LEVELS
from oxyflow.alerts.models import ACTIVE_STATUSES, Alert, OnCallShift, Severity
from oxyflow.registry import models as reg

# Most urgent first: critical before warning, then the newest.
URGENCY = Case(
    When(severity=Severity.CRITICAL, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


def alerts_visible(user: Any, region: reg.Region | None = None) -> models.QuerySet[Alert]:
    """Every alert the user may see (any status), within ``region``'s subtree if given."""
    alerts = scopes.visible(Alert.objects.all(), user)
    if region is not None:
        alerts = alerts.filter(site__region__path__startswith=region.path)
    return alerts.select_related("site", "site__region", "acknowledged_by", "resolved_by")


def open_alerts(user: Any, region: reg.Region | None = None) -> models.QuerySet[Alert]:
    """Open and acknowledged alerts the user may see, most urgent first.

    ``region`` None: everything the user sees; else that region and below.
    """
    return (
        alerts_visible(user, region)
        .filter(status__in=ACTIVE_STATUSES)
        .annotate(urgency=URGENCY)
        .order_by("urgency", "-opened_at", "pk")
    )


def alert_counts(user: Any, region: reg.Region | None = None) -> dict[str, int]:
    """Open and acknowledged alerts by severity, every severity present (0 included)."""
    rows = (
        open_alerts(user, region)
        .order_by()
        .values("severity")
        .annotate(n=Count("pk", distinct=True))
    )
    found = {row["severity"]: row["n"] for row in rows}
    return {severity: found.get(severity, 0) for severity in Severity.values}


def can_act(user: Any, alert: Alert) -> bool:
    """Whether the user may acknowledge or resolve ``alert``."""
    return scopes.editable(Alert.objects.filter(pk=alert.pk), user).exists()


def _actionable(user: Any, alert_id: int) -> Alert:
    alert = scopes.visible(Alert.objects.filter(pk=alert_id), user).first()
    if alert is None:
        raise Http404
    if not can_act(user, alert):
        raise PermissionDenied(_("You may see this alert but not act on it."))
    # Lock the row: the engine may be escalating or resolving it at this moment.
    return Alert.objects.select_for_update().select_related("site").get(pk=alert_id)


def acknowledge(*, alert_id: int, user: Any, now: datetime) -> Alert:
    """Acknowledge an alert on the user's behalf; it stops escalating.

    Raises
    ------
    Http404
        If the user cannot see the alert.
    PermissionDenied
        If the user may see it but not act on it.
    AlertTransitionError
        If the alert is not open.
    """
    with transaction.atomic():
        alert = _actionable(user, alert_id)
        alert.acknowledge(user=user, now=now)
    return alert


def resolve(*, alert_id: int, user: Any, now: datetime, note: str = "") -> Alert:
    """Resolve an alert on the user's behalf (raises as :func:`acknowledge`).

    The engine opens a new alert at its next evaluation if the condition still holds.
    """
    with transaction.atomic():
        alert = _actionable(user, alert_id)
        alert.resolve(user=user, now=now, note=note.strip() or _("Resolved by hand."))
    return alert


# ------------------------------------------------------------------------- the roster


def roster_regions(user: Any) -> models.QuerySet[reg.Region]:
    """Regions whose on-call roster the user manages: a coordinator's or the ministry's
    region and the districts and provinces below it."""
    scope = scopes.scope_for(user)
    regions = reg.Region.objects.active().filter(level__in=LADDER_LEVELS)
    if scope.superuser:
        return regions
    if scope.role not in (Role.MINISTRY, Role.COORDINATOR) or not scope.region_path:
        return reg.Region.objects.none()
    return regions.filter(path__startswith=scope.region_path)


def roster_people(user: Any) -> models.QuerySet[Any]:
    """Users who may be put on duty by this manager: the users it manages, and itself."""
    from django.contrib.auth import get_user_model

    managed = scopes.visible(Profile.objects.all(), user).values("user_id")
    return (
        get_user_model()
        .objects.filter(models.Q(pk__in=managed) | models.Q(pk=user.pk), is_active=True)
        .order_by("username")
    )


def shifts_visible(user: Any) -> models.QuerySet[OnCallShift]:
    return scopes.visible(OnCallShift.objects.all(), user).select_related("region", "user")


def can_manage_roster(user: Any, region: reg.Region) -> bool:
    return roster_regions(user).filter(pk=region.pk).exists()


def sees_recipients(user: Any, alert: Alert) -> bool:
    """Whether the user may read who was messaged (email addresses, phone numbers): the
    ministry and coordinators over the alert's site; others see channel and status."""
    scope = scopes.scope_for(user)
    if scope.superuser:
        return True
    return bool(
        scope.role in (Role.MINISTRY, Role.COORDINATOR)
        and scope.region_path
        and alert.site.region.path.startswith(scope.region_path)
    )


def add_shift(
    *,
    user: Any,
    region: reg.Region,
    person: Any,
    starts_at: datetime,
    ends_at: datetime,
    phone: str = "",
    note: str = "",
) -> OnCallShift:
    """Put ``person`` on duty for ``region`` (validated; raises ValidationError).

    Raises
    ------
    Http404
        If the region is not one the user manages.
    PermissionDenied
        If the person is not one the user may put on duty.
    """
    if not can_manage_roster(user, region):
        raise Http404
    if not roster_people(user).filter(pk=person.pk).exists():
        raise PermissionDenied(_("You may not put this person on duty."))
    shift = OnCallShift(
        region=region,
        user=person,
        starts_at=starts_at,
        ends_at=ends_at,
        phone=phone.strip(),
        note=note.strip(),
        created_by=user,
    )
    shift.full_clean()
    shift.save()
    return shift


def remove_shift(*, user: Any, shift_id: int) -> None:
    """Take a shift off the roster (404 if not visible, 403 if not managed)."""
    shift = shifts_visible(user).filter(pk=shift_id).first()
    if shift is None:
        raise Http404
    if not can_manage_roster(user, shift.region):
        raise PermissionDenied(_("You may see this roster but not change it."))
    shift.delete()
