"""Registry endpoints under /api/v1/: regions, sites, products, fleet, contracts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import StrictBool, StrictFloat, StrictInt

from oxyflow.accounts import scopes
from oxyflow.api import ErrorOut, InputSchema
from oxyflow.registry import models as reg
from oxyflow.registry import services

router = Router(tags=["registry"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class RegionOut(Schema):
    code: str
    name: str
    name_local: str
    level: str
    parent: str | None = Field(None, alias="parent.code")
    latitude_deg: Decimal | None = Field(None, alias="latitude")
    longitude_deg: Decimal | None = Field(None, alias="longitude")
    population: int | None
    retired_on: date | None
    successor: str | None = Field(None, alias="successor.code")


class RegionFilter(Schema):
    level: reg.RegionLevel | None = None
    within: str | None = Field(None, description="Code of a region: only it and its subtree.")
    include_retired: bool = False


@router.get(
    "/regions", response={200: list[RegionOut], **READ_ERRORS}, summary="Regions in your scope"
)
def list_regions(request: HttpRequest, filters: Query[RegionFilter]) -> Any:
    qs = scopes.visible(reg.Region.objects.select_related("parent", "successor"), request.user)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.within:
        root = services.get_visible(reg.Region.objects.all(), request.user, code=filters.within)
        qs = qs.filter(path__startswith=root.path)
    if not filters.include_retired:
        qs = qs.filter(retired_on__isnull=True)
    return list(qs)


@router.get("/regions/{code}", response={200: RegionOut, **READ_ERRORS})
def get_region(request: HttpRequest, code: str) -> Any:
    return services.get_visible(
        reg.Region.objects.select_related("parent", "successor"), request.user, code=code
    )


class SiteOut(Schema):
    code: str
    name: str
    name_local: str
    kind: str
    region: str = Field(..., alias="region.code")
    organisation: str | None = Field(None, alias="organisation.code")
    latitude_deg: Decimal = Field(..., alias="latitude")
    longitude_deg: Decimal = Field(..., alias="longitude")
    address: str
    retired_on: date | None


class SiteFilter(Schema):
    kind: reg.SiteKind | None = None
    region: str | None = Field(None, description="Code of a region: sites in it and below.")
    q: str | None = Field(None, description="Text in the name or code.")
    include_retired: bool = False


@router.get("/sites", response={200: list[SiteOut], **READ_ERRORS}, summary="Sites in your scope")
def list_sites(request: HttpRequest, filters: Query[SiteFilter]) -> Any:
    qs = scopes.visible(reg.Site.objects.select_related("region", "organisation"), request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.region:
        root = services.get_visible(reg.Region.objects.all(), request.user, code=filters.region)
        qs = qs.filter(region__path__startswith=root.path)
    if filters.q:
        from django.db.models import Q

        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    if not filters.include_retired:
        qs = qs.filter(retired_on__isnull=True)
    return list(qs)


class LoxTankOut(Schema):
    name: str
    capacity_liquid_l: Decimal
    safety_level_pct: Decimal
    capacity_kg: float


class ConcentratorsOut(Schema):
    flow_l_per_min: Decimal
    count: int


class ContactOut(Schema):
    name: str
    role: str
    phone: str
    email: str


class FacilityOut(SiteOut):
    facility_type: str
    beds_total: int
    beds_oxygen: int
    beds_icu: int
    priority: int
    has_cylinder_manifold: bool
    manifold_cylinder_type: str | None = Field(None, alias="manifold_cylinder_type.code")
    psa_output_nm3_per_h: Decimal
    lox_tanks: list[LoxTankOut]
    concentrators: list[ConcentratorsOut]
    contacts: list[ContactOut]

    @staticmethod
    def resolve_lox_tanks(obj: reg.Facility) -> list[dict[str, Any]]:
        return [
            {
                "name": t.name,
                "capacity_liquid_l": t.capacity_liquid_l,
                "safety_level_pct": t.safety_level_pct,
                "capacity_kg": round(t.capacity_kg(), 1),
            }
            for t in obj.lox_tanks.all()
        ]

    @staticmethod
    def resolve_concentrators(obj: reg.Facility) -> list[Any]:
        return list(obj.concentrators.all())

    @staticmethod
    def resolve_contacts(obj: reg.Facility) -> list[Any]:
        return list(obj.contacts.all())


def _facilities() -> Any:
    return reg.Facility.objects.select_related(
        "region", "organisation", "manifold_cylinder_type"
    ).prefetch_related("lox_tanks", "concentrators", "contacts")


@router.get("/facilities/{code}", response={200: FacilityOut, **READ_ERRORS})
def get_facility(request: HttpRequest, code: str) -> Any:
    return services.get_visible(_facilities(), request.user, code=code)


class FacilityIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=200)
    name_local: str = Field("", max_length=200)
    region: str = Field(..., description="Code of the region (district or commune) it sits in.")
    facility_type: reg.FacilityType
    latitude_deg: StrictFloat = Field(..., ge=-90, le=90)
    longitude_deg: StrictFloat = Field(..., ge=-180, le=180)
    address: str = Field("", max_length=300)
    beds_total: StrictInt = Field(0, ge=0, le=100_000)
    beds_oxygen: StrictInt = Field(0, ge=0, le=100_000)
    beds_icu: StrictInt = Field(0, ge=0, le=100_000)
    priority: StrictInt = Field(3, ge=1, le=3)
    psa_output_nm3_per_h: StrictFloat = Field(0, ge=0, le=1000)


# Optional but not nullable: leaving a field out keeps it; null is refused by the schema.
class FacilityPatch(InputSchema):
    name: str = Field(None, min_length=1, max_length=200)
    name_local: str = Field(None, max_length=200)
    address: str = Field(None, max_length=300)
    notes: str = Field(None, max_length=5000)
    facility_type: reg.FacilityType = None  # type: ignore[assignment]
    beds_total: StrictInt = Field(None, ge=0, le=100_000)
    beds_oxygen: StrictInt = Field(None, ge=0, le=100_000)
    beds_icu: StrictInt = Field(None, ge=0, le=100_000)
    priority: StrictInt = Field(None, ge=1, le=3)
    has_cylinder_manifold: StrictBool = None  # type: ignore[assignment]
    psa_output_nm3_per_h: StrictFloat = Field(None, ge=0, le=1000)
    reason: str = Field(
        "", max_length=100, description="Why the change was made (kept in the audit trail)."
    )


def _decimals(data: dict[str, Any]) -> dict[str, Any]:
    """Model decimal fields take Decimal; JSON numbers arrive as float."""
    return {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in data.items()}


@router.post("/facilities", response={201: FacilityOut, **ERRORS}, summary="Register a facility")
def create_facility(
    request: HttpRequest,
    payload: FacilityIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    from django.core.exceptions import PermissionDenied, ValidationError

    if not scopes.can_create(request.user, reg.Facility):
        raise PermissionDenied("Your role may not add facilities.")
    data = payload.dict()
    region_code = data.pop("region")
    region = reg.Region.objects.filter(code=region_code).first()
    if region is None or not scopes.can_view(request.user, region):
        raise ValidationError({"region": f"Unknown region code {region_code!r}."})
    if reg.Site.objects.filter(code=data["code"]).exists():
        raise ValidationError({"code": f"The site code {data['code']!r} is already taken."})
    data["latitude"] = data.pop("latitude_deg")
    data["longitude"] = data.pop("longitude_deg")
    facility = services.create(
        request.user, reg.Facility(region=region, **_decimals(data)), reason="api"
    )
    return Status(201, services.get_visible(_facilities(), request.user, pk=facility.pk))


@router.patch(
    "/facilities/{code}", response={200: FacilityOut, **ERRORS}, summary="Change a facility"
)
def update_facility(request: HttpRequest, code: str, payload: FacilityPatch) -> Any:
    facility = services.get_editable(reg.Facility.objects.all(), request.user, code=code)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    services.update(request.user, facility, _decimals(changes), reason=reason or "api")
    return services.get_visible(_facilities(), request.user, pk=facility.pk)


class CapacityOut(Schema):
    product: str = Field(..., alias="product.code")
    capacity_per_day: Decimal
    unit: str = Field(..., alias="product.unit_of_issue")


class ProducerOut(SiteOut):
    producer_type: str
    ownership: str
    lox_storage_kg: Decimal
    cylinder_storage_count: int
    capacities: list[CapacityOut]
    contacts: list[ContactOut]

    @staticmethod
    def resolve_capacities(obj: reg.Producer) -> list[Any]:
        return list(obj.capacities.all())

    @staticmethod
    def resolve_contacts(obj: reg.Producer) -> list[Any]:
        return list(obj.contacts.all())


@router.get("/producers/{code}", response={200: ProducerOut, **READ_ERRORS})
def get_producer(request: HttpRequest, code: str) -> Any:
    qs = reg.Producer.objects.select_related("region", "organisation").prefetch_related(
        "capacities__product", "contacts"
    )
    return services.get_visible(qs, request.user, code=code)


class CylinderTypeOut(Schema):
    code: str
    name: str
    water_capacity_l: Decimal
    fill_pressure_bar: Decimal
    residual_pressure_bar: Decimal
    content_nm3: float

    @staticmethod
    def resolve_content_nm3(obj: reg.CylinderType) -> float:
        return round(obj.content_nm3(), 2)


@router.get("/cylinder-types", response={200: list[CylinderTypeOut], **READ_ERRORS})
def list_cylinder_types(request: HttpRequest) -> Any:
    return list(scopes.visible(reg.CylinderType.objects.all(), request.user))


class ProductOut(Schema):
    code: str
    name: str
    kind: str
    unit_of_issue: str
    cylinder_type: str | None = Field(None, alias="cylinder_type.code")
    concentrator_flow_l_per_min: Decimal | None
    pack_size: int


@router.get("/products", response={200: list[ProductOut], **READ_ERRORS})
def list_products(request: HttpRequest) -> Any:
    return list(scopes.visible(reg.Product.objects.select_related("cylinder_type"), request.user))


class VehicleCapacityOut(Schema):
    cylinder_type: str = Field(..., alias="cylinder_type.code")
    count: int


class VehicleOut(Schema):
    registration: str
    organisation: str = Field(..., alias="organisation.code")
    kind: str
    capacity_kg: Decimal | None
    home_depot: str = Field(..., alias="home_depot.code")
    status: str
    cylinder_capacities: list[VehicleCapacityOut]

    @staticmethod
    def resolve_cylinder_capacities(obj: reg.Vehicle) -> list[Any]:
        return list(obj.cylinder_capacities.all())


@router.get("/vehicles", response={200: list[VehicleOut], **READ_ERRORS})
def list_vehicles(request: HttpRequest) -> Any:
    qs = reg.Vehicle.objects.select_related("organisation", "home_depot").prefetch_related(
        "cylinder_capacities__cylinder_type"
    )
    return list(scopes.visible(qs, request.user))


class ContractOut(Schema):
    producer: str = Field(..., alias="producer.code")
    facility: str = Field(..., alias="facility.code")
    product: str = Field(..., alias="product.code")
    agreed_quantity_per_day: Decimal
    unit: str = Field(..., alias="product.unit_of_issue")
    lead_time_hours: int
    binding: bool
    requisition: bool
    valid_from: date
    valid_to: date | None


@router.get("/contracts", response={200: list[ContractOut], **READ_ERRORS})
def list_contracts(request: HttpRequest) -> Any:
    qs = reg.SupplyContract.objects.select_related("producer", "facility", "product")
    return list(scopes.visible(qs, request.user))
