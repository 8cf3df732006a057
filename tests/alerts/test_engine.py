"""The alert engine with a frozen clock, through the real report paths."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from oxyflow.alerts import engine
from oxyflow.alerts.models import (
    Alert,
    AlertEvent,
    AlertKind,
    AlertRule,
    AlertStatus,
    Channel,
    EscalationLevel,
    EventKind,
    Notification,
    NotificationStatus,
    Severity,
    SmsMessage,
)
from oxyflow.alerts.notifications import send_pending
from oxyflow.registry import models as reg
from oxyflow.reporting import services
from oxyflow.reporting.models import FacilityReport
from tests.alerts.conftest import (
    NOW,
    TODAY,
    AlertWorld,
    low_stock,
    on_duty,
    plenty,
    report,
    warning_stock,
)
from tests.reporting.conftest import report_in, submission

DELAY = timedelta(minutes=30)


def autonomy_alerts(aw: AlertWorld) -> list[Alert]:
    return list(Alert.objects.filter(kind=AlertKind.AUTONOMY, site=aw.world.chu_batna))


def events(alert: Alert) -> list[str]:
    return list(alert.events.order_by("at", "pk").values_list("kind", flat=True))


# ------------------------------------------------------------------ the acceptance scenario


def test_a_report_under_8_h_raises_one_critical_alert_that_escalates_and_then_resolves(
    aw: AlertWorld,
) -> None:
    on_duty(aw)
    report(aw, low_stock())

    [alert] = autonomy_alerts(aw)
    assert (alert.severity, alert.status, alert.unit) == ("critical", "open", "h")
    assert alert.value == pytest.approx(4.8, abs=0.1)
    assert alert.escalation_level == EscalationLevel.FACILITY
    # Facility staff are told at once (by the task enqueued after the commit).
    assert set(
        Notification.objects.filter(alert=alert).values_list("channel", "recipient", "level")
    ) == {(Channel.EMAIL, "fatima@example.org", 0), (Channel.SMS, "+213 555 000 001", 0)}

    # Evaluating again changes nothing: still one alert, no new message.
    again = engine.evaluate_facilities([aw.world.chu_batna.pk], now=NOW)
    assert again.as_dict() == dict.fromkeys(again.as_dict(), 0)
    assert autonomy_alerts(aw) == [alert]

    # Not acknowledged within the delay: up to the district's person on duty.
    engine.evaluate_all(now=NOW + DELAY - timedelta(seconds=1))
    alert.refresh_from_db()
    assert alert.escalation_level == EscalationLevel.FACILITY
    engine.evaluate_all(now=NOW + DELAY + timedelta(minutes=1))
    alert.refresh_from_db()
    assert alert.escalation_level == EscalationLevel.DISTRICT
    assert alert.escalated_at == NOW + DELAY + timedelta(minutes=1)
    district = Notification.objects.filter(alert=alert, level=EscalationLevel.DISTRICT)
    assert set(district.values_list("channel", "recipient", "status")) == {
        (Channel.EMAIL, "dora@example.org", NotificationStatus.SENT),
        (Channel.SMS, "+213 555 000 002", NotificationStatus.SENT),
    }
    assert [m.to for m in mail.outbox if "dora@example.org" in m.to] == [["dora@example.org"]]
    assert "CHU Batna" in mail.outbox[-1].subject
    assert SmsMessage.objects.filter(number="+213 555 000 002").count() == 1
    assert EventKind.FALLBACK not in events(alert)

    # A later report above the threshold resolves it, saying why.
    report(
        aw,
        plenty(),
        now=NOW + timedelta(hours=1),
        correction_reason="Tanker delivered",
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.resolved_by is None
    assert alert.resolution.startswith("Resolved automatically: autonomy")
    assert events(alert) == ["opened", "notified", "escalated", "notified", "resolved"]
    assert len(autonomy_alerts(aw)) == 1


def test_evaluating_twice_at_the_same_instant_changes_nothing(aw: AlertWorld) -> None:
    report(aw, low_stock())
    engine.evaluate_all(now=NOW + timedelta(minutes=40))
    before = (
        list(Alert.objects.order_by("pk").values()),
        AlertEvent.objects.count(),
        Notification.objects.count(),
    )
    again = engine.evaluate_all(now=NOW + timedelta(minutes=40))
    assert again.opened == again.escalated == again.notifications == 0
    after = (
        list(Alert.objects.order_by("pk").values()),
        AlertEvent.objects.count(),
        Notification.objects.count(),
    )
    assert after == before


def test_no_message_is_sent_twice_over_repeated_runs(aw: AlertWorld) -> None:
    on_duty(aw)
    report(aw, low_stock())
    for minutes in (0, 5, 31, 35, 40):
        engine.evaluate_all(now=NOW + timedelta(minutes=minutes))
    [alert] = autonomy_alerts(aw)
    sent = list(
        Notification.objects.filter(alert=alert).values_list("level", "channel", "recipient")
    )
    assert len(sent) == len(set(sent)) == 4
    assert len([m for m in mail.outbox if m.to == ["dora@example.org"]]) == 1
    assert send_pending(now=NOW + timedelta(hours=1)) == {"sent": 0, "failed": 0}


# ------------------------------------------------------------------- severity changes


def test_a_warning_that_becomes_critical_upgrades_the_same_alert(aw: AlertWorld) -> None:
    report(aw, warning_stock())
    [alert] = autonomy_alerts(aw)
    assert alert.severity == "warning"
    report(aw, low_stock(), correction_reason="Recounted the cylinders")
    [again] = autonomy_alerts(aw)
    assert again.pk == alert.pk
    assert again.severity == "critical"
    assert events(again) == ["opened", "upgraded"]
    # The site's people hear about the upgrade once more, as critical.
    assert set(
        Notification.objects.filter(alert=alert, channel=Channel.EMAIL).values_list(
            "severity", flat=True
        )
    ) == {"warning", "critical"}


def test_autonomy_declining_between_reports_is_caught_by_the_scheduled_run(
    aw: AlertWorld,
) -> None:
    report(aw, warning_stock())  # about 16 h
    engine.evaluate_all(now=NOW + timedelta(hours=7))
    [alert] = autonomy_alerts(aw)
    assert alert.severity == "warning"
    engine.evaluate_all(now=NOW + timedelta(hours=9))  # about 7 h left
    [alert] = autonomy_alerts(aw)
    assert alert.severity == "critical"
    assert alert.value == pytest.approx(7.0, abs=0.1)
    assert alert.severity_since == NOW + timedelta(hours=9)


def test_warnings_stay_with_the_site_unless_the_rule_escalates_them(aw: AlertWorld) -> None:
    report(aw, warning_stock())
    engine.evaluate_all(now=NOW + timedelta(hours=2))
    [alert] = autonomy_alerts(aw)
    assert alert.escalation_level == EscalationLevel.FACILITY
    AlertRule.objects.create(region=aw.world.batna, escalate_warnings=True)
    engine.evaluate_all(now=NOW + timedelta(hours=2))
    alert.refresh_from_db()
    assert alert.escalation_level == EscalationLevel.MINISTRY


def test_the_nearest_region_rule_sets_the_thresholds(aw: AlertWorld) -> None:
    AlertRule.objects.create(region=aw.world.algeria.region, autonomy_critical_hours=Decimal(2))
    AlertRule.objects.create(
        region=aw.world.batna_daira,
        autonomy_critical_hours=Decimal(5),
        autonomy_warning_hours=Decimal(6),
    )
    report(aw, low_stock())  # 4.8 h: critical under the district's 5 h
    assert autonomy_alerts(aw)[0].severity == "critical"
    AlertRule.objects.filter(region=aw.world.batna_daira).delete()
    engine.evaluate_all(now=NOW)  # the country's 2 h: a warning now
    assert autonomy_alerts(aw)[0].severity == "warning"


# -------------------------------------------------------------------------- escalation


def test_acknowledging_stops_the_escalation(aw: AlertWorld) -> None:
    report(aw, low_stock())
    [alert] = autonomy_alerts(aw)
    alert.acknowledge(user=aw.world.facility_staff, now=NOW + timedelta(minutes=10))
    engine.evaluate_all(now=NOW + timedelta(hours=3))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.escalation_level == EscalationLevel.FACILITY
    assert not Notification.objects.filter(alert=alert, level__gt=0).exists()


def test_with_nobody_on_duty_on_the_weekend_the_coordinators_are_written_to(
    aw: AlertWorld,
) -> None:
    # Dora is on duty on weekdays only; Saturday 14 August is Algeria's weekend.
    saturday = NOW + timedelta(days=5)
    on_duty(aw, hours=72)  # Monday to Thursday
    report(aw, low_stock(report_date=saturday.date()), now=saturday)
    engine.evaluate_all(now=saturday + DELAY)
    [alert] = autonomy_alerts(aw)
    assert alert.escalation_level == EscalationLevel.DISTRICT
    fallback = alert.events.get(kind=EventKind.FALLBACK)
    assert "Batna (daïra)" in fallback.text
    # The district's coordinator (Dora) gets it anyway, as its coordinator.
    assert Notification.objects.filter(
        alert=alert, level=EscalationLevel.DISTRICT, recipient="dora@example.org"
    ).exists()


def test_the_ladder_climbs_to_the_ministry(aw: AlertWorld) -> None:
    report(aw, low_stock())
    engine.evaluate_all(now=NOW + 3 * DELAY)
    [alert] = autonomy_alerts(aw)
    assert alert.escalation_level == EscalationLevel.MINISTRY
    assert [e.level for e in alert.events.filter(kind=EventKind.ESCALATED)] == [1, 2, 3]
    # Province: Carim (coordinator of Batna); ministry: Mina.
    recipients = set(
        Notification.objects.filter(alert=alert, channel=Channel.EMAIL).values_list(
            "level", "recipient"
        )
    )
    assert {(2, "carim@example.org"), (3, "mina@example.org")} <= recipients


# ---------------------------------------------------------------------- other sources


def test_a_missing_report_raises_a_late_alert_that_its_arrival_resolves(aw: AlertWorld) -> None:
    barika = aw.world.eph_barika
    engine.evaluate_all(now=NOW)  # 11:00 UTC: the 10:00 (09:00 UTC) deadline has passed
    alert = Alert.objects.get(kind=AlertKind.REPORT_LATE, site=barika)
    assert (alert.severity, alert.value, alert.unit) == ("warning", 2.0, "h")
    assert alert.condition_key == f"report:{TODAY.isoformat()}"
    # The report reminders already write to the site about it: no second message.
    assert not Notification.objects.filter(alert=alert).exists()
    ingest_for(barika, aw)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert TODAY.isoformat() in alert.resolution


def ingest_for(facility: reg.Facility, aw: AlertWorld) -> None:
    from oxyflow.reporting import ingest

    reg.LoxTank.objects.create(facility=facility, name="T", capacity_liquid_l=Decimal(10000))
    ingest.submit_one(
        facility=facility,
        data=plenty(),
        submission=submission(aw.world.coordinator, now=NOW + timedelta(minutes=5)),
    )


def test_a_late_report_alert_is_not_raised_where_the_rule_turns_it_off(aw: AlertWorld) -> None:
    AlertRule.objects.create(region=aw.world.barika_daira, report_late=False)
    engine.evaluate_all(now=NOW)
    assert not Alert.objects.filter(site=aw.world.eph_barika).exists()
    assert Alert.objects.filter(site=aw.world.linde_plant, kind=AlertKind.REPORT_LATE).exists()


def produce(aw: AlertWorld, kg: int, day_offset: int = 0) -> None:
    day = TODAY + timedelta(days=day_offset)
    services.submit_producer_report(
        producer=aw.world.linde_plant,
        data=services.ProducerReportIn(
            report_date=day,
            lines=[services.ProductLineIn("LOX", kg, 1000, 1000, "kg")],
        ),
        submission=submission(aw.world.producer_staff, now=NOW + timedelta(days=day_offset)),
    )


def test_production_down_more_than_20_pct_of_capacity_raises_an_alert(aw: AlertWorld) -> None:
    reg.ProducerCapacity.objects.create(
        producer=aw.world.linde_plant, product=aw.rw.lox, capacity_per_day=Decimal(10000)
    )
    produce(aw, 8500)  # 15 % down: nothing
    assert not Alert.objects.filter(kind=AlertKind.PRODUCTION_DOWN).exists()
    produce(aw, 7000, day_offset=1)  # 30 % down: a warning
    alert = Alert.objects.get(kind=AlertKind.PRODUCTION_DOWN)
    assert (alert.severity, alert.value, alert.unit) == ("warning", 30.0, "%")
    assert "declared capacity" in alert.basis
    produce(aw, 5000, day_offset=2)  # 50 %: critical, the same alert
    alert.refresh_from_db()
    assert alert.severity == "critical"
    produce(aw, 9900, day_offset=3)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


def test_production_is_compared_with_the_recent_average_once_there_is_one(
    aw: AlertWorld,
) -> None:
    for offset in range(3):
        produce(aw, 6000, day_offset=offset)
    assert not Alert.objects.filter(kind=AlertKind.PRODUCTION_DOWN).exists()  # no baseline
    produce(aw, 4000, day_offset=3)  # a third below the 6,000 kg average
    alert = Alert.objects.get(kind=AlertKind.PRODUCTION_DOWN)
    assert alert.value == pytest.approx(33.3, abs=0.1)
    assert "average of the 3 days before" in alert.basis


def test_a_flagged_report_raises_an_alert_until_it_is_reviewed(aw: AlertWorld) -> None:
    outcome = report(aw, report_in(consumption=5000, consumption_unit="Nm3"))
    assert outcome.flags
    alert = Alert.objects.get(kind=AlertKind.PLAUSIBILITY)
    assert (alert.severity, alert.unit) == ("warning", "flags")
    assert alert.condition_key == f"report:{outcome.report.pk}"
    FacilityReport.objects.filter(pk=outcome.report.pk).update(reviewed_at=NOW)
    engine.evaluate_all(now=NOW + timedelta(minutes=5))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


def test_a_retired_site_has_its_alerts_resolved(aw: AlertWorld) -> None:
    report(aw, low_stock())
    reg.Site.objects.filter(pk=aw.world.chu_batna.pk).update(retired_on=TODAY)
    engine.evaluate_all(now=NOW)
    assert not Alert.objects.filter(site=aw.world.chu_batna, status="open").exists()


def test_an_alert_engine_failure_never_refuses_a_report(
    aw: AlertWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug in a source")

    monkeypatch.setattr(engine, "evaluate_facilities", broken)
    outcome = report(aw, low_stock())
    assert outcome.created
    assert not Alert.objects.exists()
    monkeypatch.undo()
    engine.evaluate_all(now=NOW)  # the next run catches up
    assert len(autonomy_alerts(aw)) == 1


def test_an_acknowledged_warning_that_turns_critical_opens_again_and_escalates(
    aw: AlertWorld,
) -> None:
    report(aw, warning_stock())
    [alert] = autonomy_alerts(aw)
    assert alert.severity == Severity.WARNING
    alert.acknowledge(user=aw.world.facility_staff, now=NOW + timedelta(minutes=5))
    report(aw, low_stock(), now=NOW + timedelta(hours=1), correction_reason="recount")
    alert.refresh_from_db()
    assert (alert.severity, alert.status) == (Severity.CRITICAL, AlertStatus.OPEN)
    assert alert.acknowledged_by is None
    assert [e for e in events(alert) if e == EventKind.ACKNOWLEDGED]  # history kept
    assert Notification.objects.filter(alert=alert, severity=Severity.CRITICAL).exists()
    engine.evaluate_all(now=NOW + timedelta(hours=1) + DELAY + timedelta(minutes=1))
    alert.refresh_from_db()
    assert alert.escalation_level > EscalationLevel.FACILITY
