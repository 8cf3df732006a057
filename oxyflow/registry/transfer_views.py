from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def transfer(request: HttpRequest) -> HttpResponse:  # replaced by the import/export work
    return HttpResponseNotFound()


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    return HttpResponseNotFound()
