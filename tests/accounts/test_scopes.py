"""Each persona sees and edits exactly its scope, in pages, admin and API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from oxyflow.accounts import scopes
from oxyflow.accounts.models import ApiToken
from oxyflow.registry import models as reg
from tests.factories import World

pytestmark = pytest.mark.django_db


def codes(qs) -> set[str]:  # type: ignore[no-untyped-def]
    return set(qs.values_list("code", flat=True))


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def api_client_for(user) -> Client:  # type: ignore[no-untyped-def]
    _token, raw = ApiToken.issue(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


# --- the layer itself -----------------------------------------------------------------


def test_ministry_sees_every_site_of_its_country_and_none_abroad(world: World) -> None:
    seen = codes(scopes.visible(reg.Site.objects.all(), world.ministry))
    assert seen == {"DZ-CHU-BATNA", "DZ-EPH-BARIKA", "DZ-LINDE-SKIKDA", "DZ-LINDE-DEPOT"}


def test_coordinator_sees_its_region_plus_contracted_suppliers_read_only(world: World) -> None:
    seen = codes(scopes.visible(reg.Site.objects.all(), world.coordinator))
    assert seen == {"DZ-CHU-BATNA", "DZ-EPH-BARIKA", "DZ-LINDE-DEPOT", "DZ-LINDE-SKIKDA"}
    editable = codes(scopes.editable(reg.Site.objects.all(), world.coordinator))
    assert editable == {"DZ-CHU-BATNA", "DZ-EPH-BARIKA", "DZ-LINDE-DEPOT"}


def test_facility_staff_sees_and_edits_only_its_facility(world: World) -> None:
    assert codes(scopes.visible(reg.Site.objects.all(), world.facility_staff)) == {"DZ-CHU-BATNA"}
    assert codes(scopes.editable(reg.Site.objects.all(), world.facility_staff)) == {"DZ-CHU-BATNA"}


def test_producer_staff_sees_its_organisations_sites_and_vehicles(world: World) -> None:
    assert codes(scopes.visible(reg.Site.objects.all(), world.producer_staff)) == {
        "DZ-LINDE-SKIKDA",
        "DZ-LINDE-DEPOT",
    }
    vehicles = scopes.editable(reg.Vehicle.objects.all(), world.producer_staff)
    assert list(vehicles.values_list("registration", flat=True)) == ["05-TANK-01"]


def test_viewer_sees_its_district_and_edits_nothing(world: World) -> None:
    assert codes(scopes.visible(reg.Site.objects.all(), world.viewer)) == {"DZ-EPH-BARIKA"}
    for model in (reg.Site, reg.Region, reg.Vehicle, reg.SupplyContract, reg.Product):
        assert not scopes.editable(model.objects.all(), world.viewer).exists(), model


def test_outsider_sees_nothing_anywhere(world: World) -> None:
    for model in scopes.SCOPED_MODELS:
        assert not scopes.visible(model._default_manager.all(), world.outsider).exists(), model


def test_coordinator_sees_region_subtree_but_not_the_country_or_neighbours(world: World) -> None:
    assert codes(scopes.visible(reg.Region.objects.all(), world.coordinator)) == {
        "DZ-05",
        "DZ-05-01",
        "DZ-05-02",
    }


def test_only_the_ministry_edits_national_catalogues(world: World) -> None:
    lox = reg.Product.objects.get(code="LOX")
    assert scopes.can_edit(world.ministry, lox)
    assert scopes.can_view(world.coordinator, lox)
    assert not scopes.can_edit(world.coordinator, lox)


# --- pages -----------------------------------------------------------------------------

PERSONA_SITES = {
    "ministry": ({"DZ-CHU-BATNA", "DZ-EPH-BARIKA", "DZ-LINDE-SKIKDA"}, {"VN-BVDK-BP"}),
    "coordinator": ({"DZ-CHU-BATNA", "DZ-EPH-BARIKA"}, {"VN-BVDK-BP"}),
    "facility_staff": ({"DZ-CHU-BATNA"}, {"DZ-EPH-BARIKA", "VN-BVDK-BP", "DZ-LINDE-SKIKDA"}),
    "producer_staff": ({"DZ-LINDE-SKIKDA"}, {"DZ-CHU-BATNA", "VN-BVDK-BP"}),
    "viewer": ({"DZ-EPH-BARIKA"}, {"DZ-CHU-BATNA", "VN-BVDK-BP"}),
    "outsider": (set(), {"DZ-CHU-BATNA", "DZ-EPH-BARIKA", "VN-BVDK-BP", "DZ-LINDE-SKIKDA"}),
}


@pytest.mark.parametrize("persona", sorted(PERSONA_SITES))
def test_site_list_and_detail_pages_show_exactly_the_scope(world: World, persona: str) -> None:
    client = client_for(getattr(world, persona))
    inside, outside = PERSONA_SITES[persona]
    listing = client.get(reverse("registry:sites")).content.decode()
    for code in inside:
        assert code in listing
        assert client.get(reverse("registry:site", args=[code])).status_code == 200
    for code in outside:
        assert code not in listing
        assert client.get(reverse("registry:site", args=[code])).status_code == 404


EDIT_RIGHTS = {
    "ministry": {"DZ-CHU-BATNA": 200, "DZ-LINDE-SKIKDA": 200, "VN-BVDK-BP": 404},
    "coordinator": {"DZ-CHU-BATNA": 200, "DZ-LINDE-SKIKDA": 403, "VN-BVDK-BP": 404},
    "facility_staff": {"DZ-CHU-BATNA": 200, "DZ-EPH-BARIKA": 404},
    "producer_staff": {"DZ-LINDE-SKIKDA": 200, "DZ-CHU-BATNA": 404},
    "viewer": {"DZ-EPH-BARIKA": 403, "DZ-CHU-BATNA": 404},
    "outsider": {"DZ-CHU-BATNA": 404},
}


@pytest.mark.parametrize("persona", sorted(EDIT_RIGHTS))
def test_edit_page_opens_only_where_the_persona_may_edit(world: World, persona: str) -> None:
    client = client_for(getattr(world, persona))
    for code, status in EDIT_RIGHTS[persona].items():
        assert client.get(reverse("registry:site_edit", args=[code])).status_code == status, code


def test_facility_staff_saves_beds_and_the_change_is_audited(world: World) -> None:
    client = client_for(world.facility_staff)
    url = reverse("registry:site_edit", args=["DZ-CHU-BATNA"])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(beds_total=560, beds_oxygen=200, reason="new COVID wing")
    response = client.post(url, data)
    assert response.status_code == 302
    facility = reg.Facility.objects.get(code="DZ-CHU-BATNA")
    assert (facility.beds_total, facility.beds_oxygen) == (560, 200)
    last = facility.history.latest()
    assert last.history_user == world.facility_staff
    assert last.history_change_reason == "new COVID wing"
    page = client.get(reverse("registry:site", args=["DZ-CHU-BATNA"])).content.decode()
    assert "beds, total: 100 → 560" in page
    assert "new COVID wing" in page


def test_facility_staff_cannot_move_their_facility_to_another_region(world: World) -> None:
    client = client_for(world.facility_staff)
    url = reverse("registry:site_edit", args=["DZ-CHU-BATNA"])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data["region"] = world.barika_daira.pk  # a disabled field: the posted value is ignored
    client.post(url, data)
    assert reg.Facility.objects.get(code="DZ-CHU-BATNA").region == world.batna_daira


def test_invalid_edit_shows_the_field_error_and_changes_nothing(world: World) -> None:
    client = client_for(world.coordinator)
    url = reverse("registry:site_edit", args=["DZ-CHU-BATNA"])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(beds_total=10, beds_oxygen=50)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cannot exceed total beds" in response.context["form"].errors["beds_oxygen"][0]
    assert reg.Facility.objects.get(code="DZ-CHU-BATNA").beds_total == 100


# --- admin -----------------------------------------------------------------------------


def test_admin_lists_only_the_coordinators_facilities(world: World) -> None:
    client = client_for(world.coordinator)
    page = client.get(reverse("admin:registry_facility_changelist")).content.decode()
    assert "DZ-CHU-BATNA" in page
    assert "DZ-EPH-BARIKA" in page
    assert "VN-BVDK-BP" not in page


def test_admin_hides_out_of_scope_objects(world: World) -> None:
    client = client_for(world.facility_staff)
    ok = client.get(reverse("admin:registry_facility_change", args=[world.chu_batna.pk]))
    hidden = client.get(reverse("admin:registry_facility_change", args=[world.eph_barika.pk]))
    assert ok.status_code == 200
    # Django's admin answers a missing object with a redirect to the index and a message.
    assert hidden.status_code == 302


def test_admin_is_closed_to_the_outsider(world: World) -> None:
    client = client_for(world.outsider)
    response = client.get(reverse("admin:registry_facility_changelist"))
    assert response.status_code == 302  # to the admin login: not staff


def test_viewer_opens_admin_change_page_read_only(world: World) -> None:
    client = client_for(world.viewer)
    url = reverse("admin:registry_facility_change", args=[world.eph_barika.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert client.post(url, {"name": "hacked"}).status_code == 403


# --- API -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(PERSONA_SITES))
def test_api_lists_and_reads_exactly_the_scope(world: World, persona: str) -> None:
    client = api_client_for(getattr(world, persona))
    inside, outside = PERSONA_SITES[persona]
    listed = {row["code"] for row in client.get("/api/v1/sites").json()}
    assert inside <= listed
    assert not (outside & listed)
    for code in inside - {"DZ-LINDE-SKIKDA"}:
        assert client.get(f"/api/v1/facilities/{code}").status_code == 200
    for code in outside - {"DZ-LINDE-SKIKDA"}:
        response = client.get(f"/api/v1/facilities/{code}")
        assert response.status_code == 404
        assert response.json()["detail"][0]["type"] == "not_found"


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("ministry", "DZ-EPH-BARIKA", 200),
        ("coordinator", "DZ-EPH-BARIKA", 200),
        ("facility_staff", "DZ-CHU-BATNA", 200),
        ("facility_staff", "DZ-EPH-BARIKA", 404),
        ("viewer", "DZ-EPH-BARIKA", 403),
        ("producer_staff", "DZ-CHU-BATNA", 404),
        ("outsider", "DZ-CHU-BATNA", 404),
    ],
)
def test_api_patch_respects_edit_rights(world: World, persona: str, code: str, status: int) -> None:
    client = api_client_for(getattr(world, persona))
    response = client.patch(
        f"/api/v1/facilities/{code}", {"beds_icu": 9}, content_type="application/json"
    )
    assert response.status_code == status
    expected = 9 if status == 200 else 8
    assert reg.Facility.objects.get(code=code).beds_icu == expected
