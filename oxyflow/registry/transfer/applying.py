"""Saving a validated import, and the whole pipeline in one call."""

from __future__ import annotations

from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.registry.transfer.reading import read_rows
from oxyflow.registry.transfer.results import ImportPlan, ImportRejected, ImportResult, Problem
from oxyflow.registry.transfer.sheets import SHEETS
from oxyflow.registry.transfer.validation import validate

_REASON_MAX = 100  # simple_history keeps change reasons in a CharField(max_length=100)


def apply(plan: ImportPlan, user: Any) -> ImportResult:
    """Save a validated plan in one transaction; unchanged rows are not written.

    Changed rows are recorded in their history with the reason ``import <file name>``.
    Raises :class:`ImportRejected` (and saves nothing) if the database refuses a row,
    e.g. because another user added the same code since validation.
    """
    reason = f"import {plan.source}".strip()[:_REASON_MAX]
    with transaction.atomic():
        for planned in plan.rows:
            if planned.action == "unchanged":
                continue
            obj = planned.obj
            obj._change_reason = reason  # type: ignore[attr-defined]
            if getattr(user, "pk", None) is not None:
                obj._history_user = user  # type: ignore[attr-defined]
            try:
                with transaction.atomic():
                    obj.save()
            except IntegrityError as exc:
                raise ImportRejected(
                    [
                        Problem(
                            planned.kind,
                            planned.row,
                            "",
                            "",
                            _("The database refused this row: %(error)s") % {"error": exc},
                        )
                    ]
                ) from exc
    return plan.result()


def import_file(
    file: IO[bytes] | bytes,
    fmt: str,
    user: Any,
    *,
    kind: str | None = None,
    source: str = "",
    dry_run: bool = False,
) -> ImportResult:
    """Read, validate and (unless ``dry_run``) apply a file; raises ImportRejected."""
    outcome = validate(read_rows(file, fmt, kind), user, source=source)
    if isinstance(outcome, list):
        raise ImportRejected(outcome)
    return outcome.result(dry_run=True) if dry_run else apply(outcome, user)


def can_import(user: Any) -> bool:
    """Whether the user may add or change any kind of row an import holds."""
    if scopes.scope_for(user).superuser:
        return True
    return any(
        scopes.can_create(user, spec.model)
        or scopes.editable(spec.model._default_manager.all(), user).exists()
        for spec in SHEETS.values()
    )
