"""Reporting calendar pages, included under ``/reports/``."""

from __future__ import annotations

from django.urls import path

from oxyflow.reporting import calendar_views

app_name = "reporting_calendar"
urlpatterns = [
    path("missing/", calendar_views.missing_reports, name="missing"),
]
