"""The demo's coordination layer: who is on call this week, a few obstacles of the kind
Batna's coordinators cleared in 2021, and the alerts as of now.

Illustrative, like the rest of the demo (docs/demo-region.md). Loaded after the report
history (``oxyflow.reporting.demo.load``); running it again adds nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from oxyflow.alerts import engine
from oxyflow.alerts import services as alert_services
from oxyflow.alerts.models import Alert, AlertStatus, OnCallShift
from oxyflow.incidents import services as incident_services
from oxyflow.incidents.models import Incident
from oxyflow.registry import models as reg


@dataclass(frozen=True)
class CoordinationSummary:
    shifts: int
    incidents: int
    open_alerts: int

    def describe(self) -> str:
        return (
            f"Coordination: {self.shifts} on-call shifts this week, {self.incidents} "
            f"incidents, {self.open_alerts} open alerts as of now."
        )


# (who logs it, kind, severity, title, description, site codes, (lat, lon) or None,
#  hours ago, status reached)
INCIDENTS = [
    (
        "producer.linde",
        "tanker_held",
        "high",
        "LOX tanker held at a checkpoint on the RN3",
        "Tanker DZ-HAUL-T01 stopped for papers on the way from Ouargla; 14 t of liquid "
        "oxygen for the Batna hospitals.",
        [],
        (Decimal("34.95"), Decimal("5.93")),
        5,
        "open",
    ),
    (
        "staff.sanatorium",
        "installation_fault",
        "critical",
        "Pressure drop on the oxygen manifold, chest-disease wards",
        "Manifold regulator leaking; cylinders swapped by hand every two hours.",
        ["DZ-EPH-SANATORIUM"],
        None,
        3,
        "in_progress",
    ),
    (
        "coord.batna",
        "road_blocked",
        "medium",
        "Road to T'kout closed by a landslide",
        "Cylinder deliveries to EPH T'kout go round by Arris (+70 km).",
        ["DZ-EPH-TKOUT"],
        (Decimal("35.13"), Decimal("6.31")),
        30,
        "resolved",
    ),
]


def load(*, now: datetime | None = None) -> CoordinationSummary:
    now = now or timezone.now()
    users = {u.username: u for u in get_user_model().objects.all()}
    with transaction.atomic():
        shifts = _load_roster(users, now)
        incidents = _load_incidents(users, now)
    # Messages stay queued: the worker that `oxyflow demo` starts sends them (its log
    # shows the development SMS gateway's messages).
    engine.evaluate_all(now=now, send=False)
    open_alerts = Alert.objects.exclude(status=AlertStatus.RESOLVED).count()
    return CoordinationSummary(shifts, incidents, open_alerts)


def _load_roster(users: dict[str, object], now: datetime) -> int:
    """The Batna coordinator on call all week, weekend included; the ministry behind."""
    start = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0)
    end = start + timedelta(days=7)
    added = 0
    for username, code in (("coord.batna", "DZ-05"), ("ministry.dz", "DZ")):
        person = users.get(username)
        region = reg.Region.objects.filter(code=code).first()
        if person is None or region is None:
            continue
        if OnCallShift.objects.filter(user=person, region=region, ends_at__gt=now).exists():
            continue
        alert_services.add_shift(
            user=users["admin"], region=region, person=person, starts_at=start, ends_at=end
        )
        added += 1
    return OnCallShift.objects.filter(ends_at__gt=now).count()


def _load_incidents(users: dict[str, object], now: datetime) -> int:
    for username, kind, severity, title, text, codes, where, hours, reached in INCIDENTS:
        reporter = users.get(username)
        if reporter is None or Incident.objects.filter(title=title).exists():
            continue
        sites = list(reg.Site.objects.filter(code__in=codes))
        region = sites[0].region if sites else reg.Region.objects.get(code="DZ-05")
        at = now - timedelta(hours=hours)
        incident = incident_services.log_incident(
            user=reporter,
            data=incident_services.IncidentIn(
                kind=kind,
                severity=severity,
                title=title,
                description=text,
                region=region,
                sites=sites,
                latitude=where[0] if where else None,
                longitude=where[1] if where else None,
            ),
            at=at,
        )
        coordinator = users["coord.batna"]
        if reached in ("in_progress", "resolved"):
            incident_services.assign(
                user=coordinator, incident=incident, assignee=coordinator, at=at
            )
            incident_services.transition(
                user=coordinator,
                incident=incident,
                to="in_progress",
                at=at + timedelta(minutes=20),
            )
        if reached == "resolved":
            incident_services.transition(
                user=coordinator,
                incident=incident,
                to="resolved",
                resolution="Road reopened by the wilaya's public works.",
                at=at + timedelta(hours=26),
            )
    return Incident.objects.count()
