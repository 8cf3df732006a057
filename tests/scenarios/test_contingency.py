"""N-1 for a region built from the registry, and its endpoint."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from oxyflow.accounts.models import ApiToken
from oxyflow.core import contingency as core
from oxyflow.core import units
from oxyflow.registry import models as reg
from oxyflow.scenarios import contingency
from oxyflow.scenarios.network import district_capacities
from tests.factories import (
    World,
    create_depot,
    create_lox_product,
    create_organisation,
    create_producer,
    create_region,
)

pytestmark = pytest.mark.django_db
NM3_PER_KG = units.to_magnitude(units.gas_volume_per_kg(), "Nm3/kg")
DAY = date(2021, 8, 1)


def give_capacity(producer: reg.Producer, kg_per_day: int) -> None:
    reg.ProducerCapacity.objects.create(
        producer=producer, product=create_lox_product(), capacity_per_day=Decimal(kg_per_day)
    )


def small_producer(world: World, kg_per_day: int) -> reg.Producer:
    """A second Algerian plant with its own tanker, based in Batna."""
    organisation = create_organisation("SMALL-DZ", world.algeria)
    plant = create_producer("DZ-SMALL", world.batna_daira, organisation)
    give_capacity(plant, kg_per_day)
    reg.Vehicle.objects.create(
        registration="05-TANK-02",
        organisation=organisation,
        kind=reg.VehicleKind.CRYOGENIC_TANKER,
        capacity_kg=Decimal(5000),
        home_depot=create_depot("DZ-SMALL-DEPOT", world.batna_daira, organisation),
    )
    return plant


def test_the_batna_network_has_its_districts_the_linde_plant_and_the_contracted_link(
    world: World,
) -> None:
    give_capacity(world.linde_plant, 20_000)
    built = contingency.build_network(world.batna, {"DZ-05-01": 500.0}, on_day=DAY)
    net = built.network
    assert [n.code for n in net.nodes] == ["DZ-05-01", "DZ-05-02"]
    assert net.nodes[0].need_nm3_per_day == 500.0
    [linde] = [s for s in net.sources if s.code == "DZ-LINDE-SKIKDA"]
    assert linde.capacity_nm3_per_day == pytest.approx(20_000 * NM3_PER_KG)
    assert "VN-PLANT" not in {s.code for s in net.sources}  # another country
    assert built.contracted == {("DZ-LINDE-SKIKDA", "DZ-05-01")}
    [link] = [lk for lk in net.links if (lk.source, lk.node) == ("DZ-LINDE-SKIKDA", "DZ-05-01")]
    assert 0 < link.transport_nm3_per_day < math.inf
    assert link.cost_per_nm3 > 0  # road km from Skikda to the district


def test_a_contracted_plant_without_registered_capacity_counts_its_contracts(
    world: World,
) -> None:
    built = contingency.build_network(world.batna, {}, on_day=DAY)
    [linde] = built.network.sources
    assert linde.capacity_nm3_per_day == pytest.approx(1000 * NM3_PER_KG)
    assert "counted at their contracts: DZ-LINDE-SKIKDA" in built.basis


def test_losing_the_only_contracted_plant_leaves_the_chu_short_from_the_day_its_tank_runs_dry(
    world: World,
) -> None:
    give_capacity(world.linde_plant, 20_000)
    small_producer(world, kg_per_day=300)
    reg.LoxTank.objects.create(
        facility=world.chu_batna, capacity_liquid_l=Decimal(3000), safety_level_pct=Decimal(20)
    )
    built = contingency.build_network(world.batna, {"DZ-05-01": 1000.0}, on_day=DAY)
    assert core.allocate(built.network).total_shortage_nm3_per_day == 0
    by_source = {i.source: i for i in core.n_minus_1(built.network)}
    [row] = by_source["DZ-LINDE-SKIKDA"].districts_short
    shortfall = 1000 - 300 * NM3_PER_KG  # the small plant sends all it makes
    storage = (
        3000
        * 0.8
        * units.to_magnitude(units.lox_liquid_volume_to_mass(units.Quantity(1, "L")), "kg")
        * NM3_PER_KG
    )
    assert row.node == "DZ-05-01"
    assert row.shortfall_nm3_per_day == pytest.approx(shortfall, rel=1e-6)
    assert row.storage_nm3 == pytest.approx(storage, rel=1e-3)
    assert row.short_from_day == math.floor(storage / shortfall) + 1 == 3
    assert by_source["DZ-SMALL"].districts_short == ()


@pytest.fixture
def api(world: World) -> Client:
    _token, raw = ApiToken.issue(user=world.coordinator, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, body: dict) -> object:  # type: ignore[type-arg]
    return client.post("/api/v1/contingency", body, content_type="application/json")


def test_the_coordinator_gets_baseline_and_outages_for_batna(api: Client, world: World) -> None:
    give_capacity(world.linde_plant, 20_000)
    response = post(api, {"region": "DZ-05", "patients": 400, "spread": "beds"})
    assert response.status_code == 200
    body = response.json()
    assert body["region"] == "DZ-05"
    assert body["patients"] == 400
    assert body["reference_conditions"] == "normal"
    assert {d["code"] for d in body["districts"]} == {"DZ-05-01", "DZ-05-02"}
    # 400 cases → 60 severe + 20 critical → 1,728 m³/day, split by beds.
    assert sum(d["need_m3_per_day"] for d in body["districts"]) == pytest.approx(1728, abs=0.2)
    assert body["baseline"]["total_shortage_m3_per_day"] == 0
    [outage] = body["outages"]
    assert outage["code"] == "DZ-LINDE-SKIKDA"
    assert outage["total_shortfall_m3_per_day"] == pytest.approx(1728, abs=0.2)
    assert {row["code"] for row in outage["districts_short"]} == {"DZ-05-01", "DZ-05-02"}
    assert all(row["short_from_day"] == 1 for row in outage["districts_short"])  # no tanks
    assert "nearest producers" in body["basis"]


def test_a_region_outside_the_coordinators_scope_is_not_found(api: Client) -> None:
    response = post(api, {"region": "VN-70", "patients": 100})
    assert response.status_code == 404


def test_a_negative_patient_count_is_a_422_naming_the_field(api: Client) -> None:
    response = post(api, {"region": "DZ-05", "patients": -1})
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == ["body", "patients"]
    assert item["input"] == -1


def test_a_horizon_beyond_60_days_is_refused(api: Client) -> None:
    response = post(api, {"region": "DZ-05", "patients": 10, "horizon_days": 61})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "horizon_days"]


def test_without_credentials_the_endpoint_answers_401(world: World) -> None:
    response = post(Client(), {"region": "DZ-05", "patients": 10})
    assert response.status_code == 401


def test_every_figure_is_stated_at_the_requested_conditions(world: World) -> None:
    give_capacity(world.linde_plant, 20_000)
    small_producer(world, kg_per_day=300)
    world.chu_batna.psa_output_nm3_per_h = Decimal(10)
    world.chu_batna.save()
    warm = units.ROOM_21C
    built = contingency.build_network(world.batna, {}, conditions=warm, on_day=DAY)
    per_kg = units.to_magnitude(units.gas_volume_per_kg(warm), "Nm3/kg")
    sources = {s.code: s.capacity_nm3_per_day for s in built.network.sources}
    assert sources["DZ-LINDE-SKIKDA"] == pytest.approx(20_000 * per_kg)
    [chu] = [n for n in built.network.nodes if n.code == "DZ-05-01"]
    onsite = units.convert_gas_volume(units.Quantity(240, "Nm3"), units.NORMAL, warm)
    assert chu.onsite_nm3_per_day == pytest.approx(units.to_magnitude(onsite, "Nm3"))
    # The contracted link carries the district's transport worked out at 21c, not a
    # figure at the country's conditions scaled afterwards.
    [expected] = [
        d.transport_nm3_per_day
        for d in district_capacities(world.batna, on_day=DAY, conditions=warm)
        if d.code == "DZ-05-01"
    ]
    [link] = [
        lk for lk in built.network.links if (lk.source, lk.node) == ("DZ-LINDE-SKIKDA", "DZ-05-01")
    ]
    assert link.transport_nm3_per_day == pytest.approx(expected)
    # A nearest link carries the small plant's 5 t tanker, whole trips, at 21c.
    [small] = [lk for lk in built.network.links if lk.source == "DZ-SMALL"][:1]
    trips = small.transport_nm3_per_day / (5000 * per_kg)
    assert trips >= 1
    assert trips == pytest.approx(round(trips))


def test_the_contingency_units_name_nm3_at_the_conditions(api: Client, world: World) -> None:
    give_capacity(world.linde_plant, 20_000)
    body = post(api, {"region": "DZ-05", "patients": 100, "conditions": "21c"}).json()
    assert body["reference_conditions"] == "21c"
    assert body["units"]["need_m3_per_day"] == "Nm³/day at 21c conditions (21.1 °C, 1.01325 bar)"
    assert body["units"]["storage_m3"] == "Nm³ at 21c conditions (21.1 °C, 1.01325 bar)"


def hidden_oran_producer(world: World) -> reg.Producer:
    """A plant in Oran with no contract in Batna: the Batna coordinator cannot see it."""
    oran = create_region("DZ-31", "Oran", reg.RegionLevel.PROVINCE, world.algeria.region)
    plant = create_producer("DZ-ORAN-PLANT", oran, name="Oran Secret Gas")
    give_capacity(plant, 5_000)
    return plant


def test_producers_hidden_from_the_caller_count_but_are_reported_only_in_aggregate(
    api: Client, world: World
) -> None:
    give_capacity(world.linde_plant, 20_000)
    hidden_oran_producer(world)
    body = {"region": "DZ-05", "patients": 400, "spread": "beds"}
    response = post(api, body)
    assert response.status_code == 200
    assert "DZ-ORAN-PLANT" not in response.content.decode()
    assert "Oran Secret Gas" not in response.content.decode()
    result = response.json()
    sources = {s["code"]: s for s in result["sources"]}
    assert set(sources) == {"DZ-LINDE-SKIKDA", contingency.OTHER_PRODUCERS}
    assert sources[contingency.OTHER_PRODUCERS]["capacity_m3_per_day"] == pytest.approx(
        5_000 * NM3_PER_KG, abs=0.1
    )
    assert [o["code"] for o in result["outages"]] == ["DZ-LINDE-SKIKDA"]
    assert "cannot see" in result["basis"]
    # The ministry sees the Oran plant by name; the computation is the same for both.
    _token, raw = ApiToken.issue(user=world.ministry, name="m")
    ministry = post(Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), body).json()
    assert {s["code"] for s in ministry["sources"]} == {"DZ-LINDE-SKIKDA", "DZ-ORAN-PLANT"}
    assert {o["code"] for o in ministry["outages"]} == {"DZ-LINDE-SKIKDA", "DZ-ORAN-PLANT"}
    assert ministry["districts"] == result["districts"]
    assert ministry["baseline"] == result["baseline"]


def test_the_cli_runs_with_full_visibility(world: World) -> None:
    hidden_oran_producer(world)
    result = contingency.run(contingency.ContingencyRequest(patients=10), world.batna)
    assert "DZ-ORAN-PLANT" in {s["code"] for s in result["sources"]}


def test_an_account_without_a_role_is_refused(world: World) -> None:
    _token, raw = ApiToken.issue(user=world.outsider, name="o")
    response = post(Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), {"region": "DZ-05", "patients": 1})
    assert response.status_code == 403
    assert response.json()["detail"][0]["msg"] == "Your account has no role yet."
