from __future__ import annotations

from django.urls import path

from oxyflow.scenarios import views

app_name = "scenarios"
urlpatterns = [
    path("", views.run, name="run"),
    path("export.json", views.export, name="export"),
]
