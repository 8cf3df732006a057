"""Dashboard pages, included under ``/dashboard/``."""

from __future__ import annotations

from django.urls import path

from oxyflow.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="index"),
    path("facilities/<str:code>/", views.facility, name="facility"),
]
