"""The demo's report history: a fortnight of reports, through the services, idempotent."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from oxyflow.registry import demo as registry_demo
from oxyflow.registry import models as reg
from oxyflow.reporting import demo, services
from oxyflow.reporting.models import (
    Channel,
    DowntimeCause,
    FacilityReport,
    FacilityStatus,
    ProducerReport,
)
from oxyflow.stock import services as ledger
from oxyflow.stock.models import Movement

pytestmark = pytest.mark.django_db

# Monday 9 August 2021, 11:00 UTC: 12:00 in Batna, 18:00 in Đồng Xoài.
NOW = datetime(2021, 8, 9, 11, 0, tzinfo=UTC)
TODAY = date(2021, 8, 9)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the registry and the history once per module inside a transaction that is
    rolled back at the end; each test runs in a savepoint within it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            services.forget_cached_countries()
            registry_demo.load()
            yield demo.load(now=NOW)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def summary(loaded: demo.HistorySummary, db: None) -> demo.HistorySummary:
    return loaded


def row_counts() -> dict[str, int]:
    models = (FacilityReport, ProducerReport, FacilityStatus, Movement)
    return {model.__name__: model.objects.count() for model in models}


def test_every_active_facility_has_a_status(summary: demo.HistorySummary) -> None:
    active = set(reg.Facility.objects.active().values_list("code", flat=True))
    assert active
    assert set(FacilityStatus.objects.values_list("facility__code", flat=True)) == active


def test_one_to_three_facilities_have_under_a_day_of_autonomy(
    summary: demo.HistorySummary,
) -> None:
    critical = set(
        FacilityStatus.objects.filter(autonomy_hours__lt=24).values_list(
            "facility__code", flat=True
        )
    )
    assert set(demo.LATE_DELIVERY) <= critical
    assert 1 <= len(critical) <= 3


def test_every_site_reports_the_last_14_days_but_two_miss_today(
    summary: demo.HistorySummary,
) -> None:
    first = TODAY - timedelta(days=13)
    for facility in reg.Facility.objects.active():
        days = set(
            FacilityReport.objects.filter(facility=facility, is_current=True).values_list(
                "report_date", flat=True
            )
        )
        expected = {first + timedelta(days=n) for n in range(14)}
        if facility.code in demo.NOT_REPORTED_TODAY:
            expected.discard(TODAY)
        assert days == expected, facility.code
    for producer in reg.Producer.objects.active():
        assert producer.reports.filter(is_current=True).count() == 14, producer.code
    assert summary.producer_reports == 14 * reg.Producer.objects.count()


def test_loading_twice_adds_nothing(summary: demo.HistorySummary) -> None:
    before = row_counts()
    again = demo.load(now=NOW)
    assert again.created == 0
    assert row_counts() == before
    assert (again.facility_reports, again.producer_reports) == (
        summary.facility_reports,
        summary.producer_reports,
    )


def test_the_next_day_continues_the_history_with_one_report_per_site(
    summary: demo.HistorySummary,
) -> None:
    later = demo.load(now=NOW + timedelta(days=1))
    # One new day per site: the two quiet sites send the day they missed, not the new one.
    assert later.created == reg.Facility.objects.count() + reg.Producer.objects.count()
    for facility in reg.Facility.objects.all():
        latest = facility.reports.filter(is_current=True).latest("report_date").report_date
        quiet = facility.code in demo.NOT_REPORTED_TODAY
        assert latest == TODAY + timedelta(days=0 if quiet else 1), facility.code
    assert ledger.check_balances() == []


def test_the_ledger_balances_agree_with_their_movements(summary: demo.HistorySummary) -> None:
    assert Movement.objects.exists()
    assert ledger.check_balances() == []


def test_refills_show_as_flagged_count_adjustments_a_few_times_a_fortnight(
    summary: demo.HistorySummary,
) -> None:
    flagged = Movement.objects.filter(needs_review=True).values_list("site__code", flat=True)
    per_site = {code: list(flagged).count(code) for code in set(flagged)}
    assert per_site
    assert max(per_site.values()) <= 8


def test_chu_batna_corrected_one_report_and_said_why(summary: demo.HistorySummary) -> None:
    code, days_ago = demo.CORRECTION
    day = TODAY - timedelta(days=days_ago)
    versions = FacilityReport.objects.filter(facility__code=code, report_date=day)
    assert [(r.version, r.is_current) for r in versions.order_by("version")] == [
        (1, False),
        (2, True),
    ]
    correction = versions.get(version=2)
    assert correction.correction_reason.startswith("Gauge misread")
    assert correction.entered_by.username == "staff.chu-batna"
    assert correction.channel == Channel.FORM


def test_tonnes_typed_as_kilograms_are_flagged_and_left_for_review(
    summary: demo.HistorySummary,
) -> None:
    flagged = [r for r in FacilityReport.objects.filter(is_current=True) if r.flags]
    assert [(r.facility.code, (TODAY - r.report_date).days) for r in flagged] == [demo.UNIT_SLIP]
    assert "tonnes_entered_as_kg" in {flag["code"] for flag in flagged[0].flags}
    assert flagged[0].needs_review


def test_a_producer_reports_a_breakdown_and_less_output_that_day(
    summary: demo.HistorySummary,
) -> None:
    code, days_ago, hours = demo.BREAKDOWN
    reports = ProducerReport.objects.filter(producer__code=code)
    down = reports.get(downtime_hours__gt=0)
    assert (TODAY - down.report_date).days == days_ago
    assert (down.downtime_hours, down.downtime_cause) == (hours, DowntimeCause.BREAKDOWN)
    others = [r.lines.get().produced for r in reports.exclude(pk=down.pk)]
    assert down.lines.get().produced < min(others)


def test_production_stays_within_registered_capacity(summary: demo.HistorySummary) -> None:
    for report in ProducerReport.objects.prefetch_related("lines__product"):
        for line in report.lines.all():
            capacity = report.producer.capacities.get(product=line.product).capacity_per_day
            assert line.produced <= capacity, report


def test_staff_enter_their_own_reports_and_coordinators_phone_in_the_rest(
    summary: demo.HistorySummary,
) -> None:
    chu = FacilityReport.objects.filter(facility__code="DZ-CHU-BATNA", version=1)
    assert set(chu.values_list("entered_by__username", "channel")) == {
        ("staff.chu-batna", Channel.FORM)
    }
    phoned = FacilityReport.objects.filter(facility__code="VN-BVDC-K72")
    assert set(phoned.values_list("entered_by__username", "channel")) == {
        ("coord.binhphuoc", Channel.PHONE)
    }
    assert all(phoned.values_list("reported_by_name", flat=True))
    linde = ProducerReport.objects.filter(producer__organisation__code="DZ-LINDE")
    assert set(linde.values_list("entered_by__username", flat=True)) == {"producer.linde"}


def test_coordinators_enter_phoned_reports_at_sittings_the_last_one_late(
    summary: demo.HistorySummary,
) -> None:
    phoned = FacilityReport.objects.filter(channel=Channel.PHONE).select_related("facility")
    times = set()
    for report in phoned:
        local = report.received_at.astimezone(services.site_calendar(report.facility).zone)
        assert local.date() == report.report_date
        times.add(local.time())
    assert times == set(demo.PHONE_SITTINGS)  # today's sittings are all past at NOW
    assert max(times) > time(10)  # after the deadline: late reports to show


def test_census_and_beds_fit_each_facility(summary: demo.HistorySummary) -> None:
    for report in FacilityReport.objects.select_related("facility"):
        facility = report.facility
        assert report.patients_on_oxygen == report.beds_occupied_oxygen <= facility.beds_oxygen
        assert report.patients_ventilated <= facility.beds_icu
        assert report.beds_occupied_icu <= min(facility.beds_icu, report.beds_occupied)
        assert report.beds_occupied <= facility.beds_total
        assert report.patients_low_flow >= report.patients_high_flow


def test_reports_are_read_in_the_morning_local_time(summary: demo.HistorySummary) -> None:
    for report in FacilityReport.objects.select_related("facility__region"):
        local = report.as_of.astimezone(services.site_calendar(report.facility).zone)
        assert local.date() == report.report_date
        assert 8 <= local.hour <= 10, report


def test_the_same_seed_and_days_give_the_same_reports(summary: demo.HistorySummary) -> None:
    facility = reg.Facility.objects.get(code="DZ-EPH-ARRIS")
    days = [TODAY - timedelta(days=n) for n in range(3, -1, -1)]

    def plan(seed: int) -> list[demo._Day]:
        traits = demo._Traits(facility, random.Random(f"{seed}:{facility.code}"))
        return demo._plan_facility(traits, days, None, NOW, seed, phone=True)

    assert plan(7) == plan(7)
    assert plan(7) != plan(8)


@given(
    draws=st.lists(st.floats(0, 500), min_size=2, max_size=20),
    start=st.floats(0, 1000),
    late=st.booleans(),
)
def test_a_stock_path_never_goes_below_zero_and_conserves_stock(
    draws: list[float], start: float, late: bool
) -> None:
    n = len(draws)
    levels, delivered = demo._stock_path(
        draws,
        start,
        fill=[1000.0] * n,
        reorder=[400.0] * n,
        timing=[0.5] * n,
        target=100.0 if late else None,
    )
    assert all(level >= 0 for level in levels)
    for i in range(1, n):
        if levels[i - 1] >= draws[i]:  # nothing ran short: it holds what came less what went
            assert levels[i] == pytest.approx(levels[i - 1] + delivered[i] - draws[i], abs=1e-6)
