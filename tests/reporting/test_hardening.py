"""Findings of an independent review of daily reporting, kept as tests: scope on every
way in, and the corrections, ledger refusals and huge figures that once went wrong."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from oxyflow.reporting import services
from oxyflow.reporting.models import FacilityReport, FacilityStatus
from oxyflow.stock import services as stock
from oxyflow.stock.models import Balance, Movement, MovementKind
from tests.reporting.conftest import (
    NOW,
    TODAY,
    ReportingWorld,
    api_client,
    report_in,
    submission,
)

BATCH = "/api/v1/facility-reports/batch"


def body(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "report_date": timezone.localdate().isoformat(),
        "patients_low_flow": 20,
        "patients_high_flow": 5,
        "patients_ventilated": 2,
        "lox_tanks": [],
        "cylinders": [],
    }
    values.update(changes)
    return values


def post(client: Client, url: str, data: dict[str, Any], key: str | None = None) -> Any:
    return client.post(
        url,
        json.dumps(data),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )


def item(facility: str, key: str | None = None, **changes: Any) -> dict[str, Any]:
    return {"facility": facility, "idempotency_key": key or str(uuid.uuid4()), **body(**changes)}


# ------------------------------------------------------------------- scope: all OK


@pytest.mark.parametrize("persona", ["viewer", "producer_staff", "outsider"])
def test_non_reporters_store_nothing_through_the_batch(rw: ReportingWorld, persona: str) -> None:
    client = api_client(getattr(rw.world, persona))
    response = post(client, BATCH, {"reports": [item("DZ-EPH-BARIKA"), item("DZ-CHU-BATNA")]})
    assert response.status_code in (200, 401, 403)
    if response.status_code == 200:
        assert [r["outcome"] for r in response.json()["results"]] == ["not_found", "not_found"]
    assert FacilityReport.objects.count() == 0


def test_facility_staff_cannot_report_for_another_facility_in_a_batch(
    rw: ReportingWorld,
) -> None:
    client = api_client(rw.world.facility_staff)
    result = post(
        client, BATCH, {"reports": [item("DZ-EPH-BARIKA"), item("NO-SUCH"), item("DZ-CHU-BATNA")]}
    ).json()
    assert [r["outcome"] for r in result["results"]] == ["not_found", "not_found", "created"]
    # Out of scope and unknown read alike, bar the code itself.
    a, b = (result["results"][i]["errors"][0] for i in (0, 1))
    assert a["msg"].replace("DZ-EPH-BARIKA", "X") == b["msg"].replace("NO-SUCH", "X")
    assert FacilityReport.objects.filter(facility=rw.world.eph_barika).count() == 0


def test_viewer_and_producer_staff_cannot_submit_a_facility_report(rw: ReportingWorld) -> None:
    barika = "/api/v1/facilities/DZ-EPH-BARIKA/reports"
    assert post(api_client(rw.world.viewer), barika, body()).status_code == 403  # visible only
    assert post(api_client(rw.world.producer_staff), barika, body()).status_code == 404
    assert FacilityReport.objects.count() == 0


def test_report_detail_is_404_alike_for_unknown_and_out_of_scope(rw: ReportingWorld) -> None:
    stored = services.submit_facility_report(
        facility=rw.world.chu_batna, data=report_in(), submission=submission(rw.world.ministry)
    ).report
    for persona in ("viewer", "producer_staff", "outsider"):
        client = api_client(getattr(rw.world, persona))
        hidden = client.get(f"/api/v1/facility-reports/{stored.pk}")
        unknown = client.get(f"/api/v1/facility-reports/{stored.pk + 999}")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.content == unknown.content
    assert (
        api_client(rw.world.facility_staff).get(f"/api/v1/facility-reports/{stored.pk}").status_code
        == 200
    )


def test_tank_readings_need_the_right_to_report(rw: ReportingWorld) -> None:
    url = "/api/v1/facilities/DZ-CHU-BATNA/tanks/Tank%201/readings"
    reading = {
        "sensor_id": "s1",
        "measured_at": timezone.now().isoformat(),
        "value": 40,
        "unit": "%",
    }
    assert post(api_client(rw.world.viewer), url, reading).status_code == 404  # Barika only
    assert post(api_client(rw.world.producer_staff), url, reading).status_code == 404
    assert post(api_client(rw.world.facility_staff), url, reading).status_code == 201


def test_upload_refuses_another_facility_for_facility_staff(rw: ReportingWorld) -> None:
    from oxyflow.reporting import upload
    from tests.reporting.test_upload import csv_bytes, good_rows

    with pytest.raises(upload.UploadRejected) as refused:
        upload.import_reports(csv_bytes(good_rows()), "csv", rw.world.facility_staff, now=NOW)
    assert [p.field for p in refused.value.problems] == ["facility"]
    assert FacilityReport.objects.count() == 0


# --------------------------------------------------------- odd input: OK checks


def test_batch_correction_of_a_day_stored_by_another_user(rw: ReportingWorld) -> None:
    services.submit_facility_report(
        facility=rw.world.chu_batna,
        data=report_in(report_date=timezone.localdate()),
        submission=submission(rw.world.facility_staff, now=timezone.now()),
    )
    client = api_client(rw.world.coordinator)
    result = post(
        client,
        BATCH,
        {
            "reports": [
                item(
                    "DZ-CHU-BATNA",
                    "x",
                    lox_tanks=[{"level": 30, "unit": "%"}],
                    correction_reason="recount",
                ),
                item(
                    "DZ-CHU-BATNA",
                    "x",
                    lox_tanks=[{"level": 30, "unit": "%"}],
                    correction_reason="recount",
                ),
            ]
        },
    )
    assert result.status_code == 200, result.content
    assert [r["outcome"] for r in result.json()["results"]] == ["created", "replayed"]
    assert stock.check_balances() == []
    lox = Balance.objects.get(site=rw.world.chu_batna, product=rw.lox)
    assert lox.quantity == Decimal("3423.000")  # 30 % of 11,410 kg


# ------------------------------------------------------------ status: OK check


def test_status_follows_the_latest_day_after_an_older_day_is_corrected(
    rw: ReportingWorld,
) -> None:
    w = rw.world
    yesterday = TODAY - timedelta(days=1)
    services.submit_facility_report(
        facility=w.chu_batna,
        data=report_in(report_date=yesterday),
        submission=submission(w.facility_staff),
    )
    latest = services.submit_facility_report(
        facility=w.chu_batna, data=report_in(), submission=submission(w.facility_staff)
    ).report
    services.submit_facility_report(
        facility=w.chu_batna,
        data=report_in(report_date=yesterday, patients_low_flow=90),
        submission=submission(w.facility_staff, correction_reason="typo"),
    )
    assert FacilityStatus.objects.get(facility=w.chu_batna).report_id == latest.pk


# ------------------------------------------------------------------- findings


def test_a_second_correction_of_the_opening_report_reopens_the_ledger_unflagged(
    rw: ReportingWorld,
) -> None:
    # v1 opens the LOX ledger, v2 and v3 correct it: every version of that day is the
    # same opening report, so v3's count opens the ledger again, with nothing to review.
    w = rw.world
    for level, reason in ((50, ""), (40, "recount"), (30, "recount again")):
        services.submit_facility_report(
            facility=w.chu_batna,
            data=report_in(lox_tanks=[services.TankLevelIn(level, "%")], cylinders=[]),
            submission=submission(w.facility_staff, correction_reason=reason),
        )
    lox = Movement.objects.filter(site=w.chu_batna, product=rw.lox)
    assert Balance.objects.get(site=w.chu_batna, product=rw.lox).quantity == Decimal("3423.000")
    assert not lox.filter(needs_review=True).exists(), list(
        lox.values_list("kind", "quantity", "reason", "needs_review")
    )


def _open_then_draw(rw: ReportingWorld) -> None:
    """CHU Batna reports today (opens LOX at 5,705 kg); then 5,000 kg leave the ledger."""
    w = rw.world
    services.submit_facility_report(
        facility=w.chu_batna,
        data=report_in(
            report_date=timezone.localdate(),
            lox_tanks=[services.TankLevelIn(50, "%")],
            cylinders=[],
        ),
        submission=submission(w.facility_staff, now=timezone.now()),
    )
    stock.post(
        site=w.chu_batna,
        product=rw.lox,
        kind=MovementKind.CONSUMPTION,
        quantity=Decimal("-5000"),
        occurred_at=timezone.now(),
        reason="drawn",
    )


def test_a_correction_the_ledger_refuses_is_refused_alone_in_a_batch(rw: ReportingWorld) -> None:
    # Each report of a batch is stored or refused on its own: a correction whose reversal
    # would take stock below zero is refused, the good Barika report is stored.
    _open_then_draw(rw)
    client = api_client(rw.world.coordinator)
    response = post(
        client,
        BATCH,
        {
            "reports": [
                item("DZ-EPH-BARIKA"),
                item(
                    "DZ-CHU-BATNA",
                    lox_tanks=[{"level": 10, "unit": "%"}],
                    correction_reason="recount",
                ),
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["outcome"] == "created"


def test_a_correction_the_ledger_refuses_is_a_field_error_not_a_server_error(
    rw: ReportingWorld,
) -> None:
    # The form and the upload catch ReportRejected: a ledger refusal must arrive as one.
    _open_then_draw(rw)
    with pytest.raises(services.ReportRejected) as refused:
        services.submit_facility_report(
            facility=rw.world.chu_batna,
            data=report_in(
                report_date=timezone.localdate(),
                lox_tanks=[services.TankLevelIn(10, "%")],
                cylinders=[],
            ),
            submission=submission(
                rw.world.facility_staff, now=timezone.now(), correction_reason="x"
            ),
        )
    assert "correction_reason" in refused.value.errors


def test_huge_consumption_in_tonnes_is_refused_at_its_field(rw: ReportingWorld) -> None:
    # Below 1e10 in the unit typed, but t/kL convert to more Nm³ than a stored figure holds.
    client = api_client(rw.world.facility_staff)
    response = post(
        client,
        "/api/v1/facilities/DZ-CHU-BATNA/reports",
        body(consumption=9999999999, consumption_unit="t"),
    )
    assert response.status_code == 422, response.status_code
    assert ["body", "consumption"] in [item["loc"] for item in response.json()["detail"]]


def test_a_huge_producer_line_in_tonnes_is_refused_at_its_field(rw: ReportingWorld) -> None:
    # A producer line typed in t or kL is 1,000 times more in kg: it must still fit.
    client = api_client(rw.world.producer_staff)
    response = post(
        client,
        "/api/v1/producers/DZ-LINDE-SKIKDA/reports",
        {
            "report_date": timezone.localdate().isoformat(),
            "lines": [
                {
                    "product": "LOX",
                    "unit": "t",
                    "produced": 9999999999,
                    "stock": 0,
                    "available_tomorrow": 0,
                }
            ],
        },
    )
    assert response.status_code == 422, response.status_code
