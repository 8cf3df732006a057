"""Registry rules: the region tree, country calendars, units on stored equipment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from oxyflow.registry import models as reg
from tests.factories import World, create_region

pytestmark = pytest.mark.django_db


def test_region_paths_follow_the_tree(world: World) -> None:
    assert world.barika_daira.path == "DZ/DZ-05/DZ-05-02/"
    assert [r.code for r in reg.Region.objects.within(world.batna)] == [
        "DZ-05",
        "DZ-05-01",
        "DZ-05-02",
    ]


def test_renaming_a_code_moves_the_whole_subtree(world: World) -> None:
    commune = create_region(
        "DZ-05-02-01", "Barika (commune)", reg.RegionLevel.COMMUNE, world.barika_daira
    )
    world.batna.code = "DZ-BATNA"
    world.batna.save()
    commune.refresh_from_db()
    assert commune.path == "DZ/DZ-BATNA/DZ-05-02/DZ-05-02-01/"


def test_a_district_must_sit_directly_under_a_province(world: World) -> None:
    district = reg.Region(
        code="DZ-X", name="X", level=reg.RegionLevel.DISTRICT, parent=world.algeria.region
    )
    with pytest.raises(ValidationError) as caught:
        district.full_clean()
    assert "parent" in caught.value.message_dict


def test_a_merged_region_keeps_its_history_and_names_its_successor(world: World) -> None:
    dong_nai = create_region("VN-75", "Đồng Nai", reg.RegionLevel.PROVINCE, world.viet_nam.region)
    world.binh_phuoc.retired_on = date(2025, 7, 1)
    world.binh_phuoc.successor = dong_nai
    world.binh_phuoc.full_clean()
    world.binh_phuoc.save()
    assert reg.Region.objects.active().filter(code="VN-70").count() == 0
    assert list(dong_nai.predecessors.values_list("code", flat=True)) == ["VN-70"]
    # Sites keep pointing at the old district for their history.
    assert world.bv_binh_phuoc.region.parent.code == "VN-70"


def test_naming_a_successor_requires_the_retirement_date(world: World) -> None:
    dong_nai = create_region("VN-75", "Đồng Nai", reg.RegionLevel.PROVINCE, world.viet_nam.region)
    world.binh_phuoc.successor = dong_nai
    with pytest.raises(ValidationError) as caught:
        world.binh_phuoc.full_clean()
    assert "retired_on" in caught.value.message_dict


def test_a_new_site_cannot_be_placed_in_a_retired_region(world: World) -> None:
    world.barika_daira.retired_on = date(2025, 1, 1)
    world.barika_daira.save()
    site = reg.Facility(
        code="NEW",
        name="New",
        region=world.barika_daira,
        facility_type="clinic",
        latitude=Decimal(35),
        longitude=Decimal(5),
    )
    with pytest.raises(ValidationError) as caught:
        site.full_clean()
    assert "region" in caught.value.message_dict


def test_algeria_weekend_is_friday_and_saturday_with_its_public_holidays(world: World) -> None:
    calendar = world.algeria.calendar()
    assert calendar.is_weekend(date(2021, 7, 16))  # Friday
    assert calendar.is_weekend(date(2021, 7, 17))  # Saturday
    assert calendar.is_working_day(date(2021, 7, 18))  # Sunday
    assert calendar.holiday_name(date(2021, 7, 5)) is not None  # Independence Day
    assert not calendar.is_working_day(date(2021, 7, 5))


def test_viet_nam_weekend_is_saturday_and_sunday_with_national_day(world: World) -> None:
    calendar = world.viet_nam.calendar()
    assert calendar.is_weekend(date(2021, 7, 17))
    assert calendar.is_weekend(date(2021, 7, 18))
    assert calendar.is_working_day(date(2021, 7, 16))
    assert calendar.holiday_name(date(2021, 9, 2)) is not None


def test_a_reports_day_is_the_sites_local_date(world: World) -> None:
    late_evening_utc = datetime(2021, 7, 15, 23, 30, tzinfo=UTC)
    assert world.chu_batna.country.calendar().local_date(late_evening_utc) == date(2021, 7, 16)
    assert world.bv_binh_phuoc.country.calendar().local_date(late_evening_utc) == date(2021, 7, 16)
    afternoon_utc = datetime(2021, 7, 15, 16, 0, tzinfo=UTC)
    assert world.chu_batna.country.calendar().local_date(afternoon_utc) == date(2021, 7, 15)
    assert world.bv_binh_phuoc.country.calendar().local_date(afternoon_utc) == date(2021, 7, 15)


def test_invalid_weekend_days_are_rejected_with_the_field_named(world: World) -> None:
    world.algeria.weekend_days = [4, 9]
    with pytest.raises(ValidationError) as caught:
        world.algeria.full_clean()
    assert "weekend_days" in caught.value.message_dict


def test_a_40_litre_150_bar_cylinder_holds_about_six_normal_cubic_metres() -> None:
    cylinder = reg.CylinderType(
        code="C40", name="40 L", water_capacity_l=Decimal(40), fill_pressure_bar=Decimal(150)
    )
    assert cylinder.content_nm3() == pytest.approx(5.92, abs=0.05)


def test_a_cylinder_with_residual_above_fill_pressure_is_invalid() -> None:
    cylinder = reg.CylinderType(
        code="C40",
        name="40 L",
        water_capacity_l=Decimal(40),
        fill_pressure_bar=Decimal(150),
        residual_pressure_bar=Decimal(200),
    )
    with pytest.raises(ValidationError):
        cylinder.full_clean()


def test_a_3000_litre_lox_tank_holds_about_3423_kg(world: World) -> None:
    tank = reg.LoxTank.objects.create(facility=world.chu_batna, capacity_liquid_l=Decimal(3000))
    assert tank.capacity_kg() == pytest.approx(3423, rel=0.01)


def test_a_cylinder_product_needs_its_cylinder_type_and_the_cylinder_unit() -> None:
    product = reg.Product(
        code="CYL",
        name="Cylinders",
        kind=reg.ProductKind.CYLINDER,
        unit_of_issue=reg.UnitOfIssue.KG,
    )
    with pytest.raises(ValidationError) as caught:
        product.full_clean()
    assert set(caught.value.message_dict) == {"unit_of_issue", "cylinder_type"}


def test_a_tanker_needs_a_capacity_in_kg(world: World) -> None:
    tanker = reg.Vehicle(
        registration="T-2",
        organisation=world.hauler,
        kind=reg.VehicleKind.CRYOGENIC_TANKER,
        home_depot=world.linde_depot,
    )
    with pytest.raises(ValidationError) as caught:
        tanker.full_clean()
    assert "capacity_kg" in caught.value.message_dict


def test_text_with_a_nul_character_is_refused_before_postgresql_sees_it(world: World) -> None:
    world.chu_batna.name = "CHU\x00Batna"
    with pytest.raises(ValidationError) as caught:
        world.chu_batna.full_clean()
    assert "name" in caught.value.message_dict


def test_every_registry_change_is_kept_with_who_and_why(world: World) -> None:
    from oxyflow.registry import services

    services.update(world.coordinator, world.eph_barika, {"beds_icu": 12}, reason="ICU extension")
    last = world.eph_barika.history.latest()
    assert (last.beds_icu, last.history_user, last.history_change_reason) == (
        12,
        world.coordinator,
        "ICU extension",
    )
    previous = last.prev_record
    assert previous is not None
    assert previous.beds_icu == 8
    changed = {c.field for c in last.diff_against(previous).changes}
    assert changed == {"beds_icu"}


def test_concurrent_edits_of_different_fields_both_survive(world: World) -> None:
    from oxyflow.registry import services

    seen_by_staff = reg.Facility.objects.get(pk=world.chu_batna.pk)
    seen_by_coordinator = reg.Facility.objects.get(pk=world.chu_batna.pk)
    services.update(world.facility_staff, seen_by_staff, {"beds_icu": 20}, reason="ICU")
    services.update(world.coordinator, seen_by_coordinator, {"priority": 1}, reason="reference")
    fresh = reg.Facility.objects.get(pk=world.chu_batna.pk)
    assert (fresh.beds_icu, fresh.priority) == (20, 1)


def test_a_facility_converts_to_the_cores_view_with_usable_lox_in_kg(world: World) -> None:
    from oxyflow.registry import services

    reg.LoxTank.objects.create(
        facility=world.chu_batna, capacity_liquid_l=Decimal(3000), safety_level_pct=Decimal(20)
    )
    reg.FacilityConcentrators.objects.create(
        facility=world.chu_batna, flow_l_per_min=Decimal(5), count=3
    )
    core = services.core_facility(world.chu_batna)
    assert core.code == "DZ-CHU-BATNA"
    assert core.lox_capacity_kg == pytest.approx(3423, rel=0.01)
    assert core.lox_safety_level_kg == pytest.approx(684.6, rel=0.01)
    assert core.concentrator_output_l_per_min == 15
    link = services.core_supply_link(world.contract)
    assert (link.producer, link.facility, link.product) == (
        "DZ-LINDE-SKIKDA",
        "DZ-CHU-BATNA",
        "LOX",
    )
    assert services.core_vehicle(world.tanker).lox_capacity_kg == 20000
