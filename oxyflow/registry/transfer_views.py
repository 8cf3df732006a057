"""The import/export page and the registry download (see :mod:`oxyflow.registry.transfer`)."""

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

from oxyflow.registry import transfer as pipeline

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV or XLSX, at most 5 MB."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("What a CSV file holds"),
        required=False,
        help_text=gettext_lazy("An XLSX workbook names its sheets after what they hold."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run (validate only)"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            ("", "—"),
            *((kind, spec.label) for kind, spec in pipeline.SHEETS.items()),
        ]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if self.format_of(upload.name) is None:
            raise forms.ValidationError(_("Upload a file ending in .csv or .xlsx."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None and self.format_of(upload.name) == "csv" and not data.get("kind"):
            self.add_error("kind", _("Say what the CSV file holds."))
        return data

    @staticmethod
    def format_of(name: str) -> str | None:
        suffix = PurePath(name).suffix.lower().lstrip(".")
        return suffix if suffix in pipeline.FORMATS else None


@login_required
def transfer(request: HttpRequest) -> HttpResponse:
    may_import = pipeline.can_import(request.user)
    form = ImportForm()
    problems: list[pipeline.Problem] = []
    result: pipeline.ImportResult | None = None
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied(_("Your role may read the registry but not import into it."))
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            name = PurePath(upload.name).name
            try:
                result = pipeline.import_file(
                    upload.read(),
                    ImportForm.format_of(name) or "",
                    request.user,
                    kind=form.cleaned_data["kind"] or None,
                    source=name,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except pipeline.ImportRejected as exc:
                problems = exc.problems
            else:
                logger.info("registry import %s by %s: %s", name, request.user, result.counts)
    return render(
        request,
        "registry/transfer.html",
        {
            "form": form,
            "can_import": may_import,
            "problems": problems,
            "result": result,
            "result_rows": [
                (pipeline.SHEETS[kind].label, c)
                for kind, c in (result.counts if result else {}).items()
            ],
            "sheets": [
                (spec, [(c, c in spec.required_columns) for c in spec.column_names])
                for spec in pipeline.SHEETS.values()
            ],
        },
    )


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    kind = request.GET.get("kind")
    if fmt not in pipeline.FORMATS or (kind is not None and kind not in pipeline.SHEETS):
        raise Http404
    if fmt == "csv" and kind is None:
        raise Http404
    kinds = [kind] if kind else []
    today = timezone.localdate().isoformat()
    filename = (
        f"oxyflow-registry-{kind}-{today}.{fmt}" if kind else f"oxyflow-registry-{today}.{fmt}"
    )
    response = HttpResponse(
        pipeline.export(kinds, request.user, fmt), content_type=CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
