"""A Batna province with ten days of real reports, a producer's day, an incident.

Built on the reporting world (tests/reporting/conftest.py), through the same ingest path
the API takes:

- CHU Batna reports daily from 31 July to 9 August 2021, one more patient on low flow
  each day and its tank falling 2 % a day to 20 %: enough for a census projection, and
  it runs out within three days.
- EPH Barika reports daily too, its full cylinders falling to two today: under 8 h,
  critical.
- Linde's Skikda plant reports 2 t of LOX and 100 cylinders with 3 h of breakdown.
- The coordinator logs a blocked road to EPH Barika.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client

from oxyflow.incidents import services as incident_services
from oxyflow.incidents.models import Incident
from oxyflow.reporting import ingest
from oxyflow.reporting import services as rep
from oxyflow.sitrep import views
from tests.reporting.conftest import NOW, TODAY, ReportingWorld, report_in, submission
from tests.reporting.conftest import rw as rw  # the reporting world, re-used

HISTORY_DAYS = 10


@dataclass
class SitrepWorld:
    rw: ReportingWorld
    incident: Incident


def report_days(rw: ReportingWorld, days: int) -> None:
    """Both facilities' reports for the last ``days`` days, today included."""
    for back in range(days - 1, -1, -1):
        step = days - 1 - back
        ingest.submit_one(
            facility=rw.world.eph_barika,
            data=report_in(
                report_date=TODAY - timedelta(days=back),
                lox_tanks=[],
                cylinders=[rep.CylindersIn("B50", 2 + 3 * back, 10)],
            ),
            submission=submission(rw.world.ministry),
        )
        ingest.submit_one(
            facility=rw.world.chu_batna,
            data=report_in(
                report_date=TODAY - timedelta(days=back),
                patients_low_flow=20 + step,
                lox_tanks=[rep.TankLevelIn(20 + 2 * back, "%")],
                cylinders=[rep.CylindersIn("B50", 30, 10)],
                beds_occupied_oxygen=30,
            ),
            submission=submission(rw.world.ministry),
        )


def populate(rw: ReportingWorld, *, history_days: int = HISTORY_DAYS) -> SitrepWorld:
    world = rw.world
    report_days(rw, history_days)
    rep.submit_producer_report(
        producer=world.linde_plant,
        data=rep.ProducerReportIn(
            report_date=TODAY,
            lines=[
                rep.ProductLineIn("LOX", "2", "10", "5", unit="t"),
                rep.ProductLineIn("CYL-B50", 100, 20, 20),
            ],
            downtime_hours=3,
            downtime_cause="breakdown",
        ),
        submission=submission(world.producer_staff),
    )
    incident = incident_services.log_incident(
        user=world.coordinator,
        data=incident_services.IncidentIn(
            kind="road_blocked",
            severity="high",
            title="Road to Barika blocked by a landslide",
            sites=[world.eph_barika],
        ),
        at=NOW - timedelta(hours=5),
    )
    return SitrepWorld(rw=rw, incident=incident)


@pytest.fixture
def sw(rw: ReportingWorld) -> SitrepWorld:
    return populate(rw)


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "now", lambda: NOW)


def client_for(user: object, language: str | None = None) -> Client:
    from django.conf import settings

    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client
