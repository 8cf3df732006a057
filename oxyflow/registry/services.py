"""Registry changes shared by pages, API and import: scope check, full validation, audit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.registry.models import Facility, Producer, Region

M = TypeVar("M", bound=models.Model)

# Fields a site's own staff may change; placement (code, region, organisation) belongs to
# the coordinators of the region.
STAFF_EDITABLE_FACILITY_FIELDS = frozenset(
    {
        "name",
        "name_local",
        "address",
        "notes",
        "beds_total",
        "beds_oxygen",
        "beds_icu",
        "has_cylinder_manifold",
        "manifold_cylinder_type",
        "psa_output_nm3_per_h",
    }
)
STAFF_EDITABLE_PRODUCER_FIELDS = frozenset(
    {"name", "name_local", "address", "notes", "lox_storage_kg", "cylinder_storage_count"}
)


def get_visible(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """One row the user may see, else 404 (never revealing that it exists)."""
    try:
        return scopes.visible(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def get_editable(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """One row the user may change: 404 if out of sight, 403 if only readable."""
    obj = get_visible(queryset, user, **lookup)
    if not scopes.can_edit(user, obj):
        raise PermissionDenied(_("You may read this record but not change it."))
    return obj


def allowed_fields(user: Any, obj: models.Model) -> frozenset[str] | None:
    """The fields a user may change on a row; ``None`` means all of them."""
    scope = scopes.scope_for(user)
    if scope.superuser or scope.role in (scopes.Role.MINISTRY, scopes.Role.COORDINATOR):
        return None
    if isinstance(obj, Facility):
        return STAFF_EDITABLE_FACILITY_FIELDS
    if isinstance(obj, Producer):
        return STAFF_EDITABLE_PRODUCER_FIELDS
    return None


def update(user: Any, obj: M, changes: Mapping[str, Any], *, reason: str = "") -> M:
    """Apply ``changes`` to a row the user may edit; validate fully; record who and why.

    Raises ``PermissionDenied`` for a field outside the user's rights and
    ``ValidationError`` (field → message) for invalid values; nothing is saved then.
    """
    if not scopes.can_edit(user, obj):
        raise PermissionDenied(_("You may read this record but not change it."))
    allowed = allowed_fields(user, obj)
    if allowed is not None:
        refused = sorted(set(changes) - allowed)
        if refused:
            raise ValidationError({f: _("Your role may not change this field.") for f in refused})
    for field, value in changes.items():
        setattr(obj, field, value)
    _check_placement(user, obj)
    obj.full_clean()
    with transaction.atomic():
        obj._change_reason = reason or "edit"  # type: ignore[attr-defined]
        obj._history_user = user  # type: ignore[attr-defined]
        # Only the changed columns: two people editing different fields of one record at
        # the same time both keep their change.
        obj.save(update_fields=list(changes))
    return obj


def create(user: Any, obj: M, *, reason: str = "") -> M:
    """Insert a new row if the user may create it where it is placed."""
    if not scopes.can_create(user, type(obj)):
        raise PermissionDenied(_("Your role may not add this kind of record."))
    _check_placement(user, obj)
    obj.full_clean()
    with transaction.atomic():
        obj._change_reason = reason or "create"  # type: ignore[attr-defined]
        obj._history_user = user  # type: ignore[attr-defined]
        obj.save()
    return obj


def _check_placement(user: Any, obj: models.Model) -> None:
    region: Region | None = getattr(obj, "region", None) if hasattr(obj, "region_id") else None
    if isinstance(obj, Region):
        region = obj.parent
    if region is not None and not scopes.region_in_scope(user, region):
        scope = scopes.scope_for(user)
        if scope.role in (scopes.Role.MINISTRY, scopes.Role.COORDINATOR) or scope.superuser:
            raise ValidationError(
                {"region": _("Region %(code)s is outside your scope.") % {"code": region.code}}
            )
