"""What passes between the steps of an import: rows read, problems, the plan, the result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _

from oxyflow.registry.transfer.sheets import KINDS


@dataclass(frozen=True)
class Problem:
    """Why one cell, row or file cannot be imported. ``row`` counts the header as 1."""

    sheet: str
    row: int
    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        """``row N, sheet S, field F, value 'V': reason``, leaving out what is unknown."""
        parts = [
            f"row {self.row}" if self.row else "",
            f"sheet {self.sheet}" if self.sheet else "",
            f"field {self.field}" if self.field else "",
            f"value '{self.value}'" if self.field or self.value else "",
        ]
        return ", ".join(p for p in parts if p) + f": {self.reason}"


class ImportRejected(Exception):
    """Raised when a file cannot be imported; nothing was saved."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


@dataclass(frozen=True)
class RowIn:
    """One data row as read: raw cell values by column name."""

    sheet: str
    row: int
    cells: Mapping[str, object]
    from_csv: bool = False
    decimal_comma: bool = False


@dataclass(frozen=True)
class PlannedRow:
    kind: str
    row: int
    action: str  # "create", "update" or "unchanged"
    obj: models.Model


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do), per kind in sheet order."""

    counts: dict[str, KindCounts] = field(default_factory=dict)
    dry_run: bool = False

    def lines(self) -> list[str]:
        return [
            _("%(kind)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
            % {"kind": kind, **vars(c)}
            for kind, c in self.counts.items()
        ]


@dataclass(frozen=True)
class ImportPlan:
    """Validated rows, ready for :func:`~oxyflow.registry.transfer.apply`."""

    source: str
    rows: tuple[PlannedRow, ...]

    def result(self, *, dry_run: bool = False) -> ImportResult:
        counts: dict[str, KindCounts] = {}
        for planned in self.rows:
            c = counts.setdefault(planned.kind, KindCounts())
            attr = {"create": "created", "update": "updated"}.get(planned.action, "unchanged")
            setattr(c, attr, getattr(c, attr) + 1)
        return ImportResult({k: counts[k] for k in KINDS if k in counts}, dry_run=dry_run)
