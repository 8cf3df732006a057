"""The scenario page: the form, the figures of ``services.run``, the charts and the download."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from oxyflow.scenarios import services
from oxyflow.scenarios.views import nice_ticks
from tests.factories import World

pytestmark = pytest.mark.django_db

PAGE = "/scenarios/"


def client_for(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_page_lives_at_scenarios_run() -> None:
    assert reverse("scenarios:run") == PAGE
    assert reverse("scenarios:export") == "/scenarios/export.json"


def test_without_inputs_the_page_shows_the_form_and_no_figures(world: World) -> None:
    response = client_for(world.coordinator).get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="patients"' in html
    assert "<svg" not in html


def test_1000_patients_with_the_defaults_need_4320_m3_a_day(world: World) -> None:
    html = client_for(world.coordinator).get(PAGE, {"patients": "1000"}).content.decode()
    assert "4,320" in html
    assert "Nm³/day" in html
    assert "Basis:" in html
    assert "WHO" in html


def test_1000_oxygen_patients_75_percent_severe_need_21600_m3_and_30_87_tonnes(
    world: World,
) -> None:
    response = client_for(world.coordinator).get(
        PAGE, {"patients": "1000", "mix": "oxygen", "severe_share": "0.75"}
    )
    html = response.content.decode()
    assert "21,600" in html
    assert "30.87" in html


def test_numbers_follow_the_locale(world: World) -> None:
    html = client_for(world.coordinator, "fr").get(PAGE, {"patients": "1000"}).content.decode()
    assert "4\xa0320" in html or "4 320" in html


def test_the_json_download_equals_services_run(world: World) -> None:
    query = {"patients": "1000,5000", "mix": "oxygen", "severe_share": "0.5", "region": "DZ-05"}
    response = client_for(world.coordinator).get("/scenarios/export.json", query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    expected = services.run(
        services.ScenarioRequest(patients=(1000, 5000), mix="oxygen", severe_share=0.5),
        world.batna,
    )
    assert response.json() == expected


def test_the_page_links_to_the_download_with_the_same_query(world: World) -> None:
    html = client_for(world.coordinator).get(PAGE, {"patients": "1000,5000"}).content.decode()
    assert 'href="/scenarios/export.json?patients=1000%2C5000"' in html


def test_a_region_shows_both_districts_and_the_gap_column(world: World) -> None:
    response = client_for(world.coordinator).get(
        PAGE, {"patients": "5000", "region": "DZ-05", "spread": "beds"}
    )
    html = response.content.decode()
    assert "Batna (daïra)" in html
    assert "Barika" in html
    assert "Gap (Nm³/day)" in html
    assert "Binding constraint" in html
    # Barika has no contract: all its need is a gap, marked by class and text.
    assert 'class="gap"' in html
    assert "Shortfall" in html
    assert html.count("<svg") == 2


def test_a_region_outside_the_scope_is_not_a_valid_choice(world: World) -> None:
    response = client_for(world.coordinator).get(PAGE, {"patients": "1000", "region": "VN-70"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "“VN-70” is not a region in your scope." in html
    assert "Bình Phước" not in html
    assert "Đồng Xoài" not in html
    assert "<svg" not in html
    export = client_for(world.coordinator).get(
        "/scenarios/export.json", {"patients": "1000", "region": "VN-70"}
    )
    assert export.status_code == 422
    assert export.json()["detail"][0]["loc"] == ["query", "region"]


def test_region_choices_are_the_provinces_and_districts_in_scope(world: World) -> None:
    form = client_for(world.coordinator).get(PAGE).context["form"]
    codes = [r.code for r in form.fields["region"].queryset]
    assert codes == ["DZ-05", "DZ-05-01", "DZ-05-02"]


@pytest.mark.parametrize(
    ("patients", "message"),
    [
        ("10,-5", "-5 is out of range: each count must be between 0 and 10,000,000."),
        ("abc", "“abc” is not a whole number of patients."),
        ("1000,10000001", "10000001 is out of range"),
        (",".join(["1"] * 21), "Give at most 20 patient counts; you gave 21."),
    ],
)
def test_bad_patient_counts_are_a_field_error_naming_the_value(
    world: World, patients: str, message: str
) -> None:
    response = client_for(world.coordinator).get(PAGE, {"patients": patients})
    html = response.content.decode()
    assert message in html
    assert response.context["form"].errors["patients"]
    assert f'value="{patients}"' in html  # what was typed is kept
    assert "<svg" not in html


def test_spaces_inside_a_count_are_ignored(world: World) -> None:
    response = client_for(world.coordinator).get(PAGE, {"patients": "10 000, 1000"})
    assert response.context["result"]["scenarios"][0]["patients"] == 10_000


def test_an_out_of_range_number_names_the_field_value_and_limit(world: World) -> None:
    response = client_for(world.coordinator).get(
        PAGE, {"patients": "1000", "reserve_days": "120", "hfnc_l_per_min": "abc"}
    )
    errors = response.context["form"].errors
    assert errors["reserve_days"] == ["120 is above the maximum of 90."]
    assert errors["hfnc_l_per_min"] == ["“abc” is not a number."]
    html = response.content.decode()
    assert ">Reserve (days)</a>: 120 is above the maximum of 90." in html


def test_a_core_rule_is_shown_on_its_field(world: World) -> None:
    # The form allows 0 L/min; the core's flow rule (above 0) refuses it.
    response = client_for(world.coordinator).get(PAGE, {"patients": "10", "hfnc_l_per_min": "0"})
    [error] = response.context["form"].errors["hfnc_l_per_min"]
    assert error.startswith("“0” is not accepted: must be between 0 and 60 L/min")


def test_a_cylinder_type_adds_cylinder_rows(world: World) -> None:
    from oxyflow.registry import models as reg

    reg.CylinderType.objects.create(
        code="J", name="J (47 L)", water_capacity_l=47, fill_pressure_bar=150
    )
    html = (
        client_for(world.coordinator)
        .get(PAGE, {"patients": "1000", "cylinder_type": "J"})
        .content.decode()
    )
    assert "Cylinders in circulation" in html
    assert "Cylinders in circulation" not in (
        client_for(world.coordinator).get(PAGE, {"patients": "1000"}).content.decode()
    )


def test_the_outsider_is_told_they_have_no_role(world: World) -> None:
    response = client_for(world.outsider).get(PAGE, {"patients": "1000"})
    html = response.content.decode()
    assert "has no role yet" in html
    assert "4,320" not in html
    assert 'name="patients"' not in html
    export = client_for(world.outsider).get("/scenarios/export.json", {"patients": "1000"})
    assert export.status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_page_renders_right_to_left_in_arabic(world: World) -> None:
    response = client_for(world.coordinator, "ar").get(
        PAGE, {"patients": "1000", "region": "DZ-05"}
    )
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert 'direction="rtl"' in html
    assert "<h1>السيناريوهات</h1>" in html
    assert "Need (Nm³/day)" not in html


def test_the_chart_is_an_accessible_svg_with_unlocalised_geometry(world: World) -> None:
    html = (
        client_for(world.coordinator, "fr")
        .get(PAGE, {"patients": "1000,5000,10000"})
        .content.decode()
    )
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert '<title id="need-chart-title">' in svg
    assert "<desc" in svg
    assert "Nm³" in svg
    # Coordinates are plain SVG numbers even where the locale writes decimal commas.
    for value in re.findall(r' (?:x|y|width|height)="([^"]*)"', svg):
        float(value)


def test_the_chart_mirrors_in_right_to_left_pages(world: World) -> None:
    ltr = client_for(world.coordinator).get(PAGE, {"patients": "1000,5000"}).context
    rtl = client_for(world.coordinator, "ar").get(PAGE, {"patients": "1000,5000"}).context
    first_ltr, first_rtl = ltr["need_chart"].rects[0], rtl["need_chart"].rects[0]
    width = ltr["need_chart"].width
    assert first_rtl["x"] == pytest.approx(width - first_ltr["x"] - first_ltr["w"], abs=0.2)


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (4320, [0, 1000, 2000, 3000, 4000, 5000]),
        (0, [0, 1]),
        (21600, [0, 5000, 10000, 15000, 20000, 25000]),
    ],
)
def test_axis_ticks_are_round_and_cover_the_top(top: float, ticks: list[float]) -> None:
    assert nice_ticks(top) == ticks
