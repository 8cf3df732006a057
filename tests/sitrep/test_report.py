"""The situation report's figures are the dashboard's figures, and say what they rest on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oxyflow.core import projection
from oxyflow.dashboard import services
from oxyflow.reporting import ingest
from oxyflow.reporting import services as rep
from oxyflow.reporting.models import FacilityStatus
from oxyflow.sitrep import figures, report
from tests.factories import create_facility
from tests.reporting.conftest import NOW, TODAY, ReportingWorld, report_in, submission
from tests.sitrep.conftest import HISTORY_DAYS, SitrepWorld, populate

pytestmark = pytest.mark.django_db


def test_the_key_figures_are_the_dashboards_kpis(sw: SitrepWorld) -> None:
    ministry = sw.rw.world.ministry
    found = report.build(ministry, "DZ", TODAY, NOW)
    k = services.kpis(services.resolve_scope(ministry, "DZ"), NOW, day=TODAY)
    assert found.kpis == k
    values = {f.key: f.value for f in found.key_figures}
    assert values == {
        "production_nm3_per_day": k.production_nm3_per_day,
        "consumption_nm3_per_day": k.consumption_nm3_per_day,
        "demand_nm3_per_day": k.demand_nm3_per_day,
        "stock_nm3": k.stock_nm3,
        "stock_days": k.stock_days,
        "occupancy_percent": k.occupancy_percent,
        "patients_on_oxygen": k.patients_on_oxygen,
        "under_critical": k.under_critical,
        "under_warning": k.under_warning,
        "missing_reports": k.missing_reports,
        "late_reports": k.late_reports,
        "alerts_critical": k.alerts.get("critical", 0),
        "alerts_warning": k.alerts.get("warning", 0),
        "open_incidents": k.open_incidents,
    }
    # The world as built: both facilities reported, 30 of CHU Batna's 40 oxygen beds.
    assert values["patients_on_oxygen"] == (20 + HISTORY_DAYS - 1 + 5 + 2) + 27
    assert values["occupancy_percent"] == pytest.approx(75.0)
    assert values["under_critical"] == 1
    assert values["open_incidents"] == 1
    units = {f.key: f.unit for f in found.key_figures}
    assert units["production_nm3_per_day"] == "Nm³/day"
    assert units["stock_nm3"] == "Nm³"
    assert units["occupancy_percent"] == "%"
    assert all(f.basis for f in found.key_figures)


def test_production_per_producer_adds_up_to_the_dashboards_production(sw: SitrepWorld) -> None:
    found = report.build(sw.rw.world.ministry, "DZ", TODAY, NOW)
    assert [p.code for p in found.production] == ["DZ-LINDE-SKIKDA"]
    plant = found.production[0]
    assert plant.reported
    assert plant.produced_nm3 == pytest.approx(found.kpis.production_nm3_per_day)
    assert found.production_nm3 == found.kpis.production_nm3_per_day
    assert (plant.downtime_hours, plant.downtime_cause) == (3.0, "breakdown")
    assert plant.downtime_cause_label == "Breakdown"
    assert "shipment tracking" in found.deliveries_note


def test_a_producer_that_did_not_report_has_no_figure_not_zero(sw: SitrepWorld) -> None:
    found = report.build(sw.rw.world.ministry, "DZ", TODAY - timedelta(days=1), NOW)
    plant = found.production[0]
    assert (plant.reported, plant.produced_nm3, plant.downtime_hours) == (False, None, None)
    assert found.production_nm3 is None
    assert not found.producers_reported


def test_facilities_at_risk_are_the_dashboard_tables_critical_and_warning_rows(
    sw: SitrepWorld,
) -> None:
    coordinator = sw.rw.world.coordinator
    found = report.build(coordinator, None, None, NOW)
    dash = services.resolve_scope(coordinator)
    expected = [
        r.facility.code
        for band in (services.Band.CRITICAL, services.Band.WARNING)
        for r in services.facility_rows(dash, NOW, band_filter=band).rows
    ]
    assert [f.code for f in found.at_risk] == expected == ["DZ-EPH-BARIKA"]
    assert found.at_risk_critical_total == found.kpis.under_critical == 1
    assert found.at_risk_warning_total == found.kpis.under_warning
    barika = found.at_risk[0]
    status = FacilityStatus.objects.get(facility=sw.rw.world.eph_barika)
    assert barika.band == "critical"
    assert barika.runs_out_at == status.runs_out_at
    assert barika.demand_nm3_per_day == status.demand_nm3_per_day
    assert [a.severity for a in found.alerts].count("critical") == found.kpis.alerts["critical"]


def test_the_outlook_counts_facilities_running_out_within_one_two_three_days(
    sw: SitrepWorld,
) -> None:
    found = report.build(sw.rw.world.coordinator, None, None, NOW)
    statuses = FacilityStatus.objects.exclude(runs_out_at=None)
    expected = {
        days: sum(1 for s in statuses if s.runs_out_at < NOW + timedelta(days=days))
        for days in (1, 2, 3)
    }
    assert dict(found.running_out_counts) == expected
    assert [(r.code, r.within_days) for r in found.running_out] == [
        ("DZ-EPH-BARIKA", 1),
        ("DZ-CHU-BATNA", 2),
    ]
    assert found.running_out[0].runs_out_at <= found.running_out[1].runs_out_at


def test_the_census_projection_is_the_core_projection_of_the_dashboard_trend(
    sw: SitrepWorld,
) -> None:
    found = report.build(sw.rw.world.coordinator, None, None, NOW)
    census = found.census
    assert not census.too_few
    assert census.observed_days == HISTORY_DAYS
    dash = services.resolve_scope(sw.rw.world.coordinator)
    trend = services.trends(dash, TODAY, figures.CENSUS_DAYS)
    series = [t.patients_on_oxygen if t.facilities_reporting else None for t in trend]
    expected = projection.project(series, 7, interval=0.8)
    assert [r.ahead_days for r in census.rows] == [1, 3, 7]
    assert [r.day for r in census.rows] == [TODAY + timedelta(days=d) for d in (1, 3, 7)]
    for row in census.rows:
        assert row.patients == pytest.approx(expected.values[row.ahead_days - 1])
        assert row.patients_low <= row.patients <= row.patients_high
        # Demand scales with the census from today's demand and today's patients.
        assert census.last_patients == trend[-1].patients_on_oxygen
        assert row.demand_nm3_per_day == pytest.approx(
            found.kpis.demand_nm3_per_day * row.patients / census.last_patients
        )
    assert "× projected patients ÷" in found.outlook_basis


def test_fewer_than_seven_days_of_reports_are_too_few_to_project(
    rw: ReportingWorld,
) -> None:
    populate(rw, history_days=5)
    found = report.build(rw.world.coordinator, None, None, NOW)
    assert found.census.too_few
    assert found.census.rows == ()
    assert (found.census.observed_days, found.census.needed_days) == (5, 7)
    assert "Too few reports" in found.outlook_basis


def test_a_day_without_reports_says_so_and_leaves_the_days_figures_empty(
    sw: SitrepWorld,
) -> None:
    found = report.build(sw.rw.world.ministry, "DZ", TODAY - timedelta(days=30), NOW)
    assert not found.has_reports
    values = {f.key: f.value for f in found.key_figures}
    assert values["consumption_nm3_per_day"] is None
    assert values["occupancy_percent"] is None
    assert values["production_nm3_per_day"] is None
    assert found.census.too_few


def test_the_day_must_be_a_day_and_not_in_the_future() -> None:
    with pytest.raises(report.ReportDayError, match="YYYY-MM-DD"):
        report.parse_day("9/8/2021", TODAY)
    with pytest.raises(report.ReportDayError, match="future"):
        report.parse_day("2021-08-10", TODAY)
    assert report.parse_day("", TODAY) == TODAY
    assert report.parse_day(" 2021-08-01 ", TODAY) == TODAY - timedelta(days=8)


@pytest.mark.parametrize("who", ["facility_staff", "producer_staff", "outsider"])
def test_only_regional_users_get_a_report(sw: SitrepWorld, who: str) -> None:
    with pytest.raises(services.DashboardError):
        report.build(getattr(sw.rw.world, who), None, None, NOW)


def test_a_coordinator_cannot_ask_for_another_province(sw: SitrepWorld) -> None:
    with pytest.raises(services.DashboardError):
        report.build(sw.rw.world.coordinator, "VN-70", None, NOW)


def test_a_viewer_sees_only_their_district(sw: SitrepWorld) -> None:
    found = report.build(sw.rw.world.viewer, None, None, NOW)
    assert found.region_code == "DZ-05-02"
    assert [f.code for f in found.at_risk] == ["DZ-EPH-BARIKA"]
    assert [r.code for r in found.running_out] == ["DZ-EPH-BARIKA"]
    assert found.kpis.facilities == 1


def test_the_number_of_queries_does_not_grow_with_the_facilities_at_risk(
    sw: SitrepWorld,
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            report.build(sw.rw.world.coordinator, None, None, NOW)
        return len(captured.captured_queries)

    before = queries()
    for i in range(5):
        facility = create_facility(f"DZ-LOW-{i}", sw.rw.world.barika_daira)
        ingest.submit_one(
            facility=facility,
            data=report_in(lox_tanks=[], cylinders=[rep.CylindersIn("B50", 1, 10)]),
            submission=submission(sw.rw.world.ministry),
        )
    found = report.build(sw.rw.world.coordinator, None, None, NOW)
    assert found.at_risk_critical_total == 6
    assert queries() == before
