"""API conventions every later endpoint follows: OpenAPI, auth, one 4xx shape, idempotency."""

from __future__ import annotations

import json
import threading

import pytest
from django.test import Client

from oxyflow.accounts.models import ApiToken, IdempotentRequest
from oxyflow.registry import models as reg
from tests.factories import World

pytestmark = pytest.mark.django_db

NEW_FACILITY = {
    "code": "DZ-EPH-TKOUT",
    "name": "EPH T'kout",
    "region": "DZ-05-01",
    "facility_type": "hospital",
    "latitude_deg": 35.159,
    "longitude_deg": 6.344,
    "beds_total": 60,
    "beds_oxygen": 20,
}


def bearer(user) -> Client:  # type: ignore[no-untyped-def]
    _token, raw = ApiToken.issue(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_openapi_document_is_readable_without_login() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "OxyFlow API"
    assert "/api/v1/facilities" in doc["paths"]


def test_every_documented_operation_declares_the_error_shape() -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "422"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorOut"), (method, path, status)


def test_creating_posts_document_the_idempotency_key_header() -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    params = doc["paths"]["/api/v1/facilities"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params)


def test_anonymous_call_gets_401_in_the_error_shape() -> None:
    response = Client().get("/api/v1/sites")
    assert response.status_code == 401
    [item] = response.json()["detail"]
    assert item["type"] == "not_authenticated"
    assert item["loc"] == ["header", "Authorization"]


def test_unknown_or_revoked_token_is_refused(world: World) -> None:
    token, raw = ApiToken.issue(user=world.coordinator, name="old")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 200
    token.revoked_at = token.created_at
    token.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer oxf_nope").get("/api/v1/me").status_code == 401


def test_tokens_are_stored_only_as_a_sha256_digest(world: World) -> None:
    token, raw = ApiToken.issue(user=world.coordinator, name="sensor")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.digest, stored.hint)
    assert len(stored.digest) == 64
    assert stored.hint == raw[:8]


def test_session_login_works_for_reads(world: World) -> None:
    client = Client()
    client.force_login(world.coordinator)
    assert client.get("/api/v1/me").json()["role"] == "coordinator"


def test_validation_error_names_the_field_and_echoes_the_value(world: World) -> None:
    body = {**NEW_FACILITY, "beds_total": -3}
    response = bearer(world.coordinator).post(
        "/api/v1/facilities", body, content_type="application/json"
    )
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == ["body", "beds_total"]
    assert item["input"] == -3
    assert {"msg", "type"} <= set(item)


def test_model_rule_violation_is_a_422_naming_the_field(world: World) -> None:
    body = {**NEW_FACILITY, "beds_total": 10, "beds_oxygen": 20}
    response = bearer(world.coordinator).post(
        "/api/v1/facilities", body, content_type="application/json"
    )
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == ["body", "beds_oxygen"]
    assert "cannot exceed total beds" in item["msg"]
    assert not reg.Facility.objects.filter(code="DZ-EPH-TKOUT").exists()


def test_coordinator_cannot_create_outside_its_region(world: World) -> None:
    body = {**NEW_FACILITY, "region": "VN-70-689"}
    response = bearer(world.coordinator).post(
        "/api/v1/facilities", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "region"]


def test_facility_staff_may_not_create_facilities(world: World) -> None:
    response = bearer(world.facility_staff).post(
        "/api/v1/facilities", NEW_FACILITY, content_type="application/json"
    )
    assert response.status_code in (403, 422)
    assert not reg.Facility.objects.filter(code="DZ-EPH-TKOUT").exists()


def test_retry_with_the_same_idempotency_key_returns_the_first_answer(world: World) -> None:
    client = bearer(world.coordinator)
    first = client.post(
        "/api/v1/facilities",
        NEW_FACILITY,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    again = client.post(
        "/api/v1/facilities",
        NEW_FACILITY,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert first.status_code == again.status_code == 201
    assert json.loads(again.content) == json.loads(first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert reg.Facility.objects.filter(code="DZ-EPH-TKOUT").count() == 1


def test_reusing_a_key_for_a_different_request_is_refused(world: World) -> None:
    client = bearer(world.coordinator)
    client.post(
        "/api/v1/facilities",
        NEW_FACILITY,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    other = {**NEW_FACILITY, "code": "DZ-OTHER"}
    response = client.post(
        "/api/v1/facilities", other, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "key_reused"
    assert not reg.Facility.objects.filter(code="DZ-OTHER").exists()


def test_keys_are_per_user(world: World) -> None:
    bearer(world.coordinator).post(
        "/api/v1/facilities",
        NEW_FACILITY,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="shared",
    )
    other = {**NEW_FACILITY, "code": "DZ-MIN-1"}
    response = bearer(world.ministry).post(
        "/api/v1/facilities", other, content_type="application/json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert response.status_code == 201
    assert IdempotentRequest.objects.filter(key="shared").count() == 2


def test_a_failed_request_is_stored_too_so_the_retry_gets_the_same_error(world: World) -> None:
    client = bearer(world.coordinator)
    bad = {**NEW_FACILITY, "beds_total": 1, "beds_oxygen": 2}
    first = client.post(
        "/api/v1/facilities", bad, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    again = client.post(
        "/api/v1/facilities", bad, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()


def test_an_overlong_idempotency_key_is_rejected_with_the_header_named(world: World) -> None:
    response = bearer(world.coordinator).post(
        "/api/v1/facilities",
        NEW_FACILITY,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="x" * 201,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_facility(world: World) -> None:
    _token, raw = ApiToken.issue(user=world.coordinator, name="race")
    statuses: list[int] = []

    def send() -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = client.post(
            "/api/v1/facilities",
            NEW_FACILITY,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="race",
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert reg.Facility.objects.filter(code="DZ-EPH-TKOUT").count() == 1
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
