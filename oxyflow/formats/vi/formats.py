"""Vietnamese number format: Django's, with thousands grouped (1.234,5) as written in Viet Nam."""

from __future__ import annotations

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3
