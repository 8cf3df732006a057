"""Uploading many sites' daily reports at once: all or nothing, idempotent, in scope."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from oxyflow import urls as project_urls
from oxyflow.api import OxyFlowAPI, api
from oxyflow.registry import models as reg
from oxyflow.reporting import services, upload
from oxyflow.reporting.models import Channel, FacilityReport, FacilityStatus, ProducerReport
from oxyflow.reporting.upload_api import router as upload_router
from oxyflow.stock.models import Movement
from tests.factories import PASSWORD, create_facility
from tests.reporting.conftest import NOW, TODAY, ReportingWorld, api_client, report_in


# --- routing: the project includes the page under /reports/upload/ and the router under
# /api/v1/; until it does, this module routes them itself on top of the project's URLs.
def _routed(name: str) -> bool:
    try:
        reverse(name, urlconf=project_urls)
    except NoReverseMatch:
        return False
    return True


urlpatterns = list(project_urls.urlpatterns)
if not _routed("reporting_upload:upload"):
    urlpatterns.insert(0, path("reports/upload/", include("oxyflow.reporting.upload_urls")))
if not _routed("api-v1:upload_reports"):
    _upload_api = OxyFlowAPI(
        urls_namespace="api-v1-upload", auth=api.auth, docs_url=None, openapi_url=None
    )
    _upload_api._exception_handlers = dict(api._exception_handlers)
    _upload_api.add_router("/", upload_router)
    urlpatterns.insert(0, path("api/v1/", _upload_api.urls))

pytestmark = pytest.mark.urls(__name__)

API_URL = "/api/v1/reports/upload"
YESTERDAY = TODAY - timedelta(days=1)
HEADER = (
    "facility",
    "report_date",
    "patients_low_flow",
    "patients_high_flow",
    "patients_ventilated",
    "lox_level",
    "lox_unit",
    "cyl_B50_full",
    "cyl_B50_empty",
)


def csv_bytes(rows: list[list[Any]], delimiter: str = ",") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_rows(day: date = YESTERDAY) -> list[list[Any]]:
    return [
        list(HEADER),
        ["DZ-CHU-BATNA", day.isoformat(), 20, 5, 2, 40, "%", 30, 10],
        ["DZ-EPH-BARIKA", day.isoformat(), 10, 1, 0, "", "", 12, 3],
    ]


def rejected(data: bytes, fmt: str, user: Any, **kwargs: Any) -> upload.UploadRejected:
    with pytest.raises(upload.UploadRejected) as refused:
        upload.import_reports(data, fmt, user, now=NOW, **kwargs)
    return refused.value


def found(data: bytes, fmt: str, user: Any) -> list[tuple[int, str, str]]:
    return [(p.row, p.field, p.reason) for p in rejected(data, fmt, user).problems]


# --- the acceptance point: 1,000 rows, 3 bad, nothing stored -------------------------------


def thousand_rows(rw: ReportingWorld) -> list[list[Any]]:
    """1,000 rows: 20 Batna facilities with a tank each, over the 50 days before today."""
    facilities = [rw.world.chu_batna, rw.world.eph_barika]
    facilities += [create_facility(f"DZ-BATNA-{i:02}", rw.world.batna_daira) for i in range(18)]
    for facility in facilities[1:]:
        reg.LoxTank.objects.create(facility=facility, capacity_liquid_l=Decimal(10000))
    rows: list[list[Any]] = [list(HEADER)]
    for day in range(50, 0, -1):
        for n, facility in enumerate(facilities):
            report_date = TODAY - timedelta(days=day)
            rows.append([facility.code, report_date, 20 + n, 5, 2, 80 - day % 40, "%", 30, 10])
    return rows


def test_an_upload_of_1000_rows_with_3_bad_rows_imports_nothing_and_reports_the_3_rows(
    rw: ReportingWorld,
) -> None:
    rows = thousand_rows(rw)
    assert len(rows) == 1001
    rows[10][2] = "-4"  # spreadsheet row 11
    rows[500][5] = "120"  # row 501: a tank above 100 %
    rows[998][7] = "many"  # row 999
    movements = Movement.objects.count()
    refused = rejected(csv_bytes(rows), "csv", rw.world.coordinator)
    assert [(p.row, p.field, p.value) for p in refused.problems] == [
        (11, "patients_low_flow", "-4"),
        (501, "lox_level", "120"),
        (999, "cyl_b50_full", "many"),
    ]
    assert refused.problems[0].reason == "-4 is negative; counts are 0 or more."
    assert "above 100" in refused.problems[1].reason
    assert refused.problems[2].reason == "“many” is not a number."
    assert FacilityReport.objects.count() == 0
    assert Movement.objects.count() == movements
    assert not FacilityStatus.objects.exists()


def test_the_same_1000_rows_without_the_bad_ones_are_all_stored_once(rw: ReportingWorld) -> None:
    data = csv_bytes(thousand_rows(rw))
    result = upload.import_reports(data, "csv", rw.world.coordinator, now=NOW)
    assert (result.stored, result.corrections, result.unchanged) == (1000, 0, 0)
    assert FacilityReport.objects.filter(channel=Channel.UPLOAD).count() == 1000
    assert FacilityStatus.objects.count() == 20
    movements = Movement.objects.count()
    again = upload.import_reports(data, "csv", rw.world.coordinator, now=NOW)
    assert (again.stored, again.unchanged) == (0, 1000)
    assert (FacilityReport.objects.count(), Movement.objects.count()) == (1000, movements)


# --- a good file ---------------------------------------------------------------------------


def test_a_good_file_stores_every_report_through_the_services(rw: ReportingWorld) -> None:
    extra = ["as_of", "psa_status", "psa_output_m3_per_h", "consumption", "consumption_unit"]
    extra += ["concentrators_in_use", "reported_by_name", "notes"]
    figures = ["2021-08-08 18:00", "running", 12.5, 500, "Nm3", 3, "Dr Amel Saadi", "By phone"]
    rows = [
        [*HEADER, *extra],
        ["DZ-CHU-BATNA", "2021-08-08", 20, 5, 2, 40, "%", 30, 10, *figures],
        ["DZ-EPH-BARIKA", "2021-08-08", 10, 1, 0, "", "", 12, 3, "", "", "", "", "", "", "", ""],
        ["DZ-CHU-BATNA", "2021-08-09", 21, 5, 2, 35, "%", 28, 12, "", "", "", "", "", "", "", ""],
    ]
    result = upload.import_reports(csv_bytes(rows), "csv", rw.world.coordinator, now=NOW)
    assert (result.kind, result.stored, result.corrections, result.unchanged) == (
        "facility",
        3,
        0,
        0,
    )
    first = FacilityReport.objects.get(facility=rw.world.chu_batna, report_date=date(2021, 8, 8))
    assert (first.channel, first.entered_by, first.reported_by_name, first.notes) == (
        Channel.UPLOAD,
        rw.world.coordinator,
        "Dr Amel Saadi",
        "By phone",
    )
    assert first.as_of == datetime.fromisoformat("2021-08-08T18:00+01:00")  # Algiers time
    assert first.tanks.get().level_kg == Decimal("4564.000")  # 40 % of 10,000 L x 1.141 kg/L
    cylinders = first.cylinders.get()
    assert (cylinders.cylinder_type, cylinders.full, cylinders.empty) == (rw.cylinder_type, 30, 10)
    assert (first.psa_status, first.psa_output_nm3_per_h) == ("running", Decimal("12.50"))
    assert (first.consumption_nm3, first.concentrators_in_use) == (Decimal(500), 3)
    barika = FacilityReport.objects.get(facility=rw.world.eph_barika)
    assert not barika.tanks.exists()
    assert FacilityStatus.objects.get(facility=rw.world.chu_batna).report.report_date == TODAY


def test_uploading_the_same_file_again_stores_nothing_new(rw: ReportingWorld) -> None:
    data = csv_bytes(good_rows())
    upload.import_reports(data, "csv", rw.world.coordinator, now=NOW)
    reports, movements = FacilityReport.objects.count(), Movement.objects.count()
    again = upload.import_reports(data, "csv", rw.world.coordinator, now=NOW)
    assert (again.stored, again.corrections, again.unchanged) == (0, 0, 2)
    assert (FacilityReport.objects.count(), Movement.objects.count()) == (reports, movements)


def test_an_edited_copy_stores_only_the_changed_row_as_a_correction(rw: ReportingWorld) -> None:
    upload.import_reports(csv_bytes(good_rows()), "csv", rw.world.coordinator, now=NOW)
    rows = good_rows()
    rows[2][2] = 11  # Barika recounted its low-flow patients
    rows[0].append("correction_reason")
    rows[1].append("")
    rows[2].append("Ward 2 was missed")
    result = upload.import_reports(csv_bytes(rows), "csv", rw.world.coordinator, now=NOW)
    assert (result.stored, result.corrections, result.unchanged) == (1, 1, 1)
    current = FacilityReport.objects.get(facility=rw.world.eph_barika, is_current=True)
    assert (current.version, current.patients_low_flow) == (2, 11)


def test_an_xlsx_file_with_date_cells_and_the_row_of_units_is_read_like_a_csv(
    rw: ReportingWorld,
) -> None:
    rows: list[list[Any]] = [
        [*HEADER, "as_of"],
        ["# facility code", "yyyy-mm-dd", "patients", "", "", "", "", "", "", ""],
        ["DZ-CHU-BATNA", YESTERDAY, 20, 5, 2, 40.5, "%", 30, 10, datetime(2021, 8, 8, 7, 30)],
        [],
        ["DZ-EPH-BARIKA", datetime(2021, 8, 8), 10, 1.0, 0, None, None, 12, 3, None],
    ]
    # Row numbers count the row of units and the blank row, as the spreadsheet does.
    rows[4][2] = -1
    problems = rejected(xlsx_bytes(rows), "xlsx", rw.world.ministry).problems
    assert [(p.row, p.field) for p in problems] == [(5, "patients_low_flow")]
    rows[4][2] = 10
    result = upload.import_reports(xlsx_bytes(rows), "xlsx", rw.world.coordinator, now=NOW)
    assert result.stored == 2
    report = FacilityReport.objects.get(facility=rw.world.chu_batna)
    assert report.tanks.get().level_value == Decimal("40.5")
    assert report.as_of == datetime.fromisoformat("2021-08-08T07:30+01:00")


def test_a_semicolon_csv_with_bom_and_decimal_commas_is_read(rw: ReportingWorld) -> None:
    text = "facility;report_date;patients_low_flow;patients_high_flow;patients_ventilated;"
    text += "lox_level;lox_unit\r\nDZ-CHU-BATNA;2021-08-08;20;5;2;1 250,5;kg\r\n"
    result = upload.import_reports(text.encode("utf-8-sig"), "csv", rw.world.coordinator, now=NOW)
    assert result.stored == 1
    assert FacilityReport.objects.get().tanks.get().level_kg == Decimal("1250.500")


def test_a_second_report_for_a_day_is_a_correction_that_needs_its_reason(
    rw: ReportingWorld,
) -> None:
    services.submit_facility_report(
        facility=rw.world.chu_batna,
        data=report_in(report_date=YESTERDAY),
        submission=services.Submission(user=rw.world.facility_staff, key="form-1", now=NOW),
    )
    rows = good_rows()
    assert found(csv_bytes(rows), "csv", rw.world.coordinator) == [
        (2, "correction_reason", "A report for this day already exists: say why you correct it.")
    ]
    rows[0].append("correction_reason")
    rows[1].append("Tank read again")
    rows[2].append("")
    result = upload.import_reports(csv_bytes(rows), "csv", rw.world.coordinator, now=NOW)
    assert (result.stored, result.corrections) == (2, 1)
    current = FacilityReport.objects.get(facility=rw.world.chu_batna, is_current=True)
    assert (current.version, current.correction_reason) == (2, "Tank read again")


def test_implausible_figures_are_stored_and_listed_by_row_and_column(rw: ReportingWorld) -> None:
    rows = good_rows()
    rows[0] += ["consumption", "consumption_unit"]
    rows[1] += [5000, "Nm3"]  # 8.5 times the census-based demand
    rows[2] += ["", ""]
    result = upload.import_reports(csv_bytes(rows), "csv", rw.world.coordinator, now=NOW)
    assert result.stored == 2
    [flagged] = result.flagged
    assert (flagged.row, flagged.site) == (2, "DZ-CHU-BATNA")
    assert [(f["code"], f["column"]) for f in flagged.flags] == [
        ("consumption_high", "consumption")
    ]


# --- bad rows --------------------------------------------------------------------------------


def test_every_bad_row_is_named_with_its_spreadsheet_column_and_the_services_reason(
    rw: ReportingWorld,
) -> None:
    rows = [
        [*HEADER, "psa_output_m3_per_h"],
        ["DZ-CHU-BATNA", "2021-08-08", 20, 5, 2, 40, "gallons", -1, 10, ""],
        ["DZ-EPH-BARIKA", "08/08/2021", 10, 1, 0, "", "", 12, 3, ""],
        ["DZ-EPH-BARIKA", "2021-08-10", 10, 1, 0, "", "", 12, 3, ""],
        ["DZ-EPH-BARIKA", "2021-08-07", 10, 1, 0, "", "", 12, 3, 50],
        ["DZ-CHU-BATNA", "2021-08-08", 20, 5, 2, 40, "%", 30, 10, ""],
        ["DZ-EPH-BARIKA", "2021-08-06", "", "", "", "", "", "", "", ""],
    ]
    assert found(csv_bytes(rows), "csv", rw.world.coordinator) == [
        (2, "lox_unit", "“gallons” does not fit this field; allowed units: %, kg, t, L, kL."),
        (2, "cyl_b50_full", "-1 is negative; counts are 0 or more."),
        (3, "report_date", "Expected a date as yyyy-mm-dd."),
        (4, "report_date", "2021-08-10 is in the future: today is 2021-08-09 in Africa/Algiers."),
        (
            5,
            "psa_output_m3_per_h",
            "A PSA plant that is down or absent produces nothing; set its status.",
        ),
        (
            6,
            "facility",
            "Rows 2 and 6 are both for DZ-CHU-BATNA on 2021-08-08; give one row per facility "
            "and day.",
        ),
        (7, "", "This row holds no figures: fill it in or delete it."),
    ]
    assert not FacilityReport.objects.exists()


def test_a_coordinator_cannot_upload_for_a_facility_outside_its_region(
    rw: ReportingWorld,
) -> None:
    rows = good_rows()
    rows.append(["VN-BVDK-BP", YESTERDAY.isoformat(), 10, 1, 0, "", "", 1, 0])
    rows.append(["DZ-NO-SUCH", YESTERDAY.isoformat(), 10, 1, 0, "", "", 1, 0])
    problems = rejected(csv_bytes(rows), "csv", rw.world.coordinator).problems
    # Out of scope reads exactly like a code that does not exist.
    assert [(p.row, p.field, p.reason.replace(p.value, "CODE")) for p in problems] == [
        (4, "facility", "There is no facility with code CODE in your scope."),
        (5, "facility", "There is no facility with code CODE in your scope."),
    ]
    assert not FacilityReport.objects.exists()


def test_facility_staff_may_upload_for_their_facility_only(rw: ReportingWorld) -> None:
    rows = good_rows()
    assert [p[:2] for p in found(csv_bytes(rows), "csv", rw.world.facility_staff)] == [
        (3, "facility")
    ]
    del rows[2]
    assert upload.import_reports(csv_bytes(rows), "csv", rw.world.facility_staff, now=NOW).stored


def test_viewers_and_outsiders_may_not_upload(rw: ReportingWorld) -> None:
    for user in (rw.world.viewer, rw.world.outsider):
        with pytest.raises(PermissionDenied):
            upload.import_reports(csv_bytes(good_rows()), "csv", user, now=NOW)


# --- the file as a whole ---------------------------------------------------------------------


def test_a_header_with_unknown_twice_given_or_missing_columns_is_refused_on_row_1(
    rw: ReportingWorld,
) -> None:
    data = csv_bytes(
        [["facility", "patients", "cyl_B99_full", "notes", "notes"], ["DZ-CHU-BATNA", 1, 1, "", ""]]
    )
    problems = found(data, "csv", rw.world.coordinator)
    assert [p[:2] for p in problems] == [
        (1, "patients"),
        (1, "cyl_b99_full"),
        (1, "notes"),
        (1, "report_date"),
    ]
    assert problems[1][2] == "Unknown cylinder type “b99”; known types: B50."
    assert found(csv_bytes([["site", "day"]]), "csv", rw.world.coordinator)[0][0] == 1


def test_a_file_that_is_not_utf8_or_not_xlsx_or_of_another_type_is_refused(
    rw: ReportingWorld,
) -> None:
    latin1 = "facility,report_date,notes\nDZ-CHU-BATNA,2021-08-08,Médecin\n".encode("latin-1")
    assert found(latin1, "csv", rw.world.coordinator)[0][2].startswith("The file is not UTF-8")
    assert found(b"not a zip", "xlsx", rw.world.coordinator) == [
        (0, "", "The file is not a readable XLSX workbook.")
    ]
    assert found(b"x", "ods", rw.world.coordinator) == [
        (0, "", "Upload a file ending in .csv or .xlsx.")
    ]


def test_a_file_over_the_row_limit_is_refused_as_too_large(
    rw: ReportingWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upload, "MAX_ROWS", 3)
    rows = good_rows() + good_rows(YESTERDAY - timedelta(days=1))[1:]
    refused = rejected(csv_bytes(rows), "csv", rw.world.coordinator)
    assert refused.too_large
    assert refused.problems[0].reason == "The file is too large: at most 5 MB and 3 rows."
    assert not FacilityReport.objects.exists()


# --- producer files ------------------------------------------------------------------------

PRODUCER_HEADER = ["producer", "report_date", "product", "produced", "stock"]
PRODUCER_HEADER += ["available_tomorrow", "unit", "downtime_hours", "downtime_cause"]


def test_producer_rows_of_one_day_are_one_report_with_a_line_per_product(
    rw: ReportingWorld,
) -> None:
    rows = [
        PRODUCER_HEADER,
        ["DZ-LINDE-SKIKDA", "2021-08-08", "LOX", 20, 45, 15, "t", 2, "breakdown"],
        ["DZ-LINDE-SKIKDA", "2021-08-08", "CYL-B50", 300, 500, 200, "", "", ""],
        ["DZ-LINDE-SKIKDA", "2021-08-09", "LOX", 22, 40, 18, "t", "", ""],
    ]
    result = upload.import_reports(csv_bytes(rows), "csv", rw.world.producer_staff, now=NOW)
    assert (result.kind, result.stored) == ("producer", 2)
    report = ProducerReport.objects.get(report_date=date(2021, 8, 8))
    assert (report.downtime_hours, report.downtime_cause, report.channel) == (
        Decimal(2),
        "breakdown",
        Channel.UPLOAD,
    )
    lines = {line.product.code: line for line in report.lines.all()}
    assert (lines["LOX"].stock, lines["CYL-B50"].stock) == (Decimal(45000), Decimal(500))


def test_a_product_twice_or_a_day_given_two_downtimes_is_refused_naming_both_rows(
    rw: ReportingWorld,
) -> None:
    rows = [
        PRODUCER_HEADER,
        ["DZ-LINDE-SKIKDA", "2021-08-08", "LOX", 20, 45, 15, "t", 2, "breakdown"],
        ["DZ-LINDE-SKIKDA", "2021-08-08", "CYL-B50", 300, 500, 200, "", 3, ""],
        ["DZ-LINDE-SKIKDA", "2021-08-08", "LOX", 20, 45, 15, "t", "", ""],
        ["DZ-LINDE-SKIKDA", "2021-08-07", "LOX", 20, "lots", 15, "t", "", ""],
    ]
    problems = found(csv_bytes(rows), "csv", rw.world.producer_staff)
    assert [p[:2] for p in problems] == [
        (3, "downtime_hours"),
        (4, "product"),
        (5, "stock"),
    ]
    assert problems[0][2].startswith("Row 2 gives “2” for this producer and day")
    assert problems[1][2].startswith("Rows 2 and 4 both give LOX for DZ-LINDE-SKIKDA")
    assert not ProducerReport.objects.exists()


def test_a_batna_coordinator_cannot_upload_for_a_producer_in_skikda(rw: ReportingWorld) -> None:
    rows = [PRODUCER_HEADER, ["DZ-LINDE-SKIKDA", "2021-08-08", "LOX", 20, 45, 15, "t", "", ""]]
    assert found(csv_bytes(rows), "csv", rw.world.coordinator) == [
        (2, "producer", "There is no producer with code DZ-LINDE-SKIKDA in your scope.")
    ]


# --- templates -------------------------------------------------------------------------------


def test_the_csv_template_lists_the_columns_units_and_the_coordinators_facilities(
    rw: ReportingWorld,
) -> None:
    data = upload.template("facility", "csv", rw.world.coordinator, now=NOW)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["facility"].startswith("# ")
    assert rows[0]["lox_unit"] == "%, kg, t, L, kL"
    assert [(r["facility"], r["report_date"], r["lox_tank"]) for r in rows[1:]] == [
        ("DZ-CHU-BATNA", "2021-08-09", "Tank 1"),
        ("DZ-EPH-BARIKA", "2021-08-09", ""),
    ]
    assert {"cyl_B50_full", "cyl_B50_empty", "cyl_B50_used"} <= set(rows[0])


def test_a_filled_in_xlsx_template_uploads(rw: ReportingWorld) -> None:
    data = upload.template("facility", "xlsx", rw.world.coordinator, now=NOW)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    names = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "B3"
    for row in (3, 4):
        for name, value in {"patients_low_flow": 10, "patients_high_flow": 2}.items():
            sheet.cell(row, names.index(name) + 1, value)
        sheet.cell(row, names.index("patients_ventilated") + 1, 1)
    sheet.cell(3, names.index("lox_level") + 1, 55)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = upload.import_reports(buffer.getvalue(), "xlsx", rw.world.coordinator, now=NOW)
    assert result.stored == 2
    assert FacilityReport.objects.get(facility=rw.world.chu_batna).tanks.get().level_value == 55


def test_the_producer_template_has_a_row_per_product_the_plant_makes(rw: ReportingWorld) -> None:
    reg.ProducerCapacity.objects.create(
        producer=rw.world.linde_plant, product=rw.lox, capacity_per_day=Decimal(30000)
    )
    data = upload.template("producer", "csv", rw.world.producer_staff, now=NOW)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["producer"], r["product"], r["unit"]) for r in rows[1:]] == [
        ("DZ-LINDE-SKIKDA", "LOX", "kg")
    ]


# --- the page --------------------------------------------------------------------------------


def login(client: Client, user: Any) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page_post(client: Client, data: bytes, name: str = "reports.csv") -> Any:
    return client.post(reverse("reporting_upload:upload"), {"file": SimpleUploadedFile(name, data)})


def test_the_page_is_refused_to_viewers_and_outsiders(client: Client, rw: ReportingWorld) -> None:
    url = reverse("reporting_upload:upload")
    assert client.get(url).status_code == 302  # to the login page
    for user in (rw.world.viewer, rw.world.outsider):
        login(client, user)
        assert client.get(url).status_code == 403
        assert page_post(client, csv_bytes(good_rows())).status_code == 403
        template = reverse("reporting_upload:template", args=["facility", "csv"])
        assert client.get(template).status_code == 403
    assert not FacilityReport.objects.exists()


def test_a_bad_file_on_the_page_shows_every_bad_row_and_stores_nothing(
    client: Client, rw: ReportingWorld
) -> None:
    login(client, rw.world.coordinator)
    page = client.get(reverse("reporting_upload:upload"))
    assert b'enctype="multipart/form-data"' in page.content
    rows = good_rows(timezone.localdate() - timedelta(days=1))
    rows[1][2] = -3
    rows[2][0] = "VN-BVDK-BP"
    response = page_post(client, csv_bytes(rows))
    assert response.status_code == 200
    assert [(p.row, p.field) for p in response.context["problems"]] == [
        (2, "patients_low_flow"),
        (3, "facility"),
    ]
    assert b'id="problems"' in response.content
    assert "2 rows have problems: nothing was stored" in response.content.decode()
    assert not FacilityReport.objects.exists()


def test_a_good_file_on_the_page_shows_what_was_stored_and_what_to_check(
    client: Client, rw: ReportingWorld
) -> None:
    login(client, rw.world.coordinator)
    rows = good_rows(timezone.localdate() - timedelta(days=1))
    rows[0] += ["consumption", "consumption_unit"]
    rows[1] += [5000, "Nm3"]
    response = page_post(client, xlsx_bytes(rows), "reports.xlsx")
    assert response.context["result"].stored == 2
    content = response.content.decode()
    assert "2 reports stored" in content
    assert "Figures to check" in content
    assert "<code>consumption</code>" in content
    assert FacilityReport.objects.count() == 2


def test_the_page_refuses_another_file_type(client: Client, rw: ReportingWorld) -> None:
    login(client, rw.world.coordinator)
    response = page_post(client, b"x", "reports.ods")
    assert response.context["form"].errors["file"] == ["Upload a file ending in .csv or .xlsx."]


def test_the_template_downloads_as_an_attachment(client: Client, rw: ReportingWorld) -> None:
    login(client, rw.world.facility_staff)
    response = client.get(reverse("reporting_upload:template", args=["facility", "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="oxyflow-facility-')
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert [r[0] for r in rows[2:]] == ["DZ-CHU-BATNA"]
    url = reverse("reporting_upload:template", args=["patients", "csv"])
    assert client.get(url).status_code == 404


# --- the API ---------------------------------------------------------------------------------


def api_post(client: Client, data: bytes, name: str = "reports.csv") -> Any:
    return client.post(API_URL, {"file": SimpleUploadedFile(name, data)})


def test_the_api_answers_201_with_counts_and_flagged_rows(rw: ReportingWorld) -> None:
    rows = good_rows(timezone.localdate() - timedelta(days=1))
    rows[0] += ["consumption", "consumption_unit"]
    rows[1] += [5000, "Nm3"]
    rows[2] += ["", ""]
    response = api_post(api_client(rw.world.coordinator), csv_bytes(rows))
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("kind", "stored", "corrections", "unchanged")} == {
        "kind": "facility",
        "stored": 2,
        "corrections": 0,
        "unchanged": 0,
    }
    [flagged] = body["flagged"]
    assert (flagged["row"], flagged["facility"]) == (2, "DZ-CHU-BATNA")
    assert flagged["flags"][0]["column"] == "consumption"


def test_the_api_answers_422_locating_each_problem_in_the_file(rw: ReportingWorld) -> None:
    rows = good_rows(timezone.localdate() - timedelta(days=1))
    rows[2][2] = "ten"
    response = api_post(api_client(rw.world.coordinator), csv_bytes(rows))
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["file", 3, "patients_low_flow"],
                "msg": "“ten” is not a number.",
                "type": "value_error",
                "input": "ten",
            }
        ]
    }
    assert not FacilityReport.objects.exists()


def test_the_api_refuses_viewers_strangers_and_large_files(
    rw: ReportingWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = csv_bytes(good_rows(timezone.localdate() - timedelta(days=1)))
    assert api_post(api_client(rw.world.viewer), data).status_code == 403
    assert api_post(Client(), data).status_code == 401
    coordinator = api_client(rw.world.coordinator)
    assert coordinator.post(API_URL, {}).status_code == 422  # no file
    response = api_post(coordinator, data, "reports.pdf")
    assert (response.status_code, response.json()["detail"][0]["loc"]) == (422, ["file"])
    monkeypatch.setattr(upload, "MAX_UPLOAD_BYTES", 10)
    response = api_post(coordinator, data)
    assert (response.status_code, response.json()["detail"][0]["type"]) == (413, "too_large")
    assert not FacilityReport.objects.exists()
