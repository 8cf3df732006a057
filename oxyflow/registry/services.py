"""Registry changes shared by pages, API and import: scope check, full validation, audit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.core import network
from oxyflow.registry import models as reg

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
STAFF_EDITABLE_DEPOT_FIELDS = frozenset({"name", "name_local", "address", "notes"})
# The history keeps a reason of at most this many characters.
REASON_MAX_LENGTH = 100


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
    if isinstance(obj, reg.Facility):
        return STAFF_EDITABLE_FACILITY_FIELDS
    if isinstance(obj, reg.Producer):
        return STAFF_EDITABLE_PRODUCER_FIELDS
    if isinstance(obj, reg.Depot):
        return STAFF_EDITABLE_DEPOT_FIELDS
    if isinstance(obj, reg.Vehicle):
        # A vehicle stays with its organisation; the rest is the transporter's to keep.
        return frozenset(f.name for f in reg.Vehicle._meta.concrete_fields) - {"id", "organisation"}
    return frozenset()


def check_reason(reason: str) -> str:
    if "\x00" in reason:
        raise ValidationError(
            {"reason": _("The text contains a NUL character, which is not allowed.")}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason to %(max)s characters.") % {"max": REASON_MAX_LENGTH}}
        )
    return reason


def update(user: Any, obj: M, changes: Mapping[str, Any], *, reason: str = "") -> M:
    """Apply ``changes`` to a row the user may edit; validate fully; record who and why.

    The row is re-read and locked inside the transaction, so the rules are checked against
    what is stored now, not against a copy another user has changed since. Raises
    ``PermissionDenied`` for a row outside the user's rights and ``ValidationError``
    (field → message) for a refused field or an invalid value; nothing is saved then.
    Returns the saved row.
    """
    check_reason(reason)
    if not scopes.can_edit(user, obj):
        raise PermissionDenied(_("You may read this record but not change it."))
    allowed = allowed_fields(user, obj)
    if allowed is not None:
        refused = sorted(set(changes) - allowed)
        if refused:
            raise ValidationError({f: _("Your role may not change this field.") for f in refused})
    with transaction.atomic():
        current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        for field, value in changes.items():
            setattr(current, field, value)
        check_placement(user, current)
        current.full_clean()
        current._change_reason = reason or "edit"  # type: ignore[attr-defined]
        current._history_user = user  # type: ignore[attr-defined]
        # Only the changed columns: two people editing different fields of one record at
        # the same time both keep their change.
        current.save(update_fields=list(changes))
    return current


def create(user: Any, obj: M, *, reason: str = "") -> M:
    """Insert a new row if the user may create it where it is placed."""
    check_reason(reason)
    if not scopes.can_create(user, type(obj)):
        raise PermissionDenied(_("Your role may not add this kind of record."))
    check_placement(user, obj)
    obj.full_clean()
    with transaction.atomic():
        obj._change_reason = reason or "create"  # type: ignore[attr-defined]
        obj._history_user = user  # type: ignore[attr-defined]
        obj.save()
    return obj


def check_placement(user: Any, obj: models.Model) -> None:
    region: reg.Region | None = getattr(obj, "region", None) if hasattr(obj, "region_id") else None
    if isinstance(obj, reg.Region):
        region = obj.parent
    if region is not None and not scopes.region_in_scope(user, region):
        scope = scopes.scope_for(user)
        if scope.role in (scopes.Role.MINISTRY, scopes.Role.COORDINATOR) or scope.superuser:
            raise ValidationError(
                {"region": _("Region %(code)s is outside your scope.") % {"code": region.code}}
            )


# --- registry rows → core values ---------------------------------------------------------


def core_location(site: reg.Site) -> network.Location:
    return network.Location(float(site.latitude), float(site.longitude))


def core_facility(facility: reg.Facility) -> network.Facility:
    """The facility as the core's demand, autonomy and planning code sees it."""
    tanks = tuple(
        network.LoxTank(
            capacity_kg=tank.capacity_kg(),
            safety_level_kg=tank.capacity_kg() * float(tank.safety_level_pct) / 100,
        )
        for tank in facility.lox_tanks.all()
    )
    flows = tuple(
        float(group.flow_l_per_min)
        for group in facility.concentrators.all()
        for _ in range(group.count)
    )
    cylinder_types = (
        (facility.manifold_cylinder_type.code,) if facility.manifold_cylinder_type_id else ()
    )
    return network.Facility(
        code=facility.code,
        location=core_location(facility),
        priority=facility.priority,
        beds_oxygen=facility.beds_oxygen,
        beds_icu=facility.beds_icu,
        lox_tanks=tanks,
        psa_output_nm3_per_h=float(facility.psa_output_nm3_per_h),
        concentrator_flows_l_per_min=flows,
        cylinder_types=cylinder_types,
    )


def core_producer(producer: reg.Producer) -> network.Producer:
    return network.Producer(
        code=producer.code,
        location=core_location(producer),
        capacity_per_day={
            c.product.code: float(c.capacity_per_day)
            for c in producer.capacities.select_related("product")
        },
        lox_storage_kg=float(producer.lox_storage_kg),
    )


def core_vehicle(vehicle: reg.Vehicle) -> network.Vehicle:
    return network.Vehicle(
        registration=vehicle.registration,
        home=core_location(vehicle.home_depot),
        lox_capacity_kg=float(vehicle.capacity_kg or 0),
        cylinder_capacity={
            c.cylinder_type.code: c.count
            for c in vehicle.cylinder_capacities.select_related("cylinder_type")
        },
    )


def core_supply_link(contract: reg.SupplyContract) -> network.SupplyLink:
    return network.SupplyLink(
        producer=contract.producer.code,
        facility=contract.facility.code,
        product=contract.product.code,
        agreed_quantity_per_day=float(contract.agreed_quantity_per_day),
        lead_time_hours=float(contract.lead_time_hours),
        binding=contract.binding,
        valid_from=contract.valid_from,
        valid_to=contract.valid_to,
    )
