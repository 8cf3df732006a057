"""The world of tests/factories.py, equipped to report: a LOX tank at CHU Batna, a
cylinder type with its product, and LOX as a product."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from oxyflow.accounts.models import ApiToken
from oxyflow.registry import models as reg
from oxyflow.reporting import services
from tests.factories import World, create_lox_product

_keys = itertools.count(1)

# A fixed clock: Monday 2021-08-09, 12:00 in Algiers (11:00 UTC).
NOW = datetime.fromisoformat("2021-08-09T11:00:00+00:00")
TODAY = date(2021, 8, 9)


@dataclass
class ReportingWorld:
    world: World
    tank: reg.LoxTank
    cylinder_type: reg.CylinderType
    cylinder_product: reg.Product
    lox: reg.Product


def equip(world: World) -> ReportingWorld:
    tank = reg.LoxTank.objects.create(
        facility=world.chu_batna, name="Tank 1", capacity_liquid_l=Decimal(10000)
    )
    cylinder_type = reg.CylinderType.objects.create(
        code="B50", name="50 L, 200 bar", water_capacity_l=Decimal(50), fill_pressure_bar=200
    )
    product = reg.Product.objects.create(
        code="CYL-B50",
        name="Oxygen cylinder 50 L",
        kind=reg.ProductKind.CYLINDER,
        unit_of_issue=reg.UnitOfIssue.CYLINDER,
        cylinder_type=cylinder_type,
    )
    services.forget_cached_countries()
    return ReportingWorld(world, tank, cylinder_type, product, create_lox_product())


@pytest.fixture
def rw(world: World) -> ReportingWorld:
    return equip(world)


def key() -> str:
    return f"key-{next(_keys)}"


def report_in(**changes: Any) -> services.FacilityReportIn:
    values: dict[str, Any] = {
        "report_date": TODAY,
        "patients_low_flow": 20,
        "patients_high_flow": 5,
        "patients_ventilated": 2,
        "lox_tanks": [services.TankLevelIn(50, "%")],
        "cylinders": [services.CylindersIn("B50", 30, 10)],
    }
    values.update(changes)
    return services.FacilityReportIn(**values)


def submission(user: Any, **changes: Any) -> services.Submission:
    values: dict[str, Any] = {"user": user, "key": key(), "now": NOW}
    values.update(changes)
    return services.Submission(**values)


def api_client(user: Any) -> Client:
    _token, secret = ApiToken.issue(user=user, name="test")  # type: ignore[attr-defined]
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
