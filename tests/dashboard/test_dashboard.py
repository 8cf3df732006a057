"""Dashboard figures: derived daily rows, KPIs, trends, the facility table, the map, and
that the page and the API give the same numbers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oxyflow.dashboard import services, snapshots, views
from oxyflow.dashboard.models import FacilityDay
from oxyflow.registry import models as reg
from oxyflow.reporting import ingest
from oxyflow.reporting import services as rep_services
from oxyflow.reporting.models import FacilityReportTank, FacilityStatus
from tests.factories import create_facility
from tests.reporting.conftest import NOW, TODAY, api_client, report_in, submission

pytestmark = pytest.mark.django_db


def submit(rw, facility=None, **changes):
    facility = facility or rw.world.chu_batna
    return ingest.submit_one(
        facility=facility,
        data=report_in(**changes),
        submission=submission(rw.world.ministry, **changes.pop("_sub", {})),
    )


def expected_stock_nm3(report, rw) -> float:
    kg = sum(float(t.level_kg) for t in FacilityReportTank.objects.filter(report=report))
    full = sum(c.full for c in report.cylinders.all())
    return kg * snapshots.nm3_per_kg() + full * rw.cylinder_type.content_nm3()


def test_a_report_writes_its_days_figures(rw):
    outcome = submit(rw)
    row = FacilityDay.objects.get(facility=rw.world.chu_batna, day=TODAY)
    assert row.report_id == outcome.report.pk
    assert (row.patients_low_flow, row.patients_high_flow, row.patients_ventilated) == (20, 5, 2)
    assert row.region_path == rw.world.chu_batna.region.path
    assert row.stock_nm3 == pytest.approx(expected_stock_nm3(outcome.report, rw))
    assert row.stock_nm3 > 1000  # 5 m³ of LOX alone is ~4,000 Nm³: the factor is applied


def test_a_correction_replaces_the_days_figures_it_never_adds_a_second_row(rw):
    submit(rw)
    corrected = ingest.submit_one(
        facility=rw.world.chu_batna,
        data=report_in(patients_low_flow=35),
        submission=submission(rw.world.ministry, correction_reason="typo in the census"),
    )
    rows = FacilityDay.objects.filter(facility=rw.world.chu_batna, day=TODAY)
    assert rows.count() == 1
    assert rows.get().report_id == corrected.report.pk
    assert rows.get().patients_low_flow == 35


def test_rebuilding_from_the_reports_gives_the_same_rows(rw):
    submit(rw)
    submit(rw, report_date=TODAY - timedelta(days=1), patients_low_flow=11)
    submit(rw, facility=rw.world.eph_barika, lox_tanks=[], patients_ventilated=0)
    fields = [
        "facility_id",
        "day",
        "report_id",
        "stock_nm3",
        "patients_low_flow",
        "consumption_nm3",
    ]
    before = sorted(FacilityDay.objects.values_list(*fields))
    FacilityDay.objects.all().delete()
    assert snapshots.rebuild_all() == 3
    assert sorted(FacilityDay.objects.values_list(*fields)) == before


def test_kpis_sum_the_reporting_facilities_and_state_their_basis(rw, monkeypatch):
    first = submit(rw, beds_occupied_oxygen=30)
    submit(rw, facility=rw.world.eph_barika, lox_tanks=[], patients_low_flow=4)
    dash = services.resolve_scope(rw.world.coordinator)
    k = services.kpis(dash, NOW, day=TODAY)
    assert k.facilities == 2
    assert k.facilities_reporting == 2
    assert k.patients_on_oxygen == 27 + 11
    # Occupancy only over the facility that gave the figure (40 oxygen beds at CHU).
    assert k.occupancy_basis_facilities == 1
    assert k.occupancy_percent == pytest.approx(75.0)
    statuses = FacilityStatus.objects.all()
    demand = sum(s.demand_nm3_per_day for s in statuses)
    usable = sum(s.usable_nm3 for s in statuses)
    assert k.demand_nm3_per_day == pytest.approx(demand)
    assert k.stock_days == pytest.approx(usable / demand)
    assert (
        k.consumption_reported_by
        == FacilityDay.objects.filter(consumption_nm3__isnull=False).count()
    )
    assert first.created


def test_facilities_under_threshold_follow_the_clock(rw):
    submit(rw, lox_tanks=[rep_services.TankLevelIn(2, "%")], cylinders=[])
    status = FacilityStatus.objects.get(facility=rw.world.chu_batna)
    assert status.runs_out_at is not None
    dash = services.resolve_scope(rw.world.coordinator)
    left = status.autonomy_hours
    early = services.kpis(dash, status.as_of, day=TODAY)
    late = services.kpis(dash, status.runs_out_at - timedelta(hours=1), day=TODAY)
    assert (early.under_critical, early.under_warning) == (
        (1, 0) if left < 8 else (0, 1) if left < 24 else (0, 0)
    )
    assert late.under_critical == 1


def test_trends_count_who_reported_each_day(rw):
    for back in (0, 1, 3):
        submit(rw, report_date=TODAY - timedelta(days=back), patients_low_flow=10 + back)
    submit(rw, facility=rw.world.eph_barika, lox_tanks=[], patients_low_flow=1)
    dash = services.resolve_scope(rw.world.coordinator)
    trend = services.trends(dash, TODAY, 14)
    assert len(trend) == 14
    assert trend[-1].day == TODAY
    by_day = {t.day: t for t in trend}
    assert by_day[TODAY].facilities_reporting == 2
    assert by_day[TODAY].patients_low_flow == 10 + 1
    assert by_day[TODAY - timedelta(days=1)].patients_low_flow == 11
    assert by_day[TODAY - timedelta(days=2)].facilities_reporting == 0
    assert by_day[TODAY - timedelta(days=3)].patients_low_flow == 13


def test_production_is_converted_to_nm3_and_summed_per_day(rw):
    world = rw.world
    rep_services.submit_producer_report(
        producer=world.linde_plant,
        data=rep_services.ProducerReportIn(
            report_date=TODAY,
            lines=[
                rep_services.ProductLineIn("LOX", "2", "10", "5", unit="t"),
                rep_services.ProductLineIn("CYL-B50", 100, 20, 20),
            ],
        ),
        submission=submission(world.producer_staff),
    )
    dash = services.resolve_scope(world.ministry)
    k = services.kpis(dash, NOW, day=TODAY)
    expected = 2000 * snapshots.nm3_per_kg() + 100 * rw.cylinder_type.content_nm3()
    assert k.production_nm3_per_day == pytest.approx(expected)
    assert k.producers_reporting == 1


def test_the_table_sorts_least_autonomy_first_and_filters_by_band(rw):
    submit(rw, lox_tanks=[rep_services.TankLevelIn(90, "%")])
    submit(
        rw,
        facility=rw.world.eph_barika,
        lox_tanks=[],
        cylinders=[rep_services.CylindersIn("B50", 2, 10)],
    )
    dash = services.resolve_scope(rw.world.coordinator)
    table = services.facility_rows(dash, NOW)
    codes = [r.facility.code for r in table.rows]
    assert codes == ["DZ-EPH-BARIKA", "DZ-CHU-BATNA"]
    assert table.rows[0].hours_left < table.rows[1].hours_left
    by_name = services.facility_rows(dash, NOW, sort="name")
    assert [r.facility.name for r in by_name.rows] == ["CHU Batna", "EPH Barika"]
    critical = services.facility_rows(dash, NOW, band_filter=services.Band.CRITICAL)
    assert all(r.band == services.Band.CRITICAL for r in critical.rows)
    assert {r.facility.code for r in critical.rows} <= {"DZ-EPH-BARIKA"}


def test_the_table_pages_and_clamps_bad_pages(rw):
    for i in range(7):
        create_facility(f"DZ-F{i}", rw.world.batna_daira)
    dash = services.resolve_scope(rw.world.coordinator)
    page = services.facility_rows(dash, NOW, page=99, page_size=4)
    assert (page.total, page.pages, page.page, len(page.rows)) == (9, 3, 3, 1)
    unknown = services.facility_rows(dash, NOW, band_filter=services.Band.UNKNOWN)
    assert unknown.total == 9


def test_the_map_colours_facilities_by_autonomy(rw):
    submit(rw, lox_tanks=[rep_services.TankLevelIn(1, "%")], cylinders=[])
    reg.Facility.objects.filter(pk=rw.world.eph_barika.pk).update(retired_on=TODAY)
    dash = services.resolve_scope(rw.world.coordinator)
    status = FacilityStatus.objects.get(facility=rw.world.chu_batna)
    data = services.map_features(dash, status.as_of)
    facilities = [f for f in data["features"] if f["properties"]["layer"] == "facility"]
    assert [f["properties"]["code"] for f in facilities] == ["DZ-CHU-BATNA"]
    props = facilities[0]["properties"]
    assert props["band"] == services.band(status.autonomy_hours)
    lon, lat = facilities[0]["geometry"]["coordinates"]
    assert (lat, lon) == (float(rw.world.chu_batna.latitude), float(rw.world.chu_batna.longitude))
    assert data["unplaced_sites"] == 0
    producers = [
        f["properties"]["code"] for f in data["features"] if f["properties"]["layer"] == "producer"
    ]
    # The contracted supplier in Skikda is drawn; the Vietnamese plant is out of scope.
    assert producers == [rw.world.linde_plant.code]


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (None, "unknown"),
        (0.0, "critical"),
        (7.99, "critical"),
        (8.0, "warning"),
        (23.9, "warning"),
        (24.0, "ok"),
        (400.0, "ok"),
    ],
)
def test_bands(hours, expected):
    assert services.band(hours) == expected


# ---------------------------------------------------------------- pages and API


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: NOW)


def test_the_page_and_the_api_give_the_same_figures(rw, clock, monkeypatch):
    submit(rw, beds_occupied_oxygen=12)
    submit(rw, facility=rw.world.eph_barika, lox_tanks=[])
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    client = Client()
    client.force_login(rw.world.coordinator)
    page = client.get("/dashboard/")
    assert page.status_code == 200
    body = api_client(rw.world.coordinator).get("/api/v1/dashboard").json()
    k = page.context["kpis"]
    for name in ("patients_on_oxygen", "facilities_reporting", "under_critical", "late_reports"):
        assert body["kpis"][name] == getattr(k, name)
    assert body["kpis"]["stock_nm3"] == pytest.approx(k.stock_nm3)
    assert body["kpis"]["occupancy_percent"] == pytest.approx(k.occupancy_percent)
    table = api_client(rw.world.coordinator).get("/api/v1/dashboard/facilities").json()
    assert [r["code"] for r in table["rows"]] == [
        r.facility.code for r in page.context["table"].rows
    ]
    html = page.content.decode()
    assert 'data-site="DZ-CHU-BATNA"' in html
    assert "Nm³" in html


def test_a_region_out_of_scope_is_not_found(rw, clock):
    client = Client()
    client.force_login(rw.world.coordinator)
    assert client.get("/dashboard/", {"region": rw.world.binh_phuoc.code}).status_code == 404
    assert client.get("/dashboard/", {"region": "NOPE"}).status_code == 404
    assert (
        api_client(rw.world.coordinator)
        .get("/api/v1/dashboard", {"region": rw.world.binh_phuoc.code})
        .status_code
        == 404
    )
    viewer = Client()
    viewer.force_login(rw.world.viewer)
    assert viewer.get("/dashboard/", {"region": rw.world.batna_daira.code}).status_code == 404
    assert viewer.get("/dashboard/").status_code == 200


def test_site_staff_land_on_their_facility_and_outsiders_see_nothing(rw, clock):
    staff = Client()
    staff.force_login(rw.world.facility_staff)
    response = staff.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/facilities/{rw.world.chu_batna.code}/"
    assert staff.get(response["Location"]).status_code == 200
    assert staff.get(f"/dashboard/facilities/{rw.world.eph_barika.code}/").status_code == 404
    assert api_client(rw.world.facility_staff).get("/api/v1/dashboard").status_code == 404
    outsider = Client()
    outsider.force_login(rw.world.outsider)
    assert outsider.get("/dashboard/").status_code == 302
    assert outsider.get(f"/dashboard/facilities/{rw.world.chu_batna.code}/").status_code == 404
    assert api_client(rw.world.outsider).get("/api/v1/dashboard/map").status_code == 404


def test_the_facility_page_shows_its_history(rw, clock, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    for back in range(3):
        submit(rw, report_date=TODAY - timedelta(days=back), patients_low_flow=20 + back)
    client = Client()
    client.force_login(rw.world.coordinator)
    page = client.get(f"/dashboard/facilities/{rw.world.chu_batna.code}/")
    assert page.status_code == 200
    assert [h.patients_low_flow for h in page.context["history"]] == [22, 21, 20]
    history = api_client(rw.world.coordinator).get(
        f"/api/v1/dashboard/facilities/{rw.world.chu_batna.code}/history", {"days": 14}
    )
    assert history.status_code == 200
    assert [d["patients_low_flow"] for d in history.json()] == [22, 21, 20]


def _page_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_facilities(rw, clock):
    submit(rw)
    client = Client()
    client.force_login(rw.world.ministry)
    _page_queries(client)  # warm caches (country calendars, content types)
    few = _page_queries(client)
    for i in range(30):
        facility = create_facility(f"DZ-Q{i}", rw.world.barika_daira, beds_oxygen=10)
        ingest.submit_one(
            facility=facility,
            data=report_in(lox_tanks=[], patients_low_flow=i),
            submission=submission(rw.world.ministry),
        )
    many = _page_queries(client)
    assert many == few


def test_an_unknown_sort_or_trend_length_falls_back(rw, clock):
    client = Client()
    client.force_login(rw.world.coordinator)
    page = client.get("/dashboard/", {"sort": "drop table", "days": "7", "page": "x"})
    assert page.status_code == 200
    assert page.context["table"].sort == "autonomy"
    assert page.context["trend_days"] == 30


def test_the_rebuild_command_restores_lost_rows(rw):
    from io import StringIO

    from django.core.management import call_command

    submit(rw)
    FacilityDay.objects.all().delete()
    out = StringIO()
    call_command("rebuild_dashboard", stdout=out)
    assert "1 facility-days rebuilt" in out.getvalue()
    assert FacilityDay.objects.filter(facility=rw.world.chu_batna, day=TODAY).exists()


def test_an_api_query_parameter_given_twice_is_refused_naming_it(rw):
    response = api_client(rw.world.coordinator).get(
        "/api/v1/dashboard/map?region=DZ-05&region=VN-70"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "region"]


def test_a_covered_status_that_ages_past_its_horizon_counts_under_threshold(rw):
    submit(
        rw,
        lox_tanks=[rep_services.TankLevelIn(100, "%")],
        cylinders=[rep_services.CylindersIn("B50", 500, 0)],
        patients_low_flow=0,
        patients_high_flow=0,
        patients_ventilated=1,
    )
    status = FacilityStatus.objects.get(facility=rw.world.chu_batna)
    assert status.runs_out_at is None  # covered over the horizon
    later = status.as_of + timedelta(hours=status.horizon_hours - 4.6)
    dash = services.resolve_scope(rw.world.coordinator)
    assert services.kpis(dash, later, day=TODAY).under_critical == 1
    critical = services.facility_rows(dash, later, band_filter=services.Band.CRITICAL)
    assert [r.facility.code for r in critical.rows] == ["DZ-CHU-BATNA"]
    assert critical.rows[0].band == services.Band.CRITICAL
    assert critical.rows[0].whole_hours_left == 4  # 4.x h is shown as 4 h, not rounded up


def test_open_incidents_in_scope_are_on_the_map_resolved_ones_are_not(rw):
    from oxyflow.incidents import services as incidents

    world = rw.world

    def log(title, region, user=world.ministry, **where):
        return incidents.log_incident(
            user=user,
            data=incidents.IncidentIn(
                kind="road_blocked", severity="high", title=title, region=region, **where
            ),
            at=NOW,
        )

    blocked = log(
        "Road closed", world.batna_daira, latitude=Decimal("35.4"), longitude=Decimal("6.0")
    )
    log(
        "Other wilaya",
        world.algeria.region.children.get(code="DZ-21"),
        latitude=Decimal("36.8"),
        longitude=Decimal("6.9"),
    )
    cleared = log("Cleared", world.batna_daira, latitude=Decimal("35.3"), longitude=Decimal("6.2"))
    incidents.transition(
        user=world.ministry,
        incident=cleared,
        to="resolved",
        resolution="Reopened by the road services.",
        at=NOW,
    )
    dash = services.resolve_scope(world.coordinator)
    shown = [
        f
        for f in services.map_features(dash, NOW)["features"]
        if f["properties"]["layer"] == "incident"
    ]
    assert [f["properties"]["id"] for f in shown] == [blocked.pk]
    assert shown[0]["geometry"]["coordinates"] == [6.0, 35.4]
