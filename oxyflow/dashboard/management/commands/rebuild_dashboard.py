"""Rebuild the dashboard's derived daily figures from the reports."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from oxyflow.dashboard import snapshots


class Command(BaseCommand):
    help = "Rebuild every facility's daily dashboard figures from the current reports."

    def handle(self, *args: Any, **options: Any) -> None:
        written = snapshots.rebuild_all()
        self.stdout.write(self.style.SUCCESS(f"{written} facility-days rebuilt from the reports."))
