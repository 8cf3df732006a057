"""The demo region: complete, valid, idempotent, and every demo login works."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction

from oxyflow.accounts.models import Profile, Role
from oxyflow.core import units
from oxyflow.registry import demo
from oxyflow.registry import models as reg

pytestmark = pytest.mark.django_db

REGISTRY_MODELS = [
    model
    for model in apps.get_app_config("registry").get_models()
    if not model.__name__.startswith("Historical")
]
HISTORY_MODELS = [
    model
    for model in apps.get_app_config("registry").get_models()
    if model.__name__.startswith("Historical")
]


def row_counts(model_list: list[type[models.Model]]) -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in model_list}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the demo once per module inside a transaction that is rolled back at the end;
    each test runs in a savepoint within it, so a test's own changes never leak."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield demo.load()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def summary(loaded: demo.DemoSummary, db: None) -> demo.DemoSummary:
    return loaded


def test_loading_twice_creates_nothing_twice(summary: demo.DemoSummary) -> None:
    first = row_counts([*REGISTRY_MODELS, Profile, get_user_model()])
    second = demo.load()
    assert row_counts([*REGISTRY_MODELS, Profile, get_user_model()]) == first
    assert second.describe() == summary.describe()
    assert second.logins == summary.logins


def test_reloading_writes_no_history(summary: demo.DemoSummary) -> None:
    before = row_counts(HISTORY_MODELS)
    demo.load()
    assert row_counts(HISTORY_MODELS) == before


def test_history_records_the_demo_as_the_change_reason(summary: demo.DemoSummary) -> None:
    reasons = set(reg.Facility.history.values_list("history_change_reason", flat=True))
    assert reasons == {demo.CHANGE_REASON}


def test_reloading_restores_an_edited_value(summary: demo.DemoSummary) -> None:
    reg.Facility.objects.filter(code="DZ-CHU-BATNA").update(beds_total=1)
    demo.load()
    assert reg.Facility.objects.get(code="DZ-CHU-BATNA").beds_total == 540


def test_describe_counts_what_was_loaded(summary: demo.DemoSummary) -> None:
    assert summary.describe() == (
        f"Demo region loaded: 2 countries, {reg.Region.objects.count()} regions, "
        f"{reg.Facility.objects.count()} facilities, {reg.Producer.objects.count()} "
        f"producers, {reg.Depot.objects.count()} depots, {reg.Vehicle.objects.count()} "
        f"vehicles, {reg.SupplyContract.objects.count()} contracts."
    )


def test_batna_has_21_dairas_and_61_communes(summary: demo.DemoSummary) -> None:
    batna = reg.Region.objects.get(code="DZ-05")
    below = reg.Region.objects.within(batna)
    assert below.filter(level=reg.RegionLevel.DISTRICT).count() == 21
    assert below.filter(level=reg.RegionLevel.COMMUNE).count() == 61
    assert all(r.name_local for r in below)  # Arabic names throughout


def test_binh_phuoc_has_its_11_district_units_of_2021(summary: demo.DemoSummary) -> None:
    binh_phuoc = reg.Region.objects.get(code="VN-70")
    districts = reg.Region.objects.within(binh_phuoc).filter(level=reg.RegionLevel.DISTRICT)
    assert districts.count() == 11
    assert reg.Region.objects.get(code="VN-70-697").name_local == "Huyện Chơn Thành"


def test_the_demo_shows_2021_so_nothing_is_retired(summary: demo.DemoSummary) -> None:
    assert not reg.Region.objects.filter(retired_on__isnull=False).exists()
    assert not reg.Site.objects.filter(retired_on__isnull=False).exists()


def test_no_producer_sits_inside_binh_phuoc(summary: demo.DemoSummary) -> None:
    binh_phuoc = reg.Region.objects.get(code="VN-70")
    assert not reg.Producer.objects.filter(region__path__startswith=binh_phuoc.path).exists()


def test_every_site_sits_in_a_commune_in_algeria_or_a_district_in_viet_nam(
    summary: demo.DemoSummary,
) -> None:
    for facility in reg.Facility.objects.select_related("region"):
        expected = reg.RegionLevel.COMMUNE if facility.code[:2] == "DZ" else "district"
        assert facility.region.level == expected, facility.code


def test_every_facility_has_a_contract_and_a_contact(summary: demo.DemoSummary) -> None:
    assert reg.Facility.objects.count() == summary.facilities
    for facility in reg.Facility.objects.all():
        assert facility.contracts.exists(), facility.code
        assert facility.contacts.exists(), facility.code


def test_every_producer_has_a_capacity(summary: demo.DemoSummary) -> None:
    for producer in reg.Producer.objects.all():
        assert producer.capacities.exists(), producer.code


def test_contracts_stay_within_each_producers_capacity(summary: demo.DemoSummary) -> None:
    for capacity in reg.ProducerCapacity.objects.select_related("producer", "product"):
        agreed = sum(
            c.agreed_quantity_per_day
            for c in reg.SupplyContract.objects.filter(
                producer=capacity.producer, product=capacity.product
            )
        )
        assert agreed <= capacity.capacity_per_day, capacity


def test_algerian_contracts_are_requisitioned_from_july_2021(summary: demo.DemoSummary) -> None:
    algerian = reg.SupplyContract.objects.filter(facility__code__startswith="DZ-")
    assert algerian.exists()
    assert all(c.requisition and c.valid_from.isoformat() >= "2021-07-01" for c in algerian)
    assert not reg.SupplyContract.objects.filter(
        facility__code__startswith="VN-", requisition=True
    ).exists()


def test_every_tanker_has_its_capacity_in_kg(summary: demo.DemoSummary) -> None:
    tankers = reg.Vehicle.objects.filter(kind=reg.VehicleKind.CRYOGENIC_TANKER)
    assert tankers.exists()
    assert not tankers.filter(capacity_kg__isnull=True).exists()
    trucks = reg.Vehicle.objects.filter(kind=reg.VehicleKind.CYLINDER_TRUCK)
    assert all(t.cylinder_capacities.exists() for t in trucks)


def test_a_calgaz_tanker_carries_27000_litres_in_kg(summary: demo.DemoSummary) -> None:
    tanker = reg.Vehicle.objects.get(registration="DZ-CALGAZ-T01")
    expected = units.to_magnitude(
        units.lox_liquid_volume_to_mass(units.Quantity(27_000, "L")), "kg"
    )
    assert float(tanker.capacity_kg) == pytest.approx(expected, abs=0.1)


def test_every_demo_login_authenticates_with_the_demo_password(
    summary: demo.DemoSummary,
) -> None:
    assert [login.username for login in summary.logins] == [
        "ministry.dz",
        "ministry.vn",
        "coord.batna",
        "coord.binhphuoc",
        "staff.chu-batna",
        "staff.sanatorium",
        "producer.linde",
        "viewer.barika",
        "outsider",
        "admin",
    ]
    for login in summary.logins:
        user = authenticate(username=login.username, password=demo.DEMO_PASSWORD)
        assert user is not None, login.username


def test_the_demo_password_passes_the_password_validators(summary: demo.DemoSummary) -> None:
    for user in get_user_model().objects.all():
        validate_password(demo.DEMO_PASSWORD, user)


def test_each_persona_has_its_role_and_scope(summary: demo.DemoSummary) -> None:
    def profile(username: str) -> Profile:
        return Profile.objects.get(user__username=username)

    assert profile("ministry.dz").role == Role.MINISTRY
    assert profile("ministry.dz").region.code == "DZ"
    assert profile("coord.binhphuoc").region.code == "VN-70"
    assert [f.code for f in profile("staff.chu-batna").facilities.all()] == ["DZ-CHU-BATNA"]
    assert profile("producer.linde").organisation.code == "DZ-LINDE"
    assert profile("viewer.barika").region.name == "Barika (daïra)"
    labels = {login.username: login.role_label for login in summary.logins}
    assert labels["coord.batna"] == str(Role.COORDINATOR.label)


def test_the_outsider_has_no_profile_and_the_admin_is_a_superuser(
    summary: demo.DemoSummary,
) -> None:
    outsider = get_user_model().objects.get(username="outsider")
    assert outsider.is_active
    assert not Profile.objects.filter(user=outsider).exists()
    assert get_user_model().objects.get(username="admin").is_superuser


def test_reloading_keeps_a_changed_password(summary: demo.DemoSummary) -> None:
    user = get_user_model().objects.get(username="coord.batna")
    user.set_password("a-new-and-private-passphrase")
    user.save()
    demo.load()
    assert authenticate(username="coord.batna", password="a-new-and-private-passphrase")
    assert authenticate(username="coord.batna", password=demo.DEMO_PASSWORD) is None


def test_every_registry_row_passes_full_clean(summary: demo.DemoSummary) -> None:
    for model in REGISTRY_MODELS:
        rows = list(model._default_manager.all())
        assert rows, f"the demo loads no {model.__name__}"
        for row in rows:
            row.full_clean()


def test_the_chu_batna_tank_in_kg_agrees_with_core_units(summary: demo.DemoSummary) -> None:
    tank = reg.LoxTank.objects.get(facility__code="DZ-CHU-BATNA")
    assert tank.capacity_liquid_l == 3000
    assert tank.capacity_kg() == pytest.approx(3_423, rel=0.01)


def test_batna_town_hospitals_hold_9000_litres_in_all(summary: demo.DemoSummary) -> None:
    town = reg.Region.objects.get(code=demo.COMMUNE["Batna"])
    litres = sum(t.capacity_liquid_l for t in reg.LoxTank.objects.filter(facility__region=town))
    assert litres == 9_000
