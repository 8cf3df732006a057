"""Alert pages, included under ``/alerts/``. (API under /api/v1/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["alerts"])
