"""Four languages: English, French, Arabic (right to left) and Vietnamese."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import World

pytestmark = pytest.mark.django_db

LANGS = ("en", "fr", "ar", "vi")


def client_in(language: str, user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "direction", "word"),
    [
        ("en", "ltr", "Sites"),
        ("fr", "ltr", "Sites"),
        ("ar", "rtl", "المواقع"),
        ("vi", "ltr", "Địa điểm"),
    ],
)
def test_pages_carry_language_and_direction(
    world: World, language: str, direction: str, word: str
) -> None:
    html = client_in(language, world.coordinator).get(reverse("registry:sites")).content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert word in html


def test_the_language_switcher_remembers_the_choice(world: World) -> None:
    client = client_in("en", world.coordinator)
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/sites/"})
    assert response.status_code == 302
    assert 'dir="rtl"' in client.get("/sites/").content.decode()


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Facilities"),
        ("fr", "Établissements"),
        ("ar", "المنشآت الصحية"),
        ("vi", "Cơ sở y tế"),
    ],
)
def test_admin_lists_the_registry_in_each_language(world: World, language: str, title: str) -> None:
    response = client_in(language, world.ministry).get(
        reverse("admin:registry_facility_changelist")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "DZ-CHU-BATNA" in html
    assert title in html
    if language == "ar":
        assert 'dir="rtl"' in html


@pytest.mark.parametrize("language", LANGS)
def test_every_choice_label_is_translated(language: str) -> None:
    from oxyflow.registry import models as reg

    if language == "en":
        return
    with translation.override(language):
        for choices in (
            reg.RegionLevel,
            reg.SiteKind,
            reg.FacilityType,
            reg.ProducerType,
            reg.VehicleKind,
        ):
            for value, label in choices.choices:
                with translation.override("en"):
                    english = str(dict(choices.choices)[value])
                assert str(label) != english or value in ("psa",), (
                    choices.__name__,
                    value,
                    language,
                )


def test_vietnamese_admin_strings_missing_from_django_are_supplied(world: World) -> None:
    with translation.override("vi"):
        assert translation.gettext("Toggle navigation") != "Toggle navigation"


def test_numbers_and_dates_follow_the_locale() -> None:
    from datetime import date

    from django.utils.formats import date_format, number_format

    with translation.override("fr"):
        assert number_format(1234.5, 1, force_grouping=True) == "1\xa0234,5"
        assert date_format(date(2021, 7, 5)) == "5 juillet 2021"
    with translation.override("vi"):
        assert number_format(1234.5, 1, force_grouping=True) == "1.234,5"
