from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from oxyflow.accounts.admin_scoping import ScopedModelAdmin
from oxyflow.accounts.models import ApiToken, Profile


@admin.register(Profile)
class ProfileAdmin(ScopedModelAdmin):
    """Managers read profiles here; they invite and deactivate on the Users pages, whose
    form checks that every part of the new scope lies within their own. Only superusers
    change profiles in the admin."""

    list_display = ("user", "role", "region", "organisation")
    list_filter = ("role",)
    filter_horizontal = ("facilities",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Superusers only: role users hold no Django model permissions for it."""

    list_display = ("name", "user", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "hint", "created_at", "last_used_at")
