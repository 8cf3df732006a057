"""The registry: regions, sites (facilities, producers, depots), products, fleet, contracts.

Everything else in OxyFlow refers to these rows. Stored numbers name their unit in the
field name; conversions go through :mod:`oxyflow.core.units`.
"""

from __future__ import annotations

from oxyflow.registry.models.catalogue import CylinderType, Product, ProductKind, UnitOfIssue
from oxyflow.registry.models.common import code_validator, no_nul
from oxyflow.registry.models.contracts import SupplyContract
from oxyflow.registry.models.equipment import FacilityConcentrators, LoxTank, ProducerCapacity
from oxyflow.registry.models.fleet import (
    Vehicle,
    VehicleCylinderCapacity,
    VehicleKind,
    VehicleStatus,
)
from oxyflow.registry.models.regions import (
    LEVEL_DEPTH,
    Country,
    LoxReference,
    LoxUnit,
    Region,
    RegionLevel,
    RegionQuerySet,
)
from oxyflow.registry.models.sites import (
    Contact,
    ContactRole,
    Depot,
    Facility,
    FacilityType,
    Organisation,
    OrganisationKind,
    Ownership,
    Priority,
    Producer,
    ProducerType,
    Site,
    SiteKind,
    SiteQuerySet,
)

__all__ = [
    "LEVEL_DEPTH",
    "Contact",
    "ContactRole",
    "Country",
    "CylinderType",
    "Depot",
    "Facility",
    "FacilityConcentrators",
    "FacilityType",
    "LoxReference",
    "LoxTank",
    "LoxUnit",
    "Organisation",
    "OrganisationKind",
    "Ownership",
    "Priority",
    "Producer",
    "ProducerCapacity",
    "ProducerType",
    "Product",
    "ProductKind",
    "Region",
    "RegionLevel",
    "RegionQuerySet",
    "Site",
    "SiteKind",
    "SiteQuerySet",
    "SupplyContract",
    "UnitOfIssue",
    "Vehicle",
    "VehicleCylinderCapacity",
    "VehicleKind",
    "VehicleStatus",
    "code_validator",
    "no_nul",
]
