"""Products and times the stock tests post with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from oxyflow.registry import models as reg

# A morning in Batna in July 2021; every test dates its movements from here.
T0 = datetime(2021, 7, 20, 8, 0, tzinfo=UTC)


def at(days: float = 0, hours: float = 0) -> datetime:
    """``T0`` plus some days and hours (aware, UTC)."""
    return T0 + timedelta(days=days, hours=hours)


def create_cylinder_product() -> reg.Product:
    cylinder_type, _ = reg.CylinderType.objects.get_or_create(
        code="B50",
        defaults={
            "name": "50 L, 200 bar",
            "water_capacity_l": Decimal(50),
            "fill_pressure_bar": Decimal(200),
        },
    )
    return reg.Product.objects.get_or_create(
        code="O2-CYL-B50",
        defaults={
            "name": "Oxygen, 50 L cylinders",
            "kind": reg.ProductKind.CYLINDER,
            "unit_of_issue": reg.UnitOfIssue.CYLINDER,
            "cylinder_type": cylinder_type,
        },
    )[0]
