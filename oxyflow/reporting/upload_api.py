"""``POST /api/v1/reports/upload``: many sites' daily reports in one CSV or XLSX file.

The same import as the upload page (:mod:`oxyflow.reporting.upload`): all rows or none,
each through the report services, idempotent per file. Problems answer 422 with one
item per problem, located as ``["file", row, column]`` (row as the spreadsheet numbers
it, header = 1; ``["file"]`` for the file as a whole).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from oxyflow.api import ErrorOut, error_body
from oxyflow.registry.transfer import Problem
from oxyflow.reporting import upload

router = Router(tags=["reporting"])


class UploadFlagOut(Schema):
    code: str
    field: str
    column: str
    value: float
    expected: float
    unit: str
    message: str


class FlaggedRowOut(Schema):
    row: int
    facility: str
    flags: list[UploadFlagOut]


class UploadOut(Schema):
    kind: str
    stored: int
    corrections: int
    unchanged: int
    flagged: list[FlaggedRowOut]


def _item(problem: Problem) -> dict[str, Any]:
    loc: list[str | int] = ["file"]
    if problem.row:
        loc.append(problem.row)
        if problem.field:
            loc.append(problem.field)
    item: dict[str, Any] = {"loc": loc, "msg": problem.reason, "type": "value_error"}
    if problem.value:
        item["input"] = problem.value
    return item


@router.post(
    "/reports/upload",
    response={
        201: UploadOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
    },
    url_name="upload_reports",
    summary="Upload many sites' daily reports in one CSV or XLSX file (all or nothing)",
    description=(
        "Multipart field `file`: a `.csv` (UTF-8) or `.xlsx` file of facility reports (a "
        "`facility` column, one row per facility and day) or producer reports (a `producer` "
        "column, one row per producer, day and product); the columns are in "
        "docs/report-upload.md. Every row is checked with the rules of the single-report "
        "endpoints. 201 when every row is stored (`stored` new reports, of which "
        "`corrections`; `unchanged` were stored before from the same file, which is "
        'idempotent); 422 with every problem at `loc` `["file", row, column]` and nothing '
        "stored; 413 for a file over 5 MB or 20,000 rows."
    ),
)
def upload_reports(request: HttpRequest, file: File[UploadedFile]) -> Any:
    if not upload.can_upload(request.user):
        raise PermissionDenied(_("Your role may not submit reports."))
    if (file.size or 0) > upload.MAX_UPLOAD_BYTES:
        return Status(
            413,
            error_body(
                ["file"],
                _("The file is larger than %(mb)s MB.")
                % {"mb": upload.MAX_UPLOAD_BYTES // (1024 * 1024)},
                "too_large",
            ),
        )
    fmt = upload.format_of(file.name or "")
    if fmt is None:
        return Status(
            422, error_body(["file"], _("Upload a file ending in .csv or .xlsx."), "value_error")
        )
    try:
        result = upload.import_reports(file.read(), fmt, request.user)
    except upload.UploadRejected as exc:
        return Status(413 if exc.too_large else 422, {"detail": [_item(p) for p in exc.problems]})
    return Status(
        201,
        {
            "kind": result.kind,
            "stored": result.stored,
            "corrections": result.corrections,
            "unchanged": result.unchanged,
            "flagged": [
                {"row": f.row, "facility": f.site, "flags": f.flags} for f in result.flagged
            ],
        },
    )
