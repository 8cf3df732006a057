"""What a registry file holds: the formats, and one sheet (or CSV file) per kind of row.

:data:`SHEETS` gives each kind its model, columns and natural key, in dependency order:
a sheet only refers to sheets above it (regions also to themselves).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from oxyflow.registry import models as reg

FORMATS = ("csv", "xlsx")
# Per sheet: far above any real registry, low enough to stop a zip bomb early.
MAX_ROWS = 50_000
MAX_CELLS = 2_000_000
# Text starting so would run as a formula in a spreadsheet: export quotes it in CSV.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def field_for(column: str) -> str:
    """A column's model field: ``region_code`` → ``region``, ``country_iso`` → ``country``."""
    return column.removesuffix("_code").removesuffix("_iso")


@dataclass(frozen=True)
class SheetSpec:
    """One kind of row: its model, columns and natural key (column names)."""

    kind: str
    label: Promise
    model: type[models.Model]
    column_names: tuple[str, ...]
    key: tuple[str, ...]
    order: tuple[str, ...]

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        return tuple((c, field_for(c)) for c in self.column_names)

    def column_of(self, field_name: str) -> str:
        by_field = {f: c for c, f in self.columns}
        return by_field.get(field_name, "" if field_name == NON_FIELD_ERRORS else field_name)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns a new row cannot do without: the key and fields with no default.

        A file that only updates rows needs only the key columns.
        """
        return tuple(
            column
            for column, name in self.columns
            if column in self.key or not _optional(self.model._meta.get_field(name))
        )


def _optional(f: Any) -> bool:
    return bool(f.blank or f.null or f.has_default())


def _sheet(
    kind: str, label: Promise, model: type[models.Model], columns: str, **kw: Any
) -> SheetSpec:
    names = tuple(columns.split())
    return SheetSpec(
        kind, label, model, names, kw.get("key", (names[0],)), kw.get("order", (names[0],))
    )


_SITE = "code name name_local region_code organisation_code"
# In dependency order: a sheet only refers to sheets above it (regions also to themselves).
SHEETS: dict[str, SheetSpec] = {
    s.kind: s
    for s in (
        _sheet(
            "organisations",
            gettext_lazy("Organisations"),
            reg.Organisation,
            "code name kind ownership country_iso",
        ),
        _sheet(
            "regions",
            gettext_lazy("Regions"),
            reg.Region,
            "code name name_local level parent_code latitude longitude population retired_on"
            " successor_code",
            order=("path",),
        ),
        _sheet(
            "depots",
            gettext_lazy("Depots"),
            reg.Depot,
            f"{_SITE} latitude longitude address retired_on",
        ),
        _sheet(
            "producers",
            gettext_lazy("Producers"),
            reg.Producer,
            f"{_SITE} producer_type ownership latitude longitude address lox_storage_kg"
            " cylinder_storage_count retired_on",
        ),
        _sheet(
            "facilities",
            gettext_lazy("Facilities"),
            reg.Facility,
            f"{_SITE} facility_type latitude longitude address beds_total beds_oxygen beds_icu"
            " priority psa_output_nm3_per_h retired_on",
        ),
        _sheet(
            "vehicles",
            gettext_lazy("Vehicles"),
            reg.Vehicle,
            "registration organisation_code kind capacity_kg home_depot_code status",
        ),
        _sheet(
            "contracts",
            gettext_lazy("Supply contracts"),
            reg.SupplyContract,
            "producer_code facility_code product_code agreed_quantity_per_day lead_time_hours"
            " binding requisition valid_from valid_to",
            key=("producer_code", "facility_code", "product_code", "valid_from"),
            order=("facility__code", "producer__code", "product__code", "valid_from"),
        ),
    )
}
KINDS = tuple(SHEETS)
# Depots, producers and facilities are all sites: they share one namespace of codes.
SITE_KINDS = frozenset({"depots", "producers", "facilities"})
