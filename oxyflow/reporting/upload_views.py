"""The page for uploading many sites' daily reports at once, and its templates to fill in.

The import itself is :mod:`oxyflow.reporting.upload`; this module only reads the form,
shows the result or every problem, and serves the pre-filled templates. Viewers and
users without a role get 403.
"""

from __future__ import annotations

import logging
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oxyflow.reporting import upload

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV or XLSX, at most 5 MB and 20,000 rows."),
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > upload.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": upload.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        if upload.format_of(file.name) is None:
            raise forms.ValidationError(_("Upload a file ending in .csv or .xlsx."))
        return file


def _check_may_upload(request: HttpRequest) -> None:
    if not upload.can_upload(request.user):
        raise PermissionDenied(_("Your role may not submit reports."))


@login_required
def upload_reports(request: HttpRequest) -> HttpResponse:
    _check_may_upload(request)
    form = UploadForm()
    problems: list[Any] = []
    result: upload.UploadResult | None = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            file = form.cleaned_data["file"]
            name = PurePath(file.name).name
            try:
                result = upload.import_reports(
                    file.read(), upload.format_of(name) or "", request.user
                )
            except upload.UploadRejected as exc:
                problems = exc.problems
            else:
                logger.info(
                    "report upload %s by %s: %s stored, %s corrections, %s unchanged",
                    name,
                    request.user,
                    result.stored,
                    result.corrections,
                    result.unchanged,
                )
    return render(
        request,
        "reporting/upload.html",
        {
            "form": form,
            "problems": problems,
            "bad_rows": len({p.row for p in problems if p.row > 1}),
            "result": result,
            "flag_rows": [
                (row, flag) for row in (result.flagged if result else []) for flag in row.flags
            ],
            "facility_columns": upload.facility_columns(),
            "producer_columns": upload.PRODUCER_COLUMNS,
            "max_rows": upload.MAX_ROWS,
        },
    )


@login_required
def download_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    _check_may_upload(request)
    if kind not in upload.KINDS or fmt not in upload.FORMATS:
        raise Http404
    data = upload.template(kind, fmt, request.user)
    filename = f"oxyflow-{kind}-reports-{timezone.localdate().isoformat()}.{fmt}"
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
