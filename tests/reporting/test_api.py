"""Reports through /api/v1/: storing, idempotency, corrections, the bad-input catalogue."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from oxyflow.reporting.models import FacilityReport, ProducerReport, TankReading
from tests.reporting.conftest import ReportingWorld, api_client

URL = "/api/v1/facilities/DZ-CHU-BATNA/reports"


def body(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "report_date": timezone.localdate().isoformat(),
        "patients_low_flow": 20,
        "patients_high_flow": 5,
        "patients_ventilated": 2,
        "lox_tanks": [{"level": 50, "unit": "%"}],
        "cylinders": [{"cylinder_type": "B50", "full": 30, "empty": 10}],
    }
    values.update(changes)
    return values


def post(client: Client, data: dict[str, Any], key: str | None = None, url: str = URL) -> Any:
    return client.post(
        url,
        json.dumps(data),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )


def locs(response: Any) -> list[list[Any]]:
    return [item["loc"] for item in response.json()["detail"]]


def test_staff_submit_a_report_and_read_it_back_with_units_in_the_field_names(
    rw: ReportingWorld,
) -> None:
    client = api_client(rw.world.facility_staff)
    response = post(client, body(consumption=400, consumption_unit="kg"))
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["lox_tanks"][0]["level_kg"] == "5705.000"
    assert report["census_demand_nm3_per_day"] == "590.400"
    assert report["consumption_unit"] == "kg"
    assert float(report["consumption_nm3"]) == pytest.approx(279.9, abs=0.1)  # 400 kg LOX x 0.6998
    listed = client.get(URL).json()
    assert [r["id"] for r in listed] == [report["id"]]
    status = client.get("/api/v1/facilities/DZ-CHU-BATNA/status").json()
    assert status["demand_nm3_per_day"] == pytest.approx(590.4)
    assert status["autonomy_hours"] > 0
    assert status["autonomy_basis"]


def test_a_retry_with_the_same_key_returns_the_first_report(rw: ReportingWorld) -> None:
    client = api_client(rw.world.facility_staff)
    first = post(client, body(), key="same-key")
    again = post(client, body(), key="same-key")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert FacilityReport.objects.count() == 1


def test_a_new_key_for_the_same_day_is_a_correction_with_its_history(rw: ReportingWorld) -> None:
    client = api_client(rw.world.facility_staff)
    first = post(client, body()).json()
    refused = post(client, body(patients_low_flow=22))
    assert refused.status_code == 422
    assert locs(refused) == [["body", "correction_reason"]]
    second = post(client, body(patients_low_flow=22, correction_reason="Ward 3 forgotten"))
    assert second.status_code == 201
    detail = client.get(f"/api/v1/facility-reports/{second.json()['id']}").json()
    assert [(v["version"], v["is_current"]) for v in detail["versions"]] == [(1, False), (2, True)]
    assert detail["versions"][1]["correction_reason"] == "Ward 3 forgotten"
    assert detail["versions"][0]["id"] == first["id"]
    assert FacilityReport.objects.filter(is_current=True).count() == 1


def test_a_report_without_an_idempotency_key_is_refused(rw: ReportingWorld) -> None:
    client = api_client(rw.world.facility_staff)
    response = client.post(URL, json.dumps(body()), content_type="application/json")
    assert response.status_code == 422
    assert ["header", "Idempotency-Key"] in locs(response)
    assert FacilityReport.objects.count() == 0


# Each hard error: the body change and the field the 422 must name.
HARD_ERRORS = [
    ({"patients_low_flow": -1}, ["body", "patients_low_flow"]),
    ({"concentrators_broken": -3}, ["body", "concentrators_broken"]),
    (
        {"cylinders": [{"cylinder_type": "B999", "full": 3}]},
        ["body", "cylinders", 0, "cylinder_type"],
    ),
    ({"cylinders": [{"cylinder_type": "B50", "full": -2}]}, ["body", "cylinders", 0, "full"]),
    ({"lox_tanks": [{"level": 101, "unit": "%"}]}, ["body", "lox_tanks", 0, "level"]),
    ({"lox_tanks": [{"level": 12, "unit": "t"}]}, ["body", "lox_tanks", 0, "level"]),
    ({"lox_tanks": [{"level": 50, "unit": "L/min"}]}, ["body", "lox_tanks", 0, "unit"]),
    (
        {"lox_tanks": [{"tank": "Tank 9", "level": 5, "unit": "%"}]},
        ["body", "lox_tanks", 0, "tank"],
    ),
    ({"consumption": 10, "consumption_unit": "bar"}, ["body", "consumption_unit"]),
    ({"consumption": 10, "consumption_unit": "L/min"}, ["body", "consumption_unit"]),
    ({"psa_output": 5, "psa_status": "down"}, ["body", "psa_output"]),
    ({"psa_status": "exploded"}, ["body", "psa_status"]),
    ({"beds_occupied": 10, "beds_occupied_icu": 12}, ["body", "beds_occupied_icu"]),
    ({"report_date": "2999-01-01"}, ["body", "report_date"]),
    ({"report_date": "2000-01-01"}, ["body", "report_date"]),
    ({"report_date": 20210809}, ["body", "report_date"]),
    ({"as_of": 1628500000}, ["body", "as_of"]),
    ({"as_of": "2021-08-09T10:00:00"}, ["body", "as_of"]),
]


@pytest.mark.parametrize(("change", "loc"), HARD_ERRORS)
def test_each_hard_error_is_refused_naming_its_field_and_stores_nothing(
    rw: ReportingWorld, change: dict[str, Any], loc: list[Any]
) -> None:
    client = api_client(rw.world.facility_staff)
    response = post(client, body(**change))
    assert response.status_code == 422, response.content
    assert loc in locs(response), response.json()
    assert all(item["msg"] for item in response.json()["detail"])
    assert FacilityReport.objects.count() == 0


def test_a_future_day_names_the_sites_today_and_time_zone(rw: ReportingWorld) -> None:
    client = api_client(rw.world.facility_staff)
    tomorrow = (timezone.now() + timedelta(days=2)).date().isoformat()
    response = post(client, body(report_date=tomorrow))
    assert response.status_code == 422
    assert "Africa/Algiers" in response.json()["detail"][0]["msg"]


def test_consumption_far_above_the_census_demand_is_accepted_but_flagged(
    rw: ReportingWorld,
) -> None:
    client = api_client(rw.world.facility_staff)
    response = post(client, body(consumption=5000, consumption_unit="Nm3"))
    assert response.status_code == 201
    flags = response.json()["flags"]
    assert [f["code"] for f in flags] == ["consumption_high"]
    assert flags[0]["field"] == "consumption"
    assert response.json()["needs_review"]


def test_consumption_far_below_the_census_demand_is_flagged(rw: ReportingWorld) -> None:
    client = api_client(rw.world.facility_staff)
    response = post(client, body(consumption=50, consumption_unit="m3"))
    assert [f["code"] for f in response.json()["flags"]] == ["consumption_low"]


def test_tonnes_typed_where_kilograms_were_meant_are_flagged(rw: ReportingWorld) -> None:
    client = api_client(rw.world.facility_staff)
    # 590 Nm³/day is about 844 kg of LOX: "0.85 kg" is a tonne figure in the kg field.
    response = post(client, body(consumption=0.85, consumption_unit="kg"))
    assert response.status_code == 201
    codes = {f["code"] for f in response.json()["flags"]}
    assert "tonnes_entered_as_kg" in codes


def test_kilograms_typed_where_tonnes_were_meant_are_flagged(rw: ReportingWorld) -> None:
    client = api_client(rw.world.facility_staff)
    response = post(client, body(consumption=844, consumption_unit="t"))
    assert "kg_entered_as_tonnes" in {f["code"] for f in response.json()["flags"]}


def test_viewers_may_not_report_and_outsiders_do_not_see_the_facility(
    rw: ReportingWorld,
) -> None:
    assert post(api_client(rw.world.viewer), body()).status_code == 404
    assert post(api_client(rw.world.outsider), body()).status_code == 404
    barika = "/api/v1/facilities/DZ-EPH-BARIKA/reports"
    assert post(api_client(rw.world.viewer), body(lox_tanks=[]), url=barika).status_code == 403
    assert post(api_client(rw.world.coordinator), body(lox_tanks=[]), url=barika).status_code == 201


def test_a_coordinator_entering_a_phoned_report_records_both_people(rw: ReportingWorld) -> None:
    response = post(api_client(rw.world.coordinator), body(reported_by_name="Dr Amrani (phone)"))
    report = response.json()
    assert (report["entered_by"], report["reported_by_name"], report["channel"]) == (
        "carim",
        "Dr Amrani (phone)",
        "phone",
    )


def test_producer_staff_report_production_in_tonnes_stored_in_kg(rw: ReportingWorld) -> None:
    client = api_client(rw.world.producer_staff)
    data = {
        "report_date": timezone.localdate().isoformat(),
        "lines": [
            {"product": "LOX", "unit": "t", "produced": 40, "stock": 120, "available_tomorrow": 35}
        ],
        "downtime_hours": 2,
        "downtime_cause": "power",
    }
    response = post(client, data, url="/api/v1/producers/DZ-LINDE-SKIKDA/reports")
    assert response.status_code == 201, response.content
    line = response.json()["lines"][0]
    assert (line["unit"], line["stock"]) == ("kg", "120000.000")
    bad = post(
        client,
        {**data, "downtime_cause": "none", "lines": [{**data["lines"][0], "product": "X"}]},
        url="/api/v1/producers/DZ-LINDE-SKIKDA/reports",
    )
    assert bad.status_code == 422
    assert ["body", "lines", 0, "product"] in locs(bad)
    assert ["body", "downtime_cause"] in locs(bad)
    assert ProducerReport.objects.count() == 1


def test_a_tank_reading_is_stored_once_and_moves_autonomy(rw: ReportingWorld) -> None:
    client = api_client(rw.world.facility_staff)
    post(client, body())
    before = client.get("/api/v1/facilities/DZ-CHU-BATNA/status").json()["usable_nm3"]
    url = "/api/v1/facilities/DZ-CHU-BATNA/tanks/Tank 1/readings"
    reading = {
        "sensor_id": "S-1",
        "measured_at": (timezone.now() + timedelta(minutes=1)).isoformat(),
        "value": 30,
        "unit": "%",
    }
    first = post(client, reading, url=url)
    again = post(client, reading, url=url, key=str(uuid.uuid4()))
    assert (first.status_code, again.status_code) == (201, 200)
    assert TankReading.objects.count() == 1
    after = client.get("/api/v1/facilities/DZ-CHU-BATNA/status").json()["usable_nm3"]
    assert after < before
    too_full = post(client, {**reading, "value": 20, "unit": "t"}, url=url)
    assert too_full.status_code == 422
    assert locs(too_full) == [["body", "value"]]
    wrong_unit = post(client, {**reading, "unit": "bar"}, url=url)
    assert locs(wrong_unit) == [["body", "unit"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_with_one_key_store_exactly_one(world: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL: the .ci/run PostgreSQL pass runs it")
    from tests.reporting.conftest import equip

    rw = equip(world)
    clients = [api_client(rw.world.facility_staff) for _ in range(50)]
    barrier = threading.Barrier(50)
    statuses: list[int] = []

    def submit(client: Client) -> None:
        try:
            barrier.wait()
            statuses.append(post(client, body(), key="one-key").status_code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert FacilityReport.objects.count() == 1
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}

    # Other keys for the same day, concurrently: corrections in order, one current.
    barrier = threading.Barrier(5)
    statuses.clear()

    def correct(i: int) -> None:
        try:
            barrier.wait()
            client = clients[i]
            data = body(patients_low_flow=30 + i, correction_reason=f"recount {i}")
            statuses.append(post(client, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=correct, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 5
    versions = sorted(FacilityReport.objects.values_list("version", flat=True))
    assert versions == [1, 2, 3, 4, 5, 6]
    assert FacilityReport.objects.filter(is_current=True).count() == 1


BATCH = "/api/v1/facility-reports/batch"


def batch_item(facility: str, key: str, **changes: Any) -> dict[str, Any]:
    return {"facility": facility, "idempotency_key": key, **body(**changes)}


def test_a_batch_stores_each_report_on_its_own_merits(rw: ReportingWorld) -> None:
    client = api_client(rw.world.coordinator)
    reports = [
        batch_item("DZ-CHU-BATNA", "b-1"),
        batch_item("DZ-EPH-BARIKA", "b-2", lox_tanks=[], patients_low_flow=-4),
        batch_item("VN-BVDK-BP", "b-3", lox_tanks=[]),  # outside Batna: not found
        batch_item("DZ-EPH-BARIKA", "b-4", lox_tanks=[]),
    ]
    response = post(client, {"reports": reports}, url=BATCH)
    assert response.status_code == 200, response.content
    result = response.json()
    assert [r["outcome"] for r in result["results"]] == [
        "created",
        "rejected",
        "not_found",
        "created",
    ]
    assert (result["created"], result["rejected"], result["not_found"]) == (2, 1, 1)
    assert result["results"][1]["errors"][0]["loc"] == ["patients_low_flow"]
    assert FacilityReport.objects.count() == 2
    again = post(client, {"reports": reports}, url=BATCH).json()
    assert [r["outcome"] for r in again["results"]] == [
        "replayed",
        "rejected",
        "not_found",
        "replayed",
    ]
    assert FacilityReport.objects.count() == 2


def test_a_batch_with_a_correction_after_its_report_stores_both_versions(
    rw: ReportingWorld,
) -> None:
    client = api_client(rw.world.coordinator)
    reports = [
        batch_item("DZ-CHU-BATNA", "c-1"),
        batch_item("DZ-CHU-BATNA", "c-2", patients_low_flow=21, correction_reason="recount"),
        batch_item("DZ-CHU-BATNA", "c-3", patients_low_flow=22),  # no reason: refused
    ]
    result = post(client, {"reports": reports}, url=BATCH).json()
    assert [r["outcome"] for r in result["results"]] == ["created", "created", "rejected"]
    assert [r["version"] for r in result["results"][:2]] == [1, 2]
    current = FacilityReport.objects.get(is_current=True)
    assert (current.version, current.patients_low_flow) == (2, 21)
    from oxyflow.stock.services import check_balances

    assert check_balances() == []


def test_the_same_key_twice_in_one_batch_stores_one_report(rw: ReportingWorld) -> None:
    client = api_client(rw.world.coordinator)
    reports = [batch_item("DZ-CHU-BATNA", "same"), batch_item("DZ-CHU-BATNA", "same")]
    result = post(client, {"reports": reports}, url=BATCH).json()
    assert [r["outcome"] for r in result["results"]] == ["created", "replayed"]
    assert result["results"][0]["id"] == result["results"][1]["id"]
    assert FacilityReport.objects.count() == 1
