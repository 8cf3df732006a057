"""Admin classes that answer every permission question through the scope layer."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import Http404, HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from oxyflow.accounts import scopes


class ScopedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Lists, opens and changes only what the user's scope allows; nothing is deleted
    from the admin except by a superuser (sites and regions are retired instead)."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return scopes.visible(super().get_queryset(request), request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        scope = scopes.scope_for(request.user)
        return scope.superuser or scope.role is not None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.has_module_permission(request):
            return False
        return obj is None or scopes.can_view(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return scopes.editable(self.model._default_manager.all(), request.user).exists()
        return scopes.can_edit(request.user, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return scopes.can_create(request.user, self.model)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            from oxyflow.registry.services import allowed_fields

            allowed = allowed_fields(request.user, obj)
            if allowed is not None:
                # Site staff keep their own figures; placement stays with coordinators.
                readonly += [
                    f.name
                    for f in obj._meta.concrete_fields
                    if f.editable and f.name not in allowed and f.name not in readonly
                ]
        return readonly

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.remote_field.model
        if scopes.is_scoped(related):
            kwargs["queryset"] = scopes.visible(related._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from django.core.exceptions import PermissionDenied

        from oxyflow.registry.services import allowed_fields, check_placement

        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is None or not scopes.can_edit(request.user, stored):
                raise PermissionDenied
            allowed = allowed_fields(request.user, stored)
            if allowed is not None:
                # Whatever the form (a change page or a history revert), fields outside
                # the user's rights keep their stored values.
                for field in obj._meta.concrete_fields:
                    if field.name not in allowed and not field.primary_key:
                        setattr(obj, field.attname, getattr(stored, field.attname))
        check_placement(request.user, obj)
        super().save_model(request, obj, form, change)


class ScopedAdmin(ScopedModelAdmin, SimpleHistoryAdmin):  # type: ignore[misc]
    """A scoped admin with the change history (simple_history); only superusers revert."""

    def _in_scope_or_404(self, request: HttpRequest, object_id: str) -> None:
        # simple_history's pages answer 403 for an object that exists but 404 for one
        # that does not, which would reveal out-of-scope objects.
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return not getattr(request.user, "is_superuser", False)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        from django.core.exceptions import PermissionDenied

        self._in_scope_or_404(request, object_id)
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or scopes.can_edit(request.user, obj)

    has_add_permission = has_change_permission  # type: ignore[assignment]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and scopes.can_edit(request.user, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or scopes.can_view(request.user, obj)
