"""Incident pages: the list, logging one, and one incident with its comments, history
and the actions the user may take. Rules and rights are in :mod:`.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oxyflow.accounts import scopes
from oxyflow.incidents import forms, services
from oxyflow.incidents.models import (
    ACTIVE_STATUSES,
    IllegalTransition,
    Incident,
    IncidentKind,
    IncidentStatus,
    Severity,
)
from oxyflow.registry import models as reg

PAGE_SIZE = 50
ACTIVE = "active"


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    qs = services.visible_incidents(request.user)
    status = request.GET.get("status", "")
    if status == ACTIVE:
        qs = qs.filter(status__in=list(ACTIVE_STATUSES))
    elif status in IncidentStatus.values:
        qs = qs.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in IncidentKind.values:
        qs = qs.filter(kind=kind)
    severity = request.GET.get("severity", "")
    if severity in Severity.values:
        qs = qs.filter(severity=severity)
    regions = scopes.visible(reg.Region.objects.active(), request.user).exclude(
        level=reg.RegionLevel.COMMUNE
    )
    region_code = request.GET.get("region", "")
    if region_code:
        root = regions.filter(code=region_code).first()
        if root is not None:
            qs = services.in_region(qs, root)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = services.now()
    rows = [
        {
            "incident": incident,
            "sites": services.linked_sites(incident),
            "time_open": services.format_duration(incident.time_open(now)),
        }
        for incident in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/list.html",
        {
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "statuses": [(ACTIVE, _("Open or in progress")), *IncidentStatus.choices],
            "kinds": IncidentKind.choices,
            "severities": Severity.choices,
            "regions": regions,
            "status": status,
            "kind": kind,
            "severity": severity,
            "region_code": region_code,
            "can_log": services.can_log(request.user),
        },
    )


@login_required
def incident_new(request: HttpRequest) -> HttpResponse:
    if not services.can_log(request.user):
        raise PermissionDenied(_("Your role may read incidents but not log them."))
    initial: dict[str, Any] = {}
    site_code = request.GET.get("site", "")
    if site_code:
        site = services.loggable_sites(request.user).filter(code=site_code).first()
        if site is not None:
            initial["sites"] = [site.pk]
    form = forms.IncidentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.log_incident(user=request.user, data=form.incident_in())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Incident #%(id)s logged.") % {"id": incident.pk})
            return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/form.html", {"form": form})


def _detail(request: HttpRequest, incident: Incident, **bound: Any) -> HttpResponse:
    user = request.user
    manager = services.can_manage(user, incident)
    targets = services.allowed_targets(user, incident)
    context: dict[str, Any] = {
        "incident": incident,
        "sites": services.linked_sites(incident),
        "location": services.incident_location(incident),
        "comments": incident.comments.select_related("author"),
        "events": incident.events.select_related("actor"),
        "time_open": services.format_duration(incident.time_open(services.now())),
        "time_to_resolution": services.format_duration(incident.time_to_resolution),
        "can_comment": services.can_comment(user, incident),
        "can_manage": manager,
        "targets": targets,
        "comment_form": bound.get("comment_form") or forms.CommentForm(),
        "transition_form": bound.get("transition_form") or forms.TransitionForm(),
    }
    if manager:
        context["assign_form"] = bound.get("assign_form") or forms.AssignForm(incident=incident)
        context["severity_form"] = bound.get("severity_form") or forms.SeverityForm(
            initial={"severity": incident.severity}
        )
    return render(request, "incidents/detail.html", context)


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, services.get_incident(request.user, pk))


@login_required
@require_POST
def incident_comment(request: HttpRequest, pk: int) -> HttpResponse:
    incident = services.get_incident(request.user, pk)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment(user=request.user, incident=incident, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", exc.message_dict.get("text", exc.messages))
        else:
            messages.success(request, _("Comment added."))
            return redirect("incidents:detail", pk=pk)
    elif not services.can_comment(request.user, incident):
        raise PermissionDenied(_("You may read this incident but not comment on it."))
    return _detail(request, incident, comment_form=form)


@login_required
@require_POST
def incident_assign(request: HttpRequest, pk: int) -> HttpResponse:
    incident = services.get_incident(request.user, pk)
    if not services.can_manage(request.user, incident):
        raise PermissionDenied(_("Only the ministry and the region's coordinators assign."))
    form = forms.AssignForm(request.POST, incident=incident)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            services.assign(user=request.user, incident=incident, assignee=assignee)
        except ValidationError as exc:
            form.add_error("assignee", exc.message_dict.get("assignee", exc.messages))
        else:
            if assignee is None:
                messages.success(request, _("The incident is assigned to nobody."))
            else:
                messages.success(
                    request,
                    _("The incident is assigned to %(user)s.") % {"user": assignee.get_username()},
                )
            return redirect("incidents:detail", pk=pk)
    return _detail(request, incident, assign_form=form)


@login_required
@require_POST
def incident_severity(request: HttpRequest, pk: int) -> HttpResponse:
    incident = services.get_incident(request.user, pk)
    if not services.can_manage(request.user, incident):
        raise PermissionDenied(_("Only the ministry and the region's coordinators re-grade."))
    form = forms.SeverityForm(request.POST)
    if form.is_valid():
        services.change_severity(
            user=request.user, incident=incident, severity=form.cleaned_data["severity"]
        )
        messages.success(request, _("Severity changed."))
        return redirect("incidents:detail", pk=pk)
    return _detail(request, incident, severity_form=form)


@login_required
@require_POST
def incident_transition(request: HttpRequest, pk: int) -> HttpResponse:
    incident = services.get_incident(request.user, pk)
    form = forms.TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.transition(
                user=request.user,
                incident=incident,
                to=data["status"],
                resolution=data["resolution"],
                note=data["note"],
            )
        except IllegalTransition as exc:
            form.add_error("status", str(exc))
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Incident #%(id)s is now %(status)s.")
                % {"id": changed.pk, "status": changed.get_status_display()},
            )
            return redirect("incidents:detail", pk=pk)
    return _detail(request, incident, transition_form=form)
