from __future__ import annotations

from django.contrib import admin

from oxyflow.accounts.admin_scoping import ScopedAdmin, ScopedInline
from oxyflow.registry import models as reg


@admin.register(reg.Region)
class RegionAdmin(ScopedAdmin):
    list_display = ("code", "name", "name_local", "level", "parent", "retired_on", "successor")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_local")
    readonly_fields = ("path",)


@admin.register(reg.Country)
class CountryAdmin(ScopedAdmin):
    list_display = (
        "region",
        "iso_code",
        "time_zone",
        "weekend_days",
        "default_lox_unit",
        "lox_reference",
    )


@admin.register(reg.Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ("code", "name", "kind", "ownership", "country")
    list_filter = ("kind", "ownership")
    search_fields = ("code", "name")


class ContactInline(ScopedInline):
    model = reg.Contact


class LoxTankInline(ScopedInline):
    model = reg.LoxTank


class ConcentratorInline(ScopedInline):
    model = reg.FacilityConcentrators


class CapacityInline(ScopedInline):
    model = reg.ProducerCapacity


SITE_FIELDS = (
    "code",
    "name",
    "name_local",
    "region",
    "organisation",
    "latitude",
    "longitude",
    "address",
    "retired_on",
    "notes",
)


@admin.register(reg.Facility)
class FacilityAdmin(ScopedAdmin):
    list_display = (
        "code",
        "name",
        "facility_type",
        "region",
        "beds_total",
        "beds_oxygen",
        "beds_icu",
        "priority",
    )
    list_filter = ("facility_type", "priority")
    search_fields = ("code", "name", "name_local")
    inlines = (LoxTankInline, ConcentratorInline, ContactInline)
    fields = (
        *SITE_FIELDS,
        "facility_type",
        "beds_total",
        "beds_oxygen",
        "beds_icu",
        "priority",
        "has_cylinder_manifold",
        "manifold_cylinder_type",
        "psa_output_nm3_per_h",
    )


@admin.register(reg.Producer)
class ProducerAdmin(ScopedAdmin):
    list_display = ("code", "name", "producer_type", "ownership", "organisation", "region")
    list_filter = ("producer_type", "ownership")
    search_fields = ("code", "name")
    inlines = (CapacityInline, ContactInline)
    fields = (
        *SITE_FIELDS,
        "producer_type",
        "ownership",
        "lox_storage_kg",
        "cylinder_storage_count",
    )


@admin.register(reg.Depot)
class DepotAdmin(ScopedAdmin):
    list_display = ("code", "name", "organisation", "region")
    search_fields = ("code", "name")
    inlines = (ContactInline,)
    fields = SITE_FIELDS


@admin.register(reg.CylinderType)
class CylinderTypeAdmin(ScopedAdmin):
    list_display = (
        "code",
        "name",
        "water_capacity_l",
        "fill_pressure_bar",
        "residual_pressure_bar",
        "content",
    )

    @admin.display(description="Nm³")
    def content(self, obj: reg.CylinderType) -> str:
        return f"{obj.content_nm3():.2f} Nm³"


@admin.register(reg.Product)
class ProductAdmin(ScopedAdmin):
    list_display = ("code", "name", "kind", "unit_of_issue", "cylinder_type", "pack_size")
    list_filter = ("kind",)


class VehicleCapacityInline(ScopedInline):
    model = reg.VehicleCylinderCapacity


@admin.register(reg.Vehicle)
class VehicleAdmin(ScopedAdmin):
    list_display = ("registration", "kind", "organisation", "capacity_kg", "home_depot", "status")
    list_filter = ("kind", "status")
    search_fields = ("registration",)
    inlines = (VehicleCapacityInline,)


@admin.register(reg.SupplyContract)
class SupplyContractAdmin(ScopedAdmin):
    list_display = (
        "producer",
        "facility",
        "product",
        "agreed_quantity_per_day",
        "lead_time_hours",
        "binding",
        "requisition",
        "valid_from",
        "valid_to",
    )
    list_filter = ("binding", "requisition")
