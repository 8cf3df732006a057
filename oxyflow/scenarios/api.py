"""Demand, autonomy, projection and scenario endpoints: the core engine over HTTP.

These compute; they store nothing. Inputs are validated twice: by the schema (types,
bounds) and by the core (domain rules), whose typed errors become the same 422 shape.
Every endpoint needs a role: an account without one gets 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import StrictBool, StrictFloat, StrictInt

from oxyflow.accounts import scopes
from oxyflow.api import ErrorOut, InputSchema, Instant
from oxyflow.core import autonomy, demand, projection, units
from oxyflow.core.contingency import DEFAULT_HORIZON_DAYS
from oxyflow.registry import models as reg
from oxyflow.registry import services as registry_services
from oxyflow.scenarios import contingency, services

router = Router(tags=["demand and scenarios"])


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _require_role(request: HttpRequest) -> None:
    """Refuse (403) an authenticated account that has no role yet."""
    scope = scopes.scope_for(request.user)
    if scope.role is None and not scope.superuser:
        raise PermissionDenied("Your account has no role yet.")


class CensusIn(InputSchema):
    low_flow: StrictInt = Field(..., ge=0, le=1_000_000, description="Patients on low-flow oxygen.")
    high_flow: StrictInt = Field(
        ..., ge=0, le=1_000_000, description="Patients on high-flow or NIV."
    )
    ventilated: StrictInt = Field(
        ..., ge=0, le=1_000_000, description="Patients on invasive ventilation."
    )
    profile: Literal["who", "india"] = "who"
    hfnc_l_per_min: StrictFloat = Field(None, gt=0, le=60)
    conditions: Literal["normal", "15c", "21c"] = "normal"


class DemandOut(Schema):
    oxygen_m3_per_day: float
    oxygen_m3_per_day_low: float
    oxygen_m3_per_day_high: float
    lox_kg_per_day: float
    reference_conditions: str
    basis: str


@router.post("/demand", response={200: DemandOut, **ERRORS}, summary="Oxygen demand of a census")
def post_demand(request: HttpRequest, payload: CensusIn) -> Any:
    _require_role(request)
    profile = demand.PROFILES[payload.profile]
    if payload.hfnc_l_per_min is not None:
        profile = demand.with_hfnc(profile, payload.hfnc_l_per_min)
    estimate = demand.census_demand(
        demand.Census(payload.low_flow, payload.high_flow, payload.ventilated), profile
    )
    conditions = units.reference_conditions(payload.conditions)
    return DemandOut(
        oxygen_m3_per_day=round(estimate.nm3_per_day, 1),
        oxygen_m3_per_day_low=round(estimate.nm3_per_day_low, 1),
        oxygen_m3_per_day_high=round(estimate.nm3_per_day_high, 1),
        lox_kg_per_day=round(estimate.lox_kg_per_day(conditions), 1),
        reference_conditions=conditions.name,
        basis=estimate.basis,
    )


class TankIn(InputSchema):
    level_kg: StrictFloat = Field(..., ge=0)
    capacity_kg: StrictFloat = Field(..., gt=0)
    safety_level_kg: StrictFloat = Field(..., ge=0)


class CylindersIn(InputSchema):
    cylinder_type: str = Field(..., description="Code of a registered cylinder type.")
    full_count: StrictInt = Field(..., ge=0)


class DeliveryIn(InputSchema):
    eta: Instant
    lox_kg: StrictFloat = Field(None, ge=0)
    gas_m3: StrictFloat = Field(None, ge=0)
    confirmed: StrictBool = True


class AutonomyIn(InputSchema):
    at: Instant = Field(..., description="When the stock was read (with its time zone).")
    lox_tanks: list[TankIn] = []
    cylinders: list[CylindersIn] = []
    psa_m3_per_h: StrictFloat = Field(0, ge=0, le=1000)
    concentrators_l_per_min: StrictFloat = Field(0, ge=0, le=100_000)
    demand_m3_per_h: StrictFloat = Field(..., ge=0, le=100_000)
    demand_m3_per_h_low: StrictFloat = Field(None, ge=0, le=100_000)
    demand_m3_per_h_high: StrictFloat = Field(None, ge=0, le=100_000)
    in_transit: list[DeliveryIn] = []
    conditions: Literal["normal", "15c", "21c"] = "normal"
    horizon_hours: StrictFloat = Field(336, gt=0, le=24 * 60)


class AutonomyOut(Schema):
    hours: float
    hours_low: float
    hours_high: float
    runs_out_at: datetime | None
    limiting_factor: str
    usable_m3_now: float
    net_draw_m3_per_h: float
    horizon_hours: float
    basis: str


@router.post(
    "/autonomy",
    response={200: AutonomyOut, **ERRORS},
    summary="Hours until a facility's usable oxygen runs out",
)
def post_autonomy(request: HttpRequest, payload: AutonomyIn) -> Any:
    _require_role(request)
    cylinder_types = {
        c.code: c
        for c in scopes.visible(reg.CylinderType.objects.all(), request.user).filter(
            code__in=[c.cylinder_type for c in payload.cylinders]
        )
    }
    stocks = []
    for index, item in enumerate(payload.cylinders):
        if item.cylinder_type not in cylinder_types:
            raise autonomy.AutonomyError(
                f"cylinders.{index}.cylinder_type", item.cylinder_type, "unknown cylinder type code"
            )
        stocks.append(
            autonomy.CylinderStock(cylinder_types[item.cylinder_type].spec(), item.full_count)
        )
    position = autonomy.StockPosition(
        at=payload.at,
        lox_tanks=tuple(
            autonomy.TankLevel(t.level_kg, t.capacity_kg, t.safety_level_kg)
            for t in payload.lox_tanks
        ),
        cylinders=tuple(stocks),
        psa_nm3_per_h=payload.psa_m3_per_h,
        concentrators_l_per_min=payload.concentrators_l_per_min,
    )
    step = autonomy.DemandStep(
        payload.at,
        payload.demand_m3_per_h,
        payload.demand_m3_per_h_low,
        payload.demand_m3_per_h_high,
    )
    deliveries = tuple(
        autonomy.InTransit(d.eta, lox_kg=d.lox_kg, gas_nm3=d.gas_m3, confirmed=d.confirmed)
        for d in payload.in_transit
    )
    result = autonomy.compute_autonomy(
        position,
        [step],
        deliveries,
        conditions=units.reference_conditions(payload.conditions),
        horizon_hours=payload.horizon_hours,
    )
    return AutonomyOut(
        hours=round(result.hours, 2),
        hours_low=round(result.hours_low, 2),
        hours_high=round(result.hours_high, 2),
        runs_out_at=result.runs_out_at,
        limiting_factor=str(result.limiting_factor),
        usable_m3_now=round(result.usable_nm3_now, 1),
        net_draw_m3_per_h=round(result.net_draw_nm3_per_h, 3),
        horizon_hours=result.horizon_hours,
        basis=result.basis,
    )


class ProjectionIn(InputSchema):
    history: list[StrictFloat | None] = Field(
        ...,
        min_length=1,
        max_length=3660,
        description="Daily counts, oldest first; null for a day without a report.",
    )
    horizon_days: StrictInt = Field(7, ge=1, le=14)
    model: Literal["damped", "drift", "persistence"] = "damped"
    interval: StrictFloat = Field(0.8, gt=0, lt=1)


class ProjectionOut(Schema):
    values: list[float]
    low: list[float]
    high: list[float]
    model: str
    interval: float
    days_used: int
    basis: str


@router.post("/projection", response={200: ProjectionOut, **ERRORS}, summary="Census projection")
def post_projection(request: HttpRequest, payload: ProjectionIn) -> Any:
    _require_role(request)
    result = projection.project(
        payload.history, payload.horizon_days, model=payload.model, interval=payload.interval
    )
    return ProjectionOut(
        values=[round(v, 1) for v in result.values],
        low=[round(v, 1) for v in result.low],
        high=[round(v, 1) for v in result.high],
        model=result.model,
        interval=result.interval,
        days_used=result.n_used,
        basis=result.basis,
    )


class ScenarioIn(InputSchema):
    patients: list[Annotated[StrictInt, Field(ge=0, le=10_000_000)]] = Field(
        ..., min_length=1, max_length=20, description="Patients under treatment, e.g. [1000, 5000]."
    )
    region: str = Field(
        None, description="Region code: spread over its districts, with a gap table."
    )
    profile: Literal["who", "india"] = "who"
    mix: Literal["esft", "oxygen"] = "esft"
    severe_share: StrictFloat = Field(0.75, ge=0, le=1)
    hfnc_l_per_min: StrictFloat = Field(None, gt=0, le=60)
    reserve_days: StrictFloat = Field(3, ge=0, le=90)
    spread: Literal["population", "beds"] = "population"
    conditions: Literal["normal", "15c", "21c"] = Field(None)
    cylinder_type: str = Field(None)


@router.post("/scenarios", response={200: dict[str, Any], **ERRORS}, summary="Run scenarios")
def post_scenarios(request: HttpRequest, payload: ScenarioIn) -> Any:
    _require_role(request)
    region = None
    if payload.region is not None:
        region = registry_services.get_visible(
            reg.Region.objects.all(), request.user, code=payload.region
        )
    data = payload.dict(exclude={"region"})
    data["patients"] = tuple(payload.patients)
    return services.run(services.ScenarioRequest(**data), region)


class ContingencyIn(InputSchema):
    region: str = Field(..., description="Region code: its districts are the demand nodes.")
    patients: StrictInt = Field(
        ..., ge=0, le=10_000_000, description="Patients under treatment in the region."
    )
    spread: Literal["population", "beds"] = "population"
    profile: Literal["who", "india"] = "who"
    mix: Literal["esft", "oxygen"] = "esft"
    severe_share: StrictFloat = Field(0.75, ge=0, le=1)
    reserve_days: StrictFloat = Field(
        3, ge=0, le=90, description="As for /scenarios; it does not change the daily need."
    )
    conditions: Literal["normal", "15c", "21c"] = Field(None)
    horizon_days: StrictInt = Field(
        DEFAULT_HORIZON_DAYS,
        ge=1,
        le=contingency.MAX_HORIZON_DAYS,
        description="Days ahead in which a district's storage is drawn down.",
    )


@router.post(
    "/contingency",
    response={200: dict[str, Any], **ERRORS},
    summary="N-1: which districts go short if one producer stops",
)
def post_contingency(request: HttpRequest, payload: ContingencyIn) -> Any:
    _require_role(request)
    region = registry_services.get_visible(
        reg.Region.objects.all(), request.user, code=payload.region
    )
    data = payload.dict(exclude={"region"})
    return contingency.run(contingency.ContingencyRequest(**data), region, user=request.user)
