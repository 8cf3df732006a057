"""Bulk import and export of the registry as CSV or XLSX.

One pipeline serves the page and the ``oxyflow registry`` command::

    rows = read_rows(file, "xlsx")              # header checks; raises ImportRejected
    outcome = validate(rows, user, source=name) # ImportPlan, or a list of Problems
    result = apply(outcome, user)               # all rows or none, in one transaction

Each kind of row is one XLSX sheet (or one CSV file) whose columns are those of
:data:`SHEETS`. Rows are matched to the registry by their natural key (a code; for
contracts producer, facility, product and start date), so importing a file twice
changes nothing the second time. Every row is checked before anything is saved:
types, allowed values, references (also to rows earlier in the same file), duplicate
keys, the user's scope (:mod:`oxyflow.accounts.scopes`) and the model's own
``full_clean()``. Export writes exactly what the user may see, with the same columns,
so export → import is a no-op.

The modules, by concept: :mod:`~.sheets` (formats, kinds and their columns),
:mod:`~.results` (rows, problems, plan and result), :mod:`~.cells` (parsing one cell),
:mod:`~.reading` (:func:`read_rows`), :mod:`~.validation` (:func:`validate`),
:mod:`~.applying` (:func:`apply`, :func:`import_file`, :func:`can_import`) and
:mod:`~.exporting` (:func:`export`).
"""

from __future__ import annotations

from oxyflow.registry.transfer.applying import apply, can_import, import_file
from oxyflow.registry.transfer.exporting import export, export_rows
from oxyflow.registry.transfer.reading import read_rows
from oxyflow.registry.transfer.results import (
    ImportPlan,
    ImportRejected,
    ImportResult,
    KindCounts,
    PlannedRow,
    Problem,
    RowIn,
)
from oxyflow.registry.transfer.sheets import (
    FORMATS,
    KINDS,
    MAX_CELLS,
    MAX_ROWS,
    SHEETS,
    SheetSpec,
    field_for,
)
from oxyflow.registry.transfer.validation import validate

__all__ = [
    "FORMATS",
    "KINDS",
    "MAX_CELLS",
    "MAX_ROWS",
    "SHEETS",
    "ImportPlan",
    "ImportRejected",
    "ImportResult",
    "KindCounts",
    "PlannedRow",
    "Problem",
    "RowIn",
    "SheetSpec",
    "apply",
    "can_import",
    "export",
    "export_rows",
    "field_for",
    "import_file",
    "read_rows",
    "validate",
]
