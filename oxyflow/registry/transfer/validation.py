"""Checking rows read from a file as one user would change the registry with them.

Every row is checked before anything is saved: types, allowed values, references (also
to rows earlier in the same file), duplicate keys, the user's scope
(:mod:`oxyflow.accounts.scopes`) and the model's own ``full_clean()``.

Scope and secrecy: a row or a reference the user may not see is treated as if it did
not exist, and every message about it is the one a missing code gets ("There is no
organisation with code X in your scope."), so an import cannot be used to learn which
codes exist elsewhere. A reference the user may not see is still accepted where it
only repeats the value a visible row already holds (an export re-imported unchanged
names the region of a facility's own staff, which they do not otherwise see). A new
row whose code is already taken by a row out of scope is refused with the neutral
"The code X cannot be used.": codes are unique, so creating it can never succeed, and
it must never overwrite the hidden row.
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

    def resolve(self, f: models.Field[Any, Any], code: str) -> tuple[models.Model, bool]:
        """The row a reference names, and whether the user may see it.

        Rows of this file (above this one) are always in scope: their own placement is
        checked where they are defined. A code that names nothing raises the same
        message as one out of scope (see :func:`_not_in_scope`).
        """
        target = f.related_model
        assert isinstance(target, type)
        key = "iso_code" if target is reg.Country else "code"
        if target is reg.Country:
            code = code.upper()
        found = self.index.get(target, {}).get(code)
        if found is not None:
            return found, True
        if (target, code) not in self.db:
            self.db[target, code] = target._default_manager.filter(**{key: code}).first()
        found = self.db[target, code]
        if found is None:
            raise CellError(_not_in_scope(target, code))
        return found, found.pk in self.allowed_pks(target, edit=False)

    def row(self, spec: SheetSpec, row: RowIn, existing: Mapping[str, models.Model]) -> None:
        model = spec.model
        values: dict[str, Any] = {}
        failed: set[str] = set()
        before = len(self.problems)
        # References that exist but lie outside the user's scope: field → (column, row).
        hidden_refs: dict[str, tuple[str, str, models.Model]] = {}
        for column, raw in row.cells.items():
            f = model._meta.get_field(field_for(column))
            try:
                value = parse_cell(f, raw, row)
                if f.is_relation and value:
                    code, (value, in_scope) = value, self.resolve(f, value)
                    if not in_scope:
                        hidden_refs[f.name] = (column, code, value)
                values[f.name] = value
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
        hidden = obj is not None and obj.pk not in self.allowed_pks(model, edit=False)
        if hidden:
            obj = None  # out of scope: as if it did not exist (see the module's docstring)
        for name, (column, code, ref) in hidden_refs.items():
            if obj is not None and getattr(obj, model._meta.get_field(name).attname) == ref.pk:
                continue  # a visible row keeps a reference it already had
            self.problem(row, column, _not_in_scope(type(ref), code))
            failed.add(name)
            del values[name]
        if any(field_for(c) in failed for c in spec.key):
            return
        action = self.place(spec, row, obj, values, failed, hidden=hidden)
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
        *,
        hidden: bool = False,
    ) -> tuple[str, models.Model] | None:
        """Build the new or changed row, checking rights, placement and the model rules.

        ``hidden``: the key names a row out of the user's scope; it is handled as a new
        row (so the messages match those for a code that does not exist) but never
        created.
        """
        model, key_column = spec.model, spec.key[0]
        scope = scopes.scope_for(self.user)
        producer_staff = not scope.superuser and scope.role == scopes.Role.PRODUCER_STAFF
        if obj is None:
            if not scopes.can_create(self.user, model):
                if len(spec.key) == 1:
                    # Same words whether the code is unknown or out of scope.
                    code = as_text(row.cells[key_column], row)
                    self.problem(row, key_column, _not_in_scope(model, code))
                else:
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
            if hidden or self.code_taken(spec, values):
                # Codes are unique: the row cannot be added, and must not overwrite the
                # row that holds the code. Neutral words: nothing about where that row is.
                self.problem(
                    row,
                    key_column,
                    _("The code %(code)s cannot be used.")
                    % {"code": as_text(row.cells[key_column], row)},
                )
                return None
            obj = model(**values)
            action = "create"
        else:
            changed = [name for name, v in values.items() if _differs(obj, name, v)]
            if not changed:
                return ("unchanged", obj)
            if obj.pk not in self.allowed_pks(model, edit=True) or (
                producer_staff and isinstance(obj, reg.Organisation)
            ):
                # Producer/transporter staff keep their sites and vehicles, never the
                # organisation itself (its code, kind or country).
                self.problem(row, key_column, _("You may read this record but not change it."))
                return None
            allowed = services.allowed_fields(self.user, obj)
            for name in changed:
                refused = allowed is not None and name not in allowed
                if producer_staff and isinstance(obj, reg.Site):
                    # Where a site is and whom it belongs to is the authorities' record.
                    refused = refused or name in ("region", "organisation")
                if refused:
                    self.problem(
                        row, spec.column_of(name), _("Your role may not change this field.")
                    )
                setattr(obj, name, values[name])
            action = "update"
        if isinstance(obj, reg.SupplyContract):
            self.contract_check(spec, row, obj, failed)
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

    def code_taken(self, spec: SheetSpec, values: Mapping[str, Any]) -> bool:
        """Whether a new row's code is already held by a row of another kind or scope."""
        if len(spec.key) != 1:
            return False
        name = field_for(spec.key[0])
        model = reg.Site if spec.kind in SITE_KINDS else spec.model
        return bool(model._default_manager.filter(**{name: values[name]}).exists())

    def contract_check(
        self, spec: SheetSpec, row: RowIn, obj: models.Model, failed: set[str]
    ) -> None:
        """A contract may only tie a facility the user may change to a producer they see."""
        facility = _related(obj, "facility")
        if (
            "facility" not in failed
            and facility is not None
            and facility.pk is not None
            and facility.pk not in self.allowed_pks(reg.Facility, edit=True)
        ):
            failed.add("facility")
            self.problem(
                row,
                spec.column_of("facility"),
                _("You may not change the contracts of facility %(code)s.")
                % {"code": facility.code},
            )
        producer = _related(obj, "producer")
        if (
            "producer" not in failed
            and producer is not None
            and producer.pk is not None
            and producer.pk not in self.allowed_pks(reg.Producer, edit=False)
        ):
            failed.add("producer")
            self.problem(
                row, spec.column_of("producer"), _not_in_scope(reg.Producer, producer.code)
            )

    def remember(self, spec: SheetSpec, obj: models.Model, key: tuple[object, ...]) -> None:
        if len(spec.key) != 1:
            return
        code = str(key[0])
        self.index.setdefault(spec.model, {})[code] = obj
        if isinstance(obj, reg.Site):
            self.index.setdefault(reg.Site, {})[code] = obj


def _not_in_scope(model: type[models.Model], code: str) -> str:
    """One message for a code that names nothing and one the user may not see."""
    return _("There is no %(what)s with code %(code)s in your scope.") % {
        "what": model._meta.verbose_name,
        "code": code,
    }


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
