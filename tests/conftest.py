from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# CI runs fewer examples per property so the whole suite stays within its time budget.
settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    from tests.factories import build_world

    return build_world()


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    # A request in Arabic leaves Arabic active in the test's thread (the locale
    # middleware activates a language and never deactivates it): start each test afresh.
    from django.conf import settings as django_settings
    from django.utils import translation

    with translation.override(django_settings.LANGUAGE_CODE):
        yield
