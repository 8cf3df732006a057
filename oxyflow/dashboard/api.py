"""Dashboard pages, included under ``/dashboard/``. (API under /api/v1/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["dashboard"])
