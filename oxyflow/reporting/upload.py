"""Many sites' daily reports from one CSV or XLSX file, stored all or nothing.

Coordinators collect reports by phone or in their own spreadsheets and upload them in
one go (the page ``/reports/upload/``, the API ``POST /api/v1/reports/upload``)::

    result = import_reports(data, "xlsx", user)   # UploadResult; raises UploadRejected

A file holds one kind of report, told by its header: a ``facility`` column makes it
facility reports (one row per facility and day), a ``producer`` column producer reports
(one row per producer, day and product). Every report is checked and stored by the same
code as the form and the API, so the rules and messages are the same: facility reports
as one set through :func:`oxyflow.reporting.ingest.ingest_facility_reports` (the path
:func:`~oxyflow.reporting.services.submit_facility_report` takes for one report),
producer reports one by one through
:func:`~oxyflow.reporting.services.submit_producer_report`. Each bad row is reported
with its number as the spreadsheet shows it (header = row 1), its column and the
reason; if any row is bad, nothing is stored.

Everything happens in one transaction, in date order, and is rolled back at the end if
any row failed. A report's submission key is a hash of its own figures, so uploading the
same rows again (the same file or an edited copy) stores nothing new for them. A row
whose first cell starts with ``#`` is a comment (the template's row of units).
"""

from __future__ import annotations

import abc
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from oxyflow.accounts import scopes
from oxyflow.accounts.models import Role
from oxyflow.registry import models as reg
from oxyflow.registry.transfer import ImportRejected, Problem, RowIn
from oxyflow.registry.transfer.cells import as_text, blank, shown
from oxyflow.reporting import ingest, services
from oxyflow.reporting.models import Channel, PsaStatus

FORMATS = ("csv", "xlsx")
FACILITY = "facility"
PRODUCER = "producer"
KINDS = (FACILITY, PRODUCER)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_CELLS = 2_000_000  # stops a sheet claiming millions of empty cells early

_CYLINDER_COLUMN = re.compile(r"^cyl_(.+)_(full|empty|used)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


@dataclass(frozen=True)
class Column:
    """A column of an upload file and what goes in it (units, format)."""

    name: str
    hint: str | Promise


_SHARED_TAIL = (
    Column("notes", gettext_lazy("text")),
    Column("reported_by_name", gettext_lazy("who gave the figures, if not you")),
    Column("correction_reason", gettext_lazy("needed to correct a day already reported")),
)
FACILITY_COLUMNS = (
    Column("facility", gettext_lazy("facility code")),
    Column("report_date", "yyyy-mm-dd"),
    Column("as_of", gettext_lazy("yyyy-mm-dd hh:mm, local time (optional)")),
    Column("patients_low_flow", gettext_lazy("patients")),
    Column("patients_high_flow", gettext_lazy("patients (HFNO or NIV)")),
    Column("patients_ventilated", gettext_lazy("patients")),
    Column("beds_occupied", gettext_lazy("beds (optional)")),
    Column("beds_occupied_oxygen", gettext_lazy("beds (optional)")),
    Column("beds_occupied_icu", gettext_lazy("beds (optional)")),
    Column("lox_tank", gettext_lazy("tank name (optional with one tank)")),
    Column("lox_level", gettext_lazy("number, in lox_unit")),
    Column("lox_unit", ", ".join(services.LEVEL_UNITS)),
    # cyl_<TYPE>_full / _empty / _used go here, one group per cylinder type
    Column("concentrators_in_use", gettext_lazy("concentrators")),
    Column("concentrators_idle", gettext_lazy("concentrators")),
    Column("concentrators_broken", gettext_lazy("concentrators")),
    Column("psa_status", ", ".join(PsaStatus.values)),
    Column("psa_output_m3_per_h", "Nm³/h"),
    Column("consumption", gettext_lazy("since the last report, in consumption_unit")),
    Column("consumption_unit", ", ".join(services.CONSUMPTION_UNITS)),
    *_SHARED_TAIL,
)
_CYLINDERS_AFTER = "lox_unit"
PRODUCER_COLUMNS = (
    Column("producer", gettext_lazy("producer code")),
    Column("report_date", "yyyy-mm-dd"),
    Column("as_of", gettext_lazy("yyyy-mm-dd hh:mm, local time (optional)")),
    Column("product", gettext_lazy("product code")),
    Column("produced", gettext_lazy("number, in unit")),
    Column("stock", gettext_lazy("number, in unit")),
    Column("available_tomorrow", gettext_lazy("number, in unit")),
    Column("unit", gettext_lazy("the product's unit; LOX also t, L, kL")),
    Column("downtime_hours", gettext_lazy("hours (0–24)")),
    Column("downtime_cause", gettext_lazy("none, maintenance, breakdown, power, …")),
    *_SHARED_TAIL,
)
# Producer columns that belong to the day's report, not to one product line.
_REPORT_LEVEL = (
    "as_of",
    "downtime_hours",
    "downtime_cause",
    "notes",
    "reported_by_name",
    "correction_reason",
)


def facility_columns(cylinder_codes: Sequence[str] | None = None) -> list[Column]:
    """The facility file's columns, with a group of three per cylinder type."""
    if cylinder_codes is None:
        cylinder_codes = list(reg.CylinderType.objects.values_list("code", flat=True))
    out: list[Column] = []
    for column in FACILITY_COLUMNS:
        out.append(column)
        if column.name == _CYLINDERS_AFTER:
            for code in cylinder_codes:
                out += [
                    Column(f"cyl_{code}_full", gettext_lazy("full cylinders")),
                    Column(f"cyl_{code}_empty", gettext_lazy("empty cylinders")),
                    Column(f"cyl_{code}_used", gettext_lazy("emptied since the last report")),
                ]
    return out


class UploadRejected(ImportRejected):
    """Nothing was stored: ``problems`` says why, ``too_large`` if the file was refused
    for its size."""

    def __init__(self, problems: Sequence[Problem], *, too_large: bool = False) -> None:
        super().__init__(problems)
        self.too_large = too_large


@dataclass(frozen=True)
class FlaggedRow:
    """A stored report with plausibility flags, by the (first) row that gave it."""

    row: int
    site: str
    flags: list[dict[str, Any]]


@dataclass
class UploadResult:
    """What an upload stored: new reports, of which corrections, and rows seen before."""

    kind: str
    stored: int = 0
    corrections: int = 0
    unchanged: int = 0
    flagged: list[FlaggedRow] = field(default_factory=list)


def can_upload(user: Any) -> bool:
    """Ministry, coordinators and site staff may upload (each for the sites they edit)."""
    scope = scopes.scope_for(user)
    return scope.superuser or scope.role in (
        Role.MINISTRY,
        Role.COORDINATOR,
        Role.FACILITY_STAFF,
        Role.PRODUCER_STAFF,
    )


def format_of(name: str) -> str | None:
    """``csv`` or ``xlsx`` from a file name, or None for any other ending."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return suffix if suffix in FORMATS else None


def import_reports(
    file: IO[bytes] | bytes, fmt: str, user: Any, *, now: datetime | None = None
) -> UploadResult:
    """Store every report of a file, or none.

    ``now`` is the time of receipt (the services refuse report days after it).

    Raises
    ------
    UploadRejected
        With every problem (row, column, value, reason) if any row cannot be stored,
        the file cannot be read, or it is too large (``too_large``).
    PermissionDenied
        If the user's role may not report at all.
    """
    if not can_upload(user):
        raise PermissionDenied(_("Your role may not submit reports."))
    data = file if isinstance(file, bytes) else file.read()
    sheet = read_sheet(data, fmt)
    upload_cls = _FacilityUpload if sheet.kind == FACILITY else _ProducerUpload
    return upload_cls(sheet, user, now or timezone.now()).run()


# ------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Sheet:
    """A file as read: its kind, header (lower case) and data rows."""

    kind: str
    columns: tuple[str, ...]
    cylinder_types: tuple[str, ...]  # catalogue codes, in the order of their columns
    rows: tuple[RowIn, ...]


def _file_problem(reason: str, row: int = 0, column: str = "") -> Problem:
    return Problem("", row, column, column, reason)


def read_sheet(data: bytes, fmt: str) -> Sheet:
    """Read the first sheet of an XLSX workbook or a UTF-8 CSV file (comma or semicolon).

    Raises :class:`UploadRejected` for a file of another kind, too large, unreadable, or
    with a header that names unknown columns or lacks the site or day.
    """
    if fmt not in FORMATS:
        raise UploadRejected([_file_problem(_("Upload a file ending in .csv or .xlsx."))])
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected([_file_problem(_too_large_reason())], too_large=True)
    workbook = None
    try:
        if fmt == "csv":
            records, decimal_comma = _csv_records(data)
        else:
            workbook = _open_workbook(data)
            worksheet = workbook.worksheets[0]
            worksheet.reset_dimensions()  # trust the cells, not the stated size
            records, decimal_comma = worksheet.iter_rows(values_only=True), False
        return _sheet(records, fmt == "csv", decimal_comma)
    except (csv.Error, SyntaxError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        # csv.Error from CSV; XML (SyntaxError) and zip errors from a damaged workbook.
        raise UploadRejected(
            [_file_problem(_("The file could not be read: %(e)s") % {"e": exc})]
        ) from None
    finally:
        if workbook is not None:
            workbook.close()


def _too_large_reason() -> str:
    return _("The file is too large: at most %(mb)s MB and %(rows)s rows.") % {
        "mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "rows": f"{MAX_ROWS:,}",
    }


def _csv_records(data: bytes) -> tuple[Iterator[Sequence[object]], bool]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRejected(
            [_file_problem(_("The file is not UTF-8 text (byte %(at)s).") % {"at": exc.start})]
        ) from None
    first_line = text.split("\n", 1)[0]
    # French and Vietnamese spreadsheets save CSV with semicolons and decimal commas.
    semicolon = first_line.count(";") > first_line.count(",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if semicolon else ",")
    return reader, semicolon


def _open_workbook(data: bytes) -> Any:
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise UploadRejected(
            [_file_problem(_("The file is not a readable XLSX workbook."))]
        ) from None


def _sheet(records: Iterator[Sequence[object]], from_csv: bool, decimal_comma: bool) -> Sheet:
    header = [str(c).strip().lower() if not blank(c) else "" for c in next(records, ())]
    kind = FACILITY if FACILITY in header else PRODUCER if PRODUCER in header else ""
    if not kind or (FACILITY in header and PRODUCER in header):
        raise UploadRejected(
            [
                _file_problem(
                    _(
                        "The first row must name the columns, with either a facility column "
                        "(facility reports) or a producer column (producer reports)."
                    ),
                    row=1,
                )
            ]
        )
    problems: list[Problem] = []
    types = {code.lower(): code for code in reg.CylinderType.objects.values_list("code", flat=True)}
    known = {c.name for c in (FACILITY_COLUMNS if kind == FACILITY else PRODUCER_COLUMNS)}
    positions: dict[str, int] = {}
    cylinder_types: list[str] = []
    for i, name in enumerate(header):
        cylinder = _CYLINDER_COLUMN.match(name) if kind == FACILITY else None
        if not name:
            continue
        if name in positions:
            problems.append(_file_problem(_("This column appears twice."), 1, name))
        elif cylinder is not None and cylinder[1] not in types:
            problems.append(
                _file_problem(
                    _("Unknown cylinder type “%(code)s”; known types: %(known)s.")
                    % {"code": cylinder[1], "known": ", ".join(sorted(types.values()))},
                    1,
                    name,
                )
            )
        elif cylinder is None and name not in known:
            columns = facility_columns(["TYPE"]) if kind == FACILITY else PRODUCER_COLUMNS
            problems.append(
                _file_problem(
                    _("Unknown column; the columns are: %(c)s.")
                    % {"c": ", ".join(c.name for c in columns)},
                    1,
                    name,
                )
            )
        else:
            positions[name] = i
            if cylinder is not None and types[cylinder[1]] not in cylinder_types:
                cylinder_types.append(types[cylinder[1]])
    needed = (kind, "report_date") + (("product",) if kind == PRODUCER else ())
    problems += [
        _file_problem(_("This required column is missing."), 1, c)
        for c in needed
        if c not in positions
    ]
    rows: list[RowIn] = []
    cells_read = 0
    for number, record in enumerate(records, start=2):
        cells_read += len(record)
        if all(blank(v) for v in record):
            continue  # spreadsheets keep formatted but empty rows
        if len(rows) >= MAX_ROWS or cells_read > MAX_CELLS:
            raise UploadRejected([_file_problem(_too_large_reason(), number)], too_large=True)
        if isinstance(record[0], str) and record[0].lstrip().startswith("#"):
            continue  # a comment, such as the template's row of units
        stray = [
            v for i, v in enumerate(record) if not blank(v) and (i >= len(header) or not header[i])
        ]
        if stray:
            problems.append(
                Problem(
                    "",
                    number,
                    "",
                    shown(stray[0]),
                    _("This value sits in a column with no name in the first row."),
                )
            )
        cells = {name: record[i] if i < len(record) else None for name, i in positions.items()}
        rows.append(RowIn("", number, cells, from_csv, decimal_comma))
    if problems:
        raise UploadRejected(problems)
    return Sheet(kind, tuple(positions), tuple(cylinder_types), tuple(rows))


# ---------------------------------------------------------------------------- importing


@dataclass
class _Report:
    """One report to submit: its site, day and the rows that give it (one for facilities)."""

    site: reg.Site
    report_date: date
    rows: list[RowIn]
    # Producer files: the row giving each report-level cell (downtime, notes, …).
    carriers: dict[str, RowIn] = field(default_factory=dict)
    # Facility files: the cylinder types submitted, in the order the service numbers them.
    cylinder_codes: list[str] = field(default_factory=list)


class _Upload(abc.ABC):
    model: type[reg.Site]
    site_column: str

    def __init__(self, sheet: Sheet, user: Any, now: datetime) -> None:
        self.sheet = sheet
        self.user = user
        self.now = now
        self.problems: list[Problem] = []
        self.result = UploadResult(sheet.kind)
        codes = {self.text(row, self.site_column) for row in sheet.rows}
        self.sites: dict[str, reg.Site] = {}
        ordered = sorted(codes - {""})
        for start in range(0, len(ordered), 500):
            queryset = self.model._default_manager.select_related("region").filter(
                code__in=ordered[start : start + 500]
            )
            self.sites.update((s.code, s) for s in scopes.editable(queryset, user))

    def run(self) -> UploadResult:
        # In date order, so that each site's report follows the one of the day before.
        reports = sorted(self.plan(), key=lambda r: (r.report_date, r.rows[0].row))
        with transaction.atomic():
            for report, outcome in zip(reports, self.store(reports), strict=True):
                if isinstance(outcome, services.ReportRejected):
                    for path, messages in outcome.errors.items():
                        row, column = self.locate(report, path)
                        for message in messages:
                            self.problem(row, column, message)
                else:
                    self.count(report, outcome)
            if self.problems:
                self.problems.sort(key=lambda p: (p.row, self.order(p.field)))
                raise UploadRejected(self.problems)  # rolls back every report stored above
        self.result.flagged.sort(key=lambda f: f.row)
        return self.result

    def count(self, report: _Report, outcome: services.Outcome) -> None:
        if not outcome.created:
            self.result.unchanged += 1
        else:
            self.result.stored += 1
            if outcome.report.version > 1:
                self.result.corrections += 1
        if outcome.flags:
            flags = [
                {**flag, "column": self.locate(report, str(flag.get("field", "")))[1]}
                for flag in outcome.flags
            ]
            self.result.flagged.append(FlaggedRow(report.rows[0].row, report.site.code, flags))

    @abc.abstractmethod
    def plan(self) -> list[_Report]:
        """The file's rows grouped into reports, with each bad cell noted as a problem."""

    @abc.abstractmethod
    def store(self, reports: Sequence[_Report]) -> list[services.Outcome | services.ReportRejected]:
        """Submit the reports in order: each one's outcome, or why it was refused."""

    @abc.abstractmethod
    def locate(self, report: _Report, path: str) -> tuple[RowIn, str]:
        """The row and column that a service's field path refers to."""

    def order(self, column: str) -> int:
        columns = self.sheet.columns
        return columns.index(column) if column in columns else len(columns)

    def problem(self, row: RowIn, column: str, reason: str) -> None:
        value = shown(row.cells.get(column)) if column else ""
        self.problems.append(Problem("", row.row, column, value, reason))

    def site_and_day(self, row: RowIn) -> tuple[reg.Site, date] | None:
        code = self.text(row, self.site_column)
        site = self.sites.get(code)
        if not code:
            self.problem(row, self.site_column, _("This column needs a value."))
        elif site is None:
            self.problem(row, self.site_column, self.not_in_scope(code))
        day = self.day(row)
        return (site, day) if site is not None and day is not None else None

    def not_in_scope(self, code: str) -> str:
        """The same words whether the code is unknown or out of the user's scope."""
        return _("There is no %(what)s with code %(code)s in your scope.") % {
            "what": self.model._meta.verbose_name,
            "code": code,
        }

    def submission(
        self, rows: Sequence[RowIn], carrier: dict[str, RowIn] | None = None
    ) -> services.Submission:
        row = rows[0]

        def text(column: str) -> str:
            return self.text((carrier or {}).get(column, row), column)

        # The key is the report's own content, not its place in a file: uploading the
        # same figures again (in this file or an edited copy) stores nothing new, and a
        # changed row is a correction.
        # Blank cells and the reason are left out: adding a reason column to an edited
        # copy must not turn its unchanged rows into corrections.
        content = repr(
            [
                sorted(
                    (str(k), str(v))
                    for k, v in r.cells.items()
                    if v not in (None, "") and k != "correction_reason"
                )
                for r in rows
            ]
        )
        return services.Submission(
            user=self.user,
            key="upload-" + hashlib.sha256(content.encode()).hexdigest(),
            channel=Channel.UPLOAD,
            reported_by_name=text("reported_by_name"),
            correction_reason=text("correction_reason"),
            now=self.now,
        )

    # --- cells

    @staticmethod
    def text(row: RowIn, column: str) -> str:
        raw = row.cells.get(column)
        return "" if blank(raw) else as_text(raw, row)

    @staticmethod
    def figure(row: RowIn, column: str) -> Any:
        """A number as typed, for the service to check: blank is None; text is cleaned of
        thousands spaces and, in a semicolon CSV, of its decimal comma."""
        raw = row.cells.get(column)
        if blank(raw):
            return None
        if not isinstance(raw, str):
            return raw
        text = re.sub(r"[\s\u00a0\u202f]", "", raw)
        if row.decimal_comma and "," in text and "." not in text:
            text = text.replace(",", ".")
        return text

    def day(self, row: RowIn) -> date | None:
        raw = row.cells.get("report_date")
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = "" if blank(raw) else str(raw).strip()
        if _DATE.match(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass  # well formed but impossible, such as 2021-02-30: refused below
        self.problem(row, "report_date", _("Expected a date as yyyy-mm-dd."))
        return None

    def as_of(self, row: RowIn, site: reg.Site) -> datetime | None:
        """A time of reading; without an offset it is the site's local time."""
        raw = row.cells.get("as_of")
        if blank(raw):
            return None
        when = raw if isinstance(raw, datetime) else None
        text = str(raw).strip()
        if when is None and _DATE_TIME.match(text):
            try:
                when = datetime.fromisoformat(text)
            except ValueError:
                when = None  # well formed but impossible: refused below
        if when is None:
            self.problem(
                row,
                "as_of",
                _(
                    "Expected a date and time as yyyy-mm-dd hh:mm (local time, or with its "
                    "offset such as +01:00)."
                ),
            )
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=ZoneInfo(services.site_calendar(site).time_zone))
        return when


# ----------------------------------------------------------------------- facility files


class _FacilityUpload(_Upload):
    model = reg.Facility
    site_column = FACILITY
    # Cells a template row comes filled with: a row with nothing else holds no report.
    _PREFILLED = frozenset({FACILITY, "report_date", "as_of", "lox_tank", "lox_unit"})

    def plan(self) -> list[_Report]:
        reports: list[_Report] = []
        seen: dict[tuple[int, date], RowIn] = {}
        for row in self.sheet.rows:
            found = self.site_and_day(row)
            if found is None:
                continue
            site, day = found
            if (site.pk, day) in seen:
                first = seen[(site.pk, day)]
                self.problem(
                    row,
                    FACILITY,
                    _(
                        "Rows %(first)s and %(row)s are both for %(site)s on %(day)s; give one "
                        "row per facility and day."
                    )
                    % {"first": first.row, "row": row.row, "site": site.code, "day": day},
                )
                continue
            seen[(site.pk, day)] = row
            if all(blank(v) for c, v in row.cells.items() if c not in self._PREFILLED):
                self.problem(row, "", _("This row holds no figures: fill it in or delete it."))
                continue
            reports.append(_Report(site, day, [row]))
        return reports

    def store(self, reports: Sequence[_Report]) -> list[services.Outcome | services.ReportRejected]:
        # One set for the whole file: the path batches take, far cheaper per report than
        # one call each, with the same rules (submit_facility_report goes the same way).
        items = [
            ingest.FacilityItem(r.site, self.data(r), self.submission(r.rows)) for r in reports
        ]
        out: list[services.Outcome | services.ReportRejected] = []
        for report, outcome in zip(
            reports, ingest.ingest_facility_reports(items, now=self.now), strict=True
        ):
            if outcome.forbidden:
                out.append(
                    services.ReportRejected({FACILITY: [self.not_in_scope(report.site.code)]})
                )
            elif outcome.errors:
                out.append(services.ReportRejected(outcome.errors))
            else:
                assert outcome.report is not None
                out.append(services.Outcome(outcome.report, outcome.created, outcome.flags))
        return out

    def data(self, report: _Report) -> services.FacilityReportIn:
        row = report.rows[0]
        tanks = []
        if not blank(row.cells.get("lox_level")):
            tanks.append(
                services.TankLevelIn(
                    self.figure(row, "lox_level"),
                    self.text(row, "lox_unit"),
                    self.text(row, "lox_tank"),
                )
            )
        cylinders = []
        for code in self.sheet.cylinder_types:
            full, empty, used = (self.figure(row, f"cyl_{code.lower()}_{p}") for p in _PARTS)
            if (full, empty, used) != (None, None, None):
                cylinders.append(services.CylindersIn(code, full, empty, used))
        report.cylinder_codes = [c.cylinder_type for c in cylinders]
        return services.FacilityReportIn(
            report_date=report.report_date,
            as_of=self.as_of(row, report.site),
            **{name: self.figure(row, name) for name in _FACILITY_COUNTS},
            lox_tanks=tanks,
            cylinders=cylinders,
            psa_status=self.text(row, "psa_status") or PsaStatus.NONE,
            psa_output=self.figure(row, "psa_output_m3_per_h"),
            psa_output_unit="m3/h",
            consumption=self.figure(row, "consumption"),
            consumption_unit=self.text(row, "consumption_unit"),
            notes=self.text(row, "notes"),
        )

    def locate(self, report: _Report, path: str) -> tuple[RowIn, str]:
        head, _dot, rest = path.partition(".")
        column = head
        if head == "lox_tanks":
            column = {"tank": "lox_tank", "unit": "lox_unit"}.get(
                rest.rpartition(".")[2], "lox_level"
            )
        elif head == "cylinders":
            index, _dot, part = rest.partition(".")
            code = report.cylinder_codes[int(index)]
            column = f"cyl_{code.lower()}_{part if part in _PARTS else 'full'}"
        elif head in ("psa_output", "psa_output_unit"):
            column = "psa_output_m3_per_h"
        elif head == "submission_key":
            column = ""
        return report.rows[0], column


_PARTS = ("full", "empty", "used")
_FACILITY_COUNTS = (
    "patients_low_flow",
    "patients_high_flow",
    "patients_ventilated",
    "beds_occupied",
    "beds_occupied_oxygen",
    "beds_occupied_icu",
    "concentrators_in_use",
    "concentrators_idle",
    "concentrators_broken",
)


# ----------------------------------------------------------------------- producer files


class _ProducerUpload(_Upload):
    model = reg.Producer
    site_column = PRODUCER

    def plan(self) -> list[_Report]:
        groups: dict[tuple[int, date], _Report] = {}
        products: dict[tuple[int, date, str], RowIn] = {}
        for row in self.sheet.rows:
            found = self.site_and_day(row)
            if found is None:
                continue
            site, day = found
            product = self.text(row, "product")
            if product and (site.pk, day, product) in products:
                first = products[(site.pk, day, product)]
                self.problem(
                    row,
                    "product",
                    _(
                        "Rows %(first)s and %(row)s both give %(product)s for %(site)s on %(day)s; "
                        "give one row per producer, day and product."
                    )
                    % {
                        "first": first.row,
                        "row": row.row,
                        "product": product,
                        "site": site.code,
                        "day": day,
                    },
                )
                continue
            products[(site.pk, day, product)] = row
            groups.setdefault((site.pk, day), _Report(site, day, [])).rows.append(row)
        for report in groups.values():
            for column in _REPORT_LEVEL:
                self.carry(report, column)
        return list(groups.values())

    def carry(self, report: _Report, column: str) -> None:
        """Find the row giving a report-level cell; other rows leave it blank or repeat it."""
        given = [r for r in report.rows if not blank(r.cells.get(column))]
        if not given:
            return
        first = report.carriers[column] = given[0]
        for row in given[1:]:
            if self.text(row, column) != self.text(first, column):
                self.problem(
                    row,
                    column,
                    _(
                        "Row %(first)s gives “%(value)s” for this producer and day; give this "
                        "column once per day, or the same on every row."
                    )
                    % {"first": first.row, "value": shown(first.cells.get(column))},
                )

    def store(self, reports: Sequence[_Report]) -> list[services.Outcome | services.ReportRejected]:
        out: list[services.Outcome | services.ReportRejected] = []
        for report in reports:
            try:
                out.append(self.submit(report))
            except services.ReportRejected as exc:
                out.append(exc)
        return out

    def submit(self, report: _Report) -> services.Outcome:
        carriers = report.carriers
        first = report.rows[0]

        def shared(column: str) -> RowIn:
            return carriers.get(column, first)

        data = services.ProducerReportIn(
            report_date=report.report_date,
            lines=[
                services.ProductLineIn(
                    product=self.text(row, "product"),
                    produced=self.figure(row, "produced"),
                    stock=self.figure(row, "stock"),
                    available_tomorrow=self.figure(row, "available_tomorrow"),
                    unit=self.text(row, "unit"),
                )
                for row in report.rows
            ],
            as_of=self.as_of(shared("as_of"), report.site),
            downtime_hours=self.figure(shared("downtime_hours"), "downtime_hours") or 0,
            downtime_cause=self.text(shared("downtime_cause"), "downtime_cause") or "none",
            notes=self.text(shared("notes"), "notes"),
        )
        return services.submit_producer_report(
            producer=report.site,
            data=data,
            submission=self.submission(report.rows, carriers),
        )

    def locate(self, report: _Report, path: str) -> tuple[RowIn, str]:
        head, _dot, rest = path.partition(".")
        if head == "lines":
            index, _dot, column = rest.partition(".")
            if index.isdigit():
                return report.rows[int(index)], column or "product"
            return report.rows[0], "product"
        if head == "submission_key":
            return report.rows[0], ""
        return report.carriers.get(head, report.rows[0]), head


# ----------------------------------------------------------------------------- template


def template_rows(kind: str, user: Any, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Rows to pre-fill a template with: the user's active sites, today's local date."""
    now = now or timezone.now()
    model = reg.Facility if kind == FACILITY else reg.Producer
    queryset: models.QuerySet[Any] = model._default_manager.filter(retired_on__isnull=True)
    queryset = scopes.editable(queryset.select_related("region"), user).order_by("code")
    rows: list[dict[str, Any]] = []
    if kind == FACILITY:
        for facility in queryset.prefetch_related("lox_tanks"):
            tanks = list(facility.lox_tanks.all())
            rows.append(
                {
                    FACILITY: facility.code,
                    "report_date": services.site_calendar(facility).local_date(now),
                    "lox_tank": tanks[0].name if len(tanks) == 1 else "",
                    "lox_unit": "%" if tanks else "",
                }
            )
        return rows
    for producer in queryset.prefetch_related("capacities__product"):
        day = services.site_calendar(producer).local_date(now)
        products = sorted({c.product for c in producer.capacities.all()}, key=lambda p: p.code)
        for product in products or [None]:
            rows.append(
                {
                    PRODUCER: producer.code,
                    "report_date": day,
                    "product": product.code if product else "",
                    "unit": product.unit_of_issue if product else "",
                }
            )
    return rows


def template(kind: str, fmt: str, user: Any, *, now: datetime | None = None) -> bytes:
    """A file to fill in: the columns, a comment row of units, a row per site in scope.

    Raises ``ValueError`` for an unknown kind or format.
    """
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"Unknown kind or format: {kind!r}, {fmt!r}")
    columns = facility_columns() if kind == FACILITY else list(PRODUCER_COLUMNS)
    names = [c.name for c in columns]
    hints = ["# " + str(columns[0].hint), *(str(c.hint) for c in columns[1:])]
    rows = [[row.get(name) for name in names] for row in template_rows(kind, user, now=now)]
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerows([names, hints])
        writer.writerows([v.isoformat() if isinstance(v, date) else v for v in r] for r in rows)
        return out.getvalue().encode("utf-8-sig")  # the BOM tells Excel it is UTF-8
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    ws = workbook.active
    ws.title = _("reports")[:31]  # the longest sheet name Excel accepts
    ws.append(names)
    ws.append(hints)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws[2]:
        cell.font = Font(italic=True, color="666666")
    day_column = names.index("report_date") + 1
    for row in rows:
        ws.append(row)
        ws.cell(ws.max_row, day_column).number_format = "yyyy-mm-dd"
    ws.freeze_panes = "B3"
    for i, name in enumerate(names, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(name) + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
