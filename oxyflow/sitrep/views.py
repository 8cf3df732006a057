"""The daily situation report as a page, a PDF and a CSV file, in the reader's language.

The three answer to the same parameters (``region``, ``day`` as YYYY-MM-DD) and render
the same :class:`~oxyflow.sitrep.report.SituationReport`. A region the user may not look
at is a 404; a day that is not a day, or is in the future, is a 400 with a message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from oxyflow.dashboard import services
from oxyflow.sitrep import export, pdf
from oxyflow.sitrep.report import ReportDayError, SituationReport, build_for, parse_day


def now() -> datetime:
    """The pages' clock (tests set their own)."""
    return timezone.now()


def _scope(request: HttpRequest) -> services.DashboardScope:
    try:
        return services.resolve_scope(request.user, request.GET.get("region") or None)
    except services.DashboardError as exc:
        raise Http404(str(exc)) from exc


def _report(request: HttpRequest) -> tuple[services.DashboardScope, SituationReport | str]:
    """The scope, then the report or the message saying why the day is refused."""
    dash = _scope(request)
    clock = now()
    try:
        day = parse_day(request.GET.get("day"), dash.today(clock))
        return dash, build_for(dash, day, clock)
    except ReportDayError as exc:
        return dash, str(exc)


def _filename(report: SituationReport, extension: str) -> str:
    # Codes are letters, digits and hyphens: safe in a header without quoting rules.
    region = "".join(c for c in report.region_code if c.isalnum() or c in "-_")
    return f"sitrep-{region}-{report.day.isoformat()}-{report.language}.{extension}"


def _refused(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    dash, found = _report(request)
    context: dict[str, Any] = {
        "region": dash.region,
        "crumbs": services.breadcrumbs(dash),
        "children": services.subregions(dash),
        "day_text": request.GET.get("day", ""),
    }
    if isinstance(found, str):
        context.update({"error": found, "report": None})
        return render(request, "sitrep/report.html", context, status=400)
    query = "?" + urlencode({"region": found.region_code, "day": found.day.isoformat()})
    context.update(
        {
            "report": found,
            "day_text": found.day.isoformat(),
            "pdf_url": reverse("sitrep:pdf") + query,
            "csv_url": reverse("sitrep:csv") + query,
        }
    )
    return render(request, "sitrep/report.html", context)


@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    _dash, found = _report(request)
    if isinstance(found, str):
        return _refused(found)
    html = render_to_string("sitrep/print.html", {"report": found}, request=request)
    try:
        document = pdf.render(html, base_url=request.build_absolute_uri("/"))
    except pdf.PdfUnavailable:
        return HttpResponse(
            _(
                "PDF reports cannot be made on this server: WeasyPrint's system libraries "
                "are missing (%(packages)s). The page and the CSV file still work."
            )
            % {"packages": pdf.SYSTEM_PACKAGES},
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(found, "pdf")}"'
    response["Content-Language"] = get_language()
    return response


@login_required
def report_csv(request: HttpRequest) -> HttpResponse:
    _dash, found = _report(request)
    if isinstance(found, str):
        return _refused(found)
    # The byte-order mark tells Excel the file is UTF-8 (Arabic, Vietnamese).
    body = "\ufeff" + export.csv_text(found)
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(found, "csv")}"'
    response["Content-Language"] = get_language()
    return response
