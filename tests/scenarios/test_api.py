"""The engine over HTTP: same numbers as the core, same 422 shape for broken rules."""

from __future__ import annotations

import pytest
from django.test import Client

from oxyflow.accounts.models import ApiToken
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world: World) -> Client:
    _token, raw = ApiToken.issue(user=world.coordinator, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, path: str, body: dict) -> object:  # type: ignore[type-arg]
    return client.post(f"/api/v1/{path}", body, content_type="application/json")


def test_demand_of_150_severe_and_50_critical_is_4320_m3_a_day(api: Client) -> None:
    body = post(api, "demand", {"low_flow": 150, "high_flow": 17, "ventilated": 33}).json()
    assert body["oxygen_m3_per_day"] == 4320.0
    assert body["oxygen_m3_per_day_low"] < 4320 < body["oxygen_m3_per_day_high"]
    assert body["reference_conditions"] == "normal"
    assert "WHO" in body["basis"]


def test_the_india_profile_counts_critical_patients_at_24_litres_a_minute(api: Client) -> None:
    body = post(
        api, "demand", {"low_flow": 0, "high_flow": 0, "ventilated": 10, "profile": "india"}
    ).json()
    assert body["oxygen_m3_per_day"] == pytest.approx(10 * 24 * 1.44, abs=0.1)


def test_a_negative_census_is_a_422_naming_the_field(api: Client) -> None:
    response = post(api, "demand", {"low_flow": -1, "high_flow": 0, "ventilated": 0})
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == ["body", "low_flow"]
    assert item["input"] == -1


def test_scenarios_reproduce_the_hand_worked_cases(api: Client) -> None:
    body = post(api, "scenarios", {"patients": [1000]}).json()
    assert body["scenarios"][0]["oxygen_m3_per_day"] == 4320.0
    assert body["scenarios"][0]["districts"] == []
    oxygen = post(
        api, "scenarios", {"patients": [1000], "mix": "oxygen", "severe_share": 0.75}
    ).json()
    assert oxygen["scenarios"][0]["oxygen_m3_per_day"] == 21600.0
    assert oxygen["scenarios"][0]["lox_tonnes_per_day"] == pytest.approx(30.87, abs=0.01)
    warm = post(api, "scenarios", {"patients": [1000], "mix": "oxygen", "conditions": "15c"}).json()
    assert warm["scenarios"][0]["lox_tonnes_per_day"] == pytest.approx(29.25, abs=0.01)


def test_a_regional_scenario_gives_district_rows_that_sum_to_the_total(api: Client) -> None:
    body = post(api, "scenarios", {"patients": [500], "region": "DZ-05", "spread": "beds"}).json()
    scenario = body["scenarios"][0]
    assert {d["code"] for d in scenario["districts"]} == {"DZ-05-01", "DZ-05-02"}
    assert sum(d["patients"] for d in scenario["districts"]) == 500
    assert sum(d["oxygen_m3_per_day"] for d in scenario["districts"]) == pytest.approx(
        scenario["oxygen_m3_per_day"], abs=0.2
    )
    assert all(
        d["binding_constraint"] in ("supply", "transport", "storage", "none")
        for d in scenario["districts"]
    )


def test_a_region_outside_the_scope_is_not_found(api: Client) -> None:
    response = post(api, "scenarios", {"patients": [500], "region": "VN-70"})
    assert response.status_code == 404


def test_a_negative_patient_count_is_refused_naming_its_position(api: Client) -> None:
    response = post(api, "scenarios", {"patients": [1000, -5]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "patients", 1]


def test_an_unknown_cylinder_type_is_a_422_from_the_core_rule(api: Client) -> None:
    response = post(api, "scenarios", {"patients": [10], "cylinder_type": "NOPE"})
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == ["body", "cylinder_type"]
    assert "unknown code" in item["msg"]


def test_autonomy_of_a_half_full_3000_litre_tank_for_ten_critical_patients(api: Client) -> None:
    body = post(
        api,
        "autonomy",
        {
            "at": "2021-07-15T08:00:00+01:00",
            "lox_tanks": [{"level_kg": 1711.5, "capacity_kg": 3423, "safety_level_kg": 684.6}],
            "demand_m3_per_h": 18,
        },
    ).json()
    assert body["hours"] == pytest.approx(39.92, abs=0.05)
    assert body["limiting_factor"] == "lox"
    assert body["runs_out_at"].startswith("2021-07-16T23:5")  # 08:00 + 39.92 h


def test_autonomy_rule_violations_name_the_tank(api: Client) -> None:
    response = post(
        api,
        "autonomy",
        {
            "at": "2021-07-15T08:00:00+01:00",
            "lox_tanks": [{"level_kg": 5000, "capacity_kg": 3423, "safety_level_kg": 684.6}],
            "demand_m3_per_h": 18,
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "lox_tanks", 0, "level_kg"]


def test_projection_returns_a_band_around_each_day(api: Client) -> None:
    body = post(
        api, "projection", {"history": [10, 12, 15, 18, 22, 27, 33, 40, 48], "horizon_days": 3}
    ).json()
    assert len(body["values"]) == 3
    assert all(
        lo <= v <= hi for lo, v, hi in zip(body["low"], body["values"], body["high"], strict=True)
    )
    assert body["values"][0] > 40


def test_a_projection_beyond_14_days_is_refused(api: Client) -> None:
    response = post(api, "projection", {"history": [1, 2, 3], "horizon_days": 30})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "horizon_days"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("scenarios", {"patients": [10]}),
        ("demand", {"low_flow": 1, "high_flow": 0, "ventilated": 0}),
        ("projection", {"history": [1, 2, 3]}),
    ],
)
def test_an_account_without_a_role_gets_403(world: World, path: str, body: dict) -> None:  # type: ignore[type-arg]
    _token, raw = ApiToken.issue(user=world.outsider, name="o")
    response = post(Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), path, body)
    assert response.status_code == 403
    [item] = response.json()["detail"]
    assert item["msg"] == "Your account has no role yet."


def test_a_regional_scenario_names_the_conditions_in_its_units(api: Client) -> None:
    body = post(
        api,
        "scenarios",
        {"patients": [500], "region": "DZ-05", "spread": "beds", "conditions": "21c"},
    ).json()
    assert body["reference_conditions"] == "21c"
    assert body["units"]["oxygen_m3_per_day"].startswith("Nm³/day at 21c conditions")
    [chu] = [d for d in body["scenarios"][0]["districts"] if d["code"] == "DZ-05-01"]
    assert chu["available_m3_per_day"] == pytest.approx(754.0, abs=0.1)  # 1 t/day LOX at 21.1 °C
