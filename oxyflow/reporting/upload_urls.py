"""The report upload page and its templates, included under ``/reports/upload/``."""

from __future__ import annotations

from django.urls import path

from oxyflow.reporting import upload_views

app_name = "reporting_upload"
urlpatterns = [
    path("", upload_views.upload_reports, name="upload"),
    path("template/<str:kind>.<str:fmt>", upload_views.download_template, name="template"),
]
