"""Registry import/export: all-or-nothing validation, idempotent re-import, scope, page, CLI."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from oxyflow.registry import models as reg
from oxyflow.registry import transfer
from oxyflow.registry.transfer import ImportRejected, Problem
from tests.factories import PASSWORD

FACILITY_HEADER = "code,name,region_code,facility_type,latitude,longitude,beds_total,beds_oxygen"


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems_of(data: bytes, fmt: str, user: object, kind: str | None = None) -> list[Problem]:
    with pytest.raises(ImportRejected) as rejected:
        transfer.import_file(data, fmt, user, kind=kind, source=f"test.{fmt}")
    return rejected.value.problems


def counts(result: transfer.ImportResult, kind: str) -> tuple[int, int, int]:
    c = result.counts[kind]
    return (c.created, c.updated, c.unchanged)


GOOD_AND_BAD_FACILITIES = csv_bytes(
    FACILITY_HEADER,
    "DZ-NEW-1,Polyclinique Nord,DZ-05-01,clinic,35.55,6.17,20,10",
    "DZ-NEW-2,Polyclinique Sud,DZ-05-01,hopsital,35.50,6.10,20,10",
    "DZ-NEW-3,Polyclinique Est,DZ-05-02,clinic,35.38,5.36,30,12",
)


# --- all or nothing ----------------------------------------------------------------------


def test_a_csv_with_one_bad_row_imports_nothing_and_names_row_field_and_reason(world):
    before = reg.Facility.objects.count()
    problems = problems_of(GOOD_AND_BAD_FACILITIES, "csv", world.coordinator, "facilities")
    assert [(p.sheet, p.row, p.field, p.value) for p in problems] == [
        ("facilities", 3, "facility_type", "hopsital")
    ]
    assert "hospital, treatment_centre, field_hospital, clinic" in problems[0].reason
    assert reg.Facility.objects.count() == before


def test_an_xlsx_with_one_bad_row_imports_nothing_and_names_row_field_and_reason(world):
    before = reg.Facility.objects.count()
    data = xlsx_bytes(
        {
            "facilities": [
                FACILITY_HEADER.split(","),
                ["DZ-NEW-1", "Polyclinique Nord", "DZ-05-01", "clinic", 35.55, 6.17, 20, 10],
                ["DZ-NEW-2", "Polyclinique Sud", "DZ-05-01", "clinic", "north", 6.1, 20, 10],
                ["DZ-NEW-3", "Polyclinique Est", "DZ-05-02", "clinic", 35.38, 5.36, 30, 12],
            ]
        }
    )
    problems = problems_of(data, "xlsx", world.coordinator)
    assert [(p.row, p.field, p.value, p.reason) for p in problems] == [
        (3, "latitude", "north", "Expected a number such as 12.5.")
    ]
    assert reg.Facility.objects.count() == before


def test_a_model_rule_is_reported_on_its_column(world):
    data = csv_bytes(FACILITY_HEADER, "DZ-NEW-1,Polyclinique Nord,DZ-05-01,clinic,35.5,6.1,20,30")
    problems = problems_of(data, "csv", world.coordinator, "facilities")
    assert [(p.row, p.field) for p in problems] == [(2, "beds_oxygen")]
    assert "cannot exceed total beds" in problems[0].reason


def test_a_nul_character_in_text_is_a_problem(world):
    data = csv_bytes(FACILITY_HEADER, "DZ-NEW-1,Poly\x00clinique,DZ-05-01,clinic,35.5,6.1,20,10")
    problems = problems_of(data, "csv", world.coordinator, "facilities")
    assert [(p.row, p.field, p.value) for p in problems] == [(2, "name", "Poly␀clinique")]
    assert "NUL" in problems[0].reason


def test_a_code_twice_in_one_file_is_a_problem_even_across_site_sheets(world):
    data = xlsx_bytes(
        {
            "depots": [
                ["code", "name", "region_code", "latitude", "longitude"],
                ["DZ-NEW-1", "Depot", "DZ-05-01", 35.5, 6.1],
            ],
            "facilities": [
                FACILITY_HEADER.split(","),
                ["DZ-NEW-1", "Clinic", "DZ-05-01", "clinic", 35.5, 6.1, 20, 10],
            ],
        }
    )
    problems = problems_of(data, "xlsx", world.coordinator)
    assert [(p.sheet, p.row, p.field) for p in problems] == [("facilities", 2, "code")]
    assert "sheet depots, row 2" in problems[0].reason


def test_an_unknown_or_missing_key_column_is_named_on_the_header_row(world):
    data = csv_bytes("name,beds,latitude", "Clinic,20,35.5")
    problems = problems_of(data, "csv", world.coordinator, "facilities")
    assert {(p.row, p.field) for p in problems} == {(1, "beds"), (1, "code")}
    assert "code, name, name_local" in next(p.reason for p in problems if p.field == "beds")


def test_a_new_row_names_the_columns_it_lacks(world):
    data = csv_bytes("code,name,region_code,latitude", "DZ-NEW-1,Clinic,DZ-05-01,35.5")
    problems = problems_of(data, "csv", world.coordinator, "facilities")
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (2, "facility_type", "A new row needs this column."),
        (2, "longitude", "A new row needs this column."),
    ]


def test_a_csv_without_its_kind_is_refused(world):
    problems = problems_of(GOOD_AND_BAD_FACILITIES, "csv", world.coordinator)
    assert "facilities" in problems[0].reason


def test_a_file_that_is_not_xlsx_is_a_problem_not_a_crash(world):
    problems = problems_of(b"not a zip", "xlsx", world.coordinator)
    assert problems[0].reason == "The file is not a readable XLSX workbook."


def test_blank_spreadsheet_rows_are_skipped_and_rows_keep_their_numbers(world):
    data = xlsx_bytes(
        {
            "facilities": [
                FACILITY_HEADER.split(","),
                ["DZ-NEW-1", "Polyclinique Nord", "DZ-05-01", "clinic", 35.55, 6.17, 20, 10],
                [],
                [None, None],
                ["DZ-NEW-2", "Polyclinique Sud", "DZ-05-01", "clinic", 35.5, 6.1, "many", 10],
            ]
        }
    )
    problems = problems_of(data, "xlsx", world.coordinator)
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (5, "beds_total", "Expected a whole number.")
    ]


def test_an_unknown_sheet_is_named(world):
    data = xlsx_bytes({"Sheet1": [["code"], ["X"]], "facilities": [["code"]]})
    problems = problems_of(data, "xlsx", world.coordinator)
    assert [(p.sheet, p.value) for p in problems] == [("sheet1", "sheet1")]


# --- idempotence and updates -------------------------------------------------------------


GOOD_FACILITIES = csv_bytes(
    FACILITY_HEADER,
    "DZ-NEW-1,Polyclinique Nord,DZ-05-01,clinic,35.55,6.17,20,10",
    "DZ-NEW-3,Polyclinique Est,DZ-05-02,clinic,35.38,5.36,30,12",
)


def test_importing_creates_rows_with_the_file_name_as_history_reason(world):
    result = transfer.import_file(
        GOOD_FACILITIES, "csv", world.coordinator, kind="facilities", source="batna.csv"
    )
    assert counts(result, "facilities") == (2, 0, 0)
    created = reg.Facility.objects.get(code="DZ-NEW-1")
    assert created.region == world.batna_daira
    assert created.latitude == Decimal("35.55")
    record = created.history.get()
    assert (record.history_change_reason, record.history_user) == (
        "import batna.csv",
        world.coordinator,
    )


def test_reimporting_the_same_file_creates_and_updates_nothing(world):
    transfer.import_file(GOOD_FACILITIES, "csv", world.coordinator, kind="facilities")
    total = reg.Facility.objects.count()
    history = reg.Facility.history.count()
    again = transfer.import_file(GOOD_FACILITIES, "csv", world.coordinator, kind="facilities")
    assert counts(again, "facilities") == (0, 0, 2)
    assert reg.Facility.objects.count() == total
    assert reg.Facility.history.count() == history


def test_a_changed_value_updates_by_code_and_records_the_import_in_history(world):
    data = csv_bytes(
        "code,name,region_code,facility_type,latitude,longitude,beds_total,beds_oxygen",
        "DZ-CHU-BATNA,CHU Batna,DZ-05-01,hospital,35.5,6.1,120,60",
    )
    total = reg.Facility.objects.count()
    result = transfer.import_file(
        data, "csv", world.coordinator, kind="facilities", source="beds.csv"
    )
    assert counts(result, "facilities") == (0, 1, 0)
    assert reg.Facility.objects.count() == total
    chu = reg.Facility.objects.get(code="DZ-CHU-BATNA")
    assert (chu.beds_total, chu.beds_oxygen, chu.beds_icu) == (120, 60, 8)
    latest = chu.history.latest()
    assert (latest.history_change_reason, latest.history_user) == (
        "import beds.csv",
        world.coordinator,
    )


def test_a_contract_is_matched_by_producer_facility_product_and_start(world):
    data = csv_bytes(
        "producer_code,facility_code,product_code,agreed_quantity_per_day,valid_from,binding",
        "DZ-LINDE-SKIKDA,DZ-CHU-BATNA,LOX,1500,2021-07-01,yes",
        "DZ-LINDE-SKIKDA,DZ-CHU-BATNA,LOX,800,2022-01-01,no",
    )
    result = transfer.import_file(data, "csv", world.coordinator, kind="contracts")
    assert counts(result, "contracts") == (1, 1, 0)
    world.contract.refresh_from_db()
    assert (world.contract.agreed_quantity_per_day, world.contract.binding) == (1500, True)
    assert reg.SupplyContract.objects.count() == 2


def test_a_dry_run_reports_what_would_change_and_saves_nothing(world):
    before = reg.Facility.objects.count()
    result = transfer.import_file(
        GOOD_FACILITIES, "csv", world.coordinator, kind="facilities", dry_run=True
    )
    assert result.dry_run
    assert counts(result, "facilities") == (2, 0, 0)
    assert reg.Facility.objects.count() == before


# --- references within one file ----------------------------------------------------------


def test_rows_may_refer_to_regions_created_earlier_in_the_same_file(world):
    data = xlsx_bytes(
        {
            "regions": [
                ["code", "name", "level", "parent_code"],
                ["DZ-40", "Khenchela", "province", "DZ"],
                ["DZ-40-01", "Khenchela (daïra)", "district", "DZ-40"],
            ],
            "facilities": [
                FACILITY_HEADER.split(","),
                ["DZ-CHU-KHENCHELA", "CHU Khenchela", "DZ-40-01", "hospital", 35.4, 7.1, 200, 80],
            ],
        }
    )
    result = transfer.import_file(data, "xlsx", world.ministry)
    assert counts(result, "regions") == (2, 0, 0)
    assert counts(result, "facilities") == (1, 0, 0)
    facility = reg.Facility.objects.select_related("region").get(code="DZ-CHU-KHENCHELA")
    assert facility.region.path == "DZ/DZ-40/DZ-40-01/"


def test_an_unknown_region_code_is_a_problem_naming_region_code(world):
    data = csv_bytes(FACILITY_HEADER, "DZ-NEW-1,Clinic,DZ-05-99,clinic,35.5,6.1,20,10")
    problems = problems_of(data, "csv", world.coordinator, "facilities")
    assert [(p.row, p.field, p.value) for p in problems] == [(2, "region_code", "DZ-05-99")]
    assert problems[0].reason == "There is no region with code DZ-05-99 in your scope."


# --- formats -----------------------------------------------------------------------------


def test_a_semicolon_csv_with_bom_and_decimal_commas_imports(world):
    text = (
        "code;name;region_code;facility_type;latitude;longitude;beds_total;beds_oxygen\r\n"
        "DZ-NEW-1;Polyclinique Nord;DZ-05-01;clinic;35,55;6,17;20;10\r\n"
    )
    data = text.encode("utf-8-sig")
    result = transfer.import_file(data, "csv", world.coordinator, kind="facilities")
    assert counts(result, "facilities") == (1, 0, 0)
    assert reg.Facility.objects.get(code="DZ-NEW-1").longitude == Decimal("6.17")


def test_a_value_that_looks_like_a_formula_survives_a_csv_round_trip(world):
    reg.Facility.objects.filter(pk=world.chu_batna.pk).update(name="=CHU Batna")
    data = transfer.export(["facilities"], world.coordinator, "csv")
    assert "'=CHU Batna" in data.decode("utf-8-sig")
    result = transfer.import_file(data, "csv", world.coordinator, kind="facilities")
    assert counts(result, "facilities") == (0, 0, 2)


# --- scope -------------------------------------------------------------------------------


def test_a_coordinator_importing_a_facility_in_skikda_gets_a_scope_problem(world):
    data = csv_bytes(FACILITY_HEADER, "DZ-NEW-1,Clinic,DZ-21,clinic,36.8,6.9,20,10")
    problems = problems_of(data, "csv", world.coordinator, "facilities")
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (2, "region_code", "There is no region with code DZ-21 in your scope.")
    ]


def test_facility_staff_may_change_the_beds_of_their_facility(world):
    data = csv_bytes("code,beds_total,beds_oxygen", "DZ-CHU-BATNA,150,70")
    result = transfer.import_file(data, "csv", world.facility_staff, kind="facilities")
    assert counts(result, "facilities") == (0, 1, 0)
    assert reg.Facility.objects.get(code="DZ-CHU-BATNA").beds_total == 150


def test_facility_staff_may_not_move_their_facility_or_touch_another(world):
    data = csv_bytes(
        "code,region_code,beds_total",
        "DZ-CHU-BATNA,DZ-05-02,100",
        "DZ-EPH-BARIKA,DZ-05-02,500",
        "DZ-NEW-1,DZ-05-01,10",
    )
    problems = problems_of(data, "csv", world.facility_staff, "facilities")
    assert [(p.row, p.field) for p in problems] == [
        (2, "region_code"),
        (3, "region_code"),
        (3, "code"),
        (4, "region_code"),
        (4, "code"),
    ]
    # A facility out of scope reads exactly like one that does not exist.
    assert problems[2].reason == "There is no facility with code DZ-EPH-BARIKA in your scope."
    assert problems[4].reason == "There is no facility with code DZ-NEW-1 in your scope."
    assert reg.Facility.objects.get(code="DZ-EPH-BARIKA").beds_total == 100


def test_producer_staff_may_not_base_a_vehicle_with_another_organisation(world):
    data = csv_bytes(
        "registration,organisation_code,kind,capacity_kg,home_depot_code",
        "05-TANK-02,LINDE-DZ,cryogenic_tanker,18000,DZ-LINDE-DEPOT",
        "05-TANK-03,HAULER-DZ,cryogenic_tanker,18000,DZ-LINDE-DEPOT",
    )
    problems = problems_of(data, "csv", world.producer_staff, "vehicles")
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (3, "organisation_code", "There is no organisation with code HAULER-DZ in your scope.")
    ]


def test_the_ministry_may_not_add_a_region_in_another_country(world):
    data = csv_bytes("code,name,level,parent_code", "VN-99,Somewhere,province,VN")
    problems = problems_of(data, "csv", world.ministry, "regions")
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (2, "parent_code", "There is no region with code VN in your scope.")
    ]


CONTRACT_HEADER = "producer_code,facility_code,product_code,agreed_quantity_per_day,valid_from"


def test_a_coordinator_may_not_contract_a_producer_of_another_country(client, world):
    before = reg.SupplyContract.objects.count()
    data = csv_bytes(CONTRACT_HEADER, "VN-PLANT,DZ-CHU-BATNA,LOX,500,2024-01-01")
    problems = problems_of(data, "csv", world.coordinator, "contracts")
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (2, "producer_code", "There is no producer with code VN-PLANT in your scope.")
    ]
    assert reg.SupplyContract.objects.count() == before
    # The producer stays out of the coordinator's sight.
    login(client, world.coordinator)
    assert client.get("/sites/VN-PLANT/").status_code == 404


def test_a_coordinator_may_not_give_a_facility_an_organisation_out_of_scope(world):
    data = csv_bytes(
        FACILITY_HEADER + ",organisation_code",
        "DZ-NEW-1,Clinic,DZ-05-01,clinic,35.5,6.1,20,10,VN-GAS",
        "DZ-CHU-BATNA,CHU Batna,DZ-05-01,hospital,35.5,6.1,100,40,VN-GAS",
    )
    problems = problems_of(data, "csv", world.coordinator, "facilities")
    reason = "There is no organisation with code VN-GAS in your scope."
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (2, "organisation_code", reason),
        (3, "organisation_code", reason),
    ]
    assert not reg.Facility.objects.filter(code="DZ-NEW-1").exists()
    assert reg.Facility.objects.get(code="DZ-CHU-BATNA").organisation is None


def test_an_unknown_code_and_one_out_of_scope_read_the_same(world):
    data = csv_bytes(
        FACILITY_HEADER + ",organisation_code",
        "DZ-NEW-1,Clinic,DZ-05-01,clinic,35.5,6.1,20,10,VN-GAS",
        "DZ-NEW-2,Clinic,DZ-05-01,clinic,35.5,6.1,20,10,NO-SUCH-ORG",
    )
    problems = problems_of(data, "csv", world.coordinator, "facilities")
    reasons = [p.reason.replace(p.value, "CODE") for p in problems]
    assert len(reasons) == 2
    assert reasons[0] == reasons[1] == "There is no organisation with code CODE in your scope."
    # The same for the rows themselves: an update of a facility out of scope.
    data = csv_bytes("code,beds_total", "VN-BVDK-BP,5", "DZ-NOPE,5")
    problems = problems_of(data, "csv", world.facility_staff, "facilities")
    assert [p.reason.replace(p.value, "CODE") for p in problems] == [
        "There is no facility with code CODE in your scope."
    ] * 2
    assert reg.Facility.objects.get(code="VN-BVDK-BP").beds_total == 100


def test_a_new_row_may_not_take_a_code_held_out_of_scope(world):
    data = csv_bytes(FACILITY_HEADER, "VN-BVDK-BP,Clinic,DZ-05-01,clinic,35.5,6.1,20,10")
    problems = problems_of(data, "csv", world.coordinator, "facilities")
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (2, "code", "The code VN-BVDK-BP cannot be used.")
    ]
    hidden = reg.Facility.objects.get(code="VN-BVDK-BP")
    assert (hidden.region, hidden.name) == (world.dong_xoai, "Bình Phước General Hospital")
    # Also across kinds of site, and for organisations.
    data = csv_bytes("code,name,region_code,latitude,longitude", "VN-PLANT,Depot,DZ-05-01,35.5,6.1")
    problems = problems_of(data, "csv", world.coordinator, "depots")
    assert [p.reason for p in problems] == ["The code VN-PLANT cannot be used."]
    data = csv_bytes("code,name,kind,ownership,country_iso", "VN-GAS,Gas,producer,private,DZ")
    problems = problems_of(data, "csv", world.ministry, "organisations")
    assert [p.reason for p in problems] == ["The code VN-GAS cannot be used."]
    assert reg.Organisation.objects.get(code="VN-GAS").country == world.viet_nam


def test_a_producer_defined_above_in_the_same_file_may_be_contracted(world):
    data = xlsx_bytes(
        {
            "producers": [
                [
                    "code",
                    "name",
                    "region_code",
                    "producer_type",
                    "ownership",
                    "latitude",
                    "longitude",
                ],
                ["DZ-NEW-PLANT", "Plant", "DZ-05-01", "asu", "private", 35.5, 6.1],
            ],
            "contracts": [
                CONTRACT_HEADER.split(","),
                ["DZ-NEW-PLANT", "DZ-CHU-BATNA", "LOX", 500, "2024-01-01"],
            ],
        }
    )
    result = transfer.import_file(data, "xlsx", world.coordinator)
    assert counts(result, "contracts") == (1, 0, 0)


def test_producer_staff_may_not_change_their_organisation(world):
    data = csv_bytes(
        "code,name,kind,ownership,country_iso",
        "LINDE-DZ,Linde Gas Viet Nam,producer,private,VN",
    )
    problems = problems_of(data, "csv", world.producer_staff, "organisations")
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (2, "country_iso", "There is no country with code VN in your scope."),
        (2, "code", "You may read this record but not change it."),
    ]
    linde = reg.Organisation.objects.get(code="LINDE-DZ")
    assert (linde.name, linde.country) == ("Linde Gas Algérie", world.algeria)
    data = csv_bytes("code,name", "LINDE-DZ,Linde Renamed")
    problems = problems_of(data, "csv", world.producer_staff, "organisations")
    assert [(p.field, p.reason) for p in problems] == [
        ("code", "You may read this record but not change it.")
    ]
    assert reg.Organisation.objects.get(code="LINDE-DZ").name == "Linde Gas Algérie"


def test_producer_staff_may_not_move_a_depot_or_give_it_away_or_add_one(world):
    data = csv_bytes("code,region_code,organisation_code", "DZ-LINDE-DEPOT,VN-70-689,LINDE-DZ")
    problems = problems_of(data, "csv", world.producer_staff, "depots")
    assert [(p.row, p.field) for p in problems] == [(2, "region_code")]
    data = csv_bytes("code,region_code", "DZ-LINDE-DEPOT,DZ-05-02")
    assert [p.field for p in problems_of(data, "csv", world.producer_staff, "depots")] == [
        "region_code"
    ]
    data = csv_bytes("code,organisation_code", "DZ-LINDE-DEPOT,HAULER-DZ")
    assert [p.field for p in problems_of(data, "csv", world.producer_staff, "depots")] == [
        "organisation_code"
    ]
    data = csv_bytes(
        "code,name,region_code,organisation_code,latitude,longitude",
        "DZ-NEW-DEPOT,Depot,DZ-05-01,LINDE-DZ,35.5,6.1",
    )
    assert [p.field for p in problems_of(data, "csv", world.producer_staff, "depots")] == [
        "region_code",
        "code",
    ]
    depot = reg.Depot.objects.get(code="DZ-LINDE-DEPOT")
    assert (depot.region, depot.organisation) == (world.batna_daira, world.linde)
    assert not reg.Site.objects.filter(code="DZ-NEW-DEPOT").exists()


def test_producer_staff_may_still_change_their_depots_notes(world):
    data = csv_bytes("code,address,region_code", "DZ-LINDE-DEPOT,Zone industrielle,DZ-05-01")
    result = transfer.import_file(data, "csv", world.producer_staff, kind="depots")
    assert counts(result, "depots") == (0, 1, 0)


def test_a_viewer_may_import_nothing(world):
    assert not transfer.can_import(world.viewer)
    assert transfer.can_import(world.facility_staff)
    data = csv_bytes("code,beds_total", "DZ-EPH-BARIKA,5")
    problems = problems_of(data, "csv", world.viewer, "facilities")
    assert problems[0].reason == "You may read this record but not change it."


# --- export ------------------------------------------------------------------------------


def exported_codes(user: object, kind: str) -> list[str]:
    text = transfer.export([kind], user, "csv").decode("utf-8-sig")
    return [row[0] for row in csv.reader(io.StringIO(text))][1:]


def test_the_coordinators_export_holds_only_rows_in_scope(world):
    assert exported_codes(world.coordinator, "facilities") == ["DZ-CHU-BATNA", "DZ-EPH-BARIKA"]
    assert exported_codes(world.coordinator, "regions") == ["DZ-05", "DZ-05-01", "DZ-05-02"]


def test_the_outsiders_export_is_empty(world):
    workbook = load_workbook(io.BytesIO(transfer.export([], world.outsider, "xlsx")))
    assert workbook.sheetnames == list(transfer.KINDS)
    assert all(ws.max_row == 1 for ws in workbook.worksheets)


def test_the_xlsx_export_has_a_bold_frozen_header_per_kind(world):
    workbook = load_workbook(io.BytesIO(transfer.export([], world.ministry, "xlsx")))
    facilities = workbook["facilities"]
    assert [c.value for c in facilities[1]] == list(transfer.SHEETS["facilities"].column_names)
    assert facilities["A1"].font.bold
    assert facilities.freeze_panes == "A2"


def test_decimals_are_exported_without_exponent(world):
    reg.Producer.objects.filter(pk=world.linde_plant.pk).update(lox_storage_kg=Decimal("1E+5"))
    text = transfer.export(["producers"], world.ministry, "csv").decode("utf-8-sig")
    assert ",100000," in text
    assert "E+" not in text


@pytest.mark.parametrize(
    "persona", ["ministry", "coordinator", "facility_staff", "producer_staff", "viewer"]
)
def test_export_then_import_is_all_unchanged(world, persona):
    user = getattr(world, persona)
    data = transfer.export([], user, "xlsx")
    result = transfer.validate(transfer.read_rows(data, "xlsx"), user)
    assert isinstance(result, transfer.ImportPlan)
    assert all(row.action == "unchanged" for row in result.rows)
    assert result.rows, "the export holds rows"


def test_a_csv_export_then_import_is_all_unchanged_for_the_coordinator(world):
    for kind in transfer.KINDS:
        data = transfer.export([kind], world.coordinator, "csv")
        result = transfer.import_file(data, "csv", world.coordinator, kind=kind)
        assert all(c.created == c.updated == 0 for c in result.counts.values()), kind


# --- the page ----------------------------------------------------------------------------


def login(client, user):  # type: ignore[no-untyped-def]
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_viewer_may_download_but_gets_no_import_form(client, world):
    login(client, world.viewer)
    page = client.get(reverse("registry:transfer"))
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' not in page.content
    download = client.get(reverse("registry:export", args=["xlsx"]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="oxyflow-registry-20')
    assert download["Content-Disposition"].endswith('.xlsx"')


def test_a_post_from_the_viewer_is_refused(client, world):
    login(client, world.viewer)
    upload = io.BytesIO(GOOD_FACILITIES)
    upload.name = "good.csv"
    response = client.post(reverse("registry:transfer"), {"file": upload, "kind": "facilities"})
    assert response.status_code == 403
    assert not reg.Facility.objects.filter(code="DZ-NEW-1").exists()


def test_a_bad_file_shows_the_problems_table_and_imports_nothing(client, world):
    login(client, world.coordinator)
    page = client.get(reverse("registry:transfer"))
    assert b'enctype="multipart/form-data"' in page.content
    upload = io.BytesIO(GOOD_AND_BAD_FACILITIES)
    upload.name = "bad.csv"
    response = client.post(reverse("registry:transfer"), {"file": upload, "kind": "facilities"})
    assert response.status_code == 200
    assert response.context["problems"][0].field == "facility_type"
    assert b'id="problems"' in response.content
    assert not reg.Facility.objects.filter(code="DZ-NEW-1").exists()


def test_a_good_file_shows_the_summary(client, world):
    login(client, world.coordinator)
    upload = io.BytesIO(GOOD_FACILITIES)
    upload.name = "good.csv"
    response = client.post(reverse("registry:transfer"), {"file": upload, "kind": "facilities"})
    assert response.status_code == 200
    assert counts(response.context["result"], "facilities") == (2, 0, 0)
    assert reg.Facility.objects.filter(code="DZ-NEW-1").exists()


def test_a_csv_upload_needs_its_kind(client, world):
    login(client, world.coordinator)
    upload = io.BytesIO(GOOD_FACILITIES)
    upload.name = "good.csv"
    response = client.post(reverse("registry:transfer"), {"file": upload})
    assert response.context["form"].errors["kind"] == ["Say what the CSV file holds."]


def test_the_export_view_answers_404_for_unknown_format_or_kind(client, world):
    login(client, world.coordinator)
    assert client.get(reverse("registry:export", args=["pdf"])).status_code == 404
    assert client.get(reverse("registry:export", args=["csv"])).status_code == 404
    url = reverse("registry:export", args=["csv"])
    assert client.get(url + "?kind=patients").status_code == 404
    response = client.get(url + "?kind=facilities")
    assert response.status_code == 200
    assert "VN-BVDK-BP" not in response.content.decode("utf-8-sig")


def test_the_page_needs_a_login(client, world):
    response = client.get(reverse("registry:transfer"))
    assert response.status_code == 302


# --- the command -------------------------------------------------------------------------


def test_the_command_exits_with_status_1_and_prints_each_problem(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(GOOD_AND_BAD_FACILITIES)
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "registry", "import", str(path), "--kind", "facilities", "--as", "carim", stderr=err
        )
    assert failed.value.returncode == 1
    assert err.getvalue().splitlines() == [
        "row 3, sheet facilities, field facility_type, value 'hopsital': Not an allowed value; "
        "use one of: hospital, treatment_centre, field_hospital, clinic."
    ]
    assert not reg.Facility.objects.filter(code="DZ-NEW-1").exists()


def test_the_command_exports_and_reimports_without_change(world, tmp_path):
    path = tmp_path / "registry.xlsx"
    call_command("registry", "export", "--format", "xlsx", "--out", str(path), "--as", "carim")
    out = io.StringIO()
    call_command("registry", "import", str(path), "--as", "carim", stdout=out)
    assert "facilities: 0 created, 0 updated, 2 unchanged" in out.getvalue()


def test_the_command_without_a_user_exports_everything(world, tmp_path):
    path = tmp_path / "facilities.csv"
    call_command(
        "registry", "export", "--format", "csv", "--kind", "facilities", "--out", str(path)
    )
    assert "VN-BVDK-BP" in path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("text", ["2021-02-30", "30/07/2021", "soon"])
def test_a_date_cell_that_is_not_a_real_yyyy_mm_dd_date_is_refused(text: str) -> None:
    from datetime import date

    from oxyflow.registry.transfer.cells import CellError, _parse_date

    assert _parse_date("2021-07-30") == date(2021, 7, 30)
    with pytest.raises(CellError, match="yyyy-mm-dd"):
        _parse_date(text)
