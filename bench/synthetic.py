"""The synthetic country the database benchmarks build: one country on Algeria's
calendar and its provinces (call inside a transaction, with Django set up)."""

from __future__ import annotations

from typing import Any

PROVINCES = 20
TIME_ZONE = "Africa/Algiers"


def country_with_provinces() -> tuple[Any, list[Any]]:
    """Create the country "Benchland" (code DZ) and its provinces DZ-01 … DZ-20."""
    from oxyflow.registry import models as reg

    country = reg.Region.objects.create(code="DZ", name="Benchland", level=reg.RegionLevel.COUNTRY)
    reg.Country.objects.create(
        region=country, iso_code="DZ", time_zone=TIME_ZONE, weekend_days=[4, 5]
    )
    provinces = [
        reg.Region.objects.create(
            code=f"DZ-{p:02d}",
            name=f"Province {p}",
            level=reg.RegionLevel.PROVINCE,
            parent=country,
        )
        for p in range(1, PROVINCES + 1)
    ]
    return country, provinces


def oxygen_catalogue() -> tuple[Any, Any]:
    """LOX (kg) and a 50 L, 200 bar cylinder type with its product; returns (LOX, B50)."""
    from decimal import Decimal

    from oxyflow.registry import models as reg

    lox = reg.Product.objects.create(
        code="LOX",
        name="Liquid oxygen",
        kind=reg.ProductKind.LOX,
        unit_of_issue=reg.UnitOfIssue.KG,
    )
    b50 = reg.CylinderType.objects.create(
        code="B50",
        name="50 L, 200 bar",
        water_capacity_l=Decimal(50),
        fill_pressure_bar=Decimal(200),
    )
    reg.Product.objects.create(
        code="CYL-B50",
        name="Oxygen cylinder 50 L",
        kind=reg.ProductKind.CYLINDER,
        unit_of_issue=reg.UnitOfIssue.CYLINDER,
        cylinder_type=b50,
    )
    return lox, b50
