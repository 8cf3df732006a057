"""Daily situation report pages, included under ``/sitrep/``."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "sitrep"
urlpatterns: list[URLPattern] = []
