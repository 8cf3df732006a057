"""Arabic number format: Django's, with thousands grouped so large volumes stay readable."""

from __future__ import annotations

from django.conf.locale.ar.formats import *  # noqa: F403

NUMBER_GROUPING = 3
