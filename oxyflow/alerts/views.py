"""Alert pages: the list with its actions, an alert's history, the on-call roster.

Permissions go through :mod:`oxyflow.alerts.services` (and so the scope layer): an
alert out of sight is 404; acting on one needs the right to change its site (403 for a
viewer); the roster belongs to coordinators and the ministry.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oxyflow.accounts import scopes
from oxyflow.alerts import forms, services
from oxyflow.alerts.forms import AlertFilterForm, ShiftForm
from oxyflow.alerts.models import ACTIVE_STATUSES, AlertTransitionError, EventKind, Notification

LIST_LIMIT = 200


def _require_scope(request: HttpRequest) -> None:
    scope = scopes.scope_for(request.user)
    if scope.role is None and not scope.superuser:
        raise Http404


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    _require_scope(request)
    form = AlertFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    alerts = services.alerts_visible(request.user).annotate(urgency=services.URGENCY)
    status = filters.get("status") or "active"
    if status == "active":
        alerts = alerts.filter(status__in=ACTIVE_STATUSES)
    elif status != "all":
        alerts = alerts.filter(status=status)
    if filters.get("severity"):
        alerts = alerts.filter(severity=filters["severity"])
    if filters.get("kind"):
        alerts = alerts.filter(kind=filters["kind"])
    rows = list(alerts.order_by("urgency", "-opened_at", "pk")[:LIST_LIMIT])
    actionable = set(
        scopes.editable(
            services.alerts_visible(request.user).filter(pk__in=[a.pk for a in rows]),
            request.user,
        ).values_list("pk", flat=True)
    )
    context: dict[str, Any] = {
        "form": form,
        "rows": [(alert, alert.pk in actionable) for alert in rows],
        "limit": LIST_LIMIT,
        "counts": services.alert_counts(request.user),
    }
    return render(request, "alerts/list.html", context)


@login_required
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    _require_scope(request)
    alert = services.alerts_visible(request.user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    context = {
        "alert": alert,
        "can_act": services.can_act(request.user, alert),
        "events": alert.events.select_related("by").exclude(kind=EventKind.NOTIFIED),
        "notifications": Notification.objects.filter(alert=alert).order_by("created_at", "pk"),
        "show_recipients": services.sees_recipients(request.user, alert),
    }
    return render(request, "alerts/detail.html", context)


def _back(request: HttpRequest, alert_id: int) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("alerts:detail", alert_id)


@login_required
@require_POST
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alert = services.acknowledge(alert_id=alert_id, user=request.user, now=timezone.now())
    except AlertTransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Acknowledged: %(what)s") % {"what": alert.describe()})
    return _back(request, alert_id)


@login_required
@require_POST
def resolve(request: HttpRequest, alert_id: int) -> HttpResponse:
    note = request.POST.get("note", "")[:2000].replace("\x00", "")
    try:
        alert = services.resolve(
            alert_id=alert_id, user=request.user, now=timezone.now(), note=note
        )
    except AlertTransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Resolved: %(what)s") % {"what": alert.describe()})
    return _back(request, alert_id)


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    _require_scope(request)
    regions = services.roster_regions(request.user)
    can_manage = regions.exists()
    form = ShiftForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("You may see this roster but not change it."))
        if form.is_valid():
            data = form.cleaned_data
            services.add_shift(
                user=request.user,
                region=data["region"],
                person=data["person"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                phone=data["phone"],
                note=data["note"],
            )
            messages.success(request, _("Shift added."))
            return redirect("alerts:roster")
    now = timezone.now()
    shifts = services.shifts_visible(request.user).filter(ends_at__gt=now)
    managed = set(regions.values_list("pk", flat=True))
    context = {
        "form": form,
        "can_manage": can_manage,
        "now": now,
        "shifts": [
            (shift, shift.region_id in managed, forms.region_time_zone(shift.region))
            for shift in shifts.select_related("region")
        ],
    }
    return render(request, "alerts/roster.html", context)


@login_required
@require_POST
def remove_shift(request: HttpRequest, shift_id: int) -> HttpResponse:
    services.remove_shift(user=request.user, shift_id=shift_id)
    messages.success(request, _("Shift removed."))
    return redirect("alerts:roster")
