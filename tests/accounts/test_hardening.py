"""Defects found in review, pinned so they stay fixed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from oxyflow.accounts import scopes
from oxyflow.accounts.models import ApiToken, Profile
from oxyflow.registry import models as reg
from oxyflow.registry import services
from tests.factories import World, create_user

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_coordinator_cannot_change_profiles_in_the_admin(world: World) -> None:
    client = logged_in(world.coordinator)
    profile = Profile.objects.get(user=world.facility_staff)
    url = reverse("admin:accounts_profile_change", args=[profile.pk])
    response = client.post(
        url,
        {
            "user": world.facility_staff.pk,
            "role": "facility_staff",
            "facilities": [world.chu_batna.pk, world.bv_binh_phuoc.pk],
        },
    )
    assert response.status_code == 403
    assert list(profile.facilities.all()) == [world.chu_batna]
    assert client.get(reverse("admin:accounts_profile_add")).status_code == 403


def test_a_coordinator_cannot_deactivate_a_superuser_or_national_producer_staff(
    world: World,
) -> None:
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    Profile.objects.create(user=root, role="viewer", region=world.batna)
    client = logged_in(world.coordinator)
    for target in (root, world.producer_staff):
        response = client.post(reverse("accounts:set_active", args=[target.pk]), {"active": "0"})
        assert response.status_code == 404
        target.refresh_from_db()
        assert target.is_active


def test_a_coordinator_cannot_manage_staff_whose_facilities_reach_outside(world: World) -> None:
    both = create_user("bella", "facility_staff", facilities=[world.chu_batna, world.bv_binh_phuoc])
    managed = scopes.visible(Profile.objects.all(), world.coordinator)
    assert not managed.filter(user=both).exists()
    assert managed.filter(user=world.facility_staff).exists()


def test_producer_staff_cannot_change_their_organisation(world: World) -> None:
    assert not scopes.can_edit(world.producer_staff, world.linde)
    assert scopes.can_view(world.producer_staff, world.linde)


def test_producer_staff_cannot_move_their_depot(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.update(world.producer_staff, world.linde_depot, {"region": world.dong_xoai})
    assert "region" in caught.value.message_dict
    world.linde_depot.refresh_from_db()
    assert world.linde_depot.region == world.batna_daira


def test_history_pages_of_out_of_scope_objects_are_not_found(world: World) -> None:
    client = logged_in(world.coordinator)
    outside = reverse("admin:registry_facility_history", args=[world.bv_binh_phuoc.pk])
    missing = reverse("admin:registry_facility_history", args=[999999])
    inside = reverse("admin:registry_facility_history", args=[world.chu_batna.pk])
    assert client.get(outside).status_code == client.get(missing).status_code == 404
    assert client.get(inside).status_code == 200


def test_facility_staff_see_placement_fields_read_only_in_the_admin(world: World) -> None:
    client = logged_in(world.facility_staff)
    page = client.get(reverse("admin:registry_facility_change", args=[world.chu_batna.pk]))
    assert page.status_code == 200
    readonly = page.context["adminform"].readonly_fields
    assert "region" in readonly
    assert "code" in readonly
    assert "beds_total" not in readonly


def test_a_stale_copy_cannot_break_a_rule_checked_against_stored_values(world: World) -> None:
    from django.core.exceptions import ValidationError

    first = reg.Facility.objects.get(pk=world.chu_batna.pk)
    second = reg.Facility.objects.get(pk=world.chu_batna.pk)
    services.update(world.coordinator, first, {"beds_total": 50})
    with pytest.raises(ValidationError) as caught:
        services.update(world.coordinator, second, {"beds_oxygen": 80})
    assert "beds_oxygen" in caught.value.message_dict
    fresh = reg.Facility.objects.get(pk=world.chu_batna.pk)
    assert (fresh.beds_total, fresh.beds_oxygen) == (50, 40)


def test_an_overlong_reason_is_refused_not_a_server_error(world: World) -> None:
    _token, raw = ApiToken.issue(user=world.coordinator, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.patch(
        "/api/v1/facilities/DZ-CHU-BATNA",
        {"beds_icu": 9, "reason": "x" * 101},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"


def test_nul_in_a_body_text_is_a_422(world: World) -> None:
    _token, raw = ApiToken.issue(user=world.coordinator, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.patch(
        "/api/v1/facilities/DZ-CHU-BATNA", {"reason": "a\u0000b"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    "path",
    [
        "/sites/?q=%00",
        "/sites/a%00b/",
        "/regions/a%00b/",
        "/api/v1/sites?q=%00",
        "/api/v1/facilities/a%00b",
    ],
)
def test_nul_in_an_address_is_a_400(world: World, path: str) -> None:
    client = logged_in(world.coordinator)
    response = client.get(path)
    assert response.status_code == 400


def test_a_viewer_is_refused_creation_before_any_code_lookup(world: World) -> None:
    _token, raw = ApiToken.issue(user=world.viewer, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {
        "code": "VN-PLANT",
        "name": "x",
        "region": "DZ-05-02",
        "facility_type": "clinic",
        "latitude_deg": 35.0,
        "longitude_deg": 5.0,
    }
    assert (
        client.post("/api/v1/facilities", body, content_type="application/json").status_code == 403
    )


def test_staff_cannot_move_a_depot_back_by_reverting_its_history(world: World) -> None:
    services.update(world.coordinator, world.linde_depot, {"region": world.barika_daira})
    first = world.linde_depot.history.earliest()
    client = logged_in(world.producer_staff)
    url = reverse(
        "admin:registry_depot_simple_history", args=[world.linde_depot.pk, first.history_id]
    )
    response = client.post(url, {"name": "Depot", "latitude": "35.6", "longitude": "6.2"})
    assert response.status_code == 403
    world.linde_depot.refresh_from_db()
    assert world.linde_depot.region == world.barika_daira


def test_an_admin_save_keeps_fields_outside_the_users_rights(world: World) -> None:
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    model_admin = django_admin.site._registry[reg.Depot]
    request = RequestFactory().post("/")
    request.user = world.producer_staff
    depot = reg.Depot.objects.get(pk=world.linde_depot.pk)
    depot.region = world.dong_xoai
    depot.address = "Zone industrielle"
    model_admin.save_model(request, depot, form=None, change=True)
    stored = reg.Depot.objects.get(pk=depot.pk)
    assert stored.region == world.batna_daira
    assert stored.address == "Zone industrielle"


def test_the_profile_admin_has_no_history_page_that_fails(world: World) -> None:
    client = logged_in(world.coordinator)
    profile = Profile.objects.get(user=world.facility_staff)
    assert (
        client.get(reverse("admin:accounts_profile_change", args=[profile.pk])).status_code == 200
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("scenarios", {"patients": [10], "region": "DZ\u0000"}),
        ("scenarios", {"patients": [10], "cylinder_type": "X\u0000"}),
        ("contingency", {"region": "DZ\u0000", "patients": 10}),
    ],
)
def test_nul_in_engine_inputs_is_a_422(world: World, path: str, body: dict) -> None:  # type: ignore[type-arg]
    _token, raw = ApiToken.issue(user=world.coordinator, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(f"/api/v1/{path}", body, content_type="application/json")
    assert response.status_code == 422


def test_nul_in_a_cookie_is_a_400(world: World) -> None:
    client = Client()
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/sites/").status_code == 400
