"""Checking rows read from a file as one user would change the registry with them.

Every row is checked before anything is saved: types, allowed values, references (also
to rows earlier in the same file), duplicate keys, the user's scope
(:mod:`oxyflow.accounts.scopes`) and the model's own ``full_clean()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.registry import models as reg
from oxyflow.registry import services
from oxyflow.registry.transfer.cells import CellError, as_text, parse_cell, shown
from oxyflow.registry.transfer.results import ImportPlan, PlannedRow, Problem, RowIn
from oxyflow.registry.transfer.sheets import KINDS, SHEETS, SITE_KINDS, SheetSpec, field_for


def validate(
    rows: Mapping[str, Sequence[RowIn]], user: Any, *, source: str = ""
) -> ImportPlan | list[Problem]:
    """Check every row as ``user`` would change it; a plan only if there is no problem.

    Sheets are checked in dependency order (:data:`KINDS`), so a row may refer to a row
    above it in the same file. ``source`` (the file name) becomes the change reason.
    """
    check = _Validator(user)
    for kind in KINDS:
        if kind in rows:
            check.sheet(SHEETS[kind], rows[kind])
    if check.problems:
        return check.problems
    return ImportPlan(source, tuple(check.planned))


class _Validator:
    def __init__(self, user: Any) -> None:
        self.user = user
        self.problems: list[Problem] = []
        self.planned: list[PlannedRow] = []
        # Rows of this file by model and key, so later rows can refer to them.
        self.index: dict[type[models.Model], dict[str, models.Model]] = {}
        self.seen: dict[str, dict[tuple[object, ...], tuple[str, int]]] = {}
        self.db: dict[tuple[type[models.Model], str], models.Model | None] = {}
        self.pks: dict[tuple[type[models.Model], bool], set[int]] = {}

    def problem(self, row: RowIn, column: str, reason: str) -> None:
        value = shown(row.cells.get(column)) if column else ""
        self.problems.append(Problem(row.sheet, row.row, column, value, reason))

    def sheet(self, spec: SheetSpec, rows: Sequence[RowIn]) -> None:
        existing: dict[str, models.Model] = {}
        if len(spec.key) == 1:
            name = field_for(spec.key[0])
            codes = sorted({as_text(r.cells.get(spec.key[0]) or "", r) for r in rows})
            for start in range(0, len(codes), 500):
                chunk = codes[start : start + 500]
                manager = spec.model._default_manager
                existing.update(
                    (getattr(o, name), o) for o in manager.filter(**{f"{name}__in": chunk})
                )
        for row in rows:
            self.row(spec, row, existing)

    def allowed_pks(self, model: type[models.Model], *, edit: bool) -> set[int]:
        if (model, edit) not in self.pks:
            qs = (scopes.editable if edit else scopes.visible)(
                model._default_manager.all(), self.user
            )
            self.pks[model, edit] = set(qs.values_list("pk", flat=True))
        return self.pks[model, edit]

    def resolve(self, f: models.Field[Any, Any], code: str) -> models.Model:
        target = f.related_model
        assert isinstance(target, type)
        key = "iso_code" if target is reg.Country else "code"
        if target is reg.Country:
            code = code.upper()
        found = self.index.get(target, {}).get(code)
        if found is None:
            if (target, code) not in self.db:
                self.db[target, code] = target._default_manager.filter(**{key: code}).first()
            found = self.db[target, code]
        if found is None:
            raise CellError(
                _("There is no %(what)s with code %(code)s.")
                % {"what": target._meta.verbose_name, "code": code}
            )
        return found

    def row(self, spec: SheetSpec, row: RowIn, existing: Mapping[str, models.Model]) -> None:
        model = spec.model
        values: dict[str, Any] = {}
        failed: set[str] = set()
        before = len(self.problems)
        for column, raw in row.cells.items():
            f = model._meta.get_field(field_for(column))
            try:
                value = parse_cell(f, raw, row)
                values[f.name] = self.resolve(f, value) if f.is_relation and value else value
            except CellError as exc:
                self.problem(row, column, str(exc))
                failed.add(f.name)
        if any(field_for(c) in failed for c in spec.key):
            return
        key = tuple(_key_part(values[field_for(c)]) for c in spec.key)
        namespace = "sites" if spec.kind in SITE_KINDS else spec.kind
        earlier = self.seen.setdefault(namespace, {}).get(key)
        if earlier is not None:
            self.problem(
                row,
                spec.key[0],
                _("This key already appears in sheet %(sheet)s, row %(row)s.")
                % {"sheet": earlier[0], "row": earlier[1]},
            )
            return
        self.seen[namespace][key] = (spec.kind, row.row)
        obj = existing.get(str(key[0])) if len(spec.key) == 1 else _existing_contract(values)
        action = self.place(spec, row, obj, values, failed)
        if action is None:
            return
        obj = action[1]
        self.remember(spec, obj, key)
        if len(self.problems) == before:
            self.planned.append(PlannedRow(spec.kind, row.row, action[0], obj))

    def place(
        self,
        spec: SheetSpec,
        row: RowIn,
        obj: models.Model | None,
        values: dict[str, Any],
        failed: set[str],
    ) -> tuple[str, models.Model] | None:
        """Build the new or changed row, checking rights, placement and the model rules."""
        model, key_column = spec.model, spec.key[0]
        if obj is None:
            if not scopes.can_create(self.user, model):
                self.problem(
                    row,
                    key_column,
                    _("Your role may not add %(what)s.")
                    % {"what": model._meta.verbose_name_plural},
                )
                return None
            missing = [c for c in spec.required_columns if c not in row.cells]
            for column in missing:
                self.problem(row, column, _("A new row needs this column."))
            if missing:
                return None
            obj = model(**values)
            action = "create"
        else:
            if obj.pk not in self.allowed_pks(model, edit=False):
                self.problem(row, key_column, _("This record is outside your scope."))
                return None
            changed = [name for name, v in values.items() if _differs(obj, name, v)]
            if not changed:
                return ("unchanged", obj)
            if obj.pk not in self.allowed_pks(model, edit=True):
                self.problem(row, key_column, _("You may read this record but not change it."))
                return None
            allowed = services.allowed_fields(self.user, obj)
            for name in changed:
                if allowed is not None and name not in allowed:
                    self.problem(
                        row, spec.column_of(name), _("Your role may not change this field.")
                    )
                setattr(obj, name, values[name])
            action = "update"
        if isinstance(obj, reg.Region) and obj.pk is None:
            obj.path = _region_path(obj)
        unsaved = {n for n, v in values.items() if isinstance(v, models.Model) and v.pk is None}
        try:
            if failed:
                # Rules across fields would judge a value the row did not give: skip them.
                obj.clean_fields(exclude=failed | unsaved)
            else:
                obj.full_clean(exclude=unsaved)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.problem(row, spec.column_of(name), " ".join(messages))
        if isinstance(obj, reg.Region):
            obj.path = _region_path(obj)  # after clean, which compares with the stored path
        for name, reason in _placement_problems(self.user, obj):
            if name not in failed:
                self.problem(row, spec.column_of(name), reason)
        return (action, obj)

    def remember(self, spec: SheetSpec, obj: models.Model, key: tuple[object, ...]) -> None:
        if len(spec.key) != 1:
            return
        code = str(key[0])
        self.index.setdefault(spec.model, {})[code] = obj
        if isinstance(obj, reg.Site):
            self.index.setdefault(reg.Site, {})[code] = obj


def _key_part(value: object) -> object:
    if isinstance(value, models.Model):
        return (type(value).__name__, value.pk if value.pk is not None else id(value))
    return value


def _existing_contract(values: Mapping[str, Any]) -> models.Model | None:
    parts = [values.get(n) for n in ("producer", "facility", "product")]
    if any(p is None or p.pk is None for p in parts):
        return None
    producer, facility, product = parts
    return reg.SupplyContract.objects.filter(
        producer=producer, facility=facility, product=product, valid_from=values["valid_from"]
    ).first()


def _differs(obj: models.Model, name: str, new: Any) -> bool:
    f = obj._meta.get_field(name)
    if f.is_relation:
        if new is not None and new.pk is None:
            return True
        return bool(getattr(obj, f.attname) != (new.pk if new is not None else None))
    return bool(getattr(obj, name) != new)


def _related(obj: models.Model, name: str) -> Any:
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _region_path(region: reg.Region) -> str:
    parent = _related(region, "parent")
    return (parent.path if parent is not None else "") + region.code + "/"


def _placement_problems(user: Any, obj: models.Model) -> list[tuple[str, str]]:
    """Where a new or changed row would sit that the user may not put it: (field, reason)."""
    scope = scopes.scope_for(user)
    if scope.superuser:
        return []
    out: list[tuple[str, str]] = []

    def region_check(name: str, region: reg.Region | None) -> None:
        if scope.regional and region is not None and not scopes.region_in_scope(user, region):
            out.append((name, _("Region %(code)s is outside your scope.") % {"code": region.code}))

    def organisation_check(organisation: reg.Organisation | None) -> None:
        pk = organisation.pk if organisation is not None else None
        if scope.role == scopes.Role.PRODUCER_STAFF and pk != scope.organisation_id:
            code = organisation.code if organisation is not None else "—"
            out.append(
                ("organisation", _("Organisation %(code)s is outside your scope.") % {"code": code})
            )

    if isinstance(obj, reg.Region):
        if not scopes.region_in_scope(user, obj):
            parent = _related(obj, "parent") or obj
            out.append(
                ("parent", _("Region %(code)s is outside your scope.") % {"code": parent.code})
            )
    elif isinstance(obj, reg.Site):
        region_check("region", _related(obj, "region"))
        organisation_check(_related(obj, "organisation"))
    elif isinstance(obj, reg.Organisation):
        country = _related(obj, "country")
        in_country = country is None or country.region.path == scope.country_path
        if scope.role == scopes.Role.MINISTRY and not in_country:
            out.append(
                (
                    "country",
                    _("Country %(code)s is outside your scope.") % {"code": country.iso_code},
                )
            )
    elif isinstance(obj, reg.Vehicle):
        depot = _related(obj, "home_depot")
        region_check("home_depot", depot.region if depot is not None else None)
        organisation_check(_related(obj, "organisation"))
    elif isinstance(obj, reg.SupplyContract):
        facility = _related(obj, "facility")
        region_check("facility", facility.region if facility is not None else None)
    return out
