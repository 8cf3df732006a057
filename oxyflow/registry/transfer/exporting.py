"""Writing what a user may see of the registry as CSV or XLSX, in the import's columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from openpyxl import Workbook
from openpyxl.styles import Font

from oxyflow.accounts import scopes
from oxyflow.registry import models as reg
from oxyflow.registry.transfer.sheets import FORMATS, FORMULA_START, KINDS, SHEETS, SheetSpec


def export(kinds: Sequence[str], user: Any, fmt: str) -> bytes:
    """The rows of ``kinds`` (all when empty) the user may see, as import columns.

    XLSX has one sheet per kind, header bold and frozen; CSV (UTF-8 with BOM, comma
    delimited) holds exactly one kind. Raises ``ValueError`` for an unknown kind or
    format, or a CSV of several kinds.
    """
    chosen = [k for k in KINDS if k in kinds] if kinds else list(KINDS)
    if set(kinds) - set(KINDS) or fmt not in FORMATS:
        raise ValueError(f"Unknown kind or format: {kinds!r}, {fmt!r}")
    if fmt == "csv":
        if len(chosen) != 1:
            raise ValueError("A CSV file holds exactly one kind.")
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        spec = SHEETS[chosen[0]]
        writer.writerow(spec.column_names)
        writer.writerows([_csv_cell(v) for v in row] for row in export_rows(spec, user))
        return out.getvalue().encode("utf-8-sig")  # the BOM tells Excel it is UTF-8
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for kind in chosen:
        spec = SHEETS[kind]
        ws = workbook.create_sheet(kind)
        ws.append(spec.column_names)
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        formats = [_number_format(spec.model._meta.get_field(f)) for _c, f in spec.columns]
        for row in export_rows(spec, user):
            ws.append([_xlsx_value(v) for v in row])
            for cell, number_format in zip(ws[ws.max_row], formats, strict=True):
                if number_format and cell.value is not None:
                    cell.number_format = number_format
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
        for i, column in enumerate(spec.column_names):
            ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = max(12, len(column) + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_rows(spec: SheetSpec, user: Any) -> Iterable[list[object]]:
    """The visible rows of one kind as Python values in column order."""
    relations = [f for _c, f in spec.columns if spec.model._meta.get_field(f).is_relation]
    queryset = spec.model._default_manager.select_related(*relations)
    if spec.model is reg.Organisation:
        queryset = queryset.select_related("country")
    for obj in scopes.visible(queryset, user).order_by(*spec.order):
        row: list[object] = []
        for _column, name in spec.columns:
            value = getattr(obj, name)
            if isinstance(value, models.Model):
                value = value.iso_code if isinstance(value, reg.Country) else value.code  # type: ignore[attr-defined]
            row.append(value)
        yield row


def _plain_decimal(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return _plain_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # a spreadsheet must show it as text, not run it as a formula
    return str(value)


def _xlsx_value(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _number_format(f: models.Field[Any, Any]) -> str:
    if isinstance(f, models.DecimalField):
        places = f.decimal_places or 0
        return "0" + ("." + "0" + "#" * (places - 1) if places else "")
    if isinstance(f, models.DateField):
        return "yyyy-mm-dd"
    return ""
