"""Daily situation report pages, included under ``/sitrep/``."""

from __future__ import annotations

from django.urls import path

from oxyflow.sitrep import views

app_name = "sitrep"
urlpatterns = [
    path("", views.report_page, name="report"),
    path("report.pdf", views.report_pdf, name="pdf"),
    path("report.csv", views.report_csv, name="csv"),
]
