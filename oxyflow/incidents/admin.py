"""Incidents in the admin are read-only: changes go through the pages and the API, so
every one of them is kept in the incident's history with who and when."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from oxyflow.accounts.admin_scoping import ScopedModelAdmin
from oxyflow.incidents import models as inc
from oxyflow.incidents import services


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SiteInline(ReadOnlyInline):
    model = inc.IncidentSite


class CommentInline(ReadOnlyInline):
    model = inc.IncidentComment


class EventInline(ReadOnlyInline):
    model = inc.IncidentEvent


@admin.register(inc.Incident)
class IncidentAdmin(ScopedModelAdmin):
    list_display = (
        "pk",
        "title",
        "kind",
        "severity",
        "status",
        "region",
        "assigned_to",
        "opened_at",
        "resolved_at",
    )
    list_filter = ("status", "kind", "severity")
    search_fields = ("title", "description", "region__code", "region__name")
    inlines = (SiteInline, CommentInline, EventInline)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        # The pages' rule, so the reporter also finds what they logged.
        return inc.Incident.objects.filter(
            pk__in=services.visible_incidents(request.user).values("pk")
        ).select_related("region", "assigned_to")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.has_module_permission(request):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
