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
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from oxyflow.accounts import scopes
from oxyflow.registry import models as reg
from oxyflow.registry import services

FORMATS = ("csv", "xlsx")
# Per sheet: far above any real registry, low enough to stop a zip bomb early.
MAX_ROWS = 50_000
MAX_CELLS = 2_000_000
_REASON_MAX = 100  # simple_history keeps change reasons in a CharField(max_length=100)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
_SITE_KINDS = frozenset({"depots", "producers", "facilities"})


# --- results -----------------------------------------------------------------------------


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
    """Validated rows, ready for :func:`apply`."""

    source: str
    rows: tuple[PlannedRow, ...]

    def result(self, *, dry_run: bool = False) -> ImportResult:
        counts: dict[str, KindCounts] = {}
        for planned in self.rows:
            c = counts.setdefault(planned.kind, KindCounts())
            attr = {"create": "created", "update": "updated"}.get(planned.action, "unchanged")
            setattr(c, attr, getattr(c, attr) + 1)
        return ImportResult({k: counts[k] for k in KINDS if k in counts}, dry_run=dry_run)


# --- reading -----------------------------------------------------------------------------


def read_rows(file: IO[bytes] | bytes, fmt: str, kind: str | None = None) -> dict[str, list[RowIn]]:
    """Read a CSV or XLSX file into rows by kind, checking the header rows.

    CSV is UTF-8 (a BOM is fine), comma- or semicolon-delimited, and holds one ``kind``.
    An XLSX workbook holds one sheet per kind, named after it; with ``kind`` given only
    that sheet is read (or the only sheet, whatever its name). Raises
    :class:`ImportRejected` for an unreadable file, unknown sheets or columns and
    missing key columns (the other columns a new row needs are checked per row).
    """
    data = file if isinstance(file, bytes) else file.read()
    if kind is not None and kind not in SHEETS:
        raise ImportRejected([_file_problem(kind, _unknown_kind_reason())])
    workbook = None
    if fmt == "csv":
        if kind is None:
            raise ImportRejected([_file_problem("", _unknown_kind_reason())])
        tables = {kind: _csv_records(data)}
    elif fmt == "xlsx":
        workbook = _open_workbook(data)
        tables = _xlsx_records(workbook, kind)
    else:
        raise ValueError(f"Unknown format {fmt!r}; use one of {FORMATS}")
    problems: list[Problem] = []
    try:
        out = {k: _table(SHEETS[k], *tables[k], problems=problems) for k in KINDS if k in tables}
    finally:
        if workbook is not None:
            workbook.close()
    if problems:
        raise ImportRejected(problems)
    return out


def _file_problem(sheet: str, reason: str, value: str = "") -> Problem:
    return Problem(sheet, 0, "", value, reason)


def _unknown_kind_reason() -> str:
    return _("Say what the file holds: one of %(kinds)s.") % {"kinds": ", ".join(KINDS)}


_Records = tuple[Iterator[Sequence[object]], bool, bool]  # rows, from CSV, decimal comma


def _csv_records(data: bytes) -> _Records:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [_file_problem("", _("The file is not UTF-8 text (byte %(at)s).") % {"at": exc.start})]
        ) from None
    first_line = text.split("\n", 1)[0]
    # French and Vietnamese spreadsheets save CSV with semicolons and decimal commas.
    semicolon = first_line.count(";") > first_line.count(",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if semicolon else ",")
    return reader, True, semicolon


def _open_workbook(data: bytes) -> Any:
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise ImportRejected(
            [_file_problem("", _("The file is not a readable XLSX workbook."))]
        ) from None


def _xlsx_records(workbook: Any, kind: str | None) -> dict[str, _Records]:
    sheets = {ws.title.strip().lower(): ws for ws in workbook.worksheets}
    if kind is not None:
        ws = sheets.get(kind) or (workbook.worksheets[0] if len(sheets) == 1 else None)
        if ws is None:
            raise ImportRejected(
                [_file_problem(kind, _("The workbook has no sheet of this name."))]
            )
        sheets = {kind: ws}
    unknown = [name for name in sheets if name not in SHEETS]
    if unknown:
        raise ImportRejected(
            [
                _file_problem(
                    name,
                    _("Unknown sheet; name each sheet after what it holds: %(k)s.")
                    % {"k": ", ".join(KINDS)},
                    name,
                )
                for name in unknown
            ]
        )
    out = {}
    for name, ws in sheets.items():
        # Trust the cells, not the stated size: a sheet may claim A1:XFD1048576.
        ws.reset_dimensions()
        out[name] = (ws.iter_rows(values_only=True), False, False)
    return out


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(
    spec: SheetSpec,
    records: Iterator[Sequence[object]],
    from_csv: bool,
    decimal_comma: bool,
    *,
    problems: list[Problem],
) -> list[RowIn]:
    kind = spec.kind
    try:
        header = [str(c).strip().lower() if c is not None else "" for c in next(records, ())]
        if not any(header):
            problems.append(Problem(kind, 1, "", "", _("The first row must name the columns.")))
            return []
        positions: dict[str, int] = {}
        for i, name in enumerate(header):
            if name and name not in spec.column_names:
                problems.append(
                    Problem(
                        kind,
                        1,
                        name,
                        name,
                        _("Unknown column; the columns are: %(c)s.")
                        % {"c": ", ".join(spec.column_names)},
                    )
                )
            elif name in positions:
                problems.append(Problem(kind, 1, name, name, _("This column appears twice.")))
            elif name:
                positions[name] = i
        problems.extend(
            Problem(kind, 1, column, "", _("This required column is missing."))
            for column in spec.key
            if column not in positions
        )
        rows = []
        cells_read = 0
        for number, record in enumerate(records, start=2):
            cells_read += len(record)
            if number > MAX_ROWS + 1 or cells_read > MAX_CELLS:
                problems.append(Problem(kind, number, "", "", _("The sheet is too large.")))
                break
            if all(_blank(v) for v in record):
                continue  # spreadsheets keep formatted but empty rows
            stray = [v for i, v in enumerate(record) if not _blank(v) and not _at(header, i)]
            if stray:
                problems.append(
                    Problem(
                        kind,
                        number,
                        "",
                        _shown(stray[0]),
                        _("This value sits in a column with no name in the first row."),
                    )
                )
            cells = {name: _at(record, i) for name, i in positions.items()}
            rows.append(RowIn(kind, number, cells, from_csv, decimal_comma))
    except (csv.Error, SyntaxError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        # csv.Error from CSV; XML (SyntaxError) and zip errors from a damaged workbook.
        problems.append(_file_problem(kind, _("The file could not be read: %(e)s") % {"e": exc}))
        return []
    return rows


def _at(seq: Sequence[Any], i: int) -> Any:
    return seq[i] if i < len(seq) else None


def _shown(value: object) -> str:
    """A cell as shown in a problem report: text, NUL made visible, cut to 80 characters."""
    text = "" if value is None else str(value).replace("\x00", "␀")
    return text if len(text) <= 80 else text[:79] + "…"


# --- parsing cells -----------------------------------------------------------------------


class _CellError(Exception):
    pass


def _parse_cell(f: models.Field[Any, Any], raw: object, row: RowIn) -> Any:
    """A raw cell as the Python value of model field ``f``; a foreign key stays a code."""
    if isinstance(raw, str):
        if "\x00" in raw:
            # PostgreSQL refuses NUL in text; SQLite would store it.
            raise _CellError(_("The text contains a NUL character, which is not allowed."))
        raw = raw.strip()
    if _blank(raw):
        if isinstance(f, models.CharField | models.TextField) and not f.is_relation:
            return ""
        if f.null:
            return None
        if f.has_default():
            return f.get_default()
        raise _CellError(_("This column needs a value."))
    if f.choices and not f.is_relation:
        value = _parse_int(raw) if isinstance(f, models.IntegerField) else _text(raw, row)
        allowed = [choice for choice, _label in f.flatchoices]
        if value not in allowed:
            raise _CellError(
                _("Not an allowed value; use one of: %(allowed)s.")
                % {"allowed": ", ".join(str(a) for a in allowed)}
            )
        return value
    if f.is_relation:
        return _text(raw, row)
    if isinstance(f, models.BooleanField):
        return _parse_bool(raw)
    if isinstance(f, models.DecimalField):
        return _parse_decimal(raw, row)
    if isinstance(f, models.IntegerField):
        return _parse_int(raw)
    if isinstance(f, models.DateField):
        return _parse_date(raw)
    return _text(raw, row)


def _text(raw: object, row: RowIn) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a code typed as a number in a spreadsheet
    text = str(raw).strip()
    if row.from_csv and len(text) > 1 and text[0] == "'" and text.startswith(_FORMULA_START, 1):
        text = text[1:]  # undo the quote export puts before formula-like text
    return text


def _parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(int(raw) if isinstance(raw, int | float) else raw).strip().lower()
    if word in ("yes", "true", "1"):
        return True
    if word in ("no", "false", "0"):
        return False
    raise _CellError(_("Use yes or no (also true/false or 1/0)."))


def _parse_decimal(raw: object, row: RowIn) -> Decimal:
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if row.decimal_comma and "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _CellError(_("Expected a number such as 12.5.")) from None
    if not value.is_finite() or isinstance(raw, bool):
        raise _CellError(_("Expected a number such as 12.5."))
    return value


def _parse_int(raw: object) -> int:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    # The size bound keeps int() from building a huge number out of "1e999999999".
    if isinstance(raw, bool) or not value.is_finite() or value.adjusted() > 18:
        raise _CellError(_("Expected a whole number."))
    if value != value.to_integral_value():
        raise _CellError(_("Expected a whole number."))
    return int(value)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date(raw: object) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise _CellError(_("Expected a date as yyyy-mm-dd."))


# --- validating --------------------------------------------------------------------------


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
        value = _shown(row.cells.get(column)) if column else ""
        self.problems.append(Problem(row.sheet, row.row, column, value, reason))

    def sheet(self, spec: SheetSpec, rows: Sequence[RowIn]) -> None:
        existing: dict[str, models.Model] = {}
        if len(spec.key) == 1:
            name = field_for(spec.key[0])
            codes = sorted({_text(r.cells.get(spec.key[0]) or "", r) for r in rows})
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
            raise _CellError(
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
                value = _parse_cell(f, raw, row)
                values[f.name] = self.resolve(f, value) if f.is_relation and value else value
            except _CellError as exc:
                self.problem(row, column, str(exc))
                failed.add(f.name)
        if any(field_for(c) in failed for c in spec.key):
            return
        key = tuple(_key_part(values[field_for(c)]) for c in spec.key)
        namespace = "sites" if spec.kind in _SITE_KINDS else spec.kind
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


# --- applying ----------------------------------------------------------------------------


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


# --- exporting ---------------------------------------------------------------------------


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
    if isinstance(value, str) and value.startswith(_FORMULA_START):
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
