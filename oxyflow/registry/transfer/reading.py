"""Reading a CSV or XLSX file into rows by kind, checking its header rows."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from oxyflow.registry.transfer.cells import blank, shown
from oxyflow.registry.transfer.results import ImportRejected, Problem, RowIn
from oxyflow.registry.transfer.sheets import (
    FORMATS,
    KINDS,
    MAX_CELLS,
    MAX_ROWS,
    SHEETS,
    SheetSpec,
)


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
            if all(blank(v) for v in record):
                continue  # spreadsheets keep formatted but empty rows
            stray = [v for i, v in enumerate(record) if not blank(v) and not _at(header, i)]
            if stray:
                problems.append(
                    Problem(
                        kind,
                        number,
                        "",
                        shown(stray[0]),
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
