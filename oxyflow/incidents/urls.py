"""Incident (obstacle) pages, included under ``/incidents/``."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "incidents"
urlpatterns: list[URLPattern] = []
