"""Daily situation report pages, included under ``/sitrep/``. (API under /api/v1/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["sitrep"])
