"""Submitting facility reports through the service: storing, versions, ledger, status."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oxyflow.reporting import services
from oxyflow.reporting.models import FacilityReport, FacilityStatus
from oxyflow.stock import services as ledger
from tests.reporting.conftest import NOW, TODAY, ReportingWorld, report_in, submission


def test_a_report_is_stored_with_its_figures_normalised(rw: ReportingWorld) -> None:
    outcome = services.submit_facility_report(
        facility=rw.world.chu_batna,
        data=report_in(),
        submission=submission(rw.world.facility_staff),
    )
    report = outcome.report
    assert outcome.created
    assert report.version == 1
    assert report.is_current
    tank = report.tanks.get()
    assert tank.level_unit == "%"
    assert tank.level_kg == Decimal("5705.000")  # 50 % of 10,000 L x 1.141 kg/L
    # 20 x 14.4 + 7 x 43.2 Nm³/day (WHO ESFT)
    assert report.census_demand_nm3_per_day == Decimal("590.400")
    assert ledger.balance(site=rw.world.chu_batna, product=rw.lox) == Decimal("5705.000")
    status = FacilityStatus.objects.get(facility=rw.world.chu_batna)
    assert status.demand_nm3_per_day == pytest.approx(590.4)
    assert status.autonomy_hours > 0


def test_the_same_key_twice_stores_one_report(rw: ReportingWorld) -> None:
    sub = submission(rw.world.facility_staff)
    first = services.submit_facility_report(
        facility=rw.world.chu_batna, data=report_in(), submission=sub
    )
    again = services.submit_facility_report(
        facility=rw.world.chu_batna, data=report_in(), submission=sub
    )
    assert not again.created
    assert again.report.pk == first.report.pk
    assert FacilityReport.objects.count() == 1


def test_a_second_report_for_the_day_is_a_correction_that_needs_a_reason(
    rw: ReportingWorld,
) -> None:
    staff = rw.world.facility_staff
    first = services.submit_facility_report(
        facility=rw.world.chu_batna, data=report_in(), submission=submission(staff)
    ).report
    with pytest.raises(services.ReportRejected) as refused:
        services.submit_facility_report(
            facility=rw.world.chu_batna,
            data=report_in(patients_low_flow=25),
            submission=submission(staff),
        )
    assert "correction_reason" in refused.value.errors
    second = services.submit_facility_report(
        facility=rw.world.chu_batna,
        data=report_in(patients_low_flow=25, lox_tanks=[services.TankLevelIn(40, "%")]),
        submission=submission(staff, correction_reason="Typed the wrong ward"),
    ).report
    first.refresh_from_db()
    assert (first.is_current, second.is_current, second.version) == (False, True, 2)
    assert second.supersedes_id == first.pk
    assert second.first_received_at == first.received_at
    assert FacilityReport.objects.filter(report_date=TODAY).count() == 2
    # The correction replaced the first count in the ledger, not added to it.
    assert ledger.balance(site=rw.world.chu_batna, product=rw.lox) == Decimal("4564.000")
    assert ledger.check_balances() == []


def test_a_fall_in_stock_the_next_day_is_consumption_and_feeds_the_flags(
    rw: ReportingWorld,
) -> None:
    from datetime import timedelta

    staff = rw.world.facility_staff
    services.submit_facility_report(
        facility=rw.world.chu_batna,
        data=report_in(report_date=TODAY - timedelta(days=1), as_of=NOW - timedelta(days=1)),
        submission=submission(staff),
    )
    second = services.submit_facility_report(
        facility=rw.world.chu_batna,
        data=report_in(lox_tanks=[services.TankLevelIn(45, "%")], as_of=NOW),
        submission=submission(staff),
    ).report
    # 570.5 kg of LOX ≈ 399 Nm³ over one day, against 590 Nm³/day census-based: no flag.
    assert second.consumption_derived_nm3 == pytest.approx(Decimal("399.1"), abs=Decimal(1))
    assert second.flags == []


def _day(rw: ReportingWorld, days_ago: int, level_pct: float, **changes: object) -> FacilityReport:
    from datetime import timedelta

    return services.submit_facility_report(
        facility=rw.world.chu_batna,
        data=report_in(
            report_date=TODAY - timedelta(days=days_ago),
            as_of=NOW - timedelta(days=days_ago),
            lox_tanks=[services.TankLevelIn(level_pct, "%")],
            cylinders=[],
            **changes,
        ),
        submission=submission(rw.world.facility_staff),
    ).report


def test_a_refill_day_without_reported_use_leaves_consumption_unknown_not_zero(
    rw: ReportingWorld,
) -> None:
    _day(rw, 2, 50)
    _day(rw, 1, 40)
    refill = _day(rw, 0, 90)
    assert refill.consumption_derived_nm3 is None
    assert refill.flags == []


def test_oxygen_made_on_site_counts_in_the_use_the_census_is_judged_against(
    rw: ReportingWorld,
) -> None:
    # 590 Nm³/day census-based; the tank gives about 399 Nm³/day (570.5 kg) and the PSA
    # plant 10 Nm³/h: 639 Nm³/day used, no flag, and a calibration near 1, not 0.68.
    for days_ago, level in ((4, 70), (3, 65), (2, 60), (1, 55), (0, 50)):
        last = _day(rw, days_ago, level, psa_status="running", psa_output=10)
    assert last.flags == []
    status = FacilityStatus.objects.get(facility=rw.world.chu_batna)
    assert status.calibration_factor == pytest.approx(639.1 / 590.4, rel=0.01)


def test_correcting_the_first_report_opens_the_ledger_afresh(rw: ReportingWorld) -> None:
    from oxyflow.stock.models import Movement

    _day(rw, 0, 50)
    second = services.submit_facility_report(
        facility=rw.world.chu_batna,
        data=report_in(lox_tanks=[services.TankLevelIn(60, "%")], cylinders=[]),
        submission=submission(rw.world.facility_staff, correction_reason="misread gauge"),
    ).report
    assert second.consumption_derived_nm3 is None
    assert not Movement.objects.filter(needs_review=True).exists()
    assert ledger.balance(site=rw.world.chu_batna, product=rw.lox) == Decimal("6846.000")
